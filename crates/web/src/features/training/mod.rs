//! Training: courses, assignment rules, learners' pages, LMS import and coverage reports.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod training;

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
            "/my/training",
            Act(Action::TrainingTake),
            Page,
            "My training: assigned courses with due dates, my certificates, my data-access standing",
            get(training::my),
        )
        .nav(60, "My training", "Courses assigned to you, due dates, certificates"),
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
        )
        .nav(200, "Courses", "Training courses, assignment rules, LMS import"),
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
        )
        .nav(210, "Training reports", "Coverage by team, site and role; overdue; trend"),
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
    ]
}
