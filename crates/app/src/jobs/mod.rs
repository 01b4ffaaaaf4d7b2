//! Work that runs on a schedule or from the command line: sweeps, reminders, digests and demo data. The server's timer and `righttrack` subcommands call the same functions.

pub mod admin;
pub mod demo;
pub mod digest;
pub mod keys;
pub mod mail;
pub mod sweep;
