//! Conflicts of interest: disclosures, decisions and settings.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod conflicts;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page, Plain};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r("GET", "/conflicts", Act(Action::ConflictDisclose), Page,
            "My conflict-of-interest disclosures, what a campaign or hiring asks of me, and the form to declare (or declare nothing)",
            get(conflicts::my_page))
            .nav(80, "Conflicts of interest", "Declare relationships, outside work and gifts; reviews and findings"),
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
    ]
}
