//! Reports across the program: the dashboard, fairness analytics and the auditor's evidence binder.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod binder;
pub mod binder_pdf;
pub mod dashboard;
pub mod fairness;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page, Plain};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/dashboard",
            Act(Action::DashboardRead),
            Page,
            "The ethics-health dashboard: twelve months of trends with benchmarks; ?team= drills down to one team's interactions",
            get(dashboard::page),
        )
        .nav(20, "Dashboard", "Ethics health at a glance: twelve months of trends and benchmarks"),
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
        )
        .nav(30, "Fairness", "Workload spread, QA scores by team, site and evaluator, training effectiveness"),
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
        r("GET", "/binder", Act(Action::BinderRead), Page,
            "The evidence binder: ECCP questions (paraphrased) by topic, each with the figures of the viewer's newest stored generation (formula, period; small groups withheld; never computed on viewing) and the ethics office's narrative; the viewer's earlier generations",
            get(binder::page))
            .nav(260, "Evidence binder", "ECCP questions with live figures and narratives, for auditors"),
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
