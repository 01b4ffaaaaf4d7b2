//! Who acts: a signed-in person on a web session, or a program with an API token.
//!
//! The web shell resolves the caller from a cookie or a bearer token; use cases receive
//! it as their `actor` and check nothing about HTTP. A case reader's key travels sealed
//! with the session and is opened only here, only after the second factor.

use righttrack_core::authz::Scope;
use righttrack_core::casekeys::{open_for_session, ReaderSecret};
use righttrack_core::ids::TokenId;
use righttrack_core::Secret;
use righttrack_store::directory::User;

#[derive(Debug, Clone)]
pub enum Via {
    Session {
        id_hash: [u8; 32],
        csrf: Secret<String>,
        mfa_passed: bool,
        /// The cookie's session id: the key to `reader_sealed`.
        sid: Secret<String>,
        /// A case reader's secret sealed for this session.
        reader_sealed: Option<Vec<u8>>,
    },
    Token {
        id: TokenId,
        scopes: Vec<Scope>,
        /// The account's roles. `Caller::user` on a token holds only those that need no
        /// second factor; these count only for machine actions (the `ingest` scope).
        held_roles: Vec<righttrack_core::Role>,
    },
}

/// The authenticated caller, handed to every handler behind a non-public route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

impl Caller {
    pub fn csrf(&self) -> String {
        match &self.via {
            Via::Session { csrf, .. } => csrf.expose().clone(),
            Via::Token { .. } => String::new(),
        }
    }

    /// For privileged users on a session: has the second factor been passed?
    pub fn mfa_satisfied(&self) -> bool {
        match &self.via {
            Via::Session { mfa_passed, .. } => *mfa_passed || !self.user.requires_two_factor(),
            Via::Token { .. } => true,
        }
    }

    pub fn actor(&self) -> String {
        self.user.id.to_string()
    }

    /// A case reader's X25519 secret, available on a web session that has passed the
    /// second factor (never on an API token: hotline content is not readable by machines).
    pub fn reader_secret(&self) -> Option<ReaderSecret> {
        match &self.via {
            Via::Session {
                sid,
                reader_sealed: Some(sealed),
                ..
            } if self.mfa_satisfied() => open_for_session(sealed, sid.expose()).ok(),
            _ => None,
        }
    }
}
