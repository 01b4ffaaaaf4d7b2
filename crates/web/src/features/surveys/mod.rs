//! Climate surveys: building, launching, answering and results with small groups suppressed.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod surveys;

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
            "/my/surveys",
            Act(Action::SurveyRespond),
            Page,
            "Surveys I am invited to",
            get(surveys::my_list),
        )
        .nav(70, "My surveys", "Anonymous ethics-climate surveys you are invited to"),
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
        )
        .nav(220, "Climate surveys", "Climate surveys: build, launch, results with small groups suppressed"),
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
    ]
}
