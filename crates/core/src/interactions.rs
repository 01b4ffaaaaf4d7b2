//! Turning an incoming interaction into what may be stored: redacted text and findings
//! whose free text is scrubbed too.
//!
//! **Architecture Invariant:** nothing unredacted reaches storage. The transcript is
//! redacted with numbered placeholders (`<CARD_NUMBER_1>`), and every string inside the
//! findings (evidence, commitment sentences, scorecard evidence) is passed through the
//! same engine again and masked, because a rule's evidence can quote a sentence that
//! also holds an address or a card number. Span offsets refer to the original text; the
//! stored text shows placeholders where they were.
//!
//! Pure: the caller supplies the compiled engine and does the I/O.

use righttrack_scan::{redact, Engine, Findings, Interaction, RedactMode};
use serde_json::Value;

/// Everything ingestion stores for one interaction.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub ext_id: String,
    pub channel: &'static str,
    pub agent_ref: String,
    pub team_ref: Option<String>,
    pub started_at: jiff::Timestamp,
    /// The redacted interaction, as JSON (unknown input fields kept).
    pub redacted_json: String,
    /// The findings, free text scrubbed, as JSON.
    pub findings_json: String,
    pub score: i64,
    pub score_max: i64,
    /// Needs a human look: a conduct or disclosure event, or a failed critical item.
    pub flagged: bool,
    /// How urgent the look is: see [`severity`].
    pub severity: i64,
    pub pii_spans: i64,
    /// `,rule.a,rule.b,`: the rules of the events that fired (for filtering).
    pub rules: String,
    pub commitments: Vec<PreparedCommitment>,
    /// The original as received, sealed for the privacy vault; `None` unless the
    /// vault is enabled. Never plaintext.
    pub vault: Option<VaultCopy>,
    /// The keyed hash of the interaction's `customer_ref` (`conflicts::ref_hash`), for
    /// matching disclosed relations; `None` without a reference. Never the reference.
    pub customer_ref_hash: Option<[u8; 32]>,
    /// Started in unsocial hours (`fairness::is_unsocial`).
    pub unsocial: bool,
    /// The keyed hash of the interaction as received ([`content_hash`]): a re-sent
    /// interaction with the same id is a duplicate when it matches, a conflict when not.
    /// `None` only where no key is at hand (tests, benchmarks).
    pub content_hash: Option<[u8; 32]>,
}

/// A sealed original for the privacy vault.
#[derive(Clone)]
pub struct VaultCopy {
    /// Keyring envelope under [`VAULT_PURPOSE`].
    pub sealed: Vec<u8>,
    /// When retention ends and the copy is deleted.
    pub expires_at: jiff::Timestamp,
}

impl std::fmt::Debug for VaultCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultCopy({} sealed bytes)", self.sealed.len())
    }
}

/// The key-derivation purpose of privacy-vault ciphertexts.
pub const VAULT_PURPOSE: &str = "vault";

#[derive(Debug, Clone)]
pub struct PreparedCommitment {
    pub turn: i64,
    pub text: String,
    pub due_at: Option<jiff::Timestamp>,
}

/// Masks whatever personal data the engine finds in a free-text string.
pub fn scrub(engine: &Engine, text: &str) -> String {
    scrub_kinds(engine, text, |_| true)
}

/// The span kinds that are payment data: card number, security code, expiry and PIN,
/// IBAN and bank account numbers.
pub const PAYMENT_KINDS: [&str; 6] = [
    "pii.card_number",
    "pii.card_cvv",
    "pii.card_expiry",
    "pii.card_pin",
    "pii.iban",
    "pii.bank_account",
];

/// Masks only the payment data the engine finds in a free-text string; names, contact
/// details and everything else are kept as typed. For texts whose people and places are
/// the point (a hotline report), where a card number never is.
pub fn scrub_payment(engine: &Engine, text: &str) -> String {
    scrub_kinds(engine, text, |k| PAYMENT_KINDS.contains(&k))
}

fn scrub_kinds(engine: &Engine, text: &str, keep: impl Fn(&str) -> bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    // Built through serde so new optional fields of the contract need no change here.
    let Ok(probe) = serde_json::from_value::<Interaction>(serde_json::json!({
        "id": "", "channel": "chat", "agent_id": "", "started_at": "1970-01-01T00:00:00Z",
        "turns": [{"speaker": "customer", "text": text}]
    })) else {
        return String::new();
    };
    let mut f = engine.scan(&probe);
    f.spans.retain(|s| keep(&s.kind));
    if f.spans.is_empty() {
        return text.to_owned();
    }
    redact(&probe, &f, &RedactMode::Mask)
        .turns
        .into_iter()
        .next()
        .map(|t| t.text)
        .unwrap_or_default()
}

/// Masks personal data in every string inside `v` (keys are kept): the fields of an
/// interaction that the contract does not know are customer data like any other.
fn scrub_all(engine: &Engine, v: &mut Value) {
    match v {
        Value::String(s) => {
            let clean = scrub(engine, s);
            if clean != *s {
                *s = clean;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_all(engine, x)),
        Value::Object(o) => o.values_mut().for_each(|x| scrub_all(engine, x)),
        _ => {}
    }
}

fn scrub_value(engine: &Engine, v: &mut Value, key: Option<&str>) {
    match v {
        Value::String(s) if !matches!(key, Some("id" | "kind" | "rule" | "due" | "item")) => {
            let clean = scrub(engine, s);
            if clean != *s {
                *s = clean;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| scrub_value(engine, x, key)),
        Value::Object(o) => o
            .iter_mut()
            .for_each(|(k, x)| scrub_value(engine, x, Some(k.as_str()))),
        _ => {}
    }
}

/// Review-queue severity: 3 a critical scorecard item failed, 2 a conduct event
/// (guarantee, pressure, abuse), 1 a disclosure event, 0 nothing flagged.
pub fn severity(f: &Findings) -> i64 {
    if f.scorecard.critical_failed {
        3
    } else if f.events.iter().any(|e| e.kind.starts_with("conduct.")) {
        2
    } else if f.events.iter().any(|e| e.kind.starts_with("disclosure.")) {
        1
    } else {
        0
    }
}

/// The names of [`severity`] levels, lowest first.
pub const SEVERITIES: [&str; 4] = ["none", "medium", "high", "critical"];

fn flagged(f: &Findings) -> bool {
    f.events.iter().any(|e| e.kind != "commitment") || f.scorecard.critical_failed
}

/// Scans, redacts and scrubs one interaction.
pub fn prepare(engine: &Engine, inter: &Interaction) -> Result<Prepared, serde_json::Error> {
    let findings = engine.scan(inter);
    let mut redacted = redact(inter, &findings, &RedactMode::Replace);
    // Nothing unredacted at rest: the customer reference is kept only as its keyed hash
    // (set by the caller), and every string of a field the contract does not know, at
    // the top or in a turn, is scanned and masked like the findings' free text.
    redacted.customer_ref = None;
    if let Some(q) = redacted.queue.as_mut() {
        *q = scrub(engine, q);
    }
    for v in redacted.extra.values_mut() {
        scrub_all(engine, v);
    }
    for t in &mut redacted.turns {
        for v in t.extra.values_mut() {
            scrub_all(engine, v);
        }
    }
    let mut fv = serde_json::to_value(&findings)?;
    scrub_value(engine, &mut fv, None);
    let commitments = findings
        .commitments
        .iter()
        .map(|c| PreparedCommitment {
            turn: c.turn as i64,
            text: scrub(engine, &c.text),
            due_at: c.due.parse().ok(),
        })
        .collect();
    Ok(Prepared {
        ext_id: inter.id.clone(),
        channel: inter.channel.as_str(),
        agent_ref: inter.agent_id.clone(),
        team_ref: inter.team.clone(),
        started_at: inter.started_at,
        redacted_json: serde_json::to_string(&redacted)?,
        findings_json: serde_json::to_string(&fv)?,
        score: i64::from(findings.score.value),
        score_max: i64::from(findings.score.max),
        flagged: flagged(&findings),
        severity: severity(&findings),
        pii_spans: findings.spans.len() as i64,
        rules: {
            // Context rules (a hostile customer) count too: fairness reads them.
            let mut r: Vec<&str> = findings
                .events
                .iter()
                .chain(&findings.context)
                .map(|e| e.rule.as_str())
                .collect();
            r.sort_unstable();
            r.dedup();
            format!(",{},", r.join(","))
        },
        commitments,
        vault: None,
        customer_ref_hash: None,
        unsocial: crate::fairness::is_unsocial(inter.started_at, inter.timezone.as_deref()),
        content_hash: None,
    })
}

/// The most bytes one interaction may take as received (one JSON text, one line).
pub const MAX_INTERACTION_BYTES: usize = 1024 * 1024;
/// The most turns one interaction may have.
pub const MAX_TURNS: usize = 5_000;
/// The most characters of an `id`, `agent_id` or `team`.
pub const MAX_ID_CHARS: usize = 128;

/// An identifier of the contract (`id`, `agent_id`): 1 to [`MAX_ID_CHARS`] characters of
/// letters, digits and `- _ . : @ #`, not starting with `.`, so that it can never be
/// read as a path (`../x`, `a/b`, `C:\x`) or hide in white space.
fn check_ident(field: &str, s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err(format!("field `{field}`: must not be empty"));
    }
    if s.chars().count() > MAX_ID_CHARS {
        return Err(format!(
            "field `{field}`: is longer than {MAX_ID_CHARS} characters"
        ));
    }
    if s.starts_with('.')
        || !s
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '@' | '#'))
    {
        return Err(format!(
            "field `{field}`: may hold only letters, digits and - _ . : @ # (not starting with .)"
        ));
    }
    Ok(())
}

/// The limits every ingested interaction must keep; the error names the field.
/// The size of the whole text ([`MAX_INTERACTION_BYTES`]) is checked before parsing.
pub fn check_limits(inter: &Interaction) -> Result<(), String> {
    check_ident("id", &inter.id)?;
    check_ident("agent_id", &inter.agent_id)?;
    if let Some(t) = &inter.team {
        if t.chars().count() > MAX_ID_CHARS || t.chars().any(char::is_control) {
            return Err(format!(
                "field `team`: must be at most {MAX_ID_CHARS} characters, without control characters"
            ));
        }
    }
    if inter.turns.len() > MAX_TURNS {
        return Err(format!("field `turns`: more than {MAX_TURNS} turns"));
    }
    Ok(())
}

/// The keyed hash of an interaction as received (HMAC-SHA-256 under the deployment's
/// reference key, domain-separated from customer references), over its canonical JSON
/// (fields in a fixed order). Keyed, because an unkeyed hash of a short transcript
/// would let a database reader confirm a guessed card number.
pub fn content_hash(key: &[u8; 32], inter: &Interaction) -> Result<[u8; 32], serde_json::Error> {
    use hmac::Mac;
    let canonical = serde_json::to_vec(inter)?;
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new(&block.into());
    mac.update(b"righttrack interaction content v1\n");
    mac.update(&canonical);
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::default_engine().unwrap()
    }

    #[test]
    fn stored_forms_hold_no_customer_data() {
        let e = engine();
        let inter: Interaction = serde_json::from_value(serde_json::json!({
            "id": "ext-1", "channel": "chat", "agent_id": "a-17", "started_at": "2026-11-20T14:03:00Z",
            "crm_case": "C-9",
            "turns": [
                {"speaker": "agent", "text": "Thanks for contacting us, how can I help?"},
                {"speaker": "customer", "text": "my card is 4111 1111 1111 1111 and my email is jane.doe@example.com"},
                {"speaker": "agent", "text": "I guarantee you will get a refund, I'll email jane.doe@example.com by tomorrow at 5pm"}
            ]
        }))
        .unwrap();
        let p = prepare(&e, &inter).unwrap();
        for stored in [&p.redacted_json, &p.findings_json] {
            assert!(
                !stored.contains("4111 1111 1111 1111") && !stored.contains("1111 1111"),
                "{stored}"
            );
            assert!(!stored.contains("jane.doe@example.com"), "{stored}");
        }
        assert!(
            p.redacted_json.contains("crm_case"),
            "unknown fields are kept"
        );
        assert!(p.pii_spans >= 3);
        assert!(p.flagged, "a guarantee flags the interaction");
        for c in &p.commitments {
            assert!(!c.text.contains("jane.doe"), "{}", c.text);
        }
    }

    #[test]
    fn scrub_leaves_clean_text_alone() {
        let e = engine();
        assert_eq!(scrub(&e, "I guarantee it"), "I guarantee it");
        assert_ne!(
            scrub(&e, "call me at 415-555-0134 please"),
            "call me at 415-555-0134 please"
        );
    }
}

/// The score of a scorecard after QA overrides (`item` → failed?), by the engine's rule:
/// 0 when a critical item fails, else earned / applicable × 100, rounded; 100 when no
/// item applies. Returns (score, critical failed).
pub fn rescore(
    items: &[righttrack_scan::ItemResult],
    overrides: &std::collections::BTreeMap<String, bool>,
) -> (i64, bool) {
    let (mut earned, mut avail, mut critical) = (0u64, 0u64, false);
    for it in items.iter().filter(|it| !it.na) {
        let failed = overrides.get(&it.item).copied().unwrap_or(it.failed);
        avail += u64::from(it.max);
        if !failed {
            earned += u64::from(it.max);
        }
        critical |= failed && it.critical;
    }
    let value = if critical {
        0
    } else {
        (earned * 100 + avail / 2).checked_div(avail).unwrap_or(100)
    };
    (value as i64, critical)
}

#[cfg(test)]
mod rescore_tests {
    use super::*;

    /// Without overrides, `rescore` must give exactly the engine's score: the two
    /// implement one rule and must not drift.
    #[test]
    fn matches_the_engine_without_overrides() {
        let e = Engine::default_engine().unwrap();
        let texts = [
            "I guarantee you will get your money back",
            "this call may be recorded. you must decide right now, today only",
            "your balance is 300 dollars",
            "thanks for calling, how can I help",
            "shut up, that's a stupid question",
        ];
        for (n, t) in texts.iter().enumerate() {
            for channel in ["voice", "chat"] {
                let inter: Interaction = serde_json::from_value(serde_json::json!({
                    "id": n.to_string(), "channel": channel, "agent_id": "a", "started_at": "2026-11-20T09:00:00Z",
                    "turns": [{"speaker": "agent", "text": t}, {"speaker": "customer", "text": "ok"}]
                }))
                .unwrap();
                let f = e.scan(&inter);
                let (v, crit) = rescore(&f.scorecard.items, &Default::default());
                assert_eq!(
                    (v, crit),
                    (i64::from(f.score.value), f.scorecard.critical_failed),
                    "{t} on {channel}"
                );
            }
        }
    }

    #[test]
    fn overriding_a_failed_critical_item_restores_the_score() {
        let item = |id: &str, failed: bool, critical: bool| righttrack_scan::ItemResult {
            item: id.into(),
            points: if failed { 0 } else { 10 },
            max: 10,
            na: false,
            failed,
            critical,
            evidence: vec![],
        };
        let items = vec![
            item("a", true, true),
            item("b", false, false),
            item("c", true, false),
        ];
        assert_eq!(rescore(&items, &Default::default()), (0, true));
        let o = std::collections::BTreeMap::from([("a".to_string(), false)]);
        assert_eq!(rescore(&items, &o), (67, false));
        let o2 =
            std::collections::BTreeMap::from([("a".to_string(), false), ("c".to_string(), false)]);
        assert_eq!(rescore(&items, &o2), (100, false));
    }
}
