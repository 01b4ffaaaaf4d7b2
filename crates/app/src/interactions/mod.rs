//! Interactions coming in (API, file import, message queue): prepared, scanned and redacted before anything is stored.
