//! PII and PCI detection over one interaction.
//!
//! Pipeline per turn: tokenize once ([`crate::text`]), find context keywords once
//! ([`context`]), then run the detectors over the same tokens: digit runs
//! ([`numbers`]) classified by checksum and context into card numbers, CVVs,
//! PINs, SSNs, bank accounts, routing numbers and phones; dates ([`dates`])
//! classified into birth dates and expiries; e-mails ([`email`]), IBANs, names
//! ([`names`]) and addresses ([`address`]).
//!
//! Across turns: the agent's last question is the *prompt* context of the
//! customer's answer, and digit fragments given over several customer turns
//! (or read back by the agent) are joined and checked as one card number, so
//! every fragment of a split card is redacted.
//!
//! Overlaps are resolved by a fixed priority (card > IBAN > e-mail > SSN > CVV >
//! expiry > birth date > phone > bank account > address > name), longest first.

pub mod address;
pub mod context;
pub mod dates;
pub mod email;
pub mod names;
pub mod numbers;

use crate::checks;
use crate::model::{Interaction, Speaker};
use crate::text::{self, Class, Token};
use context::{Ctx, CtxSet, Hit, Keywords};
use numbers::Run;

/// Span kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `pii.card_number`
    CardNumber,
    /// `pii.card_cvv`
    CardCvv,
    /// `pii.card_expiry`
    CardExpiry,
    /// `pii.card_pin` (extension kind)
    CardPin,
    /// `pii.ssn`
    Ssn,
    /// `pii.iban`
    Iban,
    /// `pii.bank_account`
    BankAccount,
    /// `pii.email`
    Email,
    /// `pii.phone`
    Phone,
    /// `pii.date_of_birth`
    DateOfBirth,
    /// `pii.address`
    Address,
    /// `pii.person_name`
    PersonName,
}

impl Kind {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CardNumber => "pii.card_number",
            Kind::CardCvv => "pii.card_cvv",
            Kind::CardExpiry => "pii.card_expiry",
            Kind::CardPin => "pii.card_pin",
            Kind::Ssn => "pii.ssn",
            Kind::Iban => "pii.iban",
            Kind::BankAccount => "pii.bank_account",
            Kind::Email => "pii.email",
            Kind::Phone => "pii.phone",
            Kind::DateOfBirth => "pii.date_of_birth",
            Kind::Address => "pii.address",
            Kind::PersonName => "pii.person_name",
        }
    }
    /// Parse a wire name.
    pub fn parse(s: &str) -> Option<Kind> {
        ALL_KINDS.iter().copied().find(|k| k.as_str() == s)
    }
    /// Placeholder label for `replace` redaction (`CARD_NUMBER`).
    pub fn label(self) -> &'static str {
        let s = self.as_str();
        match self {
            Kind::CardNumber => "CARD_NUMBER",
            Kind::CardCvv => "CARD_CVV",
            Kind::CardExpiry => "CARD_EXPIRY",
            Kind::CardPin => "CARD_PIN",
            Kind::Ssn => "SSN",
            Kind::Iban => "IBAN",
            Kind::BankAccount => "BANK_ACCOUNT",
            Kind::Email => "EMAIL",
            Kind::Phone => "PHONE",
            Kind::DateOfBirth => "DATE_OF_BIRTH",
            Kind::Address => "ADDRESS",
            Kind::PersonName => {
                if s.is_empty() {
                    ""
                } else {
                    "PERSON_NAME"
                }
            }
        }
    }
    fn priority(self) -> u8 {
        match self {
            Kind::CardNumber => 12,
            Kind::Iban => 11,
            Kind::Email => 10,
            Kind::Ssn => 9,
            Kind::CardCvv => 8,
            Kind::CardPin => 8,
            Kind::CardExpiry => 7,
            Kind::DateOfBirth => 6,
            Kind::Phone => 5,
            Kind::BankAccount => 4,
            Kind::Address => 3,
            Kind::PersonName => 2,
        }
    }
}

/// Every kind.
pub const ALL_KINDS: [Kind; 12] = [
    Kind::CardNumber,
    Kind::CardCvv,
    Kind::CardExpiry,
    Kind::CardPin,
    Kind::Ssn,
    Kind::Iban,
    Kind::BankAccount,
    Kind::Email,
    Kind::Phone,
    Kind::DateOfBirth,
    Kind::Address,
    Kind::PersonName,
];

/// A detected span before overlap resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cand {
    /// Turn index.
    pub turn: usize,
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// Kind.
    pub kind: Kind,
    /// Rule id.
    pub rule: &'static str,
}

/// A digit fragment that may be part of a card number split over turns.
#[derive(Debug, Clone, Copy)]
struct Frag {
    turn: usize,
    speaker: Speaker,
    start: usize,
    end: usize,
    digits: [u8; 19],
    len: usize,
    card_ctx: bool,
}

impl Frag {
    /// The group of `digits` (at most 19) at `start..end` of turn `turn`.
    fn new(
        turn: usize,
        speaker: Speaker,
        start: usize,
        end: usize,
        digits: &[u8],
        card_ctx: bool,
    ) -> Frag {
        let mut f = Frag {
            turn,
            speaker,
            start,
            end,
            digits: [0; 19],
            len: digits.len(),
            card_ctx,
        };
        f.digits[..digits.len()].copy_from_slice(digits);
        f
    }
}

/// Per-scan reusable buffers (one per thread; see [`crate::Engine::scan_with`]).
#[derive(Debug, Default)]
pub struct Scratch {
    toks: Vec<Token>,
    hits: Vec<Hit>,
    runs: Vec<Run>,
    dates: Vec<dates::DateCand>,
    pairs: Vec<(usize, usize)>,
    names: Vec<names::NameHit>,
    frags: Vec<Frag>,
    agent_names: Vec<String>,
    pub(crate) cands: Vec<Cand>,
}

/// Detector configuration.
#[derive(Debug, Clone)]
pub struct DetectorConfig {
    /// Regions tried when a phone number has no country code.
    pub phone_regions: Vec<phonenumber::country::Id>,
}

/// Compiled PII detector.
#[derive(Debug, Clone)]
pub struct Detector {
    kw: Keywords,
    cfg: DetectorConfig,
}

/// A currency sign just before `s` ($, £ = C2 A3, € = E2 82 AC, ₹ = E2 82 B9).
fn currency_before(text: &[u8], s: usize) -> bool {
    let b = text[..s].trim_ascii_end();
    b.ends_with(b"$")
        || b.ends_with("£".as_bytes())
        || b.ends_with("€".as_bytes())
        || b.ends_with("₹".as_bytes())
}

fn is_amount(text: &[u8], s: usize, e: usize) -> bool {
    if currency_before(text, s) {
        return true;
    }
    let after = text[e..].trim_ascii_start();
    let word_end = after
        .iter()
        .position(|c| !c.is_ascii_alphabetic())
        .unwrap_or(after.len());
    let w = &after[..word_end];
    text::eq_any(
        w,
        &[
            "dollars", "dollar", "pounds", "pound", "euros", "euro", "eur", "usd", "gbp", "cents",
            "pence", "percent", "rupees", "inr", "bucks", "minutes", "hours", "days", "weeks",
            "months", "years", "items", "times",
        ],
    ) || after.starts_with("€".as_bytes())
        || after.starts_with("£".as_bytes())
        || after.starts_with("₹".as_bytes())
        || after.starts_with(b"$")
        || after.starts_with(b"%")
}

/// Part of a money amount: a currency sign or word before or after it, across the
/// digits, separators and number words of the amount ("£4,585.60", "809,00 EUR",
/// "nine thousand seven hundred dollars").
fn is_money(text: &[u8], s: usize, e: usize) -> bool {
    if is_amount(text, s, e) {
        return true;
    }
    let amount_byte = |c: u8| c.is_ascii_digit() || matches!(c, b',' | b'.' | b' ');
    let mut a = s;
    while a > 0 && s - a < 16 && amount_byte(text[a - 1]) {
        a -= 1;
    }
    let mut z = e;
    while z < text.len() && z - e < 16 && amount_byte(text[z]) {
        z += 1;
    }
    if (a < s || z > e) && is_amount(text, a, z) {
        return true;
    }
    let after = text[e..].trim_ascii_start();
    let next: &[u8] = after
        .split(|c| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or_default();
    text::eq_any(next, &["hundred", "thousand", "million", "grand", "k"])
}

/// End of a phone extension right after token `k` (", ext. 12", " x769", " #4",
/// " extension four one", " and then extension 12").
fn phone_extension(b: &[u8], toks: &[Token], mut k: usize) -> Option<usize> {
    if toks.get(k).is_some_and(|t| t.is_punct(b, b',')) {
        k += 1;
    }
    while toks
        .get(k)
        .is_some_and(|t| text::eq_any(t.bytes(b), &["and", "then"]))
    {
        k += 1;
    }
    let t = toks.get(k)?;
    let w = t.bytes(b);
    // "x769" is one token.
    if t.class == Class::Mixed
        && w.len() > 1
        && (w[0] == b'x' || w[0] == b'X')
        && w[1..].iter().all(u8::is_ascii_digit)
    {
        return Some(t.end as usize);
    }
    let marker = text::eq_any(w, &["x", "ext", "extension", "ex"]) || t.is_punct(b, b'#');
    if !marker {
        return None;
    }
    k += 1;
    if toks.get(k).is_some_and(|t| t.is_punct(b, b'.')) {
        k += 1;
    }
    let mut end = None;
    while let Some(t) = toks.get(k) {
        let w = t.bytes(b);
        let digit = t.class == Class::Digits && w.len() <= 6;
        let word = crate::words::digit_word(w).is_some() || crate::words::repeat_word(w).is_some();
        if !(digit || word) {
            break;
        }
        end = Some(t.end as usize);
        k += 1;
    }
    end
}

/// Token `t0` is glued to masked output before it ("**04", "****-0004").
fn masked_before(b: &[u8], toks: &[Token], t0: usize) -> bool {
    let mut k = t0;
    while k > 0 && !toks[k].gap_before {
        let p = toks[k - 1];
        if p.is_punct(b, b'*') {
            return true;
        }
        if !(p.is_punct(b, b'-') || p.is_punct(b, b'.') || p.class == Class::Digits) {
            return false;
        }
        k -= 1;
    }
    false
}

/// Remnants of masked output ("4111 11** ****") or the digits of a code glued to
/// letters or "#" ("ORD-2023-708726", "#4471").
fn masked_or_code(b: &[u8], toks: &[Token], run: &Run) -> bool {
    let star = |k: usize| toks.get(k).is_some_and(|t| t.is_punct(b, b'*'));
    let i = run.tok_start;
    let glued_after = toks.get(run.tok_end).is_some_and(|t| !t.gap_before);
    let sep = |k: usize| {
        toks.get(k)
            .is_some_and(|t| t.is_punct(b, b'-') || t.is_punct(b, b'.'))
    };
    if star(run.tok_end)
        || (glued_after && sep(run.tok_end) && star(run.tok_end + 1))
        || (i > 0 && star(i - 1))
        || (i > 1 && sep(i - 1) && star(i - 2))
    {
        return true;
    }
    if i > 0 && !toks[i].gap_before {
        if star(i - 1) || toks[i - 1].is_punct(b, b'#') {
            return true;
        }
        if toks[i - 1].is_punct(b, b'-')
            && !toks[i - 1].gap_before
            && i >= 2
            && toks[i - 2].class == Class::Alpha
        {
            return true;
        }
    }
    // A run whose items are glued to stars inside ("11**").
    run.items().iter().any(|it| {
        let e = it.end as usize;
        b.get(e) == Some(&b'*') || (it.start > 0 && b.get(it.start as usize - 1) == Some(&b'*'))
    })
}

/// A turn about paying with a card ("make a payment", "settle the balance").
fn payment_words(b: &[u8]) -> bool {
    const W: [&[u8]; 6] = [
        b"payment",
        b"pay ",
        b"settle",
        b"balance",
        b"outstanding",
        b"charge",
    ];
    W.iter()
        .any(|w| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w)))
}

impl Detector {
    /// Build with a configuration.
    pub fn new(cfg: DetectorConfig) -> Result<Self, aho_corasick::BuildError> {
        Ok(Detector {
            kw: Keywords::new()?,
            cfg,
        })
    }

    fn valid_phone(&self, s: &str, plus: bool) -> bool {
        if plus {
            // "+<country code> …" is phone-shaped on its own: accept anything that
            // parses with a known country code, valid or not (new ranges, typos).
            return phonenumber::parse(None, s).is_ok();
        }
        self.cfg
            .phone_regions
            .iter()
            .any(|&r| phonenumber::parse(Some(r), s).is_ok_and(|n| phonenumber::is_valid(&n)))
    }

    /// Detect all PII of an interaction into `sc.cands` (resolved, sorted).
    pub fn detect(&self, inter: &Interaction, sc: &mut Scratch) {
        self.detect_with(inter, sc, |_, _| {});
    }

    /// Like [`Detector::detect`], calling `on_turn(turn, tokens)` after each
    /// turn so other passes reuse the tokenization.
    pub fn detect_with(
        &self,
        inter: &Interaction,
        sc: &mut Scratch,
        mut on_turn: impl FnMut(usize, &[Token]),
    ) {
        sc.cands.clear();
        sc.frags.clear();
        sc.agent_names.clear();
        let mut prompt = CtxSet::default();
        let mut customer_turns = 0usize;
        let mut pay = Payment::default();
        // Year of the interaction (civil year in UTC is close enough for ages),
        // converted once here rather than for every turn.
        let start_year = u32::try_from(inter.started_at.to_zoned(jiff::tz::TimeZone::UTC).year())
            .unwrap_or(2026);
        for (ti, turn) in inter.turns.iter().enumerate() {
            let text = turn.text.as_str();
            let b = text.as_bytes();
            text::tokenize(text, &mut sc.toks);
            self.kw.find(b, &mut sc.hits);
            let is_agent = turn.speaker == Speaker::Agent;
            let (p, capture) = if is_agent {
                (CtxSet::default(), None)
            } else if pay.active {
                let mut p = prompt;
                p.0 |= pay.want.0;
                (p, Some(pay.want))
            } else {
                (prompt, None)
            };
            let before = sc.cands.len();
            self.turn(
                inter,
                ti,
                text,
                p,
                customer_turns < 3,
                capture,
                start_year,
                sc,
            );
            on_turn(ti, &sc.toks);
            if is_agent {
                let tail = if inter.channel == crate::model::Channel::Email {
                    usize::MAX
                } else {
                    160
                };
                prompt = context::prompt_set(&sc.hits, b.len(), tail);
                // An e-mail reply is not a dialogue: a customer's next e-mail names
                // what it gives.
                if inter.channel != crate::model::Channel::Email {
                    pay.after_agent(&sc.hits, prompt);
                }
            } else {
                customer_turns += 1;
                let card_given = sc.cands[before..]
                    .iter()
                    .any(|c| c.kind == Kind::CardNumber);
                // The turn's digit runs and dates are still in the scratch buffers.
                let has_number = !sc.runs.is_empty() || !sc.dates.is_empty();
                pay.after_customer(&sc.hits, card_given, has_number);
            }
        }
        self.join_fragments(sc);
        resolve(&mut sc.cands, inter);
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one turn's inputs; a struct would only rename them"
    )]
    fn turn(
        &self,
        inter: &Interaction,
        ti: usize,
        text: &str,
        prompt: CtxSet,
        early: bool,
        capture: Option<CtxSet>,
        start_year: u32,
        sc: &mut Scratch,
    ) {
        let b = text.as_bytes();
        let speaker = inter.turns[ti].speaker;
        let Scratch {
            toks,
            hits,
            runs,
            dates,
            pairs,
            names,
            frags,
            agent_names,
            cands,
        } = sc;
        let toks: &[Token] = toks;
        let hits: &[Hit] = hits;
        let ctx_at = |pos: usize| -> (CtxSet, Option<Ctx>) {
            let mut c = CtxSet::default();
            match context::before(hits, pos, 48) {
                Some(h) => {
                    c.add(h.ctx);
                    (c, Some(h.ctx))
                }
                None => {
                    if pos < 140 {
                        (prompt, None)
                    } else {
                        (c, None)
                    }
                }
            }
        };
        // "date 09 31", "- date Mar 32": while card details are being given, "date" right
        // before a date-like group names the card's date, the expiry. Not when a nearer
        // cue names another date ("birth date 09/12/80" has a birth-date cue).
        let card_talk = capture.is_some()
            || prompt.0 & CARD_CTX != 0
            || hits.iter().any(|h| h.ctx as u32 & CARD_CTX != 0);
        let date_cue = |tok_start: usize, ctx: CtxSet, near: Option<Ctx>| {
            let cue = card_talk
                && tok_start > 0
                && text::eq(toks[tok_start - 1].bytes(b), "date")
                && near.is_none_or(|c| c as u32 & CARD_CTX != 0);
            if cue {
                let mut c = ctx;
                c.add(Ctx::Expiry);
                (c, Some(Ctx::Expiry))
            } else {
                (ctx, near)
            }
        };
        macro_rules! push {
            ($s:expr, $e:expr, $kind:expr, $rule:expr) => {{
                let (s, e): (usize, usize) = ($s, $e);
                if s < e && e <= b.len() && text.is_char_boundary(s) && text.is_char_boundary(e) {
                    cands.push(Cand { turn: ti, start: s, end: e, kind: $kind, rule: $rule });
                }
            }};
        }

        // E-mails.
        pairs.clear();
        if b.contains(&b'@') {
            email::written(b, pairs);
        }
        for &(s, e) in pairs.iter() {
            push!(s, e, Kind::Email, "contact.email");
        }
        pairs.clear();
        email::spoken(b, toks, pairs);
        for &(s, e) in pairs.iter() {
            push!(s, e, Kind::Email, "contact.email.spoken");
        }

        // IBANs.
        self.ibans(b, toks, hits, &mut |s, e, k, r| push!(s, e, k, r));

        // Dates first: a digit run inside a date is part of the date.
        dates::find(b, toks, dates);

        // Digit runs.
        numbers::runs(b, toks, runs);
        for run in runs.iter() {
            let s = run.start(toks);
            let e = run.end();
            let l = run.len;
            if l == 0 {
                continue;
            }
            if is_money(b, s, e) {
                // A currency sign after a written run makes its last group an amount,
                // not the groups before it: a card number written at the start of the
                // run ("5500-0000-0000-0004 -00€") is still one.
                let rescue = !run.spoken && !currency_before(b, s);
                if let Some((ss, ee)) =
                    card_subrun(run).filter(|&(ss, ee)| rescue && ss == s && ee < e)
                {
                    push!(ss, ee, Kind::CardNumber, "pci.pan");
                }
                continue;
            }
            let (ctx, near) = ctx_at(s);
            let (ctx, near) = date_cue(run.tok_start, ctx, near);
            if matches!(near, Some(Ctx::Neg) | Some(Ctx::Last4)) {
                continue;
            }
            // Part of a larger alphanumeric code ("inc40379215" is one token; "ORD-2023-708726").
            if run.tok_start > 0 {
                let pt = toks[run.tok_start - 1];
                if pt.is_punct(b, b'-')
                    && !pt.gap_before
                    && run.tok_start >= 2
                    && toks[run.tok_start - 2].class == Class::Alpha
                    && toks[run.tok_start - 2].end == pt.start
                {
                    continue;
                }
                if pt.is_punct(b, b'#') && !ctx.has(Ctx::Card) {
                    continue;
                }
            }
            // Remnants of masked output ("5500-00**-****-0004") are not numbers.
            let star = |k: usize| toks.get(k).is_some_and(|t| t.is_punct(b, b'*'));
            let after = run.tok_end;
            let glued_after = toks.get(after).is_some_and(|t| !t.gap_before);
            let before_star = run.tok_start > 0
                && !toks[run.tok_start].gap_before
                && (star(run.tok_start - 1)
                    || (run.tok_start > 1
                        && !toks[run.tok_start - 1].gap_before
                        && star(run.tok_start - 2)));
            if (glued_after && star(after)) || before_star {
                continue;
            }
            let d = run.digits();
            let account_ctx = ctx.has(Ctx::Account) || ctx.has(Ctx::Iban) || ctx.has(Ctx::Routing);
            // Card numbers are never written with "+" or parentheses (phones are).
            let phone_shaped = run.plus || run.paren;
            // Brand rules raise confidence; in card context a Luhn-valid 13-19 digit
            // number is a card number whatever its first digits.
            let card_ctx_pan = ctx.has(Ctx::Card) && (13..=19).contains(&l) && checks::luhn(d);
            // Written in a card's own grouping (4-4-4-4, 4-6-5, 4-6-4, 4-4-4-1) and
            // Luhn-valid: a card number whatever its first digits (when in doubt about card
            // data, redact).
            let card_layout = !run.spoken && (13..=19).contains(&l) && checks::luhn(d) && {
                let mut g = [0u8; 8];
                let n = run.group_sizes(&mut g);
                matches!(
                    &g[..n],
                    [4, 4, 4, 4] | [4, 6, 5] | [4, 6, 4] | [4, 4, 4, 1] | [4, 4, 4, 4, 3]
                )
            };
            if (12..=19).contains(&l)
                && (checks::is_card(d) || card_ctx_pan || card_layout)
                && (!account_ctx || ctx.has(Ctx::Card))
                && !phone_shaped
            {
                push!(s, e, Kind::CardNumber, "pci.pan");
                continue;
            }
            // A card number glued to more digits in card context ("4111 … 1111 12 25").
            if l > 12 && !account_ctx && !phone_shaped && ctx.has(Ctx::Card) {
                if let Some((ss, ee)) = card_subrun(run) {
                    push!(ss, ee, Kind::CardNumber, "pci.pan");
                    continue;
                }
            }
            if l == 9 && checks::is_ssn(d) {
                let mut g = [0u8; 8];
                let n = run.group_sizes(&mut g);
                let shaped = !run.spoken && n == 3 && g[..3] == [3, 2, 4];
                if ctx.has(Ctx::Ssn) || (shaped && !ctx.has(Ctx::Phone) && !account_ctx) {
                    push!(s, e, Kind::Ssn, "pii.ssn");
                    continue;
                }
            }
            // "valid till 03 28": month and year read as one number string.
            if near == Some(Ctx::Expiry) && (l == 4 || (l == 6 && !run.spoken)) {
                let m = d[0] * 10 + d[1];
                if (1..=12).contains(&m) {
                    push!(s, e, Kind::CardExpiry, "pci.expiry");
                    continue;
                }
            }
            // A year or day inside a date is not a code the agent asked for.
            let in_date = near.is_none() && dates.iter().any(|c| c.start < e && s < c.end);
            if ctx.has(Ctx::Cvv) && (3..=4).contains(&l) && !in_date {
                push!(s, e, Kind::CardCvv, "pci.cvv");
                continue;
            }
            if ctx.has(Ctx::Pin) && (4..=6).contains(&l) {
                push!(s, e, Kind::CardPin, "pci.pin");
                continue;
            }
            if ctx.has(Ctx::Routing) && l == 9 && checks::is_aba(d) {
                push!(s, e, Kind::BankAccount, "bank.routing");
                continue;
            }
            // A sort code (UK, 6 digits) or BSB (AU, 6 digits).
            if near == Some(Ctx::Routing) && l == 6 {
                push!(s, e, Kind::BankAccount, "bank.sort_code");
                continue;
            }
            // "account 12345678": the word right before the number names it.
            let account_word = run.tok_start > 0
                && text::eq_any(toks[run.tok_start - 1].bytes(b), &["account", "acc"]);
            if (ctx.has(Ctx::Account) || (account_word && near.is_none())) && (6..=17).contains(&l)
            {
                push!(s, e, Kind::BankAccount, "bank.account");
                continue;
            }
            // The cue after the number ("... is my work line", "... that's my mobile").
            let mut pctx = ctx;
            if near.is_none()
                && context::after(hits, e, 24).is_some_and(|h| h.ctx == Ctx::Phone)
                && !ctx.has(Ctx::Card)
            {
                pctx.add(Ctx::Phone);
            }
            if (7..=15).contains(&l) && self.is_phone(b, run, s, e, pctx) {
                // An extension belongs to the number ("x769", "ext. 12", "extension four").
                let e = phone_extension(b, toks, run.tok_end).unwrap_or(e);
                push!(s, e, Kind::Phone, "contact.phone");
                // A phone-looking group may still be the rest of a card read in
                // pieces; joining decides (card outranks phone in resolution).
                if l <= 11 && !run.plus && !run.paren {
                    frags.push(Frag::new(ti, speaker, s, e, d, false));
                }
                continue;
            }
            if (2..=11).contains(&l) && !ctx.has(Ctx::Expiry) && !ctx.has(Ctx::Dob) {
                frags.push(Frag::new(ti, speaker, s, e, d, ctx.has(Ctx::Card)));
            }
        }

        // Dates: birth dates and expiries.
        for dc in dates.iter() {
            let (ctx, near) = ctx_at(dc.start);
            let (ctx, near) = date_cue(dc.tok_start, ctx, near);
            if matches!(near, Some(Ctx::Neg)) {
                continue;
            }
            // The tail of masked output ("**04 -00", "****-0004 -01") is not a date,
            // nor is a reading that starts inside a card number.
            let in_card = cands
                .iter()
                .rev()
                .take_while(|c| c.turn == ti)
                .any(|c| c.kind == Kind::CardNumber && c.start < dc.end && dc.start < c.end);
            if in_card || masked_before(b, toks, dc.tok_start) {
                continue;
            }
            let card_turn = hits.iter().any(|h| h.ctx == Ctx::Card)
                || cands.iter().any(|c| {
                    c.turn == ti
                        && c.kind == Kind::CardNumber
                        && c.end <= dc.start
                        && dc.start - c.end < 48
                })
                || prompt.has(Ctx::Card);
            if ctx.has(Ctx::Expiry) && (dc.has_month || (dc.parts >= 2 && !dc.has_ord)) {
                push!(dc.start, dc.end, Kind::CardExpiry, "pci.expiry");
            } else if dc.month_year && (card_turn || payment_words(b)) && !ctx.has(Ctx::Dob) {
                push!(
                    dc.start,
                    dc.end,
                    Kind::CardExpiry,
                    "pci.expiry.card_context"
                );
            } else if !ctx.has(Ctx::Dob)
                && dc.full
                && speaker == Speaker::Customer
                && near.is_none()
                // "on 12/03/1985", "since …": an event date, not a birth date
                && !(dc.tok_start > 0
                    && text::eq_any(
                        toks[dc.tok_start - 1].bytes(b),
                        &["on", "since", "from", "until", "by", "before", "after", "in", "at", "of", "between", "and", "to"],
                    ))
                && dc.year.is_some_and(|y| {
                    // Two-digit years only when they cannot be this century.
                    let y = if y < 100 {
                        if y > start_year % 100 + 1 {
                            1900 + y
                        } else {
                            0
                        }
                    } else {
                        y
                    };
                    y >= 1900 && y + 16 <= start_year
                })
            {
                // A full date more than 16 years back, given by the customer without
                // any other context, is a birth date ("It's 30/10/1998.").
                push!(dc.start, dc.end, Kind::DateOfBirth, "pii.dob.age");
            } else if ctx.has(Ctx::Dob)
                && ((dc.has_month && dc.parts >= 1) || dc.parts >= 2)
                && (dc.has_year || dc.has_month || dc.parts >= 3)
            {
                push!(dc.start, dc.end, Kind::DateOfBirth, "pii.dob");
            }
        }

        // Names.
        names.clear();
        let name_prompt = prompt.has(Ctx::Name) && speaker == Speaker::Customer;
        names::find(b, toks, speaker, name_prompt, early, names);
        for &(s, e, own) in names.iter() {
            let t = &text[s..e];
            if own {
                if agent_names.len() < 8 {
                    agent_names.push(t.to_ascii_lowercase());
                }
                continue;
            }
            let first = t.split_whitespace().next().unwrap_or("");
            if agent_names
                .iter()
                .any(|a| a.eq_ignore_ascii_case(t) || a.eq_ignore_ascii_case(first))
                && !t.contains(' ')
            {
                continue;
            }
            push!(s, e, Kind::PersonName, "pii.name");
        }

        // Addresses.
        pairs.clear();
        let mut did_ctx = false;
        for h in hits.iter().filter(|h| h.ctx == Ctx::Address) {
            let k = toks
                .iter()
                .position(|t| t.start >= h.end)
                .unwrap_or(toks.len());
            let k = address::content_start(b, toks, k);
            let k = address::skip_addressee(b, toks, k);
            if let Some(r) =
                address::extend(b, toks, k, false).or_else(|| address::street_only(b, toks, k))
            {
                pairs.push(r);
                did_ctx = true;
            }
        }
        if !did_ctx && prompt.has(Ctx::Address) {
            let k = address::content_start(b, toks, 0);
            if let Some(r) = address::extend(b, toks, k, false) {
                pairs.push(r);
            }
        }
        let addr_ctx = prompt.has(Ctx::Address) || hits.iter().any(|h| h.ctx == Ctx::Address);
        address::anchored(b, toks, !addr_ctx, pairs);
        address::free(b, toks, pairs);
        address::merge(b, pairs);
        for &(s, e) in pairs.iter() {
            push!(s, e, Kind::Address, "contact.address");
        }

        // Payment capture: every other number the customer says is payment data,
        // in the turns after card details were asked for or given, and in the rest
        // of the turn where the customer gives them ("card 4111..., 07 29, code 411").
        let mut from = 0;
        let capture = capture.or_else(|| {
            let opened = speaker == Speaker::Customer
                && !hits.iter().any(|h| h.ctx == Ctx::Last4)
                && (hits.iter().any(|h| h.ctx == Ctx::Card)
                    || cands
                        .iter()
                        .rev()
                        .take_while(|c| c.turn == ti)
                        .any(|c| c.kind == Kind::CardNumber));
            if !opened {
                return None;
            }
            from = hits
                .iter()
                .find(|h| h.ctx == Ctx::Card)
                .map(|h| h.start as usize)
                .into_iter()
                .chain(
                    cands
                        .iter()
                        .rev()
                        .take_while(|c| c.turn == ti)
                        .filter(|c| c.kind == Kind::CardNumber)
                        .map(|c| c.start),
                )
                .min()
                .unwrap_or(0);
            Some(CtxSet(
                Ctx::Card as u32 | Ctx::Cvv as u32 | Ctx::Expiry as u32,
            ))
        });
        if let Some(want) = capture {
            let mut add: [Cand; 16] = [Cand {
                turn: ti,
                start: 0,
                end: 0,
                kind: Kind::CardNumber,
                rule: "",
            }; 16];
            let mut n = 0;
            let mut event_dates = [(0usize, 0usize); 8];
            let mut n_event = 0;
            // Free of every candidate that will survive resolution (one that a
            // higher-priority candidate overlaps will not).
            let free = |s: usize, e: usize, cands: &[Cand]| {
                let this = || cands.iter().rev().take_while(|c| c.turn == ti);
                !this().any(|c| {
                    c.start < e
                        && s < c.end
                        && !this().any(|o| {
                            o.kind.priority() > c.kind.priority()
                                && o.start < c.end
                                && c.start < o.end
                        })
                })
            };
            // The nearest keyword before it in the turn names something else
            // ("the order number is ...", "my phone is ...").
            let other_ctx = |pos: usize| {
                context::before(hits, pos, pos).is_some_and(|h| h.ctx as u32 & PAY_CTX == 0)
            };
            for dc in dates.iter() {
                // Expiries have no day ("delivered on the 3rd of May 2025"), are not
                // event dates ("on 2025-12-08") and not pauses ("one second").
                let prep = dc.tok_start > 0
                    && text::eq_any(
                        toks[dc.tok_start - 1].bytes(b),
                        &[
                            "on", "since", "from", "until", "by", "before", "after", "in", "at",
                        ],
                    );
                // "hang on two nine seven": "on" ending a request to wait introduces no date.
                let prep = prep
                    && !(dc.tok_start > 1
                        && text::eq(toks[dc.tok_start - 1].bytes(b), "on")
                        && text::eq_any(
                            toks[dc.tok_start - 2].bytes(b),
                            &["hang", "hold", "holding", "hanging", "go", "carry"],
                        ));
                let pause = dc.tok_end > 0
                    && text::eq_any(
                        toks[dc.tok_end - 1].bytes(b),
                        &["second", "seconds", "sec", "secs", "minute", "moment"],
                    );
                if masked_before(b, toks, dc.tok_start) {
                    continue;
                }
                let not_expiry = dc.full || dc.has_ord || prep || pause;
                if not_expiry && n_event < event_dates.len() {
                    event_dates[n_event] = (dc.start, dc.end);
                    n_event += 1;
                }
                // A date reading inside a longer digit string is not a date.
                let inside_run = runs.iter().any(|r| {
                    let (rs, re) = (r.start(toks), r.end());
                    rs < dc.end && dc.start < re && (rs < dc.start || re > dc.end)
                });
                let date_wanted = want.0 & CARD_CTX != 0
                    && (want.has(Ctx::Expiry) || dc.has_month || dc.month_year);
                if n < add.len()
                    && dc.start >= from
                    && !not_expiry
                    && date_wanted
                    && !inside_run
                    && free(dc.start, dc.end, cands)
                    && !other_ctx(dc.start)
                    && !is_money(b, dc.start, dc.end)
                {
                    add[n] = Cand {
                        turn: ti,
                        start: dc.start,
                        end: dc.end,
                        kind: Kind::CardExpiry,
                        rule: "pci.capture",
                    };
                    n += 1;
                }
            }
            for run in runs.iter() {
                let (s, e, l) = (run.start(toks), run.end(), run.len);
                // Inside a date already taken as an expiry, or an event date.
                let in_date = add[..n].iter().any(|c| c.start < e && s < c.end)
                    || event_dates[..n_event].iter().any(|&(a, z)| a < e && s < z);
                let pause = toks.get(run.tok_end).is_some_and(|t| {
                    text::eq_any(
                        t.bytes(b),
                        &["second", "seconds", "sec", "secs", "minute", "moment"],
                    )
                });
                // A full-length number that fails the card checksum is not a card.
                let not_card = (13..=19).contains(&l) && !checks::luhn(run.digits());
                // A house number that starts a street ("332 linden crescent").
                let street = address::street_only(b, toks, run.tok_start).is_some();
                if n >= add.len()
                    || s < from
                    || l < 2
                    || street
                    || in_date
                    || pause
                    || other_ctx(s)
                    || masked_or_code(b, toks, run)
                {
                    continue;
                }
                let near = context::before(hits, s, 48).map(|h| h.ctx);
                let whole = free(s, e, cands);
                // An amount is not payment data, but digits glued to a card number inside
                // what reads as an amount ("$. 5500-0000-0000-0004 00") are: once the card
                // is replaced, they would stand alone after the request.
                if whole && (not_card || is_money(b, s, e)) {
                    continue;
                }
                if whole {
                    add[n] = Cand {
                        turn: ti,
                        start: s,
                        end: e,
                        kind: payment_kind(near, want, run.digits()),
                        rule: "pci.capture",
                    };
                    n += 1;
                    continue;
                }
                // Partly taken (a card number with digits glued to it): the digits
                // left over on either side are payment data too.
                let items = run.items();
                let item_free =
                    |k: usize| free(items[k].start as usize, items[k].end as usize, cands);
                let mut a = 0;
                while a < items.len() && item_free(a) {
                    a += 1;
                }
                let mut z = items.len();
                while z > a && item_free(z - 1) {
                    z -= 1;
                }
                for (from, to) in [(0, a), (z, items.len())] {
                    if from < to && n < add.len() {
                        let ds = items[from].dpos as usize;
                        let de = items[to - 1].dpos as usize + items[to - 1].ndig as usize;
                        add[n] = Cand {
                            turn: ti,
                            start: items[from].start as usize,
                            end: items[to - 1].end as usize,
                            kind: payment_kind(near, want, &run.digits()[ds..de]),
                            rule: "pci.capture",
                        };
                        n += 1;
                    }
                }
            }
            for c in &add[..n] {
                push!(c.start, c.end, c.kind, c.rule);
            }
        }
    }

    fn is_phone(&self, b: &[u8], run: &Run, s: usize, e: usize, ctx: CtxSet) -> bool {
        let l = run.len;
        if ctx.has(Ctx::Phone) && !ctx.has(Ctx::Card) {
            return true;
        }
        let mut g = [0u8; 8];
        let n = run.group_sizes(&mut g);
        let d = run.digits();
        let nanp = !run.spoken
            && ((n == 3 && g[..3] == [3, 3, 4]) || (n == 4 && g[..4] == [1, 3, 3, 4] && d[0] == 1))
            && d[if n == 4 { 1 } else { 0 }] >= 2;
        // An unseparated 10-digit NANP-shaped number (area and exchange codes
        // start with 2-9) with no other context is a phone ("Regards, Ann 6039779820").
        let bare_nanp =
            !run.spoken && n == 1 && l == 10 && d[0] >= 2 && d[3] >= 2 && ctx.is_empty();
        if nanp || bare_nanp || (run.paren && l >= 10) {
            return true;
        }
        if run.spoken {
            // A spoken 10-11 digit string shaped like a national number (a trunk
            // "0", or NANP area and exchange codes starting 2-9) with no other context.
            return ctx.is_empty()
                && ((l == 11 && d[0] == 0)
                    || (l == 10 && (d[0] == 0 || (d[0] >= 2 && d[3] >= 2))));
        }
        let Ok(txt) = std::str::from_utf8(&b[s..e]) else {
            return false;
        };
        if run.plus || (l >= 10 && d[0] == 0) || (l >= 10 && run.seps != 0) {
            return self.valid_phone(txt, run.plus);
        }
        false
    }

    fn ibans(
        &self,
        b: &[u8],
        toks: &[Token],
        hits: &[Hit],
        push: &mut impl FnMut(usize, usize, Kind, &'static str),
    ) {
        let _ = hits;
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            let w = t.bytes(b);
            if w.len() >= 4
                && w[0].is_ascii_alphabetic()
                && w[1].is_ascii_alphabetic()
                && w[2].is_ascii_digit()
                && w[3].is_ascii_digit()
            {
                let cc = [w[0].to_ascii_uppercase(), w[1].to_ascii_uppercase()];
                if let Some(n) = checks::iban_length(cc) {
                    let mut buf = [0u8; 34];
                    let mut len = 0;
                    let mut j = i;
                    let mut ok = false;
                    while let Some(x) = toks.get(j) {
                        if j > i && (!x.gap_before || x.class == Class::Punct) {
                            break;
                        }
                        if x.class == Class::Punct {
                            break;
                        }
                        for &c in x.bytes(b) {
                            if len < 34 && c.is_ascii_alphanumeric() {
                                buf[len] = c.to_ascii_uppercase();
                                len += 1;
                            }
                        }
                        j += 1;
                        if len >= n {
                            ok = len == n;
                            break;
                        }
                    }
                    if ok && checks::iban_mod97(&buf[..n]) {
                        push(
                            t.start as usize,
                            toks[j - 1].end as usize,
                            Kind::Iban,
                            "bank.iban",
                        );
                        i = j;
                        continue;
                    }
                }
            }
            i += 1;
        }
    }

    fn join_fragments(&self, sc: &mut Scratch) {
        let frags = &sc.frags;
        let mut used = vec![false; frags.len()];
        for a in 0..frags.len() {
            if used[a] || !frags[a].card_ctx {
                continue;
            }
            let mut digits = [0u8; 40];
            let mut len = 0;
            let mut chain = [0usize; 8];
            let mut nchain = 0;
            let mut last_turn = frags[a].turn;
            let mut k = a;
            while k < frags.len() && nchain < 8 {
                let f = &frags[k];
                if k != a && (f.speaker != frags[a].speaker || f.turn > last_turn + 3 || used[k]) {
                    k += 1;
                    if f.turn > last_turn + 3 {
                        break;
                    }
                    continue;
                }
                if len + f.len > 19 {
                    break;
                }
                digits[len..len + f.len].copy_from_slice(&f.digits[..f.len]);
                len += f.len;
                chain[nchain] = k;
                nchain += 1;
                last_turn = f.turn;
                let pan =
                    checks::is_card(&digits[..len]) || (len >= 13 && checks::luhn(&digits[..len]));
                if (12..=19).contains(&len) && pan {
                    for &c in &chain[..nchain] {
                        used[c] = true;
                        let f = &frags[c];
                        sc.cands.push(Cand {
                            turn: f.turn,
                            start: f.start,
                            end: f.end,
                            kind: Kind::CardNumber,
                            rule: "pci.pan.split",
                        });
                    }
                    break;
                }
                k += 1;
            }
        }
    }
}

/// The payment exchange of a conversation: opened when the agent asks for card details
/// (or the customer gives them), it lasts until the agent closes the payment, moves to
/// another subject, or the customer stops giving numbers. While it lasts, the customer's
/// numbers are payment data; `want` is what was last asked for.
#[derive(Debug, Default, Clone, Copy)]
struct Payment {
    active: bool,
    want: CtxSet,
    /// Customer turns in a row without a number.
    idle: u8,
    /// Agent turns since the last payment question.
    since_ask: u8,
}

const CARD_CTX: u32 = Ctx::Card as u32 | Ctx::Cvv as u32 | Ctx::Expiry as u32 | Ctx::Pin as u32;
const BANK_CTX: u32 = Ctx::Account as u32 | Ctx::Routing as u32 | Ctx::Iban as u32;
const PAY_CTX: u32 = CARD_CTX | BANK_CTX;
const OTHER_CTX: u32 = Ctx::Name as u32
    | Ctx::Address as u32
    | Ctx::Phone as u32
    | Ctx::Email as u32
    | Ctx::Dob as u32
    | Ctx::Ssn as u32;

impl Payment {
    fn after_agent(&mut self, hits: &[Hit], asked: CtxSet) {
        let last4 = hits.iter().any(|h| h.ctx == Ctx::Last4);
        let mut want = CtxSet(asked.0 & PAY_CTX);
        if last4 {
            // "the card ending in 1234": a card named, not asked for.
            want.0 &= !(Ctx::Card as u32);
        }
        if hits.iter().any(|h| h.ctx == Ctx::Done) {
            self.active = false;
        } else if !want.is_empty() {
            *self = Payment {
                active: true,
                want,
                idle: 0,
                since_ask: 0,
            };
        } else if asked.0 & OTHER_CTX != 0 {
            self.active = false;
        } else {
            // "mhm", "go on", "take your time": the exchange goes on, for a while.
            self.since_ask = self.since_ask.saturating_add(1);
            if self.since_ask > 4 {
                self.active = false;
            }
        }
    }

    fn after_customer(&mut self, hits: &[Hit], card_given: bool, has_number: bool) {
        if !self.active && (card_given || hits.iter().any(|h| h.ctx == Ctx::Card)) {
            // The customer opens it ("my card is ...").
            let last4 = hits.iter().any(|h| h.ctx == Ctx::Last4);
            if !last4 {
                *self = Payment {
                    active: true,
                    want: CtxSet(Ctx::Card as u32 | Ctx::Cvv as u32 | Ctx::Expiry as u32),
                    idle: 0,
                    since_ask: 0,
                };
            }
            return;
        }
        if self.active {
            if has_number {
                self.idle = 0;
            } else {
                self.idle += 1;
                if self.idle >= 3 {
                    self.active = false;
                }
            }
        }
    }
}

/// What a number said during payment capture is, from the words just before it
/// (if they name a card part) or what the agent asked for, then its length.
fn payment_kind(near: Option<Ctx>, want: CtxSet, d: &[u8]) -> Kind {
    let l = d.len();
    let w = match near {
        Some(
            c @ (Ctx::Card
            | Ctx::Cvv
            | Ctx::Expiry
            | Ctx::Pin
            | Ctx::Account
            | Ctx::Routing
            | Ctx::Iban),
        ) => {
            let mut w = CtxSet::default();
            w.add(c);
            w
        }
        _ => want,
    };
    let mmyy = (l == 4 || l == 6) && {
        let m = d[0] * 10 + d[1];
        (1..=12).contains(&m)
    };
    if w.0 & BANK_CTX != 0 && w.0 & CARD_CTX == 0 {
        return Kind::BankAccount;
    }
    if w.has(Ctx::Expiry) && mmyy && !(w.has(Ctx::Cvv) && l == 4 && w.has(Ctx::Card)) {
        return Kind::CardExpiry;
    }
    if w.has(Ctx::Cvv) && (3..=4).contains(&l) {
        return Kind::CardCvv;
    }
    if w.has(Ctx::Pin) && (4..=6).contains(&l) {
        return Kind::CardPin;
    }
    if w.has(Ctx::Card) || l >= 5 {
        return Kind::CardNumber;
    }
    if w.has(Ctx::Cvv) || l == 3 {
        return Kind::CardCvv;
    }
    if w.has(Ctx::Expiry) {
        return Kind::CardExpiry;
    }
    Kind::CardNumber
}

/// Longest sub-run (on item boundaries, anchored at an end) that is a valid card number.
fn card_subrun(run: &Run) -> Option<(usize, usize)> {
    let items = run.items();
    let d = run.digits();
    let mut best: Option<(usize, usize, usize)> = None;
    for a in 0..items.len() {
        for z in a + 1..=items.len() {
            let ds = items[a].dpos as usize;
            let de = items[z - 1].dpos as usize + items[z - 1].ndig as usize;
            let l = de - ds;
            if l > 19 {
                break;
            }
            // Anchored at either end of the run: a card with extra digits glued
            // before or after, never a window in the middle of a longer number.
            let anchored = a == 0 || z == items.len();
            if anchored && l >= 12 && checks::is_card(&d[ds..de]) && best.is_none_or(|b| l > b.0) {
                best = Some((l, items[a].start as usize, items[z - 1].end as usize));
            }
        }
    }
    best.map(|(_, s, e)| (s, e))
}

/// Drop overlapping candidates by priority, then length; sort by (turn, start).
fn resolve(c: &mut Vec<Cand>, inter: &Interaction) {
    c.sort_by(|a, b| {
        a.turn
            .cmp(&b.turn)
            .then(b.kind.priority().cmp(&a.kind.priority()))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
    });
    let mut keep: Vec<Cand> = Vec::with_capacity(c.len());
    let mut turn_from = 0;
    for x in c.iter() {
        if keep.last().is_some_and(|l| l.turn != x.turn) {
            turn_from = keep.len();
        }
        let kept = &keep[turn_from..];
        if !kept.iter().any(|k| k.start < x.end && x.start < k.end) {
            keep.push(*x);
            continue;
        }
        // Overlap: a lower-priority span is not dropped if most of it lies
        // outside the winners ("1-12" read as an expiry must not un-redact the
        // address "12 Baker Street, London NW1 6XE" it touches). Keep its
        // longest uncovered piece, trimmed to word characters.
        let mut best = (0usize, 0usize);
        let mut cur = x.start;
        let mut cuts: Vec<(usize, usize)> = kept
            .iter()
            .filter(|k| k.start < x.end && x.start < k.end)
            .map(|k| (k.start, k.end))
            .collect();
        cuts.sort_unstable();
        for (ks, ke) in cuts.iter().copied().chain(std::iter::once((x.end, x.end))) {
            if ks > cur && ks - cur > best.1 - best.0 {
                best = (cur, ks.min(x.end));
            }
            cur = cur.max(ke);
        }
        let text = inter
            .turns
            .get(x.turn)
            .map_or("", |t| t.text.as_str())
            .as_bytes();
        let (mut s, mut e) = best;
        while s < e
            && !text
                .get(s)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b >= 0x80)
        {
            s += 1;
        }
        while e > s
            && !text
                .get(e - 1)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b >= 0x80)
        {
            e -= 1;
        }
        let on_chars =
            std::str::from_utf8(text).is_ok_and(|t| t.is_char_boundary(s) && t.is_char_boundary(e));
        if on_chars && e > s && (e - s) * 10 >= (x.end - x.start) * 6 {
            keep.push(Cand {
                start: s,
                end: e,
                ..*x
            });
        }
    }
    keep.sort_by_key(|x| (x.turn, x.start));
    *c = keep;
}
