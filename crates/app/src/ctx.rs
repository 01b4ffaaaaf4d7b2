//! The context every use case runs in: the store, the keys, the clock and the
//! installation's settings.
//!
//! [`Ctx`] holds what a use case needs and nothing of HTTP: the web shell's state wraps
//! one (and adds rate limiters and metrics), the command line builds one to run imports,
//! sweeps and reminders without a server. Cloning is cheap (everything is shared).

use crate::gate::{Gate, GateError};
use ed25519_dalek::SigningKey;
use righttrack_core::audit::NewEntry;
use righttrack_core::clock::Clock;
use righttrack_core::crypto::{CryptoError, Keyring};
use righttrack_store::Db;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock, RwLock};

/// The installation's settings, read once at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `https://...` when served behind TLS: cookies get `Secure`, responses get HSTS.
    pub public_url: Option<String>,
    /// The keyring file, re-read when a value sealed under an unknown key id appears
    /// (after `righttrack keys rotate` ran beside a live server).
    pub keyring_path: Option<PathBuf>,
    pub session_hours: i64,
    pub lockout_after: i64,
    pub lockout_minutes: i64,
    /// A session without a request for this long ends (the idle timeout).
    pub session_idle_minutes: i64,
    /// Wrong second-factor codes that lock the second factor, counted apart from wrong
    /// passwords; and for how long it stays locked (an administrator can unlock sooner).
    pub totp_lockout_after: i64,
    pub totp_lockout_minutes: i64,
    /// The privacy vault: when set, ingestion also keeps the original interaction,
    /// sealed, for this long. Off (`None`) by default.
    pub vault_retention: Option<jiff::SignedDuration>,
    /// How long a customer feedback link stays open, in days.
    pub feedback_link_days: i64,
    /// Reverse proxies whose `X-Forwarded-For` names the client for rate limits
    /// (the web shell's client address). Empty: the header is never read.
    pub trusted_proxies: Vec<righttrack_core::net::Cidr>,
    /// The bearer token `GET /metrics` requires. `None`: metrics are off (404).
    pub metrics_token: Option<righttrack_core::Secret<String>>,
    /// Where signed audit heads are appended (every checkpoint), for an auditor to keep
    /// outside the database: `righttrack audit verify --heads FILE` checks against it.
    pub audit_heads_path: Option<PathBuf>,
    /// The SMTP server mail goes through. `None`: no mail is queued or sent (in-app
    /// notices only), as in `--demo`.
    pub mail: Option<crate::jobs::mail::MailConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: None,
            keyring_path: None,
            session_hours: 8,
            lockout_after: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            totp_lockout_after: 5,
            totp_lockout_minutes: 60,
            vault_retention: None,
            feedback_link_days: righttrack_core::feedback::DEFAULT_LINK_DAYS,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            audit_heads_path: None,
            mail: None,
        }
    }
}

impl Config {
    pub fn tls(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

/// What every use case runs with. See the module documentation.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub keys: Arc<RwLock<Keyring>>,
    pub signer: Arc<SigningKey>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Password hashing and checking run here, off the async workers, a few at a time.
    pub password_gate: Arc<Gate>,
    /// The keyed-hash key for conflict-of-interest matching, derived once.
    pub conflict_key: Arc<OnceLock<righttrack_core::Secret<[u8; 32]>>>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("db", &self.db.backend_name())
            .finish_non_exhaustive()
    }
}

impl Ctx {
    pub fn new(
        db: Db,
        keys: Keyring,
        signer: SigningKey,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Self {
        Self {
            db,
            keys: Arc::new(RwLock::new(keys)),
            signer: Arc::new(signer),
            clock,
            config: Arc::new(config),
            password_gate: Arc::new(Gate::half_the_cores()),
            conflict_key: Arc::new(OnceLock::new()),
        }
    }

    /// The scanning engine with the default rule pack, compiled once per process.
    pub fn engine(&self) -> Result<Arc<righttrack_scan::Engine>, String> {
        static ENGINE: OnceLock<Result<Arc<righttrack_scan::Engine>, String>> = OnceLock::new();
        ENGINE
            .get_or_init(|| {
                righttrack_scan::Engine::default_engine()
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }

    /// Does `password` match the stored PHC hash? On the blocking pool behind the
    /// password gate; `None` is the dummy hash (same work for an unknown username).
    pub async fn verify_password(
        &self,
        password: &righttrack_core::Secret<String>,
        phc: Option<&righttrack_core::Secret<String>>,
    ) -> Result<bool, GateError> {
        let pw = password.clone();
        let phc = phc.map(|h| h.expose().clone());
        self.password_gate
            .run(move || match phc {
                Some(h) => righttrack_core::password::verify(&pw, &h),
                None => {
                    let _ = righttrack_core::password::verify(&pw, dummy_password_hash());
                    false
                }
            })
            .await
    }

    /// Hashes a new password on the blocking pool behind the password gate.
    pub async fn hash_password(
        &self,
        password: &righttrack_core::Secret<String>,
    ) -> crate::Result<String> {
        let pw = password.clone();
        self.password_gate
            .run(move || righttrack_core::password::hash(&pw, &mut rand::rngs::OsRng))
            .await
            .map_err(crate::Error::from)?
            .map_err(|e| crate::Error::internal(&e))
    }

    pub fn now(&self) -> jiff::Timestamp {
        self.clock.now()
    }

    /// Appends to the audit trail. Failures are logged, never shown to the client, and
    /// never silently dropped: the caller gets the error.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), righttrack_store::StoreError> {
        let entry = NewEntry {
            at_ms: self.now().as_millisecond(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            // serde_json's default map is ordered by key, so this encoding is canonical.
            detail: detail.to_string(),
        };
        let e = self.db.audit_append(entry, &self.signer).await?;
        if e.seq % righttrack_store::audit::CHECKPOINT_EVERY == 0 {
            self.export_head(e.seq, e.hash);
        }
        Ok(())
    }

    /// Appends the signed head `(seq, hash)` to the exported-heads file and the log. A
    /// failure to write the file is logged; the entry itself is already stored.
    pub fn export_head(&self, seq: i64, hash: righttrack_core::audit::Hash) {
        let cp = righttrack_core::audit::sign_checkpoint(&self.signer, seq, hash);
        let line = righttrack_core::audit::exported_line(&cp, &self.now().to_string());
        tracing::info!(
            seq,
            hash = %righttrack_core::audit::hex(&hash),
            "audit head signed"
        );
        if let Some(path) = &self.config.audit_heads_path {
            use std::io::Write;
            let r = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .and_then(|mut f| f.write_all(line.as_bytes()));
            if let Err(e) = r {
                tracing::error!(error = %e, file = %path.display(), "cannot export the audit head");
            }
        }
    }

    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let keys = self.keys.read().map_err(|_| CryptoError::EmptyKeyring)?;
        keys.seal(purpose, plaintext, &mut rand::rngs::OsRng)
    }

    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let first = {
            let keys = self.keys.read().map_err(|_| CryptoError::EmptyKeyring)?;
            keys.open(purpose, sealed)
        };
        match first {
            Err(CryptoError::UnknownKey(_)) => {
                self.reload_keys();
                let keys = self.keys.read().map_err(|_| CryptoError::EmptyKeyring)?;
                keys.open(purpose, sealed)
            }
            other => other,
        }
    }

    fn reload_keys(&self) {
        let Some(path) = &self.config.keyring_path else {
            return;
        };
        match std::fs::read_to_string(path)
            .map_err(|_| CryptoError::EmptyKeyring)
            .and_then(|t| Keyring::parse(&t))
        {
            Ok(k) => {
                if let Ok(mut w) = self.keys.write() {
                    *w = k;
                    tracing::info!("reloaded the keyring after a key rotation");
                }
            }
            Err(e) => tracing::error!(error = %e, "could not reload the keyring"),
        }
    }
}

/// An argon2id hash to verify against when the username is unknown, so that a wrong
/// username costs the same time as a wrong password (no user enumeration by timing).
pub fn dummy_password_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        righttrack_core::password::hash(
            &righttrack_core::Secret::new("dummy password for timing".into()),
            &mut rand::rngs::OsRng,
        )
        .unwrap_or_default()
    })
}
