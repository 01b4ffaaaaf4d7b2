//! The route table: every route, its access rule, and its handler, in one list.
//!
//! [`router`] builds the axum router from [`table`], wrapping each handler in `guard`,
//! which resolves the caller and applies the route's [`Access`] before the handler runs.
//! [`specs`] exposes the same list (without handlers) to the OpenAPI generator and the
//! route × role test.

use crate::auth::{self, Caller, Via, LOGIN_CSRF_COOKIE};
use crate::error::{AppError, Code};
use crate::state::AppState;
use crate::{
    api, calibration, cases, conflicts, dashboard, disputes, fairness, feedback, interactions,
    middleware, pages, qa, speakup, speakup_analytics, speakup_attachments, speakup_settings,
    surveys, training, vault,
};
// Issue #7.
use crate::{capa, discipline, kudos};
use crate::{policies, policies_admin};
// Issue #8: the evidence binder.
use crate::binder;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use righttrack_core::authz::{allowed, Action};

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in session, even one still waiting for its second factor
    /// (the TOTP pages and logout).
    SessionPending,
    /// A caller whose roles allow the action (and, on a token, whose scope covers it).
    Act(Action),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// HTML for people: anonymous callers are sent to the login page.
    Page,
    /// JSON for programs: anonymous callers get 401.
    Api,
    /// Machine endpoints with their own formats (health, metrics, assets).
    Plain,
}

#[derive(Debug, Clone, Copy)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    pub kind: Kind,
    pub summary: &'static str,
}

pub struct Route {
    pub spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn r(
    method: &'static str,
    path: &'static str,
    access: Access,
    kind: Kind,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> Route {
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            kind,
            summary,
        },
        handler,
    }
}

use Access::*;
use Kind::*;

/// Every route of the server.
pub fn table() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/healthz",
            Public,
            Plain,
            "Health: 200 when the database answers",
            get(api::healthz),
        ),
        r(
            "GET",
            "/metrics",
            Public,
            Plain,
            "Prometheus metrics: needs `Authorization: Bearer` with the configured metrics token (off without one)",
            get(api::metrics),
        ),
        r(
            "GET",
            "/static/app.css",
            Public,
            Plain,
            "Stylesheet",
            get(pages::stylesheet),
        ),
        r(
            "GET",
            "/api/openapi.json",
            Public,
            Plain,
            "This OpenAPI document",
            get(api::openapi),
        ),
        r(
            "GET",
            "/login",
            Public,
            Page,
            "Sign-in form",
            get(pages::login_form),
        ),
        r(
            "POST",
            "/login",
            Public,
            Page,
            "Sign in with username and password",
            post(pages::login_submit),
        ),
        r(
            "GET",
            "/login/totp",
            SessionPending,
            Page,
            "Second-factor form",
            get(pages::totp_form),
        ),
        r(
            "POST",
            "/login/totp",
            SessionPending,
            Page,
            "Submit a TOTP code",
            post(pages::totp_submit),
        ),
        r(
            "GET",
            "/account/2fa",
            SessionPending,
            Page,
            "Enrol an authenticator app",
            get(pages::enrol_form),
        ),
        r(
            "POST",
            "/account/2fa",
            SessionPending,
            Page,
            "Confirm authenticator enrolment",
            post(pages::enrol_submit),
        ),
        r(
            "POST",
            "/logout",
            SessionPending,
            Page,
            "Sign out",
            post(pages::logout),
        ),
        r(
            "GET",
            "/",
            Act(Action::ViewSelf),
            Page,
            "Home",
            get(pages::home),
        ),
        r(
            "GET",
            "/account",
            Act(Action::ManageOwnAccount),
            Page,
            "My account",
            get(pages::account),
        ),
        r(
            "POST",
            "/account/password",
            Act(Action::ManageOwnAccount),
            Page,
            "Change my password",
            post(pages::change_password),
        ),
        r(
            "GET",
            "/directory",
            Act(Action::DirectoryRead),
            Page,
            "Sites, teams and leads",
            get(pages::directory),
        ),
        r(
            "GET",
            "/audit",
            Act(Action::AuditRead),
            Page,
            "Browse the audit trail",
            get(pages::audit),
        ),
        r(
            "GET",
            "/admin/users",
            Act(Action::UserAdmin),
            Page,
            "Users and roles",
            get(pages::users),
        ),
        r(
            "POST",
            "/admin/users",
            Act(Action::UserAdmin),
            Page,
            "Create a user",
            post(pages::create_user),
        ),
        r(
            "POST",
            "/admin/users/{id}/roles",
            Act(Action::UserAdmin),
            Page,
            "Change a user's roles",
            post(pages::set_roles),
        ),
        r(
            "POST",
            "/admin/users/{id}/disabled",
            Act(Action::UserAdmin),
            Page,
            "Disable a user (signed out, off every hotline case) or enable them again",
            post(pages::set_disabled),
        ),
        r(
            "POST",
            "/admin/users/{id}/unlock",
            Act(Action::UserAdmin),
            Page,
            "Unlock a user locked after wrong passwords or wrong two-factor codes",
            post(pages::unlock_user),
        ),
        r(
            "POST",
            "/admin/users/{id}/team",
            Act(Action::UserAdmin),
            Page,
            "Move a user to another team (audited; the retaliation watch reads it)",
            post(pages::set_team),
        ),
        r(
            "GET",
            "/admin/tokens",
            Act(Action::UserAdmin),
            Page,
            "API tokens",
            get(pages::tokens),
        ),
        r(
            "POST",
            "/admin/tokens",
            Act(Action::UserAdmin),
            Page,
            "Issue an API token",
            post(pages::create_token),
        ),
        r(
            "POST",
            "/admin/service-accounts",
            Act(Action::UserAdmin),
            Page,
            "Add a service account (no person, no password, no role that needs a second factor) to make tokens for",
            post(pages::create_service_account),
        ),
        r(
            "POST",
            "/admin/tokens/{id}/revoke",
            Act(Action::UserAdmin),
            Page,
            "Revoke an API token",
            post(pages::revoke_token),
        ),
        r(
            "GET",
            "/api/v1/me",
            Act(Action::ViewSelf),
            Api,
            "The caller's user and roles",
            get(api::me),
        ),
        r(
            "GET",
            "/api/v1/users",
            Act(Action::DirectoryRead),
            Api,
            "Users with roles and teams",
            get(api::users),
        ),
        r(
            "GET",
            "/api/v1/audit",
            Act(Action::AuditRead),
            Api,
            "Audit entries, newest first, filtered",
            get(api::audit),
        ),
        r(
            "GET",
            "/my/work",
            Act(Action::ViewOwnWork),
            Page,
            "My interactions, scores and open commitments",
            get(qa::my_work),
        ),
        r(
            "GET",
            "/my/interactions/{id}",
            Act(Action::ViewOwnWork),
            Page,
            "One of my interactions with its scorecard explained",
            get(qa::my_interaction),
        ),
        r(
            "POST",
            "/my/interactions/{id}/disputes",
            Act(Action::DisputeOpen),
            Page,
            "Dispute one scorecard item of my interaction, with a reason",
            post(disputes::open_form),
        ),
        r(
            "GET",
            "/qa/disputes",
            Act(Action::DisputeRead),
            Page,
            "Disputes: assigned to me, all open (overdue first), recently resolved",
            get(disputes::queue),
        ),
        r(
            "GET",
            "/qa/disputes/{id}",
            Act(Action::DisputeRead),
            Page,
            "One dispute: transcript, item, evidence, reason, resolution",
            get(disputes::detail),
        ),
        r(
            "POST",
            "/qa/disputes/{id}/resolve",
            Act(Action::DisputeResolve),
            Page,
            "Resolve a dispute: upheld or accepted, with a note",
            post(disputes::resolve_form),
        ),
        r(
            "GET",
            "/qa/review",
            Act(Action::InteractionRead),
            Page,
            "QA review queue of flagged interactions",
            get(qa::review),
        ),
        r(
            "GET",
            "/interactions/{id}",
            Act(Action::InteractionRead),
            Page,
            "One interaction: redacted transcript and scorecard explained",
            get(qa::interaction),
        ),
        r(
            "POST",
            "/interactions/{id}/override",
            Act(Action::ScoreOverride),
            Page,
            "Override a scorecard item, with a justification",
            post(qa::override_item),
        ),
        r(
            "POST",
            "/interactions/{id}/original",
            Act(Action::VaultOpen),
            Page,
            "Open the sealed original from the privacy vault, with a reason (audited)",
            post(vault::open_original),
        ),
        r(
            "GET",
            "/qa/calibration",
            Act(Action::CalibrationRead),
            Page,
            "Calibration sessions: to score, run, and closed",
            get(calibration::list),
        ),
        r(
            "GET",
            "/qa/calibration/new",
            Act(Action::CalibrationManage),
            Page,
            "Form to start a calibration session",
            get(calibration::new_form),
        ),
        r(
            "POST",
            "/qa/calibration",
            Act(Action::CalibrationManage),
            Page,
            "Create a calibration session",
            post(calibration::create),
        ),
        r(
            "GET",
            "/qa/calibration/{id}",
            Act(Action::CalibrationRead),
            Page,
            "A calibration session: blind scoring while open, results once closed",
            get(calibration::show),
        ),
        r(
            "POST",
            "/qa/calibration/{id}/ratings",
            Act(Action::CalibrationScore),
            Page,
            "Save or submit my ratings in a calibration session",
            post(calibration::rate),
        ),
        r(
            "POST",
            "/qa/calibration/{id}/close",
            Act(Action::CalibrationManage),
            Page,
            "Close a calibration session I created and reveal its results",
            post(calibration::close),
        ),
        r(
            "GET",
            "/commitments",
            Act(Action::CommitmentRead),
            Page,
            "Commitments ledger by status",
            get(qa::commitments),
        ),
        r(
            "POST",
            "/commitments/{id}/fulfil",
            Act(Action::CommitmentFulfil),
            Page,
            "Mark a commitment kept",
            post(qa::fulfil),
        ),
        r(
            "POST",
            "/api/v1/interactions",
            Act(Action::InteractionIngest),
            Api,
            "Ingest one interaction (JSON) or a batch (NDJSON); idempotent on id; per-line errors",
            post(interactions::ingest)
                .layer(axum::extract::DefaultBodyLimit::max(interactions::MAX_BODY)),
        ),
        r(
            "GET",
            "/api/v1/interactions/{id}",
            Act(Action::InteractionRead),
            Api,
            "A stored interaction (redacted) with findings and score",
            get(interactions::get),
        ),
        r(
            "GET",
            "/api/v1/calibration/{id}",
            Act(Action::CalibrationRead),
            Api,
            "Results of a closed calibration session (409 while open, 403 to outsiders)",
            get(calibration::api_get),
        ),
        r(
            "GET",
            "/api/v1/commitments",
            Act(Action::CommitmentRead),
            Api,
            "The commitments ledger: ?status=due_soon|open|overdue|kept|broken&agent=&team=",
            get(interactions::commitments),
        ),
        r(
            "GET",
            "/api/v1/commitments/kept-rates",
            Act(Action::CommitmentRead),
            Api,
            "Kept rate per team or agent: ?by=team|agent&team=&days=90",
            get(interactions::kept_rates),
        ),
        r(
            "POST",
            "/api/v1/interactions/{id}/feedback-link",
            Act(Action::FeedbackLinkCreate),
            Api,
            "Mint the single-use customer feedback link of an interaction: {url, path, expires_at}; replaces an unanswered one, 409 once answered",
            post(feedback::mint),
        ),
        r(
            "GET",
            "/api/v1/feedback",
            Act(Action::InteractionRead),
            Api,
            "Customer feedback: CSAT, NPS and response rate per team and agent, and the answers: ?team=&agent=&from=&to=&limit=",
            get(feedback::api_report),
        ),
        r(
            "GET",
            "/speakup",
            Public,
            Page,
            "Speak-up hotline: choose a category, then the report form",
            get(speakup::intake_form),
        ),
        r(
            "POST",
            "/speakup",
            Public,
            Page,
            "Speak-up hotline: file a report with up to 3 attachments (multipart), or confirm the receipt was saved",
            post(speakup::intake_submit).layer(axum::extract::DefaultBodyLimit::max(
                speakup_attachments::FORM_BODY_LIMIT,
            )),
        ),
        r(
            "GET",
            "/speakup/access",
            Public,
            Page,
            "Speak-up hotline: the reporter's receipt form",
            get(speakup::access_form),
        ),
        r(
            "POST",
            "/speakup/access",
            Public,
            Page,
            "Speak-up hotline: open a report with its receipt, add a message or attachments, report retaliation",
            post(speakup::access_submit).layer(axum::extract::DefaultBodyLimit::max(
                speakup_attachments::FORM_BODY_LIMIT,
            )),
        ),
        r(
            "POST",
            "/api/v1/speakup/reports",
            Public,
            Api,
            "Speak-up hotline: file a report, optionally with attachments [{name, content_base64}] (JPEG, PNG, PDF, text; 3 files of 5 MiB); returns the case reference and the receipt (once)",
            post(speakup::api_report).layer(axum::extract::DefaultBodyLimit::max(
                speakup_attachments::API_BODY_LIMIT,
            )),
        ),
        r(
            "POST",
            "/api/v1/speakup/access",
            Public,
            Api,
            "Speak-up hotline: status, messages and attachments of the report a receipt opens; optionally add a message, attachments or report retaliation",
            post(speakup::api_access).layer(axum::extract::DefaultBodyLimit::max(
                speakup_attachments::API_BODY_LIMIT,
            )),
        ),
        r(
            "GET",
            "/cases",
            Act(Action::CaseWork),
            Page,
            "Hotline cases I hold a key to: deadlines, triage, assignment; search",
            get(cases::list),
        ),
        r(
            "GET",
            "/cases/export.csv",
            Act(Action::CaseWork),
            Plain,
            "The filtered case list as CSV (metadata only)",
            get(cases::export_csv),
        ),
        r(
            "GET",
            "/api/v1/speakup/cases",
            Act(Action::CaseWork),
            Api,
            "Hotline cases the caller holds a key to (metadata only; content opens only on a web session)",
            get(cases::api_list),
        ),
        r(
            "GET",
            "/cases/{id}",
            Act(Action::CaseWork),
            Page,
            "One case: report, identity envelope, conversation, deadlines, timeline",
            get(cases::detail),
        ),
        r(
            "GET",
            "/cases/{id}/attachments/{attachment}",
            Act(Action::CaseWork),
            Plain,
            "Download one attachment of a case (metadata stripped; audited)",
            get(cases::attachment),
        ),
        r(
            "POST",
            "/cases/{id}/status",
            Act(Action::CaseWork),
            Page,
            "Set a case's status (a final status needs the outcome)",
            post(cases::set_status),
        ),
        r(
            "POST",
            "/cases/{id}/note",
            Act(Action::CaseWork),
            Page,
            "Add an internal note to a case",
            post(cases::add_note),
        ),
        r(
            "POST",
            "/cases/{id}/message",
            Act(Action::CaseWork),
            Page,
            "Send the reporter a message (optionally the legally required feedback)",
            post(cases::send_message),
        ),
        r(
            "POST",
            "/cases/{id}/recuse",
            Act(Action::CaseWork),
            Page,
            "Recuse oneself from a case (one's key is destroyed)",
            post(cases::recuse),
        ),
        r(
            "POST",
            "/cases/{id}/handover",
            Act(Action::CaseWork),
            Page,
            "The assignee hands a case over to another case worker",
            post(cases::handover),
        ),
        r(
            "POST",
            "/cases/{id}/watch",
            Act(Action::CaseWork),
            Page,
            "Put a consenting named reporter or witness under retaliation watch",
            post(cases::watch),
        ),
        r(
            "POST",
            "/cases/{id}/identity",
            Act(Action::CaseWork),
            Page,
            "Ask an identity custodian to open the reporter's identity, with a reason",
            post(cases::request_identity),
        ),
        r(
            "POST",
            "/cases/{id}/identity/{request}",
            Act(Action::IdentityDecide),
            Page,
            "Approve or deny a request to open a reporter's identity, with a reason",
            post(cases::decide_identity),
        ),
        r(
            "POST",
            "/cases/{id}/triage",
            Act(Action::CaseManage),
            Page,
            "Triage a case: retaliation risk, jurisdiction, people concerned",
            post(cases::triage),
        ),
        r(
            "POST",
            "/cases/{id}/assign",
            Act(Action::CaseManage),
            Page,
            "Assign a case to a case worker (or take it back)",
            post(cases::assign),
        ),
        r(
            "POST",
            "/cases/{id}/hold",
            Act(Action::CaseManage),
            Page,
            "Place or lift a legal hold on a case",
            post(cases::hold),
        ),
        r(
            "GET",
            "/speakup/settings",
            Act(Action::HotlineConfigure),
            Page,
            "Hotline settings: categories, jurisdictions, retention, cases about to be destroyed",
            get(speakup_settings::show),
        ),
        r(
            "POST",
            "/speakup/settings/categories",
            Act(Action::HotlineConfigure),
            Page,
            "Add a report category (labels, hints and questions in English and Spanish)",
            post(speakup_settings::create_category),
        ),
        r(
            "GET",
            "/speakup/settings/categories/{key}",
            Act(Action::HotlineConfigure),
            Page,
            "Form to edit a report category",
            get(speakup_settings::edit_category),
        ),
        r(
            "POST",
            "/speakup/settings/categories/{key}",
            Act(Action::HotlineConfigure),
            Page,
            "Save a report category",
            post(speakup_settings::save_category),
        ),
        r(
            "POST",
            "/speakup/settings/categories/{key}/enabled",
            Act(Action::HotlineConfigure),
            Page,
            "Offer a report category to reporters, or stop offering it (enabled=yes|no)",
            post(speakup_settings::set_category_enabled),
        ),
        r(
            "POST",
            "/speakup/settings/jurisdictions",
            Act(Action::HotlineConfigure),
            Page,
            "Add a jurisdiction with its legal deadlines",
            post(speakup_settings::create_jurisdiction),
        ),
        r(
            "POST",
            "/speakup/settings/jurisdictions/{code}",
            Act(Action::HotlineConfigure),
            Page,
            "Change a jurisdiction's name and deadlines",
            post(speakup_settings::save_jurisdiction),
        ),
        r(
            "POST",
            "/speakup/settings/default-jurisdiction",
            Act(Action::HotlineConfigure),
            Page,
            "Choose the jurisdiction new reports get",
            post(speakup_settings::set_default_jurisdiction),
        ),
        r(
            "POST",
            "/speakup/settings/retention",
            Act(Action::HotlineConfigure),
            Page,
            "Add or change a retention rule (category or *, final status or *, days)",
            post(speakup_settings::set_retention),
        ),
        r(
            "POST",
            "/speakup/settings/retention/delete",
            Act(Action::HotlineConfigure),
            Page,
            "Remove a retention rule (not the * / * fallback)",
            post(speakup_settings::delete_retention),
        ),
        r(
            "GET",
            "/speakup/analytics",
            Act(Action::HotlineAnalytics),
            Page,
            "Hotline analytics (NAVEX benchmark figures) over the cases one can read and destroyed cases' statistics: ?from=&to=",
            get(speakup_analytics::page),
        ),
        r(
            "GET",
            "/api/v1/speakup/analytics",
            Act(Action::HotlineAnalytics),
            Api,
            "Hotline analytics as JSON: reports per 100 employees, anonymous share, follow-up and substantiation rates, days to close, overall and per category; groups under 5 suppressed: ?from=&to=",
            get(speakup_analytics::api),
        ),
        r(
            "GET",
            "/dashboard",
            Act(Action::DashboardRead),
            Page,
            "The ethics-health dashboard: twelve months of trends with benchmarks; ?team= drills down to one team's interactions",
            get(dashboard::page),
        ),
        r(
            "GET",
            "/api/v1/dashboard",
            Act(Action::DashboardRead),
            Api,
            "The dashboard's indicators as JSON: monthly values (null when withheld), latest value, benchmark, formula; violations by rule; teams: ?team=",
            get(dashboard::api),
        ),
        r(
            "GET",
            "/fairness",
            Act(Action::FairnessRead),
            Page,
            "Fairness analytics: workload spread (Gini), QA scores by team, site and evaluator with 95 % intervals and the four-fifths screen, evaluator leniency, overturn rates, calibration drift: ?months=",
            get(fairness::page),
        ),
        r(
            "GET",
            "/api/v1/fairness",
            Act(Action::FairnessRead),
            Api,
            "Fairness analytics as JSON, with their definitions: ?months= (1-24, default 3)",
            get(fairness::api),
        ),
        r(
            "GET",
            "/fairness/training",
            Act(Action::FairnessRead),
            Page,
            "Training effectiveness from behaviour: violations per rule before and after a course, trained against not-yet-trained agents by month: ?course=&months=&window= (months on each side, 1-6, default 3)",
            get(fairness::training_page),
        ),
        r(
            "GET",
            "/api/v1/fairness/training",
            Act(Action::FairnessRead),
            Api,
            "Training effectiveness as JSON: ?course=&months= (default 12)&window= (1-6, default 3)",
            get(fairness::training_api),
        ),
        r(
            "GET",
            "/my/numbers",
            Act(Action::ViewOwnWork),
            Page,
            "Your own numbers explained: QA score with its interval, formula and every interaction behind it, your workload against your team's",
            get(fairness::my_page),
        ),
        r(
            "GET",
            "/api/v1/me/numbers",
            Act(Action::ViewOwnWork),
            Api,
            "Your own numbers and their inputs as JSON: ?months=",
            get(fairness::my_api),
        ),
        r(
            "GET",
            "/f/{token}",
            Public,
            Page,
            "Customer feedback form (single-use link, no sign-in; rate limited)",
            get(feedback::form),
        ),
        r(
            "POST",
            "/f/{token}",
            Public,
            Page,
            "Answer the customer feedback form (consumes the link; rate limited)",
            post(feedback::submit),
        ),
        r(
            "GET",
            "/qa/feedback",
            Act(Action::InteractionRead),
            Page,
            "Customer feedback by team and agent, with the latest comments",
            get(feedback::report_page),
        ),
        r(
            "POST",
            "/api/v1/commitments/{id}/fulfil",
            Act(Action::CommitmentFulfil),
            Api,
            "Mark a commitment kept",
            post(interactions::fulfil),
        ),
        r(
            "GET",
            "/api/v1/disputes",
            Act(Action::DisputeRead),
            Api,
            "Scorecard disputes: ?status=open|resolved|overdue",
            get(disputes::api_list),
        ),
        // Conflicts of interest (issue 9).
        r("GET", "/conflicts", Act(Action::ConflictDisclose), Page,
            "My conflict-of-interest disclosures, what a campaign or hiring asks of me, and the form to declare (or declare nothing)",
            get(conflicts::my_page)),
        r("POST", "/conflicts/disclosures", Act(Action::ConflictDisclose), Page,
            "Declare a conflict of interest, a gift, or nothing to declare",
            post(conflicts::submit_form)),
        r("GET", "/conflicts/disclosures/{id}", Act(Action::ConflictDisclose), Page,
            "One disclosure: the discloser, ethics officers and its reviewer only (404 to others; audited)",
            get(conflicts::detail)),
        r("POST", "/conflicts/disclosures/{id}/decision", Act(Action::ConflictReview), Page,
            "Decide a disclosure: approve, approve with a mitigation (owner, review date), reject; with a rationale",
            post(conflicts::decide_form)),
        r("GET", "/conflicts/review", Act(Action::ConflictReview), Page,
            "Disclosures waiting for review, campaigns, the gift threshold",
            get(conflicts::review_page)),
        r("POST", "/conflicts/campaigns", Act(Action::ConflictReview), Page,
            "Open a yearly disclosure campaign for an audience",
            post(conflicts::campaign_form)),
        r("POST", "/conflicts/settings", Act(Action::ConflictReview), Page,
            "Set the value above which a gift needs approval",
            post(conflicts::settings_form)),
        r("GET", "/conflicts/reports", Act(Action::ConflictReports), Page,
            "Campaign coverage by team and site (groups under 5 suppressed), open mitigations, gifts register (audited)",
            get(conflicts::reports_page)),
        r("GET", "/conflicts/reports/export.csv", Act(Action::ConflictReports), Plain,
            "A conflict-of-interest report as CSV: ?report=coverage|mitigations|gifts&campaign= (audited)",
            get(conflicts::export_csv)),
        r("GET", "/conflicts/findings", Act(Action::ConflictFindings), Page,
            "Interactions where an agent handled a disclosed relation's account (team leads: their reporting line)",
            get(conflicts::findings_page)),
        r("GET", "/api/v1/conflicts/disclosures", Act(Action::ConflictDisclose), Api,
            "My disclosures (no sealed field)",
            get(conflicts::list_api)),
        r("POST", "/api/v1/conflicts/disclosures", Act(Action::ConflictDisclose), Api,
            "Declare: {kind, name, relationship, description, customer_refs, colleague, direction, value, currency, occasion, campaign}",
            post(conflicts::submit_api)),
        r("GET", "/api/v1/conflicts/disclosures/{id}", Act(Action::ConflictDisclose), Api,
            "One disclosure: the discloser, ethics officers and its reviewer only (404 to others; audited)",
            get(conflicts::detail_api)),
        r("POST", "/api/v1/conflicts/disclosures/{id}/decision", Act(Action::ConflictReview), Api,
            "Decide a disclosure: {decision: approve|mitigate|reject, rationale, mitigation, owner, review_date}",
            post(conflicts::decide_api)),
        r("GET", "/api/v1/conflicts/findings", Act(Action::ConflictFindings), Api,
            "Conflict findings the caller may see",
            get(conflicts::findings_api)),
        r("GET", "/api/v1/conflicts/reports", Act(Action::ConflictReports), Api,
            "Campaign coverage (groups under 5 suppressed), open mitigations, gifts register: ?campaign= (audited)",
            get(conflicts::reports_api)),
        r("POST", "/api/v1/conflicts/routing", Act(Action::ConflictRouting), Api,
            "Routing lookup for telephony: {customer_ref} → {avoid_agents}; the reference is hashed and not kept",
            post(conflicts::routing_api)),
        // ---- ethics-climate surveys (issue #7)
        r(
            "GET",
            "/my/surveys",
            Act(Action::SurveyRespond),
            Page,
            "Surveys I am invited to",
            get(surveys::my_list),
        ),
        r(
            "GET",
            "/my/surveys/{id}",
            Act(Action::SurveyRespond),
            Page,
            "Answer a survey wave, with how the answers will be reported",
            get(surveys::my_form),
        ),
        r(
            "POST",
            "/my/surveys/{id}",
            Act(Action::SurveyRespond),
            Page,
            "Preview the redacted comment (step=preview) or submit the answers once (step=submit)",
            post(surveys::my_submit),
        ),
        r(
            "GET",
            "/surveys",
            Act(Action::SurveyResults),
            Page,
            "Surveys and their waves; the survey builder",
            get(surveys::list),
        ),
        r(
            "POST",
            "/surveys",
            Act(Action::SurveyManage),
            Page,
            "Create a survey: the built-in instrument and custom questions",
            post(surveys::create),
        ),
        r(
            "GET",
            "/surveys/{id}",
            Act(Action::SurveyResults),
            Page,
            "A survey: its questions and waves; the new-wave form",
            get(surveys::show),
        ),
        r(
            "POST",
            "/surveys/{id}/waves",
            Act(Action::SurveyManage),
            Page,
            "Create a draft wave: dates, audience, reporting cuts, thresholds",
            post(surveys::create_wave),
        ),
        r(
            "GET",
            "/surveys/waves/{id}",
            Act(Action::SurveyResults),
            Page,
            "A wave: participation, and once closed its results by cut (suppressed below the thresholds), hot-spots and trend: ?view=",
            get(surveys::wave),
        ),
        r(
            "POST",
            "/surveys/waves/{id}/edit",
            Act(Action::SurveyManage),
            Page,
            "Change a draft wave",
            post(surveys::edit_wave),
        ),
        r(
            "POST",
            "/surveys/waves/{id}/launch",
            Act(Action::SurveyManage),
            Page,
            "Launch a draft wave: invite its audience (audited)",
            post(surveys::launch),
        ),
        r(
            "POST",
            "/surveys/waves/{id}/close",
            Act(Action::SurveyManage),
            Page,
            "Close an open wave and release its results (audited)",
            post(surveys::close_now),
        ),
        r(
            "POST",
            "/surveys/waves/{id}/thresholds",
            Act(Action::SurveyManage),
            Page,
            "Change a wave's thresholds; after launch only upwards (audited)",
            post(surveys::thresholds),
        ),
        r(
            "GET",
            "/surveys/waves/{id}/results.csv",
            Act(Action::SurveyResults),
            Plain,
            "A closed wave's results by cut as CSV; suppressed groups marked, without figures (audited): ?view=",
            get(surveys::export_csv),
        ),
        r(
            "GET",
            "/surveys/waves/{id}/hotspots/{index}/{cell}",
            Act(Action::SurveyResults),
            Page,
            "A survey hot-spot: a released group whose climate index is significantly below the organisation's (stable link)",
            get(surveys::hotspot),
        ),
        r(
            "GET",
            "/api/v1/surveys",
            Act(Action::SurveyResults),
            Api,
            "Surveys, their questions and waves with participation counts",
            get(surveys::api_list),
        ),
        r(
            "GET",
            "/api/v1/surveys/waves/{id}/results",
            Act(Action::SurveyResults),
            Api,
            "A closed wave's results by cut; groups below the thresholds as {status: suppressed, cell, reason} without figures; 409 while open: ?view=",
            get(surveys::api_results),
        ),
        r(
            "GET",
            "/api/v1/surveys/waves/{id}/hotspots",
            Act(Action::SurveyResults),
            Api,
            "A closed wave's hot-spots, each with a stable id (wave/index/cell) and url",
            get(surveys::api_hotspots),
        ),
        // Issue #7: audits, corrective actions, discipline, recognition.
        r(
            "GET",
            "/audits",
            Act(Action::AuditPerform),
            Page,
            "Audits: open ones soonest due, completed, findings without a CAPA; checklists and schedules",
            get(capa::list),
        ),
        r(
            "POST",
            "/audits/templates",
            Act(Action::AuditManage),
            Page,
            "Create an audit checklist: a name and one item per line",
            post(capa::template_form),
        ),
        r(
            "POST",
            "/audits/schedules",
            Act(Action::AuditManage),
            Page,
            "Schedule a checklist every n months per site; creates the audits due within two weeks",
            post(capa::schedule_form),
        ),
        r(
            "GET",
            "/audits/{id}",
            Act(Action::AuditPerform),
            Page,
            "One audit: the checklist to answer, or its answers and findings",
            get(capa::detail),
        ),
        r(
            "POST",
            "/audits/{id}/complete",
            Act(Action::AuditPerform),
            Page,
            "Complete an audit: every item pass, fail or n/a (a failed item needs a note and becomes a finding)",
            post(capa::complete_form),
        ),
        r(
            "GET",
            "/capa",
            Act(Action::CapaManage),
            Page,
            "Corrective actions: mine, all (overdue first), QA trends to raise one from",
            get(capa::capa_list),
        ),
        r(
            "GET",
            "/capa/new",
            Act(Action::CapaManage),
            Page,
            "Form to raise a corrective action: ?source=audit_finding|qa_trend|survey_hotspot|manual&ref=&rule=&label=",
            get(capa::new_form),
        ),
        r(
            "POST",
            "/capa",
            Act(Action::CapaManage),
            Page,
            "Raise a corrective action",
            post(capa::raise_form),
        ),
        r(
            "GET",
            "/capa/{id}",
            Act(Action::CapaManage),
            Page,
            "One corrective action: source, root cause, plan, effectiveness metric, history",
            get(capa::capa_detail),
        ),
        r(
            "POST",
            "/capa/{id}/step",
            Act(Action::CapaManage),
            Page,
            "Move a corrective action (ISO 9001 §10.2): analyse, plan, implement, verify, not_effective, close",
            post(capa::step_form),
        ),
        r(
            "POST",
            "/cases/{id}/capa",
            Act(Action::CaseWork),
            Page,
            "Raise a corrective action from a hotline case one holds the key to (the reference only)",
            post(capa::raise_from_case),
        ),
        r(
            "GET",
            "/api/v1/audits",
            Act(Action::AuditPerform),
            Api,
            "Audits and the findings without a corrective action",
            get(capa::api_audits),
        ),
        r(
            "GET",
            "/api/v1/capas",
            Act(Action::CapaManage),
            Api,
            "Corrective actions with their metric verdict (hotline references only for holders of the case key)",
            get(capa::api_capas),
        ),
        r(
            "POST",
            "/api/v1/capas",
            Act(Action::CapaManage),
            Api,
            "Raise a corrective action: JSON {title, source_kind, source_ref, source_label, site, rule, owner, due, metric_baseline, metric_days}",
            post(capa::api_raise),
        ),
        r(
            "GET",
            "/api/v1/capa/trends",
            Act(Action::CapaManage),
            Api,
            "QA trends: per scan rule, violations per 1,000 interactions over the last 30 days and the 30 before",
            get(capa::api_trends),
        ),
        r(
            "GET",
            "/discipline",
            Act(Action::DisciplineRecord),
            Page,
            "Discipline decisions: mine (all for ethics officers), those awaiting a second approver",
            get(discipline::list),
        ),
        r(
            "GET",
            "/discipline/new",
            Act(Action::DisciplineRecord),
            Page,
            "Form to record a decision, with the prior record and comparable cases: ?subject=&class=&severity=",
            get(discipline::new_form),
        ),
        r(
            "POST",
            "/discipline",
            Act(Action::DisciplineRecord),
            Page,
            "Record a decision (a deviation needs a rationale and waits for a second approver)",
            post(discipline::record_form),
        ),
        r(
            "GET",
            "/discipline/report",
            Act(Action::DisciplineApprove),
            Page,
            "Disparity report: severe sanctions per site, team, role level and decision maker; small groups suppressed",
            get(discipline::report),
        ),
        r(
            "GET",
            "/discipline/report.csv",
            Act(Action::DisciplineApprove),
            Plain,
            "Disparity report as CSV",
            get(discipline::report_csv),
        ),
        r(
            "POST",
            "/discipline/classes",
            Act(Action::ConductConfigure),
            Page,
            "Add a violation class",
            post(discipline::add_class),
        ),
        r(
            "GET",
            "/discipline/{id}",
            Act(Action::DisciplineRecord),
            Page,
            "One decision (its decision maker and ethics officers only; audited)",
            get(discipline::detail),
        ),
        r(
            "POST",
            "/discipline/{id}/approval",
            Act(Action::DisciplineApprove),
            Page,
            "Approve or reject a deviating decision as second approver",
            post(discipline::approve_form),
        ),
        r(
            "GET",
            "/api/v1/discipline",
            Act(Action::DisciplineRecord),
            Api,
            "Discipline decisions: the caller's (all for ethics officers); audited",
            get(discipline::api_list),
        ),
        r(
            "GET",
            "/api/v1/discipline/comparable",
            Act(Action::DisciplineRecord),
            Api,
            "Sanctions in comparable cases: ?class=&severity= (no distribution under 5 cases)",
            get(discipline::api_comparable),
        ),
        r(
            "GET",
            "/api/v1/discipline/disparity",
            Act(Action::DisciplineApprove),
            Api,
            "Disparity report as JSON; groups under 5 suppressed",
            get(discipline::api_disparity),
        ),
        r(
            "GET",
            "/kudos",
            Act(Action::KudosGive),
            Page,
            "Kudos: give one, consent to or hide those received, the team's",
            get(kudos::page),
        ),
        r(
            "POST",
            "/kudos",
            Act(Action::KudosGive),
            Page,
            "Give kudos for a value of the code of ethics",
            post(kudos::give_form),
        ),
        r(
            "POST",
            "/kudos/{id}/visibility",
            Act(Action::KudosGive),
            Page,
            "The recipient shows a kudos to their team or hides it",
            post(kudos::visibility_form),
        ),
        r(
            "POST",
            "/kudos/values",
            Act(Action::ConductConfigure),
            Page,
            "Add a value of the code of ethics",
            post(kudos::add_value),
        ),
        r(
            "GET",
            "/api/v1/kudos",
            Act(Action::KudosGive),
            Api,
            "Kudos the caller received and gave, and their team's consented ones",
            get(kudos::api),
        ),
        // Policies and attestation (issue #6).
        r("GET", "/my/policies", Act(Action::PolicyRead), Page, "My policies: to attest (overdue first), published, my attestations", get(policies::mine)),
        r("GET", "/my/team/policies", Act(Action::PolicyTeam), Page, "Open and overdue policy attestations in the teams I lead", get(policies::team)),
        r("GET", "/policies/reports", Act(Action::PolicyReport), Page, "Attestation coverage of every policy", get(policies_admin::reports)),
        r("GET", "/policies/reports/{id}", Act(Action::PolicyReport), Page, "A policy's attestation report: coverage by team, site and role, overdue, trend, quiz failure rates", get(policies_admin::report)),
        r("GET", "/policies/reports/{id}/coverage.csv", Act(Action::PolicyReport), Plain, "Every person of the current cycle as CSV", get(policies_admin::coverage_csv)),
        r("GET", "/policies/reports/{id}/evidence.csv", Act(Action::PolicyReport), Plain, "Every attestation (person, version, SHA-256, time, method, score) as CSV", get(policies_admin::evidence_csv)),
        r("GET", "/policies/manage", Act(Action::PolicyManage), Page, "Policies: published, in work, coverage; new policy", get(policies_admin::list)),
        r("POST", "/policies/manage", Act(Action::PolicyManage), Page, "Create a policy with a first draft", post(policies_admin::create)),
        r("GET", "/policies/manage/{id}", Act(Action::PolicyManage), Page, "Manage a policy: version in work, clause changes, versions, settings", get(policies_admin::manage)),
        r("POST", "/policies/manage/{id}/settings", Act(Action::PolicyManage), Page, "Change a policy's title, audience, days to attest and pass mark", post(policies_admin::settings)),
        r("POST", "/policies/manage/{id}/versions", Act(Action::PolicyManage), Page, "Start the next version as a draft", post(policies_admin::new_version)),
        r("POST", "/policies/manage/{id}/draft", Act(Action::PolicyManage), Page, "Save a draft: kind (material or editorial), summary, text, quiz", post(policies_admin::save)),
        r("POST", "/policies/manage/{id}/step", Act(Action::PolicyManage), Page, "Submit, approve (not by its authors), return or publish the version in work", post(policies_admin::step)),
        r("POST", "/policies/manage/{id}/retire", Act(Action::PolicyManage), Page, "Retire a policy", post(policies_admin::retire)),
        r("GET", "/policies/{id}", Act(Action::PolicyRead), Page, "Read a published policy; with an open attestation, what changed since I last attested and the quiz", get(policies::read)),
        r("POST", "/policies/{id}/attest", Act(Action::PolicyAttest), Page, "Take the quiz and attest (a failed attempt is recorded and attests nothing)", post(policies::attest_form)),
        r("GET", "/api/v1/policies", Act(Action::PolicyRead), Api, "Published policies with version, kind, publication time and SHA-256 hash", get(policies::api_list)),
        r("GET", "/api/v1/policies/{id}", Act(Action::PolicyRead), Api, "One published policy: Markdown text, hash and quiz questions (without answers)", get(policies::api_get)),
        r("GET", "/api/v1/my/attestations", Act(Action::PolicyRead), Api, "The caller's open attestations (due, overdue) and attestations made", get(policies::api_mine)),
        r("POST", "/api/v1/policies/{id}/attestations", Act(Action::PolicyAttest), Api, "Attest the published version: {version_hash, answers: [choice index, ...]}; 201, or 422 when the quiz is failed (attempt recorded)", post(policies::api_attest)),
        r("GET", "/api/v1/policies/{id}/coverage", Act(Action::PolicyReport), Api, "Coverage of the current cycle by team, site and role, overdue people, quiz failure rates", get(policies_admin::api_coverage)),
        r("GET", "/api/v1/policies/{id}/attestations", Act(Action::PolicyReport), Api, "Evidence of every attestation of a policy", get(policies_admin::api_evidence)),
        r(
            "GET",
            "/my/training",
            Act(Action::TrainingTake),
            Page,
            "My training: assigned courses with due dates, my certificates, my data-access standing",
            get(training::my),
        ),
        r(
            "GET",
            "/my/training/{code}",
            Act(Action::TrainingTake),
            Page,
            "Take a course: its content and quiz, my attempts",
            get(training::take),
        ),
        r(
            "POST",
            "/my/training/{code}",
            Act(Action::TrainingTake),
            Page,
            "Submit a quiz attempt (q0, q1, ... = option index); a pass records a completion",
            post(training::submit),
        ),
        r(
            "GET",
            "/my/training/certificates/{id}",
            Act(Action::TrainingTake),
            Page,
            "A printable completion certificate with its verification code (own, or any for report readers)",
            get(training::certificate),
        ),
        r(
            "GET",
            "/training",
            Act(Action::TrainingManage),
            Page,
            "Courses, assignment rules and the external LMS import",
            get(training::admin),
        ),
        r(
            "POST",
            "/training/courses",
            Act(Action::TrainingManage),
            Page,
            "Create a course (Markdown content, quiz, pass mark, recurrence, data-access flag)",
            post(training::create_course),
        ),
        r(
            "GET",
            "/training/courses/{id}",
            Act(Action::TrainingManage),
            Page,
            "Edit a course; its completions",
            get(training::edit_course),
        ),
        r(
            "POST",
            "/training/courses/{id}",
            Act(Action::TrainingManage),
            Page,
            "Save a course",
            post(training::save_course),
        ),
        r(
            "POST",
            "/training/courses/{id}/completions",
            Act(Action::TrainingManage),
            Page,
            "Record a completion done offline, with a note (audited)",
            post(training::record_completion),
        ),
        r(
            "POST",
            "/training/rules",
            Act(Action::TrainingManage),
            Page,
            "Add an assignment rule (audience by role, team, site; due in N days; on hire)",
            post(training::create_rule),
        ),
        r(
            "POST",
            "/training/rules/{id}/active",
            Act(Action::TrainingManage),
            Page,
            "Pause or resume an assignment rule (active=yes|no)",
            post(training::set_rule_active),
        ),
        r(
            "POST",
            "/training/import",
            Act(Action::TrainingManage),
            Page,
            "Import completions from an external LMS (CSV pasted in `csv`; per line)",
            post(training::import_form),
        ),
        r(
            "GET",
            "/training/reports",
            Act(Action::TrainingReport),
            Page,
            "Training coverage by team, site and role, overdue list, 12-month trend: ?course=",
            get(training::reports),
        ),
        r(
            "GET",
            "/training/reports.csv",
            Act(Action::TrainingReport),
            Plain,
            "Training status per person and course as CSV: ?course=&status=",
            get(training::reports_csv),
        ),
        r(
            "GET",
            "/training/verify",
            Act(Action::TrainingReport),
            Page,
            "Verify a certificate by its code: ?code=",
            get(training::verify),
        ),
        r(
            "GET",
            "/api/v1/training/me",
            Act(Action::TrainingTake),
            Api,
            "My assignments with their status, and whether my data-privacy training is current",
            get(training::api_me),
        ),
        r(
            "GET",
            "/api/v1/training/courses",
            Act(Action::TrainingReport),
            Api,
            "Courses (without quiz answers)",
            get(training::api_courses),
        ),
        r(
            "GET",
            "/api/v1/training/report",
            Act(Action::TrainingReport),
            Api,
            "Training coverage by team, site and role, overdue assignments, 12-month trend: ?course=&status=",
            get(training::api_report),
        ),
        r(
            "POST",
            "/api/v1/training/import",
            Act(Action::TrainingManage),
            Api,
            "Import external LMS completions: CSV body (username,course,completed_at,score); per line, errors name line and field",
            post(training::import_api),
        ),
        // The auditor's evidence binder (issue #8).
        r("GET", "/binder", Act(Action::BinderRead), Page,
            "The evidence binder: ECCP questions (paraphrased) by topic, each with the figures of the viewer's newest stored generation (formula, period; small groups withheld; never computed on viewing) and the ethics office's narrative; the viewer's earlier generations",
            get(binder::page)),
        r("POST", "/binder/generate", Act(Action::BinderRead), Page,
            "Generate the binder for the caller: compute every figure, store them with the audit-trail head read after them; audited (binder.generated); redirects to /binder",
            post(binder::generate_form)),
        r("POST", "/binder/narratives/{key}", Act(Action::BinderWrite), Page,
            "Save a question's narrative (form field narrative, at most 20,000 characters); audited",
            post(binder::save_narrative)),
        r("GET", "/binder/export.json", Act(Action::BinderRead), Api,
            "The caller's newest generation (?generation= an earlier one of theirs; generated first if they have none) as JSON with generation id, instant, generator and audit-trail head, and the current narratives; audited",
            get(binder::export_json)),
        r("GET", "/binder/export.csv", Act(Action::BinderRead), Plain,
            "The binder as CSV, one row per figure plus generation and narrative rows (?generation= as for JSON); audited",
            get(binder::export_csv)),
        r("GET", "/binder/export.html", Act(Action::BinderRead), Plain,
            "The binder as one self-contained printable HTML file (?generation= as for JSON); audited",
            get(binder::export_html)),
        r("GET", "/binder/export.pdf", Act(Action::BinderRead), Plain,
            "The binder as PDF (A4) (?generation= as for JSON); audited",
            get(binder::export_pdf)),
        r("GET", "/api/v1/binder", Act(Action::BinderRead), Api,
            "The binder as JSON (same as /binder/export.json, ?generation= too); audited",
            get(binder::export_json)),
        r("POST", "/api/v1/binder/generate", Act(Action::BinderRead), Api,
            "Generate the binder for the caller (a token needs the admin scope) and return it as the JSON export; 201; audited (binder.generated, binder.exported)",
            post(binder::generate_api)),
    ]
}

pub fn specs() -> Vec<RouteSpec> {
    table().into_iter().map(|r| r.spec).collect()
}

#[derive(Clone)]
struct GuardCfg {
    state: AppState,
    spec: RouteSpec,
}

/// The server's router.
pub fn router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for route in table() {
        let cfg = GuardCfg {
            state: state.clone(),
            spec: route.spec,
        };
        let handler = route
            .handler
            .layer(axum::middleware::from_fn_with_state(cfg, guard));
        router = router.route(route.spec.path, handler);
    }
    router
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::finish,
        ))
        .with_state(state)
}

/// Unknown paths: a 404 that still knows who is signed in, so the page keeps its
/// navigation.
async fn not_found(State(state): State<AppState>, req: Request) -> Response {
    let caller = auth::resolve(&state, req.headers())
        .await
        .ok()
        .flatten()
        .filter(Caller::mfa_satisfied);
    let mut resp = AppError::not_found().into_response();
    if let Some(c) = caller {
        resp.extensions_mut().insert(c);
    }
    resp
}

/// Form bodies are small; anything larger is refused before it is buffered.
const MAX_FORM_BYTES: usize = 64 * 1024;

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn guard(State(cfg): State<GuardCfg>, req: Request, next: Next) -> Response {
    // The caller rides on the response too, so an error page rendered by the outer layer
    // still shows the signed-in person's navigation and sign-out button.
    match check(&cfg, req).await {
        Ok((req, caller)) => {
            let mut resp = next.run(req).await;
            if let Some(c) = caller {
                resp.extensions_mut().insert(c);
            }
            resp
        }
        Err((mut resp, caller)) => {
            if let Some(c) = caller {
                resp.extensions_mut().insert(c);
            }
            resp
        }
    }
}

fn deny(spec: &RouteSpec, e: AppError, path_and_query: &str) -> Response {
    if spec.kind == Page {
        match e.code {
            Code::Unauthenticated => {
                let next = if path_and_query == "/" {
                    String::new()
                } else {
                    format!("?next={}", urlencode(path_and_query))
                };
                return Redirect::to(&format!("/login{next}")).into_response();
            }
            Code::TwoFactorRequired => {
                let next = if path_and_query == "/" {
                    String::new()
                } else {
                    format!("?next={}", urlencode(path_and_query))
                };
                return Redirect::to(&format!("/login/totp{next}")).into_response();
            }
            _ => {}
        }
    }
    e.into_response()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn check(
    cfg: &GuardCfg,
    req: Request,
) -> Result<(Request, Option<Caller>), (Response, Option<Caller>)> {
    let spec = &cfg.spec;
    // Speak-up routes are public and read no cookie or credential at all: a reporter's
    // request must not be linked to a session. Their forms carry their own cookie-less
    // CSRF token (`speakup::form_token`).
    if spec.access == Public && middleware::is_speakup(spec.path) {
        return Ok((req, None));
    }
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    // On public routes a bad credential is ignored (health checks, the login page); on
    // the others it is an error, never a silent downgrade to anonymous.
    let caller = match auth::resolve(&cfg.state, req.headers()).await {
        Ok(c) => c,
        Err(_) if spec.access == Public => None,
        Err(e) => return Err((deny(spec, e, &pq), None)),
    };
    let shown = caller.clone().filter(Caller::mfa_satisfied);
    let fail = |resp: Response| (resp, shown.clone());

    match (spec.access, &caller) {
        (Public, _) => {}
        (SessionPending | Act(_), None) => {
            return Err(fail(deny(spec, AppError::unauthenticated(), &pq)))
        }
        (SessionPending, Some(c)) => {
            if matches!(c.via, Via::Token { .. }) {
                return Err(fail(deny(spec, AppError::forbidden(), &pq)));
            }
        }
        (Act(action), Some(c)) => {
            if !c.mfa_satisfied() {
                let e = AppError::new(
                    Code::TwoFactorRequired,
                    "Complete two-factor sign-in first.",
                );
                if spec.kind == Page && !c.user.totp_enabled {
                    return Err(fail(Redirect::to("/account/2fa").into_response()));
                }
                return Err(fail(deny(spec, e, &pq)));
            }
            // A token acts only within its scopes, and a read token never changes
            // anything: an unsafe request under an action whose scope is `read` (one
            // action may cover a list and its form) needs the `admin` scope.
            let needed = match action.scope() {
                righttrack_core::authz::Scope::Read if !is_safe(req.method()) => {
                    righttrack_core::authz::Scope::Admin
                }
                s => s,
            };
            let (scoped, permitted) = match &c.via {
                // A token's user has lost every role that needs a second factor
                // (`auth::resolve`); what every person does for themselves remains, and
                // machine actions (ingestion, feedback links, routing) keep the
                // account's roles, so existing ingestion clients keep working.
                Via::Token {
                    scopes, held_roles, ..
                } => (
                    scopes.contains(&needed)
                        || scopes.contains(&righttrack_core::authz::Scope::Admin),
                    allowed(&c.user.roles, action)
                        || (action.for_everyone() && !c.user.service)
                        || (action.scope() == righttrack_core::authz::Scope::Ingest
                            && allowed(held_roles, action)),
                ),
                Via::Session { .. } => (true, allowed(&c.user.roles, action)),
            };
            if !permitted || !scoped {
                return Err(fail(deny(spec, AppError::forbidden(), &pq)));
            }
        }
    }

    // CSRF: unsafe requests carried by a session cookie must present the session's token;
    // the login form (no session yet) uses the double-submit cookie.
    let mut req = req;
    if !is_safe(req.method()) {
        let session_csrf = match &caller {
            Some(Caller {
                via: Via::Session { csrf, .. },
                ..
            }) => Some(csrf.expose().clone()),
            _ => None,
        };
        let login_csrf = if spec.kind == Page && session_csrf.is_none() {
            auth::our_cookie(&cfg.state, req.headers(), LOGIN_CSRF_COOKIE)
        } else {
            None
        };
        if let Some(expected) = session_csrf
            .or(login_csrf)
            .or_else(|| (spec.kind == Page).then(String::new))
        {
            let (parts, body) = req.into_parts();
            let bytes: Bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
                .await
                .map_err(|_| {
                    fail(
                        AppError::new(Code::PayloadTooLarge, "The form is too large.")
                            .into_response(),
                    )
                })?;
            let got = auth::csrf_in(&parts.headers, &bytes);
            auth::csrf_matches(&expected, got.as_deref()).map_err(|e| fail(deny(spec, e, &pq)))?;
            req = Request::from_parts(parts, Body::from(bytes));
        }
    }

    if let Some(c) = &caller {
        req.extensions_mut().insert(c.clone());
    }
    Ok((req, shown))
}

/// `StatusCode` re-export for handlers that build plain responses.
pub type Status = StatusCode;
