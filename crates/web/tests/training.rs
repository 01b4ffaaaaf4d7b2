//! Training from the users' side: an officer builds a course and a rule, an agent fails
//! then passes its quiz and gets a certificate; the data-access gate refuses case
//! content and originals to people whose privacy training expired and lets them back
//! once they pass; LMS imports keep good lines and name bad ones; rules by audience and
//! on hire; recurrence, overdue, reminders and escalation; reports and CSV; bad input.
//! Runs on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{days, App};
use righttrack_core::ids::TeamId;
use righttrack_core::Role;
use righttrack_store::directory::User;
use serde_json::json;

async fn member(app: &App, name: &str, team: TeamId, roles: &[Role]) -> User {
    app.untrained_in(name, roles, Some(team)).await
}

async fn assigned(app: &App, u: &User) -> usize {
    righttrack_app::program::training::standings(&app.state, Some(u.id), app.now())
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.course_code == "conduct")
        .count()
}

async fn gate_entries(app: &App) -> Vec<(String, String, String)> {
    app.audit_entries("gate.").await
}

const QUIZ: &str = "? Where may a card number be written down?\n- On paper\n* Nowhere\n\n? Who may open originals?\n* Trained people with a reason\n- Anyone\n";

#[tokio::test]
async fn an_officer_builds_a_course_and_an_agent_fails_then_passes_and_gets_a_certificate() {
    for app in App::each().await {
        let olga = app
            .signed_in(app.user("olga", &[Role::EthicsOfficer]).await)
            .await;
        let alex = app.signed_in(app.user("alex", &[Role::Agent]).await).await;
        let r = olga
            .post(
                &app,
                "/training/courses",
                &[
                    ("code", "card-safety"),
                    ("title", "Card safety"),
                    ("content", "## Cards\n\nNever **write** them down. <script>alert(1)</script> [evil](javascript:alert(1))"),
                    ("quiz", QUIZ),
                    ("pass_mark", "100"),
                    ("validity_months", "12"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = olga
            .post(
                &app,
                "/training/rules",
                &[
                    ("course", "card-safety"),
                    ("roles", "agent"),
                    ("due_days", "14"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("assigned 1 people");

        let mine = alex.get(&app, "/my/training").await;
        mine.assert_contains("href=\"/my/training/card-safety\"");
        mine.assert_contains("due 2026-12-04");
        let page = alex.get(&app, "/my/training/card-safety").await;
        page.assert_contains("<strong>write</strong>");
        assert!(
            !page.body.contains("<script>alert"),
            "raw HTML never comes through"
        );
        page.assert_lacks("javascript:");

        // One wrong answer: 50%, below the pass mark of 100%; the attempt is recorded.
        let r = alex
            .post(
                &app,
                "/my/training/card-safety",
                &[("q0", "0"), ("q1", "0")],
            )
            .await;
        r.assert_answer(
            StatusCode::OK,
            &["You scored 50%; this course needs 100%", "not passed"],
        );
        assert!(alex.get(&app, "/my/training").await.body.contains("Due"));

        let r = alex
            .post(
                &app,
                "/my/training/card-safety",
                &[("q0", "1"), ("q1", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let cert = alex.get(&app, r.location()).await;
        cert.assert_answer(
            StatusCode::OK,
            &["Certificate of completion", "alex Person", "Card safety"],
        );
        assert!(cert.body.contains("2027-11-20"), "valid 12 months");
        let code = common::value_of(&cert.body, "<dt>Verification code</dt><dd><code>").to_owned();
        assert_eq!(code.len(), 19);

        // The officer verifies it by code (any case, spaces); another agent cannot see it.
        let v = olga
            .get(
                &app,
                &format!(
                    "/training/verify?code={}",
                    code.to_lowercase().replace('-', "+")
                ),
            )
            .await;
        assert_eq!(v.status, StatusCode::OK, "{}", v.body);
        v.assert_contains("alex Person");
        assert_eq!(
            olga.get(&app, "/training/verify?code=AAAA-BBBB")
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let bea = app.signed_in(app.user("bea", &[Role::Agent]).await).await;
        assert_eq!(
            bea.get(&app, r.location()).await.status,
            StatusCode::NOT_FOUND
        );

        let mine = alex.get(&app, "/my/training").await;
        mine.assert_contains("valid until 2027-11-20");
        let api = alex.get(&app, "/api/v1/training/me").await.json();
        let card = api["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["course"] == "card-safety")
            .unwrap()
            .clone();
        assert_eq!(card["status"]["state"], "current");
        assert_eq!(card["last_score"], 100);
        let actions = app.audit_actions().await;
        for a in [
            "training.course_created",
            "training.rule_created",
            "training.attempted",
            "training.completed",
            "training.certificate_verified",
        ] {
            assert!(actions.contains(&a.to_owned()), "{a}");
        }
    }
}

async fn file_case(app: &App, description: &str) -> String {
    let r = app
        .post_json(
            "/api/v1/speakup/reports",
            &json!({"category": "fraud", "description": description, "anonymous": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["case"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn expired_privacy_training_closes_case_content_until_the_course_is_passed_again() {
    for app in App::each().await {
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        // Her first session creates her reader key, so new cases are wrapped for her.
        app.signed_in(olga.clone()).await;
        // A year and a day later her completion has expired.
        app.clock.advance(days(366));
        let case = file_case(&app, "Refunds are paid to a private card every Friday").await;
        let olga = app.signed_in(olga).await;

        // Metadata stays visible: the case is listed, with no content.
        let list = olga.get(&app, "/cases").await;
        list.assert_answer(StatusCode::OK, &[&format!("href=\"/cases/{case}\"")]);
        // Content is refused with a page that says why and what to do.
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_answer(
            StatusCode::FORBIDDEN,
            &[
                "Your data-privacy training is not current",
                "expired on 2027-11-20",
                "href=\"/my/training\"",
            ],
        );
        page.assert_lacks("private card");
        // So are a search through the words of cases and every action on the case.
        let search = olga.get(&app, "/cases?q=private+card").await;
        assert_eq!(search.status, StatusCode::FORBIDDEN);
        let note = olga
            .post(&app, &format!("/cases/{case}/note"), &[("text", "looking")])
            .await;
        assert_eq!(note.status, StatusCode::FORBIDDEN);
        let mine = olga.get(&app, "/my/training").await;
        mine.assert_contains("expired 2027-11-20");
        mine.assert_contains("href=\"/my/training/data-privacy\"");

        // She passes the data-privacy course again: access returns at once.
        let r = olga
            .post(
                &app,
                "/my/training/data-privacy",
                &[("q0", "1"), ("q1", "1"), ("q2", "0")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.assert_contains("Refunds are paid to a private card every Friday");
        assert_eq!(
            olga.get(&app, "/cases?q=private+card").await.status,
            StatusCode::OK
        );

        // Every decision is in the audit trail, with the resource kind and no content.
        let gate = gate_entries(&app).await;
        let denied: Vec<_> = gate.iter().filter(|g| g.0 == "gate.denied").collect();
        let granted: Vec<_> = gate.iter().filter(|g| g.0 == "gate.granted").collect();
        assert!(
            denied.iter().any(|g| g.1 == case
                && g.2.contains("\"resource\":\"case\"")
                && g.2.contains("expired")),
            "{gate:?}"
        );
        assert!(
            denied.iter().any(|g| g.2.contains("case_search")),
            "{gate:?}"
        );
        assert!(
            granted
                .iter()
                .any(|g| g.1 == case && g.2.contains("\"resource\":\"case\"")),
            "{gate:?}"
        );
        assert!(!gate
            .iter()
            .any(|g| g.2.contains("private") || g.2.contains("Refunds")));
    }
}

#[tokio::test]
async fn someone_never_trained_is_refused_and_the_json_error_has_a_stable_code() {
    for app in App::each().await {
        let ivan = app
            .signed_in(app.untrained("ivan", &[Role::EthicsOfficer]).await)
            .await;
        let case = file_case(&app, "Someone shares passwords").await;
        let page = ivan.get(&app, &format!("/cases/{case}")).await;
        page.assert_answer(
            StatusCode::FORBIDDEN,
            &[
                "you have not completed “Data privacy” yet",
                "training_required",
            ],
        );
        // The course is one click away and passing it opens the case.
        let course = ivan.get(&app, "/my/training/data-privacy").await;
        course.assert_contains("Where may you write down a customer&#39;s card number?");
        ivan.post(
            &app,
            "/my/training/data-privacy",
            &[("q0", "1"), ("q1", "1"), ("q2", "0")],
        )
        .await;
        assert_eq!(
            ivan.get(&app, &format!("/cases/{case}")).await.status,
            StatusCode::OK
        );
        let _ = ivan.user.id;
    }
}

#[tokio::test]
async fn lms_imports_keep_good_lines_name_bad_ones_and_never_double_count() {
    for app in App::each().await {
        let olga = app
            .signed_in(app.user("olga", &[Role::EthicsOfficer]).await)
            .await;
        let ana = app.untrained("ana", &[Role::QaAnalyst]).await;
        app.untrained("bo", &[Role::Agent]).await;
        let csv = "username,course,completed_at,score\nana,DATA-PRIVACY,2026-06-01,95\nbo,data-privacy,not-a-date,90\nbo,data-privacy,2026-05-02,40\nzed,data-privacy,2026-05-02,90\nbo,no-such-course,2026-05-02,90\nbo,data-privacy,2026-05-02T08:00:00Z,\n";
        let r = olga.post(&app, "/training/import", &[("csv", csv)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        r.assert_contains("Import: 2 completions recorded, 0 already recorded, 4 lines refused.");
        r.assert_contains("line 3: field `completed_at`");
        r.assert_contains("line 4: field `score`: below the course&#39;s pass mark (80%)");
        r.assert_contains("line 5: field `username`: no such user");
        r.assert_contains("line 6: field `course`: no course has that code");
        assert!(!r.body.contains("not-a-date"), "cells are never echoed");
        // Ana's imported June completion is current until next June: the gate agrees.
        assert_eq!(
            righttrack_app::program::training::gate::describe(&app.state, ana.id)
                .await
                .unwrap(),
            "current until 2027-06-01"
        );
        // Importing the same file again adds nothing.
        let r = olga.post(&app, "/training/import", &[("csv", csv)]).await;
        r.assert_contains("0 completions recorded, 2 already recorded");
        // The API takes the CSV as the body.
        let r = app
            .send(
                Method::POST,
                "/api/v1/training/import",
                &[
                    ("cookie", &olga.cookie),
                    ("x-csrf-token", &olga.csrf),
                    ("content-type", "text/csv"),
                ],
                "username,score\nana,1\n",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.json()["errors"][0]
                .as_str()
                .unwrap()
                .starts_with("line 1: header"),
            "{}",
            r.body
        );
        assert!(app.audited("training.imported").await);
    }
}

#[tokio::test]
async fn rules_assign_by_audience_and_on_hire_and_overdue_people_and_their_leads_are_reminded() {
    for app in App::each().await {
        let db = &app.state.db;
        let mut rng = rand::rngs::OsRng;
        let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
        let billing = db
            .create_team("Billing", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        let other_site = db.create_site("Manila", app.now(), &mut rng).await.unwrap();
        let support = db
            .create_team("Support", other_site, None, app.now(), &mut rng)
            .await
            .unwrap();
        let lena = member(&app, "lena", billing, &[Role::TeamLead]).await;
        db.set_team_lead(billing, lena.id).await.unwrap();
        let amy = member(&app, "amy", billing, &[Role::Agent]).await;
        let sam = member(&app, "sam", support, &[Role::Agent]).await;
        let olga = app
            .signed_in(app.user("olga", &[Role::EthicsOfficer]).await)
            .await;
        olga.post(
            &app,
            "/training/courses",
            &[
                ("code", "conduct"),
                ("title", "Code of conduct"),
                ("content", "Be fair."),
                ("quiz", ""),
                ("validity_months", "12"),
            ],
        )
        .await;
        // Agents at the Lisbon site, due in 10 days; and every new hire, due in 5.
        let r = olga
            .post(
                &app,
                "/training/rules",
                &[
                    ("course", "conduct"),
                    ("roles", "agent"),
                    ("sites", &site.to_string()),
                    ("due_days", "10"),
                ],
            )
            .await;
        r.assert_contains("assigned 1 people");
        let r = olga
            .post(
                &app,
                "/training/rules",
                &[("course", "conduct"), ("due_days", "5"), ("on_hire", "yes")],
            )
            .await;
        assert!(
            r.body.contains("assigned 0 people"),
            "on hire: nobody yet, {}",
            r.body
        );
        assert_eq!(assigned(&app, &amy).await, 1);
        assert_eq!(assigned(&app, &sam).await, 0, "another site");
        app.clock.advance(days(1));
        let newbie = member(&app, "newbie", support, &[Role::QaAnalyst]).await;
        righttrack_app::program::training::assign_new(&app.state)
            .await
            .unwrap();
        assert_eq!(assigned(&app, &newbie).await, 1, "a new hire is assigned");
        assert_eq!(assigned(&app, &sam).await, 0);

        // Ten days later Amy is overdue: she and her lead are reminded, content-free.
        app.clock.advance(days(10));
        let (rem, esc) = righttrack_app::program::training::remind(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!((rem, esc), (2, 1), "amy and the newbie; amy's lead");
        assert_eq!(
            righttrack_app::program::training::remind(&app.state, app.now())
                .await
                .unwrap(),
            (0, 0),
            "once a day"
        );
        let amy_w = app.signed_in(amy.clone()).await;
        let home = amy_w.get(&app, "/").await;
        home.assert_contains(righttrack_app::program::training::REMINDER);
        home.assert_contains("href=\"/my/training\"");
        let lena_w = app.signed_in(lena.clone()).await;
        let home = lena_w.get(&app, "/").await;
        home.assert_contains(righttrack_app::program::training::ESCALATION);
        // The lead sees her team's overdue list and nobody else's.
        let rep = lena_w.get(&app, "/training/reports").await;
        rep.assert_answer(StatusCode::OK, &["amy Person (amy)"]);
        rep.assert_lacks("newbie");

        // Amy confirms the read-and-confirm course; it recurs yearly.
        amy_w.post(&app, "/my/training/conduct", &[]).await;
        assert!(amy_w
            .get(&app, "/my/training")
            .await
            .body
            .contains("valid until 2027-12-01"));
        app.clock.advance(days(366));
        let amy_w = app.signed_in(amy).await;
        assert!(amy_w
            .get(&app, "/my/training")
            .await
            .body
            .contains("Overdue"));
    }
}

#[tokio::test]
async fn reports_show_coverage_by_team_site_and_role_and_export_csv() {
    for app in App::each().await {
        let db = &app.state.db;
        let mut rng = rand::rngs::OsRng;
        let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
        let billing = db
            .create_team("Billing", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        let a = member(&app, "ana", billing, &[Role::Agent]).await;
        member(&app, "bo", billing, &[Role::Agent]).await;
        app.train(&a).await;
        let olga = app
            .signed_in(app.user("olga", &[Role::EthicsOfficer]).await)
            .await;
        olga.post(
            &app,
            "/training/rules",
            &[
                ("course", "data-privacy"),
                ("roles", "agent"),
                ("due_days", "0"),
            ],
        )
        .await;
        let rep = olga
            .get(&app, "/training/reports?course=data-privacy")
            .await;
        rep.assert_answer(
            StatusCode::OK,
            &[
                "<td>Billing</td><td>2</td><td>1</td><td>1</td><td>50%</td>",
                "<td>Lisbon</td><td>2</td><td>1</td><td>1</td><td>50%</td>",
                "<td>Agent</td><td>2</td><td>1</td><td>1</td><td>50%</td>",
                "bo Person (bo)",
            ],
        );
        assert!(
            rep.body.contains("<td>2026-11</td><td>1</td><td>50%</td>"),
            "trend: {}",
            rep.body
        );
        let csv = olga
            .get(&app, "/training/reports.csv?course=data-privacy")
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv
            .body
            .starts_with("username,name,team,site,roles,course,status,"));
        csv.assert_contains(
            "ana,ana Person,Billing,Lisbon,agent,data-privacy,current,2027-11-20,2026-11-20,100",
        );
        csv.assert_contains("bo,bo Person,Billing,Lisbon,agent,data-privacy,overdue,2026-11-20,,");
        let api = olga
            .get(&app, "/api/v1/training/report?course=data-privacy")
            .await
            .json();
        assert_eq!(api["total"]["percent"], 50);
        // Agents do not read reports.
        let agent = app.signed_in(app.user("zed", &[Role::Agent]).await).await;
        assert_eq!(
            agent.get(&app, "/training/reports").await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn bad_course_and_rule_input_is_named_by_field_and_line() {
    for app in App::each().await {
        let olga = app
            .signed_in(app.user("olga", &[Role::EthicsOfficer]).await)
            .await;
        let r = olga
            .post(
                &app,
                "/training/courses",
                &[
                    ("code", "Bad Code"),
                    ("title", ""),
                    ("quiz", "? Q\n- a\n- b\n"),
                    ("pass_mark", "101"),
                    ("validity_months", "x"),
                    ("grants_data_access", "yes"),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "field `code`",
                "field `title`",
                "field `quiz, line 1: mark exactly one",
                "field `pass_mark`",
                "field `validity_months`",
            ],
        );
        let r = olga
            .post(
                &app,
                "/training/courses",
                &[("code", "data-privacy"), ("title", "Again")],
            )
            .await;
        r.assert_contains("field `code`: course code");
        let r = olga
            .post(
                &app,
                "/training/rules",
                &[("course", "nope"), ("due_days", "-1"), ("roles", "wizard")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["field `course`", "field `due_days`", "field `roles`"] {
            assert!(r.body.contains(f), "{f}: {}", r.body);
        }
        let alex = app.signed_in(app.user("alex", &[Role::Agent]).await).await;
        let r = alex
            .post(&app, "/my/training/data-privacy", &[("q0", "7")])
            .await;
        r.assert_answer(StatusCode::BAD_REQUEST, &["field `q0`"]);
        assert_eq!(
            alex.get(&app, "/my/training/nope").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            alex.get(&app, "/training").await.status,
            StatusCode::FORBIDDEN
        );
    }
}
