//! Envelope encryption at rest.
//!
//! Each sealed value gets its own random data key (DEK). The value is encrypted with the
//! DEK using XChaCha20-Poly1305 (192-bit random nonces, so random nonces never collide in
//! practice); the DEK is in turn wrapped by a key-encryption key (KEK) derived with
//! HKDF-SHA-256 from a *master key version* and a *purpose* (`"totp"`, later
//! `"speakup.case"`, ...). A purpose's KEK can only open values sealed for that purpose.
//!
//! Layout of a sealed value (all in one blob, so it fits any BLOB/BYTEA column):
//!
//! ```text
//! "RT1" | master key id (u32 BE) | wrap nonce (24) | wrapped DEK (32 + 16 tag) | nonce (24) | ciphertext + tag
//! ```
//!
//! Key rotation ([`Keyring::rewrap`]) re-wraps only the 48-byte DEK under the newest
//! master key; the payload ciphertext is untouched, so rotation is cheap and can run while
//! the server serves: old and new ids both open until the old key is retired.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::{CryptoRng, RngCore};
use std::collections::BTreeMap;
use std::fmt;

const MAGIC: &[u8; 3] = b"RT1";
const HEADER: usize = 3 + 4 + 24 + 48 + 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("sealed value is malformed or truncated")]
    Malformed,
    #[error("sealed value uses master key {0}, which this keyring does not hold")]
    UnknownKey(u32),
    #[error("sealed value failed authentication (wrong key, wrong purpose or tampered)")]
    Authentication,
    #[error("keyring file line {line}: {reason}")]
    KeyringFormat { line: usize, reason: &'static str },
    #[error("keyring holds no key")]
    EmptyKeyring,
}

/// The master keys, by id. The highest id seals new values; all open old ones.
#[derive(Clone)]
pub struct Keyring {
    keys: BTreeMap<u32, [u8; 32]>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Keyring(ids={:?}, keys=<redacted>)",
            self.keys.keys().collect::<Vec<_>>()
        )
    }
}

impl Keyring {
    pub fn generate(rng: &mut (impl RngCore + CryptoRng)) -> Self {
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        Self {
            keys: BTreeMap::from([(1, k)]),
        }
    }

    /// Adds a new master key version; it becomes current. Returns its id.
    pub fn add_version(&mut self, rng: &mut (impl RngCore + CryptoRng)) -> u32 {
        let id = self.current_id() + 1;
        let mut k = [0u8; 32];
        rng.fill_bytes(&mut k);
        self.keys.insert(id, k);
        id
    }

    pub fn current_id(&self) -> u32 {
        self.keys.keys().next_back().copied().unwrap_or(0)
    }

    pub fn ids(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    /// Parses the keyring file: one `ID BASE64KEY` per line, `#` comments allowed.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let mut keys = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason| CryptoError::KeyringFormat {
                line: i + 1,
                reason,
            };
            let (id, key) = line
                .split_once(' ')
                .ok_or_else(|| err("expected `ID BASE64KEY`"))?;
            let id: u32 = id.parse().map_err(|_| err("key id is not a number"))?;
            let bytes = data_encoding::BASE64
                .decode(key.trim().as_bytes())
                .map_err(|_| err("key is not valid base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| err("key is not 32 bytes long"))?;
            if keys.insert(id, key).is_some() {
                return Err(err("duplicate key id"));
            }
        }
        if keys.is_empty() {
            return Err(CryptoError::EmptyKeyring);
        }
        Ok(Self { keys })
    }

    pub fn to_file_text(&self) -> String {
        let mut s = String::from("# RightTrack master keys. Keep this file secret (mode 0600) and backed up apart from the database.\n");
        for (id, k) in &self.keys {
            s.push_str(&format!("{id} {}\n", data_encoding::BASE64.encode(k)));
        }
        s
    }

    fn kek(&self, id: u32, purpose: &str) -> Result<XChaCha20Poly1305, CryptoError> {
        let master = self.keys.get(&id).ok_or(CryptoError::UnknownKey(id))?;
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"righttrack-kek-v1"), master);
        let mut okm = [0u8; 32];
        hk.expand(purpose.as_bytes(), &mut okm)
            .map_err(|_| CryptoError::Malformed)?;
        Ok(XChaCha20Poly1305::new(&okm.into()))
    }

    /// Derives a 32-byte key for a non-encryption purpose (e.g. keyed hashes).
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        let master = self
            .keys
            .get(&self.current_id())
            .copied()
            .unwrap_or([0u8; 32]);
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"righttrack-derive-v1"), &master);
        let mut okm = [0u8; 32];
        // 32 bytes is always a valid HKDF-SHA-256 output length.
        let _ = hk.expand(purpose.as_bytes(), &mut okm);
        okm
    }

    pub fn seal(
        &self,
        purpose: &str,
        plaintext: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Vec<u8>, CryptoError> {
        let id = self.current_id();
        let kek = self.kek(id, purpose)?;
        let mut dek = [0u8; 32];
        let mut wnonce = [0u8; 24];
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut dek);
        rng.fill_bytes(&mut wnonce);
        rng.fill_bytes(&mut nonce);
        let aad = wrap_aad(purpose, id);
        let wrapped = kek
            .encrypt(
                XNonce::from_slice(&wnonce),
                Payload {
                    msg: &dek,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        let ct = XChaCha20Poly1305::new(&dek.into())
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        let mut out = Vec::with_capacity(HEADER + ct.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&wnonce);
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let p = Parsed::from(sealed)?;
        let dek = self.unwrap_dek(purpose, &p)?;
        XChaCha20Poly1305::new(&dek.into())
            .decrypt(
                XNonce::from_slice(p.nonce),
                Payload {
                    msg: p.ct,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Authentication)
    }

    /// The master key id a sealed value uses.
    pub fn key_id_of(sealed: &[u8]) -> Result<u32, CryptoError> {
        Parsed::from(sealed).map(|p| p.id)
    }

    /// Re-wraps a sealed value's data key under the current master key. The payload
    /// ciphertext is copied unchanged.
    pub fn rewrap(
        &self,
        purpose: &str,
        sealed: &[u8],
        rng: &mut (impl RngCore + CryptoRng),
    ) -> Result<Vec<u8>, CryptoError> {
        let p = Parsed::from(sealed)?;
        let dek = self.unwrap_dek(purpose, &p)?;
        let id = self.current_id();
        let mut wnonce = [0u8; 24];
        rng.fill_bytes(&mut wnonce);
        let wrapped = self
            .kek(id, purpose)?
            .encrypt(
                XNonce::from_slice(&wnonce),
                Payload {
                    msg: &dek,
                    aad: &wrap_aad(purpose, id),
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        let mut out = Vec::with_capacity(sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&wnonce);
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(p.nonce);
        out.extend_from_slice(p.ct);
        Ok(out)
    }

    fn unwrap_dek(&self, purpose: &str, p: &Parsed<'_>) -> Result<[u8; 32], CryptoError> {
        let dek = self
            .kek(p.id, purpose)?
            .decrypt(
                XNonce::from_slice(p.wnonce),
                Payload {
                    msg: p.wrapped,
                    aad: &wrap_aad(purpose, p.id),
                },
            )
            .map_err(|_| CryptoError::Authentication)?;
        dek.try_into().map_err(|_| CryptoError::Malformed)
    }
}

fn wrap_aad(purpose: &str, id: u32) -> Vec<u8> {
    let mut aad = purpose.as_bytes().to_vec();
    aad.extend_from_slice(&id.to_be_bytes());
    aad
}

struct Parsed<'a> {
    id: u32,
    wnonce: &'a [u8],
    wrapped: &'a [u8],
    nonce: &'a [u8],
    ct: &'a [u8],
}

impl<'a> Parsed<'a> {
    fn from(b: &'a [u8]) -> Result<Self, CryptoError> {
        if b.len() < HEADER + 16 || &b[..3] != MAGIC {
            return Err(CryptoError::Malformed);
        }
        let id = u32::from_be_bytes([b[3], b[4], b[5], b[6]]);
        Ok(Self {
            id,
            wnonce: &b[7..31],
            wrapped: &b[31..79],
            nonce: &b[79..103],
            ct: &b[103..],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::OsRng;

    proptest! {
        #[test]
        fn seal_open_round_trips(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let k = Keyring::generate(&mut OsRng);
            let sealed = k.seal("totp", &data, &mut OsRng).unwrap();
            prop_assert_eq!(k.open("totp", &sealed).unwrap(), data);
        }

        #[test]
        fn any_flipped_bit_is_rejected(data in proptest::collection::vec(any::<u8>(), 1..64), at in 0usize..10_000) {
            let k = Keyring::generate(&mut OsRng);
            let mut sealed = k.seal("totp", &data, &mut OsRng).unwrap();
            let i = at % sealed.len();
            sealed[i] ^= 0x01;
            prop_assert!(k.open("totp", &sealed).is_err());
        }
    }

    #[test]
    fn purposes_are_separated() {
        let k = Keyring::generate(&mut OsRng);
        let sealed = k.seal("totp", b"secret", &mut OsRng).unwrap();
        assert_eq!(
            k.open("speakup.case", &sealed),
            Err(CryptoError::Authentication)
        );
    }

    #[test]
    fn rotation_rewraps_and_old_values_still_open() {
        let mut k = Keyring::generate(&mut OsRng);
        let old = k.seal("totp", b"JBSWY3DPEHPK3PXP", &mut OsRng).unwrap();
        let new_id = k.add_version(&mut OsRng);
        assert_eq!(new_id, 2);
        assert_eq!(k.open("totp", &old).unwrap(), b"JBSWY3DPEHPK3PXP");
        let rewrapped = k.rewrap("totp", &old, &mut OsRng).unwrap();
        assert_eq!(Keyring::key_id_of(&rewrapped).unwrap(), 2);
        assert_eq!(&rewrapped[79..], &old[79..], "payload must be untouched");
        assert_eq!(k.open("totp", &rewrapped).unwrap(), b"JBSWY3DPEHPK3PXP");
        // Round-trip through the file format.
        let again = Keyring::parse(&k.to_file_text()).unwrap();
        assert_eq!(again.open("totp", &rewrapped).unwrap(), b"JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn keyring_file_errors_name_the_line() {
        assert_eq!(
            Keyring::parse("# c\n1 AAAA\n").unwrap_err(),
            CryptoError::KeyringFormat {
                line: 2,
                reason: "key is not 32 bytes long"
            }
        );
        assert_eq!(Keyring::parse("\n").unwrap_err(), CryptoError::EmptyKeyring);
        let printed = format!("{:?}", Keyring::generate(&mut OsRng));
        assert!(printed.contains("redacted"));
    }
}
