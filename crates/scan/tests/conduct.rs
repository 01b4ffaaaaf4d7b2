//! Conduct and disclosures by function: each test states the definition it checks
//! and feeds wording written for the test (not taken from any corpus), positives and
//! the hard negatives the definition excludes (hedged, negated, conditional, quoted,
//! the customer speaking, a thing rather than the customer).

#![allow(
    clippy::expect_used,
    reason = "test helpers outside #[test] fns: a failure is a test failure"
)]

use righttrack_scan::testing::{default_engine as engine, script};
use righttrack_scan::Speaker;

/// The kinds of the events found in the conversation `text` (`speaker: words` lines).
fn kinds(text: &str) -> Vec<String> {
    let i = script("t", text, Speaker::Customer);
    engine()
        .scan(&i)
        .events
        .iter()
        .map(|e| e.kind.clone())
        .collect()
}

/// Whether the conversation `text` is reported as `kind`.
fn reports(text: &str, kind: &str) -> bool {
    kinds(text).iter().any(|k| k == kind)
}

/// Events of a chat where the agent says `line` (after a neutral opening).
fn agent_says(line: &str) -> Vec<String> {
    let mut kinds = kinds(&format!(
        "[chat]\nagent: hello, how can I help?\ncustomer: I have a question\nagent: {line}"
    ));
    kinds.retain(|k| k != "commitment");
    kinds
}

fn fires(kind: &str, lines: &[&str]) {
    for l in lines {
        assert!(
            agent_says(l).iter().any(|k| k == kind),
            "{kind} should fire on: {l}"
        );
    }
}

fn silent(kind: &str, lines: &[&str]) {
    for l in lines {
        let got = agent_says(l);
        assert!(
            !got.iter().any(|k| k == kind),
            "{kind} should not fire on: {l} (got {got:?})"
        );
    }
}

/// A guarantee: an unconditional assurance about an outcome the agent does not control.
#[test]
fn guarantee_is_certainty_about_an_outcome_in_any_words() {
    fires(
        "conduct.guarantee",
        &[
            "Honestly, the lender will approve you, I'm certain of it.",
            "You'll have every cent refunded, absolutely.",
            "the package gets to you by thursday for sure",
            "I'm a hundred percent sure the fee gets waived.",
            "Rest assured the charge will be reversed.",
            "There's no way the underwriter turns you down.",
            "Trust me, this is the cheapest rate on the market.",
            "you will be approved",
            "It's totally risk free.",
            "Without a doubt your credit score improves after this.",
        ],
    );
    silent(
        "conduct.guarantee",
        &[
            // hedged
            "The refund should reach you in a few days.",
            "You'll probably be approved, but it's the bank's call.",
            "I'll try to get the fee waived.",
            // negated
            "I can't promise the refund, sorry.",
            "Approval is never guaranteed.",
            // conditional on the outcome
            "If the claim is approved, the money will definitely be paid on Friday.",
            // reported or quoted
            "The flyer says \"guaranteed approval\" but that's not accurate.",
            "Your friend was told the rate is guaranteed, I'm afraid that's not right.",
            // a question
            "Is the delivery guaranteed?",
            // within the agent's control: a commitment
            "I'll definitely submit the refund request today.",
            "I promise I'll ring you back tomorrow.",
            // a product feature
            "The kettle has a two year guarantee.",
        ],
    );
}

/// Pressure: any push to decide before the customer is ready.
#[test]
fn pressure_is_a_push_to_decide_now_in_any_form() {
    fires(
        "conduct.pressure",
        &[
            // urgency
            "This price is only available until the end of the call.",
            "The promotion expires tonight, so we need to get you signed today.",
            // scarcity
            "We've only got two left at this price.",
            "They're going fast, honestly.",
            // loss framing
            "If you hang up now, the discount disappears.",
            "You'll miss out if you wait.",
            // social proof with a decision
            "Everyone in your building has switched already.",
            // confirmshaming
            "You'd be mad to turn this down.",
            // refusing time to think
            "No need to check with your husband, let's just do it.",
            "Don't sleep on this one.",
        ],
    );
    silent(
        "conduct.pressure",
        &[
            "Take all the time you need, the quote stays valid for a month.",
            "There's no rush at all.",
            "The offer doesn't expire.",
            "Your card expires in 2028.",
            "Talk it over at home and call us back when you're ready.",
            "The sale ended last week, sorry.",
            "Would you like me to email you the details?",
        ],
    );
}

/// Abuse: contempt aimed at the customer, not profanity about a thing.
#[test]
fn abuse_is_contempt_aimed_at_the_customer() {
    fires(
        "conduct.abusive",
        &[
            "You're so dense it's unbelievable.",
            "What a ridiculous request.",
            "Listen, you muppet, it's on the invoice.",
            "Stop moaning and read the email.",
            "That's not my problem.",
            "I already told you, are you even listening?",
            "Oh for crying out loud, just give me the fucking number.",
            "Honestly, a child could do this.",
            "You people always blame us.",
            "Piss off.",
        ],
    );
    silent(
        "conduct.abusive",
        &[
            "This damn screen froze again, sorry about that.",
            "Silly me, wrong account.",
            "It isn't your fault at all.",
            "There's no such thing as a stupid question.",
            "I'm such an idiot, I forgot to save it.",
            "The stupid printer jammed.",
            "I'm sorry, that delay is ridiculous.",
        ],
    );
}

#[test]
fn abuse_by_the_customer_is_not_a_finding_about_the_agent() {
    let found = kinds(
        "[chat]\nagent: hello\ncustomer: you're a useless idiot, shut up\nagent: I understand, let me help",
    );
    assert!(!found.iter().any(|k| k == "conduct.abusive"), "{found:?}");
}

#[test]
fn findings_are_explained_by_their_trigger_words() {
    let i = script(
        "t",
        "[chat]\nagent: hello\ncustomer: hi\nagent: Good news. Honestly, the lender will approve you, I'm certain of it. Anything else?",
        Speaker::Customer,
    );
    let f = engine().scan(&i);
    let e = f
        .events
        .iter()
        .find(|e| e.kind == "conduct.guarantee")
        .expect("a guarantee");
    assert_eq!(e.rule, "honesty.guarantee");
    assert_eq!(e.turn, 2);
    assert!(e.evidence.contains("approve"), "{}", e.evidence);
    assert!(e.evidence.contains("certain"), "{}", e.evidence);
    assert!(!e.evidence.contains("Anything"), "{}", e.evidence);
}

/// A recording notice is any wording that tells the customer the call is captured.
#[test]
fn recording_notice_in_other_words_is_not_reported_missing() {
    for notice in [
        "calls on this line are reviewed for coaching",
        "we keep a copy of this conversation for our records",
        "just a heads up the line is taped",
        "this chat is monitored",
        "for quality and compliance this conversation is captured",
    ] {
        let text = format!(
            "agent: hi you're through to support {notice}\ncustomer: hi\nagent: how can i help"
        );
        assert!(
            !reports(&text, "disclosure.recording_missing"),
            "notice not recognised: {notice}"
        );
    }
    assert!(reports(
        "agent: hi you're through to support\ncustomer: hi\nagent: how can i help\ncustomer: my bill",
        "disclosure.recording_missing"
    ));
}

/// Verification is any request for an identifier before account details.
#[test]
fn verification_in_other_words_is_recognised() {
    for check in [
        "what's the postcode on the account please",
        "can i grab the first line of your address",
        "and when were you born",
        "could you read me the code we just texted you",
        "let's get you through security first",
        "i need the last four digits of your social",
    ] {
        let text = format!("agent: this call is recorded how can i help\ncustomer: my balance\nagent: {check}\ncustomer: sure\nagent: your balance is $210");
        assert!(
            !reports(&text, "disclosure.verification_missing"),
            "check not recognised: {check}"
        );
    }
    assert!(reports(
        "agent: this call is recorded how can i help\ncustomer: my balance\nagent: your balance is $210",
        "disclosure.verification_missing"
    ));
}

/// An account detail given in other words, before any identity check, is reported;
/// after a check it is not.
#[test]
fn account_details_in_other_words_before_a_check_are_reported() {
    for detail in [
        "right now there's $412.50 outstanding",
        "you're behind by two hundred and ten dollars",
        "the card we have on file finishes 4421",
        "the statement that went out shows 1,280 pounds",
    ] {
        let before =
            format!("[chat]\nagent: hello, how can I help?\ncustomer: my account\nagent: {detail}");
        assert!(
            reports(&before, "disclosure.verification_missing"),
            "not recognised as an account detail: {detail}"
        );
        let after = format!("[chat]\nagent: hello, how can I help?\ncustomer: my account\nagent: can I take your postcode first?\ncustomer: sure\nagent: {detail}");
        assert!(
            !reports(&after, "disclosure.verification_missing"),
            "reported despite the check: {detail}"
        );
    }
}

/// Shop-window pressure as other writers word it: activity notifications (others
/// buying or looking now), countdowns, orders to decide now, and confirmshaming
/// opt-outs. Wording written for this test, not taken from the held-out generator.
#[test]
fn pressure_in_shop_copy_is_recognised_by_its_function() {
    fires(
        "conduct.pressure",
        &[
            "12 guests are looking at this apartment right now.",
            "Somebody in Bristol booked this cottage a few minutes ago, someone in Bristol purchased it too.",
            "Travellers booked this hotel 9 times in the past day.",
            "3 shoppers have these boots in their basket.",
            "Deal closes in 04:12:09.",
            "Reserve now, the spring rate vanishes at 6 pm.",
            "Order today and beat the crowd.",
            "No thank you, I enjoy paying more for less.",
            "Nope, I'd rather keep losing sleep.",
            "Skip this and lose your loyalty points forever.",
            "Only a couple of spots remain, last 4 available.",
        ],
    );
}

/// The same words without a push: an event that ends, an ordinary count, a decline
/// that concedes nothing, a time fact.
#[test]
fn shop_words_without_a_push_are_not_pressure() {
    silent(
        "conduct.pressure",
        &[
            "The webinar ends in 20 minutes.",
            "The shuttle runs every 15 minutes.",
            "No thanks is a perfectly fine answer, take your time.",
            "Our guests often ask about parking.",
            "The promotion ended last month, so the price is the usual one.",
            "You can book whenever suits you, there's no deadline.",
        ],
    );
}

/// Contempt aimed at the reader in other forms: rhetorical insults about "anyone",
/// silencing, belittling the reader's competence.
#[test]
fn contempt_in_other_forms_is_abuse() {
    fires(
        "conduct.abusive",
        &[
            "How dense can anyone be?",
            "Nobody cares what you think.",
            "No one asked for your input, mate, keep your mouth shut.",
            "Use your head for once in your life.",
            "Honestly, you can't do anything right.",
            "I'm not here to listen to your drivel.",
            "You're a total embarrassment.",
        ],
    );
}

/// Not aimed at the customer: the speaker about themselves, a title in single
/// quotes, someone else's words reported.
#[test]
fn contempt_words_not_aimed_at_the_customer_are_not_abuse() {
    silent(
        "conduct.abusive",
        &[
            "I don't care about my own lunch break, let's fix this first.",
            "The podcast is called 'Shut Up and Listen'.",
            "My manager told me to shut up once, and I reported it.",
            "The lyric goes 'go away, go away', it's a catchy tune.",
        ],
    );
}
