//! Audits (checklists, schedules, completion), QA trends and effectiveness metrics, and
//! the input checks every CAPA use case shares.
//!
//! Free text is scrubbed of personal data before it is stored and never goes into the
//! audit trail; a failed checklist item must say what was found, and becomes a finding
//! a CAPA can be raised from. Completion is checked twice, before and in the store's
//! update, so two auditors finishing at once complete an audit once.

use super::TREND_DAYS;
use crate::{Caller, Ctx, Error, Result};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::capa::{self as rules, Answer};
use righttrack_store::capa::{
    Audit, AuditItem, AuditTemplate, Capa, Finding, ItemAnswer, NewSchedule, Schedule,
};
use serde_json::json;
use std::collections::BTreeMap;

pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(n * 24)
}

pub use crate::program::{text, unprocessable};

/// A `YYYY-MM-DD` form value: the end of that UTC day.
pub fn due_day(field: &str, s: &str) -> Result<Timestamp> {
    let d: jiff::civil::Date = s
        .trim()
        .parse()
        .map_err(|_| unprocessable(field, "expected a date as YYYY-MM-DD"))?;
    d.at(23, 59, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| unprocessable(field, "expected a date as YYYY-MM-DD"))
}

/// A trimmed value, or `None` when empty.
pub fn optional(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Masks personal data in free text before it is stored.
pub fn scrub(ctx: &Ctx, s: &str) -> Result<String> {
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    Ok(righttrack_core::interactions::scrub(&engine, s))
}

/// The usernames of the accounts that are not disabled.
pub async fn active_usernames(ctx: &Ctx) -> Result<Vec<String>> {
    Ok(ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| u.username)
        .collect())
}

/// Creates a checklist template: a name and one item per line. Audited.
pub async fn create_template(ctx: &Ctx, actor: &Caller, name: &str, items: &str) -> Result<String> {
    let name = text("name", name, rules::MAX_TITLE)?;
    let items: Vec<String> = items
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if items.is_empty() {
        return Err(unprocessable(
            "items",
            "at least one checklist item, one per line",
        ));
    }
    if let Some(n) = items
        .iter()
        .position(|i| i.chars().count() > rules::MAX_TITLE)
    {
        return Err(unprocessable(
            "items",
            format!(
                "line {} is longer than {} characters",
                n + 1,
                rules::MAX_TITLE
            ),
        ));
    }
    let id = ctx
        .db
        .create_audit_template(
            &name,
            &items,
            &actor.user.username,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &actor.actor(),
        "audit.template_created",
        &id,
        json!({"items": items.len()}),
    )
    .await?;
    Ok(id)
}

/// A schedule as the form gives it: a checklist repeated every n months for each of
/// the sites (an empty name: every site), answered by `auditor` (empty: anyone).
#[derive(Debug, Clone, Default)]
pub struct NewSchedules {
    pub template: String,
    pub every_months: String,
    pub first_due: String,
    pub sites: Vec<String>,
    pub auditor: String,
}

/// Repeats a checklist every n months for each site and creates the audits already
/// due (through the sweep). Audited per schedule.
pub async fn schedule(ctx: &Ctx, caller: &Caller, input: &NewSchedules) -> Result<()> {
    let now = ctx.now();
    let every: u32 = input
        .every_months
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=24).contains(n))
        .ok_or_else(|| unprocessable("every_months", "a number of months from 1 to 24"))?;
    let first_due = due_day("first_due", &input.first_due)?;
    let sites: Vec<String> = ctx
        .db
        .list_sites()
        .await?
        .into_iter()
        .map(|s| s.name)
        .collect();
    let mut site_names: Vec<Option<String>> = Vec::new();
    for s in &input.sites {
        match s.as_str() {
            "" => site_names.push(None),
            s if sites.iter().any(|x| x == s) => site_names.push(Some(s.to_owned())),
            _ => return Err(unprocessable("site", "no such site")),
        }
    }
    if site_names.is_empty() {
        site_names.push(None);
    }
    let auditor = optional(&input.auditor);
    if let Some(a) = &auditor {
        if !active_usernames(ctx).await?.contains(a) {
            return Err(unprocessable("auditor", "no such user"));
        }
    }
    let template = input.template.clone();
    for site_name in site_names {
        let id = ctx
            .db
            .create_audit_schedule(
                &NewSchedule {
                    template_id: template.clone(),
                    site_name: site_name.clone(),
                    every_months: every,
                    first_due,
                    auditor: auditor.clone(),
                    by_user: caller.user.username.clone(),
                    at: now,
                },
                &mut rand::rngs::OsRng,
            )
            .await
            .map_err(|e| match e {
                righttrack_store::StoreError::NotFound => {
                    unprocessable("template", "no such checklist")
                }
                e => e.into(),
            })?;
        ctx.audit(
            &caller.actor(),
            "audit.schedule_created",
            &id,
            json!({"site": site_name, "every_months": every}),
        )
        .await?;
    }
    super::sweep(ctx, now).await?;
    Ok(())
}

/// Completes audit `id`: every item answered pass, fail or n/a; a note is required for
/// a failed item. Returns the number of findings. Audited.
pub async fn complete(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    answers: &BTreeMap<i64, (String, String)>,
) -> Result<usize> {
    let now = ctx.now();
    let (a, items, _) = checklist(ctx, id).await?;
    if a.status == "completed" {
        return Err(Error::new(
            crate::Kind::Conflict,
            "This audit is already completed.",
        ));
    }
    let mut out = Vec::new();
    for i in &items {
        let field = format!("answer_{}", i.position);
        let (ans, note) = answers.get(&i.position).cloned().unwrap_or_default();
        let answer = Answer::parse(ans.trim()).ok_or_else(|| {
            unprocessable(
                &field,
                format!("item {} needs pass, fail or n/a", i.position + 1),
            )
        })?;
        let note = optional(&note);
        if answer == Answer::Fail && note.is_none() {
            return Err(unprocessable(
                &format!("note_{}", i.position),
                format!("item {} failed: say what was found", i.position + 1),
            ));
        }
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > rules::MAX_TEXT)
        {
            return Err(unprocessable(
                &format!("note_{}", i.position),
                format!("is longer than {} characters", rules::MAX_TEXT),
            ));
        }
        let note = match note {
            Some(n) => Some(scrub(ctx, &n)?),
            None => None,
        };
        out.push(ItemAnswer {
            position: i.position,
            answer,
            note,
        });
    }
    let failed = out.iter().filter(|a| a.answer == Answer::Fail).count();
    if !ctx
        .db
        .complete_audit(id, &out, &caller.user.username, now, &mut rand::rngs::OsRng)
        .await?
    {
        return Err(Error::new(
            crate::Kind::Conflict,
            "This audit is already completed.",
        ));
    }
    ctx.audit(
        &caller.actor(),
        "audit.completed",
        id,
        json!({"items": out.len(), "findings": failed}),
    )
    .await?;
    Ok(failed)
}

/// A scan rule's violation rate, recent and before.
#[derive(Debug, Clone)]
pub struct Trend {
    pub rule: String,
    pub recent: f64,
    pub before: String,
    pub hits: u64,
    pub rising: bool,
}

/// The violation rate per rule over the last [`TREND_DAYS`] and the period before.
pub async fn trends(ctx: &Ctx, now: Timestamp) -> Result<(u64, Vec<Trend>)> {
    let mid = now.checked_sub(days(TREND_DAYS)).unwrap_or(now);
    let start = mid.checked_sub(days(TREND_DAYS)).unwrap_or(mid);
    let (n_recent, recent) = ctx.db.rule_hits(mid, now).await?;
    let (n_before, before) = ctx.db.rule_hits(start, mid).await?;
    let mut out: Vec<Trend> = recent
        .iter()
        .map(|(rule, hits)| {
            let r = rules::rate_per_1000(*hits, n_recent).unwrap_or(0.0);
            let b = rules::rate_per_1000(before.get(rule).copied().unwrap_or(0), n_before);
            Trend {
                rule: rule.clone(),
                recent: r,
                before: b.map_or_else(|| "—".into(), |b| format!("{b:.1}")),
                hits: *hits,
                rising: b.is_none_or(|b| r > b),
            }
        })
        .collect();
    out.sort_by(|a, b| b.recent.total_cmp(&a.recent).then(a.rule.cmp(&b.rule)));
    Ok((n_recent, out))
}

/// Whether a CAPA's effectiveness metric is met: the verdict, baseline, days and rule.
pub async fn metric_verdict(
    ctx: &Ctx,
    c: &Capa,
    now: Timestamp,
) -> Result<Option<(rules::Verdict, f64, i64, String)>> {
    let (Some(rule), Some(baseline), Some(days_n)) =
        (&c.metric_rule, c.metric_baseline, c.metric_days)
    else {
        return Ok(None);
    };
    let (n, hits) = match c.implemented_at {
        Some(start) => {
            let end = rules::window_end(start, days_n).min(now);
            ctx.db.rule_count(rule, start, end).await?
        }
        None => (0, 0),
    };
    let v = rules::verdict(baseline, days_n, c.implemented_at, now, hits, n);
    Ok(Some((v, baseline, days_n, rule.clone())))
}

/// Audits (open ones soonest due first) and the findings without a CAPA, at most
/// `audits` and `findings` of each.
pub async fn overview(ctx: &Ctx, audits: i64, findings: i64) -> Result<(Vec<Audit>, Vec<Finding>)> {
    Ok((
        ctx.db.audits(ctx.now(), audits).await?,
        ctx.db.open_findings(findings).await?,
    ))
}

/// What someone who keeps checklists and schedules manages.
#[derive(Debug, Clone, Default)]
pub struct Manage {
    pub templates: Vec<AuditTemplate>,
    pub schedules: Vec<Schedule>,
    pub sites: Vec<String>,
    pub users: Vec<String>,
}

/// The audits page: audits, findings without a CAPA, and what `caller` manages (none
/// without `AuditManage`).
#[derive(Debug, Clone)]
pub struct Page {
    pub audits: Vec<Audit>,
    pub findings: Vec<Finding>,
    pub manage: Option<Manage>,
}

/// What the audits page shows `caller`.
pub async fn page(ctx: &Ctx, caller: &Caller) -> Result<Page> {
    let manage = if allowed(&caller.user.roles, Action::AuditManage) {
        Some(Manage {
            templates: ctx.db.audit_templates().await?,
            schedules: ctx.db.audit_schedules().await?,
            sites: ctx
                .db
                .list_sites()
                .await?
                .into_iter()
                .map(|s| s.name)
                .collect(),
            users: active_usernames(ctx).await?,
        })
    } else {
        None
    };
    let (audits, findings) = overview(ctx, 300, 100).await?;
    Ok(Page {
        audits,
        findings,
        manage,
    })
}

/// Audit `id` with its checklist items and findings, or "not found".
pub async fn checklist(ctx: &Ctx, id: &str) -> Result<(Audit, Vec<AuditItem>, Vec<Finding>)> {
    ctx.db
        .audit(id, ctx.now())
        .await?
        .ok_or_else(Error::not_found)
}
