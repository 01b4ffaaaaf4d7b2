//! Roles. A user may hold several; permissions are the union of their roles' rows in
//! the [`crate::authz`] table.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Agent,
    TeamLead,
    QaAnalyst,
    EthicsOfficer,
    Investigator,
    Admin,
    /// Receives hotline cases of categories routed to the audit committee (accounting).
    AuditCommittee,
    /// Holds the key of reporters' identity envelopes; approves or denies requests to open one.
    IdentityCustodian,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown role {0:?}; expected one of agent, team_lead, qa_analyst, ethics_officer, investigator, admin, audit_committee, identity_custodian")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Agent,
        Role::TeamLead,
        Role::QaAnalyst,
        Role::EthicsOfficer,
        Role::Investigator,
        Role::Admin,
        Role::AuditCommittee,
        Role::IdentityCustodian,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::TeamLead => "team_lead",
            Role::QaAnalyst => "qa_analyst",
            Role::EthicsOfficer => "ethics_officer",
            Role::Investigator => "investigator",
            Role::Admin => "admin",
            Role::AuditCommittee => "audit_committee",
            Role::IdentityCustodian => "identity_custodian",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Agent => "Agent",
            Role::TeamLead => "Team lead",
            Role::QaAnalyst => "QA analyst",
            Role::EthicsOfficer => "Ethics officer",
            Role::Investigator => "Investigator",
            Role::Admin => "Admin",
            Role::AuditCommittee => "Audit committee",
            Role::IdentityCustodian => "Identity custodian",
        }
    }

    pub fn parse(s: &str) -> Result<Role, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }

    /// Privileged roles must pass TOTP two-factor authentication on web logins.
    pub fn requires_two_factor(self) -> bool {
        matches!(
            self,
            Role::EthicsOfficer
                | Role::Investigator
                | Role::Admin
                | Role::AuditCommittee
                | Role::IdentityCustodian
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        assert!(Role::parse("superuser").is_err());
    }
}
