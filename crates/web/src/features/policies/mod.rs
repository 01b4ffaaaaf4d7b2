//! Policies: writing, approving and publishing versions, attestations, and reports on them.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod policies;
pub mod policies_admin;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page, Plain};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r("GET", "/my/policies", Act(Action::PolicyRead), Page, "My policies: to attest (overdue first), published, my attestations", get(policies::mine))
            .nav(50, "My policies", "The code of ethics and policies to read and attest"),
        r("GET", "/my/team/policies", Act(Action::PolicyTeam), Page, "Open and overdue policy attestations in the teams I lead", get(policies::team))
            .nav(190, "Team policies", "Who in your teams has open or overdue attestations"),
        r("GET", "/policies/reports", Act(Action::PolicyReport), Page, "Attestation coverage of every policy", get(policies_admin::reports))
            .nav(180, "Attestation", "Attestation coverage by team, site and role; overdue; evidence"),
        r("GET", "/policies/reports/{id}", Act(Action::PolicyReport), Page, "A policy's attestation report: coverage by team, site and role, overdue, trend, quiz failure rates", get(policies_admin::report)),
        r("GET", "/policies/reports/{id}/coverage.csv", Act(Action::PolicyReport), Plain, "Every person of the current cycle as CSV", get(policies_admin::coverage_csv)),
        r("GET", "/policies/reports/{id}/evidence.csv", Act(Action::PolicyReport), Plain, "Every attestation (person, version, SHA-256, time, method, score) as CSV", get(policies_admin::evidence_csv)),
        r("GET", "/policies/manage", Act(Action::PolicyManage), Page, "Policies: published, in work, coverage; new policy", get(policies_admin::list))
            .nav(170, "Manage policies", "Write, approve and publish the code of ethics and policies"),
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
    ]
}
