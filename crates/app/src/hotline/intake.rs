//! The reporter's side of the hotline: filing a report, and the receipt that opens it
//! again to read the thread, add a message or files.
//!
//! **Invariants.** Nothing identifying the reporter is read or kept: these use cases
//! take no actor and record no address, agent or session. Every text field is sealed
//! with a fresh per-case key (field name as associated data); the key is wrapped for
//! each entitled reader ([`super::cases::entitled`], so conflicts of interest apply
//! from the first moment) and for the reporter under the receipt's key; the receipt is
//! never stored. A named report's identity has a key of its own, wrapped only for
//! identity custodians. Payment card data typed into a report is masked before sealing.
//!
//! Receipts are derived with argon2id behind a gate the caller passes in (the web
//! shell keeps one for the hotline), so a flood of receipts waits its turn instead of
//! taking every core. Validation of what a reporter typed, in their language, stays
//! with the web feature, which owns the words.

use crate::gate::Gate;
use crate::{Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::attachments::Prepared;
use righttrack_core::casekeys::{wrap_for_reader, CaseKey, Receipt, ReceiptKey, RECEIPT_DIGITS};
use righttrack_store::speakup::{NewCase, StoredCase, StoredMessage};
use righttrack_store::speakup_config::{Category, TextLists};
use righttrack_store::StoreError;
use serde_json::json;

use super::QUESTIONS_FIELD;

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(&e)
}

/// What a reporter sends, from the form or the API.
#[derive(Debug, Default)]
pub struct Report {
    pub category: String,
    pub description: String,
    pub when_where: String,
    pub people: String,
    pub exclude: String,
    pub answers: Vec<String>,
    pub anonymous: Option<bool>,
    pub name: String,
    pub contact: String,
    /// Checked and stripped files (`righttrack_core::attachments::prepare`).
    pub attachments: Vec<Prepared>,
}

/// A case reference: `RT-XXXX-XXXX` from 30 unambiguous characters (about 39 bits).
fn case_reference(rng: &mut impl rand::RngCore) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut out = String::from("RT-");
    let mut n = 0;
    while n < 8 {
        let b = (rng.next_u32() & 0xff) as u8;
        // 240 = 8 * 30: rejection sampling keeps the characters uniform.
        if b < 240 {
            if n == 4 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(b % 30)]));
            n += 1;
        }
    }
    out
}

/// Derives the receipt's lookup and key off the async runtime (argon2id is slow), behind
/// the hotline's own concurrency cap (`gate`: the web shell keeps one for the
/// hotline, apart from the password gate). The receipt is handed
/// back for display.
pub async fn derive(
    ctx: &Ctx,
    gate: &Gate,
    receipt: Receipt,
) -> Result<(
    Receipt,
    righttrack_core::casekeys::ReceiptLookup,
    ReceiptKey,
)> {
    let salt = ctx.db.speakup_install_salt(&mut rand::rngs::OsRng).await?;
    // A flood of receipts (from many clients, each within its limit) waits its turn
    // here instead of taking every core; past the queue it is told to come back.
    let (receipt, derived) = gate
        .run(move || {
            let d = receipt.derive(&salt);
            (receipt, d)
        })
        .await?;
    let (lookup, key) = derived.map_err(|e| Error::internal(&e))?;
    Ok((receipt, lookup, key))
}

/// A filed report: its reference, the receipt (shown once, never stored) and its
/// deadlines.
pub struct Filed {
    pub case: String,
    pub receipt: Receipt,
    pub ack_due: Timestamp,
    pub feedback_due: Timestamp,
}

/// The start of `t`'s UTC day: all that is kept of when a reporter did something.
pub fn day_of(t: Timestamp) -> Result<Timestamp> {
    Timestamp::from_millisecond(righttrack_store::speakup::day_floor(t)).map_err(internal)
}

/// `text` with card and other payment data masked by the scanning engine.
pub fn payment_masked(ctx: &Ctx, text: &str) -> Result<String> {
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    Ok(righttrack_core::interactions::scrub_payment(&engine, text))
}

/// Seals and stores a valid report (the shell has validated it) in language `lang`
/// (its code).
pub async fn file(
    ctx: &Ctx,
    receipt_gate: &Gate,
    r: &Report,
    cat: &Category,
    lang: &str,
) -> Result<Filed> {
    let now = ctx.now();
    let jurisdiction = ctx.db.default_jurisdiction().await?;
    let (ack_due, feedback_due) = jurisdiction
        .deadlines(now)
        .ok_or_else(|| internal("deadline out of range"))?;
    // Conflicts of interest apply from the first moment: the people the reporter names
    // (as involved, or as not to be trusted) never receive the key.
    let users = ctx.db.list_users().await?;
    let coi = super::cases::Coi {
        subjects: super::cases::people_named(&r.people, &users),
        reporter_excluded: super::cases::people_named(&r.exclude, &users),
        recused: Vec::new(),
    };
    let routed = super::cases::entitled(ctx, &r.category, None, &coi).await?;
    // Card and other payment data typed into the report is masked before it is sealed,
    // like every other text the platform keeps; the rest stays as typed.
    let pay = |t: &str| payment_masked(ctx, t);
    let description = pay(&r.description)?;
    let when_where = pay(&r.when_where)?;
    let people = pay(&r.people)?;
    let answers = r
        .answers
        .iter()
        .map(|a| pay(a))
        .collect::<Result<Vec<_>>>()?;
    let epoch = ctx.db.readers_epoch().await?;
    for _ in 0..5 {
        let case = case_reference(&mut rand::rngs::OsRng);
        let key = CaseKey::generate(&mut rand::rngs::OsRng);
        let mut fields = Vec::new();
        let mut seal = |field: String, text: &str| -> Result<()> {
            if !text.trim().is_empty() {
                let sealed = key
                    .seal(&case, &field, text.as_bytes(), &mut rand::rngs::OsRng)
                    .map_err(internal)?;
                fields.push((field, sealed));
            }
            Ok(())
        };
        seal("description".into(), &description)?;
        seal("when_where".into(), &when_where)?;
        seal("people".into(), &people)?;
        for (i, a) in answers.iter().enumerate() {
            seal(format!("answer:{}", i + 1), a)?;
        }
        // The questions as asked, in every language: categories can be edited later,
        // and an answer must keep the question it answered.
        if answers.iter().any(|a| !a.trim().is_empty()) {
            let asked = serde_json::to_string(&cat.questions).map_err(internal)?;
            seal(QUESTIONS_FIELD.into(), &asked)?;
        }
        seal(
            "coi".into(),
            &serde_json::to_string(&coi).map_err(internal)?,
        )?;
        let (receipt, lookup, rkey) =
            derive(ctx, receipt_gate, Receipt::generate(&mut rand::rngs::OsRng)).await?;
        let mut identity_wraps = Vec::new();
        if r.anonymous == Some(false) {
            // The identity has its own key, wrapped only for identity custodians; while
            // there is none, only the reporter holds it (wrapped under their receipt) and
            // hands it to the custodians on their next visit: never the case's readers.
            let identity = json!({"name": r.name.trim(), "contact": r.contact.trim()});
            let ikey = CaseKey::generate(&mut rand::rngs::OsRng);
            fields.push((
                "identity".into(),
                ikey.seal(
                    &case,
                    "identity",
                    identity.to_string().as_bytes(),
                    &mut rand::rngs::OsRng,
                )
                .map_err(internal)?,
            ));
            for (u, public) in &routed.custodians {
                let w = wrap_for_reader(
                    public,
                    &righttrack_core::casekeys::identity_context(&case),
                    &ikey,
                    &mut rand::rngs::OsRng,
                )
                .map_err(internal)?;
                identity_wraps.push((*u, w));
            }
            if identity_wraps.is_empty() {
                fields.push((
                    IDENTITY_KEY_REPORTER.into(),
                    rkey.wrap(
                        &righttrack_core::casekeys::identity_context(&case),
                        &ikey,
                        &mut rand::rngs::OsRng,
                    )
                    .map_err(internal)?,
                ));
            }
        }
        let wraps = routed
            .readers
            .iter()
            .map(|(id, public)| {
                wrap_for_reader(public, &case, &key, &mut rand::rngs::OsRng).map(|w| (*id, w))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(internal)?;
        // A reporter's files are stamped with the day only, like their messages.
        let attachments =
            super::attachments::seal_all(&key, &case, "reporter", &r.attachments, day_of(now)?)?;
        let reporter_wrap = rkey
            .wrap(&case, &key, &mut rand::rngs::OsRng)
            .map_err(internal)?;
        let new = NewCase {
            id: case.clone(),
            category: r.category.clone(),
            anonymous: r.anonymous != Some(false),
            receipt_lookup: lookup.0,
            reporter_wrap,
            fields,
            wraps,
            identity_wraps,
            wraps_epoch: epoch,
            submitted_at: now,
            ack_due_at: ack_due,
            feedback_due_at: feedback_due,
            jurisdiction: jurisdiction.code.clone(),
            lang: lang.into(),
            attachments,
        };
        match ctx.db.create_speakup_case(&new).await {
            // Another case drew the same reference: draw everything again.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
            Ok(()) => {
                return Ok(Filed {
                    case,
                    receipt,
                    ack_due,
                    feedback_due,
                })
            }
        }
    }
    Err(internal("could not draw a free case reference"))
}

/// The field holding a named report's identity key wrapped under the reporter's receipt
/// key, while the installation had no identity custodian to give it to.
pub const IDENTITY_KEY_REPORTER: &str = "identity_key_reporter";

/// On a reporter's visit (the receipt is in hand), gives the identity key of their named
/// report to the identity custodians entitled to it, if it was kept for want of one, and
/// forgets the reporter's copy. Nothing is recorded about the visit.
pub async fn hand_identity_to_custodians(
    ctx: &Ctx,
    case: &StoredCase,
    key: &CaseKey,
    rkey: &ReceiptKey,
) -> Result<()> {
    let fields = ctx.db.case_fields(&case.id).await?;
    let Some((_, wrapped)) = fields.iter().find(|(f, _)| f == IDENTITY_KEY_REPORTER) else {
        return Ok(());
    };
    let coi: super::cases::Coi = match fields.iter().find(|(f, _)| f == "coi") {
        Some((_, sealed)) => {
            let raw = key.open(&case.id, "coi", sealed).map_err(internal)?;
            serde_json::from_slice(&raw).map_err(internal)?
        }
        None => super::cases::Coi::default(),
    };
    let want = super::cases::entitled(ctx, &case.category, None, &coi).await?;
    if want.custodians.is_empty() {
        return Ok(());
    }
    let context = righttrack_core::casekeys::identity_context(&case.id);
    let ikey = rkey.unwrap(&context, wrapped).map_err(internal)?;
    for (u, public) in &want.custodians {
        let w =
            wrap_for_reader(public, &context, &ikey, &mut rand::rngs::OsRng).map_err(internal)?;
        ctx.db.put_identity_wrap(&case.id, *u, &w).await?;
    }
    ctx.db
        .delete_case_field(&case.id, IDENTITY_KEY_REPORTER)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- the reporter's access

/// A case opened with its receipt.
pub struct Opened {
    pub case: StoredCase,
    pub key: CaseKey,
}

/// Opens the case a typed receipt belongs to. A malformed receipt costs the same
/// argon2id work as a well-formed one (behind `receipt_gate`, like [`file`](fn@file)); every
/// failure is `None`. The visit is counted, never recorded.
pub async fn open_case(ctx: &Ctx, receipt_gate: &Gate, typed: &str) -> Result<Option<Opened>> {
    let parsed = Receipt::parse(typed);
    let well_formed = parsed.is_some();
    let receipt = match parsed {
        Some(r) => r,
        None => Receipt::parse(&"0".repeat(RECEIPT_DIGITS)).ok_or_else(|| internal("receipt"))?,
    };
    let (_, lookup, rkey) = derive(ctx, receipt_gate, receipt).await?;
    // The lookup runs for a malformed receipt too, so both cost the same.
    let found = ctx.db.speakup_case_by_lookup(&lookup.0).await?;
    let Some(case) = found.filter(|_| well_formed) else {
        return Ok(None);
    };
    match rkey.unwrap(&case.id, &case.reporter_wrap) {
        Ok(key) => {
            // Counted for the anonymous follow-up rate; nothing about the visit is kept.
            ctx.db
                .note_reporter_visit(&case.id, ctx.now(), false)
                .await?;
            hand_identity_to_custodians(ctx, &case, &key, &rkey).await?;
            Ok(Some(Opened { case, key }))
        }
        Err(_) => Ok(None),
    }
}

pub fn open_text(o: &Opened, field: &str, sealed: &[u8]) -> Result<String> {
    let raw = o.key.open(&o.case.id, field, sealed).map_err(internal)?;
    String::from_utf8(raw).map_err(internal)
}

pub fn field_text(o: &Opened, field: &str) -> Result<Option<String>> {
    match o.case.fields.iter().find(|(f, _)| f == field) {
        Some((f, sealed)) => open_text(o, f, sealed).map(Some),
        None => Ok(None),
    }
}

/// The questions a case's answers reply to: as asked when it was filed, or (for cases
/// filed before questions were kept with the case) the category's current ones.
pub async fn asked_questions(ctx: &Ctx, o: &Opened) -> Result<TextLists> {
    if let Some(json) = field_text(o, QUESTIONS_FIELD)? {
        return serde_json::from_str(&json).map_err(internal);
    }
    Ok(ctx
        .db
        .speakup_category(&o.case.category)
        .await?
        .map(|c| c.questions)
        .unwrap_or_default())
}

/// What the reporter may add: a message, or a retaliation report (with an optional text).
pub async fn add_message(ctx: &Ctx, o: &Opened, kind: &'static str, text: &str) -> Result<()> {
    let id = super::cases::random_id();
    let text = payment_masked(ctx, text)?;
    let body_sealed = o
        .key
        .seal(
            &o.case.id,
            &format!("message:{id}"),
            text.as_bytes(),
            &mut rand::rngs::OsRng,
        )
        .map_err(internal)?;
    ctx.db
        .add_speakup_message(
            &o.case.id,
            &StoredMessage {
                id,
                author: "reporter".into(),
                kind: kind.into(),
                body_sealed,
                created_at: ctx.now(),
            },
        )
        .await?;
    ctx.db
        .note_reporter_visit(&o.case.id, ctx.now(), true)
        .await?;
    Ok(())
}

/// Seals and stores files the reporter added to their case.
pub async fn add_files(ctx: &Ctx, o: &Opened, files: &[Prepared]) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    // Kept by UTC day only, like the reporter's messages; after the files already there
    // (one millisecond each), so the list keeps the order they were sent in.
    let before = ctx.db.speakup_attachments(&o.case.id).await?.len();
    let at = day_of(ctx.now())?
        .checked_add(jiff::SignedDuration::from_millis(
            i64::try_from(before).unwrap_or(0),
        ))
        .map_err(internal)?;
    let sealed = super::attachments::seal_all(&o.key, &o.case.id, "reporter", files, at)?;
    ctx.db.add_speakup_attachments(&o.case.id, &sealed).await?;
    Ok(())
}

/// The case's thread as the reporter reads it: each message with its opened body.
pub async fn thread(ctx: &Ctx, o: &Opened) -> Result<Vec<(StoredMessage, String)>> {
    let mut messages = Vec::new();
    for m in ctx.db.speakup_messages(&o.case.id).await? {
        let body = open_text(o, &format!("message:{}", m.id), &m.body_sealed)?;
        messages.push((m, body));
    }
    Ok(messages)
}

/// The categories a reporter may choose (enabled ones, in their order).
pub async fn categories(ctx: &Ctx) -> Result<Vec<Category>> {
    Ok(ctx.db.enabled_speakup_categories().await?)
}

/// The label of a case's category in `lang` (a disabled category still labels the cases
/// filed under it; an unknown one is shown by its key).
pub async fn category_label(ctx: &Ctx, key: &str, lang: &str) -> Result<String> {
    Ok(ctx
        .db
        .speakup_category(key)
        .await?
        .map(|c| c.labels.get(lang).to_owned())
        .unwrap_or_else(|| key.to_owned()))
}
