//! Quality assurance: the review queue and scores, commitments, disputes, calibration sessions and customer feedback.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod calibration;
pub mod disputes;
pub mod feedback;
pub mod qa;

use crate::routes::Access::{Act, Public};
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "GET",
            "/my/work",
            Act(Action::ViewOwnWork),
            Page,
            "My interactions, scores and open commitments",
            get(qa::my_work),
        )
        .nav(40, "My work", "Your scores with the reason for every point, your open promises"),
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
        )
        .nav(130, "Disputes", "Scorecard items agents contest, overdue first"),
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
        )
        .nav(100, "Review queue", "Flagged interactions, every point explained"),
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
            "GET",
            "/qa/calibration",
            Act(Action::CalibrationRead),
            Page,
            "Calibration sessions: to score, run, and closed",
            get(calibration::list),
        )
        .nav(140, "Calibration", "Score the same interactions blind, then compare"),
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
        )
        .nav(110, "Commitments", "Promises to customers until they are kept"),
        r(
            "POST",
            "/commitments/{id}/fulfil",
            Act(Action::CommitmentFulfil),
            Page,
            "Mark a commitment kept",
            post(qa::fulfil),
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
        )
        .nav(120, "Feedback", "Customer satisfaction and NPS by team and agent"),
        r(
            "GET",
            "/api/v1/disputes",
            Act(Action::DisputeRead),
            Api,
            "Scorecard disputes: ?status=open|resolved|overdue",
            get(disputes::api_list),
        ),
    ]
}

/// One turn of a redacted transcript as the QA pages show it.
pub(crate) struct Turn {
    /// Its index, from 0.
    pub n: usize,
    pub speaker: String,
    pub text: String,
    /// Evidence was found in it.
    pub flagged: bool,
}

/// The turns of a transcript as stored (`interaction["turns"]`); `flagged` says which
/// turns (by index) to mark.
pub(crate) fn turns(stored: &serde_json::Value, flagged: impl Fn(usize) -> bool) -> Vec<Turn> {
    stored
        .as_array()
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(n, t)| Turn {
                    n,
                    speaker: text(&t["speaker"]),
                    text: text(&t["text"]),
                    flagged: flagged(n),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON string's text, empty when it is not a string.
pub(crate) fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
