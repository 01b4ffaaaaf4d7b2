//! Policies, the officer's side: writing versions, four-eyes approval, publishing,
//! retiring, settings (audience, days to attest, pass mark), and the attestation reports
//! (coverage by team, site and role, overdue people, trend, quiz questions people get
//! wrong, CSV exports).
//!
//! Every state change is audited (`policy.created`, `policy.settings_changed`,
//! `policy.version_started`, `policy.draft_saved`, `policy.version_submitted`,
//! `policy.version_approved`, `policy.version_returned`, `policy.version_published`,
//! `policy.retired`, `policy.evidence_exported`). The approver must not be among the
//! version's contributors (everyone who wrote or edited it); the database's conditional
//! updates make a second approval or publication of the same version fail cleanly.
//!
//! A form's own problems (a bad title, an unknown team, a quiz that does not parse) are
//! [`Kind::Unprocessable`] errors whose message names the field: the page shows them
//! next to the form.

use super::{cycle_data, question_rows, sync, PersonRow, QuestionRow};
use crate::program::{audience_names, csv_table, directory};
use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::audience::Audience;
use righttrack_core::clock::day;
use righttrack_core::ids::{SiteId, TeamId};
use righttrack_core::policies::{self as rules, Status, Step};
use righttrack_core::Role;
use righttrack_store::directory::{Site, Team};
use righttrack_store::policies::{Evidence, NewPolicy, Policy, Version};
use righttrack_store::StoreError;
use serde_json::{json, Value};

/// A policy by id or key; "nothing here" otherwise.
pub async fn policy(ctx: &Ctx, key: &str) -> Result<Policy> {
    ctx.db.policy(key).await?.ok_or_else(Error::not_found)
}

/// A policy that is not retired.
async fn live_policy(ctx: &Ctx, key: &str) -> Result<Policy> {
    let p = policy(ctx, key).await?;
    if p.retired_at.is_some() {
        return Err(Error::conflict("This policy is retired."));
    }
    Ok(p)
}

/// One of `p`'s versions by id.
async fn version_of(ctx: &Ctx, p: &Policy, id: &str) -> Result<Version> {
    ctx.db
        .version(id)
        .await?
        .filter(|v| v.policy_id == p.id)
        .ok_or_else(Error::not_found)
}

/// The version in work (draft, in review or approved), if any.
pub fn in_work(versions: &[Version]) -> Option<&Version> {
    versions.iter().find(|v| {
        matches!(
            v.status,
            Status::Draft | Status::InReview | Status::Approved
        )
    })
}

/// A rule's message as a sentence ("Approval is …" from "approval is …").
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

// ------------------------------------------------------------------------- the list

/// One policy on the officers' list.
pub struct ListRow {
    pub slug: String,
    pub title: String,
    pub published: String,
    pub in_work: String,
    pub coverage: String,
    pub retired: bool,
}

/// Every policy with its published version, the version in work and coverage.
pub async fn list(ctx: &Ctx) -> Result<Vec<ListRow>> {
    let now = ctx.now();
    let mut rows = Vec::new();
    for p in ctx.db.policies().await? {
        let versions = ctx.db.versions(&p.id).await?;
        let published = versions
            .iter()
            .find(|v| v.status == Status::Published)
            .map(|v| format!("version {} ({})", v.number, v.kind.as_str()))
            .unwrap_or_else(|| "not published".into());
        let in_work = in_work(&versions)
            .map(|v| format!("version {}: {}", v.number, v.status.label()))
            .unwrap_or_default();
        let coverage = match ctx.db.cycle(&p.id).await? {
            Some(c) if p.retired_at.is_none() => {
                let a = ctx.db.assignments(&c.id).await?;
                let active: Vec<_> = a.iter().filter(|x| !x.disabled).collect();
                let done = active.iter().filter(|x| x.attested_at.is_some()).count();
                let overdue = active
                    .iter()
                    .filter(|x| x.attested_at.is_none() && rules::is_overdue(x.due_at, now))
                    .count();
                format!("{done} of {} attested, {overdue} overdue", active.len())
            }
            _ => String::new(),
        };
        rows.push(ListRow {
            slug: p.slug,
            title: p.title,
            published,
            in_work,
            coverage,
            retired: p.retired_at.is_some(),
        });
    }
    Ok(rows)
}

/// Creates a policy (everyone its audience) with a first draft; returns its key. A bad
/// title is unprocessable, a key already taken a conflict.
pub async fn create(ctx: &Ctx, caller: &Caller, title: &str) -> Result<String> {
    let settings = rules::check_settings(
        title,
        &rules::DEFAULT_ATTEST_DAYS.to_string(),
        &rules::DEFAULT_PASS_MARK.to_string(),
    )
    .map_err(Error::unprocessable)?;
    let slug = rules::slug(&settings.title);
    let created = ctx
        .db
        .create_policy(
            &NewPolicy {
                slug: slug.clone(),
                title: settings.title.clone(),
                audience: Audience::everyone(),
                attest_days: settings.attest_days,
                pass_mark: settings.pass_mark,
                by: caller.user.username.clone(),
                body: "## 1. Purpose\n\nWhy this policy exists.\n\n## 2. Rules\n\n2.1 What everyone must do.\n".into(),
                summary: String::new(),
                quiz: Vec::new(),
            },
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await;
    let (pid, vid) = match created {
        Ok(x) => x,
        Err(StoreError::Conflict(_)) => {
            return Err(Error::conflict(format!(
            "field `title`: a policy with the key \"{slug}\" already exists; choose another title"
        )))
        }
        Err(e) => return Err(e.into()),
    };
    ctx.audit(
        &caller.actor(),
        "policy.created",
        &pid,
        json!({"title": settings.title, "version": vid}),
    )
    .await?;
    Ok(slug)
}

// ------------------------------------------------------------------- one policy

/// Names an audience for people: "everyone", or "roles: Agent; teams: …; sites: …".
pub async fn describe(ctx: &Ctx, a: &Audience) -> Result<String> {
    if a.is_everyone() {
        return Ok("everyone".into());
    }
    let n = audience_names(ctx, a).await?;
    let named = |names: Vec<Option<String>>, removed: &str| {
        names
            .into_iter()
            .map(|x| x.unwrap_or_else(|| removed.into()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    if !n.roles.is_empty() {
        parts.push(format!("roles: {}", n.roles.join(", ")));
    }
    if !n.teams.is_empty() {
        parts.push(format!("teams: {}", named(n.teams, "(removed team)")));
    }
    if !n.sites.is_empty() {
        parts.push(format!("sites: {}", named(n.sites, "(removed site)")));
    }
    Ok(parts.join("; "))
}

/// What the management page shows of a policy.
pub struct Manage {
    pub p: Policy,
    pub versions: Vec<Version>,
    pub teams: Vec<Team>,
    pub sites: Vec<Site>,
    /// [`describe`] of the audience.
    pub audience: String,
}

impl Manage {
    /// The published version.
    pub fn published(&self) -> Option<&Version> {
        self.versions.iter().find(|v| v.status == Status::Published)
    }

    /// The version in work.
    pub fn work(&self) -> Option<&Version> {
        in_work(&self.versions)
    }
}

/// A policy with its versions, and the teams and sites its audience may name.
pub async fn manage(ctx: &Ctx, key: &str) -> Result<Manage> {
    let p = policy(ctx, key).await?;
    let (teams, sites) = directory(ctx).await?;
    Ok(Manage {
        versions: ctx.db.versions(&p.id).await?,
        teams,
        sites,
        audience: describe(ctx, &p.audience).await?,
        p,
    })
}

/// A policy's settings as submitted.
pub struct Settings<'a> {
    pub title: &'a str,
    pub attest_days: &'a str,
    pub pass_mark: &'a str,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub sites: Vec<String>,
}

/// Reads an audience's roles, teams and sites; errors name the field.
async fn audience_of(ctx: &Ctx, s: &Settings<'_>) -> Result<Audience> {
    let mut a = Audience::default();
    for r in &s.roles {
        a.roles
            .push(Role::parse(r).map_err(|e| crate::program::unprocessable("role", e))?);
    }
    let (teams, sites) = directory(ctx).await?;
    for t in &s.teams {
        let id = TeamId::parse(t)
            .filter(|id| teams.iter().any(|x| x.id == *id))
            .ok_or_else(|| Error::unprocessable("field `team`: unknown team"))?;
        a.teams.push(id);
    }
    for s in &s.sites {
        let id = SiteId::parse(s)
            .filter(|id| sites.iter().any(|x| x.id == *id))
            .ok_or_else(|| Error::unprocessable("field `site`: unknown site"))?;
        a.sites.push(id);
    }
    Ok(a)
}

/// Changes a policy's title, audience, days to attest and pass mark; a wider audience is
/// assigned at once, a narrower one keeps what was assigned. Returns the key.
pub async fn settings(ctx: &Ctx, caller: &Caller, key: &str, s: Settings<'_>) -> Result<String> {
    let p = policy(ctx, key).await?;
    let checked =
        rules::check_settings(s.title, s.attest_days, s.pass_mark).map_err(Error::unprocessable)?;
    let audience = audience_of(ctx, &s).await?;
    ctx.db
        .update_policy(
            &p.id,
            &checked.title,
            &audience,
            checked.attest_days,
            checked.pass_mark,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => Error::conflict("This policy is retired."),
            e => e.into(),
        })?;
    ctx.audit(
        &caller.actor(),
        "policy.settings_changed",
        &p.id,
        json!({"title": checked.title, "audience": audience, "attest_days": checked.attest_days, "pass_mark": checked.pass_mark}),
    )
    .await?;
    sync(ctx, None, ctx.now()).await?;
    Ok(p.slug)
}

/// Starts the next version as a draft. Returns the key.
pub async fn new_version(ctx: &Ctx, caller: &Caller, key: &str) -> Result<String> {
    let p = live_policy(ctx, key).await?;
    let id = ctx
        .db
        .new_draft(
            &p.id,
            &caller.user.username,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => Error::conflict(
                "A version of this policy is already in work; finish or publish it first.",
            ),
            e => e.into(),
        })?;
    ctx.audit(
        &caller.actor(),
        "policy.version_started",
        &p.id,
        json!({"version": id}),
    )
    .await?;
    Ok(p.slug)
}

/// A draft as submitted.
pub struct Draft<'a> {
    pub version: &'a str,
    pub kind: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub quiz: &'a str,
}

/// Saves a draft's kind, summary, text and quiz. Returns the key.
pub async fn save_draft(ctx: &Ctx, caller: &Caller, key: &str, d: Draft<'_>) -> Result<String> {
    let p = policy(ctx, key).await?;
    let v = version_of(ctx, &p, d.version).await?;
    let kind = rules::Kind::parse(d.kind)
        .ok_or_else(|| Error::unprocessable("field `kind`: expected material or editorial"))?;
    rules::check_text(d.body, d.summary).map_err(Error::unprocessable)?;
    let quiz = rules::parse_quiz(d.quiz).map_err(Error::unprocessable)?;
    let saved = ctx
        .db
        .save_draft(&v.id, kind, d.summary, d.body, &quiz, &caller.user.username)
        .await?;
    if !saved {
        return Err(Error::conflict(
            "This version is no longer a draft; return it to draft to edit it.",
        ));
    }
    ctx.audit(
        &caller.actor(),
        "policy.draft_saved",
        &p.id,
        json!({"version": v.number, "kind": kind.as_str(), "questions": quiz.len()}),
    )
    .await?;
    Ok(p.slug)
}

/// Submits, approves (not by its contributors), returns or publishes a version (`step`:
/// submit, approve, return or publish); publishing a material version assigns its
/// audience. Returns the key.
pub async fn step(
    ctx: &Ctx,
    caller: &Caller,
    key: &str,
    version: &str,
    step: &str,
) -> Result<String> {
    let now = ctx.now();
    let p = live_policy(ctx, key).await?;
    let v = version_of(ctx, &p, version).await?;
    let step = match step {
        "submit" => Step::Submit,
        "approve" => Step::Approve,
        "return" => Step::Return,
        "publish" => Step::Publish,
        _ => {
            return Err(Error::unprocessable(
                "field `step`: expected submit, approve, return or publish",
            ))
        }
    };
    let to = v
        .status
        .next(step)
        .map_err(|e| Error::conflict(format!("{}.", capitalize(&e))))?;
    let me = caller.user.username.clone();
    let mut detail = json!({"version": v.number, "kind": v.kind.as_str()});
    match step {
        Step::Approve => {
            rules::may_approve(&me, &v.contributors)
                .map_err(|e| Error::new(Kind::Forbidden, format!("{}.", capitalize(&e))))?;
            detail["contributors"] = json!(v.contributors);
        }
        Step::Submit => {
            rules::check_text(&v.body, &v.summary).map_err(Error::unprocessable)?;
        }
        Step::Publish
            if v.kind == rules::Kind::Editorial && ctx.db.cycle(&p.id).await?.is_none() =>
        {
            return Err(Error::unprocessable(
                "field `kind`: the first published version of a policy must be material (everyone attests it); return it to draft and mark it material",
            ));
        }
        _ => {}
    }
    let done = if step == Step::Publish {
        let hash = rules::version_hash(&v.body);
        let due = (v.kind == rules::Kind::Material).then(|| rules::due(now, p.attest_days));
        let ok = ctx.db.publish_version(&v.id, &me, now, &hash, due).await?;
        detail["hash"] = json!(hash);
        detail["due_at"] = json!(due);
        if ok && v.kind == rules::Kind::Material {
            detail["assigned"] = json!(sync(ctx, None, now).await?);
        }
        ok
    } else {
        ctx.db.step_version(&v.id, v.status, to, &me, now).await?
    };
    if !done {
        return Err(Error::conflict(
            "Someone else changed this version in the meantime; reload the page.",
        ));
    }
    let action = match step {
        Step::Submit => "policy.version_submitted",
        Step::Approve => "policy.version_approved",
        Step::Return => "policy.version_returned",
        _ => "policy.version_published",
    };
    ctx.audit(&caller.actor(), action, &p.id, detail).await?;
    Ok(p.slug)
}

/// Retires a policy once `confirmed`: nothing more is asked of anyone. Returns the key.
pub async fn retire(ctx: &Ctx, caller: &Caller, key: &str, confirmed: bool) -> Result<String> {
    let p = policy(ctx, key).await?;
    if !confirmed {
        return Err(Error::unprocessable(
            "field `confirm`: tick the box to confirm that nobody is to attest this policy any more",
        ));
    }
    if !ctx
        .db
        .retire_policy(&p.id, &caller.user.username, ctx.now())
        .await?
    {
        return Err(Error::conflict("This policy is already retired."));
    }
    ctx.audit(
        &caller.actor(),
        "policy.retired",
        &p.id,
        json!({"title": p.title}),
    )
    .await?;
    Ok(p.slug)
}

// -------------------------------------------------------------------------- reports

/// One day of the attestation trend.
pub struct TrendRow {
    pub day: String,
    pub attested: u32,
    pub assigned: u32,
    pub percent: u32,
}

/// A policy's attestation report.
pub struct Report {
    pub p: Policy,
    pub cycle: Option<Version>,
    pub by_team: Vec<rules::Coverage>,
    pub by_site: Vec<rules::Coverage>,
    pub by_role: Vec<rules::Coverage>,
    /// Longest overdue first.
    pub overdue: Vec<PersonRow>,
    pub trend: Vec<TrendRow>,
    /// Newest version first, then by failure rate.
    pub questions: Vec<QuestionRow>,
}

/// Coverage of the current cycle by team, site and role; the overdue people with their
/// reminders; the trend; quiz questions by failure rate.
pub async fn report(ctx: &Ctx, key: &str) -> Result<Report> {
    let now = ctx.now();
    let p = policy(ctx, key).await?;
    sync(ctx, None, now).await?;
    let mut r = Report {
        cycle: None,
        by_team: Vec::new(),
        by_site: Vec::new(),
        by_role: Vec::new(),
        overdue: Vec::new(),
        trend: Vec::new(),
        questions: question_rows(ctx, &p).await?,
        p,
    };
    if let Some(d) = cycle_data(ctx, &r.p).await? {
        r.by_team = rules::coverage(&d.assignees, now, |a| vec![a.team.clone()]);
        r.by_site = rules::coverage(&d.assignees, now, |a| vec![a.site.clone()]);
        r.by_role = rules::coverage(&d.assignees, now, |a| a.roles.clone());
        let from = d.cycle.published_at.unwrap_or(now);
        r.trend = rules::trend(&d.assignees, from, now)
            .into_iter()
            .map(|(day, attested, assigned)| TrendRow {
                percent: (attested * 100).checked_div(assigned).unwrap_or(0),
                day,
                attested,
                assigned,
            })
            .collect();
        r.overdue = d
            .people
            .into_iter()
            .filter(|r| r.status == "overdue")
            .collect();
        r.overdue.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then(a.name.cmp(&b.name))
        });
        r.cycle = Some(d.cycle);
    }
    r.questions
        .sort_by(|a, b| b.version.cmp(&a.version).then(b.rate.cmp(&a.rate)));
    Ok(r)
}

/// Audits an export of a policy's evidence (`what`: evidence, coverage or api).
async fn exported(ctx: &Ctx, caller: &Caller, p: &Policy, rows: usize, what: &str) -> Result<()> {
    ctx.audit(
        &caller.actor(),
        "policy.evidence_exported",
        &p.id,
        json!({"rows": rows, "what": what}),
    )
    .await?;
    Ok(())
}

/// A policy's CSV export (`<key>-<suffix>.csv`), audited as `what`.
async fn export(
    ctx: &Ctx,
    caller: &Caller,
    p: &Policy,
    what: &str,
    suffix: &str,
    header: &str,
    rows: Vec<Vec<String>>,
) -> Result<Csv> {
    exported(ctx, caller, p, rows.len(), what).await?;
    Ok(Csv {
        name: format!("{}-{suffix}.csv", p.slug),
        text: csv_table(header, rows),
    })
}

/// A CSV export: its file name and text.
pub struct Csv {
    pub name: String,
    pub text: String,
}

/// Every attestation of the policy as CSV (the export audited).
pub async fn evidence_csv(ctx: &Ctx, caller: &Caller, key: &str) -> Result<Csv> {
    let p = policy(ctx, key).await?;
    let rows: Vec<Vec<String>> = ctx
        .db
        .policy_evidence(&p.id)
        .await?
        .into_iter()
        .map(|e| {
            vec![
                e.policy,
                e.username,
                e.display_name,
                e.cycle_number.to_string(),
                e.version_number.to_string(),
                e.version_hash,
                e.attested_at.to_string(),
                e.method,
                e.score.map(|s| s.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    export(ctx, caller, &p, "evidence", "attestations", "policy,username,name,cycle_version,version_attested,version_sha256,attested_at,method,quiz_score", rows).await
}

/// Every person of the current cycle as CSV (the export audited).
pub async fn coverage_csv(ctx: &Ctx, caller: &Caller, key: &str) -> Result<Csv> {
    let p = policy(ctx, key).await?;
    sync(ctx, None, ctx.now()).await?;
    let rows: Vec<Vec<String>> = match cycle_data(ctx, &p).await? {
        None => Vec::new(),
        Some(d) => d
            .people
            .into_iter()
            .map(|r| {
                vec![
                    r.username,
                    r.name,
                    r.team,
                    r.site,
                    r.roles.join("; "),
                    r.lead,
                    r.assigned,
                    r.due,
                    r.status.to_owned(),
                    r.days_overdue.to_string(),
                    r.attested,
                    r.reminders.to_string(),
                    r.escalations.to_string(),
                ]
            })
            .collect(),
    };
    export(ctx, caller, &p, "coverage", "coverage", "username,name,team,site,roles,lead,assigned,due,status,days_overdue,attested_at,reminders,escalations", rows).await
}

/// The API's coverage of the current cycle by team, site and role, the overdue people
/// and the quiz questions' failure rates.
pub async fn coverage_json(ctx: &Ctx, key: &str) -> Result<Value> {
    let now = ctx.now();
    let p = policy(ctx, key).await?;
    sync(ctx, None, now).await?;
    let questions: Vec<Value> = question_rows(ctx, &p)
        .await?
        .into_iter()
        .map(|q| json!({"version": q.version, "question": q.n, "prompt": q.prompt, "answers": q.answers, "wrong": q.wrong, "flagged": q.flagged}))
        .collect();
    let Some(d) = cycle_data(ctx, &p).await? else {
        return Ok(json!({"policy": p.slug, "cycle": null, "questions": questions}));
    };
    let overdue: Vec<Value> = d
        .people
        .iter()
        .filter(|r| r.status == "overdue")
        .map(|r| json!({"username": r.username, "team": r.team, "site": r.site, "due": r.due, "days_overdue": r.days_overdue, "reminders": r.reminders, "escalations": r.escalations}))
        .collect();
    let groups = |key: fn(&rules::Assignee) -> Vec<String>| {
        rules::coverage(&d.assignees, now, key)
            .into_iter()
            .skip(1)
            .collect::<Vec<_>>()
    };
    Ok(json!({
        "policy": p.slug,
        "cycle": {"version": d.cycle.number, "published_at": d.cycle.published_at, "due_at": d.cycle.due_at, "hash": d.cycle.hash},
        "total": rules::coverage(&d.assignees, now, |_| Vec::new()).into_iter().next(),
        "by_team": groups(|a| vec![a.team.clone()]),
        "by_site": groups(|a| vec![a.site.clone()]),
        "by_role": groups(|a| a.roles.clone()),
        "overdue": overdue,
        "questions": questions,
    }))
}

/// The evidence of every attestation of a policy (the export audited): its key and rows.
pub async fn evidence(ctx: &Ctx, caller: &Caller, key: &str) -> Result<(String, Vec<Evidence>)> {
    let p = policy(ctx, key).await?;
    let rows = ctx.db.policy_evidence(&p.id).await?;
    exported(ctx, caller, &p, rows.len(), "api").await?;
    Ok((p.slug, rows))
}

/// The day a version is due, for people.
pub fn due_day(v: &Version) -> String {
    v.due_at.map(day).unwrap_or_default()
}
