//! Keys of the speak-up hotline: a content key per case, wrapped separately for every
//! person entitled to read that case, and the reporter's receipt.
//!
//! The server's master keyring (`crypto.rs`) is deliberately *not* used for case
//! content: whoever holds the data directory holds the master key, and an administrator
//! must not be able to read reports. Instead:
//!
//! - Each case has a random 256-bit [`CaseKey`]. Report text, messages, attachments and
//!   the identity envelope are sealed with it ([`CaseKey::seal`]), bound to the case and
//!   the field by the associated data.
//! - Each reader (ethics officer, investigator, custodian) has an X25519 key pair. The
//!   public half is stored in the clear; the secret half is stored only *locked* by a key
//!   derived from the reader's password with argon2id ([`lock_reader_secret`]), so a
//!   copy of the database opens nothing.
//! - A case key is wrapped for one reader at a time ([`wrap_for_reader`]): ephemeral
//!   X25519, HKDF-SHA-256 bound to both public keys and the case id, XChaCha20-Poly1305.
//!   Who may read a case is exactly who holds a wrap; conflict-of-interest exclusion is
//!   the absence of a wrap, not a filter alone. Deleting a case's wraps destroys it.
//! - The reporter's receipt ([`Receipt`]) is 28 random digits (93 bits). argon2id over it
//!   (with a per-installation salt) gives 32 bytes from which two keys are expanded: a
//!   *lookup* value stored to find the case, and a *wrap* key under which the case key is
//!   also wrapped for the reporter. The stored lookup value does not yield the wrap key.
//!
//! Pure: randomness comes in as a parameter; nothing here touches storage.

use crate::secret::Secret;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{CryptoRng, RngCore};
use std::fmt;
use x25519_dalek::{PublicKey, StaticSecret};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CaseKeyError {
    #[error("sealed value is malformed or truncated")]
    Malformed,
    /// Wrong key, wrong case or field, or tampered: deliberately one error.
    #[error("sealed value failed authentication")]
    Authentication,
    #[error("key derivation failed")]
    Derivation,
}

const NONCE: usize = 24;
const TAG: usize = 16;
const VERSION: u8 = 1;

fn seal_raw(
    key: &[u8; 32],
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, CaseKeyError> {
    let mut nonce = [0u8; NONCE];
    rng.fill_bytes(&mut nonce);
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| CaseKeyError::Authentication)?;
    let mut out = Vec::with_capacity(1 + NONCE + ct.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_raw(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CaseKeyError> {
    if sealed.len() < 1 + NONCE + TAG || sealed[0] != VERSION {
        return Err(CaseKeyError::Malformed);
    }
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(&sealed[1..1 + NONCE]),
            Payload {
                msg: &sealed[1 + NONCE..],
                aad,
            },
        )
        .map_err(|_| CaseKeyError::Authentication)
}

fn hkdf(ikm: &[u8], info: &[&[u8]]) -> [u8; 32] {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"righttrack-speakup-v1"), ikm);
    let mut okm = [0u8; 32];
    // 32 bytes is always a valid HKDF-SHA-256 output length.
    let _ = hk.expand_multi_info(info, &mut okm);
    okm
}

/// What a sealed value is bound to: the case and the field ("report", "message:<id>",
/// "identity", ...). Moving a ciphertext to another case or field fails to open.
fn aad(case_id: &str, field: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(case_id.len() + field.len() + 1);
    a.extend_from_slice(case_id.as_bytes());
    a.push(0);
    a.extend_from_slice(field.as_bytes());
    a
}

/// The content key of one case.
#[derive(Clone)]
pub struct CaseKey(Secret<[u8; 32]>);

impl fmt::Debug for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CaseKey(<redacted>)")
    }
}

impl CaseKey {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        CaseKey(Secret::new(k))
    }

    /// Seals one field of one case.
    pub fn seal(
        &self,
        case_id: &str,
        field: &str,
        plaintext: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Vec<u8>, CaseKeyError> {
        seal_raw(self.0.expose(), &aad(case_id, field), plaintext, rng)
    }

    pub fn open(&self, case_id: &str, field: &str, sealed: &[u8]) -> Result<Vec<u8>, CaseKeyError> {
        open_raw(self.0.expose(), &aad(case_id, field), sealed)
    }

    /// Seals another key under this one (a field of the case like any other).
    pub fn seal_key(
        &self,
        case_id: &str,
        field: &str,
        inner: &CaseKey,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Vec<u8>, CaseKeyError> {
        self.seal(case_id, field, inner.0.expose(), rng)
    }

    /// Opens a key sealed with [`CaseKey::seal_key`].
    pub fn open_key(
        &self,
        case_id: &str,
        field: &str,
        sealed: &[u8],
    ) -> Result<CaseKey, CaseKeyError> {
        let raw = self.open(case_id, field, sealed)?;
        let k: [u8; 32] = raw.try_into().map_err(|_| CaseKeyError::Malformed)?;
        Ok(CaseKey(Secret::new(k)))
    }
}

/// A reader's public key, stored in the clear.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ReaderPublic(pub [u8; 32]);

impl fmt::Debug for ReaderPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ReaderPublic({})",
            data_encoding::HEXLOWER.encode(&self.0[..4])
        )
    }
}

/// What the server signs to vouch for a reader's public key: the key bound to the user it
/// belongs to, so a signed key cannot be moved to another user.
fn reader_key_statement(user: &str, public: &ReaderPublic) -> Vec<u8> {
    let mut m = Vec::with_capacity(64 + user.len());
    m.extend_from_slice(b"righttrack reader public key v1\n");
    m.extend_from_slice(user.as_bytes());
    m.push(b'\n');
    m.extend_from_slice(&public.0);
    m
}

/// Signs `user`'s reader public key with the server's signing key (held outside the
/// database), so that a public key written into the database by anyone else is refused
/// before a case key is wrapped for it ([`reader_key_signed`]).
pub fn sign_reader_key(
    signer: &ed25519_dalek::SigningKey,
    user: &str,
    public: &ReaderPublic,
) -> Vec<u8> {
    use ed25519_dalek::Signer;
    signer
        .sign(&reader_key_statement(user, public))
        .to_bytes()
        .to_vec()
}

/// Does `signature` vouch for `public` as `user`'s reader key?
pub fn reader_key_signed(
    verifier: &ed25519_dalek::VerifyingKey,
    user: &str,
    public: &ReaderPublic,
    signature: &[u8],
) -> bool {
    use ed25519_dalek::Verifier;
    let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
        return false;
    };
    verifier
        .verify(&reader_key_statement(user, public), &sig)
        .is_ok()
}

/// A reader's secret key: in memory only while the reader is signed in.
pub struct ReaderSecret(StaticSecret);

impl fmt::Debug for ReaderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReaderSecret(<redacted>)")
    }
}

impl ReaderSecret {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        ReaderSecret(StaticSecret::random_from_rng(rng))
    }

    pub fn public(&self) -> ReaderPublic {
        ReaderPublic(PublicKey::from(&self.0).to_bytes())
    }
}

fn wrap_info<'a>(case_id: &'a str, eph: &'a [u8; 32], reader: &'a [u8; 32]) -> [&'a [u8]; 4] {
    [b"case-key-wrap", case_id.as_bytes(), eph, reader]
}

/// Wraps a case key for one reader: `version | ephemeral public (32) | nonce | ct`.
pub fn wrap_for_reader(
    reader: &ReaderPublic,
    case_id: &str,
    key: &CaseKey,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, CaseKeyError> {
    let eph = StaticSecret::random_from_rng(&mut *rng);
    let eph_pub = PublicKey::from(&eph).to_bytes();
    let shared = eph.diffie_hellman(&PublicKey::from(reader.0));
    if !shared.was_contributory() {
        return Err(CaseKeyError::Derivation);
    }
    let kek = hkdf(shared.as_bytes(), &wrap_info(case_id, &eph_pub, &reader.0));
    let inner = seal_raw(&kek, case_id.as_bytes(), key.0.expose(), rng)?;
    let mut out = Vec::with_capacity(32 + inner.len());
    out.extend_from_slice(&eph_pub);
    out.extend_from_slice(&inner);
    Ok(out)
}

pub fn unwrap_for_reader(
    secret: &ReaderSecret,
    case_id: &str,
    wrapped: &[u8],
) -> Result<CaseKey, CaseKeyError> {
    let eph_pub: [u8; 32] = wrapped
        .get(..32)
        .and_then(|b| b.try_into().ok())
        .ok_or(CaseKeyError::Malformed)?;
    let shared = secret.0.diffie_hellman(&PublicKey::from(eph_pub));
    if !shared.was_contributory() {
        return Err(CaseKeyError::Authentication);
    }
    let me = secret.public().0;
    let kek = hkdf(shared.as_bytes(), &wrap_info(case_id, &eph_pub, &me));
    let raw = open_raw(&kek, case_id.as_bytes(), &wrapped[32..])?;
    let k: [u8; 32] = raw.try_into().map_err(|_| CaseKeyError::Malformed)?;
    Ok(CaseKey(Secret::new(k)))
}

fn argon2_32(secret: &[u8], salt: &[u8]) -> Result<[u8; 32], CaseKeyError> {
    let mut out = [0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(secret, salt, &mut out)
        .map_err(|_| CaseKeyError::Derivation)?;
    Ok(out)
}

/// Locks a reader's secret key under their password: `salt (16) | sealed`.
pub fn lock_reader_secret(
    secret: &ReaderSecret,
    password: &Secret<String>,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, CaseKeyError> {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let kek = argon2_32(password.expose().as_bytes(), &salt)?;
    let sealed = seal_raw(&kek, b"reader-secret", &secret.0.to_bytes(), rng)?;
    let mut out = salt.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

pub fn unlock_reader_secret(
    locked: &[u8],
    password: &Secret<String>,
) -> Result<ReaderSecret, CaseKeyError> {
    let salt = locked.get(..16).ok_or(CaseKeyError::Malformed)?;
    let kek = argon2_32(password.expose().as_bytes(), salt)?;
    let raw = open_raw(&kek, b"reader-secret", &locked[16..])?;
    let k: [u8; 32] = raw.try_into().map_err(|_| CaseKeyError::Malformed)?;
    Ok(ReaderSecret(StaticSecret::from(k)))
}

/// Seals a reader's secret for the length of one session, under a key derived from the
/// session id (which only the browser's cookie holds; the database keeps its hash). A copy
/// of the database cannot open it; neither can anyone once the session is gone.
pub fn seal_for_session(
    secret: &ReaderSecret,
    session_id: &str,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<Vec<u8>, CaseKeyError> {
    let k = hkdf(session_id.as_bytes(), &[b"reader-session"]);
    seal_raw(&k, b"reader-session", &secret.0.to_bytes(), rng)
}

pub fn open_for_session(sealed: &[u8], session_id: &str) -> Result<ReaderSecret, CaseKeyError> {
    let k = hkdf(session_id.as_bytes(), &[b"reader-session"]);
    let raw = open_raw(&k, b"reader-session", sealed)?;
    let k: [u8; 32] = raw.try_into().map_err(|_| CaseKeyError::Malformed)?;
    Ok(ReaderSecret(StaticSecret::from(k)))
}

/// The context a case's *identity* key is wrapped under: distinct from the case key's, so
/// a wrap of one can never be presented as the other.
pub fn identity_context(case_id: &str) -> String {
    format!("{case_id}#identity")
}

/// Digits in a receipt: 28 decimal digits carry 93 bits.
pub const RECEIPT_DIGITS: usize = 28;

/// A reporter's receipt, shown once and never stored.
pub struct Receipt(Secret<String>);

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(<redacted>)")
    }
}

impl Receipt {
    /// Uniform random digits (rejection sampling: no modulo bias).
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut s = String::with_capacity(RECEIPT_DIGITS);
        while s.len() < RECEIPT_DIGITS {
            let b = (rng.next_u32() & 0xff) as u8;
            if b < 250 {
                s.push(char::from(b'0' + b % 10));
            }
        }
        Receipt(Secret::new(s))
    }

    /// What a reporter typed: spaces and dashes ignored. `None` unless it is exactly
    /// [`RECEIPT_DIGITS`] digits.
    pub fn parse(typed: &str) -> Option<Self> {
        let s: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (s.len() == RECEIPT_DIGITS && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Receipt(Secret::new(s)))
    }

    /// Grouped by four for reading aloud and writing down.
    pub fn display(&self) -> String {
        self.0
            .expose()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The stored lookup value and the reporter's wrap key. One argon2id run (the slow
    /// part, the same cost for a right or a wrong receipt), then two HKDF expansions.
    pub fn derive(
        &self,
        install_salt: &[u8; 16],
    ) -> Result<(ReceiptLookup, ReceiptKey), CaseKeyError> {
        let master = argon2_32(self.0.expose().as_bytes(), install_salt)?;
        Ok((
            ReceiptLookup(hkdf(&master, &[b"receipt-lookup"])),
            ReceiptKey(Secret::new(hkdf(&master, &[b"receipt-wrap"]))),
        ))
    }
}

/// Stored with the case to find it by receipt.
#[derive(Clone, PartialEq, Eq)]
pub struct ReceiptLookup(pub [u8; 32]);

impl fmt::Debug for ReceiptLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptLookup(..)")
    }
}

/// Wraps the case key for the reporter; never stored.
pub struct ReceiptKey(Secret<[u8; 32]>);

impl fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReceiptKey(<redacted>)")
    }
}

impl ReceiptKey {
    pub fn wrap(
        &self,
        case_id: &str,
        key: &CaseKey,
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Vec<u8>, CaseKeyError> {
        seal_raw(self.0.expose(), case_id.as_bytes(), key.0.expose(), rng)
    }

    pub fn unwrap(&self, case_id: &str, wrapped: &[u8]) -> Result<CaseKey, CaseKeyError> {
        let raw = open_raw(self.0.expose(), case_id.as_bytes(), wrapped)?;
        let k: [u8; 32] = raw.try_into().map_err(|_| CaseKeyError::Malformed)?;
        Ok(CaseKey(Secret::new(k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::OsRng;

    #[test]
    fn a_session_sealed_secret_opens_only_with_its_session_id() {
        let secret = ReaderSecret::generate(&mut OsRng);
        let sealed = seal_for_session(&secret, "SESSION-A", &mut OsRng).unwrap();
        let back = open_for_session(&sealed, "SESSION-A").unwrap();
        assert_eq!(back.public(), secret.public());
        assert_eq!(
            open_for_session(&sealed, "SESSION-B").unwrap_err(),
            CaseKeyError::Authentication
        );
        // The secret's bytes are not in the sealed value.
        let raw = secret.0.to_bytes();
        assert!(!sealed.windows(32).any(|w| w == raw));
    }

    #[test]
    fn an_identity_wrap_is_not_a_case_wrap() {
        let reader = ReaderSecret::generate(&mut OsRng);
        let identity_key = CaseKey::generate(&mut OsRng);
        let wrap = wrap_for_reader(
            &reader.public(),
            &identity_context("case-1"),
            &identity_key,
            &mut OsRng,
        )
        .unwrap();
        assert!(unwrap_for_reader(&reader, "case-1", &wrap).is_err());
        assert!(unwrap_for_reader(&reader, &identity_context("case-1"), &wrap).is_ok());
    }

    #[test]
    fn a_reader_with_a_wrap_reads_the_case_and_nobody_else_does() {
        let case_key = CaseKey::generate(&mut OsRng);
        let report = case_key
            .seal(
                "case-1",
                "report",
                b"my manager falsifies refunds",
                &mut OsRng,
            )
            .unwrap();
        let officer = ReaderSecret::generate(&mut OsRng);
        let excluded = ReaderSecret::generate(&mut OsRng);
        let wrap = wrap_for_reader(&officer.public(), "case-1", &case_key, &mut OsRng).unwrap();

        let k = unwrap_for_reader(&officer, "case-1", &wrap).unwrap();
        assert_eq!(
            k.open("case-1", "report", &report).unwrap(),
            b"my manager falsifies refunds"
        );
        // Someone else's secret, another case id, or a flipped byte: nothing opens.
        assert_eq!(
            unwrap_for_reader(&excluded, "case-1", &wrap).unwrap_err(),
            CaseKeyError::Authentication
        );
        assert!(unwrap_for_reader(&officer, "case-2", &wrap).is_err());
        let mut bad = wrap.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(unwrap_for_reader(&officer, "case-1", &bad).is_err());
        assert_eq!(
            unwrap_for_reader(&officer, "case-1", &wrap[..10]).unwrap_err(),
            CaseKeyError::Malformed
        );
        // A field cannot be moved to another field or case.
        assert!(k.open("case-1", "identity", &report).is_err());
        assert!(k.open("case-2", "report", &report).is_err());
    }

    #[test]
    fn a_reader_secret_opens_only_with_the_password() {
        let s = ReaderSecret::generate(&mut OsRng);
        let pw = Secret::new("correct horse battery staple".to_owned());
        let locked = lock_reader_secret(&s, &pw, &mut OsRng).unwrap();
        let back = unlock_reader_secret(&locked, &pw).unwrap();
        assert_eq!(back.public(), s.public());
        assert!(unlock_reader_secret(&locked, &Secret::new("wrong".into())).is_err());
        assert!(unlock_reader_secret(&locked[..8], &pw).is_err());
    }

    #[test]
    fn receipts_are_long_uniform_and_only_the_receipt_opens_the_reporters_wrap() {
        let r = Receipt::generate(&mut OsRng);
        let shown = r.display();
        assert_eq!(shown.len(), RECEIPT_DIGITS + RECEIPT_DIGITS / 4 - 1);
        let typed = Receipt::parse(&format!("  {}  ", shown.replace(' ', "-"))).unwrap();
        let salt = [7u8; 16];
        let (lookup, key) = r.derive(&salt).unwrap();
        let (lookup2, key2) = typed.derive(&salt).unwrap();
        assert_eq!(lookup, lookup2);
        let ck = CaseKey::generate(&mut OsRng);
        let wrap = key.wrap("case-9", &ck, &mut OsRng).unwrap();
        let sealed = ck
            .seal("case-9", "message:1", b"thank you", &mut OsRng)
            .unwrap();
        assert_eq!(
            key2.unwrap("case-9", &wrap)
                .unwrap()
                .open("case-9", "message:1", &sealed)
                .unwrap(),
            b"thank you"
        );
        // The lookup value stored in the database is not the wrap key.
        assert_ne!(lookup.0, *key.0.expose());
        let other = Receipt::generate(&mut OsRng);
        let (lookup3, key3) = other.derive(&salt).unwrap();
        assert_ne!(lookup, lookup3);
        assert!(key3.unwrap("case-9", &wrap).is_err());
        // Another installation's salt gives other values for the same receipt.
        assert_ne!(r.derive(&[8u8; 16]).unwrap().0, lookup);
        for bad in [
            "",
            "1234",
            "12345678901234567890123456789",
            "123456789012345678901234567a",
        ] {
            assert!(Receipt::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(format!("{r:?}"), "Receipt(<redacted>)");
    }

    #[test]
    fn receipt_digits_are_spread_evenly() {
        let mut counts = [0u32; 10];
        for _ in 0..400 {
            for b in Receipt::generate(&mut OsRng).0.expose().bytes() {
                counts[usize::from(b - b'0')] += 1;
            }
        }
        // 11,200 digits: each digit expected 1,120 times; a 6-sigma band (σ ≈ 31.7).
        for (d, c) in counts.iter().enumerate() {
            assert!((930..=1310).contains(c), "digit {d} seen {c} times");
        }
    }

    #[test]
    fn a_reader_key_signature_binds_key_and_user() {
        let signer = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let vk = signer.verifying_key();
        let k = ReaderSecret::generate(&mut OsRng).public();
        let other = ReaderSecret::generate(&mut OsRng).public();
        let sig = sign_reader_key(&signer, "u1", &k);
        assert!(reader_key_signed(&vk, "u1", &k, &sig));
        assert!(!reader_key_signed(&vk, "u2", &k, &sig));
        assert!(!reader_key_signed(&vk, "u1", &other, &sig));
        assert!(!reader_key_signed(&vk, "u1", &k, &sig[..10]));
        let stranger = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        assert!(!reader_key_signed(
            &vk,
            "u1",
            &k,
            &sign_reader_key(&stranger, "u1", &k)
        ));
    }
}
