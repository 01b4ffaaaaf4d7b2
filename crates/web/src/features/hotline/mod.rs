//! The speak-up hotline: the reporter's pages (no cookies, no addresses), case management, analytics and settings.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod cases;
pub mod speakup;
pub mod speakup_analytics;
pub mod speakup_attachments;
pub mod speakup_settings;

use crate::routes::Access::{Act, Public};
use crate::routes::Kind::{Api, Page, Plain};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
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
        )
        .nav(150, "Cases", "Speak-up reports: triage, deadlines, investigation"),
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
        )
        .nav(280, "Hotline settings", "Report categories, legal deadlines, retention"),
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
        )
        .nav(160, "Hotline analytics", "Speak-up figures by category, small groups suppressed"),
        r(
            "GET",
            "/api/v1/speakup/analytics",
            Act(Action::HotlineAnalytics),
            Api,
            "Hotline analytics as JSON: reports per 100 employees, anonymous share, follow-up and substantiation rates, days to close, overall and per category; groups under 5 suppressed: ?from=&to=",
            get(speakup_analytics::api),
        ),
    ]
}
