//! Time-based one-time passwords (RFC 6238, HMAC-SHA-1, 30-second steps, 6 digits), the
//! algorithm every authenticator app implements.
//!
//! Verification accepts one step of clock drift either way and returns the matched step,
//! which the caller stores: a code is accepted at most once (no replay within its window).

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use rand::{CryptoRng, RngCore};

const STEP: i64 = 30;

/// A new 160-bit secret, base32 (what authenticator apps accept).
pub fn generate_secret(rng: &mut (impl RngCore + CryptoRng)) -> String {
    let mut s = [0u8; 20];
    rng.fill_bytes(&mut s);
    data_encoding::BASE32_NOPAD.encode(&s)
}

pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&step.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let off = usize::from(d[19] & 0x0f);
    let bin = (u32::from(d[off]) & 0x7f) << 24
        | u32::from(d[off + 1]) << 16
        | u32::from(d[off + 2]) << 8
        | u32::from(d[off + 3]);
    bin % 1_000_000
}

/// Checks `code` against the base32 `secret` at `now`. Returns the matched step if valid
/// and newer than `last_step`.
pub fn verify(secret_b32: &str, code: &str, now: Timestamp, last_step: Option<i64>) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let want: u32 = code.parse().ok()?;
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_b32.trim_end_matches('=').as_bytes())
        .ok()?;
    let now_step = now.as_second() / STEP;
    for step in [now_step - 1, now_step, now_step + 1] {
        if last_step.is_some_and(|l| step <= l) {
            continue;
        }
        let ok: bool = subtle::ConstantTimeEq::ct_eq(&code_at(&secret, step), &want).into();
        if ok {
            return Some(step);
        }
    }
    None
}

/// The `otpauth://` URI an authenticator app scans.
pub fn provisioning_uri(secret_b32: &str, account: &str, issuer: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        secret_b32,
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, truncated to 6 digits.
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(code_at(secret, t / 30), code, "t={t}");
        }
    }

    #[test]
    fn verify_accepts_drift_and_rejects_replay() {
        let b32 = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        let now = Timestamp::from_second(59).unwrap();
        assert_eq!(verify(&b32, "287082", now, None), Some(1));
        let later = Timestamp::from_second(75).unwrap();
        assert_eq!(
            verify(&b32, "287 082", later, None),
            Some(1),
            "one step of drift"
        );
        assert_eq!(verify(&b32, "287082", later, Some(1)), None, "replay");
        assert_eq!(verify(&b32, "000000", now, None), None);
        assert_eq!(verify(&b32, "28708", now, None), None);
        assert_eq!(verify(&b32, "abcdef", now, None), None);
    }
}
