//! What the survey pages show and what their forms do: the officers' surveys and waves
//! (building, launching, results, hot-spots, exports) and the employee's "My surveys"
//! (answering, with a preview of what redaction keeps of a comment). Plain data and
//! plain text; the web feature renders it.

use super::{autoclose, domain, load, released, today, Released};
use crate::program::{csv_table, directory};
use crate::{Caller, Ctx, Error, Result};
use jiff::civil::Date;
use righttrack_core::audience::Audience;
use righttrack_core::ids::{SiteId, TeamId};
use righttrack_core::surveys::instrument::{
    self, builtin, parse_answers, parse_custom, redact_comment,
};
use righttrack_core::surveys::release::{parse_cell, view, Dim, View, ALL, NONE, ROLES, TENURES};
use righttrack_core::surveys::results::{self, CellResult, HotSpot, ViewReport};
use righttrack_core::surveys::{
    accepting, check_thresholds, Dims, Question, QuestionKind, Thresholds, WaveStatus,
};
use righttrack_core::Role;
use righttrack_store::directory::{Site, Team};
use righttrack_store::surveys::{NewWave, Participation, Submit, Survey, Wave};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What a form's fields came to: the value, or every problem by field.
pub type Checked<T> = std::result::Result<T, Vec<String>>;

/// A share as a whole percentage, "—" when there is none.
pub fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

// ------------------------------------------------------------------ labels

/// Names of teams and sites, by id, for cell labels.
pub struct Names {
    teams: BTreeMap<String, String>,
    sites: BTreeMap<String, String>,
}

/// The directory's team and site names.
pub async fn names(ctx: &Ctx) -> Result<Names> {
    let (teams, sites) = directory(ctx).await?;
    Ok(Names {
        teams: teams
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        sites: sites
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
    })
}

impl Names {
    /// One value of a dimension, for people.
    pub fn value(&self, d: Dim, v: &str) -> String {
        let band = |list: &[(&str, &str)]| {
            list.iter()
                .find(|(k, _)| *k == v)
                .map_or_else(|| v.to_owned(), |(_, l)| (*l).to_owned())
        };
        match d {
            Dim::Team if v == NONE => "No team".into(),
            Dim::Site if v == NONE => "No site".into(),
            Dim::Team => self
                .teams
                .get(v)
                .cloned()
                .unwrap_or_else(|| "(removed team)".into()),
            Dim::Site => self
                .sites
                .get(v)
                .cloned()
                .unwrap_or_else(|| "(removed site)".into()),
            Dim::Role => band(&ROLES),
            Dim::Tenure => band(&TENURES),
        }
    }

    /// "Lisbon · Agents"; "Everyone" for `all`.
    pub fn cell(&self, key: &str) -> String {
        match parse_cell(key) {
            Some(parts) if parts.is_empty() => "Everyone".into(),
            Some(parts) => parts
                .iter()
                .map(|(d, v)| self.value(*d, v))
                .collect::<Vec<_>>()
                .join(" · "),
            None => key.to_owned(),
        }
    }

    /// A wave's audience in words: "everyone", or "roles: …; sites: …; teams: …".
    pub fn audience(&self, a: &Audience) -> String {
        if a.is_everyone() {
            return "everyone".into();
        }
        let mut parts = Vec::new();
        if !a.roles.is_empty() {
            parts.push(format!(
                "roles: {}",
                a.roles
                    .iter()
                    .map(|r| r.as_str().replace('_', " "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let list = |d: Dim, ids: Vec<String>| {
            ids.iter()
                .map(|s| self.value(d, s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !a.sites.is_empty() {
            let ids = a.sites.iter().map(|s| s.to_string()).collect();
            parts.push(format!("sites: {}", list(Dim::Site, ids)));
        }
        if !a.teams.is_empty() {
            let ids = a.teams.iter().map(|s| s.to_string()).collect();
            parts.push(format!("teams: {}", list(Dim::Team, ids)));
        }
        parts.join("; ")
    }
}

/// The view asked for (`None` or empty: the wave's first); a view the wave does not
/// report is a problem of the `view` field.
pub fn pick_view(r: &Released, asked: Option<&str>) -> Result<&'static View> {
    match asked.filter(|s| !s.is_empty()) {
        None => r
            .views
            .first()
            .copied()
            .ok_or_else(|| Error::internal(&"a wave without views")),
        Some(k) => r.views.iter().copied().find(|v| v.key == k).ok_or_else(|| {
            Error::unprocessable(format!(
                "field `view`: this wave reports {}",
                r.views.iter().map(|v| v.key).collect::<Vec<_>>().join(", ")
            ))
        }),
    }
}

/// The climate indices a survey's questions measure, in the instrument's order.
pub fn index_keys(s: &Survey) -> Vec<&'static str> {
    instrument::INDICES
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|k| s.questions.iter().any(|q| q.index.as_deref() == Some(*k)))
        .collect()
}

// ------------------------------------------------------------------ officer: surveys

/// Every survey with its waves.
pub async fn surveys(ctx: &Ctx) -> Result<Vec<(Survey, Vec<Wave>)>> {
    let waves = ctx.db.waves(None).await?;
    Ok(ctx
        .db
        .surveys()
        .await?
        .into_iter()
        .map(|s| {
            let ws = waves
                .iter()
                .filter(|w| w.survey_id == s.id)
                .cloned()
                .collect();
            (s, ws)
        })
        .collect())
}

/// Creates a survey: its name, the built-in instrument or not, custom questions one per
/// line (audited). Returns its id.
pub async fn create(
    ctx: &Ctx,
    caller: &Caller,
    name: &str,
    with_builtin: bool,
    custom: &str,
) -> Result<Checked<String>> {
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name: 1 to 200 characters".to_owned());
    }
    let mut questions: Vec<Question> = if with_builtin { builtin() } else { vec![] };
    match parse_custom(custom) {
        Ok(mut c) => questions.append(&mut c),
        Err(mut e) => errors.append(&mut e),
    }
    if errors.is_empty() && questions.iter().all(|q| q.kind == QuestionKind::Comment) {
        errors.push(
            "questions: include the built-in instrument or at least one closed custom question"
                .into(),
        );
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let id = ctx
        .db
        .create_survey(
            name,
            &questions,
            &caller.user.username,
            ctx.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    ctx.audit(
        &caller.actor(),
        "survey.created",
        &id,
        json!({"questions": questions.len(), "builtin": with_builtin}),
    )
    .await?;
    Ok(Ok(id))
}

/// A survey with its waves, and the directory a wave's audience may name.
pub struct SurveyView {
    pub s: Survey,
    pub waves: Vec<Wave>,
    pub teams: Vec<Team>,
    pub sites: Vec<Site>,
}

/// A survey by id, its waves and the directory for a new wave's form.
pub async fn survey(ctx: &Ctx, id: &str) -> Result<SurveyView> {
    let s = ctx.db.survey(id).await?.ok_or_else(Error::not_found)?;
    let (teams, sites) = directory(ctx).await?;
    Ok(SurveyView {
        waves: ctx.db.waves(Some(&s.id)).await?,
        s,
        teams,
        sites,
    })
}

/// A wave's form as submitted.
pub struct WaveInput {
    pub name: String,
    pub opens: String,
    pub closes: String,
    pub roles: Vec<String>,
    pub teams: Vec<String>,
    pub sites: Vec<String>,
    pub views: Vec<String>,
    pub min_group: String,
    pub min_comments: String,
}

/// Reads a wave's form; problems name the field, and the wave as read comes back with
/// them to fill the form again.
async fn read_wave(
    ctx: &Ctx,
    survey: &str,
    caller: &Caller,
    f: &WaveInput,
) -> Result<std::result::Result<NewWave, (Vec<String>, NewWave)>> {
    let mut errors = Vec::new();
    let t = today(ctx);
    let date = |field: &str, value: &str, errors: &mut Vec<String>| -> Date {
        value.trim().parse::<Date>().unwrap_or_else(|_| {
            errors.push(format!("{field}: a date as YYYY-MM-DD"));
            t
        })
    };
    let name = f.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name: 1 to 200 characters".into());
    }
    let opens_on = date("opens", &f.opens, &mut errors);
    let closes_on = date("closes", &f.closes, &mut errors);
    if closes_on < opens_on {
        errors.push("closes: on or after the opening date".into());
    }
    let mut roles = Vec::new();
    for r in &f.roles {
        match Role::parse(r) {
            Ok(role) => roles.push(role),
            Err(_) => errors.push("role: not a role".into()),
        }
    }
    let (known_teams, known_sites) = directory(ctx).await?;
    let known_teams: BTreeSet<String> = known_teams.iter().map(|x| x.id.to_string()).collect();
    let known_sites: BTreeSet<String> = known_sites.iter().map(|x| x.id.to_string()).collect();
    let mut teams = Vec::new();
    for x in &f.teams {
        match TeamId::parse(x).filter(|_| known_teams.contains(x)) {
            Some(id) => teams.push(id),
            None => errors.push("team: not a team of the directory".into()),
        }
    }
    let mut sites = Vec::new();
    for x in &f.sites {
        match SiteId::parse(x).filter(|_| known_sites.contains(x)) {
            Some(id) => sites.push(id),
            None => errors.push("site: not a site of the directory".into()),
        }
    }
    let mut views = Vec::new();
    for v in &f.views {
        if view(v).is_some() && !views.contains(v) {
            views.push(v.clone());
        } else {
            errors.push("view: not a reporting cut".into());
        }
    }
    if views.is_empty() {
        errors.push("view: choose at least one way to report results".into());
    }
    let number = |field: &str, value: &str, errors: &mut Vec<String>, default: u32| -> u32 {
        value.trim().parse::<u32>().unwrap_or_else(|_| {
            errors.push(format!("{field}: a whole number"));
            default
        })
    };
    let thresholds = Thresholds {
        min_group: number("min_group", &f.min_group, &mut errors, 5),
        min_comments: number("min_comments", &f.min_comments, &mut errors, 10),
    };
    if errors.is_empty() {
        if let Err(e) = check_thresholds(None, thresholds, false) {
            errors.push(e);
        }
    }
    let w = NewWave {
        survey_id: survey.to_owned(),
        name,
        opens_on,
        closes_on,
        audience: Audience {
            roles,
            teams,
            sites,
        },
        views,
        thresholds,
        created_by: caller.user.username.clone(),
    };
    Ok(if errors.is_empty() {
        Ok(w)
    } else {
        Err((errors, w))
    })
}

/// What a wave's audit entry says of it.
fn wave_detail(w: &NewWave) -> Value {
    json!({"opens": w.opens_on.to_string(), "closes": w.closes_on.to_string(),
           "audience": w.audience.to_json(), "views": w.views,
           "min_group": w.thresholds.min_group, "min_comments": w.thresholds.min_comments})
}

/// Adds a draft wave to a survey (audited). Returns its id, or the form's problems with
/// the wave as read.
pub async fn create_wave(
    ctx: &Ctx,
    caller: &Caller,
    survey: &Survey,
    f: &WaveInput,
) -> Result<std::result::Result<String, (Vec<String>, NewWave)>> {
    let w = match read_wave(ctx, &survey.id, caller, f).await? {
        Ok(w) => w,
        Err(e) => return Ok(Err(e)),
    };
    let wid = ctx
        .db
        .create_wave(&w, ctx.now(), &mut rand::rngs::OsRng)
        .await?;
    let mut detail = wave_detail(&w);
    detail["survey"] = json!(survey.id);
    ctx.audit(&caller.actor(), "survey.wave_created", &wid, detail)
        .await?;
    Ok(Ok(wid))
}

/// Changes a draft wave (audited); a launched one is a conflict.
pub async fn edit_wave(
    ctx: &Ctx,
    caller: &Caller,
    survey: &Survey,
    w: &Wave,
    f: &WaveInput,
) -> Result<Checked<()>> {
    let new = match read_wave(ctx, &survey.id, caller, f).await? {
        Ok(n) => n,
        Err((errors, _)) => return Ok(Err(errors)),
    };
    if !ctx.db.update_draft_wave(&w.id, &new).await? {
        return Err(Error::conflict(
            "The wave is launched: only its thresholds can change, and only upwards.",
        ));
    }
    ctx.audit(
        &caller.actor(),
        "survey.wave_updated",
        &w.id,
        wave_detail(&new),
    )
    .await?;
    Ok(Ok(()))
}

// ------------------------------------------------------------------ officer: the wave page

/// One closed wave of the survey on the index trend.
pub struct TrendRow {
    pub wave: String,
    pub current: bool,
    pub values: Vec<String>,
}

/// A closed wave's results in one view.
pub struct Results {
    pub r: Released,
    pub view: &'static View,
    pub report: ViewReport,
}

/// What the wave page shows besides the wave.
pub struct WaveView {
    pub names: Names,
    pub participation: Vec<Participation>,
    pub teams: Vec<Team>,
    pub sites: Vec<Site>,
    /// Once closed: the view's results, hot-spots and the survey's index trend.
    pub results: Option<(Results, Vec<HotSpot>, Vec<TrendRow>)>,
}

/// A wave (closed first if its closing date passed) with its survey.
pub async fn wave(ctx: &Ctx, id: &str) -> Result<(Survey, Wave)> {
    let (s, w) = load(ctx, id).await?;
    Ok((s, autoclose(ctx, w).await?))
}

/// Everything the wave page shows of `w`, in the view asked for.
pub async fn wave_view(ctx: &Ctx, s: &Survey, w: &Wave, asked: Option<&str>) -> Result<WaveView> {
    let (teams, sites) = directory(ctx).await?;
    let mut out = WaveView {
        names: names(ctx).await?,
        participation: ctx.db.survey_participation(&w.id).await?,
        teams,
        sites,
        results: None,
    };
    if let Some(r) = released(ctx, w).await? {
        let res = results_in(ctx, s, w, r, asked).await?;
        let hot = results::hotspots(&s.questions, &res.r.responses, &res.r.plan, &res.r.views);
        let trend = trend(ctx, s, &w.id, &index_keys(s)).await?;
        out.results = Some((res, hot, trend));
    }
    Ok(out)
}

async fn results_in(
    ctx: &Ctx,
    s: &Survey,
    w: &Wave,
    r: Released,
    asked: Option<&str>,
) -> Result<Results> {
    let v = pick_view(&r, asked)?;
    let d = domain(ctx, w).await?;
    let report = results::report(&s.questions, &r.responses, &r.plan, &r.comments, v, &d);
    Ok(Results { r, view: v, report })
}

/// The organisation's index per closed wave of the survey, oldest first.
async fn trend(ctx: &Ctx, s: &Survey, current: &str, keys: &[&str]) -> Result<Vec<TrendRow>> {
    let mut waves = ctx.db.waves(Some(&s.id)).await?;
    waves.retain(|w| w.status == WaveStatus::Closed);
    waves.sort_by_key(|a| a.opens_on);
    let mut out = Vec::new();
    for w in waves {
        let Some(r) = released(ctx, &w).await? else {
            continue;
        };
        let c = results::cell(&s.questions, &r.responses, &r.plan, &r.comments, ALL);
        let values = match &c {
            CellResult::Shown { indices, .. } => keys
                .iter()
                .map(|k| {
                    pct(indices
                        .iter()
                        .find(|i| i.key == *k)
                        .and_then(|i| i.favourable))
                })
                .collect(),
            CellResult::Suppressed { reason, .. } => {
                vec![format!("not shown: {}", reason.words(w.thresholds.min_group)); keys.len()]
            }
        };
        out.push(TrendRow {
            wave: format!("{} ({})", w.name, w.opens_on),
            current: w.id == current,
            values,
        });
    }
    Ok(out)
}

/// A wave's released results in a view, with the names for its cells; a conflict until
/// the wave closes.
pub async fn results(
    ctx: &Ctx,
    id: &str,
    asked: Option<&str>,
) -> Result<(Survey, Wave, Results, Names)> {
    let (s, w) = wave(ctx, id).await?;
    let Some(r) = released(ctx, &w).await? else {
        return Err(Error::conflict(
            "Results are released when the wave closes.",
        ));
    };
    let res = results_in(ctx, &s, &w, r, asked).await?;
    Ok((s, w, res, names(ctx).await?))
}

/// A CSV export: its file name and text.
pub struct Csv {
    pub name: String,
    pub text: String,
}

/// A view's results as CSV, one row per group; a suppressed group says so and has no
/// figures (they were never computed). Audited.
pub async fn results_csv(ctx: &Ctx, caller: &Caller, id: &str, asked: Option<&str>) -> Result<Csv> {
    let (s, w, res, n) = results(ctx, id, asked).await?;
    let v = res.view;
    let closed: Vec<&Question> = s
        .questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Comment)
        .collect();
    let keys = index_keys(&s);
    let mut header = vec![
        "view".to_owned(),
        "group_key".into(),
        "group".into(),
        "status".into(),
        "respondents".into(),
    ];
    header.extend(keys.iter().map(|k| format!("index_{k}_favourable")));
    header.extend(closed.iter().map(|q| format!("{}_favourable", q.key)));
    let whole = |f: Option<f64>| f.map_or(String::new(), |f| format!("{:.0}", f * 100.0));
    let rows = std::iter::once(&res.report.overall)
        .chain(res.report.cells.iter())
        .map(|c| {
            let mut line = vec![v.key.to_owned(), c.cell().to_owned(), n.cell(c.cell())];
            match c {
                CellResult::Shown {
                    respondents,
                    indices,
                    questions,
                    ..
                } => {
                    line.push("shown".into());
                    line.push(respondents.to_string());
                    for k in &keys {
                        line.push(whole(
                            indices
                                .iter()
                                .find(|i| i.key == *k)
                                .and_then(|i| i.favourable),
                        ));
                    }
                    for qr in questions {
                        line.push(whole(qr.favourable));
                    }
                }
                CellResult::Suppressed { reason, .. } => {
                    line.push(format!(
                        "suppressed: {}",
                        reason.words(w.thresholds.min_group)
                    ));
                    line.extend(std::iter::repeat_n(
                        String::new(),
                        1 + keys.len() + closed.len(),
                    ));
                }
            }
            line
        });
    let text = csv_table(&header.join(","), rows);
    ctx.audit(
        &caller.actor(),
        "survey.results_exported",
        &w.id,
        json!({"view": v.key, "format": "csv"}),
    )
    .await?;
    Ok(Csv {
        name: format!("survey-{}-{}.csv", w.opens_on, v.key),
        text,
    })
}

/// A closed wave's released hot-spots with the names for their cells; `missing` when
/// the wave is not closed.
pub async fn hotspots(
    ctx: &Ctx,
    id: &str,
    missing: fn() -> Error,
) -> Result<(Survey, Wave, Released, Vec<HotSpot>, Names)> {
    let (s, w) = wave(ctx, id).await?;
    let Some(r) = released(ctx, &w).await? else {
        return Err(missing());
    };
    let list = results::hotspots(&s.questions, &r.responses, &r.plan, &r.views);
    Ok((s, w, r, list, names(ctx).await?))
}

/// One released hot-spot (an index in a group) with its group's results; "nothing
/// here" if that group is not, or no longer, a released hot-spot.
pub async fn hotspot(
    ctx: &Ctx,
    id: &str,
    index: &str,
    cell: &str,
) -> Result<(
    Wave,
    HotSpot,
    Vec<(Question, results::QuestionResult)>,
    Names,
)> {
    let (s, w, r, list, n) = hotspots(ctx, id, Error::not_found).await?;
    let h = list
        .into_iter()
        .find(|h| h.index == index && h.cell == cell)
        .ok_or_else(Error::not_found)?;
    let questions = match results::cell(&s.questions, &r.responses, &r.plan, &r.comments, &h.cell) {
        CellResult::Shown { questions, .. } => s
            .questions
            .iter()
            .filter(|q| q.kind != QuestionKind::Comment)
            .zip(questions)
            .filter(|(q, _)| q.index.as_deref() == Some(h.index.as_str()))
            .map(|(q, res)| (q.clone(), res))
            .collect(),
        CellResult::Suppressed { .. } => vec![],
    };
    Ok((w, h, questions, n))
}

/// Surveys and their waves with participation counts (the API).
pub async fn api_list(ctx: &Ctx) -> Result<Value> {
    let mut out = Vec::new();
    for (s, waves) in surveys(ctx).await? {
        let mut ws = Vec::new();
        for w in &waves {
            let p = ctx.db.survey_participation(&w.id).await?;
            ws.push(json!({
                "id": w.id, "name": w.name, "status": w.status.as_str(),
                "opens_on": w.opens_on.to_string(), "closes_on": w.closes_on.to_string(),
                "views": w.views, "min_group": w.thresholds.min_group, "min_comments": w.thresholds.min_comments,
                "invited": p.iter().map(|x| x.invited).sum::<u64>(),
                "responded": p.iter().map(|x| x.responded).sum::<u64>(),
            }));
        }
        out.push(json!({"id": s.id, "name": s.name, "questions": s.questions, "waves": ws}));
    }
    Ok(json!({"surveys": out}))
}

// ------------------------------------------------------------------ employees

/// One wave on "My surveys".
pub struct MyWave {
    pub id: String,
    pub name: String,
    pub closes: String,
    pub state: &'static str,
}

/// The waves the caller is invited to, and where each stands for them.
pub async fn my_waves(ctx: &Ctx, caller: &Caller) -> Result<Vec<MyWave>> {
    let t = today(ctx);
    Ok(ctx
        .db
        .my_survey_waves(caller.user.id)
        .await?
        .into_iter()
        .map(|(w, responded)| MyWave {
            state: if responded {
                "answered"
            } else if accepting(w.status, w.opens_on, w.closes_on, t) {
                "open"
            } else if w.opens_on > t && w.status == WaveStatus::Open {
                "not yet open"
            } else {
                "closed"
            },
            id: w.id,
            name: w.name,
            closes: w.closes_on.to_string(),
        })
        .collect())
}

/// The person's reporting dimensions now.
async fn dims_of(ctx: &Ctx, caller: &Caller) -> Result<Dims> {
    let team = match caller.user.team_id {
        Some(t) => ctx.db.list_teams().await?.into_iter().find(|x| x.id == t),
        None => None,
    };
    Ok(super::dims_of(&caller.user, team.as_ref(), ctx.now()))
}

/// The groups the caller's answers will be reported in: "Everyone", then one per view
/// ("By site: Lisbon").
pub async fn my_groups(ctx: &Ctx, caller: &Caller, w: &Wave) -> Result<Vec<String>> {
    let n = names(ctx).await?;
    let d = dims_of(ctx, caller).await?;
    let mut groups: Vec<String> = vec!["Everyone".into()];
    for v in super::views_of(w) {
        groups.push(format!("{}: {}", v.name, n.cell(&v.cell_of(&d))));
    }
    Ok(groups)
}

/// Where the caller stands on a wave.
pub enum Answer {
    /// The form to fill.
    Form,
    /// Answered already.
    Answered,
    /// Not accepting answers.
    Closed,
    /// What redaction keeps of the comments.
    Preview(String),
    /// The answers' problems.
    Invalid(Vec<String>),
    /// Stored; the comments as kept.
    Done(String),
}

/// The wave if the caller is invited to it (else "nothing here", as for a wave that does
/// not exist), and where they stand on it.
pub async fn my_wave(ctx: &Ctx, caller: &Caller, id: &str) -> Result<(Survey, Wave, Answer)> {
    let responded = ctx
        .db
        .survey_invitation(id, caller.user.id)
        .await?
        .ok_or_else(Error::not_found)?;
    let (s, w) = load(ctx, id).await?;
    let a = if responded {
        Answer::Answered
    } else if accepting(w.status, w.opens_on, w.closes_on, today(ctx)) {
        Answer::Form
    } else {
        Answer::Closed
    };
    Ok((s, w, a))
}

/// Previews (`preview`) or stores (once) the caller's answers (`q_<key>` fields).
/// Comments are redacted (customer data and the directory's names) before either.
pub async fn answer(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    given: &[(String, String)],
    preview: bool,
) -> Result<(Survey, Wave, Answer)> {
    let (s, w, a) = my_wave(ctx, caller, id).await?;
    if !matches!(a, Answer::Form) {
        return Ok((s, w, a));
    }
    let t = today(ctx);
    let engine = ctx.engine().map_err(|e| Error::internal(&e))?;
    let people = super::people_names(&ctx.db.list_users().await?);
    let comment_keys: Vec<String> = s
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Comment)
        .map(|q| q.key.clone())
        .collect();
    let field = |k: &str| {
        given
            .iter()
            .find(|(f, _)| *f == format!("q_{k}"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if preview {
        // The preview needs no other answer: it shows what redaction keeps.
        let kept: Vec<String> = comment_keys
            .iter()
            .map(|k| redact_comment(&engine, &field(k), &people))
            .filter(|c| !c.is_empty())
            .collect();
        let shown = if kept.is_empty() {
            "(no comment)".to_owned()
        } else {
            kept.join("\n\n")
        };
        return Ok((s, w, Answer::Preview(shown)));
    }
    let mut answers = match parse_answers(&s.questions, given) {
        Ok(a) => a,
        Err(errors) => return Ok((s, w, Answer::Invalid(errors))),
    };
    for k in &comment_keys {
        if let Some(c) = answers.get_mut(k) {
            *c = redact_comment(&engine, c, &people);
        }
    }
    answers.retain(|_, v| !v.is_empty());
    let kept: String = comment_keys
        .iter()
        .filter_map(|k| answers.get(k).cloned())
        .collect::<Vec<_>>()
        .join("\n\n");
    let dims = dims_of(ctx, caller).await?;
    let a = match ctx
        .db
        .submit_survey_response(
            &w.id,
            caller.user.id,
            t,
            &dims,
            &answers,
            &mut rand::rngs::OsRng,
        )
        .await?
    {
        Submit::Stored => Answer::Done(kept),
        Submit::AlreadyAnswered => Answer::Answered,
        Submit::NotOpenToYou => Answer::Closed,
    };
    Ok((s, w, a))
}
