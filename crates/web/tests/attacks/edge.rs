//! Attacks at the edge: metrics, rate limits behind a proxy, sign-in floods.
