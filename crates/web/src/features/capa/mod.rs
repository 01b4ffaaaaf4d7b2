//! Audits and corrective actions: checklists, findings and the steps from finding to verified fix.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod capa;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/audits",
            Act(Action::AuditPerform),
            Page,
            "Audits: open ones soonest due, completed, findings without a CAPA; checklists and schedules",
            get(capa::list),
        )
        .nav(230, "Audits", "Checklists per site, findings"),
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
        )
        .nav(240, "Corrective actions", "From findings, trends and cases to verified fixes"),
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
    ]
}
