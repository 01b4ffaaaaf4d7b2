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
use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{csv_download, layout, render, unprocessable_if, FormData, Layout};
use crate::routes::urlencode;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_core::authz::{allowed, Action};
use righttrack_core::surveys::instrument;
use righttrack_core::surveys::release::{Dim, DEFAULT_VIEWS, NONE, VIEWS};
use righttrack_core::surveys::results::{self, CellResult};
use righttrack_core::surveys::{check_thresholds, Question, QuestionKind, Thresholds, WaveStatus};
use righttrack_core::Role;
use righttrack_store::directory::{Site, Team};
use righttrack_store::surveys::{NewWave, Survey, Wave};
use serde::Deserialize;
use serde_json::{json, Value};

use righttrack_app::program::surveys::pages::{
    self, index_keys, pct, Answer, Names, Results, TrendRow, WaveInput,
};
use righttrack_app::program::surveys::{self as app_surveys, today, views_of};

/// A wave's page, where every change to a wave returns.
fn to_wave(id: &str) -> Response {
    Redirect::to(&format!("/surveys/waves/{id}")).into_response()
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
    let surveys = pages::surveys(state)
        .await?
        .into_iter()
        .map(|(s, waves)| SurveyRow {
            waves: waves.iter().map(wave_row).collect(),
            questions: s.questions.len(),
            id: s.id,
            name: s.name,
        })
        .collect();
    let resp = render(SurveysPage {
        l: layout(Some(caller), "Surveys", "/surveys"),
        surveys,
        may_manage: allowed(&caller.user.roles, Action::SurveyManage),
        errors: errors.clone(),
        name,
        custom,
    });
    Ok(unprocessable_if(!errors.is_empty(), resp))
}

/// `GET /surveys`.
pub async fn list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    surveys_page(&state, &caller, vec![], String::new(), String::new()).await
}

/// `POST /surveys`: name, `builtin=1`, custom questions one per line.
pub async fn create(SignedIn { state, caller }: SignedIn, form: FormData) -> AppResult<Response> {
    let name = form.get("name").trim().to_owned();
    let custom = form.get("custom");
    match pages::create(&state, &caller, &name, form.get("builtin") == "1", &custom).await? {
        Ok(id) => Ok(Redirect::to(&format!("/surveys/{id}")).into_response()),
        Err(errors) => surveys_page(&state, &caller, errors, name, custom).await,
    }
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

fn wave_form(
    state: &AppState,
    (teams, sites): (&[Team], &[Site]),
    action: String,
    w: Option<&NewWave>,
) -> WaveForm {
    let t = today(state);
    let default_views: Vec<String> = DEFAULT_VIEWS.iter().map(|s| (*s).to_owned()).collect();
    let aud = w.map(|w| w.audience.clone()).unwrap_or_default();
    let chosen_views = w.map_or(default_views, |w| w.views.clone());
    let mut teams: Vec<Opt> = teams
        .iter()
        .map(|x| Opt {
            checked: aud.teams.contains(&x.id),
            value: x.id.to_string(),
            label: format!("{} ({})", x.name, x.site_name),
        })
        .collect();
    teams.sort_by(|a, b| a.label.cmp(&b.label));
    WaveForm {
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
        sites: sites
            .iter()
            .map(|x| Opt {
                checked: aud.sites.contains(&x.id),
                value: x.id.to_string(),
                label: x.name.clone(),
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
    }
}

async fn survey_page(
    state: &AppState,
    caller: &Caller,
    id: &str,
    errors: Vec<String>,
    filled: Option<&NewWave>,
) -> AppResult<Response> {
    let v = pages::survey(state, id).await?;
    let s = &v.s;
    let resp = render(SurveyPage {
        l: layout(Some(caller), &s.name, "/surveys"),
        name: s.name.clone(),
        questions: question_views(&s.questions),
        waves: v.waves.iter().map(wave_row).collect(),
        may_manage: allowed(&caller.user.roles, Action::SurveyManage),
        errors: errors.clone(),
        form: wave_form(
            state,
            (&v.teams, &v.sites),
            format!("/surveys/{}/waves", s.id),
            filled,
        ),
    });
    Ok(unprocessable_if(!errors.is_empty(), resp))
}

/// `GET /surveys/{id}`.
pub async fn show(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    survey_page(&state, &caller, &id, vec![], None).await
}

/// Reads the wave form's fields.
fn wave_input(form: &FormData) -> WaveInput {
    WaveInput {
        name: form.get("name"),
        opens: form.get("opens"),
        closes: form.get("closes"),
        roles: form.all("role"),
        teams: form.all("team"),
        sites: form.all("site"),
        views: form.all("view"),
        min_group: form.get("min_group"),
        min_comments: form.get("min_comments"),
    }
}

/// `POST /surveys/{id}/waves`: a draft wave.
pub async fn create_wave(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let s = pages::survey(&state, &id).await?.s;
    match pages::create_wave(&state, &caller, &s, &wave_input(&form)).await? {
        Ok(wid) => Ok(to_wave(&wid)),
        Err((errors, w)) => survey_page(&state, &caller, &s.id, errors, Some(&w)).await,
    }
}

/// `POST /surveys/waves/{id}/edit`: change a draft.
pub async fn edit_wave(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (s, w) = app_surveys::load(&state, &id).await?;
    match pages::edit_wave(&state, &caller, &s, &w, &wave_input(&form)).await? {
        Ok(()) => Ok(to_wave(&w.id)),
        Err(errors) => wave_page(&state, &caller, &s, w, None, errors).await,
    }
}

/// `POST /surveys/waves/{id}/launch`: opens a draft to its audience as it is now.
pub async fn launch(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = app_surveys::launch(&state, &caller, &id).await?;
    Ok(to_wave(&w.id))
}

/// `POST /surveys/waves/{id}/close`.
pub async fn close_now(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let w = app_surveys::close_now(&state, &caller, &id).await?;
    Ok(to_wave(&w.id))
}

/// `POST /surveys/waves/{id}/thresholds`: after launch, only upwards.
pub async fn thresholds(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let (s, w) = app_surveys::load(&state, &id).await?;
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
    Ok(to_wave(&w.id))
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
    let wv = pages::wave_view(state, s, &w, asked_view).await?;
    let n = &wv.names;
    let may_manage = allowed(&caller.user.roles, Action::SurveyManage);
    let (invited, responded, participation) =
        participation_rows(&wv.participation, n, w.thresholds.min_group);
    let edit = (may_manage && w.status == WaveStatus::Draft).then(|| {
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
        wave_form(
            state,
            (&wv.teams, &wv.sites),
            format!("/surveys/waves/{}/edit", w.id),
            Some(&nw),
        )
    });
    let index_keys = index_keys(s);
    let mut page = WavePage {
        l: layout(Some(caller), &w.name, "/surveys"),
        survey_id: s.id.clone(),
        survey_name: s.name.clone(),
        id: w.id.clone(),
        name: w.name.clone(),
        status: w.status.as_str(),
        dates: format!("{} to {}", w.opens_on, w.closes_on),
        audience: n.audience(&w.audience),
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
    if let Some((res, hot, trend)) = wv.results {
        let Results {
            r,
            view: v,
            report: rep,
        } = res;
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
        page.overall = Some(row_view(&rep.overall, n, k, kc, index_keys.len()));
        page.rows = rep
            .cells
            .iter()
            .map(|c| row_view(c, n, k, kc, index_keys.len()))
            .collect();
        if let CellResult::Shown { questions, .. } = &rep.overall {
            page.questions = s
                .questions
                .iter()
                .filter(|q| q.kind != QuestionKind::Comment)
                .zip(questions)
                .map(|(q, res)| question_result(q, res))
                .collect();
        }
        page.hotspots = hot
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
        page.trend = trend;
    }
    Ok(unprocessable_if(!errors.is_empty(), render(page)))
}

/// One closed question's results for people.
fn question_result(q: &Question, res: &results::QuestionResult) -> QuestionResultView {
    QuestionResultView {
        text: q.text.clone(),
        favourable: pct(res.favourable),
        mean: res.mean.map_or(String::new(), |m| format!("{m:.1}")),
        distribution: res
            .distribution
            .iter()
            .map(|sh| format!("{} {:.0}%", sh.label, sh.share * 100.0))
            .collect::<Vec<_>>()
            .join(" · "),
    }
}

#[derive(Debug, Deserialize)]
pub struct ViewQuery {
    view: Option<String>,
}

/// `GET /surveys/waves/{id}?view=`.
pub async fn wave(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    let (s, w) = pages::wave(&state, &id).await?;
    wave_page(&state, &caller, &s, w, q.view.as_deref(), vec![]).await
}

/// `GET /surveys/waves/{id}/results.csv?view=`: one row per group; a suppressed group
/// says so and has no figures (they were never computed). Audited.
pub async fn export_csv(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Response> {
    let c = pages::results_csv(&state, &caller, &id, q.view.as_deref()).await?;
    Ok(csv_download(&c.name, c.text))
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

/// `GET /surveys/waves/{id}/hotspots/{index}/{cell}`: one hot-spot (404 if that group
/// is not, or no longer, a released hot-spot).
pub async fn hotspot(
    SignedIn { state, caller }: SignedIn,
    Path((id, index, cell)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let (w, h, questions, n) = pages::hotspot(&state, &id, &index, &cell).await?;
    let questions = questions
        .iter()
        .map(|(q, res)| question_result(q, res))
        .collect();
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
    Ok(Json(pages::api_list(&state).await?))
}

/// `GET /api/v1/surveys/waves/{id}/results?view=`: a view's cells, suppressed ones as
/// `{"status": "suppressed", "cell", "reason"}` with no figures; 409 until closed.
pub async fn api_results(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> AppResult<Json<Value>> {
    let (s, w, res, n) = pages::results(&state, &id, q.view.as_deref()).await?;
    let Results {
        r,
        view: v,
        report: rep,
    } = res;
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
    let missing = || righttrack_app::Error::conflict("Results are released when the wave closes.");
    let (_, w, _, list, n) = pages::hotspots(&state, &id, missing).await?;
    let list: Vec<Value> = list
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

#[derive(Template)]
#[template(path = "my_surveys.html")]
struct MySurveysPage {
    l: Layout,
    waves: Vec<pages::MyWave>,
}

/// `GET /my/surveys`.
pub async fn my_list(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let waves = pages::my_waves(&state, &caller).await?;
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
    let groups = pages::my_groups(state, caller, w).await?;
    let views = views_of(w);
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
    let resp = render(AnswerPage {
        l: layout(Some(caller), &w.name, "/my/surveys"),
        id: w.id.clone(),
        name: w.name.clone(),
        closes: w.closes_on.to_string(),
        mode,
        errors: errors.clone(),
        questions,
        min_group: w.thresholds.min_group,
        min_comments: w.thresholds.min_comments,
        groups,
        views: views.iter().map(|v| v.name).collect::<Vec<_>>().join(", "),
        day: today(state).to_string(),
        preview,
        stored_comment,
    });
    Ok(unprocessable_if(!errors.is_empty(), resp))
}

/// The answer page for where the caller stands.
async fn answered(
    state: &AppState,
    caller: &Caller,
    (s, w, a): (Survey, Wave, Answer),
    given: &[(String, String)],
) -> AppResult<Response> {
    let shown = match a {
        Answer::Form => Shown::just("form"),
        Answer::Answered => Shown::just("answered"),
        Answer::Closed => Shown::just("closed"),
        Answer::Preview(p) => Shown {
            given,
            preview: Some(p),
            ..Shown::just("form")
        },
        Answer::Invalid(errors) => Shown {
            errors,
            given,
            ..Shown::just("form")
        },
        Answer::Done(kept) => Shown {
            stored_comment: kept,
            ..Shown::just("done")
        },
    };
    answer_page(state, caller, &s, &w, shown).await
}

/// `GET /my/surveys/{id}`: the questions, and how the answers will be reported.
pub async fn my_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let found = pages::my_wave(&state, &caller, &id).await?;
    answered(&state, &caller, found, &[]).await
}

/// `POST /my/surveys/{id}`: `step=preview` shows what would be kept of the comment;
/// `step=submit` stores the answers (once).
pub async fn my_submit(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    let given: Vec<(String, String)> = form
        .0
        .iter()
        .filter(|(k, _)| k.starts_with("q_"))
        .cloned()
        .collect();
    let preview = form.get("step") == "preview";
    let done = pages::answer(&state, &caller, &id, &given, preview).await?;
    answered(&state, &caller, done, &given).await
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
        assert_eq!(righttrack_scan::csv::cell("=1+1"), "'=1+1");
        assert_eq!(righttrack_scan::csv::cell("a,b"), "\"a,b\"");
    }
}
