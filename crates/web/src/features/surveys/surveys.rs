//! Ethics-climate surveys: the officer's builder, waves and results; the employee's
//! "My surveys"; the results API. Rules and anonymity live in `core::surveys`, rows in
//! `store::surveys`.
//!
//! Results exist only for a closed wave, and only through `core::surveys::results`,
//! which computes the cells its release plan allows: pages, the CSV export and the API
//! all call `released`, so they cannot disagree or show more than the plan. Live
//! results are not offered: watching a group's figures move between two answers would
//! tell the officer what the one person in between answered.
//!
//! Audited: survey creation, wave creation and edits, launch, close, threshold
//! changes and exports. Never an answer (its time would be in the trail).

use crate::auth::Caller;
use crate::error::{AppError, AppResult, Code};
use crate::extract::{Path, Query};
use crate::pages::{layout, render, FormData, Layout};
use crate::routes::urlencode;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use jiff::civil::Date;
use righttrack_core::audience::Audience;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::surveys::instrument::{
    self, builtin, parse_answers, parse_custom, redact_comment,
};
use righttrack_core::surveys::release::{
    parse_cell, role_band, tenure_band, view, Dim, View, ALL, DEFAULT_VIEWS, NONE, ROLES, TENURES,
    VIEWS,
};
use righttrack_core::surveys::results::{self, CellResult};
use righttrack_core::surveys::{
    accepting, check_thresholds, Dims, Question, QuestionKind, Thresholds, WaveStatus,
};
use righttrack_core::Role;
use righttrack_scan::csv::cell as csv_cell;
use righttrack_store::surveys::{NewWave, Submit, Survey, Wave};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

use righttrack_app::program::surveys::{
    self as app_surveys, autoclose, domain, load, released, today, views_of, Released,
};

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

// ------------------------------------------------------------------ labels

/// Names of teams and sites, by id, for cell labels.
struct Names {
    teams: BTreeMap<String, String>,
    sites: BTreeMap<String, String>,
}

async fn names(state: &AppState) -> AppResult<Names> {
    Ok(Names {
        teams: state
            .db
            .list_teams()
            .await?
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect(),
        sites: state
            .db
            .list_sites()
            .await?
            .into_iter()
            .map(|s| (s.id.to_string(), s.name))
            .collect(),
    })
}

impl Names {
    fn value(&self, d: Dim, v: &str) -> String {
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
    fn cell(&self, key: &str) -> String {
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
}

// ------------------------------------------------------------------ shared loading

fn pick_view(r: &Released, asked: Option<&str>) -> AppResult<&'static View> {
    match asked.filter(|s| !s.is_empty()) {
        None => r
            .views
            .first()
            .copied()
            .ok_or_else(|| AppError::internal(&"a wave without views")),
        Some(k) => r.views.iter().copied().find(|v| v.key == k).ok_or_else(|| {
            AppError::unprocessable(format!(
                "field `view`: this wave reports {}",
                r.views.iter().map(|v| v.key).collect::<Vec<_>>().join(", ")
            ))
        }),
    }
}

/// The stable reference of a hot-spot: wave, index and cell.
pub fn hotspot_path(wave: &str, index: &str, cell: &str) -> String {
    format!("/surveys/waves/{wave}/hotspots/{index}/{}", urlencode(cell))
}

// ------------------------------------------------------------------ officer: surveys

struct SurveyRow {
    id: String,
    name: String,
    questions: usize,
    waves: Vec<WaveRow>,
}

struct WaveRow {
    id: String,
    name: String,
    status: &'static str,
    dates: String,
}

fn wave_row(w: &Wave) -> WaveRow {
    WaveRow {
        id: w.id.clone(),
        name: w.name.clone(),
        status: w.status.as_str(),
        dates: format!("{} to {}", w.opens_on, w.closes_on),
    }
}

#[derive(Template)]
#[template(path = "surveys.html")]
struct SurveysPage {
    l: Layout,
    surveys: Vec<SurveyRow>,
    may_manage: bool,
    errors: Vec<String>,
    name: String,
    custom: String,
}

async fn surveys_page(
    state: &AppState,
    caller: &Caller,
    errors: Vec<String>,
    name: String,
    custom: String,
) -> AppResult<Response> {
    let waves = state.db.waves(None).await?;
    let surveys = state
        .db
        .surveys()
        .await?
        .into_iter()
        .map(|s| SurveyRow {
            waves: waves
                .iter()
                .filter(|w| w.survey_id == s.id)
                .map(wave_row)
                .collect(),
            questions: s.questions.len(),
            id: s.id,
            name: s.name,
        })
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(SurveysPage {
        l: layout(Some(caller), "Surveys", "/surveys"),
        surveys,
        may_manage: allowed(&caller.user.roles, Action::SurveyManage),
        errors,
        name,
        custom,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /surveys`.
pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    surveys_page(&state, &caller, vec![], String::new(), String::new()).await
}

/// `POST /surveys`: name, `builtin=1`, custom questions one per line.
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    form: FormData,
) -> AppResult<Response> {
    let name = form.get("name").trim().to_owned();
    let custom = form.get("custom");
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name: 1 to 200 characters".to_owned());
    }
    let mut questions: Vec<Question> = if form.get("builtin") == "1" {
        builtin()
    } else {
        vec![]
    };
    match parse_custom(&custom) {
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
        return surveys_page(&state, &caller, errors, name, custom).await;
    }
    let id = state
        .db
        .create_survey(
            &name,
            &questions,
            &caller.user.username,
            state.now(),
            &mut rand::rngs::OsRng,
        )
        .await?;
    state
        .audit(
            &caller.actor(),
            "survey.created",
            &id,
            json!({"questions": questions.len(), "builtin": form.get("builtin") == "1"}),
        )
        .await?;
    Ok(Redirect::to(&format!("/surveys/{id}")).into_response())
}

struct QuestionView {
    text: String,
    kind: &'static str,
    index: String,
    answers: String,
}

fn question_views(qs: &[Question]) -> Vec<QuestionView> {
    qs.iter()
        .map(|q| QuestionView {
            text: q.text.clone(),
            kind: match q.kind {
                QuestionKind::Likert => "agree / disagree (1–5)",
                QuestionKind::YesNo => "yes / no",
                QuestionKind::Choice => "one choice",
                QuestionKind::Comment => "comment (optional, redacted)",
            },
            index: q
                .index
                .as_deref()
                .map(|i| instrument::index_name(i).to_owned())
                .unwrap_or_default(),
            answers: if q.kind == QuestionKind::Choice {
                q.options.join(" · ")
            } else {
                String::new()
            },
        })
        .collect()
}

struct Opt {
    value: String,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "survey.html")]
struct SurveyPage {
    l: Layout,
    name: String,
    questions: Vec<QuestionView>,
    waves: Vec<WaveRow>,
    may_manage: bool,
    errors: Vec<String>,
    form: WaveForm,
}

/// The wave form's values (for a new wave, or a draft being edited).
struct WaveForm {
    action: String,
    name: String,
    opens: String,
    closes: String,
    roles: Vec<Opt>,
    teams: Vec<Opt>,
    sites: Vec<Opt>,
    views: Vec<Opt>,
    min_group: u32,
    min_comments: u32,
}

async fn wave_form(state: &AppState, action: String, w: Option<&NewWave>) -> AppResult<WaveForm> {
    let t = today(state);
    let default_views: Vec<String> = DEFAULT_VIEWS.iter().map(|s| (*s).to_owned()).collect();
    let aud = w.map(|w| w.audience.clone()).unwrap_or_default();
    let chosen_views = w.map_or(default_views, |w| w.views.clone());
    let mut teams: Vec<Opt> = state
        .db
        .list_teams()
        .await?
        .into_iter()
        .map(|x| Opt {
            checked: aud.teams.contains(&x.id),
            value: x.id.to_string(),
            label: format!("{} ({})", x.name, x.site_name),
        })
        .collect();
    teams.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(WaveForm {
        action,
        name: w.map(|w| w.name.clone()).unwrap_or_default(),
        opens: w.map_or(t, |w| w.opens_on).to_string(),
        closes: w
            .map_or_else(
                || t.checked_add(jiff::Span::new().days(14)).unwrap_or(t),
                |w| w.closes_on,
            )
            .to_string(),
        roles: Role::ALL
            .iter()
            .map(|r| Opt {
                value: r.as_str().to_owned(),
                label: r.as_str().replace('_', " "),
                checked: aud.roles.contains(r),
            })
            .collect(),
        teams,
        sites: state
            .db
            .list_sites()
            .await?
            .into_iter()
            .map(|x| Opt {
                checked: aud.sites.contains(&x.id),
                value: x.id.to_string(),
                label: x.name,
            })
            .collect(),
        views: VIEWS
            .iter()
            .map(|v| Opt {
                value: v.key.to_owned(),
                label: v.name.to_owned(),
                checked: chosen_views.iter().any(|c| c == v.key),
            })
            .collect(),
        min_group: w.map_or(Thresholds::default().min_group, |w| w.thresholds.min_group),
        min_comments: w.map_or(Thresholds::default().min_comments, |w| {
            w.thresholds.min_comments
        }),
    })
}

async fn survey_page(
    state: &AppState,
    caller: &Caller,
    s: &Survey,
    errors: Vec<String>,
    filled: Option<&NewWave>,
) -> AppResult<Response> {
    let waves = state.db.waves(Some(&s.id)).await?;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(SurveyPage {
        l: layout(Some(caller), &s.name, "/surveys"),
        name: s.name.clone(),
        questions: question_views(&s.questions),
        waves: waves.iter().map(wave_row).collect(),
        may_manage: allowed(&caller.user.roles, Action::SurveyManage),
        errors,
        form: wave_form(state, format!("/surveys/{}/waves", s.id), filled).await?,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

/// `GET /surveys/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let s = state
        .db
        .survey(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    survey_page(&state, &caller, &s, vec![], None).await
}

/// Reads the wave form; errors name the field.
async fn read_wave_form(
    state: &AppState,
    survey: &str,
    caller: &Caller,
    form: &FormData,
) -> AppResult<Result<NewWave, (Vec<String>, NewWave)>> {
    let mut errors = Vec::new();
    let t = today(state);
    let date = |field: &str, errors: &mut Vec<String>| -> Date {
        form.get(field).trim().parse::<Date>().unwrap_or_else(|_| {
            errors.push(format!("{field}: a date as YYYY-MM-DD"));
            t
        })
    };
    let name = form.get("name").trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push("name: 1 to 200 characters".into());
    }
    let opens_on = date("opens", &mut errors);
    let closes_on = date("closes", &mut errors);
    if closes_on < opens_on {
        errors.push("closes: on or after the opening date".into());
    }
    let mut roles = Vec::new();
    for r in form.all("role") {
        match Role::parse(&r) {
            Ok(role) => roles.push(role),
            Err(_) => errors.push("role: not a role".into()),
        }
    }
    let known_teams: BTreeSet<String> = state
        .db
        .list_teams()
        .await?
        .iter()
        .map(|x| x.id.to_string())
        .collect();
    let known_sites: BTreeSet<String> = state
        .db
        .list_sites()
        .await?
        .iter()
        .map(|x| x.id.to_string())
        .collect();
    let mut teams = Vec::new();
    for x in form.all("team") {
        match righttrack_core::ids::TeamId::parse(&x).filter(|_| known_teams.contains(&x)) {
            Some(id) => teams.push(id),
            None => errors.push("team: not a team of the directory".into()),
        }
    }
    let mut sites = Vec::new();
    for x in form.all("site") {
        match righttrack_core::ids::SiteId::parse(&x).filter(|_| known_sites.contains(&x)) {
            Some(id) => sites.push(id),
            None => errors.push("site: not a site of the directory".into()),
        }
    }
    let mut views = Vec::new();
    for v in form.all("view") {
        if view(&v).is_some() && !views.contains(&v) {
            views.push(v);
        } else {
            errors.push("view: not a reporting cut".into());
        }
    }
    if views.is_empty() {
        errors.push("view: choose at least one way to report results".into());
    }
    let number = |field: &str, errors: &mut Vec<String>, default: u32| -> u32 {
        form.get(field).trim().parse::<u32>().unwrap_or_else(|_| {
            errors.push(format!("{field}: a whole number"));
            default
        })
    };
    let thresholds = Thresholds {
        min_group: number("min_group", &mut errors, 5),
        min_comments: number("min_comments", &mut errors, 10),
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

/// `POST /surveys/{id}/waves`: a draft wave.
pub async fn create_wave(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let s = state
        .db
        .survey(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let w = match read_wave_form(&state, &s.id, &caller, &form).await? {
        Ok(w) => w,
        Err((errors, w)) => return survey_page(&state, &caller, &s, errors, Some(&w)).await,
    };
    let wid = state
        .db
        .create_wave(&w, state.now(), &mut rand::rngs::OsRng)
        .await?;
    state
        .audit(
            &caller.actor(),
            "survey.wave_created",
            &wid,
            json!({"survey": s.id, "opens": w.opens_on.to_string(), "closes": w.closes_on.to_string(),
                   "audience": w.audience.to_json(), "views": w.views,
                   "min_group": w.thresholds.min_group, "min_comments": w.thresholds.min_comments}),
        )
        .await?;
    Ok(Redirect::to(&format!("/surveys/waves/{wid}")).into_response())
}

/// `POST /surveys/waves/{id}/edit`: change a draft.
pub async fn edit_wave(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (s, w) = load(&state, &id).await?;
    let new = match read_wave_form(&state, &s.id, &caller, &form).await? {
        Ok(n) => n,
        Err((errors, _)) => return wave_page(&state, &caller, &s, w, None, errors).await,
    };
    if !state.db.update_draft_wave(&w.id, &new).await? {
        return Err(AppError::new(
            Code::Conflict,
            "The wave is launched: only its thresholds can change, and only upwards.",
        ));
    }
    state
        .audit(
            &caller.actor(),
            "survey.wave_updated",
            &w.id,
            json!({"opens": new.opens_on.to_string(), "closes": new.closes_on.to_string(),
                   "audience": new.audience.to_json(), "views": new.views,
                   "min_group": new.thresholds.min_group, "min_comments": new.thresholds.min_comments}),
        )
        .await?;
    Ok(Redirect::to(&format!("/surveys/waves/{}", w.id)).into_response())
}

/// `POST /surveys/waves/{id}/launch`: opens a draft to its audience as it is now.
pub async fn launch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = app_surveys::launch(&state, &caller, &id).await?;
    Ok(Redirect::to(&format!("/surveys/waves/{}", w.id)).into_response())
}

/// `POST /surveys/waves/{id}/close`.
pub async fn close_now(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = app_surveys::close_now(&state, &caller, &id).await?;
    Ok(Redirect::to(&format!("/surveys/waves/{}", w.id)).into_response())
}

/// `POST /surveys/waves/{id}/thresholds`: after launch, only upwards.
pub async fn thresholds(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (s, w) = load(&state, &id).await?;
    let parse = |f: &str| form.get(f).trim().parse::<u32>();
    let new = match (parse("min_group"), parse("min_comments")) {
        (Ok(a), Ok(b)) => Thresholds {
            min_group: a,
            min_comments: b,
        },
        (Err(_), _) => {
            return wave_page(
                &state,
                &caller,
                &s,
                w,
                None,
                vec!["min_group: a whole number".into()],
            )
            .await
        }
        (_, Err(_)) => {
            return wave_page(
                &state,
                &caller,
                &s,
                w,
                None,
                vec!["min_comments: a whole number".into()],
            )
            .await
        }
    };
    let new = match check_thresholds(Some(w.thresholds), new, w.status != WaveStatus::Draft) {
        Ok(t) => t,
        Err(e) => return wave_page(&state, &caller, &s, w, None, vec![e]).await,
    };
    app_surveys::set_thresholds(&state, &caller, &w, new).await?;
    Ok(Redirect::to(&format!("/surveys/waves/{}", w.id)).into_response())
}

// ------------------------------------------------------------------ officer: the wave page

struct RowView {
    key: String,
    label: String,
    shown: bool,
    reason: String,
    respondents: String,
    indices: Vec<String>,
    comments: Vec<String>,
    comments_note: String,
}

fn row_view(c: &CellResult, n: &Names, k: u32, kc: u32, index_count: usize) -> RowView {
    match c {
        CellResult::Shown {
            cell,
            respondents,
            indices,
            comments,
            ..
        } => RowView {
            key: cell.clone(),
            label: n.cell(cell),
            shown: true,
            reason: String::new(),
            respondents: respondents.to_string(),
            indices: indices.iter().map(|i| pct(i.favourable)).collect(),
            comments: comments.clone().unwrap_or_default(),
            comments_note: if comments.is_some() {
                String::new()
            } else {
                format!("Comments not shown: fewer than {kc} responses, or withheld so that a smaller group's comments cannot be worked out.")
            },
        },
        CellResult::Suppressed { cell, reason } => RowView {
            key: cell.clone(),
            label: n.cell(cell),
            shown: false,
            reason: reason.words(k),
            respondents: String::new(),
            indices: vec![String::new(); index_count],
            comments: vec![],
            comments_note: String::new(),
        },
    }
}

struct QuestionResultView {
    text: String,
    favourable: String,
    mean: String,
    distribution: String,
}

struct HotSpotView {
    path: String,
    group: String,
    index: String,
    favourable: String,
    organisation: String,
    gap: String,
}

struct TrendRow {
    wave: String,
    current: bool,
    values: Vec<String>,
}

struct PartRow {
    label: String,
    invited: u64,
    responded: u64,
    rate: String,
}

struct ViewTab {
    key: &'static str,
    name: &'static str,
    current: bool,
}

#[derive(Template)]
#[template(path = "survey_wave.html")]
struct WavePage {
    l: Layout,
    survey_id: String,
    survey_name: String,
    id: String,
    name: String,
    status: &'static str,
    dates: String,
    audience: String,
    views: String,
    min_group: u32,
    min_comments: u32,
    may_manage: bool,
    errors: Vec<String>,
    invited: u64,
    responded: u64,
    rate: String,
    participation: Vec<PartRow>,
    edit: Option<WaveForm>,
    results: bool,
    tabs: Vec<ViewTab>,
    view: String,
    index_names: Vec<String>,
    overall: Option<RowView>,
    rows: Vec<RowView>,
    questions: Vec<QuestionResultView>,
    hotspots: Vec<HotSpotView>,
    trend: Vec<TrendRow>,
}

fn audience_words(a: &Audience, n: &Names) -> String {
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
    if !a.sites.is_empty() {
        parts.push(format!(
            "sites: {}",
            a.sites
                .iter()
                .map(|s| n.value(Dim::Site, &s.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !a.teams.is_empty() {
        parts.push(format!(
            "teams: {}",
            a.teams
                .iter()
                .map(|s| n.value(Dim::Team, &s.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    parts.join("; ")
}

/// Participation: everyone, and each team with at least `min_group` invited people.
fn participation_rows(
    p: &[righttrack_store::surveys::Participation],
    n: &Names,
    k: u32,
) -> (u64, u64, Vec<PartRow>) {
    let invited = p.iter().map(|x| x.invited).sum();
    let responded = p.iter().map(|x| x.responded).sum();
    let mut rows: Vec<PartRow> = p
        .iter()
        .filter(|x| x.invited >= u64::from(k))
        .map(|x| PartRow {
            label: n.value(Dim::Team, x.team.as_deref().unwrap_or(NONE)),
            invited: x.invited,
            responded: x.responded,
            rate: rate(x.responded, x.invited),
        })
        .collect();
    rows.sort_by(|a, b| a.label.cmp(&b.label));
    (invited, responded, rows)
}

fn rate(a: u64, b: u64) -> String {
    if b == 0 {
        "—".into()
    } else {
        format!("{:.0}%", a as f64 * 100.0 / b as f64)
    }
}

async fn wave_page(
    state: &AppState,
    caller: &Caller,
    s: &Survey,
    w: Wave,
    asked_view: Option<&str>,
    errors: Vec<String>,
) -> AppResult<Response> {
    let n = names(state).await?;
    let may_manage = allowed(&caller.user.roles, Action::SurveyManage);
    let part = state.db.survey_participation(&w.id).await?;
    let (invited, responded, participation) = participation_rows(&part, &n, w.thresholds.min_group);
    let edit = if may_manage && w.status == WaveStatus::Draft {
        let nw = NewWave {
            survey_id: s.id.clone(),
            name: w.name.clone(),
            opens_on: w.opens_on,
            closes_on: w.closes_on,
            audience: w.audience.clone(),
            views: w.views.clone(),
            thresholds: w.thresholds,
            created_by: w.created_by.clone(),
        };
        Some(wave_form(state, format!("/surveys/waves/{}/edit", w.id), Some(&nw)).await?)
    } else {
        None
    };
    let index_keys: Vec<&str> = instrument::INDICES
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|k| s.questions.iter().any(|q| q.index.as_deref() == Some(*k)))
        .collect();
    let mut page = WavePage {
        l: layout(Some(caller), &w.name, "/surveys"),
        survey_id: s.id.clone(),
        survey_name: s.name.clone(),
        id: w.id.clone(),
        name: w.name.clone(),
        status: w.status.as_str(),
        dates: format!("{} to {}", w.opens_on, w.closes_on),
        audience: audience_words(&w.audience, &n),
        views: views_of(&w)
            .iter()
            .map(|v| v.name)
            .collect::<Vec<_>>()
            .join(", "),
        min_group: w.thresholds.min_group,
        min_comments: w.thresholds.min_comments,
        may_manage,
        errors: errors.clone(),
        invited,
        responded,
        rate: rate(responded, invited),
        participation,
        edit,
        results: false,
        tabs: vec![],
        view: String::new(),
        index_names: index_keys
            .iter()
            .map(|k| instrument::index_name(k).to_owned())
            .collect(),
        overall: None,
        rows: vec![],
        questions: vec![],
        hotspots: vec![],
        trend: vec![],
    };
    if let Some(r) = released(state, &w).await? {
        let v = pick_view(&r, asked_view)?;
        let d = domain(state, &w).await?;
        let rep = results::report(&s.questions, &r.responses, &r.plan, &r.comments, v, &d);
        let k = w.thresholds.min_group;
        let kc = w.thresholds.min_comments;
        page.results = true;
        page.view = v.key.to_owned();
        page.tabs = r
            .views
            .iter()
            .map(|x| ViewTab {
                key: x.key,
                name: x.name,
                current: x.key == v.key,
            })
            .collect();
        page.overall = Some(row_view(&rep.overall, &n, k, kc, index_keys.len()));
        page.rows = rep
            .cells
            .iter()
            .map(|c| row_view(c, &n, k, kc, index_keys.len()))
            .collect();
        if let CellResult::Shown { questions, .. } = &rep.overall {
            page.questions = s
                .questions
                .iter()
                .filter(|q| q.kind != QuestionKind::Comment)
                .zip(questions)
                .map(|(q, res)| QuestionResultView {
                    text: q.text.clone(),
                    favourable: pct(res.favourable),
                    mean: res.mean.map_or(String::new(), |m| format!("{m:.1}")),
                    distribution: res
                        .distribution
                        .iter()
                        .map(|sh| format!("{} {:.0}%", sh.label, sh.share * 100.0))
                        .collect::<Vec<_>>()
                        .join(" · "),
                })
                .collect();
        }
        page.hotspots = results::hotspots(&s.questions, &r.responses, &r.plan, &r.views)
            .into_iter()
            .map(|h| HotSpotView {
                path: hotspot_path(&w.id, &h.index, &h.cell),
                group: n.cell(&h.cell),
                index: h.index_name,
                favourable: pct(Some(h.favourable)),
                organisation: pct(Some(h.organisation)),
                gap: format!("{:.0}", h.gap_points),
            })
            .collect();
        page.trend = trend(state, s, &w.id, &index_keys).await?;
    }
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(page);
    *resp.status_mut() = status;
    Ok(resp)
}

/// The organisation's index per closed wave of the survey, oldest first.
async fn trend(
    state: &AppState,
    s: &Survey,
    current: &str,
    index_keys: &[&str],
) -> AppResult<Vec<TrendRow>> {
    let mut waves = state.db.waves(Some(&s.id)).await?;
    waves.retain(|w| w.status == WaveStatus::Closed);
    waves.sort_by_key(|a| a.opens_on);
    let mut out = Vec::new();
    for w in waves {
        let Some(r) = released(state, &w).await? else {
            continue;
        };
        let c = results::cell(&s.questions, &r.responses, &r.plan, &r.comments, ALL);
        let values = match &c {
            CellResult::Shown { indices, .. } => index_keys
                .iter()
                .map(|k| {
                    pct(indices
                        .iter()
                        .find(|i| i.key == *k)
                        .and_then(|i| i.favourable))
                })
                .collect(),
            CellResult::Suppressed { reason, .. } => {
                vec![
                    format!("not shown: {}", reason.words(w.thresholds.min_group));
                    index_keys.len()
                ]
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

#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    view: Option<String>,
}

/// `GET /surveys/waves/{id}?view=`.
pub async fn wave(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    let (s, w) = load(&state, &id).await?;
    let w = autoclose(&state, w).await?;
    wave_page(&state, &caller, &s, w, q.view.as_deref(), vec![]).await
}

/// `GET /surveys/waves/{id}/results.csv?view=`: one row per group; a suppressed group
/// says so and has no figures (they were never computed). Audited.
pub async fn export_csv(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    let (s, w) = load(&state, &id).await?;
    let w = autoclose(&state, w).await?;
    let Some(r) = released(&state, &w).await? else {
        return Err(AppError::new(
            Code::Conflict,
            "Results are released when the wave closes.",
        ));
    };
    let v = pick_view(&r, q.view.as_deref())?;
    let n = names(&state).await?;
    let d = domain(&state, &w).await?;
    let rep = results::report(&s.questions, &r.responses, &r.plan, &r.comments, v, &d);
    let closed: Vec<&Question> = s
        .questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Comment)
        .collect();
    let index_keys: Vec<&str> = instrument::INDICES
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|k| s.questions.iter().any(|q| q.index.as_deref() == Some(*k)))
        .collect();
    let mut header = vec![
        "view".to_owned(),
        "group_key".into(),
        "group".into(),
        "status".into(),
        "respondents".into(),
    ];
    header.extend(index_keys.iter().map(|k| format!("index_{k}_favourable")));
    header.extend(closed.iter().map(|q| format!("{}_favourable", q.key)));
    let mut out = header.join(",");
    out.push('\n');
    for c in std::iter::once(&rep.overall).chain(rep.cells.iter()) {
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
                for k in &index_keys {
                    line.push(
                        indices
                            .iter()
                            .find(|i| i.key == *k)
                            .and_then(|i| i.favourable)
                            .map_or(String::new(), |f| format!("{:.0}", f * 100.0)),
                    );
                }
                for qr in questions {
                    line.push(
                        qr.favourable
                            .map_or(String::new(), |f| format!("{:.0}", f * 100.0)),
                    );
                }
            }
            CellResult::Suppressed { reason, .. } => {
                line.push(format!(
                    "suppressed: {}",
                    reason.words(w.thresholds.min_group)
                ));
                line.extend(std::iter::repeat_n(
                    String::new(),
                    1 + index_keys.len() + closed.len(),
                ));
            }
        }
        out.push_str(
            &line
                .iter()
                .map(|x| csv_cell(x))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    state
        .audit(
            &caller.actor(),
            "survey.results_exported",
            &w.id,
            json!({"view": v.key, "format": "csv"}),
        )
        .await?;
    let file = format!(
        "attachment; filename=\"survey-{}-{}.csv\"",
        w.opens_on, v.key
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        out,
    )
        .into_response())
}

// ------------------------------------------------------------------ hot-spots

#[derive(Template)]
#[template(path = "survey_hotspot.html")]
struct HotSpotPage {
    l: Layout,
    wave_id: String,
    wave_name: String,
    reference: String,
    group: String,
    index: String,
    favourable: String,
    organisation: String,
    gap: String,
    respondents: u32,
    questions: Vec<QuestionResultView>,
    /// `/capa/new` prefilled with this hot-spot as the source, for those who may raise
    /// corrective actions; empty otherwise.
    capa_link: String,
}

async fn find_hotspot(
    state: &AppState,
    id: &str,
    index: &str,
    cell: &str,
) -> AppResult<(Survey, Wave, results::HotSpot, Released)> {
    let (s, w) = load(state, id).await?;
    let w = autoclose(state, w).await?;
    let Some(r) = released(state, &w).await? else {
        return Err(AppError::not_found());
    };
    let h = results::hotspots(&s.questions, &r.responses, &r.plan, &r.views)
        .into_iter()
        .find(|h| h.index == index && h.cell == cell)
        .ok_or_else(AppError::not_found)?;
    Ok((s, w, h, r))
}

/// `GET /surveys/waves/{id}/hotspots/{index}/{cell}`: one hot-spot (404 if that group
/// is not, or no longer, a released hot-spot).
pub async fn hotspot(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, index, cell)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (s, w, h, r) = find_hotspot(&state, &id, &index, &cell).await?;
    let n = names(&state).await?;
    let c = results::cell(&s.questions, &r.responses, &r.plan, &r.comments, &h.cell);
    let questions = match &c {
        CellResult::Shown { questions, .. } => s
            .questions
            .iter()
            .filter(|q| q.kind != QuestionKind::Comment)
            .zip(questions)
            .filter(|(q, _)| q.index.as_deref() == Some(h.index.as_str()))
            .map(|(q, res)| QuestionResultView {
                text: q.text.clone(),
                favourable: pct(res.favourable),
                mean: res.mean.map_or(String::new(), |m| format!("{m:.1}")),
                distribution: res
                    .distribution
                    .iter()
                    .map(|sh| format!("{} {:.0}%", sh.label, sh.share * 100.0))
                    .collect::<Vec<_>>()
                    .join(" · "),
            })
            .collect(),
        CellResult::Suppressed { .. } => vec![],
    };
    let reference = format!("{}/{}/{}", w.id, h.index, h.cell);
    let group = n.cell(&h.cell);
    let capa_link =
        if righttrack_core::authz::allowed(&caller.user.roles, righttrack_core::Action::CapaManage)
        {
            format!(
                "/capa/new?source=survey_hotspot&ref={}&label={}",
                crate::routes::urlencode(&reference),
                crate::routes::urlencode(&format!(
                    "Survey hot-spot: {} in {} ({})",
                    h.index_name, group, w.name
                ))
            )
        } else {
            String::new()
        };
    Ok(render(HotSpotPage {
        l: layout(Some(&caller), "Survey hot-spot", "/surveys"),
        wave_id: w.id.clone(),
        wave_name: w.name.clone(),
        reference,
        group,
        index: h.index_name.clone(),
        favourable: pct(Some(h.favourable)),
        organisation: pct(Some(h.organisation)),
        gap: format!("{:.0}", h.gap_points),
        respondents: h.respondents,
        questions,
        capa_link,
    }))
}

// ------------------------------------------------------------------ API

fn labelled(c: &CellResult, n: &Names, k: u32) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("label".into(), Value::String(n.cell(c.cell())));
        if let CellResult::Suppressed { reason, .. } = c {
            o.insert("reason_text".into(), Value::String(reason.words(k)));
        }
    }
    v
}

/// `GET /api/v1/surveys`: surveys and their waves with participation counts.
pub async fn api_list(State(state): State<AppState>) -> AppResult<Json<Value>> {
    let waves = state.db.waves(None).await?;
    let mut out = Vec::new();
    for s in state.db.surveys().await? {
        let mut ws = Vec::new();
        for w in waves.iter().filter(|w| w.survey_id == s.id) {
            let p = state.db.survey_participation(&w.id).await?;
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
    Ok(Json(json!({"surveys": out})))
}

/// `GET /api/v1/surveys/waves/{id}/results?view=`: a view's cells, suppressed ones as
/// `{"status": "suppressed", "cell", "reason"}` with no figures; 409 until closed.
pub async fn api_results(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Json<Value>> {
    let (s, w) = load(&state, &id).await?;
    let w = autoclose(&state, w).await?;
    let Some(r) = released(&state, &w).await? else {
        return Err(AppError::new(
            Code::Conflict,
            "Results are released when the wave closes.",
        ));
    };
    let v = pick_view(&r, q.view.as_deref())?;
    let n = names(&state).await?;
    let d = domain(&state, &w).await?;
    let rep = results::report(&s.questions, &r.responses, &r.plan, &r.comments, v, &d);
    let k = w.thresholds.min_group;
    Ok(Json(json!({
        "wave": w.id,
        "view": v.key,
        "views": r.views.iter().map(|x| x.key).collect::<Vec<_>>(),
        "min_group": k,
        "min_comments": w.thresholds.min_comments,
        "questions": s.questions,
        "overall": labelled(&rep.overall, &n, k),
        "cells": rep.cells.iter().map(|c| labelled(c, &n, k)).collect::<Vec<_>>(),
    })))
}

/// `GET /api/v1/surveys/waves/{id}/hotspots`: each with its stable `id`
/// (`<wave>/<index>/<cell>`) and page `url`.
pub async fn api_hotspots(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let (s, w) = load(&state, &id).await?;
    let w = autoclose(&state, w).await?;
    let Some(r) = released(&state, &w).await? else {
        return Err(AppError::new(
            Code::Conflict,
            "Results are released when the wave closes.",
        ));
    };
    let n = names(&state).await?;
    let list: Vec<Value> = results::hotspots(&s.questions, &r.responses, &r.plan, &r.views)
        .into_iter()
        .map(|h| {
            json!({
                "id": format!("{}/{}/{}", w.id, h.index, h.cell),
                "url": hotspot_path(&w.id, &h.index, &h.cell),
                "wave": w.id, "index": h.index, "index_name": h.index_name,
                "cell": h.cell, "label": n.cell(&h.cell), "respondents": h.respondents,
                "favourable": h.favourable, "organisation": h.organisation,
                "gap_points": h.gap_points, "z": h.z,
            })
        })
        .collect();
    Ok(Json(json!({"wave": w.id, "hotspots": list})))
}

// ------------------------------------------------------------------ employees

struct MyWave {
    id: String,
    name: String,
    closes: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "my_surveys.html")]
struct MySurveysPage {
    l: Layout,
    waves: Vec<MyWave>,
}

/// `GET /my/surveys`.
pub async fn my_list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> AppResult<Response> {
    let t = today(&state);
    let waves = state
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
        .collect();
    Ok(render(MySurveysPage {
        l: layout(Some(&caller), "My surveys", "/my/surveys"),
        waves,
    }))
}

struct AskQuestion {
    n: usize,
    field: String,
    text: String,
    comment: bool,
    value: String,
    choices: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "my_survey.html")]
struct AnswerPage {
    l: Layout,
    id: String,
    name: String,
    closes: String,
    /// "form", "answered", "closed" or "done".
    mode: &'static str,
    errors: Vec<String>,
    questions: Vec<AskQuestion>,
    min_group: u32,
    min_comments: u32,
    groups: Vec<String>,
    views: String,
    day: String,
    preview: Option<String>,
    stored_comment: String,
}

/// The person's reporting dimensions now.
async fn dims_of(state: &AppState, caller: &Caller) -> AppResult<Dims> {
    let team = match caller.user.team_id {
        Some(t) => state.db.list_teams().await?.into_iter().find(|x| x.id == t),
        None => None,
    };
    Ok(Dims {
        team: team.as_ref().map_or(NONE.into(), |t| t.id.to_string()),
        site: team.as_ref().map_or(NONE.into(), |t| t.site_id.to_string()),
        role: role_band(&caller.user.roles).to_owned(),
        tenure: tenure_band(caller.user.created_at, state.now()).to_owned(),
    })
}

/// What the answer page shows besides the survey.
struct Shown<'a> {
    /// "form", "answered", "closed" or "done".
    mode: &'static str,
    errors: Vec<String>,
    /// The answers given so far (re-shown with errors or a preview).
    given: &'a [(String, String)],
    preview: Option<String>,
    stored_comment: String,
}

impl Shown<'_> {
    fn just(mode: &'static str) -> Self {
        Shown {
            mode,
            errors: vec![],
            given: &[],
            preview: None,
            stored_comment: String::new(),
        }
    }
}

async fn answer_page(
    state: &AppState,
    caller: &Caller,
    s: &Survey,
    w: &Wave,
    shown: Shown<'_>,
) -> AppResult<Response> {
    let Shown {
        mode,
        errors,
        given,
        preview,
        stored_comment,
    } = shown;
    let n = names(state).await?;
    let d = dims_of(state, caller).await?;
    let views = views_of(w);
    let mut groups: Vec<String> = vec!["Everyone".into()];
    for v in &views {
        let key = v.cell_of(&d);
        groups.push(format!("{}: {}", v.name, n.cell(&key)));
    }
    let value = |field: &str| {
        given
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let questions = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let field = format!("q_{}", q.key);
            let v = value(&field);
            AskQuestion {
                n: i + 1,
                text: q.text.clone(),
                comment: q.kind == QuestionKind::Comment,
                choices: q
                    .choices()
                    .into_iter()
                    .map(|c| Opt {
                        checked: c == v,
                        label: q.label(&c),
                        value: c,
                    })
                    .collect(),
                value: v,
                field,
            }
        })
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = render(AnswerPage {
        l: layout(Some(caller), &w.name, "/my/surveys"),
        id: w.id.clone(),
        name: w.name.clone(),
        closes: w.closes_on.to_string(),
        mode,
        errors,
        questions,
        min_group: w.thresholds.min_group,
        min_comments: w.thresholds.min_comments,
        groups,
        views: views.iter().map(|v| v.name).collect::<Vec<_>>().join(", "),
        day: today(state).to_string(),
        preview,
        stored_comment,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

/// The wave if `caller` is invited to it (else 404, as for a wave that does not exist).
async fn my_wave(state: &AppState, caller: &Caller, id: &str) -> AppResult<(Survey, Wave, bool)> {
    let responded = state
        .db
        .survey_invitation(id, caller.user.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (s, w) = load(state, id).await?;
    Ok((s, w, responded))
}

/// `GET /my/surveys/{id}`: the questions, and how the answers will be reported.
pub async fn my_form(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (s, w, responded) = my_wave(&state, &caller, &id).await?;
    let mode = if responded {
        "answered"
    } else if accepting(w.status, w.opens_on, w.closes_on, today(&state)) {
        "form"
    } else {
        "closed"
    };
    answer_page(&state, &caller, &s, &w, Shown::just(mode)).await
}

async fn directory_names(state: &AppState) -> AppResult<Vec<String>> {
    Ok(state
        .db
        .list_users()
        .await?
        .into_iter()
        .flat_map(|u| [u.display_name, u.username])
        .collect())
}

/// `POST /my/surveys/{id}`: `step=preview` shows what would be kept of the comment;
/// `step=submit` stores the answers (once).
pub async fn my_submit(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (s, w, responded) = my_wave(&state, &caller, &id).await?;
    if responded {
        return answer_page(&state, &caller, &s, &w, Shown::just("answered")).await;
    }
    let t = today(&state);
    if !accepting(w.status, w.opens_on, w.closes_on, t) {
        return answer_page(&state, &caller, &s, &w, Shown::just("closed")).await;
    }
    let given: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k.starts_with("q_"))
        .cloned()
        .collect();
    let engine = state.engine().map_err(|e| AppError::internal(&e))?;
    let people = directory_names(&state).await?;
    let comment_keys: Vec<String> = s
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Comment)
        .map(|q| q.key.clone())
        .collect();
    if form.get("step") == "preview" {
        // The preview needs no other answer: it shows what redaction keeps.
        let kept: Vec<String> = comment_keys
            .iter()
            .map(|k| redact_comment(&engine, &form.get(&format!("q_{k}")), &people))
            .filter(|c| !c.is_empty())
            .collect();
        let preview = if kept.is_empty() {
            "(no comment)".to_owned()
        } else {
            kept.join("\n\n")
        };
        return answer_page(
            &state,
            &caller,
            &s,
            &w,
            Shown {
                mode: "form",
                errors: vec![],
                given: &given,
                preview: Some(preview),
                stored_comment: String::new(),
            },
        )
        .await;
    }
    let mut answers = match parse_answers(&s.questions, &given) {
        Ok(a) => a,
        Err(errors) => {
            return answer_page(
                &state,
                &caller,
                &s,
                &w,
                Shown {
                    mode: "form",
                    errors,
                    given: &given,
                    preview: None,
                    stored_comment: String::new(),
                },
            )
            .await
        }
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
    let dims = dims_of(&state, &caller).await?;
    match state
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
        Submit::Stored => {
            answer_page(
                &state,
                &caller,
                &s,
                &w,
                Shown {
                    mode: "done",
                    errors: vec![],
                    given: &[],
                    preview: None,
                    stored_comment: kept,
                },
            )
            .await
        }
        Submit::AlreadyAnswered => {
            answer_page(&state, &caller, &s, &w, Shown::just("answered")).await
        }
        Submit::NotOpenToYou => answer_page(&state, &caller, &s, &w, Shown::just("closed")).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hotspot_paths_are_stable_and_encoded() {
        assert_eq!(
            hotspot_path("w1", "trust", "site:s1+role:agent"),
            "/surveys/waves/w1/hotspots/trust/site%3As1%2Brole%3Aagent"
        );
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }
}
