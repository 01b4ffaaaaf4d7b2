//! User-level tests of the scanning engine: one helper (`spans`) turns a short
//! script into `kind: text` strings, so tests read like the conversation they
//! check and survive refactoring. Wording is deliberately different from the
//! dev corpus (and includes cases in the style of Presidio's own tests).

#![allow(
    clippy::expect_used,
    reason = "test helpers outside #[test] fns: a failure is a test failure"
)]

use proptest::prelude::*;
use righttrack_scan::testing::{default_engine as engine, script, span_texts};
use righttrack_scan::{redact, Engine, HashKey, Interaction, RedactMode, RulePack, Speaker};

fn inter(src: &str) -> Interaction {
    script("t", src, Speaker::Customer)
}

/// `kind: text` of every span.
fn spans(src: &str) -> Vec<String> {
    span_texts(engine(), &inter(src))
}

fn kinds(src: &str) -> Vec<String> {
    engine()
        .scan(&inter(src))
        .events
        .iter()
        .map(|e| e.kind.clone())
        .collect()
}

#[test]
fn card_numbers_written_and_spoken() {
    let cases: &[(&str, &[&str])] = &[
        ("customer: my visa is 4012 8888 8888 1881 thanks", &["card_number: 4012 8888 8888 1881"]),
        ("customer: use 5555-5555-5555-4444 please", &["card_number: 5555-5555-5555-4444"]),
        ("customer: amex 3714 496353 98431", &["card_number: 3714 496353 98431"]),
        ("customer: it is 2223.0031.2200.3222", &["card_number: 2223.0031.2200.3222"]),
        (
            "agent: what's the card number\ncustomer: four oh one two double eight triple eight eight eight eight one eight eight one",
            &["card_number: four oh one two double eight triple eight eight eight eight one eight eight one"],
        ),
        // Luhn-invalid and "ending in" are not card numbers.
        ("customer: my card is 4111 1111 1111 1112", &[]),
        ("agent: I charged the card ending in 4242 today", &[]),
        ("customer: my order number is 4111111111111111", &[]),
    ];
    for (src, want) in cases {
        assert_eq!(spans(src), *want, "{src}");
    }
}

#[test]
fn card_split_across_turns_every_fragment_redacted() {
    let src = "agent: read me the long number on the front\ncustomer: five five five five\nagent: yes\ncustomer: 5555 5555\nagent: mhm\ncustomer: four four four four";
    let got = spans(src);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|s| s.starts_with("card_number")), "{got:?}");
}

#[test]
fn cvv_expiry_pin_need_their_prompt() {
    assert_eq!(
        spans("agent: and the three digits on the back?\ncustomer: seven three one"),
        vec!["card_cvv: seven three one"]
    );
    assert_eq!(
        spans("agent: when does it expire?\ncustomer: oh nine twenty seven"),
        vec!["card_expiry: oh nine twenty seven"]
    );
    assert_eq!(
        spans("agent: what is your PIN\ncustomer: 4821"),
        vec!["card_pin: 4821"]
    );
    assert_eq!(
        spans("customer: we were 731 people at the show"),
        Vec::<String>::new()
    );
}

#[test]
fn ssn_iban_bank() {
    assert_eq!(
        spans("customer: my SSN is 078-05-1121"),
        vec!["ssn: 078-05-1121"]
    );
    assert_eq!(
        spans("customer: the code 123456789 is on the box"),
        Vec::<String>::new()
    );
    assert_eq!(
        spans("customer: social security number nine one two three four five six seven eight"),
        Vec::<String>::new()
    );
    assert_eq!(
        spans("customer: IBAN GB82 WEST 1234 5698 7654 32"),
        vec!["iban: GB82 WEST 1234 5698 7654 32"]
    );
    assert_eq!(
        spans("customer: routing number 021000021"),
        vec!["bank_account: 021000021"]
    );
    assert_eq!(
        spans("agent: and the account number?\ncustomer: 00123456789"),
        vec!["bank_account: 00123456789"]
    );
}

#[test]
fn email_and_phone() {
    assert_eq!(
        spans("customer: write to anna.k+bills@example.org"),
        vec!["email: anna.k+bills@example.org"]
    );
    assert_eq!(
        spans("customer: it's m dot garcia at outlook dot com"),
        vec!["email: m dot garcia at outlook dot com"]
    );
    assert_eq!(
        spans("customer: ring me on +44 20 7946 0958"),
        vec!["phone: +44 20 7946 0958"]
    );
    assert_eq!(
        spans("customer: my cell is (312) 555-0187"),
        vec!["phone: (312) 555-0187"]
    );
    assert_eq!(
        spans("agent: best number to reach you?\ncustomer: three one two five five five oh one eight seven"),
        vec!["phone: three one two five five five oh one eight seven"]
    );
}

#[test]
fn birth_dates_only_in_birth_context() {
    assert_eq!(
        spans("customer: I was born on 3 March 1961"),
        vec!["date_of_birth: 3 March 1961"]
    );
    assert_eq!(
        spans("agent: can you confirm your DOB\ncustomer: the ninth of july nineteen seventy two"),
        vec!["date_of_birth: the ninth of july nineteen seventy two"]
    );
    assert_eq!(
        spans("customer: the parcel arrived on 3 March 2024"),
        Vec::<String>::new()
    );
}

#[test]
fn addresses() {
    assert_eq!(
        spans("customer: my address is 1600 Amphitheatre Parkway, Mountain View, CA 94043"),
        vec!["address: 1600 Amphitheatre Parkway, Mountain View, CA 94043"]
    );
    assert_eq!(
        spans("customer: please ship it to 10 Downing Street, London SW1A 2AA."),
        vec!["address: 10 Downing Street, London SW1A 2AA"]
    );
    assert_eq!(
        spans("customer: I moved to Berlin last year"),
        Vec::<String>::new()
    );
}

#[test]
fn names_but_not_the_agents_own() {
    assert_eq!(spans("agent: you're speaking with Priya, how can I help?\ncustomer: Hi Priya, this is Tomasz Nowak."), vec!["person_name: Tomasz Nowak"]);
    assert_eq!(
        spans("agent: am i speaking with olga petrova\ncustomer: yes"),
        vec!["person_name: olga petrova"]
    );
    assert_eq!(
        spans("agent: Dear Mr. Okafor, thanks for writing."),
        vec!["person_name: Okafor"]
    );
    assert_eq!(
        spans("customer: my name is Chen Wei and I need help"),
        vec!["person_name: Chen Wei"]
    );
}

/// Cases in the style of Microsoft Presidio's recognizer tests (single chat turn).
#[test]
fn presidio_style_cases() {
    let cases: &[(&str, &[&str])] = &[
        ("customer: My credit card number is 4095-2609-9393-4932 and my wallet id is 16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ.", &["card_number: 4095-2609-9393-4932"]),
        ("customer: My phone number is (425) 882-9090", &["phone: (425) 882-9090"]),
        ("customer: Call me at +1-425-882-9090 tomorrow", &["phone: +1-425-882-9090"]),
        ("customer: my email is info@presidio.site", &["email: info@presidio.site"]),
        ("customer: IBAN: GB33BUKB20201555555555", &["iban: GB33BUKB20201555555555"]),
        ("customer: my account is IL150120690000003111111 at the bank", &["iban: IL150120690000003111111"]),
        ("customer: My SSN is 078-05-1120", &["ssn: 078-05-1120"]),
        ("customer: my bank account number is 945456787654", &["bank_account: 945456787654"]),
        ("customer: Kate's social security number is 078-05-1126.", &["ssn: 078-05-1126"]),
        ("customer: We'll meet on 12/03/1985 at the office", &[]),
        ("customer: card ending 4932, amount $1,250.00, order #4095260993934932", &[]),
        ("customer: send the docs to john.smith@contoso.co.uk or call 020 7946 0018", &["email: john.smith@contoso.co.uk", "phone: 020 7946 0018"]),
        ("customer: hey, my number's five five five, two three four, nine eight seven six", &["phone: five five five, two three four, nine eight seven six"]),
        ("customer: my credit card: 122000000000003", &["card_number: 122000000000003"]),
        ("customer: 36168002586009", &["card_number: 36168002586009"]),
        ("customer: 4916217501611291", &[]),
        ("customer: AL47 2121 1009 0000 0002 3569 8741", &["iban: AL47 2121 1009 0000 0002 3569 8741"]),
        ("customer: The US bank number is 945456787654", &["bank_account: 945456787654"]),
        ("customer: Jane Doe lives at 221B Baker Street, London NW1 6XE", &["person_name: Jane Doe", "address: 221B Baker Street, London NW1 6XE"]),
        ("customer: Her birthday is 1995-04-23", &["date_of_birth: 1995-04-23"]),
    ];
    for (src, want) in cases {
        assert_eq!(spans(src), *want, "{src}");
    }
}

#[test]
fn conduct_and_disclosure_events() {
    assert_eq!(kinds("agent: thanks for calling, this call is recorded\nagent: look, I can promise you the loan goes through"), vec!["conduct.guarantee"]);
    assert!(kinds("agent: this call is recorded\nagent: I can't guarantee approval").is_empty());
    assert_eq!(
        kinds("agent: calls are recorded\nagent: you must decide now or the price goes up"),
        vec!["conduct.pressure"]
    );
    assert_eq!(
        kinds("agent: calls are recorded\nagent: are you stupid or something"),
        vec!["conduct.abusive"]
    );
    assert_eq!(
        kinds("agent: hello\ncustomer: hi\nagent: how can I help"),
        vec!["disclosure.recording_missing"]
    );
    assert!(kinds("[chat]\nagent: hello\ncustomer: hi").is_empty());
    assert_eq!(
        kinds("agent: this call may be recorded\ncustomer: hi\nagent: your balance is $2,140"),
        vec!["disclosure.verification_missing"]
    );
}

#[test]
fn a_hostile_customer_is_context_not_a_finding_about_the_agent() {
    let calm = engine().scan(&inter(
        "[chat]\nagent: hello, how can I help\ncustomer: my parcel is late\nagent: it is on its way",
    ));
    let hostile = engine().scan(&inter(
        "[chat]\nagent: hello, how can I help\ncustomer: you idiot, I told you three times\nagent: it is on its way",
    ));
    assert!(calm.context.is_empty());
    assert_eq!(hostile.context.len(), 1);
    assert_eq!(hostile.context[0].kind, "context.hostile_customer");
    assert_eq!(hostile.context[0].turn, 1);
    // Nothing about the agent changes: no event, the same score.
    assert!(hostile.events.is_empty(), "{:?}", hostile.events);
    assert_eq!(hostile.score, calm.score);
    // The agent's own insult is conduct, not context.
    let rude = engine().scan(&inter("[chat]\nagent: you idiot, read the letter"));
    assert!(rude.context.is_empty());
    assert_eq!(rude.events[0].kind, "conduct.abusive");
    // The findings line carries `context` only when there is some.
    let line = serde_json::to_string(&calm).unwrap();
    assert!(!line.contains("\"context\""), "{line}");
    assert!(serde_json::to_string(&hostile)
        .unwrap()
        .contains("\"context\":[{"));
}

#[test]
fn commitments_resolve_in_the_time_zone() {
    let mut i = inter("agent: this call is recorded. I'll send you the form by end of day Friday.");
    i.started_at = "2026-11-18T15:00:00Z".parse().expect("ts");
    i.timezone = Some("America/Chicago".into());
    let f = engine().scan(&i);
    assert_eq!(f.commitments.len(), 1);
    assert_eq!(f.commitments[0].due, "2026-11-20T23:00:00Z");
    assert!(f.events.iter().any(|e| e.kind == "commitment"));
    // No deadline, no commitment; a business-day deadline skips the weekend.
    let mut i = inter("agent: calls are recorded. the refund will post within 2 business days");
    i.started_at = "2026-11-20T10:00:00Z".parse().expect("ts");
    assert_eq!(engine().scan(&i).commitments[0].due, "2026-11-24T17:00:00Z");
}

#[test]
fn scorecard_traces_points() {
    let f = engine().scan(&inter("agent: hi\ncustomer: hello\nagent: you idiot"));
    assert_eq!(f.score.value, 0, "abusive is critical");
    let item = f
        .scorecard
        .items
        .iter()
        .find(|i| i.item == "respect")
        .expect("item");
    assert!(item.failed && item.critical && item.evidence[0].rule == "respect.abusive");
    let f = engine().scan(&inter("[chat]\nagent: hi, how can I help?"));
    assert_eq!(f.score.value, 100);
    assert!(f
        .scorecard
        .items
        .iter()
        .any(|i| i.item == "recording_notice" && i.na));
}

#[test]
fn redaction_modes() {
    let i = inter("agent: card number?\ncustomer: 4111 1111 1111 1111, cvv is 123 and again 4111 1111 1111 1111");
    let f = engine().scan(&i);
    let masked = redact(&i, &f, &RedactMode::Mask);
    assert!(
        masked.turns[1].text.starts_with("4111 11** **** 1111"),
        "{}",
        masked.turns[1].text
    );
    let replaced = redact(&i, &f, &RedactMode::Replace);
    assert_eq!(
        replaced.turns[1].text,
        "<CARD_NUMBER_1>, cvv is <CARD_CVV> and again <CARD_NUMBER_1>"
    );
    let hashed = redact(
        &i,
        &f,
        &RedactMode::Hash(HashKey::new(b"0123456789abcdef".to_vec())),
    );
    assert!(hashed.turns[1].text.starts_with("<CARD_NUMBER:"));
    assert!(
        hashed.turns[1].text.contains("<CARD_CVV>"),
        "CVV is removed, never hashed"
    );
    assert_eq!(
        format!("{:?}", HashKey::new(b"secret".to_vec())),
        "HashKey(<redacted>)"
    );
}

#[test]
fn pack_errors_name_the_rule_and_field() {
    let bad = RulePack::default_pack().is_ok();
    assert!(bad);
    let err = RulePack::from_toml("name='x'\nversion='1'\n[[rule]]\nid='a'\nkind='conduct.guarantee'\nspeaker='boss'\nphrases=['x']\npositive=['x']\nnegative=['y']\n")
        .expect_err("bad speaker");
    assert!(
        err.to_string().contains("rule `a`: field `speaker`"),
        "{err}"
    );
    let err =
        RulePack::from_toml("name='x'\nversion='1'\n[[rule]]\nid='a'\nkind='k.x'\nphrasez=['x']\n")
            .expect_err("typo");
    assert!(err.to_string().contains("line"), "{err}");
}

#[test]
fn custom_pack_with_after_and_first_turns() {
    let src = r#"
name = "t"
version = "1"
[[rule]]
id = "offer.made"
kind = "helper.offer"
speaker = "agent"
emit = false
phrases = ["special offer"]
positive = ["we have a special offer"]
negative = ["hello"]

[[rule]]
id = "offer.no_terms"
kind = "disclosure.terms_missing"
speaker = "agent"
after = "offer.made"
phrases = ["sign you up", "sign|enroll you today"]
positive = ["agent: we have a special offer for you\nagent: shall I sign you up"]
negative = ["agent: shall I sign you up\nagent: we have a special offer"]
"#;
    let pack = RulePack::from_toml(src).expect("pack");
    let e = Engine::new(&pack).expect("engine");
    let res = righttrack_scan::testing::run_examples(&pack, &e);
    assert!(res.iter().all(|r| r.passed), "{res:#?}");
    let err = RulePack::from_toml(&src.replace("after = \"offer.made\"", "after = \"nope\""))
        .expect_err("dangling");
    assert!(err.to_string().contains("field `after`"), "{err}");
}

#[test]
fn default_pack_examples_all_pass() {
    let pack = RulePack::default_pack().expect("pack");
    let res = righttrack_scan::testing::run_examples(&pack, engine());
    let failed: Vec<_> = res
        .iter()
        .filter(|r| !r.passed)
        .map(|r| format!("{} {} {}", r.rule, r.positive, r.example))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Found by the fuzzer: " .06/27" glued the expiry to the card number, so the
/// card was missed until the expiry was redacted.
#[test]
fn regression_card_followed_by_spaced_dot_expiry() {
    assert_eq!(
        spans("customer: Sure, the card number is 4451065826188673 .06/27. I was charged ₹98"),
        vec!["card_number: 4451065826188673", "card_expiry: 06/27"]
    );
}

/// Found by the fuzzer: "1-00" followed by a spoken card number was read as one long
/// spoken date, so it passed unredacted; once the card was masked, "1-00" alone looked
/// like an expiry and the masked output still held customer data.
#[test]
fn regression_digits_date_before_a_spoken_card_number() {
    let src = "agent: what's the card number\ncustomer: 1-00 four one one one one one one one one one one one one one one one A";
    let i = inter(src);
    let f = engine().scan(&i);
    let masked = redact(&i, &f, &RedactMode::Mask);
    let again = engine().scan(&masked);
    assert!(
        again.spans.is_empty(),
        "{:?} left in {:?}",
        again.spans,
        masked.turns
    );
}

#[test]
fn engine_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
}

fn text_strategy() -> impl Strategy<Value = String> {
    let pii = prop::sample::select(vec![
        "4111 1111 1111 1111",
        "four one one one one one one one one one one one one one one one",
        "5500-0000-0000-0004",
        "078-05-1121",
        "jo.doe@example.com",
        "j dot doe at gmail dot com",
        "+44 20 7946 0958",
        "GB82 WEST 1234 5698 7654 32",
        "my name is Ana Lima",
        "born 4 May 1980",
        "12 Baker Street, London NW1 6XE",
    ]);
    let filler = "[a-zA-Z0-9 ,.€£$@\\-]{0,40}";
    (filler, pii, filler).prop_map(|(a, p, b)| format!("{a} {p} {b}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Offsets are always inside the text and on char boundaries, whatever the bytes.
    #[test]
    fn offsets_are_valid(texts in prop::collection::vec(any::<String>(), 1..5)) {
        let src: String = texts.iter().enumerate().map(|(k, t)| format!("{}: {}\n", if k % 2 == 0 { "customer" } else { "agent" }, t.replace(['\n', '\r'], " "))).collect();
        let i = inter(&src);
        let f = engine().scan(&i);
        for s in &f.spans {
            let t = &i.turns[s.turn].text;
            prop_assert!(s.start < s.end && s.end <= t.len());
            prop_assert!(t.is_char_boundary(s.start) && t.is_char_boundary(s.end));
        }
    }

    /// Scanning redacted output finds no PII, in every mode.
    #[test]
    fn redacted_output_has_no_pii(a in text_strategy(), b in text_strategy()) {
        let i = inter(&format!("agent: what's the card number\ncustomer: {a}\nagent: ok\ncustomer: {b}"));
        let f = engine().scan(&i);
        for mode in [RedactMode::Mask, RedactMode::Replace, RedactMode::Hash(HashKey::new(b"k-0123456789abcdef".to_vec()))] {
            let r = redact(&i, &f, &mode);
            let again = engine().scan(&r);
            let sensitive: Vec<_> = again.spans.iter().filter(|s| s.kind != "pii.person_name" || matches!(mode, RedactMode::Mask)).collect();
            prop_assert!(sensitive.is_empty(), "{:?} left {:?} in {:?}", mode, sensitive, r.turns);
        }
    }
}

/// Architecture invariant: `righttrack-scan` does no I/O, reads no clock and no
/// environment (checked on the source, so a new call site fails CI).
#[test]
fn scan_crate_does_no_io() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("src dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(!files.is_empty());
    let banned = [
        "std::fs",
        "std::env",
        "std::net",
        "SystemTime::now",
        "Instant::now",
        "Timestamp::now",
        "Zoned::now",
        "tokio",
        "std::process",
    ];
    for f in files {
        let src = std::fs::read_to_string(&f).expect("read");
        for b in banned {
            assert!(!src.contains(b), "{} uses {b}", f.display());
        }
    }
}

/// A currency sign glued to the last group of a digit run makes that group an amount;
/// the card number written before it is still a card number, and an amount alone is
/// never one.
#[test]
fn a_card_number_before_an_amount_is_still_a_card_number() {
    let found = spans("customer: charge 4111 1111 1111 1111 -20€ please");
    assert!(
        found
            .iter()
            .any(|s| s == "card_number: 4111 1111 1111 1111"),
        "{found:?}"
    );
    let found = spans("customer: card 5500000000000004 15€");
    assert!(
        found.iter().any(|s| s == "card_number: 5500000000000004"),
        "{found:?}"
    );
    for amount in [
        "it cost 1 250 000 €",
        "a refund of 4 111 111,11 €",
        "€ 1 234 567 890 123",
    ] {
        let found = spans(&format!("customer: {amount}"));
        assert!(
            !found.iter().any(|s| s.starts_with("card_number")),
            "{amount}: {found:?}"
        );
    }
}

/// Found by `redacted_output_has_no_pii`: a card number, then a dash and more digits in
/// the same turn (or an amount in pounds run into a spoken card number), and a second
/// card in the next customer turn. Whatever was found must be gone from the redacted
/// text in every mode.
#[test]
fn a_card_next_to_an_amount_leaves_nothing_behind() {
    for first in [
        " 5500-0000-0000-0004 -00€",
        "£3 four one one one one one one one one one one one one one one one 0,",
    ] {
        redaction_leaves_nothing(first, " 4111 1111 1111 1111 ");
    }
}

fn redaction_leaves_nothing(a: &str, b: &str) {
    let i = inter(&format!(
        "agent: what's the card number\ncustomer: {a}\nagent: ok\ncustomer: {b}"
    ));
    let f = engine().scan(&i);
    for mode in [
        RedactMode::Mask,
        RedactMode::Replace,
        RedactMode::Hash(HashKey::new(b"k-0123456789abcdef".to_vec())),
    ] {
        let r = redact(&i, &f, &mode);
        let again = engine().scan(&r);
        assert!(
            again.spans.is_empty(),
            "{mode:?} left {:?} in {:?}",
            again.spans,
            r.turns
        );
    }
}

/// Found by `redacted_output_has_no_pii`: digits glued to a card number in what reads as
/// an amount ("$. 5500-0000-0000-0004 00") were left in place, so once the card number
/// was replaced they stood alone after the request and read as a card number fragment.
/// They are payment data from the start; a plain amount after a request still is not.
#[test]
fn digits_glued_to_a_card_number_inside_an_amount_are_redacted_with_it() {
    let text = "agent: what's the card number\ncustomer: $. 5500-0000-0000-0004 00,A";
    let found = spans(text);
    assert!(
        found
            .iter()
            .any(|s| s.starts_with("card_number: 5500-0000-0000-0004")),
        "{found:?}"
    );
    let i = inter(text);
    let f = engine().scan(&i);
    let r = redact(&i, &f, &RedactMode::Replace);
    assert!(engine().scan(&r).spans.is_empty(), "{:?}", r.turns);
    let found = spans("agent: what's the card number\ncustomer: it was $ 25 last time");
    assert!(found.is_empty(), "{found:?}");
}
