//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes),
//! PHC strings in the database.

use crate::secret::Secret;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::{CryptoRng, RngCore};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

pub const MIN_LENGTH: usize = 12;

/// Why a new password is not acceptable, in words for the user.
pub fn check_policy(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < MIN_LENGTH {
        return Err("Passwords must be at least 12 characters long.");
    }
    if password.len() > 1024 {
        return Err("Passwords may be at most 1024 bytes long.");
    }
    Ok(())
}

pub fn hash(
    password: &Secret<String>,
    rng: &mut (impl RngCore + CryptoRng),
) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|_| HashError)?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| HashError)
}

pub fn verify(password: &Secret<String>, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let pw = Secret::new("correct horse battery".to_string());
        let h = hash(&pw, &mut rand::rngs::OsRng).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(&pw, &h));
        assert!(!verify(&Secret::new("wrong".into()), &h));
        assert!(!verify(&pw, "not a hash"));
        assert!(check_policy("short").is_err());
        assert!(check_policy("long enough password").is_ok());
    }
}
