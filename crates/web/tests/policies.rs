//! Policies and attestation, as officers and employees use them: drafting, four-eyes
//! approval, publishing material and editorial versions, reading what changed clause by
//! clause, the quiz (a failed attempt is recorded and attests nothing), the evidence,
//! reminders and escalation to the lead, reports and CSV, the API, and safe Markdown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, App, Staff};
use jiff::SignedDuration;
use righttrack_core::authz::Scope;
use righttrack_core::policies as rules;
use righttrack_core::Role;
use righttrack_store::directory::NewUser;

const V1: &str = "Our code.\n\n## 1. Honesty\n\n1.1 Tell customers the truth.\n\n## 2. Gifts\n\n2.1 No gifts over 50.\n\n## 3. Phones\n\n3.1 Phones stay in lockers.\n";
const V2: &str = "Our code.\n\n## 1. Honesty\n\n1.1 Tell customers the truth.\n\n## 2. Gifts\n\n2.1 No gifts over 25.\n\n## 4. Speaking up\n\n4.1 Report concerns to the hotline.\n";
const QUIZ: &str =
    "? Gift limit?\n- 100\n+ 25\n\n? Who do you tell the truth?\n+ Customers\n- Nobody\n";

/// Creates policy "Code" as `author` with `body`, `quiz` and kind, and returns its slug.
async fn draft(app: &App, author: &Staff, body: &str, quiz: &str, kind: &str) -> String {
    let r = author
        .post(app, "/policies/manage", &[("title", "Code")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/policies/manage/code");
    save(app, author, body, quiz, kind).await;
    "code".into()
}

async fn work_version(app: &App) -> String {
    let p = app.state.db.policy("code").await.unwrap().unwrap();
    app.state
        .db
        .versions(&p.id)
        .await
        .unwrap()
        .into_iter()
        .find(|v| {
            matches!(
                v.status,
                rules::Status::Draft | rules::Status::InReview | rules::Status::Approved
            )
        })
        .unwrap()
        .id
}

async fn save(app: &App, who: &Staff, body: &str, quiz: &str, kind: &str) -> common::Resp {
    let v = work_version(app).await;
    who.post(
        app,
        "/policies/manage/code/draft",
        &[
            ("version", &v),
            ("kind", kind),
            ("summary", "Changes"),
            ("body", body),
            ("quiz", quiz),
        ],
    )
    .await
}

async fn step(app: &App, who: &Staff, step: &str) -> common::Resp {
    let v = work_version(app).await;
    who.post(
        app,
        "/policies/manage/code/step",
        &[("version", &v), ("step", step)],
    )
    .await
}

/// Submit by `a`, approve and publish by `b`.
async fn publish(app: &App, a: &Staff, b: &Staff) {
    assert_eq!(step(app, a, "submit").await.status, StatusCode::SEE_OTHER);
    let r = step(app, b, "approve").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = step(app, b, "publish").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

fn version_id(page: &str) -> String {
    common::value_of(page, "name=\"version\" value=\"").to_owned()
}

#[tokio::test]
async fn draft_four_eyes_publish_fail_then_pass_the_quiz_and_attest() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let alex = staff(&app, "alex", &[Role::Agent]).await;
        draft(&app, &ana, V1, QUIZ, "material").await;
        assert_eq!(
            step(&app, &ana, "submit").await.status,
            StatusCode::SEE_OTHER
        );

        // Four eyes: the author cannot approve, and the page says why.
        let page = app.get("/policies/manage/code", &ana.cookie).await;
        page.assert_contains("another officer must approve it");
        let r = step(&app, &ana, "approve").await;
        r.assert_answer(StatusCode::FORBIDDEN, &["another officer must approve"]);
        // Publishing before approval is refused.
        assert_eq!(
            step(&app, &bea, "publish").await.status,
            StatusCode::CONFLICT
        );
        assert_eq!(
            step(&app, &bea, "approve").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            step(&app, &bea, "publish").await.status,
            StatusCode::SEE_OTHER
        );
        let p = app.state.db.policy("code").await.unwrap().unwrap();
        let v = app
            .state
            .db
            .published_version(&p.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.contributors, ["ana"]);
        assert_eq!(v.approved_by.as_deref(), Some("bea"));
        assert_eq!(v.hash.as_deref(), Some(rules::version_hash(V1).as_str()));

        // The agent sees it on home and in My policies, due in 30 days.
        let home = app.get("/", &alex.cookie).await;
        home.assert_contains("You have 1 policy to read and attest");
        let mine = app.get("/my/policies", &alex.cookie).await;
        mine.assert_contains("href=\"/policies/code\"");
        assert!(mine.body.contains("2026-12-20"), "due date shown");

        // First attestation: the whole text, no diff; the quiz.
        let page = app.get("/policies/code", &alex.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("You have not attested this policy before");
        assert!(
            page.body.contains("<h3>1. Honesty</h3>") || page.body.contains("<h2>1. Honesty</h2>")
        );
        page.assert_contains("Gift limit?");
        let vid = version_id(&page.body);

        // A wrong answer: 50% < 80%, recorded, not attested.
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[
                    ("version", &vid),
                    ("q1", "0"),
                    ("q2", "0"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["You scored 50%", "answered wrong"],
        );
        assert!(app
            .state
            .db
            .my_evidence(alex.user.id)
            .await
            .unwrap()
            .is_empty());
        // Not confirming is refused without an attempt.
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[("version", &vid), ("q1", "1"), ("q2", "0")],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["Tick the box"]);
        // Passing attests.
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[
                    ("version", &vid),
                    ("q1", "1"),
                    ("q2", "0"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let ev = app.state.db.my_evidence(alex.user.id).await.unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].version_hash, rules::version_hash(V1));
        assert_eq!(ev[0].method, "web");
        assert_eq!(ev[0].score, Some(100));
        assert_eq!(ev[0].attested_at, app.now());
        let attempts = app.state.db.attempts(&p.id, alex.user.id).await.unwrap();
        assert_eq!(attempts.len(), 2, "both attempts recorded");
        // Twice is a conflict; home no longer nags.
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[
                    ("version", &vid),
                    ("q1", "1"),
                    ("q2", "0"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(!app
            .get("/", &alex.cookie)
            .await
            .body
            .contains("You have 1 policy"));

        let audit = app.audit_actions().await;
        for a in [
            "policy.created",
            "policy.draft_saved",
            "policy.version_submitted",
            "policy.version_approved",
            "policy.version_published",
            "policy.quiz_attempted",
            "policy.attested",
        ] {
            assert!(audit.iter().any(|x| x == a), "{a} audited");
        }
        // Agents cannot manage policies.
        assert_eq!(
            app.get("/policies/manage", &alex.cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn a_material_version_shows_what_changed_an_editorial_one_asks_nothing() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let alex = staff(&app, "alex", &[Role::Agent]).await;
        draft(&app, &ana, V1, "", "material").await;
        publish(&app, &ana, &bea).await;
        let page = app.get("/policies/code", &alex.cookie).await;
        let vid = version_id(&page.body);
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[("version", &vid), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "no quiz: attest directly");

        // Version 2, material: the agent reads the clause diff against version 1.
        let r = bea.post(&app, "/policies/manage/code/versions", &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // A second version in work is refused.
        let r = bea.post(&app, "/policies/manage/code/versions", &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        save(&app, &bea, V2, "", "material").await;
        let officer = app.get("/policies/manage/code", &ana.cookie).await;
        officer.assert_contains("Clauses changed against the published version 1");
        publish(&app, &bea, &ana).await;
        let page = app.get("/policies/code", &alex.cookie).await;
        page.assert_contains("What changed since version 1, which you attested");
        assert!(
            page.body.contains("<del>50.</del>") && page.body.contains("<ins>25.</ins>"),
            "{}",
            page.body
        );
        page.assert_contains("removed</span> 3. Phones");
        page.assert_contains("added</span> 4. Speaking up");
        page.assert_contains("added</span> 4.1");
        assert!(
            !page.body.contains("changed</span> 1. Honesty"),
            "unchanged clauses are not listed"
        );
        let vid = version_id(&page.body);
        alex.post(
            &app,
            "/policies/code/attest",
            &[("version", &vid), ("confirm", "yes")],
        )
        .await;

        // Version 3, editorial: published without reopening attestation.
        ana.post(&app, "/policies/manage/code/versions", &[]).await;
        save(
            &app,
            &ana,
            &V2.replace("hotline", "speak-up hotline"),
            "",
            "editorial",
        )
        .await;
        publish(&app, &ana, &bea).await;
        let mine = app.get("/my/policies", &alex.cookie).await;
        mine.assert_contains("Nothing to attest");
        let api = app.get("/api/v1/policies", &alex.cookie).await.json();
        assert_eq!(api["policies"][0]["version"], 3);
        assert_eq!(api["policies"][0]["kind"], "editorial");
        let editorial_hash = rules::version_hash(&V2.replace("hotline", "speak-up hotline"));
        assert_eq!(api["policies"][0]["hash"], editorial_hash.as_str());

        // A newcomer attests the current (editorial) text; the evidence has its hash.
        let cara = staff(&app, "cara", &[Role::Agent]).await;
        let page = app.get("/policies/code", &cara.cookie).await;
        page.assert_contains("Please read this policy and attest it");
        let vid = version_id(&page.body);
        cara.post(
            &app,
            "/policies/code/attest",
            &[("version", &vid), ("confirm", "yes")],
        )
        .await;
        let ev = app.state.db.my_evidence(cara.user.id).await.unwrap();
        assert_eq!((ev[0].cycle_number, ev[0].version_number), (2, 3));
        assert_eq!(ev[0].version_hash, editorial_hash);
    }
}

#[tokio::test]
async fn the_first_version_must_be_material_and_bad_input_names_the_field() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        draft(&app, &ana, V1, "", "material").await;
        // A quiz error names the line and keeps what was typed.
        let r = save(&app, &ana, "## Edited\ntext", "? Q\n- a\n- b\n", "material").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("quiz, line 1: mark the right answer with `+`");
        assert!(r.body.contains("## Edited"), "typed text kept");
        let r = save(&app, &ana, "", "", "material").await;
        r.assert_contains("field `body`: is required");
        let r = save(&app, &ana, "x", "", "sideways").await;
        r.assert_contains("field `kind`");
        let v = work_version(&app).await;
        let r = ana
            .post(
                &app,
                "/policies/manage/code/step",
                &[("version", &v), ("step", "yeet")],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["field `step`"]);
        let r = ana
            .post(
                &app,
                "/policies/manage/code/settings",
                &[("title", "Code"), ("attest_days", "0"), ("pass_mark", "80")],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["field `attest_days`"]);
        let r = ana
            .post(&app, "/policies/manage", &[("title", "Code")])
            .await;
        r.assert_answer(StatusCode::CONFLICT, &["already exists"]);
        // An editorial first version cannot be published.
        save(&app, &ana, V1, "", "editorial").await;
        assert_eq!(
            step(&app, &ana, "submit").await.status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            step(&app, &bea, "approve").await.status,
            StatusCode::SEE_OTHER
        );
        let r = step(&app, &bea, "publish").await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["must be material"]);
        // Returned to draft, the earlier approval no longer counts.
        assert_eq!(
            step(&app, &bea, "return").await.status,
            StatusCode::SEE_OTHER
        );
        let v = app
            .state
            .db
            .version(&work_version(&app).await)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.status, rules::Status::Draft);
        assert_eq!(v.approved_by, None);
        assert!(app.audited("policy.version_returned").await);
    }
}

#[tokio::test]
async fn markdown_is_rendered_safely() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let alex = staff(&app, "alex", &[Role::Agent]).await;
        let evil = "## 1. Rules\n\n<script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) and [help](https://example.com/help) **bold**\n";
        draft(&app, &ana, evil, "", "material").await;
        publish(&app, &ana, &bea).await;
        let page = app.get("/policies/code", &alex.cookie).await;
        page.assert_lacks("<script>alert");
        page.assert_lacks("<img src=x");
        page.assert_lacks("javascript:");
        page.assert_contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        page.assert_contains(
            "<a href=\"https://example.com/help\" rel=\"noopener noreferrer\">help</a>",
        );
        page.assert_contains("<strong>bold</strong>");
    }
}

#[tokio::test]
async fn overdue_people_are_reminded_and_their_lead_is_told() {
    for app in App::each().await {
        let mut rng = rand::rngs::OsRng;
        let now = app.now();
        let site = app
            .state
            .db
            .create_site("Lisbon", now, &mut rng)
            .await
            .unwrap();
        let team = app
            .state
            .db
            .create_team("Billing", site, None, now, &mut rng)
            .await
            .unwrap();
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let lena = staff(&app, "lena", &[Role::TeamLead]).await;
        app.state
            .db
            .set_user_team(lena.user.id, Some(team))
            .await
            .unwrap();
        app.state
            .db
            .set_team_lead(team, lena.user.id)
            .await
            .unwrap();
        let mut agents = Vec::new();
        for n in ["alex", "bo"] {
            let u = app
                .state
                .db
                .create_user(
                    NewUser {
                        username: n.into(),
                        display_name: format!("{n} Agent"),
                        password_hash: Some(common::pw_hash()),
                        team: Some(team),
                        roles: vec![Role::Agent],
                    },
                    now,
                    &mut rng,
                )
                .await
                .unwrap();
            agents.push(u);
        }
        draft(&app, &ana, V1, QUIZ, "material").await;
        // Agents at Lisbon only.
        let r = ana
            .post(
                &app,
                "/policies/manage/code/settings",
                &[
                    ("title", "Code"),
                    ("attest_days", "10"),
                    ("pass_mark", "50"),
                    ("role", "agent"),
                    ("site", &site.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        publish(&app, &ana, &bea).await;
        let p = app.state.db.policy("code").await.unwrap().unwrap();
        let cycle = app.state.db.cycle(&p.id).await.unwrap().unwrap();
        let assigned = app.state.db.assignments(&cycle.id).await.unwrap();
        assert_eq!(
            assigned.len(),
            2,
            "agents of the site only, not officers or the lead"
        );

        // Day 0: a reminder each, no escalation.
        let r = righttrack_app::program::policies::remind(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!((r.reminders, r.escalations), (2, 0));
        let again = righttrack_app::program::policies::remind(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!(
            (again.reminders, again.escalations),
            (0, 0),
            "at most weekly"
        );
        // alex attests (pass mark 50%: one right answer of two is enough).
        let alex = app.session(&agents[0]).await;
        let alex = Staff {
            user: agents[0].clone(),
            cookie: alex.0,
            csrf: alex.1,
        };
        let page = app.get("/policies/code", &alex.cookie).await;
        let vid = version_id(&page.body);
        let r = alex
            .post(
                &app,
                "/policies/code/attest",
                &[
                    ("version", &vid),
                    ("q1", "1"),
                    ("q2", "1"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // Day 11: bo is overdue; reminded again and escalated to lena.
        app.clock.advance(SignedDuration::from_hours(11 * 24));
        let r = righttrack_app::program::policies::remind(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!((r.reminders, r.escalations), (1, 1));
        // Sessions do not last 11 days: sign in again.
        let lena = Staff {
            cookie: app.session(&lena.user).await.0,
            ..lena
        };
        let ana = Staff {
            cookie: app.session(&ana.user).await.0,
            ..ana
        };
        let home = app.get("/", &lena.cookie).await;
        home.assert_contains("1 person in your team has overdue attestations.");
        let team_page = app.get("/my/team/policies", &lena.cookie).await;
        assert!(team_page.body.contains("bo Agent") && !team_page.body.contains("alex Agent"));
        let day = righttrack_core::clock::day(app.now());
        let lines = righttrack_app::program::policies::digest_lines(&app.state, &day)
            .await
            .unwrap();
        assert_eq!(
            lines,
            [
                ("bo".to_owned(), "Please read and attest: Code. Sign in to RightTrack, My policies.".to_owned()),
                ("lena".to_owned(), "1 person in your team has overdue policy attestations. Sign in to RightTrack to see who.".to_owned()),
            ]
        );

        // The report: coverage by team, site and role; overdue with reminders; CSV.
        let report = app.get("/policies/reports/code", &ana.cookie).await;
        report.assert_answer(
            StatusCode::OK,
            &[
                "<th scope=\"row\">Billing</th><td>2</td><td>1</td>",
                "<th scope=\"row\">Lisbon</th>",
                "<th scope=\"row\">Agent</th>",
                "bo Agent",
            ],
        );
        let csv = app
            .get("/policies/reports/code/coverage.csv", &ana.cookie)
            .await;
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert!(csv.body.starts_with("username,name,team,site,roles,lead,assigned,due,status,days_overdue,attested_at,reminders,escalations\n"));
        csv.assert_contains(
            "bo,bo Agent,Billing,Lisbon,Agent,lena Person,2026-11-20,2026-11-30,overdue,1,,2,1",
        );
        let ev = app
            .get("/policies/reports/code/evidence.csv", &ana.cookie)
            .await;
        ev.assert_contains(&format!(
            "Code,alex,alex Agent,1,1,{},",
            rules::version_hash(V1)
        ));
        ev.assert_contains(",web,50");
        // The lead and agents do not see reports.
        assert_eq!(
            app.get("/policies/reports/code", &lena.cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn questions_most_people_get_wrong_are_flagged() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        draft(&app, &ana, V1, QUIZ, "material").await;
        publish(&app, &ana, &bea).await;
        for i in 0..5 {
            let a = staff(&app, &format!("agent{i}"), &[Role::Agent]).await;
            let page = app.get("/policies/code", &a.cookie).await;
            let vid = version_id(&page.body);
            // Question 1 wrong first, then right.
            a.post(
                &app,
                "/policies/code/attest",
                &[
                    ("version", &vid),
                    ("q1", "0"),
                    ("q2", "0"),
                    ("confirm", "yes"),
                ],
            )
            .await;
            let r = a
                .post(
                    &app,
                    "/policies/code/attest",
                    &[
                        ("version", &vid),
                        ("q1", "1"),
                        ("q2", "0"),
                        ("confirm", "yes"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let report = app.get("/policies/reports/code", &ana.cookie).await;
        report.assert_contains(
            "1. Gift limit?</td><td>10</td><td>5</td><td>50% <span class=\"flag\">unclear?</span>",
        );
        report
            .assert_contains("2. Who do you tell the truth?</td><td>10</td><td>0</td><td>0%</td>");
        let api = app
            .get("/api/v1/policies/code/coverage", &ana.cookie)
            .await
            .json();
        assert_eq!(api["total"]["attested"], 5);
        assert_eq!(api["questions"][0]["flagged"], true);
        let list = app.get("/policies/reports", &ana.cookie).await;
        list.assert_contains("1 flagged");
    }
}

#[tokio::test]
async fn the_api_lists_policies_and_attests_with_a_token() {
    for app in App::each().await {
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let alex = app.user("alex", &[Role::Agent]).await;
        draft(&app, &ana, V1, QUIZ, "material").await;
        publish(&app, &ana, &bea).await;
        let read =
            righttrack_web::auth::issue_token(&app.state, "test", &alex, "r", &[Scope::Read])
                .await
                .unwrap();
        let write =
            righttrack_web::auth::issue_token(&app.state, "test", &alex, "w", &[Scope::Admin])
                .await
                .unwrap();
        let bearer = |t: &righttrack_core::Secret<String>| format!("Bearer {}", t.expose());
        let r = app.api_get("/api/v1/policies", &bearer(&read)).await;
        assert_eq!(r.status, StatusCode::OK);
        let hash = rules::version_hash(V1);
        assert_eq!(r.json()["policies"][0]["hash"], hash.as_str());
        let one = app
            .api_get("/api/v1/policies/code", &bearer(&read))
            .await
            .json();
        assert_eq!(one["body"], V1);
        assert_eq!(one["quiz"][0]["choices"][1], "25");
        assert!(
            one["quiz"][0].get("correct").is_none(),
            "answers are not given away"
        );
        let mine = app
            .api_get("/api/v1/my/attestations", &bearer(&read))
            .await
            .json();
        assert_eq!(mine["open"][0]["key"], "code");
        // A read token cannot attest.
        let attest = |t: String, body: String| {
            let app = &app;
            async move {
                app.api_post("/api/v1/policies/code/attestations", &t, &body)
                    .await
            }
        };
        let r = attest(
            bearer(&read),
            format!(r#"{{"version_hash":"{hash}","answers":[1,0]}}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Bad input names the field; a stale hash is a conflict.
        let r = attest(bearer(&write), r#"{"answers":[1,0]}"#.into()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("version_hash"));
        let r = attest(
            bearer(&write),
            format!(r#"{{"version_hash":"{hash}","answers":["b"]}}"#),
        )
        .await;
        assert!(r.json()["message"].as_str().unwrap().contains("answers[0]"));
        let r = attest(
            bearer(&write),
            format!(r#"{{"version_hash":"{hash}","answers":[9]}}"#),
        )
        .await;
        assert!(
            r.json()["message"].as_str().unwrap().contains("q1"),
            "{}",
            r.body
        );
        let r = attest(
            bearer(&write),
            r#"{"version_hash":"abc","answers":[1,0]}"#.into(),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let r = attest(bearer(&write), "not json".into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Failing is 422 with the score; passing is 201 with method api.
        let r = attest(
            bearer(&write),
            format!(r#"{{"version_hash":"{hash}","answers":[0,1]}}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["attested"], false);
        assert_eq!(r.json()["wrong"], serde_json::json!([0, 1]));
        let r = attest(
            bearer(&write),
            format!(r#"{{"version_hash":"{hash}","answers":[1,0]}}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let ev = app.state.db.my_evidence(alex.id).await.unwrap();
        assert_eq!(ev[0].method, "api");
        let evidence = app
            .get("/api/v1/policies/code/attestations", &ana.cookie)
            .await
            .json();
        assert_eq!(evidence["attestations"][0]["username"], "alex");
        assert_eq!(evidence["attestations"][0]["version_hash"], hash.as_str());
    }
}

#[tokio::test]
async fn a_fresh_install_gets_the_sample_code_once_and_retiring_asks_nothing_more() {
    for app in App::each().await {
        assert!(righttrack_app::program::policies::seed_sample(&app.state)
            .await
            .unwrap());
        assert!(!righttrack_app::program::policies::seed_sample(&app.state)
            .await
            .unwrap());
        let ana = staff(&app, "ana", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let alex = staff(&app, "alex", &[Role::Agent]).await;
        let page = app
            .get("/policies/manage/code-of-ethics", &ana.cookie)
            .await;
        page.assert_contains("Speaking up and non-retaliation");
        page.assert_contains("? Who can you raise a concern with?");
        // The sample's author is "system", so either officer may approve it.
        let v = common::value_of(&page.body, "name=\"version\" value=\"").to_owned();
        for (who, s) in [(&ana, "submit"), (&bea, "approve"), (&ana, "publish")] {
            let r = who
                .post(
                    &app,
                    "/policies/manage/code-of-ethics/step",
                    &[("version", &v), ("step", s)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{s}: {}", r.body);
        }
        assert!(app
            .get("/my/policies", &alex.cookie)
            .await
            .body
            .contains("Code of Ethics"));
        let r = ana
            .post(&app, "/policies/manage/code-of-ethics/retire", &[])
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["field `confirm`"]);
        let r = ana
            .post(
                &app,
                "/policies/manage/code-of-ethics/retire",
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mine = app.get("/my/policies", &alex.cookie).await;
        assert!(mine.body.contains("Nothing to attest") && !mine.body.contains("Code of Ethics"));
        assert_eq!(
            app.get("/policies/code-of-ethics", &alex.cookie)
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(app.audited("policy.retired").await);
    }
}
