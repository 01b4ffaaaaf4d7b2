//! Fuzz target: arbitrary bytes as turn text, and arbitrary bytes as JSON.
//!
//! Invariants: the engine never panics; every span lies within its turn and
//! on char boundaries; redaction in every mode never panics and its output
//! scans to no card number.
#![no_main]

use libfuzzer_sys::fuzz_target;
use righttrack_scan::{redact, testing, Engine, HashKey, Interaction, RedactMode, Speaker};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::default_engine().unwrap())
}

fn check(inter: &Interaction) {
    let e = engine();
    let f = e.scan(inter);
    for s in &f.spans {
        let t = &inter.turns[s.turn].text;
        assert!(s.start < s.end && s.end <= t.len(), "span out of range");
        assert!(
            t.is_char_boundary(s.start) && t.is_char_boundary(s.end),
            "span not on char boundary"
        );
    }
    for m in [
        RedactMode::Mask,
        RedactMode::Replace,
        RedactMode::Hash(HashKey::new(b"fuzz-key-0123456789".to_vec())),
    ] {
        let r = redact(inter, &f, &m);
        let f2 = e.scan(&r);
        assert!(
            !f2.spans
                .iter()
                .any(|s| s.kind == "pii.card_number" && s.rule == "pci.pan"),
            "card number survives redaction"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(inter) = serde_json::from_slice::<Interaction>(data) {
        check(&inter);
    }
    let s = String::from_utf8_lossy(data);
    // Split into turns on '|' alternating speakers so cross-turn logic is exercised.
    let mut script = String::new();
    for (i, part) in s.split('|').enumerate() {
        let who = if i % 2 == 0 { "customer: " } else { "agent: " };
        script.push_str(who);
        script.push_str(&part.replace('\n', " "));
        script.push('\n');
    }
    let inter = testing::script("fuzz", &script, Speaker::Customer);
    check(&inter);
});
