//! Accounts, roles, teams, tokens, the audit trail and the installation's keys: what every other capability stands on.
