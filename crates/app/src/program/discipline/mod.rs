//! Consistent discipline: recording decisions against comparable cases, the second
//! approval of a deviation, and the disparity report.
//!
//! `core::discipline` holds the rules (the sanction ladder, what counts as a deviation,
//! when a group is too small to show); this module loads the rows they judge and writes
//! the audit trail (never the rationale). A refused decision is not an error: [`record`]
//! returns the field and the message in [`Refused`], so the form can show them beside the
//! input it keeps. A record opens only for its decision maker and ethics officers
//! ([`visible`]); anyone else gets "not found".

use crate::{Caller, Ctx, Error, Result};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::discipline::{
    self as rules, Approval, Distribution, Outcome, Sanction, AGGRAVATING, MITIGATING,
};
use righttrack_store::discipline::{NewRecord, Record, RecordFilter};
use serde_json::json;

/// Does `caller` see every decision (ethics officers), not only their own?
pub fn sees_all(caller: &Caller) -> bool {
    allowed(&caller.user.roles, Action::DisciplineApprove)
}

/// What the form shows about the comparable cases.
#[derive(Debug, Clone)]
pub struct Comparable {
    pub cases: usize,
    /// Per sanction (label, count, per cent) when shown.
    pub shown: Option<Vec<(&'static str, usize, u32)>>,
    pub median: Option<Sanction>,
    pub dist: Distribution,
}

/// The comparable cases of a class and severity.
pub async fn comparable(ctx: &Ctx, class: &str, severity: i64) -> Result<Comparable> {
    let dist = Distribution::of(ctx.db.comparable_sanctions(class, severity).await?);
    let total = dist.total();
    Ok(Comparable {
        cases: total,
        shown: dist.shown().map(|d| {
            Sanction::ALL
                .iter()
                .map(|s| {
                    let n = d.counts[s.step()];
                    let pct = u32::try_from(n * 100 / total.max(1)).unwrap_or(0);
                    (s.label(), n, pct)
                })
                .collect()
        }),
        median: dist.shown().and_then(Distribution::median),
        dist,
    })
}

/// A decision as submitted.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub subject: String,
    pub class: String,
    pub severity: String,
    pub aggravating: Vec<String>,
    pub mitigating: Vec<String>,
    pub sanction: String,
    pub rationale: String,
}

/// Why a decision was refused: the field and the message.
#[derive(Debug)]
pub struct Refused {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        field,
        message: message.into(),
    }
}

/// Records a decision by `caller`. A deviation without a rationale is refused (the
/// form asks for one); with one, it waits for a second approver. Audited.
pub async fn record(
    ctx: &Ctx,
    caller: &Caller,
    input: &Input,
) -> Result<std::result::Result<(String, bool), Refused>> {
    let now = ctx.now();
    let users = ctx.db.list_users().await?;
    let Some(subject) = users
        .iter()
        .find(|u| u.username == input.subject && !u.disabled)
    else {
        return Ok(Err(refuse("subject", "field `subject`: no such person")));
    };
    if subject.id == caller.user.id {
        return Ok(Err(refuse(
            "subject",
            "field `subject`: nobody records a decision about themselves",
        )));
    }
    if !ctx.db.violation_classes().await?.contains(&input.class) {
        return Ok(Err(refuse(
            "class",
            "field `class`: choose a violation class from the list",
        )));
    }
    let severity = match rules::check_severity(&input.severity) {
        Ok(s) => s,
        Err(e) => return Ok(Err(refuse("severity", e))),
    };
    let aggravating = match rules::check_factors(&input.aggravating, AGGRAVATING, "aggravating") {
        Ok(v) => v,
        Err(e) => return Ok(Err(refuse("aggravating", e))),
    };
    let mitigating = match rules::check_factors(&input.mitigating, MITIGATING, "mitigating") {
        Ok(v) => v,
        Err(e) => return Ok(Err(refuse("mitigating", e))),
    };
    let Some(sanction) = Sanction::parse(input.sanction.trim()) else {
        return Ok(Err(refuse(
            "sanction",
            "field `sanction`: choose a sanction from the ladder",
        )));
    };
    let cmp = comparable(ctx, &input.class, severity).await?;
    let deviation = rules::is_deviation(sanction, &cmp.dist);
    let rationale = input.rationale.trim();
    if rationale.chars().count() > rules::MAX_TEXT {
        return Ok(Err(refuse(
            "rationale",
            format!(
                "field `rationale`: is longer than {} characters",
                rules::MAX_TEXT
            ),
        )));
    }
    if deviation && rationale.is_empty() {
        let median = cmp.median.map_or("", Sanction::label);
        return Ok(Err(refuse(
            "rationale",
            format!(
                "field `rationale`: {} is more than one step from the usual sanction in {} comparable cases ({median}); write why, and a second approver will review the decision",
                sanction.label(),
                cmp.cases
            ),
        )));
    }
    let rationale = if rationale.is_empty() {
        None
    } else {
        let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
        Some(righttrack_core::interactions::scrub(&engine, rationale))
    };
    let teams = ctx.db.list_teams().await?;
    let team = subject
        .team_id
        .and_then(|t| teams.iter().find(|x| x.id == t));
    let prior = ctx.db.prior_discipline(&subject.username, now).await?;
    let id = ctx
        .db
        .record_discipline(
            &NewRecord {
                subject: subject.username.clone(),
                site_name: team.map(|t| t.site_name.clone()),
                team_name: team.map(|t| t.name.clone()),
                role_level: rules::role_level(&subject.roles).to_owned(),
                violation_class: input.class.clone(),
                severity,
                aggravating,
                mitigating,
                prior_records: prior,
                sanction,
                comparable_cases: i64::try_from(cmp.cases).unwrap_or(0),
                comparable_median: cmp.median,
                deviation,
                rationale,
                decided_by: caller.user.username.clone(),
                decided_at: now,
            },
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx
        .audit(
            &caller.actor(),
            "discipline.recorded",
            &id,
            json!({"subject": subject.id.to_string(), "sanction": sanction.as_str(), "deviation": deviation}),
        )
        .await?;
    Ok(Ok((id, deviation)))
}

/// The record if `caller` may see it: its decision maker, or an ethics officer.
pub async fn visible(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Record> {
    match ctx.db.discipline_record(id).await? {
        Some(r) if sees_all(caller) || r.decided_by == caller.user.username => Ok(r),
        _ => Err(Error::not_found()),
    }
}

/// Approves or rejects a pending deviation as second approver. Audited.
pub async fn approve(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    decision: &str,
    note: &str,
) -> Result<()> {
    let rec = visible(ctx, caller, id).await?;
    rules::may_approve(
        &caller.user.username,
        &rec.decided_by,
        &rec.subject,
        rec.approval_state,
    )
    .map_err(|r| {
        Error::new(
            crate::Kind::Forbidden,
            format!("You cannot approve this: {r}."),
        )
    })?;
    let ok = match decision {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(Error::unprocessable(
                "field `decision`: expected approve or reject",
            ))
        }
    };
    let note = note.trim();
    if !ok && note.is_empty() {
        return Err(Error::unprocessable(
            "field `note`: say why the decision is rejected",
        ));
    }
    if note.chars().count() > rules::MAX_TEXT {
        return Err(Error::unprocessable(format!(
            "field `note`: is longer than {} characters",
            rules::MAX_TEXT
        )));
    }
    let note = (!note.is_empty()).then_some(note);
    if !ctx
        .db
        .decide_discipline_approval(id, ok, &caller.user.username, note, ctx.now())
        .await?
    {
        return Err(Error::new(
            crate::Kind::Conflict,
            "This decision no longer awaits approval.",
        ));
    }
    ctx.audit(
        &caller.actor(),
        if ok {
            "discipline.approved"
        } else {
            "discipline.rejected"
        },
        id,
        json!({}),
    )
    .await?;
    Ok(())
}

/// Adds a violation class (once; adding it again changes nothing). Audited.
pub async fn add_class(ctx: &Ctx, caller: &Caller, name: &str) -> Result<()> {
    let name = crate::program::text("name", name, 100)?;
    if ctx.db.add_violation_class(&name, ctx.now()).await? {
        ctx.audit(&caller.actor(), "discipline.class_added", &name, json!({}))
            .await?;
    }
    Ok(())
}

/// The decisions `caller` may see (their own; all for ethics officers), newest first,
/// at most `limit`. The listing is audited with its size; `via` names the channel when
/// it is not the page (the API).
pub async fn list(
    ctx: &Ctx,
    caller: &Caller,
    limit: i64,
    via: Option<&str>,
) -> Result<Vec<Record>> {
    let all = sees_all(caller);
    let records = ctx
        .db
        .discipline_records(&RecordFilter {
            decided_by: (!all).then(|| caller.user.username.clone()),
            limit,
            ..Default::default()
        })
        .await?;
    let detail = match via {
        Some(v) => json!({"records": records.len(), "via": v}),
        None => json!({"records": records.len()}),
    };
    ctx.audit(
        &caller.actor(),
        "discipline.listed",
        &caller.actor(),
        detail,
    )
    .await?;
    Ok(records)
}

/// Opens a record for `caller` (see [`visible`]) and audits the reading.
pub async fn view(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Record> {
    let rec = visible(ctx, caller, id).await?;
    ctx.audit(&caller.actor(), "discipline.viewed", id, json!({}))
        .await?;
    Ok(rec)
}

/// The dimensions of the disparity report.
pub const DIMENSIONS: [(&str, &str); 4] = [
    ("site", "Site"),
    ("team", "Team"),
    ("role_level", "Role level"),
    ("decision_maker", "Decision maker"),
];

fn group_of<'a>(r: &'a Record, dim: &str) -> &'a str {
    match dim {
        "site" => r.site_name.as_deref().unwrap_or("no site"),
        "team" => r.team_name.as_deref().unwrap_or("no team"),
        "role_level" => &r.role_level,
        _ => &r.decided_by,
    }
}

/// The disparity report over the decisions in force: per dimension, its groups.
pub async fn disparity(ctx: &Ctx) -> Result<Vec<(&'static str, Vec<rules::GroupRow>)>> {
    let records: Vec<Record> = ctx
        .db
        .discipline_records(&RecordFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|r| matches!(r.approval_state, Approval::NotNeeded | Approval::Approved))
        .collect();
    Ok(DIMENSIONS
        .iter()
        .map(|(key, label)| {
            let outcomes: Vec<Outcome> = records
                .iter()
                .map(|r| Outcome {
                    group: group_of(r, key),
                    class: &r.violation_class,
                    severity: r.severity,
                    sanction: r.sanction_step,
                })
                .collect();
            (*label, rules::disparity(&outcomes))
        })
        .collect())
}

/// Where the disparity report is read, which its audit entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Page,
    /// The CSV download (audited as an export).
    Csv,
    Api,
}

/// The disparity report (see [`disparity`]) as `caller` reads it. Audited.
pub async fn read_disparity(
    ctx: &Ctx,
    caller: &Caller,
    channel: Channel,
) -> Result<Vec<(&'static str, Vec<rules::GroupRow>)>> {
    let tables = disparity(ctx).await?;
    let (action, detail) = match channel {
        Channel::Page => ("discipline.report_viewed", json!({})),
        Channel::Csv => ("discipline.report_exported", json!({})),
        Channel::Api => ("discipline.report_viewed", json!({"via": "api"})),
    };
    ctx.audit(&caller.actor(), action, "disparity", detail)
        .await?;
    Ok(tables)
}

/// The violation classes to choose from.
pub async fn classes(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(ctx.db.violation_classes().await?)
}

/// What the form to record a decision shows beside the input.
#[derive(Debug, Clone)]
pub struct Form {
    /// Whom `caller` may decide about: (username, display name).
    pub colleagues: Vec<(String, String)>,
    pub classes: Vec<String>,
    /// Prior decisions in force about the subject, when one is chosen.
    pub prior: Option<i64>,
    /// The comparable cases, once a class and a severity are chosen.
    pub cmp: Option<Comparable>,
    /// Disclosed colleague relationships between `caller` and the subject, as one
    /// sentence (as on the QA dispute page).
    pub relationship: Option<String>,
}

/// The form to record a decision about `input`'s subject, class and severity.
pub async fn form(ctx: &Ctx, caller: &Caller, input: &Input) -> Result<Form> {
    let colleagues = crate::program::colleagues(ctx, caller).await?;
    let cmp = match rules::check_severity(&input.severity).ok() {
        Some(s) if !input.class.is_empty() => Some(comparable(ctx, &input.class, s).await?),
        _ => None,
    };
    let prior = if colleagues.iter().any(|(u, _)| *u == input.subject) {
        Some(ctx.db.prior_discipline(&input.subject, ctx.now()).await?)
    } else {
        None
    };
    let relationship = match ctx.db.user_by_username(&input.subject).await? {
        Some(subject) => {
            let notes = crate::program::conflicts::colleague_relations_between(
                ctx,
                caller.user.id,
                subject.id,
            )
            .await?;
            let text: Vec<String> = notes
                .into_iter()
                .map(|r| {
                    format!(
                        "{} declared a relationship with {} on {} (review: {}){}",
                        r.discloser,
                        r.colleague,
                        r.submitted,
                        r.status,
                        if r.same_line {
                            ", in the same reporting line"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            (!text.is_empty()).then(|| text.join("; "))
        }
        None => None,
    };
    Ok(Form {
        colleagues,
        classes: classes(ctx).await?,
        prior,
        cmp,
        relationship,
    })
}

/// A decision in force about the person reading it: what was decided, what was weighed,
/// how it compares and why, in words for them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OwnDecision {
    pub decided_on: String,
    pub sanction: &'static str,
    pub violation_class: String,
    pub severity: i64,
    pub aggravating: Vec<&'static str>,
    pub mitigating: Vec<&'static str>,
    pub prior_records: i64,
    /// The usual decision in comparable cases, when there are enough of them to say.
    pub comparable: Option<String>,
    /// The decision differs from the usual one (and so needed a rationale and a second
    /// approver).
    pub deviation: bool,
    pub rationale: Option<String>,
    pub decided_by: String,
    pub approved_by: Option<String>,
    pub approval_note: Option<String>,
}

fn labels(keys: &[String], table: &[(&str, &'static str)]) -> Vec<&'static str> {
    keys.iter()
        .filter_map(|k| table.iter().find(|(key, _)| key == k).map(|(_, l)| *l))
        .collect()
}

/// The decisions in force about `caller` (decisions awaiting a second approver or
/// rejected are not theirs to carry), newest first, each with its rationale: a leader's
/// decision reaches the person it affects with its reasons. Comparable cases are
/// described only from [`righttrack_core::discipline::MIN_GROUP`] of them.
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<Vec<OwnDecision>> {
    use righttrack_core::discipline::{Approval, Sanction, AGGRAVATING, MIN_GROUP, MITIGATING};
    let records = ctx
        .db
        .discipline_records(&RecordFilter {
            subject: Some(caller.user.username.clone()),
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    Ok(records
        .into_iter()
        .filter(|r| matches!(r.approval_state, Approval::NotNeeded | Approval::Approved))
        .map(|r| OwnDecision {
            decided_on: righttrack_core::clock::day(r.decided_at),
            sanction: r.sanction_step.label(),
            violation_class: r.violation_class,
            severity: r.severity,
            aggravating: labels(&r.aggravating, AGGRAVATING),
            mitigating: labels(&r.mitigating, MITIGATING),
            prior_records: r.prior_records,
            comparable: match (usize::try_from(r.comparable_cases), r.comparable_median) {
                (Ok(n), Some(m)) if n >= MIN_GROUP => Some(format!(
                    "{} is the middle decision among the {n} comparable earlier decisions",
                    Sanction::parse(m).map_or(m, Sanction::label)
                )),
                _ => None,
            },
            deviation: r.deviation,
            rationale: r.rationale,
            decided_by: r.decided_by,
            approved_by: r
                .approver
                .filter(|_| r.approval_state == Approval::Approved),
            approval_note: r.approval_note,
        })
        .collect())
}
