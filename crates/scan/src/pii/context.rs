//! Context keywords: what the nearby words say a number or a phrase is.
//!
//! One aho-corasick automaton (ASCII case-insensitive, leftmost-longest) finds
//! every context keyword of a turn in one pass. A detector then asks two
//! questions about a candidate: what does the *same turn* say just before it
//! (nearest keyword within a window), and what did the *agent's last question*
//! ask for (the prompt)? "Can I get the security code?" followed by "it's 483"
//! makes 483 a CVV; "your order number is 483" makes it nothing.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// A context bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Ctx {
    /// Card number asked or named.
    Card = 1,
    /// CVV / security code.
    Cvv = 1 << 1,
    /// Expiry date.
    Expiry = 1 << 2,
    /// PIN.
    Pin = 1 << 3,
    /// Social security number.
    Ssn = 1 << 4,
    /// Bank account number.
    Account = 1 << 5,
    /// ABA routing number / sort code.
    Routing = 1 << 6,
    /// IBAN.
    Iban = 1 << 7,
    /// Phone number.
    Phone = 1 << 8,
    /// E-mail address.
    Email = 1 << 9,
    /// Date of birth.
    Dob = 1 << 10,
    /// Postal address.
    Address = 1 << 11,
    /// Person name asked.
    Name = 1 << 12,
    /// Order, ticket, case, tracking, reference, loyalty... numbers: not PII.
    Neg = 1 << 13,
    /// "card ending in": last four digits only, not PII.
    Last4 = 1 << 14,
    /// The agent closes a payment ("that's gone through", "anything else?"): ends the
    /// payment exchange. Never a context of a number.
    Done = 1 << 15,
}

/// A set of contexts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CtxSet(pub u32);

impl CtxSet {
    /// Contains `c`?
    #[inline]
    pub fn has(self, c: Ctx) -> bool {
        self.0 & (c as u32) != 0
    }
    /// Add `c`.
    #[inline]
    pub fn add(&mut self, c: Ctx) {
        self.0 |= c as u32;
    }
    /// Empty?
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A keyword hit in a turn.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    /// Start byte.
    pub start: u32,
    /// End byte.
    pub end: u32,
    /// What it means.
    pub ctx: Ctx,
}

const KEYWORDS: &[(&str, Ctx)] = &[
    ("card number", Ctx::Card),
    ("card no", Ctx::Card),
    ("credit card", Ctx::Card),
    ("debit card", Ctx::Card),
    ("long number", Ctx::Card),
    ("long card number", Ctx::Card),
    ("digits on the front", Ctx::Card),
    ("number on the card", Ctx::Card),
    ("number on the front", Ctx::Card),
    ("card details", Ctx::Card),
    ("card is", Ctx::Card),
    ("visa", Ctx::Card),
    ("mastercard", Ctx::Card),
    ("amex", Ctx::Card),
    ("read that back", Ctx::Card),
    // Payment capture by function, not by sentence: words that name a card or the
    // parts printed on it (front digits, the code on the back, the validity date).
    ("card", Ctx::Card),
    ("cards", Ctx::Card),
    ("the front", Ctx::Card),
    ("sixteen digits", Ctx::Card),
    ("sixteen digit", Ctx::Card),
    ("16 digits", Ctx::Card),
    ("16-digit", Ctx::Card),
    ("fifteen digits", Ctx::Card),
    ("15 digits", Ctx::Card),
    ("discover", Ctx::Card),
    ("maestro", Ctx::Card),
    ("jcb", Ctx::Card),
    ("diners", Ctx::Card),
    ("on the back", Ctx::Cvv),
    ("back of the card", Ctx::Cvv),
    ("back of your card", Ctx::Cvv),
    ("back of it", Ctx::Cvv),
    ("back code", Ctx::Cvv),
    ("on the reverse", Ctx::Cvv),
    ("signature", Ctx::Cvv),
    ("security digits", Ctx::Cvv),
    ("security numbers", Ctx::Cvv),
    ("three digits", Ctx::Cvv),
    ("3 digits", Ctx::Cvv),
    ("three digit", Ctx::Cvv),
    ("three-digit", Ctx::Cvv),
    ("3-digit", Ctx::Cvv),
    ("three numbers", Ctx::Cvv),
    ("3 numbers", Ctx::Cvv),
    ("last three", Ctx::Cvv),
    ("card code", Ctx::Cvv),
    ("verification value", Ctx::Cvv),
    ("verification number", Ctx::Cvv),
    ("cv2", Ctx::Cvv),
    ("cvn", Ctx::Cvv),
    ("valid", Ctx::Expiry),
    ("valid to", Ctx::Expiry),
    ("valid till", Ctx::Expiry),
    ("valid from", Ctx::Expiry),
    ("good until", Ctx::Expiry),
    ("good till", Ctx::Expiry),
    ("good thru", Ctx::Expiry),
    ("good through", Ctx::Expiry),
    ("good to", Ctx::Expiry),
    ("runs out", Ctx::Expiry),
    ("run out", Ctx::Expiry),
    ("end date", Ctx::Expiry),
    ("month and year", Ctx::Expiry),
    ("exp", Ctx::Expiry),
    ("expiring", Ctx::Expiry),
    ("expiry date", Ctx::Expiry),
    ("date on the card", Ctx::Expiry),
    ("date on the front", Ctx::Expiry),
    ("mm/yy", Ctx::Expiry),
    // The agent closing a payment.
    ("gone through", Ctx::Done),
    ("went through", Ctx::Done),
    ("processed", Ctx::Done),
    ("approved", Ctx::Done),
    ("declined", Ctx::Done),
    ("successful", Ctx::Done),
    ("all done", Ctx::Done),
    ("all set", Ctx::Done),
    ("all paid", Ctx::Done),
    ("paid up", Ctx::Done),
    ("anything else", Ctx::Done),
    ("receipt", Ctx::Done),
    ("been taken", Ctx::Done),
    ("payment is complete", Ctx::Done),
    ("transaction", Ctx::Done),
    ("cvv", Ctx::Cvv),
    ("cvc", Ctx::Cvv),
    ("cvv2", Ctx::Cvv),
    ("csc", Ctx::Cvv),
    ("security code", Ctx::Cvv),
    ("security number", Ctx::Cvv),
    ("verification code", Ctx::Cvv),
    ("digit code", Ctx::Cvv),
    ("code on the back", Ctx::Cvv),
    ("digits on the back", Ctx::Cvv),
    ("expiry", Ctx::Expiry),
    ("expiration", Ctx::Expiry),
    ("expires", Ctx::Expiry),
    ("expire", Ctx::Expiry),
    ("exp date", Ctx::Expiry),
    ("valid thru", Ctx::Expiry),
    ("valid through", Ctx::Expiry),
    ("valid until", Ctx::Expiry),
    ("pin", Ctx::Pin),
    ("pin number", Ctx::Pin),
    ("pin code", Ctx::Pin),
    ("ssn", Ctx::Ssn),
    ("social security", Ctx::Ssn),
    ("my social", Ctx::Ssn),
    ("social is", Ctx::Ssn),
    ("your social", Ctx::Ssn),
    ("tax id", Ctx::Ssn),
    ("account number", Ctx::Account),
    ("account no", Ctx::Account),
    ("acct", Ctx::Account),
    ("bank account", Ctx::Account),
    ("bank account number", Ctx::Account),
    ("social security number", Ctx::Ssn),
    ("direct debit", Ctx::Account),
    ("bank number", Ctx::Account),
    ("bank details", Ctx::Account),
    ("checking account", Ctx::Account),
    ("savings account", Ctx::Account),
    ("banking", Ctx::Account),
    ("pay from", Ctx::Account),
    ("which account", Ctx::Account),
    ("checking", Ctx::Account),
    ("savings", Ctx::Account),
    ("sort", Ctx::Routing),
    ("transit number", Ctx::Routing),
    ("bsb", Ctx::Routing),
    ("routing number", Ctx::Routing),
    ("routing", Ctx::Routing),
    ("aba", Ctx::Routing),
    ("sort code", Ctx::Routing),
    ("iban", Ctx::Iban),
    ("phone", Ctx::Phone),
    ("phone number", Ctx::Phone),
    ("callback number", Ctx::Phone),
    ("call back number", Ctx::Phone),
    ("call me at", Ctx::Phone),
    ("call me on", Ctx::Phone),
    ("reach me at", Ctx::Phone),
    ("reach me on", Ctx::Phone),
    ("mobile", Ctx::Phone),
    ("cell", Ctx::Phone),
    ("telephone", Ctx::Phone),
    ("tel", Ctx::Phone),
    ("text me", Ctx::Phone),
    ("reach you", Ctx::Phone),
    ("best number", Ctx::Phone),
    ("good number", Ctx::Phone),
    ("contact number", Ctx::Phone),
    ("number to call", Ctx::Phone),
    ("number to reach", Ctx::Phone),
    ("my number is", Ctx::Phone),
    ("my number's", Ctx::Phone),
    ("number to text", Ctx::Phone),
    ("work line", Ctx::Phone),
    ("landline", Ctx::Phone),
    ("home number", Ctx::Phone),
    ("work number", Ctx::Phone),
    ("office number", Ctx::Phone),
    ("office line", Ctx::Phone),
    ("direct line", Ctx::Phone),
    ("ring me", Ctx::Phone),
    ("get me on", Ctx::Phone),
    ("get me at", Ctx::Phone),
    ("one to call", Ctx::Phone),
    ("whatsapp", Ctx::Phone),
    ("extension", Ctx::Phone),
    ("email", Ctx::Email),
    ("e-mail", Ctx::Email),
    ("date of birth", Ctx::Dob),
    ("birth date", Ctx::Dob),
    ("birthdate", Ctx::Dob),
    ("birthday", Ctx::Dob),
    ("born", Ctx::Dob),
    ("dob", Ctx::Dob),
    ("d.o.b", Ctx::Dob),
    ("address", Ctx::Address),
    ("send it to", Ctx::Address),
    ("mail it to", Ctx::Address),
    ("ship it to", Ctx::Address),
    ("deliver it to", Ctx::Address),
    ("i live at", Ctx::Address),
    ("i'm now at", Ctx::Address),
    ("now at", Ctx::Address),
    ("moved to", Ctx::Address),
    ("where should we send", Ctx::Address),
    ("live at", Ctx::Address),
    ("living at", Ctx::Address),
    ("new address", Ctx::Address),
    ("new place is", Ctx::Address),
    ("home is", Ctx::Address),
    ("deliver to", Ctx::Address),
    ("send to", Ctx::Address),
    ("ship to", Ctx::Address),
    ("post it to", Ctx::Address),
    ("update it to", Ctx::Address),
    ("staying at", Ctx::Address),
    ("based at", Ctx::Address),
    ("postcode", Ctx::Address),
    ("zip code", Ctx::Address),
    ("your name", Ctx::Name),
    ("full name", Ctx::Name),
    ("who do i have the pleasure", Ctx::Name),
    ("who am i speaking", Ctx::Name),
    ("surname", Ctx::Name),
    ("last name", Ctx::Name),
    ("family name", Ctx::Name),
    ("first name", Ctx::Name),
    ("name on the card", Ctx::Name),
    ("name on the account", Ctx::Name),
    ("name on your card", Ctx::Name),
    ("name on the account", Ctx::Name),
    ("card holder", Ctx::Name),
    ("cardholder", Ctx::Name),
    ("account holder", Ctx::Name),
    ("as printed", Ctx::Name),
    ("who is the", Ctx::Name),
    ("spell your", Ctx::Name),
    ("order", Ctx::Neg),
    ("order number", Ctx::Neg),
    ("ticket", Ctx::Neg),
    ("case", Ctx::Neg),
    ("case number", Ctx::Neg),
    ("tracking", Ctx::Neg),
    ("reference", Ctx::Neg),
    ("ref", Ctx::Neg),
    ("confirmation number", Ctx::Neg),
    ("invoice", Ctx::Neg),
    ("model", Ctx::Neg),
    ("item", Ctx::Neg),
    ("sku", Ctx::Neg),
    ("parcel", Ctx::Neg),
    ("claim", Ctx::Neg),
    ("incident", Ctx::Neg),
    ("loyalty", Ctx::Neg),
    ("membership", Ctx::Neg),
    ("member number", Ctx::Neg),
    ("member id", Ctx::Neg),
    ("customer number", Ctx::Neg),
    ("serial", Ctx::Neg),
    ("booking", Ctx::Neg),
    ("flight", Ctx::Neg),
    ("offer expires", Ctx::Neg),
    ("deal expires", Ctx::Neg),
    ("expires in the next", Ctx::Neg),
    ("loyalty number", Ctx::Neg),
    ("membership number", Ctx::Neg),
    ("reference number", Ctx::Neg),
    ("ticket number", Ctx::Neg),
    ("tracking number", Ctx::Neg),
    ("policy number", Ctx::Neg),
    ("invoice number", Ctx::Neg),
    ("serial number", Ctx::Neg),
    ("model number", Ctx::Neg),
    ("item number", Ctx::Neg),
    ("booking number", Ctx::Neg),
    ("confirmation code", Ctx::Neg),
    ("account id", Ctx::Neg),
    ("ending in", Ctx::Last4),
    ("ending", Ctx::Last4),
    ("ends in", Ctx::Last4),
    ("last four", Ctx::Last4),
    ("last 4", Ctx::Last4),
    ("last digits", Ctx::Last4),
];

/// Compiled keyword automaton.
#[derive(Debug, Clone)]
pub struct Keywords {
    ac: AhoCorasick,
}

impl Keywords {
    /// Build the automaton.
    pub fn new() -> Result<Self, aho_corasick::BuildError> {
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(KEYWORDS.iter().map(|(k, _)| k))?;
        Ok(Keywords { ac })
    }

    /// Find whole-word keyword hits in `text` into `out` (cleared).
    pub fn find(&self, text: &[u8], out: &mut Vec<Hit>) {
        out.clear();
        for m in self.ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            // "<ADDRESS_1>" / "<CARD_NUMBER:…>" are redaction placeholders, not context.
            let before_ok = s == 0
                || !(text[s - 1].is_ascii_alphanumeric()
                    || text[s - 1] == b'<'
                    || text[s - 1] == b'_');
            let after_ok = e >= text.len() || !text[e].is_ascii_alphanumeric();
            if before_ok && after_ok {
                out.push(Hit {
                    start: s as u32,
                    end: e as u32,
                    ctx: KEYWORDS[m.pattern().as_usize()].1,
                });
            }
        }
    }
}

/// Nearest keyword ending at or before `pos`, within `window` bytes.
pub fn before(hits: &[Hit], pos: usize, window: usize) -> Option<Hit> {
    hits.iter()
        .rev()
        .find(|h| (h.end as usize) <= pos && h.ctx != Ctx::Done)
        .filter(|h| pos - h.end as usize <= window)
        .copied()
}

/// First keyword starting at or after `pos`, within `window` bytes ("... is my work line").
pub fn after(hits: &[Hit], pos: usize, window: usize) -> Option<Hit> {
    hits.iter()
        .find(|h| (h.start as usize) >= pos && h.ctx != Ctx::Done)
        .filter(|h| h.start as usize - pos <= window)
        .copied()
}

/// Contexts named in the last `tail` bytes of a turn (the agent's question).
pub fn prompt_set(hits: &[Hit], text_len: usize, tail: usize) -> CtxSet {
    let mut s = CtxSet::default();
    let from = text_len.saturating_sub(tail);
    for h in hits {
        if h.end as usize >= from && !matches!(h.ctx, Ctx::Neg | Ctx::Last4 | Ctx::Done) {
            s.add(h.ctx);
        }
    }
    s
}
