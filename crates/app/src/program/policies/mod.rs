//! Policy use cases: who must attest (assignment sync), the home-page lines, reminders
//! and escalations with the day's digest, the first-start sample code of ethics, and the
//! coverage of each policy's current cycle (the attestation report and the evidence
//! binder read the same rows). The rules are `core::policies`.
//!
//! Who must attest is decided when a material version is published (everyone its
//! audience includes then) and kept up to date ([`sync`]): people who join the audience
//! later are assigned with the policy's full days from when they were added.

pub mod manage;
pub mod mine;

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::audience::{Audience, Member};
use righttrack_core::clock::{day, minute};
use righttrack_core::ids::UserId;
use righttrack_core::policies as rules;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::policies::{NewPolicy, Policy, Version};
use serde_json::json;

/// What an audience needs to know of a user (their site is their team's).
pub async fn member_of(ctx: &Ctx, u: &User) -> Result<MemberInfo> {
    let site = match u.team_id {
        Some(t) => ctx
            .db
            .list_teams()
            .await?
            .into_iter()
            .find(|x| x.id == t)
            .map(|x| x.site_id),
        None => None,
    };
    Ok(MemberInfo {
        roles: u.roles.clone(),
        team: u.team_id,
        site,
    })
}

pub struct MemberInfo {
    roles: Vec<Role>,
    team: Option<righttrack_core::ids::TeamId>,
    site: Option<righttrack_core::ids::SiteId>,
}

impl MemberInfo {
    fn in_(&self, a: &Audience) -> bool {
        a.includes(Member {
            roles: &self.roles,
            team: self.team,
            site: self.site,
        })
    }
}

/// Assigns each current cycle to the audience members who do not have it yet (all
/// policies, or one person's). Returns how many assignments were new.
pub async fn sync(ctx: &Ctx, only: Option<&User>, now: Timestamp) -> Result<u64> {
    let me = match only {
        Some(u) => Some(member_of(ctx, u).await?),
        None => None,
    };
    let mut new = 0;
    for p in ctx.db.policies().await? {
        if p.retired_at.is_some() {
            continue;
        }
        let Some(cycle) = ctx.db.cycle(&p.id).await? else {
            continue;
        };
        let users: Vec<_> = match (only, &me) {
            (Some(u), Some(m)) => {
                if u.disabled || !m.in_(&p.audience) {
                    continue;
                }
                vec![u.id]
            }
            _ => ctx
                .db
                .audience_members(&p.audience)
                .await?
                .into_iter()
                .map(|u| u.id)
                .collect(),
        };
        // Assigned at publication: the cycle's own due instant; later: full days from now.
        let due = match cycle.due_at {
            Some(d) if cycle.published_at == Some(now) => d,
            _ => rules::due(now, p.attest_days),
        };
        new += ctx.db.assign(&cycle.id, &users, now, due).await?;
    }
    Ok(new)
}

/// Seeds the sample code of ethics on a database without any policy, as a draft for the
/// officers to adapt, approve and publish. Returns whether it seeded.
pub async fn seed_sample(ctx: &Ctx) -> Result<bool> {
    if ctx.db.count_policies().await? > 0 {
        return Ok(false);
    }
    let quiz = rules::parse_quiz(rules::SAMPLE_QUIZ).map_err(|e| Error::internal(&e))?;
    let (pid, vid) = ctx
        .db
        .create_policy(
            &NewPolicy {
                slug: rules::slug(rules::SAMPLE_CODE_TITLE),
                title: rules::SAMPLE_CODE_TITLE.into(),
                audience: Audience::everyone(),
                attest_days: rules::DEFAULT_ATTEST_DAYS,
                pass_mark: rules::DEFAULT_PASS_MARK,
                by: "system".into(),
                body: rules::SAMPLE_CODE.into(),
                summary: "Sample contact-centre code of ethics shipped with RightTrack.".into(),
                quiz,
            },
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        "system",
        "policy.created",
        &pid,
        json!({"version": vid, "sample": true}),
    )
    .await?;
    Ok(true)
}

// ------------------------------------------------------------------------ home lines

/// Lines for the home page: the caller's open attestations, and for a team lead how
/// many people in the teams they lead are overdue. Each is (text, link).
pub async fn home_lines(
    ctx: &Ctx,
    user: &User,
    now: Timestamp,
) -> Result<Vec<(String, &'static str)>> {
    sync(ctx, Some(user), now).await?;
    let mut out = Vec::new();
    let open: Vec<_> = ctx
        .db
        .my_assignments(user.id)
        .await?
        .into_iter()
        .filter(|a| a.attested_at.is_none())
        .collect();
    if !open.is_empty() {
        let overdue = open
            .iter()
            .filter(|a| rules::is_overdue(a.due_at, now))
            .count();
        let n = open.len();
        let mut text = format!(
            "You have {n} polic{} to read and attest",
            if n == 1 { "y" } else { "ies" }
        );
        if overdue > 0 {
            text.push_str(&format!(" ({overdue} overdue)"));
        } else if let Some(first) = open.first() {
            text.push_str(&format!(", the first by {}", day(first.due_at)));
        }
        text.push('.');
        out.push((text, "/my/policies"));
    }
    if user.has(Role::TeamLead) {
        let n = team_overdue(ctx, user, now).await?.len();
        if n > 0 {
            out.push((
                format!(
                    "{n} {} in your team{} overdue attestations.",
                    if n == 1 { "person" } else { "people" },
                    if n == 1 { " has" } else { " have" }
                ),
                "/my/team/policies",
            ));
        }
    }
    Ok(out)
}

/// One open attestation of someone in a lead's teams.
pub struct TeamRow {
    pub name: String,
    pub team: String,
    pub policy: String,
    pub due: String,
    pub overdue: bool,
}

/// The open attestations of the members of the teams `lead` leads (themselves excluded).
pub async fn team_open(ctx: &Ctx, lead: &User, now: Timestamp) -> Result<Vec<TeamRow>> {
    let teams: Vec<_> = ctx
        .db
        .list_teams()
        .await?
        .into_iter()
        .filter(|t| t.lead_user_id == Some(lead.id))
        .collect();
    if teams.is_empty() {
        return Ok(Vec::new());
    }
    let members: Vec<User> = ctx
        .db
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled && u.id != lead.id && teams.iter().any(|t| Some(t.id) == u.team_id))
        .collect();
    let mut rows = Vec::new();
    for u in &members {
        for a in ctx.db.my_assignments(u.id).await? {
            if a.attested_at.is_some() {
                continue;
            }
            rows.push(TeamRow {
                name: u.display_name.clone(),
                team: teams
                    .iter()
                    .find(|t| Some(t.id) == u.team_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                policy: a.title.clone(),
                due: day(a.due_at),
                overdue: rules::is_overdue(a.due_at, now),
            });
        }
    }
    rows.sort_by(|a, b| (!a.overdue, &a.due, &a.name).cmp(&(!b.overdue, &b.due, &b.name)));
    Ok(rows)
}

/// The people (not attestations) of a lead's teams with at least one overdue attestation.
pub async fn team_overdue(ctx: &Ctx, lead: &User, now: Timestamp) -> Result<Vec<String>> {
    let mut names: Vec<String> = team_open(ctx, lead, now)
        .await?
        .into_iter()
        .filter(|r| r.overdue)
        .map(|r| r.name)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

// ------------------------------------------------------------------------ reminders

/// What one reminder run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Reminded {
    pub reminders: usize,
    pub escalations: usize,
}

/// Sends (records) the reminders that are due: each person with an open attestation is
/// reminded at most weekly; once overdue, their lead (the first person up their
/// management chain) is told, at most weekly too. The serve sweep runs this every ten
/// minutes; `righttrack policies digest` prints a day's reminders for a mailer.
pub async fn remind(ctx: &Ctx, now: Timestamp) -> Result<Reminded> {
    sync(ctx, None, now).await?;
    let today = day(now);
    let mut r = Reminded::default();
    for (cycle, user, due) in ctx.db.open_assignments().await? {
        let last = ctx.db.last_reminder(&cycle, user, "reminder").await?;
        if rules::reminder_due(last, now)
            && ctx
                .db
                .put_reminder(&cycle, user, "reminder", user, &today, now)
                .await?
        {
            r.reminders += 1;
        }
        if rules::is_overdue(due, now) {
            let last = ctx.db.last_reminder(&cycle, user, "escalation").await?;
            if !rules::reminder_due(last, now) {
                continue;
            }
            let lead = ctx
                .db
                .management_chain(user)
                .await?
                .into_iter()
                .find(|l| *l != user);
            if let Some(lead) = lead {
                if ctx
                    .db
                    .put_reminder(&cycle, user, "escalation", lead, &today, now)
                    .await?
                {
                    r.escalations += 1;
                }
            }
        }
    }
    Ok(r)
}

/// The day's reminder lines for a mailer: `recipient<TAB>text`, one per recipient and
/// kind ("You have 2 policies to attest: Code of Ethics, …" / "3 people in your team
/// have overdue attestations.").
pub async fn digest_lines(ctx: &Ctx, day: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let rows = ctx.db.reminders_of_day(day).await?;
    let mut i = 0;
    while i < rows.len() {
        let (recipient, kind) = (&rows[i].0, &rows[i].1);
        let group: Vec<_> = rows[i..]
            .iter()
            .take_while(|r| &r.0 == recipient && &r.1 == kind)
            .collect();
        i += group.len();
        let text = if kind == "escalation" {
            let mut people: Vec<&str> = group.iter().map(|r| r.2.as_str()).collect();
            people.dedup();
            format!(
                "{} {} in your team {} overdue policy attestations. Sign in to RightTrack to see who.",
                people.len(),
                if people.len() == 1 { "person" } else { "people" },
                if people.len() == 1 { "has" } else { "have" },
            )
        } else {
            let titles: Vec<&str> = group.iter().map(|r| r.3.as_str()).collect();
            format!(
                "Please read and attest: {}. Sign in to RightTrack, My policies.",
                titles.join(", ")
            )
        };
        out.push((recipient.clone(), text));
    }
    Ok(out)
}

/// One person of a cycle, with where they sit in the organisation.
pub struct PersonRow {
    pub name: String,
    pub username: String,
    pub team: String,
    pub site: String,
    pub roles: Vec<String>,
    pub lead: String,
    pub assigned: String,
    pub due: String,
    pub status: &'static str,
    pub days_overdue: i64,
    pub attested: String,
    pub reminders: i64,
    pub last_reminder: String,
    pub escalations: i64,
}

pub struct CycleData {
    pub cycle: Version,
    pub people: Vec<PersonRow>,
    pub assignees: Vec<rules::Assignee>,
}

pub async fn cycle_data(ctx: &Ctx, p: &Policy) -> Result<Option<CycleData>> {
    let now = ctx.now();
    let Some(cycle) = ctx.db.cycle(&p.id).await? else {
        return Ok(None);
    };
    let teams = ctx.db.list_teams().await?;
    let users = crate::platform::directory::users_by_id(ctx).await?;
    // (person, kind) → (how many, last sent): looked up once per assignee, so a map
    // (a scan per assignee was quadratic once most of a large audience had reminders).
    let reminders: std::collections::HashMap<(UserId, String), (i64, jiff::Timestamp)> = ctx
        .db
        .cycle_reminders(&cycle.id)
        .await?
        .into_iter()
        .map(|(u, kind, n, at)| ((u, kind), (n, at)))
        .collect();
    let teams: std::collections::HashMap<_, _> = teams.iter().map(|t| (t.id, t)).collect();
    let mut people = Vec::new();
    let mut assignees = Vec::new();
    for a in ctx.db.assignments(&cycle.id).await? {
        if a.disabled {
            continue;
        }
        let u = users.get(&a.user_id);
        let team = u
            .and_then(|u| u.team_id)
            .and_then(|t| teams.get(&t).copied());
        let lead = team
            .and_then(|t| t.lead_user_id)
            .filter(|l| *l != a.user_id)
            .and_then(|l| users.get(&l))
            .map(|l| l.display_name.clone())
            .unwrap_or_default();
        let roles: Vec<String> = u
            .map(|u| u.roles.iter().map(|r| r.label().to_owned()).collect())
            .unwrap_or_default();
        let rem = |kind: &str| {
            reminders
                .get(&(a.user_id, kind.to_owned()))
                .map(|(n, at)| (*n, day(*at)))
                .unwrap_or((0, String::new()))
        };
        let (reminders_n, last_reminder) = rem("reminder");
        let (escalations, _) = rem("escalation");
        let overdue = a.attested_at.is_none() && rules::is_overdue(a.due_at, now);
        let row = PersonRow {
            name: a.display_name.clone(),
            username: a.username.clone(),
            team: team
                .map(|t| t.name.clone())
                .unwrap_or_else(|| "(no team)".into()),
            site: team
                .map(|t| t.site_name.clone())
                .unwrap_or_else(|| "(no site)".into()),
            roles: roles.clone(),
            lead,
            assigned: day(a.assigned_at),
            due: day(a.due_at),
            status: if a.attested_at.is_some() {
                "attested"
            } else if overdue {
                "overdue"
            } else {
                "open"
            },
            days_overdue: if overdue {
                now.duration_since(a.due_at).as_hours() / 24
            } else {
                0
            },
            attested: a.attested_at.map(minute).unwrap_or_default(),
            reminders: reminders_n,
            last_reminder,
            escalations,
        };
        assignees.push(rules::Assignee {
            team: row.team.clone(),
            site: row.site.clone(),
            roles,
            due_at: a.due_at,
            attested_at: a.attested_at,
        });
        people.push(row);
    }
    Ok(Some(CycleData {
        cycle,
        people,
        assignees,
    }))
}

pub struct QuestionRow {
    pub version: i64,
    pub n: i64,
    pub prompt: String,
    pub answers: i64,
    pub wrong: i64,
    pub rate: i64,
    pub flagged: bool,
}

pub async fn question_rows(ctx: &Ctx, p: &Policy) -> Result<Vec<QuestionRow>> {
    let versions = ctx.db.versions(&p.id).await?;
    Ok(ctx
        .db
        .question_stats(&p.id)
        .await?
        .into_iter()
        .map(|s| QuestionRow {
            version: s.version_number,
            n: s.position + 1,
            prompt: versions
                .iter()
                .find(|v| v.number == s.version_number)
                .and_then(|v| usize::try_from(s.position).ok().and_then(|i| v.quiz.get(i)))
                .map(|q| q.prompt.clone())
                .unwrap_or_default(),
            answers: s.answers,
            wrong: s.wrong,
            rate: if s.answers == 0 {
                0
            } else {
                s.wrong * 100 / s.answers
            },
            flagged: rules::flagged(s.answers, s.wrong),
        })
        .collect())
}

pub struct ReportsRow {
    pub slug: String,
    pub title: String,
    pub version: String,
    pub c: rules::Coverage,
    pub flagged: usize,
    /// Answers to the current version's quiz questions, and the wrong ones among them.
    pub answers: i64,
    pub wrong: i64,
}

/// Coverage of every policy in force's current cycle (after assigning newcomers), with
/// its quiz answers: the attestation report and the evidence binder.
pub async fn reports_rows(ctx: &Ctx) -> Result<Vec<ReportsRow>> {
    let now = ctx.now();
    sync(ctx, None, now).await?;
    let mut rows = Vec::new();
    for p in ctx.db.policies().await? {
        if p.retired_at.is_some() {
            continue;
        }
        let Some(d) = cycle_data(ctx, &p).await? else {
            continue;
        };
        let c = rules::coverage(&d.assignees, now, |_| Vec::new())
            .into_iter()
            .next()
            .unwrap_or_default();
        let questions: Vec<QuestionRow> = question_rows(ctx, &p)
            .await?
            .into_iter()
            .filter(|q| q.version == d.cycle.number)
            .collect();
        rows.push(ReportsRow {
            slug: p.slug,
            title: p.title,
            version: format!(
                "version {}, due {}",
                d.cycle.number,
                d.cycle.due_at.map(day).unwrap_or_default()
            ),
            c,
            flagged: questions.iter().filter(|q| q.flagged).count(),
            answers: questions.iter().map(|q| q.answers).sum(),
            wrong: questions.iter().map(|q| q.wrong).sum(),
        });
    }
    Ok(rows)
}

/// What a person must attest of a policy now: (cycle id, due).
pub async fn open_assignment(
    ctx: &Ctx,
    policy: &Policy,
    user: &User,
) -> Result<Option<(String, Timestamp, Option<Timestamp>)>> {
    Ok(ctx
        .db
        .my_assignments(user.id)
        .await?
        .into_iter()
        .find(|a| a.policy_id == policy.id)
        .map(|a| (a.cycle_version_id, a.due_at, a.attested_at)))
}

/// The result of an attestation attempt.
pub enum Attested {
    /// Attested; the evidence id.
    Done { id: String, score: Option<u32> },
    /// The quiz was failed: recorded, not attested.
    Failed(rules::Score),
}

/// Takes the quiz and attests `key`'s published version for `actor`, whose answers are
/// `answers`. `version_seen` is the version id (web) or hash (API) the person read; a
/// newer publication in between is a conflict. Every attempt is recorded and audited.
pub async fn attest(
    ctx: &Ctx,
    actor: &Caller,
    key: &str,
    version_seen: &str,
    answers: &[Option<usize>],
    method: &str,
) -> Result<(Policy, Attested)> {
    let user = &actor.user;
    let now = ctx.now();
    let Some(p) = ctx.db.policy(key).await? else {
        return Err(Error::not_found());
    };
    let Some(v) = ctx.db.published_version(&p.id).await? else {
        return Err(Error::not_found());
    };
    if version_seen != v.id && Some(version_seen) != v.hash.as_deref() {
        return Err(Error::new(Kind::Conflict,
            format!(
                "Version {} of this policy has been published since you opened it; read it and attest again.",
                v.number
            ),
        ));
    }
    sync(ctx, Some(user), now).await?;
    let cycle = match open_assignment(ctx, &p, user).await? {
        Some((c, _, None)) => c,
        Some((_, _, Some(_))) => {
            return Err(Error::new(
                Kind::Conflict,
                "You have already attested this version of the policy.",
            ))
        }
        None => {
            return Err(Error::new(
                Kind::Conflict,
                "This policy does not ask you to attest it.",
            ))
        }
    };
    let score = rules::score(&v.quiz, answers, p.pass_mark).map_err(Error::unprocessable)?;
    let attempt = if v.quiz.is_empty() {
        None
    } else {
        let id = ctx
            .db
            .record_attempt(&v.id, user.id, &score, method, now, &mut rand::rngs::OsRng)
            .await?;
        ctx
            .audit(
                &user.id.to_string(),
                "policy.quiz_attempted",
                &p.id,
                json!({"version": v.number, "score": score.percent, "passed": score.passed, "method": method}),
            )
            .await?;
        Some(id)
    };
    if !score.passed {
        return Ok((p, Attested::Failed(score)));
    }
    let pct = (!v.quiz.is_empty()).then_some(score.percent);
    let id = ctx
        .db
        .attest(
            &cycle,
            user.id,
            &v,
            method,
            pct,
            attempt.as_deref(),
            now,
            &mut rand::rngs::OsRng,
        )
        .await
        .map_err(|e| match e {
            righttrack_store::StoreError::Conflict(_) => Error::new(
                Kind::Conflict,
                "You have already attested this version of the policy.",
            ),
            e => e.into(),
        })?;
    ctx
        .audit(
            &user.id.to_string(),
            "policy.attested",
            &p.id,
            json!({"version": v.number, "hash": v.hash, "method": method, "score": pct, "attestation": id}),
        )
        .await?;
    Ok((p, Attested::Done { id, score: pct }))
}
