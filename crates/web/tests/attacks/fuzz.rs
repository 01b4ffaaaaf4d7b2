//! Malformed input on every route: no 5xx, no panic, a clear error naming the field.
