//! Coaching that goes both ways: a lead's sessions with their agents (feedback on an
//! interaction's scorecard item, goals with dates, the follow-up and the effect on later
//! scores), the agent's own page to acknowledge and comment, and upward feedback (agents
//! rate their leads; leads and the ethics office see released aggregates only).
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod handlers;

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
            "/coaching",
            Act(Action::CoachingRecord),
            Page,
            "Coaching: sessions with the agents of one's teams, follow-ups due, a new session",
            get(handlers::lead_page),
        )
        .nav(
            105,
            "Coaching",
            "Sessions with your agents, goals to follow up and their effect",
        ),
        r(
            "POST",
            "/coaching",
            Act(Action::CoachingRecord),
            Page,
            "Record a coaching session",
            post(handlers::record_form),
        ),
        r(
            "GET",
            "/coaching/{id}",
            Act(Action::CoachingRecord),
            Page,
            "One coaching session: feedback, goals, the agent's answer, the effect",
            get(handlers::session_page),
        ),
        r(
            "POST",
            "/coaching/{id}/follow-up",
            Act(Action::CoachingRecord),
            Page,
            "Record how a goal went once its date has come",
            post(handlers::follow_up_form),
        ),
        r(
            "GET",
            "/my-coaching",
            Act(Action::CoachingView),
            Page,
            "My coaching: one's sessions, and rating one's leads",
            get(handlers::mine_page),
        )
        .nav(
            45,
            "My coaching",
            "Feedback and goals from your lead; rate your lead anonymously",
        ),
        r(
            "POST",
            "/my-coaching/{id}/acknowledge",
            Act(Action::CoachingRespond),
            Page,
            "Acknowledge one's coaching session",
            post(handlers::acknowledge_form),
        ),
        r(
            "POST",
            "/my-coaching/{id}/comment",
            Act(Action::CoachingRespond),
            Page,
            "Comment on one's coaching session",
            post(handlers::comment_form),
        ),
        r(
            "POST",
            "/my-coaching/rate",
            Act(Action::UpwardFeedbackGive),
            Page,
            "Rate a lead's coaching and fairness, anonymously",
            post(handlers::rate_form),
        ),
        r(
            "GET",
            "/upward-feedback",
            Act(Action::UpwardFeedbackView),
            Page,
            "Upward feedback: leads' coaching and fairness as their agents rate them, small groups withheld",
            get(handlers::upward_page),
        )
        .nav(
            107,
            "Upward feedback",
            "How agents rate their lead's coaching and fairness, small groups withheld",
        ),
        r(
            "GET",
            "/api/v1/coaching",
            Act(Action::CoachingRecord),
            Api,
            "The sessions of the caller's teams and the follow-ups due",
            get(handlers::lead_api),
        ),
        r(
            "POST",
            "/api/v1/coaching",
            Act(Action::CoachingRecord),
            Api,
            "Record a coaching session: {agent, interaction?, item?, feedback, goals: [{text, due_on}]}",
            post(handlers::record_api),
        ),
        r(
            "GET",
            "/api/v1/coaching/{id}",
            Act(Action::CoachingRecord),
            Api,
            "One coaching session with its goals and effect",
            get(handlers::session_api),
        ),
        r(
            "POST",
            "/api/v1/coaching/{id}/follow-up",
            Act(Action::CoachingRecord),
            Api,
            "Record how a goal went: {goal, outcome (met, partly, not_met), note?}",
            post(handlers::follow_up_api),
        ),
        r(
            "GET",
            "/api/v1/my/coaching",
            Act(Action::CoachingView),
            Api,
            "The caller's own coaching sessions",
            get(handlers::mine_api),
        ),
        r(
            "POST",
            "/api/v1/my/coaching/{id}/acknowledge",
            Act(Action::CoachingRespond),
            Api,
            "Acknowledge one's coaching session",
            post(handlers::acknowledge_api),
        ),
        r(
            "POST",
            "/api/v1/my/coaching/{id}/comment",
            Act(Action::CoachingRespond),
            Api,
            "Comment on one's coaching session: {comment}",
            post(handlers::comment_api),
        ),
        r(
            "POST",
            "/api/v1/upward-feedback",
            Act(Action::UpwardFeedbackGive),
            Api,
            "Rate a lead of one's teams in the current round: {lead, coaching, fairness} (1 to 5)",
            post(handlers::rate_api),
        ),
        r(
            "GET",
            "/api/v1/upward-feedback",
            Act(Action::UpwardFeedbackView),
            Api,
            "Released upward feedback of a round (?round=2026-Q4; the last ended round by default)",
            get(handlers::upward_api),
        ),
    ]
}
