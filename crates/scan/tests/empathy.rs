//! Empathy items as an agent and a QA analyst see them: a conversation goes in, the
//! scorecard's empathy items come out met, failed (with the turn and the reason) or
//! N/A. Wording is written for these tests from the definitions in docs/scan.md
//! "Empathy", not taken from the pack's examples or the held-out sets.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers outside #[test] fns: a failure is a test failure"
)]

use righttrack_scan::testing::{default_engine as engine, script};
use righttrack_scan::{ItemResult, PackError, RulePack, Speaker};

/// The scorecard item `item` of the conversation `text` (`speaker: words` lines).
fn item(text: &str, item: &str) -> ItemResult {
    let i = script("t", text, Speaker::Customer);
    item_of(&i, item)
}

fn item_of(i: &righttrack_scan::Interaction, item: &str) -> ItemResult {
    engine()
        .scan(i)
        .scorecard
        .items
        .into_iter()
        .find(|x| x.item == item)
        .expect("item in the default pack")
}

/// "met", "failed" or "na".
fn state(text: &str, it: &str) -> &'static str {
    let r = item(text, it);
    match (r.na, r.failed) {
        (true, _) => "na",
        (false, true) => "failed",
        (false, false) => "met",
    }
}

#[test]
fn a_customer_difficulty_is_acknowledged_or_the_point_is_lost_at_that_turn() {
    let met = "agent: hello, how can I help?\ncustomer: honestly I'm exhausted, I've spent all week on the phone about this\nagent: I can understand that, it sounds draining. Let me sort it.";
    assert_eq!(state(met, "empathy.acknowledge"), "met");
    let missed = "agent: hello, how can I help?\ncustomer: honestly I'm exhausted, I've spent all week on the phone about this\nagent: What's your account number?\ncustomer: 1234\nagent: Okay, done.";
    let r = item(missed, "empathy.acknowledge");
    assert!(r.failed && !r.critical, "{r:?}");
    assert_eq!(r.max, 10);
    // The evidence points at the customer's turn and names what was due, so the
    // point can be explained and disputed there.
    assert_eq!(r.evidence.len(), 1);
    assert_eq!(r.evidence[0].turn, 1);
    assert_eq!(r.evidence[0].rule, "customer.difficulty");
    assert!(r.evidence[0].evidence.contains("agent.acknowledgement"));
    // Nothing difficult voiced: nothing to acknowledge.
    let plain = "agent: hello\ncustomer: I'd like to change my payment date\nagent: Sure, done.";
    assert_eq!(state(plain, "empathy.acknowledge"), "na");
}

#[test]
fn hollow_or_negated_acknowledgements_do_not_count() {
    for reply in [
        "I see. Account number?",
        "I don't understand what you're asking.",
        "I understand, but there's nothing I can do about it.",
        "Yeah, I get that a lot. Calm down.",
    ] {
        let t =
            format!("agent: hi\ncustomer: I'm so worried, my rent is due tomorrow\nagent: {reply}");
        assert_eq!(state(&t, "empathy.acknowledge"), "failed", "{reply}");
    }
}

#[test]
fn an_apology_is_due_only_when_the_company_got_something_wrong() {
    let due = "[chat]\nagent: Hi!\ncustomer: The technician never showed up on Tuesday.\nagent: Oh no, I'm really sorry about that. I'll rebook it for you now.";
    assert_eq!(state(due, "empathy.apology"), "met");
    // The customer's own slip: no apology owed.
    let own = "[chat]\nagent: Hi!\ncustomer: I typed my email wrong when I signed up, my bad.\nagent: No problem, I've updated it.";
    assert_eq!(state(own, "empathy.apology"), "na");
    // Nothing went wrong.
    let none = "[chat]\nagent: Hi!\ncustomer: Can I add a second line to my plan?\nagent: Sure.";
    assert_eq!(state(none, "empathy.apology"), "na");
}

#[test]
fn apologies_that_deflect_repair_or_blame_the_customer_do_not_count() {
    for reply in [
        "Sorry, but that's company policy.",
        "I'm sorry you feel that way.",
        "Sorry, could you say that again?",
        "I'm not going to apologise for the post office.",
    ] {
        let t =
            format!("[chat]\nagent: Hi\ncustomer: You billed me twice for March.\nagent: {reply}");
        let r = item(&t, "empathy.apology");
        assert!(r.failed, "{reply}: {r:?}");
        assert_eq!(r.evidence[0].rule, "customer.company_error");
        assert_eq!(r.evidence[0].turn, 1);
    }
}

#[test]
fn one_apology_answers_a_repeated_complaint() {
    let t = "[chat]\nagent: Hi\ncustomer: My order came damaged.\nagent: I'm so sorry, let me send a replacement.\ncustomer: ok\nagent: Done.\ncustomer: it was damaged last time too\nagent: Noted, the replacement is on its way.";
    assert_eq!(state(t, "empathy.apology"), "met");
}

#[test]
fn ownership_is_a_personal_commitment_and_deflection_fails_it_with_the_agents_words() {
    let owned = "[chat]\nagent: Hi\ncustomer: My broadband has been down since Sunday.\nagent: Leave it with me, I'll get an engineer booked today.";
    assert_eq!(state(owned, "empathy.ownership"), "met");
    let refused = "[chat]\nagent: Hi\ncustomer: My broadband has been down since Sunday.\nagent: I can't fix that from here.";
    assert_eq!(state(refused, "empathy.ownership"), "failed");
    let deflected = "[chat]\nagent: Hi\ncustomer: My broadband has been down since Sunday.\nagent: I'll log it, but honestly that's not my department, you'll have to ring the network team.";
    let r = item(deflected, "empathy.ownership");
    assert!(r.failed);
    let d: Vec<_> = r
        .evidence
        .iter()
        .filter(|e| e.rule == "agent.deflection")
        .collect();
    assert!(!d.is_empty(), "{r:?}");
    assert_eq!(d[0].turn, 2);
    assert!(d[0].evidence.contains("not my department"), "{d:?}");
    // Reassurance is not deflection.
    let kind = "[chat]\nagent: Hi\ncustomer: The bill is wrong again.\nagent: It's not your fault at all, I'll correct it now.";
    assert_eq!(state(kind, "empathy.ownership"), "met");
}

#[test]
fn a_hostile_customer_never_counts_against_the_agent() {
    // An abusive rant that names a problem: no apology or acknowledgement is owed to it.
    let rant = "agent: hello\ncustomer: you charged me twice you useless idiot, I'm so angry\nagent: I want to help, but please don't call me names.\ncustomer: whatever\nagent: Thank you.";
    for it in [
        "empathy.apology",
        "empathy.acknowledge",
        "empathy.ownership",
    ] {
        assert_eq!(state(rant, it), "na", "{it}");
    }
    // In any words: contempt the pack's phrases do not list. (In its own sentence: the
    // abuse detector's negation window spans a comma, so "never arrived, are you
    // thick" reads as negated; a known limit of that detector.)
    let thick = "[chat]\nagent: hello\ncustomer: The parcel never arrived. Are you thick or something?\nagent: Please stay civil.";
    assert_eq!(state(thick, "empathy.apology"), "na");
    // A calm complaint later in the same call obliges again.
    let later = "agent: hello\ncustomer: you moron\nagent: please stay civil\ncustomer: sorry. the parcel never arrived.\nagent: okay, what's the order number?\ncustomer: 77\nagent: thanks";
    assert_eq!(state(later, "empathy.apology"), "failed");
}

fn timed(turns: &[(&str, &str, u64, u64)]) -> righttrack_scan::Interaction {
    let mut i = script("t", "agent: x", Speaker::Agent);
    i.turns = turns
        .iter()
        .map(|(s, t, a, b)| righttrack_scan::Turn {
            speaker: if *s == "agent" {
                Speaker::Agent
            } else {
                Speaker::Customer
            },
            text: (*t).into(),
            start_ms: Some(*a),
            end_ms: Some(*b),
            extra: Default::default(),
        })
        .collect();
    i
}

#[test]
fn talking_over_needs_timings_and_more_than_a_second_of_overlap() {
    let call = |agent_start: u64, agent_text: &str, customer_text: &str| {
        timed(&[
            ("agent", "this call is recorded, how can I help", 0, 2000),
            ("customer", customer_text, 2300, 9000),
            ("agent", agent_text, agent_start, agent_start + 3000),
        ])
    };
    let calm = "i wanted to ask about moving my contract to a new address next month";
    // Starts 2.5 s before the customer finished: talking over.
    let r = item_of(
        &call(6500, "right so what you need to do is", calm),
        "empathy.talk_over",
    );
    assert!(r.failed && !r.critical);
    assert_eq!(r.evidence[0].turn, 2);
    assert_eq!(r.evidence[0].rule, "timing.talk_over");
    assert!(r.evidence[0].evidence.contains("2.5 s"), "{r:?}");
    // Half a second of overlap is ordinary turn-taking.
    let r = item_of(&call(8500, "sure I can do that", calm), "empathy.talk_over");
    assert!(!r.failed && !r.na);
    // A back-channel inside the customer's turn is listening, not interrupting.
    let r = item_of(&call(5000, "mm-hm", calm), "empathy.talk_over");
    assert!(!r.failed, "{r:?}");
    // Cutting into abuse is not talking over (the agent may set a boundary).
    let r = item_of(
        &call(
            5000,
            "I need you to stop swearing please",
            "shut up and listen you moron this is a joke",
        ),
        "empathy.talk_over",
    );
    assert!(!r.failed, "{r:?}");
    // Without timings the item does not apply.
    let untimed = "agent: hi\ncustomer: hello\nagent: how can I help";
    assert_eq!(state(untimed, "empathy.talk_over"), "na");
    // Nor in chat.
    assert_eq!(
        state("[chat]\nagent: hi\ncustomer: hello", "empathy.talk_over"),
        "na"
    );
}

#[test]
fn empathy_items_never_make_the_score_zero() {
    let t = "agent: this call is recorded\ncustomer: you charged me twice and I'm so stressed about it\nagent: that's not my department";
    let f = engine().scan(&script("t", t, Speaker::Customer));
    assert!(!f.scorecard.critical_failed);
    assert!(f.score.value > 0);
    // Helper rules make no events: a deflection is a scorecard matter, not a flag.
    assert!(f.events.iter().all(|e| !e.rule.starts_with("agent.")));
}

/// A pack with one extra scorecard item (appended to the default pack).
fn pack_with(item: &str) -> Result<RulePack, PackError> {
    let src = format!(
        "{}\n[[score]]\nid = \"extra\"\npoints = 5\n{item}\n",
        righttrack_scan::pack::DEFAULT_PACK
    );
    RulePack::from_toml(&src)
}

#[test]
fn pack_errors_name_the_item_and_the_field() {
    let msg = |item: &str| pack_with(item).unwrap_err().to_string();
    assert_eq!(
        msg("requires = \"agent.apology\"\nfails_on = []"),
        "score item `extra`: field `requires`: needs `applies_if`: the rule whose hits make the behaviour due"
    );
    assert_eq!(
        msg("applies_if = \"customer.problem\"\nrequires = \"agent.sorry\"\nfails_on = []"),
        "score item `extra`: field `requires`: no rule `agent.sorry`"
    );
    assert_eq!(
        msg("within_turns = 2\nfails_on = [\"conduct.pressure\"]"),
        "score item `extra`: field `within_turns`: only applies with `requires`"
    );
    assert_eq!(
        msg("applies_if = \"customer.problem\"\nrequires = \"agent.apology\"\nwithin_turns = 0\nfails_on = []"),
        "score item `extra`: field `within_turns`: must be at least 1"
    );
    assert_eq!(
        msg("talk_over_ms = 800\nexcused_by = \"hostile\"\nfails_on = []"),
        "score item `extra`: field `excused_by`: no rule `hostile`"
    );
    assert!(msg("fails_on = []").contains("field `fails_on`"));
    assert!(msg("talk_over_ms = \"soon\"\nfails_on = []").contains("talk_over_ms"));
    assert!(pack_with("talk_over_ms = 800\nfails_on = []").is_ok());
}

/// The invariant ARCHITECTURE.md states: an empathy point lives in the scorecard only.
/// No empathy item is critical, and every rule an empathy item reads is a helper that
/// makes no events (so it never raises a flag, a case or a violation count).
#[test]
fn empathy_items_are_never_critical_and_read_only_helper_rules() {
    let pack = RulePack::default_pack().unwrap();
    let items: Vec<_> = pack
        .score
        .iter()
        .filter(|s| s.id.starts_with("empathy."))
        .collect();
    assert_eq!(items.len(), 4);
    for s in items {
        assert!(!s.critical, "{}", s.id);
        let read = s
            .applies_if
            .iter()
            .chain(&s.requires)
            .chain(s.fails_on.iter());
        for r in read {
            let rule = pack.rules.iter().find(|x| &x.id == r).unwrap();
            assert!(!rule.emit, "{} reads {r}, which makes events", s.id);
        }
    }
}
