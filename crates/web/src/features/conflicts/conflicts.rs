//! Conflicts of interest over HTTP: disclosures (pages and API), review with
//! mitigations, yearly campaigns, the findings ingestion raises, reports, and the
//! routing lookup for telephony platforms. Rules live in `core::conflicts`, rows in
//! `store::conflicts`.
//!
//! **Privacy.** A disclosure is personal data. Its detail (page or API) opens only for
//! the discloser, ethics officers (`ConflictReview`) and its assigned reviewer; anyone
//! else gets the same 404 as for a disclosure that does not exist. Every opening by
//! someone other than the discloser is audited (`conflicts.disclosure_viewed`), and so
//! is every report that lists people (`conflicts.report_viewed`). What people typed is
//! sealed with the keyring before storage; a relation's customer references are kept
//! only as keyed hashes. Audit details carry ids and kinds, never content.
//!
//! **Routing.** A telephony platform asks `POST /api/v1/conflicts/routing` with the
//! caller's customer reference in the body and gets the agents to route away from.
//! We chose a lookup over exporting hashes: exported hashes would need the HMAC key on
//! the telephony side to be of any use, and customer references (account numbers) are
//! short enough that whoever holds the key can enumerate them, so the key stays here.

use crate::error::AppResult;
use crate::extract::{Path, Query, SignedIn};
use crate::pages::{csv_download, layout, render, FormData};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use righttrack_app::program::conflicts::views::{
    self, kind_label, Disclosure as DisclosureView, Export, Gift, Mitigation,
};
use righttrack_app::program::conflicts::{
    agents_to_avoid, decide, open_campaign, set_gift_threshold, submit, visible_hits, DecisionInput,
};
use righttrack_core::authz::allowed;
use righttrack_core::clock::day;
use righttrack_core::conflicts::{CoverageRow, Fields};
use righttrack_core::{Action, Role};
use righttrack_store::conflicts::Campaign;
use serde::Deserialize;
use serde_json::{json, Value};

// ------------------------------------------------------------------ views

fn mitigation_json(m: &Mitigation) -> Value {
    json!({"text": m.text, "owner": m.owner, "review": m.review, "status": m.status, "overdue": m.overdue})
}

fn view_json(v: &DisclosureView) -> Value {
    json!({
        "id": v.id, "kind": v.kind, "status": v.status, "occasion": v.occasion,
        "submitted": v.submitted, "discloser": v.discloser,
        "name": v.name, "relationship": v.relationship, "description": v.description,
        "colleague": v.colleague, "gift": v.gift, "needs_approval": v.needs_approval,
        "reviewer": v.reviewer, "decided_by": v.decided_by, "decided": v.decided,
        "rationale": v.rationale,
        "mitigations": v.mitigations.iter().map(mitigation_json).collect::<Vec<_>>(),
    })
}

// ------------------------------------------------------------------ employee pages

pub struct CampaignView {
    pub id: String,
    pub year: i64,
    pub due: String,
}

impl From<Campaign> for CampaignView {
    fn from(c: Campaign) -> Self {
        CampaignView {
            id: c.id,
            year: c.year,
            due: day(c.due_at),
        }
    }
}

#[derive(Template)]
#[template(path = "conflicts.html")]
struct MyPage {
    l: crate::pages::Layout,
    pending: Vec<CampaignView>,
    on_hire: bool,
    mine: Vec<DisclosureView>,
    reviewer: bool,
    findings: bool,
    threshold: String,
    /// What the forms answer: the first pending campaign, else hire, else ad hoc.
    occasion: &'static str,
    campaign: String,
}

/// `GET /conflicts`: my disclosures, what I am asked, and the form.
pub async fn my_page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let h = views::home(&state, &caller.user).await?;
    let pending: Vec<CampaignView> = h.pending.into_iter().map(CampaignView::from).collect();
    let (occasion, campaign) = match pending.first() {
        Some(c) => ("campaign", c.id.clone()),
        None if h.mine.is_empty() => ("hire", String::new()),
        None => ("ad_hoc", String::new()),
    };
    Ok(render(MyPage {
        occasion,
        campaign,
        l: layout(Some(&caller), "Conflicts of interest", "/conflicts"),
        pending,
        on_hire: h.mine.is_empty(),
        mine: h.mine,
        reviewer: allowed(&caller.user.roles, Action::ConflictReview),
        findings: allowed(&caller.user.roles, Action::ConflictFindings),
        threshold: h.threshold,
    }))
}

fn fields_of(form: &FormData) -> Fields {
    Fields {
        kind: form.get("kind"),
        name: form.get("name"),
        relationship: form.get("relationship"),
        description: form.get("description"),
        customer_refs: form.get("customer_refs"),
        colleague: form.get("colleague"),
        direction: form.get("direction"),
        value: form.get("value"),
        currency: form.get("currency"),
    }
}

/// `POST /conflicts/disclosures`: the employee's form (also "nothing to declare").
pub async fn submit_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    let id = submit(
        &state,
        &caller.user,
        &fields_of(&form),
        &form.get("occasion"),
        &form.get("campaign"),
    )
    .await?;
    Ok(Redirect::to(&format!("/conflicts/disclosures/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "conflict.html")]
struct DetailPage {
    l: crate::pages::Layout,
    d: DisclosureView,
    may_decide: bool,
    today: String,
}

/// `GET /conflicts/disclosures/{id}`: one disclosure, with the decision form for a
/// reviewer. 404 for anyone but the discloser, ethics officers and the reviewer.
pub async fn detail(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (v, may_decide) = views::read(&state, &caller.user, &id).await?;
    Ok(render(DetailPage {
        l: layout(Some(&caller), v.kind_label, ""),
        d: v,
        may_decide,
        today: day(state.now()),
    }))
}

/// `POST /conflicts/disclosures/{id}/decision`: the reviewer's form.
pub async fn decide_form(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    form: FormData,
) -> AppResult<Response> {
    decide(
        &state,
        &caller.user,
        &id,
        DecisionInput {
            decision: &form.get("decision"),
            rationale: &form.get("rationale"),
            mitigation: &form.get("mitigation"),
            owner: &form.get("owner"),
            review_date: &form.get("review_date"),
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/conflicts/disclosures/{id}")).into_response())
}

// ------------------------------------------------------------------ officers

#[derive(Template)]
#[template(path = "conflicts_review.html")]
struct ReviewPage {
    l: crate::pages::Layout,
    waiting: Vec<DisclosureView>,
    campaigns: Vec<CampaignView>,
    threshold: String,
    currency: String,
    roles: Vec<&'static str>,
    teams: Vec<(String, String)>,
    year: i16,
}

/// `GET /conflicts/review`: disclosures waiting for a decision, campaigns, settings.
pub async fn review_page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let r = views::review(&state).await?;
    Ok(render(ReviewPage {
        l: layout(Some(&caller), "Conflict-of-interest review", "/conflicts"),
        waiting: r.waiting,
        campaigns: r.campaigns.into_iter().map(CampaignView::from).collect(),
        threshold: r.threshold,
        currency: r.currency,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        teams: r.teams,
        year: state.now().to_zoned(jiff::tz::TimeZone::UTC).year(),
    }))
}

/// `POST /conflicts/campaigns`
pub async fn campaign_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    open_campaign(
        &state,
        &caller.user,
        &form.get("year"),
        &form.get("due"),
        &form.all("role"),
        &form.all("team"),
    )
    .await?;
    Ok(Redirect::to("/conflicts/review#campaigns").into_response())
}

/// `POST /conflicts/settings`: the gift threshold. Audited.
pub async fn settings_form(
    SignedIn { state, caller }: SignedIn,
    form: FormData,
) -> AppResult<Response> {
    set_gift_threshold(
        &state,
        &caller,
        &form.get("threshold"),
        &form.get("currency"),
    )
    .await?;
    Ok(Redirect::to("/conflicts/review#settings").into_response())
}

// ------------------------------------------------------------------ reports

#[derive(Template)]
#[template(path = "conflicts_reports.html")]
struct ReportsPage {
    l: crate::pages::Layout,
    campaign: String,
    campaign_id: String,
    by_team: Vec<CoverageRow>,
    by_site: Vec<CoverageRow>,
    mitigations: Vec<Mitigation>,
    gifts: Vec<Gift>,
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    campaign: Option<String>,
    report: Option<String>,
}

/// `GET /conflicts/reports`: campaign coverage, open mitigations, gifts register.
/// Audited (it lists people).
pub async fn reports_page(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let r = views::reports(&state, &caller, q.campaign.as_deref(), None).await?;
    let (campaign, campaign_id, by_team, by_site) = match r.coverage {
        Some((c, t, s)) => (format!("{} (due {})", c.year, day(c.due_at)), c.id, t, s),
        None => (String::new(), String::new(), Vec::new(), Vec::new()),
    };
    Ok(render(ReportsPage {
        l: layout(Some(&caller), "Conflict-of-interest reports", "/conflicts"),
        campaign,
        campaign_id,
        by_team,
        by_site,
        mitigations: r.open_mitigations,
        gifts: r.gifts,
    }))
}

/// A CSV document: the header, then one line per row, every field quoted as needed.
fn csv(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = String::new();
    let header = header.iter().map(|h| (*h).to_owned()).collect();
    for r in std::iter::once(header).chain(rows) {
        out.push_str(
            &r.iter()
                .map(|f| righttrack_scan::csv::quoted(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

fn opt(n: Option<usize>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// `GET /conflicts/reports/export.csv?report=coverage|mitigations|gifts`. Audited.
pub async fn export_csv(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let report = q.report.as_deref().unwrap_or("");
    let body = match views::export(&state, &caller, report, q.campaign.as_deref()).await? {
        Export::Coverage(cov) => csv(
            &[
                "group",
                "name",
                "members",
                "submitted",
                "percent",
                "suppressed",
            ],
            cov.into_iter()
                .flat_map(|(_, t, s)| [("team", t), ("site", s)])
                .flat_map(|(g, list)| {
                    list.into_iter().map(move |r| {
                        vec![
                            g.to_owned(),
                            r.name,
                            opt(r.members),
                            opt(r.submitted),
                            opt(r.percent),
                            r.reason.unwrap_or("").to_owned(),
                        ]
                    })
                })
                .collect(),
        ),
        Export::Mitigations(list) => csv(
            &[
                "disclosure",
                "person",
                "kind",
                "mitigation",
                "owner",
                "review",
                "overdue",
            ],
            list.into_iter()
                .map(|m| {
                    vec![
                        m.disclosure,
                        m.discloser,
                        m.kind,
                        m.text,
                        m.owner,
                        m.review,
                        m.overdue.to_string(),
                    ]
                })
                .collect(),
        ),
        Export::Gifts(list) => csv(
            &[
                "disclosure",
                "date",
                "person",
                "direction",
                "counterparty",
                "description",
                "value",
                "currency",
                "needs_approval",
                "status",
            ],
            list.into_iter()
                .map(|g| {
                    vec![
                        g.id,
                        g.date,
                        g.person,
                        g.direction,
                        g.counterparty,
                        g.description,
                        g.value,
                        g.currency,
                        g.needs_approval.to_string(),
                        g.status,
                    ]
                })
                .collect(),
        ),
    };
    let mut resp = csv_download(&format!("conflicts-{report}.csv"), body);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// `GET /api/v1/conflicts/reports`: the three reports as JSON. Audited.
pub async fn reports_api(
    SignedIn { state, caller }: SignedIn,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Value>> {
    let r = views::reports(&state, &caller, q.campaign.as_deref(), Some("json")).await?;
    let coverage = r.coverage.map(|(c, t, s)| json!({"campaign": c.id, "year": c.year, "due": day(c.due_at), "by_team": t, "by_site": s}));
    let mitigations: Vec<Value> = r
        .open_mitigations
        .into_iter()
        .map(|m| json!({"disclosure": m.disclosure, "person": m.discloser, "kind": m.kind, "text": m.text, "owner": m.owner, "review": m.review, "overdue": m.overdue}))
        .collect();
    let gifts: Vec<Value> = r
        .gifts
        .into_iter()
        .map(|g| json!({"disclosure": g.id, "date": g.date, "person": g.person, "direction": g.direction, "counterparty": g.counterparty, "description": g.description, "value": g.value, "currency": g.currency, "needs_approval": g.needs_approval, "status": g.status}))
        .collect();
    Ok(Json(
        json!({"coverage": coverage, "open_mitigations": mitigations, "gifts": gifts}),
    ))
}

// ------------------------------------------------------------------ findings

pub struct HitView {
    interaction: String,
    agent: String,
    what: String,
    at: String,
}

#[derive(Template)]
#[template(path = "conflicts_findings.html")]
struct FindingsPage {
    l: crate::pages::Layout,
    hits: Vec<HitView>,
}

fn hit_what(kind: &str) -> String {
    match kind {
        "relative_customer" => "Agent handled a disclosed relation's account".to_owned(),
        k => format!(
            "Agent handled an account named in a disclosure ({})",
            kind_label(k)
        ),
    }
}

/// `GET /conflicts/findings`: interactions where an agent handled a disclosed
/// relation's account. No detail of the disclosure is shown.
pub async fn findings_page(SignedIn { state, caller }: SignedIn) -> AppResult<Response> {
    let hits = visible_hits(&state, &caller)
        .await?
        .into_iter()
        .map(|h| HitView {
            what: hit_what(&h.kind),
            interaction: h.interaction,
            agent: h.agent,
            at: righttrack_core::clock::minute(h.at),
        })
        .collect();
    Ok(render(FindingsPage {
        l: layout(Some(&caller), "Conflict findings", "/conflicts"),
        hits,
    }))
}

/// `GET /api/v1/conflicts/findings`
pub async fn findings_api(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let hits: Vec<Value> = visible_hits(&state, &caller)
        .await?
        .into_iter()
        .map(|h| json!({"interaction": h.interaction, "agent": h.agent, "disclosure": h.disclosure, "finding": hit_what(&h.kind), "at": h.at}))
        .collect();
    Ok(Json(json!({ "findings": hits })))
}

// ------------------------------------------------------------------ API

/// `GET /api/v1/conflicts/disclosures`: one's own disclosures (no sealed field).
pub async fn list_api(SignedIn { state, caller }: SignedIn) -> AppResult<Json<Value>> {
    let rows: Vec<Value> = views::mine(&state, &caller.user)
        .await?
        .into_iter()
        .map(|v| {
            json!({"id": v.id, "kind": v.kind, "status": v.status, "occasion": v.occasion, "submitted": v.submitted, "gift": v.gift, "needs_approval": v.needs_approval})
        })
        .collect();
    Ok(Json(json!({ "disclosures": rows })))
}

#[derive(Debug, Deserialize)]
pub struct SubmitBody {
    #[serde(flatten)]
    fields: Fields,
    #[serde(default)]
    occasion: String,
    #[serde(default)]
    campaign: String,
}

/// `POST /api/v1/conflicts/disclosures`
pub async fn submit_api(
    SignedIn { state, caller }: SignedIn,
    crate::extract::Json(b): crate::extract::Json<SubmitBody>,
) -> AppResult<Response> {
    let id = submit(&state, &caller.user, &b.fields, &b.occasion, &b.campaign).await?;
    let d = views::stored(&state, &id).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(json!({"id": id, "status": d.status, "needs_approval": d.needs_approval})),
    )
        .into_response())
}

/// `GET /api/v1/conflicts/disclosures/{id}`: same access as the page; audited.
pub async fn detail_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
) -> AppResult<Json<Value>> {
    let (v, _) = views::read(&state, &caller.user, &id).await?;
    Ok(Json(view_json(&v)))
}

#[derive(Debug, Deserialize)]
pub struct DecisionBody {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    mitigation: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    review_date: String,
}

/// `POST /api/v1/conflicts/disclosures/{id}/decision`
pub async fn decide_api(
    SignedIn { state, caller }: SignedIn,
    Path(id): Path<String>,
    crate::extract::Json(b): crate::extract::Json<DecisionBody>,
) -> AppResult<Json<Value>> {
    decide(
        &state,
        &caller.user,
        &id,
        DecisionInput {
            decision: &b.decision,
            rationale: &b.rationale,
            mitigation: &b.mitigation,
            owner: &b.owner,
            review_date: &b.review_date,
        },
    )
    .await?;
    let d = views::stored(&state, &id).await?;
    Ok(Json(json!({"id": id, "status": d.status})))
}

#[derive(Debug, Deserialize)]
pub struct RoutingBody {
    #[serde(default)]
    customer_ref: String,
}

/// `POST /api/v1/conflicts/routing` `{"customer_ref": "..."}` → the agents (usernames)
/// the telephony platform should not route this customer to. The reference travels in
/// the body (not the URL, which proxies log), is hashed and forgotten.
pub async fn routing_api(
    State(state): State<AppState>,
    crate::extract::Json(b): crate::extract::Json<RoutingBody>,
) -> AppResult<Json<Value>> {
    let avoid = agents_to_avoid(&state, &b.customer_ref).await?;
    Ok(Json(json!({ "avoid_agents": avoid })))
}
