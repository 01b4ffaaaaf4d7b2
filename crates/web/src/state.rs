//! Shared server state: the database, keys, clock, metrics and configuration.

use crate::middleware::Metrics;
use ed25519_dalek::SigningKey;
use righttrack_app::Ctx;
use righttrack_core::clock::Clock;
use righttrack_core::crypto::Keyring;
use righttrack_store::Db;
use std::sync::Arc;

/// The installation's settings (they live with the use cases, which read most of them).
pub type WebConfig = righttrack_app::Config;

/// The server's state: the use cases' context ([`Ctx`], reached through `Deref`, so
/// `state.db` and `state.now()` read as before) plus what only HTTP needs: metrics, rate
/// limiters and sign-in guards.
#[derive(Clone)]
pub struct AppState {
    pub ctx: Ctx,
    pub metrics: Arc<Metrics>,
    /// Rate limits of the public feedback pages (in memory; no addresses kept).
    pub feedback_limiter: Arc<crate::limit::Limiter>,
    /// Rate limits of the speak-up reporter routes (in memory; no addresses kept).
    pub speakup_limiter: Arc<crate::limit::Limiter>,
    /// Sign-in attempts per client address (in memory; no addresses kept).
    pub login_clients: Arc<crate::limit::Limiter>,
    /// Sign-in attempts per username, whoever sends them (in memory, hashed).
    pub login_names: Arc<crate::limit::Limiter>,
    /// Receipt derivations of the hotline (filing, returning): off the async workers, a
    /// few at once, apart from sign-ins so a sign-in flood never queues a reporter.
    pub receipt_gate: Arc<crate::limit::Gate>,
    /// Sign-in's in-memory guards: second-factor rate limit, unknown-username lockout.
    pub signin: Arc<crate::signin::Guards>,
}

impl std::ops::Deref for AppState {
    type Target = Ctx;

    fn deref(&self) -> &Ctx {
        &self.ctx
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db.backend_name())
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(
        db: Db,
        keys: Keyring,
        signer: SigningKey,
        clock: Arc<dyn Clock>,
        config: WebConfig,
    ) -> Self {
        Self::from_ctx(Ctx::new(db, keys, signer, clock, config))
    }

    /// The server's state around a context the caller already has.
    pub fn from_ctx(ctx: Ctx) -> Self {
        Self {
            ctx,
            metrics: Arc::new(Metrics::default()),
            feedback_limiter: Arc::new(crate::limit::Limiter::default()),
            speakup_limiter: Arc::new(crate::limit::speakup()),
            login_clients: Arc::new(crate::limit::Limiter::new(
                crate::limit::LOGIN_PER_CLIENT,
                crate::limit::LOGIN_PER_CLIENT,
            )),
            login_names: Arc::new(crate::limit::Limiter::new(
                crate::limit::LOGIN_PER_NAME,
                crate::limit::LOGIN_PER_NAME,
            )),
            receipt_gate: Arc::new(crate::limit::Gate::half_the_cores()),
            signin: Arc::new(crate::signin::Guards::default()),
        }
    }

    /// The rate-limit key of the request's client in `limiter` ([`crate::client`]).
    pub fn client_key(
        &self,
        limiter: &crate::limit::Limiter,
        peer: &crate::client::Peer,
        headers: &axum::http::HeaderMap,
    ) -> [u8; 16] {
        let peer = peer.as_ref().map(|p| p.0 .0);
        limiter.key_ip(crate::client::address(
            &self.config.trusted_proxies,
            peer,
            headers,
        ))
    }
}

pub use righttrack_app::ctx::dummy_password_hash;
