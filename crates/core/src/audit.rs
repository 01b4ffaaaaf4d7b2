//! The tamper-evident audit trail: how entries are chained and how a chain is checked.
//!
//! Each entry's hash is SHA-256 over a domain tag, the previous entry's hash and a
//! canonical, length-prefixed encoding of the entry (sequence number, time, actor,
//! action, target, detail). Changing, deleting, inserting or reordering an entry breaks
//! the chain at that entry. Periodic *checkpoints* sign `(seq, hash)` with an Ed25519 key
//! kept outside the database, so an attacker who can write the database but not read
//! the key cannot re-chain a forged history either.
//!
//! Storage lives in `righttrack-store`; this module decides only what is hashed and what
//! "intact" means, so both backends verify identically.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// The hash that precedes the first entry.
pub const GENESIS: Hash = [0u8; 32];

/// What is recorded. `detail` is a JSON object serialized with sorted keys; it never
/// holds secrets, customer data or hotline content (ids and outcomes only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: i64,
    pub entry: NewEntry,
    pub prev_hash: Hash,
    pub hash: Hash,
}

fn put(h: &mut Sha256, field: &[u8]) {
    h.update((field.len() as u64).to_be_bytes());
    h.update(field);
}

/// The hash of entry `seq` following `prev`.
pub fn entry_hash(prev: &Hash, seq: i64, e: &NewEntry) -> Hash {
    let mut h = Sha256::new();
    h.update(b"righttrack-audit-v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(e.at_ms.to_be_bytes());
    put(&mut h, e.actor.as_bytes());
    put(&mut h, e.action.as_bytes());
    put(&mut h, e.target.as_bytes());
    put(&mut h, e.detail.as_bytes());
    h.finalize().into()
}

/// Chains a new entry after `prev` (the entry with `seq - 1`, or [`GENESIS`]).
pub fn chain(prev: &Hash, seq: i64, entry: NewEntry) -> Entry {
    let hash = entry_hash(prev, seq, &entry);
    Entry {
        seq,
        entry,
        prev_hash: *prev,
        hash,
    }
}

/// A signed statement that the chain's entry `seq` had hash `hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: Hash,
    pub signature: [u8; 64],
}

fn checkpoint_message(seq: i64, hash: &Hash) -> Vec<u8> {
    let mut m = b"righttrack-audit-checkpoint-v1".to_vec();
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m
}

pub fn sign_checkpoint(key: &SigningKey, seq: i64, hash: Hash) -> Checkpoint {
    let signature = key.sign(&checkpoint_message(seq, &hash)).to_bytes();
    Checkpoint {
        seq,
        hash,
        signature,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("audit entry {seq}: expected sequence number {expected} (an entry was deleted, inserted or reordered)")]
    Sequence { seq: i64, expected: i64 },
    #[error("audit entry {seq}: previous-hash link does not match entry {prev} (an entry was deleted, inserted or reordered)")]
    Link { seq: i64, prev: i64 },
    #[error("audit entry {seq}: content does not match its hash (the entry was modified)")]
    Content { seq: i64 },
    #[error("audit entry {seq}: signed checkpoint does not match (history was rewritten)")]
    Checkpoint { seq: i64 },
    #[error("audit checkpoint at entry {seq}: signature is invalid")]
    Signature { seq: i64 },
    #[error("audit trail ends at entry {last} but its head records entry {head} (entries were deleted from the end)")]
    Truncated { last: i64, head: i64 },
    #[error("audit entry {seq}: its signed checkpoint is missing (checkpoints were deleted; history may have been rewritten)")]
    MissingCheckpoint { seq: i64 },
    #[error("audit head at entry {seq} is not signed by this installation's key (the trail was rewritten outside RightTrack)")]
    HeadUnsigned { seq: i64 },
    #[error("audit trail holds entries or checkpoints after its head (entry {head}) that the head does not record (they were added outside RightTrack)")]
    BeyondHead { head: i64 },
    #[error("exported audit head, line {line}: {reason}")]
    Exported { line: usize, reason: String },
}

/// Checks entries in ascending `seq` order: [`ChainVerifier::push`] each entry, then compare
/// [`ChainVerifier::last_seq`] and [`ChainVerifier::last_hash`] with the stored head.
/// Streaming keeps memory constant however long the trail is.
pub struct ChainVerifier {
    expected_seq: i64,
    prev: Hash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    pub fn new() -> Self {
        Self {
            expected_seq: 1,
            prev: GENESIS,
        }
    }

    pub fn push(&mut self, e: &Entry) -> Result<(), Broken> {
        if e.seq != self.expected_seq {
            return Err(Broken::Sequence {
                seq: e.seq,
                expected: self.expected_seq,
            });
        }
        if e.prev_hash != self.prev {
            return Err(Broken::Link {
                seq: e.seq,
                prev: e.seq - 1,
            });
        }
        if entry_hash(&e.prev_hash, e.seq, &e.entry) != e.hash {
            return Err(Broken::Content { seq: e.seq });
        }
        self.prev = e.hash;
        self.expected_seq += 1;
        Ok(())
    }

    /// The last verified sequence number (0 when empty).
    pub fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    pub fn last_hash(&self) -> Hash {
        self.prev
    }
}

/// Checks a checkpoint's signature and that it agrees with the verified entry hash.
pub fn check_checkpoint(
    key: &VerifyingKey,
    cp: &Checkpoint,
    entry_hash_at_seq: Option<&Hash>,
) -> Result<(), Broken> {
    let sig = Signature::from_bytes(&cp.signature);
    key.verify(&checkpoint_message(cp.seq, &cp.hash), &sig)
        .map_err(|_| Broken::Signature { seq: cp.seq })?;
    match entry_hash_at_seq {
        Some(h) if *h == cp.hash => Ok(()),
        _ => Err(Broken::Checkpoint { seq: cp.seq }),
    }
}

pub fn hex(h: &Hash) -> String {
    data_encoding::HEXLOWER.encode(h)
}

/// The first word of every line of an exported-heads file.
pub const EXPORTED_TAG: &str = "righttrack-audit-head";

/// One line of the exported-heads file an auditor keeps outside the database:
/// `righttrack-audit-head <seq> <hash> <signature> <time>` (tab-separated, hex).
pub fn exported_line(cp: &Checkpoint, at: &str) -> String {
    format!(
        "{EXPORTED_TAG}\t{}\t{}\t{}\t{at}\n",
        cp.seq,
        hex(&cp.hash),
        data_encoding::HEXLOWER.encode(&cp.signature)
    )
}

/// Parses a line written by [`exported_line`]; the signature is checked by the caller
/// (with [`check_checkpoint`] against the entry it names).
pub fn parse_exported_line(line: &str) -> Result<Checkpoint, String> {
    let f: Vec<&str> = line.trim_end().split('\t').collect();
    if f.len() < 4 || f[0] != EXPORTED_TAG {
        return Err(format!(
            "not a line of the form `{EXPORTED_TAG} SEQ HASH SIGNATURE TIME`"
        ));
    }
    let seq: i64 = f[1]
        .parse()
        .map_err(|_| "the entry number is not a number".to_owned())?;
    let hash: Hash = data_encoding::HEXLOWER
        .decode(f[2].as_bytes())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| "the hash is not 64 hex digits".to_owned())?;
    let signature: [u8; 64] = data_encoding::HEXLOWER
        .decode(f[3].as_bytes())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| "the signature is not 128 hex digits".to_owned())?;
    Ok(Checkpoint {
        seq,
        hash,
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(i: i64) -> NewEntry {
        NewEntry {
            at_ms: 1_700_000_000_000 + i,
            actor: format!("user-{i}"),
            action: "login.success".into(),
            target: String::new(),
            detail: "{}".into(),
        }
    }

    fn build(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = chain(&prev, seq, entry(seq));
                prev = e.hash;
                e
            })
            .collect()
    }

    fn verify(entries: &[Entry]) -> Result<(), Broken> {
        let mut v = ChainVerifier::new();
        entries.iter().try_for_each(|e| v.push(e))
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let a = NewEntry {
            actor: "ab".into(),
            action: "c".into(),
            ..entry(1)
        };
        let b = NewEntry {
            actor: "a".into(),
            action: "bc".into(),
            ..entry(1)
        };
        assert_ne!(entry_hash(&GENESIS, 1, &a), entry_hash(&GENESIS, 1, &b));
    }

    proptest! {
        #[test]
        fn append_then_verify_round_trips(n in 0i64..40) {
            prop_assert!(verify(&build(n)).is_ok());
        }

        #[test]
        fn any_single_tampering_is_detected(n in 2i64..30, pick in 0usize..1000, how in 0u8..4) {
            let mut chain = build(n);
            let i = pick % chain.len();
            match how {
                0 => chain[i].entry.detail.push('x'),
                1 => { chain.remove(i); if i == chain.len() { return Ok(()); } }
                2 => { let dup = chain[i].clone(); chain.insert(i, dup); }
                _ => { let j = (i + 1) % chain.len(); chain.swap(i, j); }
            }
            prop_assert!(verify(&chain).is_err());
        }
    }

    #[test]
    fn checkpoints_reject_rewritten_history() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let chain = build(5);
        let cp = sign_checkpoint(&key, 5, chain[4].hash);
        assert!(check_checkpoint(&key.verifying_key(), &cp, Some(&chain[4].hash)).is_ok());
        // An attacker re-chains a forged history: internally consistent, but the checkpoint disagrees.
        let mut forged = GENESIS;
        let mut last = GENESIS;
        for seq in 1..=5 {
            let mut e = entry(seq);
            e.actor = "mallory".into();
            let c = chain_entry(&forged, seq, e);
            forged = c;
            last = c;
        }
        assert_eq!(
            check_checkpoint(&key.verifying_key(), &cp, Some(&last)),
            Err(Broken::Checkpoint { seq: 5 })
        );
        let mut bad = cp.clone();
        bad.signature[0] ^= 1;
        assert_eq!(
            check_checkpoint(&key.verifying_key(), &bad, Some(&chain[4].hash)),
            Err(Broken::Signature { seq: 5 })
        );
    }

    #[test]
    fn exported_heads_round_trip() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let cp = sign_checkpoint(&key, 64, [3u8; 32]);
        let line = exported_line(&cp, "2026-01-01T00:00:00Z");
        assert_eq!(parse_exported_line(&line), Ok(cp));
        assert!(parse_exported_line("64 abc").is_err());
    }

    fn chain_entry(prev: &Hash, seq: i64, e: NewEntry) -> Hash {
        chain(prev, seq, e).hash
    }
}
