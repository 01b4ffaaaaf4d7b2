//! The `righttrack` binary: argument parsing and glue only.
fn main() {}
