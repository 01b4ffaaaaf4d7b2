//! Customer data in wording the rules were not written from (issue 17): each test states
//! the principle and checks it on conversations written for it, in several phrasings.

#![allow(
    clippy::expect_used,
    reason = "test helpers outside #[test] fns: a failure is a test failure"
)]

use righttrack_scan::testing::{default_engine as engine, script, span_texts};
use righttrack_scan::Speaker;

/// `kind: text` of every span, in order.
fn spans(src: &str) -> Vec<String> {
    spans_of(&script("t", src, Speaker::Customer))
}

/// Spans of one e-mail turn from the customer whose text may hold line breaks (a script
/// line is a turn, so multi-line bodies are set directly).
fn email_spans(text: &str) -> Vec<String> {
    let mut i = script("t", "[email]\ncustomer: x", Speaker::Customer);
    i.turns[0].text = text.to_string();
    spans_of(&i)
}

fn spans_of(i: &righttrack_scan::Interaction) -> Vec<String> {
    span_texts(engine(), i)
}

fn check(cases: &[(&str, &[&str])]) {
    let mut bad = Vec::new();
    for (src, want) in cases {
        let got = spans(src);
        if got != *want {
            bad.push(format!("{src}\n   want {want:?}\n    got {got:?}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} wrong:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
}

/// Once card details are asked for, the customer's numbers are payment data until the
/// exchange ends, whatever words the question or the answer used.
#[test]
fn payment_capture_spans_turns() {
    check(&[
        (
            "agent: which card will you use today\ncustomer: 4929 1280 7335 1016\nagent: and the little code printed by the signature\ncustomer: um nine oh two",
            &["card_number: 4929 1280 7335 1016", "card_cvv: nine oh two"],
        ),
        (
            "agent: could I take the card details please\ncustomer: sure\nagent: the valid-to date first\ncustomer: hmm hold on\nagent: no problem\ncustomer: that'd be oh six twenty nine",
            &["card_expiry: oh six twenty nine"],
        ),
        (
            "agent: what are the numbers across the front of your card\ncustomer: five four two two\nagent: yep\ncustomer: double one seven three\nagent: okay\ncustomer: 8 8 0 4 7 2 1 0",
            &["card_number: five four two two", "card_number: double one seven three", "card_number: 8 8 0 4 7 2 1 0"],
        ),
        (
            "agent: And the month and year it runs out?\ncustomer: 11/31\nagent: and the three numbers on the back\ncustomer: 0 5 8",
            &["card_expiry: 11/31", "card_cvv: 0 5 8"],
        ),
        (
            "agent: when is the card good till\ncustomer: march twenty thirty",
            &["card_expiry: march twenty thirty"],
        ),
        // The exchange ends: later numbers are what they say they are.
        (
            "agent: what's the security code on the card\ncustomer: 318\nagent: thanks, that's gone through. anything else?\ncustomer: yes the parcel 66120934 never came",
            &["card_cvv: 318"],
        ),
        (
            "agent: pop the card number in when ready\ncustomer: 4556 7375 8689 9855\nagent: all processed, your receipt is 55231\ncustomer: great and I was charged $45 twice",
            &["card_number: 4556 7375 8689 9855"],
        ),
    ]);
}

/// A Luhn-valid 13–19 digit number introduced as a card is a card number, whatever its
/// first digits and whatever punctuation comes before it.
#[test]
fn card_context_numbers_whatever_the_brand() {
    check(&[
        (
            "customer: card number #9417000012345672",
            &["card_number: 9417000012345672"],
        ),
        (
            "customer: my store card is 7000 1234 5678 9010",
            &["card_number: 7000 1234 5678 9010"],
        ),
        (
            "customer: the card: 1800-5550-1234-5677",
            &["card_number: 1800-5550-1234-5677"],
        ),
        // not Luhn-valid, or not introduced as a card: left alone
        ("customer: my store card is 7000 1234 5678 9012", &[]),
        ("customer: the parcel is 9417000012345672", &[]),
    ]);
}

/// Expiry dates in the forms people say and type them, wherever the validity is named.
#[test]
fn expiry_dates_in_many_forms() {
    check(&[
        (
            "customer: pay with my card 4485 2760 1152 3349, expiring 07 29, code 411",
            &[
                "card_number: 4485 2760 1152 3349",
                "card_expiry: 07 29",
                "card_cvv: 411",
            ],
        ),
        (
            "customer: the card's good through 10 / 31",
            &["card_expiry: 10 / 31"],
        ),
        (
            "agent: what's the end date on it\ncustomer: august of 2031",
            &["card_expiry: august of 2031"],
        ),
        // a delivery date during a payment is not an expiry
        (
            "agent: card number please\ncustomer: before that, it arrived on 3 May 2025",
            &[],
        ),
    ]);
}

/// Bank details: asked for in any words, the customer's numbers are bank data; a sort
/// code is six digits after "sort"; "account 12345678" names itself.
#[test]
fn bank_details_in_dialogue() {
    check(&[
        (
            "agent: which account would you like the refund paid into\ncustomer: it's 30492817, sort 40-11-62",
            &["bank_account: 30492817", "bank_account: 40-11-62"],
        ),
        (
            "agent: I'll need your banking information for the direct debit\ncustomer: okay\nagent: go ahead\ncustomer: seven one one four double two eight three",
            &["bank_account: seven one one four double two eight three"],
        ),
        ("customer: please use account 55190342 for it", &["bank_account: 55190342"]),
        // a customer account reference in other words is not a bank account
        ("customer: the phone number on my account is 415 555 0182", &["phone: 415 555 0182"]),
    ]);
}

/// A phone number is redacted whole, extension included, whether the cue comes before,
/// after, or not at all.
#[test]
fn phones_with_extensions_and_late_cues() {
    check(&[
        (
            "customer: reach me at (312) 555-0148 x2207 after lunch",
            &["phone: (312) 555-0148 x2207"],
        ),
        (
            "customer: 617-555-0199, ext. 42 is the desk",
            &["phone: 617-555-0199, ext. 42"],
        ),
        (
            "customer: try +44 161 496 0753 extension 9",
            &["phone: +44 161 496 0753 extension 9"],
        ),
        (
            "customer: six one seven five five five oh one two two is my landline",
            &["phone: six one seven five five five oh one two two"],
        ),
        (
            "customer: you'll get me on oh one six one four nine six oh seven five three",
            &["phone: oh one six one four nine six oh seven five three"],
        ),
        // an order number read out is not a phone
        (
            "customer: the order is six one seven five five five oh one two two",
            &[],
        ),
    ]);
}

/// Names: self-introductions and sign-offs in many forms, form fields, answers to a
/// surname or name-on-card question, middle initials and the people a customer names.
#[test]
fn names_in_many_forms() {
    check(&[
        (
            "agent: and your surname please\ncustomer: it's haddad",
            &["person_name: haddad"],
        ),
        (
            "agent: what name is on the card\ncustomer: that should be Ines T. Carvalho",
            &["person_name: Ines T. Carvalho"],
        ),
        (
            "agent: who's the account holder\ncustomer: rufus j ashworth",
            &["person_name: rufus j ashworth"],
        ),
        (
            "customer: Full name: Odette Lindqvist",
            &["person_name: Odette Lindqvist"],
        ),
        (
            "customer: hello, you're speaking with Tobias Fairweather, I have a billing question",
            &["person_name: Tobias Fairweather"],
        ),
        (
            "customer: ok that's sorted, thank you. - Wanjiru",
            &["person_name: Wanjiru"],
        ),
        (
            "customer: my landlord Gideon Prescott has the keys",
            &["person_name: Gideon Prescott"],
        ),
        // the agent's own name is not customer data
        (
            "agent: hi, you're speaking with Greta, how can I help?\ncustomer: hi Greta",
            &[],
        ),
    ]);
}

/// Addresses introduced by what the customer does there (lives, moves, wants delivery),
/// and a house number during payment capture stays part of its street.
#[test]
fn addresses_introduced_by_function() {
    check(&[
        (
            "customer: we live at 19 Harrow Lane, Norwich NR2 4QP now",
            &["address: 19 Harrow Lane, Norwich NR2 4QP"],
        ),
        (
            "agent: and the expiry on the card\ncustomer: 08/29, and deliver to 7 Maple Court, Albany, NY 12207",
            &["card_expiry: 08/29", "address: 7 Maple Court, Albany, NY 12207"],
        ),
    ]);
}

/// Spoken sign-offs and introductions later in a call: a name that ends the turn after
/// "cheers" or "thanks again", a "hi, I'm …" that opens a turn, "Name on account:".
#[test]
fn names_in_speech_and_fields() {
    check(&[
        ("agent: anything else\ncustomer: no that's it\nagent: ok\ncustomer: cheers mehmet oyelaran", &["person_name: mehmet oyelaran"]),
        ("agent: hello\ncustomer: hm\nagent: hello\ncustomer: yes\nagent: who am i talking to\ncustomer: hi i'm pilar kowalczyk and i'm after a refund", &["person_name: pilar kowalczyk"]),
        ("customer: Name on account: Bongani Thorsen", &["person_name: Bongani Thorsen"]),
        // not a name: a feeling, a sign-off without a name
        ("agent: hello\ncustomer: hm\nagent: hello\ncustomer: yes\nagent: ok\ncustomer: hi i'm really annoyed about this", &[]),
        ("customer: ok cheers", &[]),
    ]);
}

/// Names without a trigger word: a known given name with a capitalised surname, or a
/// known given name that is addressed or acts ("ask Maria", "Derek called"). Knowledge
/// comes from the census name lists and is used only with such context.
#[test]
fn names_from_name_knowledge_with_context() {
    check(&[
        (
            "customer: Jennifer Whitlock called me about the refund.",
            &["person_name: Jennifer Whitlock"],
        ),
        (
            "customer: The form was witnessed by Gregory Stanton last week.",
            &["person_name: Gregory Stanton"],
        ),
        (
            "customer: Can you ask Margaret to ring me back?",
            &["person_name: Margaret"],
        ),
        (
            "customer: I left the parcel with Howard next door.",
            &["person_name: Howard"],
        ),
        (
            "customer: Yesterday Patricia told me it was sorted.",
            &["person_name: Patricia"],
        ),
        (
            "customer: Dear Rose, thanks for the update.",
            &["person_name: Rose"],
        ),
    ]);
}

/// Names that are also ordinary words, places or products need more than the lists:
/// a capitalised sentence start, a place ("Lincoln Park"), a firm ("Johnson & Johnson",
/// "Hi Contoso team") or a product code is not a person.
#[test]
fn name_words_without_evidence_are_not_names() {
    check(&[
        ("customer: Will you send the statement again?", &[]),
        ("customer: May I ask why the price went up?", &[]),
        ("customer: Grant access to my husband please.", &[]),
        ("customer: Summer Sale prices end on Friday.", &[]),
        ("customer: We walked through Lincoln Park after lunch.", &[]),
        ("customer: We met near Victoria Station at noon.", &[]),
        ("customer: We flew from Boston to Denver in March.", &[]),
        ("customer: Johnson & Johnson reported earnings today.", &[]),
        (
            "customer: Hi Contoso Mobile team, my router is broken.",
            &[],
        ),
        ("customer: The item is JD-2200-RED.", &[]),
        ("customer: Mark Brown was there too.", &[]),
        // Lower-case voice text: only triggers find names, never the lists.
        ("customer: i asked margaret about it yesterday", &[]),
    ]);
}

/// Names of people the lists do not know, when the sentence shows a person: a dotted
/// middle initial, an unmistakable act of addressing, a relation, a coordination.
#[test]
fn unknown_names_shown_by_the_sentence() {
    check(&[
        (
            "customer: Oyelaran T. Mbeki signed the contract.",
            &["person_name: Oyelaran T. Mbeki"],
        ),
        (
            "customer: I spoke with Anouk Vermeulen on Monday.",
            &["person_name: Anouk Vermeulen"],
        ),
        (
            "customer: Ngozi Abiodun is my wife and she uses the card too.",
            &["person_name: Ngozi Abiodun"],
        ),
        (
            "customer: Jennifer Whitlock and Tomasz Wielgus will both need access.",
            &[
                "person_name: Jennifer Whitlock",
                "person_name: Tomasz Wielgus",
            ],
        ),
        (
            "customer: Yesterday Oyelaran T. Mbeki told me it was fixed.",
            &["person_name: Oyelaran T. Mbeki"],
        ),
        ("customer: I spoke with Customer Service on Monday.", &[]),
    ]);
}

/// Addresses without a cue cover the whole address: street, town, state, postcode, on one
/// line or several, in US, Canadian, UK, German and French layouts; an addressee before
/// "at" and words describing the place are not part of it.
#[test]
fn whole_addresses_without_a_cue() {
    check(&[
        (
            "customer: Our house at 88 Larkspur Drive, Dayton, OH was flooded.",
            &["address: 88 Larkspur Drive, Dayton, OH"],
        ),
        (
            "customer: We used to live at 12 Birchwood Crescent, Guelph, ON N1G 2W1 before.",
            &["address: 12 Birchwood Crescent, Guelph, ON N1G 2W1"],
        ),
        (
            "customer: The office moved to Mühlenweg 9, 01067 Dresden last year.",
            &["address: Mühlenweg 9, 01067 Dresden"],
        ),
        (
            "customer: Please send it to Dr Okafor at 41 rue des Lilas, 69003 Lyon.",
            &[
                "person_name: Okafor",
                "address: 41 rue des Lilas, 69003 Lyon",
            ],
        ),
        (
            "customer: The bill went to the old flat, 9 Ashby Close, York YO1 7HH, by mistake.",
            &["address: 9 Ashby Close, York YO1 7HH"],
        ),
    ]);
}

/// A Luhn-valid number written in a card's own grouping is a card number whatever its
/// first digits; the same digits in a phone's shape or failing Luhn are not.
#[test]
fn card_grouping_is_card_data() {
    check(&[
        (
            "customer: Please charge 3502 6859 9528 9076 today.",
            &["card_number: 3502 6859 9528 9076"],
        ),
        ("customer: Please charge 3502 6859 9528 9077 today.", &[]),
    ]);
}

/// Addresses over several lines are one address: a street line, then the town and the
/// postcode (a unit may end the street line); a signature line above is not part of it.
#[test]
fn multi_line_addresses() {
    let cases: &[(&str, &[&str])] = &[
        (
            "Ship it to 5201 Quarry Road, Apt 3C\nTucson, AZ 85701 please.",
            &["address: 5201 Quarry Road, Apt 3C\nTucson, AZ 85701"],
        ),
        (
            "Deliver to:\n17 Tanners Row\nNorwich\nNR2 4QP",
            &["address: 17 Tanners Row\nNorwich\nNR2 4QP"],
        ),
        (
            "Thank you,\nAmara Nwosu\n12 Baker Street, London NW1 6XE",
            &[
                "person_name: Amara Nwosu",
                "address: 12 Baker Street, London NW1 6XE",
            ],
        ),
        (
            "Regards,\nHelga Marie Döring\n03950 154724",
            &["person_name: Helga Marie Döring", "phone: 03950 154724"],
        ),
    ];
    let bad: Vec<String> = cases
        .iter()
        .filter_map(|(src, want)| {
            let got = email_spans(src);
            (got != *want).then(|| format!("{src:?}\n   want {want:?}\n    got {got:?}"))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Expiry spans have the right boundaries: a month and year joined by "/", "-" or a space
/// (numbers or a month name) are one expiry; a small number that counts digits ("the 3
/// digits", "4 digit pin") is a count, not card data; while card details are given, the
/// date-like group right after "date" is the expiry.
#[test]
fn expiry_boundaries_and_digit_counts() {
    check(&[
        (
            "customer: my card is 4556 7375 8689 9855, it expires 11-29, the 3 digits on the back are 602",
            &[
                "card_number: 4556 7375 8689 9855",
                "card_expiry: 11-29",
                "card_cvv: 602",
            ],
        ),
        (
            "customer: card 4929 1280 7335 1016 valid through 04/2031, the three digits are 775",
            &[
                "card_number: 4929 1280 7335 1016",
                "card_expiry: 04/2031",
                "card_cvv: 775",
            ],
        ),
        (
            "customer: use the card 4556 7375 8689 9855 expiring Oct 34 and the code is 190",
            &[
                "card_number: 4556 7375 8689 9855",
                "card_expiry: Oct 34",
                "card_cvv: 190",
            ],
        ),
        (
            "agent: I'll need the card details\ncustomer: date 03 30 and the code on the back 118",
            &["card_expiry: 03 30", "card_cvv: 118"],
        ),
        (
            "customer: card 4929 1280 7335 1016 date september thirty four",
            &[
                "card_number: 4929 1280 7335 1016",
                "card_expiry: september thirty four",
            ],
        ),
        // "hang on" asks to wait; the numbers after it are still the code asked for
        (
            "agent: and the three digits on the back\ncustomer: hold on one eight four",
            &["card_cvv: one eight four"],
        ),
        // a count is not data
        (
            "customer: card 4929 1280 7335 1016 good till 08/30, the 4 digit pin I won't share",
            &[
                "card_number: 4929 1280 7335 1016",
                "card_expiry: 08/30",
            ],
        ),
        // "date" outside card talk names no card
        ("customer: the delivery date 04 12 was missed", &[]),
        ("customer: what date 05/06 suits you for the engineer", &[]),
    ]);
}
