//! What the training pages show and what their forms do: a learner's page, a course
//! with one's attempts, certificates, the officers' courses and rules, a course's
//! completions, and the reports (coverage, overdue, trend, CSV). Plain data and plain
//! text; the web feature renders it.

use super::{
    assign_new, by_role, by_site, by_team, course, coverage, gate, standings, total, trend,
    visible_standings, Coverage, Standing, TrendPoint,
};
use crate::program::{audience_names, csv_table, directory};
use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::audience::Audience;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::clock::{day, minute};
use righttrack_core::training::{self as rules, Status};
use righttrack_core::Role;
use righttrack_store::training::{Completion, Course, CourseInput};
use serde_json::json;
use std::collections::BTreeMap;

/// What a form's fields came to: the value, or every problem by field.
pub type Checked<T> = std::result::Result<T, Vec<String>>;

/// When an assignment is due or valid until, for people.
pub fn status_due(s: Status) -> String {
    match s {
        Status::Current { until } => match until {
            Some(u) => format!("valid until {}", day(u)),
            None => "does not expire".into(),
        },
        Status::ExpiringSoon { until } => format!("expires {}", day(until)),
        Status::Due { due } => format!("due {}", day(due)),
        Status::Overdue { due } => format!("was due {}", day(due)),
    }
}

fn score(s: Option<i64>) -> String {
    s.map(|s| format!("{s}%")).unwrap_or_else(|| "—".into())
}

fn expires(e: Option<Timestamp>) -> String {
    e.map(day).unwrap_or_else(|| "never".into())
}

async fn courses_by_id(ctx: &Ctx) -> Result<BTreeMap<String, Course>> {
    Ok(ctx
        .db
        .training_courses()
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

// ---------------------------------------------------------------- my training

/// One assigned course on a learner's page.
pub struct MyRow {
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub when: String,
    pub external: bool,
}

/// One of a learner's completions.
pub struct CertRow {
    pub id: String,
    pub title: String,
    pub completed: String,
    pub expires: String,
    pub score: String,
    pub valid: bool,
}

/// A learner's page: assignments (overdue first), certificates, data-access standing.
pub struct MyTraining {
    pub rows: Vec<MyRow>,
    pub certs: Vec<CertRow>,
    pub gate: String,
    pub gate_ok: bool,
    pub gate_course: String,
}

/// The caller's training page (assigning what the rules call for first).
pub async fn my_training(ctx: &Ctx, caller: &Caller) -> Result<MyTraining> {
    assign_new(ctx).await?;
    let now = ctx.now();
    let me = caller.user.id;
    let courses = courses_by_id(ctx).await?;
    let mut rows: Vec<MyRow> = standings(ctx, Some(me), now)
        .await?
        .into_iter()
        .map(|s| MyRow {
            external: courses.get(&s.course_id).is_some_and(|c| c.external),
            code: s.course_code,
            title: s.course_title,
            status: s.status.label(),
            status_key: s.status.key(),
            when: status_due(s.status),
        })
        .collect();
    // Overdue first, then due, expiring, current.
    let order = |k: &str| {
        ["overdue", "due", "expiring_soon", "current"]
            .iter()
            .position(|x| *x == k)
    };
    rows.sort_by_key(|r| order(r.status_key));
    let mut certs: Vec<CertRow> = ctx
        .db
        .training_completions(Some(me))
        .await?
        .into_iter()
        .rev()
        .map(|c| CertRow {
            title: courses
                .get(&c.course_id)
                .map(|k| k.title.clone())
                .unwrap_or_default(),
            completed: day(c.completed_at),
            expires: expires(c.expires_at),
            score: score(c.score),
            valid: rules::valid_at(c.expires_at, now),
            id: c.id,
        })
        .collect();
    certs.truncate(50);
    let g = gate::standing(ctx, me).await?;
    Ok(MyTraining {
        rows,
        certs,
        gate: gate::describe(ctx, me).await?,
        gate_ok: g.current,
        gate_course: g.course.map(|c| c.1).unwrap_or_default(),
    })
}

/// One of the caller's quiz attempts.
pub struct AttemptRow {
    pub at: String,
    pub score: i64,
    pub passed: bool,
}

/// The caller's attempts at a course's quiz.
pub async fn my_attempts(ctx: &Ctx, caller: &Caller, course: &Course) -> Result<Vec<AttemptRow>> {
    Ok(ctx
        .db
        .training_attempts(&course.id, caller.user.id)
        .await?
        .into_iter()
        .map(|a| AttemptRow {
            at: minute(a.at),
            score: a.score,
            passed: a.passed,
        })
        .collect())
}

/// A printable certificate.
pub struct Certificate {
    pub name: String,
    pub course: String,
    pub completed: String,
    pub expires: String,
    pub score: String,
    pub source: String,
    pub note: String,
    pub code: String,
    pub valid: bool,
}

/// A certificate by id: its owner's, any for training officers, a team lead's people's;
/// "no such certificate" for anyone else's.
pub async fn certificate(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Certificate> {
    let missing = || Error::new(Kind::NotFound, "no such certificate");
    let c = ctx.db.training_completion(id).await?.ok_or_else(missing)?;
    let may = c.user_id == caller.user.id
        || allowed(&caller.user.roles, Action::TrainingManage)
        || (allowed(&caller.user.roles, Action::TrainingReport) && {
            let holder = ctx.db.user_by_id(c.user_id).await?;
            let line = crate::program::conflicts::reporting_line(ctx, caller.user.id).await?;
            holder.is_some_and(|h| line.contains(&h.username))
        });
    if !may {
        return Err(missing());
    }
    certificate_of(ctx, c).await
}

/// A certificate found by its verification code (the look-up audited).
pub async fn verified_certificate(ctx: &Ctx, caller: &Caller, typed: &str) -> Result<Certificate> {
    let c = super::verify(ctx, caller, typed).await?;
    certificate_of(ctx, c).await
}

async fn certificate_of(ctx: &Ctx, c: Completion) -> Result<Certificate> {
    let course = course(ctx, &c.course_id).await?;
    let user = ctx
        .db
        .user_by_id(c.user_id)
        .await?
        .ok_or_else(Error::not_found)?;
    Ok(Certificate {
        name: user.display_name,
        course: course.title,
        completed: day(c.completed_at),
        expires: c
            .expires_at
            .map(day)
            .unwrap_or_else(|| "does not expire".into()),
        score: c.score.map(|s| format!("{s}%")).unwrap_or_default(),
        source: match c.source.as_str() {
            "quiz" => "Completed in RightTrack".into(),
            "import" => "Imported from the external learning system".into(),
            _ => "Recorded by an officer".into(),
        },
        note: c.note,
        valid: rules::valid_at(c.expires_at, ctx.now()),
        code: c.verification,
    })
}

// ---------------------------------------------------------------- officers

/// One course in the officers' list.
pub struct CourseRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub kind: &'static str,
    pub validity: String,
    pub pass_mark: i64,
    pub gate: bool,
    pub archived: bool,
}

/// One assignment rule.
pub struct RuleRow {
    pub id: String,
    pub course: String,
    pub audience: String,
    pub due_days: i64,
    pub on_hire: bool,
    pub active: bool,
}

/// The officers' page: courses, rules, and the choices of a rule's audience.
pub struct Admin {
    pub courses: Vec<CourseRow>,
    pub rules: Vec<RuleRow>,
    pub roles: Vec<(&'static str, &'static str)>,
    pub teams: Vec<(String, String)>,
    pub sites: Vec<(String, String)>,
}

/// Names a rule's audience: "everyone", or "Agent or Team lead, team Billing, site …".
async fn audience_label(ctx: &Ctx, a: &Audience) -> Result<String> {
    if a.is_everyone() {
        return Ok("everyone".into());
    }
    let n = audience_names(ctx, a).await?;
    let mut parts = Vec::new();
    if !n.roles.is_empty() {
        parts.push(n.roles.join(" or "));
    }
    let known = |names: Vec<Option<String>>| names.into_iter().flatten().collect::<Vec<_>>();
    if !a.teams.is_empty() {
        parts.push(format!("team {}", known(n.teams).join(" or ")));
    }
    if !a.sites.is_empty() {
        parts.push(format!("site {}", known(n.sites).join(" or ")));
    }
    Ok(parts.join(", "))
}

/// The officers' page.
pub async fn admin(ctx: &Ctx) -> Result<Admin> {
    let courses = ctx.db.training_courses().await?;
    let mut rules_out = Vec::new();
    for r in ctx.db.training_rules().await? {
        rules_out.push(RuleRow {
            course: courses
                .iter()
                .find(|c| c.id == r.course_id)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            audience: audience_label(ctx, &r.audience).await?,
            id: r.id,
            due_days: r.due_days,
            on_hire: r.on_hire,
            active: r.active,
        });
    }
    let (teams, sites) = directory(ctx).await?;
    Ok(Admin {
        courses: courses
            .into_iter()
            .map(|c| CourseRow {
                kind: if c.external {
                    "external LMS"
                } else if c.quiz.questions.is_empty() {
                    "read and confirm"
                } else {
                    "content and quiz"
                },
                validity: c
                    .validity_months
                    .map(|m| format!("every {m} months"))
                    .unwrap_or_else(|| "once".into()),
                id: c.id,
                code: c.code,
                title: c.title,
                pass_mark: c.pass_mark,
                gate: c.grants_data_access,
                archived: c.archived,
            })
            .collect(),
        rules: rules_out,
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        teams: teams
            .into_iter()
            .map(|t| (t.id.to_string(), format!("{} — {}", t.name, t.site_name)))
            .collect(),
        sites: sites
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
    })
}

/// Creates a course (audited); a code already taken is a problem of the `code` field.
pub async fn create_course(
    ctx: &Ctx,
    caller: &Caller,
    input: &CourseInput,
) -> Result<Checked<String>> {
    match ctx
        .db
        .create_training_course(input, ctx.now(), &mut rand::rngs::OsRng)
        .await
    {
        Ok(id) => {
            ctx.audit(
                &caller.actor(),
                "training.course_created",
                &input.code,
                json!({"grants_data_access": input.grants_data_access, "validity_months": input.validity_months, "questions": input.quiz.questions.len()}),
            )
            .await?;
            Ok(Ok(id))
        }
        Err(righttrack_store::StoreError::Conflict(m)) => {
            Ok(Err(vec![format!("field `code`: {m} already exists")]))
        }
        Err(e) => Err(e.into()),
    }
}

/// One completion of a course, for its officers' page.
pub struct CompletionRow {
    pub username: String,
    pub completed: String,
    pub expires: String,
    pub score: String,
    pub source: String,
    pub note: String,
    pub id: String,
}

/// A course's latest 200 completions, newest first.
pub async fn completions(ctx: &Ctx, course: &Course) -> Result<Vec<CompletionRow>> {
    let users: BTreeMap<_, String> = ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    Ok(ctx
        .db
        .training_completions(None)
        .await?
        .into_iter()
        .rev()
        .filter(|c| c.course_id == course.id)
        .take(200)
        .map(|c| CompletionRow {
            username: users.get(&c.user_id).cloned().unwrap_or_default(),
            completed: day(c.completed_at),
            expires: expires(c.expires_at),
            score: score(c.score),
            source: c.source,
            note: c.note,
            id: c.id,
        })
        .collect())
}

/// An offline completion as typed into the form.
pub struct OfflineCompletion<'a> {
    pub username: &'a str,
    /// `YYYY-MM-DD`, or empty for now.
    pub completed_at: &'a str,
    pub note: &'a str,
}

/// Records a completion done offline after checking the form (a known person, a date
/// not in the future, a note of 10 to 500 characters). Returns the page's message.
pub async fn record_offline(
    ctx: &Ctx,
    caller: &Caller,
    course: &Course,
    form: OfflineCompletion<'_>,
) -> Result<Checked<String>> {
    let now = ctx.now();
    let mut errors = Vec::new();
    let user = ctx.db.user_by_username(form.username.trim()).await?;
    if user.is_none() {
        errors.push("field `username`: no such user".to_owned());
    }
    let at = match form.completed_at.trim() {
        "" => Some(now),
        s => match s.parse::<jiff::civil::Date>() {
            Ok(d) => d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
                .filter(|t| *t <= now),
            Err(_) => None,
        },
    };
    if at.is_none() {
        errors.push("field `completed_at`: a date (YYYY-MM-DD) not in the future".into());
    }
    let note = form.note.trim();
    if note.chars().count() < 10 || note.chars().count() > 500 {
        errors.push("field `note`: say how it was completed (10 to 500 characters)".into());
    }
    let (Some(user), Some(at), true) = (user, at, errors.is_empty()) else {
        return Ok(Err(errors));
    };
    Ok(Ok(
        match super::record_completion(ctx, caller, course, &user, at, note).await? {
            Some(_) => format!("Completion recorded for {}.", user.username),
            None => format!("{} already has a completion at that time.", user.username),
        },
    ))
}

/// A rule as typed into the form; `audience` already read, or its problem.
pub struct NewRule<'a> {
    pub course: &'a str,
    pub due_days: &'a str,
    pub audience: std::result::Result<Audience, String>,
    pub on_hire: bool,
}

/// Adds a rule after checking the form (a course not archived, 0 to 3650 days) and
/// assigns it. Returns the page's message.
pub async fn add_rule(ctx: &Ctx, caller: &Caller, form: NewRule<'_>) -> Result<Checked<String>> {
    let mut errors = Vec::new();
    let course = ctx.db.training_course(form.course.trim()).await?;
    if course.as_ref().is_none_or(|c| c.archived) {
        errors.push("field `course`: choose a course that is not archived".to_owned());
    }
    let due_days = match form.due_days.trim().parse::<i64>() {
        Ok(n) if (0..=3650).contains(&n) => n,
        _ => {
            errors.push("field `due_days`: a whole number of days from 0 to 3650".into());
            0
        }
    };
    let audience = form.audience.unwrap_or_else(|e| {
        errors.push(e);
        Audience::everyone()
    });
    let Some(course) = course.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let (_, n) =
        super::create_rule(ctx, caller, &course, &audience, due_days, form.on_hire).await?;
    Ok(Ok(format!(
        "Rule added: {} assigned {n} people.",
        course.title
    )))
}

// ---------------------------------------------------------------- reports

/// One overdue assignment on the report.
pub struct OverdueRow {
    pub name: String,
    pub username: String,
    pub team: String,
    pub course: String,
    pub due: String,
}

/// The report page: coverage now by team, site and role, the overdue, the trend.
pub struct Report {
    pub courses: Vec<(String, String)>,
    pub total: Coverage,
    pub by_team: Vec<Coverage>,
    pub by_site: Vec<Coverage>,
    pub by_role: Vec<Coverage>,
    pub overdue: Vec<OverdueRow>,
    pub trend: Vec<TrendPoint>,
    pub lead_only: bool,
}

/// The report of what `caller` may see, of one course if given (every status counts;
/// the page lists the overdue ones, longest overdue first).
pub async fn report(ctx: &Ctx, caller: &Caller, course: Option<&str>) -> Result<Report> {
    let rows = visible_standings(ctx, caller, course, None).await?;
    let mut overdue: Vec<&Standing> = rows
        .iter()
        .filter(|s| matches!(s.status, Status::Overdue { .. }))
        .collect();
    overdue.sort_by_key(|s| match s.status {
        Status::Overdue { due } => due,
        _ => Timestamp::UNIX_EPOCH,
    });
    Ok(Report {
        courses: ctx
            .db
            .training_courses()
            .await?
            .into_iter()
            .filter(|c| !c.archived)
            .map(|c| (c.code, c.title))
            .collect(),
        total: total(&rows),
        by_team: coverage(&rows, by_team),
        by_site: coverage(&rows, by_site),
        by_role: coverage(&rows, by_role),
        overdue: overdue
            .iter()
            .map(|s| OverdueRow {
                name: s.display_name.clone(),
                username: s.username.clone(),
                team: s.team.clone(),
                course: s.course_title.clone(),
                due: status_due(s.status),
            })
            .collect(),
        trend: trend(ctx, &rows).await?,
        lead_only: !allowed(&caller.user.roles, Action::TrainingManage),
    })
}

/// The report as CSV, one line per person and assigned course (the export audited).
pub async fn report_csv(
    ctx: &Ctx,
    caller: &Caller,
    course: Option<&str>,
    status: Option<&str>,
) -> Result<String> {
    let rows = visible_standings(ctx, caller, course, status).await?;
    let out = csv_table(
        "username,name,team,site,roles,course,status,due_or_valid_until,last_completed,last_score",
        rows.iter().map(|s| {
            let date = match s.status {
                Status::Current { until } => until.map(day).unwrap_or_default(),
                Status::ExpiringSoon { until } => day(until),
                Status::Due { due } | Status::Overdue { due } => day(due),
            };
            vec![
                s.username.clone(),
                s.display_name.clone(),
                s.team.clone(),
                s.site.clone(),
                s.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                s.course_code.clone(),
                s.status.key().to_owned(),
                date,
                s.last_completed.map(day).unwrap_or_default(),
                s.last_score.map(|x| x.to_string()).unwrap_or_default(),
            ]
        }),
    );
    ctx.audit(
        &caller.actor(),
        "training.report_exported",
        "training",
        json!({"rows": rows.len()}),
    )
    .await?;
    Ok(out)
}

/// The caller's assignments and data-access standing (the API's "me").
pub async fn mine(ctx: &Ctx, caller: &Caller) -> Result<(Vec<Standing>, gate::Standing)> {
    assign_new(ctx).await?;
    let rows = standings(ctx, Some(caller.user.id), ctx.now()).await?;
    Ok((rows, gate::standing(ctx, caller.user.id).await?))
}

/// Every course, archived ones too.
pub async fn courses(ctx: &Ctx) -> Result<Vec<Course>> {
    Ok(ctx.db.training_courses().await?)
}
