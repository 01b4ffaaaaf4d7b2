//! Accounts, roles, teams, tokens, the audit trail and the installation's keys: what every other capability stands on.

pub mod account;
pub mod audit;
pub mod directory;
pub mod mail;
pub mod people;
pub mod tokens;
pub mod totp;
pub mod users;
