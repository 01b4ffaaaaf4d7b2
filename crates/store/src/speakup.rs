//! Speak-up hotline storage (first slice): reader key pairs, the install salt, cases with
//! their sealed fields and key wraps, and the message thread.
//!
//! **Invariants:** nothing stored here is readable without a key the database does not
//! hold. Every text field of a case is sealed under the case's own key
//! ([`righttrack_core::casekeys::CaseKey`]) before it reaches this module; the case key
//! is stored only wrapped (per reader, and for the reporter under the receipt's key).
//! The receipt is never stored, only its lookup value. No column identifies a reporter's
//! device or network (no address, agent or referrer): `crates/web/tests/speakup.rs`
//! fails if any table gains one.

use crate::speakup_attachments::{self, SealedAttachment};
use crate::{from_ms, ms, on_pool, uid, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::casekeys::{
    lock_reader_secret, unlock_reader_secret, ReaderPublic, ReaderSecret,
};
use righttrack_core::ids::UserId;
use righttrack_core::{Role, Secret};

/// Roles whose holders get a reader key pair (entitled to be wrapped for cases).
pub const READER_ROLES: [Role; 4] = [
    Role::EthicsOfficer,
    Role::Investigator,
    Role::AuditCommittee,
    Role::IdentityCustodian,
];

/// Does any of `roles` make its holder a case reader?
pub fn is_reader(roles: &[Role]) -> bool {
    roles.iter().any(|r| READER_ROLES.contains(r))
}

/// A new case, every text field already sealed.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub id: String,
    pub category: String,
    pub anonymous: bool,
    pub receipt_lookup: [u8; 32],
    pub reporter_wrap: Vec<u8>,
    /// `(field, sealed)`: the field name is also the AAD it was sealed with.
    pub fields: Vec<(String, Vec<u8>)>,
    /// `(reader, wrapped case key)`.
    pub wraps: Vec<(UserId, Vec<u8>)>,
    /// `(custodian, wrapped identity key)`.
    pub identity_wraps: Vec<(UserId, Vec<u8>)>,
    /// The readers epoch the wraps were computed at.
    pub wraps_epoch: i64,
    pub submitted_at: Timestamp,
    pub ack_due_at: Timestamp,
    pub feedback_due_at: Timestamp,
    /// A code of `speakup_jurisdictions`: whose deadlines apply.
    pub jurisdiction: String,
    /// The reporter's language (`en`, `es`), for automatic messages.
    pub lang: String,
    /// Files sent with the report, stored in the same transaction.
    pub attachments: Vec<SealedAttachment>,
}

/// Legal deadlines of one jurisdiction (`speakup_jurisdictions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jurisdiction {
    pub code: String,
    pub name: String,
    /// Days to acknowledge a report.
    pub ack_days: i64,
    /// Calendar months to give the reporter feedback.
    pub feedback_months: i64,
    /// Days before a deadline that it counts as due soon.
    pub warn_days: i64,
}

/// A `speakup_jurisdictions` row: `(code, name, ack_days, feedback_months, warn_days)`.
pub(crate) type JurisdictionRow = (String, String, i64, i64, i64);

impl Jurisdiction {
    pub(crate) fn from_row(r: JurisdictionRow) -> Self {
        let (code, name, ack_days, feedback_months, warn_days) = r;
        Jurisdiction {
            code,
            name,
            ack_days,
            feedback_months,
            warn_days,
        }
    }

    /// `(acknowledge by, feedback by)` for a report submitted at `at`.
    pub fn deadlines(&self, at: Timestamp) -> Option<(Timestamp, Timestamp)> {
        let ack = at
            .checked_add(jiff::SignedDuration::from_hours(self.ack_days * 24))
            .ok()?;
        let feedback = at
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::Span::new().months(self.feedback_months))
            .ok()?
            .timestamp();
        Some((ack, feedback))
    }
}

/// A case as its reporter sees it (fields still sealed).
#[derive(Debug, Clone)]
pub struct StoredCase {
    pub id: String,
    pub category: String,
    pub anonymous: bool,
    pub status: String,
    pub reporter_wrap: Vec<u8>,
    pub retaliation_flag: bool,
    pub submitted_at: Timestamp,
    pub ack_due_at: Timestamp,
    pub feedback_due_at: Timestamp,
    pub fields: Vec<(String, Vec<u8>)>,
}

/// One message of a case's thread (body still sealed under `message:<id>`).
#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: String,
    /// `reporter` or `staff`.
    pub author: String,
    /// `message` or `retaliation`.
    pub kind: String,
    pub body_sealed: Vec<u8>,
    pub created_at: Timestamp,
}

/// `(reader_public, reader_secret_locked)`.
type KeyRow = (Option<Vec<u8>>, Option<Vec<u8>>);

type CaseRow = (String, String, bool, String, Vec<u8>, bool, i64, i64, i64);

/// Milliseconds at the start of `t`'s UTC day: what is kept of the time of anything a
/// reporter does after filing (messages, files, return visits).
pub fn day_floor(t: Timestamp) -> i64 {
    let m = ms(t);
    m - m.rem_euclid(86_400_000)
}

/// The stored reader public key of `user`: exactly 32 bytes, or the row is corrupt.
fn reader_public(bytes: Vec<u8>, user: UserId) -> Result<ReaderPublic> {
    let key: [u8; 32] = bytes.try_into().map_err(|_| {
        StoreError::Corrupt(format!("users.reader_public of {user} is not 32 bytes"))
    })?;
    Ok(ReaderPublic(key))
}

impl Db {
    /// The installation's receipt salt, created (16 random bytes) on first use.
    pub async fn speakup_install_salt(&self, rng: &mut impl rand::RngCore) -> Result<[u8; 16]> {
        let mut fresh = [0u8; 16];
        rng.fill_bytes(&mut fresh);
        let stored: Vec<u8> = on_pool!(self, |p| {
            sqlx::query(
                "INSERT INTO speakup_settings (id, install_salt) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(fresh.to_vec())
            .execute(p)
            .await?;
            sqlx::query_scalar("SELECT install_salt FROM speakup_settings WHERE id = 1")
                .fetch_one(p)
                .await?
        });
        stored.try_into().map_err(|_| {
            StoreError::Corrupt("speakup_settings.install_salt is not 16 bytes".into())
        })
    }

    /// The deadlines of the installation's default jurisdiction (settings row created if
    /// missing): `(code, ack_days, feedback_months)`.
    pub async fn default_jurisdiction(&self) -> Result<Jurisdiction> {
        let code: Option<String> = scalar!(
            self,
            fetch_optional,
            "SELECT default_jurisdiction FROM speakup_settings WHERE id = 1",
        );
        let code = code.unwrap_or_else(|| "eu".to_owned());
        self.jurisdiction(&code).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("default jurisdiction {code:?} is not defined"))
        })
    }

    /// One jurisdiction's deadlines.
    pub async fn jurisdiction(&self, code: &str) -> Result<Option<Jurisdiction>> {
        let row: Option<(String, String, i64, i64, i64)> = fetch!(
            self,
            fetch_optional,
            "SELECT code, name, ack_days, feedback_months, warn_days FROM speakup_jurisdictions WHERE code = $1",
            code,
        );
        Ok(row.map(Jurisdiction::from_row))
    }

    /// A user's reader public key and locked secret, if they have a key pair.
    pub async fn reader_keys(&self, id: UserId) -> Result<Option<(ReaderPublic, Vec<u8>)>> {
        let row: Option<KeyRow> = fetch!(
            self,
            fetch_optional,
            "SELECT reader_public, reader_secret_locked FROM users WHERE id = $1",
            id.to_string(),
        );
        match row {
            Some((Some(public), Some(locked))) => Ok(Some((reader_public(public, id)?, locked))),
            _ => Ok(None),
        }
    }

    async fn set_reader_keys(
        &self,
        id: UserId,
        public: &ReaderPublic,
        locked: &[u8],
    ) -> Result<()> {
        // A new key is unsigned until the server vouches for it (`certify_reader_key`).
        execute!(
            self,
            "UPDATE users SET reader_public = $1, reader_secret_locked = $2, reader_public_sig = NULL WHERE id = $3",
            public.0.to_vec(),
            locked.to_vec(),
            id.to_string(),
        );
        // A new key: cases this reader is entitled to can now be wrapped for them.
        self.bump_readers_epoch().await
    }

    /// The server's signature over a user's reader public key, if it has one.
    pub async fn reader_key_signature(&self, id: UserId) -> Result<Option<Vec<u8>>> {
        let sig: Option<Option<Vec<u8>>> = scalar!(
            self,
            fetch_optional,
            "SELECT reader_public_sig FROM users WHERE id = $1",
            id.to_string(),
        );
        Ok(sig.flatten())
    }

    /// Stores a reader public key with the server's signature over it. Called when the
    /// owner's password has just opened the matching secret, so the key is theirs; it
    /// replaces a public key that did not match the secret. Cases may now be wrapped for
    /// it: the readers epoch moves on.
    pub async fn certify_reader_key(
        &self,
        id: UserId,
        public: &ReaderPublic,
        signature: &[u8],
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET reader_public = $1, reader_public_sig = $2 WHERE id = $3",
            public.0.to_vec(),
            signature.to_vec(),
            id.to_string(),
        );
        self.bump_readers_epoch().await
    }

    /// Reader public keys that carry no server signature: (user, key).
    pub async fn unsigned_reader_keys(&self) -> Result<Vec<(UserId, ReaderPublic)>> {
        let rows: Vec<(String, Vec<u8>)> = fetch!(
            self,
            fetch_all,
            "SELECT id, reader_public FROM users WHERE reader_public IS NOT NULL AND reader_public_sig IS NULL ORDER BY id",
        );
        rows.into_iter()
            .map(|(id, k)| {
                let u = uid(&id, "users.id")?;
                Ok((u, reader_public(k, u)?))
            })
            .collect()
    }

    /// Stores the server's signature over a reader public key, if the key is still the
    /// one signed.
    pub async fn set_reader_key_signature(
        &self,
        id: UserId,
        public: &ReaderPublic,
        signature: &[u8],
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE users SET reader_public_sig = $1 WHERE id = $2 AND reader_public = $3",
            signature.to_vec(),
            id.to_string(),
            public.0.to_vec(),
        );
        Ok(())
    }

    /// Forgets a reader's key pair (its secret no longer opens with their password) and
    /// destroys the wraps made for it, which nobody can open any more.
    pub async fn clear_reader_keys(&self, id: UserId) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            execute!(
                &mut *tx,
                "UPDATE users SET reader_public = NULL, reader_secret_locked = NULL, reader_public_sig = NULL WHERE id = $1",
                id.to_string(),
            );
            for table in ["speakup_wraps", "speakup_identity_wraps"] {
                execute!(
                    &mut *tx,
                    &format!("DELETE FROM {table} WHERE user_id = $1"),
                    id.to_string(),
                );
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Gives a reader (ethics officer, investigator) a key pair if they have none yet,
    /// its secret locked under `password`. Called where the password is in hand: user
    /// creation and a successful password sign-in. Returns whether one was created.
    pub async fn ensure_reader_key(
        &self,
        id: UserId,
        roles: &[Role],
        password: &Secret<String>,
        rng: &mut (impl rand::RngCore + rand::CryptoRng),
    ) -> Result<bool> {
        if !is_reader(roles) || self.reader_keys(id).await?.is_some() {
            return Ok(false);
        }
        let secret = ReaderSecret::generate(rng);
        let locked = lock_reader_secret(&secret, password, rng)
            .map_err(|e| StoreError::Corrupt(format!("locking a reader key: {e}")))?;
        self.set_reader_keys(id, &secret.public(), &locked).await?;
        Ok(true)
    }

    /// After a password change: locks the reader secret under the new password. A secret
    /// that does not open with the old password (or none at all) is replaced by a new key
    /// pair if the user is a reader (cases wrapped for the old key stay unreadable to them).
    pub async fn relock_reader_key(
        &self,
        id: UserId,
        roles: &[Role],
        old: &Secret<String>,
        new: &Secret<String>,
        rng: &mut (impl rand::RngCore + rand::CryptoRng),
    ) -> Result<()> {
        let secret = match self.reader_keys(id).await? {
            Some((_, locked)) => unlock_reader_secret(&locked, old).ok(),
            None => None,
        };
        let secret = match secret {
            Some(s) => s,
            None if is_reader(roles) => ReaderSecret::generate(rng),
            None => return Ok(()),
        };
        let locked = lock_reader_secret(&secret, new, rng)
            .map_err(|e| StoreError::Corrupt(format!("locking a reader key: {e}")))?;
        self.set_reader_keys(id, &secret.public(), &locked).await
    }

    /// Stores a case, its sealed fields, attachments and wraps in one transaction. A case id or
    /// receipt lookup that already exists is a [`StoreError::Conflict`] (the caller draws
    /// new random values).
    pub async fn create_speakup_case(&self, c: &NewCase) -> Result<()> {
        let r: Result<()> = in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO speakup_cases (id, category, anonymous, status, receipt_lookup, reporter_wrap, retaliation_flag, submitted_at, jurisdiction, lang, wraps_epoch) VALUES ($1, $2, $3, 'received', $4, $5, $6, $7, $8, $9, $10)",
                &c.id,
                &c.category,
                c.anonymous,
                c.receipt_lookup.to_vec(),
                &c.reporter_wrap,
                false,
                ms(c.submitted_at),
                &c.jurisdiction,
                &c.lang,
                c.wraps_epoch,
            );
            // The acknowledgement is automatic: the receipt page is it.
            execute!(
                &mut *tx,
                "INSERT INTO speakup_clocks (case_id, kind, due_at, met_at) VALUES ($1, 'acknowledge', $2, $3), ($1, 'feedback', $4, NULL)",
                &c.id,
                ms(c.ack_due_at),
                ms(c.submitted_at),
                ms(c.feedback_due_at),
            );
            for (field, sealed) in &c.fields {
                execute!(
                    &mut *tx,
                    "INSERT INTO speakup_fields (case_id, field, sealed) VALUES ($1, $2, $3)",
                    &c.id,
                    field,
                    sealed,
                );
            }
            speakup_attachments::insert(&mut tx, &c.id, &c.attachments).await?;
            for (table, wraps) in [
                ("speakup_wraps", &c.wraps),
                ("speakup_identity_wraps", &c.identity_wraps),
            ] {
                for (user, wrapped) in wraps {
                    execute!(
                        &mut *tx,
                        &format!(
                            "INSERT INTO {table} (case_id, user_id, wrapped) VALUES ($1, $2, $3)"
                        ),
                        &c.id,
                        user.to_string(),
                        wrapped,
                    );
                }
            }
        });
        r.map_err(|e| e.naming(|| "speak-up case".to_owned()))
    }

    /// The case a receipt lookup value belongs to.
    pub async fn speakup_case_by_lookup(&self, lookup: &[u8; 32]) -> Result<Option<StoredCase>> {
        let row: Option<CaseRow> = fetch!(
            self,
            fetch_optional,
            "SELECT c.id, c.category, c.anonymous, c.status, c.reporter_wrap, c.retaliation_flag, c.submitted_at, a.due_at, f.due_at FROM speakup_cases c JOIN speakup_clocks a ON a.case_id = c.id AND a.kind = 'acknowledge' JOIN speakup_clocks f ON f.case_id = c.id AND f.kind = 'feedback' WHERE c.receipt_lookup = $1",
            lookup.to_vec(),
        );
        let Some(r) = row else { return Ok(None) };
        let fields: Vec<(String, Vec<u8>)> = fetch!(
            self,
            fetch_all,
            "SELECT field, sealed FROM speakup_fields WHERE case_id = $1 ORDER BY field",
            &r.0,
        );
        Ok(Some(StoredCase {
            id: r.0,
            category: r.1,
            anonymous: r.2,
            status: r.3,
            reporter_wrap: r.4,
            retaliation_flag: r.5,
            submitted_at: from_ms(r.6),
            ack_due_at: from_ms(r.7),
            feedback_due_at: from_ms(r.8),
            fields,
        }))
    }

    /// The readers a case key is wrapped for.
    pub async fn speakup_wrapped_for(&self, case: &str) -> Result<Vec<(UserId, Vec<u8>)>> {
        let rows: Vec<(String, Vec<u8>)> = fetch!(
            self,
            fetch_all,
            "SELECT user_id, wrapped FROM speakup_wraps WHERE case_id = $1 ORDER BY user_id",
            case,
        );
        rows.into_iter()
            .map(|(id, w)| Ok((uid(&id, "speakup_wraps.user_id")?, w)))
            .collect()
    }

    /// Appends a message; a `retaliation` message also raises the case's flag. A
    /// reporter's message is stored with its UTC day only (the thread keeps its order by
    /// `seq`): when exactly a reporter wrote could tell who they are.
    pub async fn add_speakup_message(&self, case: &str, message: &StoredMessage) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            // Two messages racing for the same `seq` fail one insert (UNIQUE), never
            // reorder the thread.
            execute!(
                &mut *tx,
                "INSERT INTO speakup_messages (id, case_id, seq, author, kind, body_sealed, created_at) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 FROM speakup_messages WHERE case_id = $2",
                &message.id,
                case,
                &message.author,
                &message.kind,
                &message.body_sealed,
                if message.author == "reporter" {
                day_floor(message.created_at)
            } else {
                ms(message.created_at)
            },
            );
            if message.kind == "retaliation" {
                execute!(
                    &mut *tx,
                    "UPDATE speakup_cases SET retaliation_flag = $1 WHERE id = $2",
                    true,
                    case,
                );
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// A case's thread, oldest first.
    pub async fn speakup_messages(&self, case: &str) -> Result<Vec<StoredMessage>> {
        let rows: Vec<(String, String, String, Vec<u8>, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, author, kind, body_sealed, created_at FROM speakup_messages WHERE case_id = $1 ORDER BY seq",
            case,
        );
        Ok(rows
            .into_iter()
            .map(|(id, author, kind, body_sealed, at)| StoredMessage {
                id,
                author,
                kind,
                body_sealed,
                created_at: from_ms(at),
            })
            .collect())
    }
}
