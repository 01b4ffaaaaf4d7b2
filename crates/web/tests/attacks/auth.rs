//! Attacks on signing in, the second factor, tokens and sessions.
