//! Demo hotline cases for `righttrack serve --demo`: reports filed through the intake use
//! case exactly as a reporter files them, then worked through the case team's use cases
//! ([`crate::hotline::actions`]: triage, assignment, messages, outcomes) with a reporter's
//! reply in between, so every sealed field, wrap, clock and timeline entry is made by the
//! real code paths.

use crate::gate::Gate;
use crate::hotline::actions::{self, Triage};
use crate::hotline::intake::{self, Report};
use crate::{Caller, Ctx, Error, Result, Via};
use righttrack_core::casekeys::seal_for_session;
use righttrack_core::Secret;
use righttrack_store::directory::User;

/// A staff member acting as on a web session that passed the second factor, their
/// reader key unlocked with their password (the session lives only in memory).
async fn sign_in(ctx: &Ctx, user: &User, password: &Secret<String>) -> Result<Caller> {
    let reader = crate::hotline::keys::ensure_reader_key(ctx, "demo", user, password).await?;
    let sid = Secret::new(crate::hotline::cases::random_id());
    let reader_sealed = reader
        .map(|r| seal_for_session(&r, sid.expose(), &mut rand::rngs::OsRng))
        .transpose()
        .map_err(|e| Error::internal(&e))?;
    let user = ctx
        .db
        .user_by_id(user.id)
        .await?
        .ok_or_else(Error::not_found)?;
    Ok(Caller {
        user,
        via: Via::Session {
            id_hash: [0; 32],
            csrf: Secret::new(String::new()),
            mfa_passed: true,
            sid,
            reader_sealed,
        },
    })
}

/// Files a report in English; returns its case reference and receipt.
async fn report(ctx: &Ctx, gate: &Gate, r: Report) -> Result<(String, String)> {
    let categories = ctx.db.enabled_speakup_categories().await?;
    let cat = categories
        .iter()
        .find(|c| c.key == r.category)
        .ok_or_else(|| Error::internal(&"demo category"))?;
    let filed = intake::file(ctx, gate, &r, cat, "en").await?;
    Ok((filed.case, filed.receipt.display()))
}

/// The reporter comes back with their receipt and writes (`kind`: `message` or
/// `retaliation`).
async fn reporter_says(
    ctx: &Ctx,
    gate: &Gate,
    receipt: &str,
    kind: &'static str,
    text: &str,
) -> Result<()> {
    let opened = intake::open_case(ctx, gate, receipt)
        .await?
        .ok_or_else(|| Error::internal(&"demo receipt"))?;
    intake::add_message(ctx, &opened, kind, text).await
}

fn anonymous(category: &str, description: &str) -> Report {
    Report {
        category: category.into(),
        description: description.into(),
        anonymous: Some(true),
        ..Report::default()
    }
}

fn triaged(risk: &str, reason: &str) -> Triage {
    Triage {
        risk: risk.into(),
        jurisdiction: "eu".into(),
        subjects: String::new(),
        reason: reason.into(),
    }
}

/// Files the demo reports and works some of them. `officer`, `investigator` and the
/// others (custodian, committee) must already exist; their passwords unlock their keys.
/// Returns how many reports were filed.
pub async fn seed(
    ctx: &Ctx,
    officer: (&User, &Secret<String>),
    investigator: (&User, &Secret<String>),
    others: &[(&User, &Secret<String>)],
) -> Result<usize> {
    // Everyone who reads cases gets a key before the first report, as at first sign-in.
    for (u, pw) in others {
        crate::hotline::keys::ensure_reader_key(ctx, "demo", u, pw).await?;
    }
    let ethics = sign_in(ctx, officer.0, officer.1).await?;
    let inv = sign_in(ctx, investigator.0, investigator.1).await?;
    let gate = Gate::half_the_cores();
    let reports = [
        Report {
            when_where: "Lisbon Billing, Fridays after 18:00".into(),
            answers: vec!["about 2,000 EUR a week".into(), "since September".into()],
            ..anonymous("fraud", "A supervisor on the Billing floor approves refunds to the same three card numbers every Friday after the shift ends.")
        },
        Report {
            category: "harassment".into(),
            description: "Comments about my accent in every team huddle; others laugh and it is getting worse.".into(),
            anonymous: Some(false),
            name: "Demo Reporter".into(),
            contact: "demo.reporter@example.org".into(),
            ..Report::default()
        },
        anonymous("data_misuse", "Customer phone numbers are copied into a personal spreadsheet to call them about another company's offers."),
        anonymous("accounting", "Retention credits are booked as revenue in the month before they are earned."),
        anonymous("retaliation", "Since I raised a concern about call scripts my schedule keeps getting the worst shifts."),
        anonymous("conflict_of_interest", "A team lead hires agents through a staffing agency owned by a relative."),
        anonymous("fraud", "Sales are logged twice when the CRM times out, and nobody corrects them."),
    ];
    let mut filed = Vec::new();
    for r in reports {
        filed.push(report(ctx, &gate, r).await?);
    }
    let at = |i: usize| filed[i].0.as_str();
    // Case 0: triaged, assigned, a question answered, still under investigation.
    let reason = "The named supervisor approves the reporter's shifts";
    actions::triage(ctx, &ethics, at(0), &triaged("high", reason)).await?;
    let to = investigator.0.id.to_string();
    actions::assign(ctx, &ethics, at(0), &to).await?;
    let question = "Thank you for your report. Do you know roughly when this started?";
    actions::send_message(ctx, &inv, at(0), question, false).await?;
    let answer = "I first noticed it in early September.";
    reporter_says(ctx, &gate, &filed[0].1, "message", answer).await?;
    actions::set_status(ctx, &inv, at(0), "investigating", "").await?;
    let note = "Refund logs for September requested from Finance.";
    actions::add_note(ctx, &inv, at(0), note).await?;
    // Case 1: named reporter; acknowledged, identity still sealed.
    actions::triage(ctx, &ethics, at(1), &triaged("medium", "")).await?;
    // Case 2: closed as substantiated, feedback given.
    actions::triage(ctx, &ethics, at(2), &triaged("low", "")).await?;
    let feedback = "We confirmed the misuse; access was removed and customers were informed.";
    actions::send_message(ctx, &ethics, at(2), feedback, true).await?;
    let outcome = "Spreadsheet deleted, two agents disciplined, DLP rule added";
    actions::set_status(ctx, &ethics, at(2), "substantiated", outcome).await?;
    // Case 4: the reporter reports retaliation.
    let retaliation = "My shifts changed again this week.";
    reporter_says(ctx, &gate, &filed[4].1, "retaliation", retaliation).await?;
    Ok(filed.len())
}
