//! Conflicts of interest: what a disclosure is, how it is checked, who reviews it, how
//! a customer reference is matched without being stored, and how coverage is reported
//! without identifying anyone.
//!
//! A *disclosure* is one thing a person declares: a relative or close relation who is a
//! customer, a colleague relationship, a vendor relationship, outside employment, a
//! financial interest, a gift or hospitality (value and currency, received or offered),
//! or "nothing to declare", which is recorded as an answer in its own right (a yearly
//! campaign counts it as a submission).
//!
//! Customer references of a disclosed relative are never kept: [`ref_hash`] turns each
//! into HMAC-SHA-256 under a per-deployment key (random, sealed with the keyring, so it
//! survives `keys rotate`), and ingestion computes the same hash over an interaction's
//! `customer_ref` to find the agent's disclosed relations with one indexed lookup.
//!
//! Pure: the caller supplies the key, the clock and the people.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};

/// Longest free-text field, in characters.
pub const MAX_TEXT: usize = 1000;
/// Most customer references one disclosure may list.
pub const MAX_REFS: usize = 20;
/// Smallest group a coverage report shows.
pub const MIN_GROUP: usize = 5;
/// The keyring purpose of sealed disclosure details, rationales and mitigations.
pub const SEAL_PURPOSE: &str = "conflicts.disclosure";
/// The keyring purpose of the sealed per-deployment customer-reference key.
pub const REF_KEY_PURPOSE: &str = "conflicts.ref-key";
/// Default value above which a gift needs approval, in minor units (100.00).
pub const DEFAULT_GIFT_THRESHOLD: i64 = 10_000;
/// Default currency of the threshold.
pub const DEFAULT_GIFT_CURRENCY: &str = "USD";

/// What a disclosure declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// "Nothing to declare".
    Nothing,
    /// A family member or close relation who is a customer.
    RelativeCustomer,
    /// A family member or close relation who is a colleague.
    Colleague,
    /// A relationship with a vendor (owner, family, ...).
    Vendor,
    /// Work outside RightTrack's organisation.
    OutsideEmployment,
    /// A financial interest (shares, loans, ...).
    FinancialInterest,
    /// A gift or hospitality, received or offered.
    Gift,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Nothing,
        Kind::RelativeCustomer,
        Kind::Colleague,
        Kind::Vendor,
        Kind::OutsideEmployment,
        Kind::FinancialInterest,
        Kind::Gift,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nothing => "nothing",
            Kind::RelativeCustomer => "relative_customer",
            Kind::Colleague => "colleague",
            Kind::Vendor => "vendor",
            Kind::OutsideEmployment => "outside_employment",
            Kind::FinancialInterest => "financial_interest",
            Kind::Gift => "gift",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Nothing => "Nothing to declare",
            Kind::RelativeCustomer => "Relative or close relation who is a customer",
            Kind::Colleague => "Relationship with a colleague",
            Kind::Vendor => "Relationship with a vendor",
            Kind::OutsideEmployment => "Outside employment",
            Kind::FinancialInterest => "Financial interest",
            Kind::Gift => "Gift or hospitality",
        }
    }
}

/// When a disclosure was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// In answer to a yearly campaign.
    Campaign,
    /// On hire.
    Hire,
    /// At any other time.
    AdHoc,
}

impl Occasion {
    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Campaign => "campaign",
            Occasion::Hire => "hire",
            Occasion::AdHoc => "ad_hoc",
        }
    }

    pub fn parse(s: &str) -> Option<Occasion> {
        match s.trim() {
            "campaign" => Some(Occasion::Campaign),
            "hire" => Some(Occasion::Hire),
            "ad_hoc" | "" => Some(Occasion::AdHoc),
            _ => None,
        }
    }
}

/// An ethics officer's decision on a disclosure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Approve with a mitigation (an owner and a review date).
    Mitigate,
    Reject,
}

impl Decision {
    pub fn parse(s: &str) -> Option<Decision> {
        match s.trim() {
            "approve" => Some(Decision::Approve),
            "mitigate" => Some(Decision::Mitigate),
            "reject" => Some(Decision::Reject),
            _ => None,
        }
    }

    /// The disclosure's status after the decision.
    pub fn status(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Mitigate => "mitigated",
            Decision::Reject => "rejected",
        }
    }
}

/// A disclosure's text fields; stored sealed as one JSON value ([`SEAL_PURPOSE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    /// The relative's, vendor's or employer's name; the giver or receiver of a gift.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// "sister", "friend", "owner", "part-time role", ...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub relationship: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A checked submission, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub kind: Kind,
    pub details: Details,
    /// Normalized customer references (relative who is a customer); hashed before storage.
    pub customer_refs: Vec<String>,
    /// The colleague's username (colleague relationship).
    pub colleague: Option<String>,
    /// received or offered (gift).
    pub gift_direction: Option<&'static str>,
    /// In minor units (cents).
    pub gift_value: Option<i64>,
    pub gift_currency: Option<String>,
}

/// The raw fields of a submission, as a form or JSON body gives them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relationship: String,
    #[serde(default)]
    pub description: String,
    /// Comma- or line-separated.
    #[serde(default)]
    pub customer_refs: String,
    #[serde(default)]
    pub colleague: String,
    #[serde(default)]
    pub direction: String,
    /// Decimal, e.g. `120.50`.
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub currency: String,
}

/// A refused field: the message names it, never echoes its content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

fn bad(field: &'static str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field,
        reason: reason.into(),
    }
}

/// A free-text field, trimmed: at most [`MAX_TEXT`] characters, required when asked.
pub fn text(field: &'static str, s: &str, required: bool) -> Result<String, FieldError> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(bad(field, "is required"));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(bad(field, format!("is longer than {MAX_TEXT} characters")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(bad(field, "contains control characters"));
    }
    Ok(t.to_owned())
}

/// The form of a customer reference that is hashed: trimmed, ASCII letters lowercased.
/// Telephony platforms and people write account numbers with varying case; inner
/// characters are kept as they are.
pub fn normalize_ref(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

/// The keyed hash of a customer reference: HMAC-SHA-256 under the deployment's
/// reference key over [`normalize_ref`]'s output.
pub fn ref_hash(key: &[u8; 32], customer_ref: &str) -> [u8; 32] {
    // HMAC zero-pads a key shorter than the block (64 bytes for SHA-256), so the padded
    // key gives the same MAC as the 32-byte one, through the infallible constructor.
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let mut mac = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new(&block.into());
    mac.update(normalize_ref(customer_ref).as_bytes());
    mac.finalize().into_bytes().into()
}

/// Parses a decimal amount (`120`, `120.5`, `120.50`) into minor units (two decimals).
pub fn parse_money(s: &str) -> Result<i64, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("is required".into());
    }
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return Err("expected an amount such as 120 or 120.50".into());
    }
    let w: i64 = whole.parse().map_err(|_| "is too large".to_owned())?;
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().unwrap_or(0) * 10,
        _ => frac.parse::<i64>().unwrap_or(0),
    };
    Ok(w * 100 + f)
}

/// Minor units as a decimal string: `12050` → `120.50`.
pub fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// An ISO 4217-shaped currency code: three ASCII letters, uppercased.
pub fn parse_currency(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(t.to_ascii_uppercase())
    } else {
        Err("expected a three-letter currency code such as USD".into())
    }
}

/// Does a gift need an ethics officer's approval? Above the threshold, yes; in another
/// currency than the threshold's we cannot compare without exchange rates, so yes too
/// (the safe side).
pub fn gift_needs_approval(
    value: i64,
    currency: &str,
    threshold: i64,
    threshold_currency: &str,
) -> bool {
    currency != threshold_currency || value > threshold
}

/// Checks a submission's fields for its kind.
pub fn check(f: &Fields) -> Result<Submission, FieldError> {
    let kind = Kind::parse(&f.kind).ok_or_else(|| {
        bad(
            "kind",
            "expected nothing, relative_customer, colleague, vendor, outside_employment, financial_interest or gift",
        )
    })?;
    let mut s = Submission {
        kind,
        details: Details::default(),
        customer_refs: Vec::new(),
        colleague: None,
        gift_direction: None,
        gift_value: None,
        gift_currency: None,
    };
    match kind {
        Kind::Nothing => {}
        Kind::RelativeCustomer => {
            s.details.name = text("name", &f.name, true)?;
            s.details.relationship = text("relationship", &f.relationship, true)?;
            s.details.description = text("description", &f.description, false)?;
            let mut refs: Vec<String> = f
                .customer_refs
                .split([',', '\n', ';'])
                .map(normalize_ref)
                .filter(|r| !r.is_empty())
                .collect();
            refs.sort();
            refs.dedup();
            if refs.is_empty() {
                return Err(bad(
                    "customer_refs",
                    "is required: the customer reference (account number) of the relation",
                ));
            }
            if refs.len() > MAX_REFS {
                return Err(bad(
                    "customer_refs",
                    format!("at most {MAX_REFS} references"),
                ));
            }
            if refs.iter().any(|r| r.chars().count() > 200) {
                return Err(bad(
                    "customer_refs",
                    "a reference is longer than 200 characters",
                ));
            }
            s.customer_refs = refs;
        }
        Kind::Colleague => {
            let c = f.colleague.trim();
            if c.is_empty() {
                return Err(bad("colleague", "is required: the colleague's username"));
            }
            s.colleague = Some(c.to_owned());
            s.details.relationship = text("relationship", &f.relationship, true)?;
            s.details.description = text("description", &f.description, false)?;
        }
        Kind::Vendor | Kind::OutsideEmployment => {
            s.details.name = text("name", &f.name, true)?;
            s.details.relationship = text("relationship", &f.relationship, true)?;
            s.details.description = text("description", &f.description, false)?;
        }
        Kind::FinancialInterest => {
            s.details.name = text("name", &f.name, false)?;
            s.details.description = text("description", &f.description, true)?;
        }
        Kind::Gift => {
            s.gift_direction = Some(match f.direction.trim() {
                "received" => "received",
                "offered" => "offered",
                _ => return Err(bad("direction", "expected received or offered")),
            });
            s.details.name = text("name", &f.name, true)?;
            s.details.description = text("description", &f.description, true)?;
            s.gift_value = Some(parse_money(&f.value).map_err(|r| bad("value", r))?);
            s.gift_currency = Some(parse_currency(&f.currency).map_err(|r| bad("currency", r))?);
        }
    }
    Ok(s)
}

/// A possible reviewer: an active ethics officer and their open reviews.
#[derive(Debug, Clone, Copy)]
pub struct Reviewer<'a> {
    pub username: &'a str,
    pub open_reviews: usize,
}

/// The reviewer of a disclosure: the ethics officer with the fewest open reviews (ties
/// by username) who is neither the discloser nor the colleague the disclosure names.
pub fn route<'a>(
    officers: &[Reviewer<'a>],
    discloser: &str,
    named: Option<&str>,
) -> Option<&'a str> {
    crate::workload::least_loaded(
        officers.iter().map(|o| (o.username, o.open_reviews as u64)),
        &[Some(discloser), named],
    )
}

/// One group of a coverage report, before suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub members: usize,
    pub submitted: usize,
}

/// One group as shown: numbers only when the group is large enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted: Option<usize>,
    /// Whole per cent submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent: Option<usize>,
    pub suppressed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// Applies small-group suppression to a coverage report. A group of fewer than
/// [`MIN_GROUP`] people shows no number. When the suppressed groups hold 1 to 4 people
/// between them, the smallest shown group is withheld too, or the overall total minus
/// the shown groups would give the small group's figures.
pub fn suppress(groups: Vec<Group>) -> Vec<CoverageRow> {
    let hidden: usize = groups
        .iter()
        .filter(|g| g.members < MIN_GROUP)
        .map(|g| g.members)
        .sum();
    let mut also: Option<usize> = None;
    if (1..MIN_GROUP).contains(&hidden) {
        also = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.members >= MIN_GROUP)
            .min_by_key(|(_, g)| g.members)
            .map(|(i, _)| i);
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let reason = if g.members < MIN_GROUP {
                Some("fewer than 5 people")
            } else if also == Some(i) {
                Some("withheld so that a smaller group cannot be worked out")
            } else {
                None
            };
            match reason {
                Some(r) => CoverageRow {
                    name: g.name,
                    members: None,
                    submitted: None,
                    percent: None,
                    suppressed: true,
                    reason: Some(r),
                },
                None => CoverageRow {
                    percent: Some(g.submitted * 100 / g.members.max(1)),
                    name: g.name,
                    members: Some(g.members),
                    submitted: Some(g.submitted),
                    suppressed: false,
                    reason: None,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(kind: &str) -> Fields {
        Fields {
            kind: kind.into(),
            ..Fields::default()
        }
    }

    #[test]
    fn nothing_to_declare_is_an_answer() {
        let s = check(&fields("nothing")).unwrap();
        assert_eq!(s.kind, Kind::Nothing);
    }

    #[test]
    fn a_relative_needs_a_name_and_references_which_are_normalized() {
        let mut f = fields("relative_customer");
        f.relationship = "sister".into();
        assert_eq!(check(&f).unwrap_err().field, "name");
        f.name = "Rosa".into();
        assert_eq!(check(&f).unwrap_err().field, "customer_refs");
        f.customer_refs = " AC-1001, ac-1001\nAC-2002 ".into();
        let s = check(&f).unwrap();
        assert_eq!(s.customer_refs, vec!["ac-1001", "ac-2002"]);
    }

    #[test]
    fn gifts_need_a_direction_an_amount_and_a_currency() {
        let mut f = fields("gift");
        f.name = "Acme".into();
        f.description = "dinner".into();
        assert_eq!(check(&f).unwrap_err().field, "direction");
        f.direction = "received".into();
        f.value = "12,5".into();
        assert_eq!(check(&f).unwrap_err().field, "value");
        f.value = "120.5".into();
        f.currency = "dollars".into();
        assert_eq!(check(&f).unwrap_err().field, "currency");
        f.currency = "eur".into();
        let s = check(&f).unwrap();
        assert_eq!(s.gift_value, Some(12050));
        assert_eq!(s.gift_currency.as_deref(), Some("EUR"));
        assert_eq!(money(12050), "120.50");
    }

    #[test]
    fn gift_threshold_and_foreign_currencies() {
        assert!(!gift_needs_approval(10_000, "USD", 10_000, "USD"));
        assert!(gift_needs_approval(10_001, "USD", 10_000, "USD"));
        assert!(gift_needs_approval(500, "EUR", 10_000, "USD"));
    }

    #[test]
    fn ref_hash_is_keyed_and_normalized() {
        let k1 = [1u8; 32];
        let k2 = [2u8; 32];
        assert_eq!(ref_hash(&k1, " AC-1001 "), ref_hash(&k1, "ac-1001"));
        assert_ne!(ref_hash(&k1, "ac-1001"), ref_hash(&k2, "ac-1001"));
        assert_ne!(ref_hash(&k1, "ac-1001"), ref_hash(&k1, "ac-1002"));
    }

    #[test]
    fn reviewers_exclude_the_discloser_and_the_named_colleague() {
        let o = [
            Reviewer {
                username: "ana",
                open_reviews: 0,
            },
            Reviewer {
                username: "bo",
                open_reviews: 0,
            },
            Reviewer {
                username: "cy",
                open_reviews: 3,
            },
        ];
        assert_eq!(route(&o, "zed", None), Some("ana"));
        assert_eq!(route(&o, "ana", None), Some("bo"));
        assert_eq!(route(&o, "ana", Some("bo")), Some("cy"));
        assert_eq!(route(&o[..1], "ana", None), None);
    }

    #[test]
    fn small_groups_and_their_complement_are_suppressed() {
        let g = |n: &str, m, s| Group {
            name: n.into(),
            members: m,
            submitted: s,
        };
        let rows = suppress(vec![g("a", 3, 1), g("b", 6, 6), g("c", 10, 5)]);
        assert!(rows[0].suppressed && rows[0].members.is_none());
        assert!(
            rows[1].suppressed,
            "smallest shown group withheld as complement"
        );
        assert_eq!(rows[2].percent, Some(50));
        // Two small groups of 3 hold 6 people: no complement needed.
        let rows = suppress(vec![g("a", 3, 1), g("b", 3, 3), g("c", 10, 5)]);
        assert!(!rows[2].suppressed);
    }
}
