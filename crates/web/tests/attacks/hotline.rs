//! Attacks on the hotline: identity requests, sealed corrective actions, reader keys.
