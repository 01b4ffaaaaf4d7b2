//! Speak-up case management, from the users' side: the reporter ↔ case team loop,
//! conflicts of interest (absent by every path), routing to the audit committee, the
//! identity envelope and its custodians, keys for readers who arrive later, deadlines,
//! and bad input. Runs on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, texts, App, Staff};
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use serde_json::{json, Value};

async fn access(app: &App, body: Value) -> Value {
    let r = app.post_json("/api/v1/speakup/access", &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

type Fields<'a> = Vec<(&'a str, &'a str)>;

/// Every path by which a case could show to `who`: list (all statuses), search by
/// reference, the CSV export, the API list, the case page.
async fn sees(who: &Staff, app: &App, case: &str) -> [bool; 5] {
    let list = who.get(app, "/cases?status=all").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let search = who.get(app, &format!("/cases?status=all&q={case}")).await;
    let csv = who.get(app, "/cases/export.csv?status=all").await;
    assert_eq!(csv.status, StatusCode::OK);
    let api = who.get(app, "/api/v1/speakup/cases?status=all").await;
    assert_eq!(api.status, StatusCode::OK);
    let page = who.get(app, &format!("/cases/{case}")).await;
    assert!(
        page.status == StatusCode::OK || page.status == StatusCode::NOT_FOUND,
        "{}",
        page.status
    );
    let link = format!("href=\"/cases/{case}\"");
    [
        list.body.contains(&link),
        search.body.contains(&link),
        csv.body.contains(case),
        api.body.contains(case),
        page.status == StatusCode::OK,
    ]
}

const ALL: [bool; 5] = [true; 5];
const NONE: [bool; 5] = [false; 5];

// ---------------------------------------------------------------- the loop

#[tokio::test]
async fn the_reporter_and_the_case_team_talk_until_the_case_closes() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let ivan = staff(&app, "ivan", &[Role::Investigator]).await;
        let (case, receipt) = app.report(json!({"category": "fraud", "description": "Refunds are paid to a private card every Friday", "anonymous": true}),
        )
        .await;
        let (other, _) = app.report(json!({"category": "harassment", "description": "Shouting in the break room", "anonymous": true}),
        )
        .await;

        // The officer sees both, with content; the investigator sees nothing yet.
        assert_eq!(sees(&olga, &app, &case).await, ALL);
        assert_eq!(sees(&ivan, &app, &case).await, NONE);
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("Refunds are paid to a private card every Friday");
        page.assert_contains("not assessed");

        // Triage and assignment: the investigator then sees that case, and only that one.
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/triage"),
                &[
                    ("risk", "high"),
                    ("jurisdiction", "es"),
                    ("subjects", ""),
                    ("reason", "named manager has authority over the reporter"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/assign"),
                &[("assignee", &ivan.user.id.to_string())],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        assert_eq!(sees(&ivan, &app, &case).await, ALL);
        assert_eq!(sees(&ivan, &app, &other).await, NONE);
        let mine = ivan.get(&app, "/cases?assigned=me").await;
        mine.assert_contains(&case);

        // The investigator asks a question, marked as the feedback the law requires.
        let r = ivan
            .post(
                &app,
                &format!("/cases/{case}/message"),
                &[
                    ("message", "Thank you. Which store does this happen in?"),
                    ("feedback", "on"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let seen = access(&app, json!({"receipt": receipt})).await;
        let bodies: Vec<&str> = texts(&seen["messages"], "body");
        assert!(
            bodies.contains(&"Thank you. Which store does this happen in?"),
            "{seen}"
        );
        assert_eq!(seen["status"], "acknowledged");

        // The reporter answers; the case team reads it; the list shows the activity.
        access(
            &app,
            json!({"receipt": receipt, "message": "The one on Main Street"}),
        )
        .await;
        let page = ivan.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("The one on Main Street");
        page.assert_contains("Feedback given to the reporter");
        let list = olga.get(&app, "/api/v1/speakup/cases").await.json();
        let row = list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case"] == case.as_str())
            .unwrap()
            .clone();
        assert_eq!(row["feedback"], "met");
        assert_eq!(row["risk"], "high");
        assert_eq!(row["assignee"], "ivan Person");
        assert!(!row["reporter_activity"].as_str().unwrap().is_empty());

        // A named witness who consents is watched for retaliation; the page shows the
        // comparison with their peers.
        app.user("wendy", &[Role::Agent]).await;
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/watch"),
                &[
                    ("username", "wendy"),
                    ("role", "witness"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        assert!(page
            .body
            .contains("wendy Person <span class=\"hint\">(witness"));
        page.assert_contains("No adverse pattern against peers.");

        // A final status needs the outcome; with it, the case closes.
        let r = ivan
            .post(
                &app,
                &format!("/cases/{case}/status"),
                &[("status", "substantiated"), ("outcome", "")],
            )
            .await;
        assert_eq!(r.redirect_error(), "outcome: required");
        let r = ivan
            .post(
                &app,
                &format!("/cases/{case}/status"),
                &[
                    ("status", "substantiated"),
                    ("outcome", "Refund rights withdrawn; payments recovered"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let page = ivan.get(&app, &format!("/cases/{case}")).await;
        for line in [
            "Retaliation risk assessed as high",
            "Deadlines of jurisdiction es applied",
            "Assigned to ivan Person",
            "Status set to substantiated",
            "Refund rights withdrawn; payments recovered",
        ] {
            assert!(page.body.contains(line), "timeline lacks {line:?}");
        }
        assert!(olga.get(&app, "/cases").await.body.contains(&other));
        assert!(
            !olga.get(&app, "/cases").await.body.contains(&case),
            "closed cases leave the open list"
        );
        let seen = access(&app, json!({"receipt": receipt})).await;
        assert_eq!(seen["status"], "substantiated");

        // Taking the case back destroys the investigator's key.
        olga.post(&app, &format!("/cases/{case}/assign"), &[("assignee", "")])
            .await;
        assert_eq!(sees(&ivan, &app, &case).await, NONE);
    }
}

#[tokio::test]
async fn moving_a_watched_witness_to_another_team_raises_an_alert_on_the_case() {
    for app in App::each().await {
        let db = &app.state.db;
        let mut rng = rand::rngs::OsRng;
        let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
        let cards = db
            .create_team("Cards", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        let night = db
            .create_team("Night shift", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        for name in ["wendy", "pia", "quim", "rui", "sol"] {
            let u = app.user(name, &[Role::Agent]).await;
            db.set_user_team(u.id, Some(cards)).await.unwrap();
        }
        let wendy = db.user_by_username("wendy").await.unwrap().unwrap();
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, _) = app.report(json!({"category": "fraud", "description": "Refunds to a private card", "anonymous": true}),
        )
        .await;
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/watch"),
                &[
                    ("username", "wendy"),
                    ("role", "witness"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");

        // Ten days later an administrator moves her; the move is audited as the watch
        // reads it, and a move to a team that does not exist is refused by name.
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 10));
        let admin = staff(&app, "ada", &[Role::Admin]).await;
        let path = format!("/admin/users/{}/team", wendy.id);
        let r = admin
            .post(
                &app,
                &path,
                &[("team", "00000000-0000-0000-0000-000000000000")],
            )
            .await;
        r.assert_answer(StatusCode::BAD_REQUEST, &["team"]);
        let r = admin
            .post(&app, &path, &[("team", &night.to_string())])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("wendy moved.");
        assert_eq!(
            db.user_by_id(wendy.id).await.unwrap().unwrap().team_id,
            Some(night)
        );
        assert!(app.audited("user.team_changed").await);
        // The officer opens the case the next day.
        app.clock.advance(jiff::SignedDuration::from_hours(24));
        let olga = app.signed_in(olga.user).await;
        let not_admin = olga.post(&app, &path, &[("team", "")]).await;
        assert_eq!(not_admin.status, StatusCode::FORBIDDEN);

        // None of her four peers moved: the case page says so for whoever works it.
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("Changed team 1 time in");
        page.assert_contains("0 of 4 peers");
    }
}

// ---------------------------------------------------------------- conflicts of interest

#[tokio::test]
async fn people_in_conflict_cannot_reach_the_case_by_any_path() {
    for app in App::each().await {
        let db = &app.state.db;
        let mut rng = rand::rngs::OsRng;
        // sam works in a team led by lee, inside a department led by dora; quinn scored
        // one of sam's calls; pat is someone the reporter does not trust. All of them
        // except sam are ethics officers; olga is the one left to handle the case.
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let lee = staff(&app, "lee", &[Role::EthicsOfficer]).await;
        let dora = staff(&app, "dora", &[Role::EthicsOfficer]).await;
        let quinn = staff(&app, "quinn", &[Role::EthicsOfficer, Role::QaAnalyst]).await;
        let pat = staff(&app, "pat", &[Role::EthicsOfficer]).await;
        let sam = app.user("sam", &[Role::Agent]).await;
        let site = db.create_site("Leeds", app.now(), &mut rng).await.unwrap();
        let dept = db
            .create_team("Billing", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        let team = db
            .create_team("Billing East", site, Some(dept), app.now(), &mut rng)
            .await
            .unwrap();
        db.set_team_lead(dept, dora.user.id).await.unwrap();
        db.set_team_lead(team, lee.user.id).await.unwrap();
        db.set_user_team(sam.id, Some(team)).await.unwrap();
        let bot = app.user("ingest-bot", &[Role::Admin]).await;
        let bearer = app.bearer(&bot, &[Scope::Ingest]).await;
        let call = json!({"id": "call-1", "channel": "voice", "agent_id": "sam", "started_at": "2026-11-20T08:00:00Z",
            "turns": [{"speaker": "agent", "text": "hello, this call may be recorded"}]});
        let r = app
            .post_interactions(&bearer, "application/json", &call.to_string())
            .await;
        assert!(r.status.is_success(), "{}", r.body);
        app.t
            .raw("INSERT INTO score_overrides (id, interaction_id, item, failed, justification, by_user, at) SELECT 'o1', id, 'greeting', FALSE, 'fine', 'quinn', 0 FROM interactions WHERE ext_id = 'call-1'")
            .await
            .unwrap();

        let (case, _) = app.report(json!({"category": "fraud", "description": "Sam Person pockets refunds", "people": "sam", "exclude": "pat Person", "anonymous": true}),
        )
        .await;
        assert_eq!(sees(&olga, &app, &case).await, ALL);
        for (who, s) in [
            ("manager", &lee),
            ("manager's manager", &dora),
            ("QA evaluator", &quinn),
            ("excluded by the reporter", &pat),
        ] {
            assert_eq!(sees(s, &app, &case).await, NONE, "{who}");
            assert!(
                !s.get(&app, "/cases")
                    .await
                    .body
                    .contains("1</strong> to triage"),
                "{who}: the case is not even counted"
            );
            assert_eq!(
                s.get(&app, "/api/v1/speakup/cases?status=all").await.json()["count"],
                0,
                "{who}"
            );
        }
        let holders: Vec<_> = db
            .speakup_wrapped_for(&case)
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(holders, vec![olga.user.id], "no one else holds the key");
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("sam Person: named as concerned");
        page.assert_contains("pat Person: the reporter asked");
        // Excluded people are not offered as assignees, and cannot be assigned.
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/assign"),
                &[("assignee", &lee.user.id.to_string())],
            )
            .await;
        assert!(
            r.redirect_error().contains("conflict of interest"),
            "{}",
            r.redirect_error()
        );

        // A subject named at triage takes their chain away at once, and a new ethics
        // officer gets the key when a colleague next opens the case.
        let nina = staff(&app, "nina", &[Role::EthicsOfficer]).await;
        assert_eq!(sees(&nina, &app, &case).await, NONE, "not reconciled yet");
        olga.get(&app, "/cases").await;
        assert_eq!(
            sees(&nina, &app, &case).await,
            ALL,
            "reconciled by olga's visit"
        );
        let tim = app.user("tim", &[Role::Agent]).await;
        let team2 = db
            .create_team("Collections", site, None, app.now(), &mut rng)
            .await
            .unwrap();
        db.set_team_lead(team2, nina.user.id).await.unwrap();
        db.set_user_team(tim.id, Some(team2)).await.unwrap();
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/triage"),
                &[
                    ("risk", "medium"),
                    ("jurisdiction", "eu"),
                    ("subjects", "sam tim"),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        assert_eq!(
            sees(&nina, &app, &case).await,
            NONE,
            "tim's lead lost access"
        );
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/triage"),
                &[
                    ("risk", "medium"),
                    ("jurisdiction", "eu"),
                    ("subjects", "sam nobody"),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "subjects: no user named \"nobody\"");

        // Self-recusal. The last key holder cannot recuse: the case would be lost.
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/recuse"),
                &[("reason", "I sit on the same floor")],
            )
            .await;
        assert!(r
            .redirect_error()
            .starts_with("recuse: no one else could read this case"));
        // With every ethics officer excluded, the audit committee is the fallback.
        let vera = staff(&app, "vera", &[Role::AuditCommittee]).await;
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/recuse"),
                &[("reason", "I sit on the same floor")],
            )
            .await;
        assert_eq!(r.location(), "/cases");
        assert_eq!(sees(&olga, &app, &case).await, NONE);
        assert_eq!(sees(&vera, &app, &case).await, ALL);
        // The recusal is part of the sealed record: reconciling again keeps olga out.
        db.bump_readers_epoch().await.unwrap();
        assert_eq!(sees(&vera, &app, &case).await, ALL);
        assert_eq!(sees(&olga, &app, &case).await, NONE);
        let page = vera.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("olga Person: recused");
    }
}

#[tokio::test]
async fn accounting_reports_go_to_the_audit_committee() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let vera = staff(&app, "vera", &[Role::AuditCommittee]).await;
        let (case, _) = app.report(json!({"category": "accounting", "description": "Revenue booked before delivery", "anonymous": true}),
        )
        .await;
        assert_eq!(sees(&vera, &app, &case).await, ALL);
        assert_eq!(sees(&olga, &app, &case).await, NONE);
        let (fraud, _) = app
            .report(json!({"category": "fraud", "description": "Gift cards", "anonymous": true}))
            .await;
        assert_eq!(sees(&olga, &app, &fraud).await, ALL);
        assert_eq!(sees(&vera, &app, &fraud).await, NONE);
    }
}

// ---------------------------------------------------------------- identity

#[tokio::test]
async fn the_identity_opens_only_with_a_custodian_approval() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let cara = staff(&app, "cara", &[Role::IdentityCustodian]).await;
        let (case, _) = app.report(json!({"category": "harassment", "description": "Comments about my accent", "anonymous": false, "name": "Philippa Quist", "contact": "pq@example.org"}),
        )
        .await;
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("It is sealed");
        page.assert_lacks("Philippa Quist");
        // The custodian holds the key but reads the identity only by approving a request.
        let page = cara.get(&app, &format!("/cases/{case}")).await;
        page.assert_lacks("Philippa Quist");

        let r = olga
            .post(&app, &format!("/cases/{case}/identity"), &[("reason", "")])
            .await;
        assert_eq!(r.redirect_error(), "reason: required");
        olga.post(
            &app,
            &format!("/cases/{case}/identity"),
            &[("reason", "We must interview her as a witness")],
        )
        .await;
        let list = cara.get(&app, "/cases").await;
        list.assert_contains("Identity requests wait for your decision");
        let page = cara.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("We must interview her as a witness");
        let rid =
            common::value_of(&page.body, &format!("action=\"/cases/{case}/identity/")).to_owned();
        // Only custodians decide.
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[("decision", "approve"), ("reason", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = cara
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[
                    ("decision", "approve"),
                    ("reason", "Necessary and proportionate"),
                ],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        assert!(page.body.contains("Philippa Quist") && page.body.contains("pq@example.org"));
        page.assert_contains("Necessary and proportionate");
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"speakup.identity_decided".to_owned()));
        assert!(actions.contains(&"speakup.identity_opened".to_owned()));
        let r = cara
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[("decision", "deny"), ("reason", "changed my mind")],
            )
            .await;
        assert_eq!(r.redirect_error(), "this request was already decided");
        // A custodian's own request needs another custodian.
        cara.post(
            &app,
            &format!("/cases/{case}/identity"),
            &[("reason", "I want to see it myself")],
        )
        .await;
        let page = cara.get(&app, &format!("/cases/{case}")).await;
        let own =
            common::value_of(&page.body, &format!("action=\"/cases/{case}/identity/")).to_owned();
        assert_ne!(own, rid);
        let r = cara
            .post(
                &app,
                &format!("/cases/{case}/identity/{own}"),
                &[("decision", "approve"), ("reason", "mine")],
            )
            .await;
        assert_eq!(
            r.redirect_error(),
            "decision: another custodian must decide your own request"
        );
    }
}

// ---------------------------------------------------------------- tokens, deadlines, input

#[tokio::test]
async fn tokens_list_metadata_but_never_open_content() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, _) = app.report(json!({"category": "fraud", "description": "Skimming at till 4", "anonymous": true}),
        )
        .await;
        let t =
            righttrack_web::auth::issue_token(&app.state, "test", &olga.user, "t", &[Scope::Read])
                .await
                .unwrap();
        let bearer = format!("Bearer {}", t.expose());
        let r = app.api_get("/api/v1/speakup/cases", &bearer).await;
        // Listing cases is the officer's privileged work: it needs her session (with its
        // second factor), never a token.
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        r.assert_lacks(&case);
        r.assert_lacks("Skimming");
        let r = app.api_get(&format!("/cases/{case}"), &bearer).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
}

#[tokio::test]
async fn deadlines_fall_due_and_are_met() {
    for app in App::each().await {
        let mut olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, _) = app
            .report(
                json!({"category": "fraud", "description": "Voids after close", "anonymous": true}),
            )
            .await;
        let row = |j: Value| j["cases"][0].clone();
        let r = row(olga.get(&app, "/api/v1/speakup/cases").await.json());
        assert_eq!(
            r["acknowledge"], "met",
            "acknowledged automatically on submission"
        );
        assert_eq!(r["feedback"], "open");
        assert_eq!(r["feedback_due"], "2027-02-20");
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 85));
        // Sessions last hours, not months: sign in again.
        (olga.cookie, olga.csrf) = app.session(&olga.user).await;
        let r = row(olga.get(&app, "/api/v1/speakup/cases").await.json());
        assert_eq!(r["feedback"], "due soon");
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 10));
        (olga.cookie, olga.csrf) = app.session(&olga.user).await;
        assert!(olga
            .get(&app, "/cases?clock=overdue")
            .await
            .body
            .contains(&case));
        olga.post(
            &app,
            &format!("/cases/{case}/message"),
            &[
                ("message", "We found and fixed the problem."),
                ("feedback", "on"),
            ],
        )
        .await;
        assert!(!olga
            .get(&app, "/cases?clock=overdue")
            .await
            .body
            .contains(&case));
        // A jurisdiction with other deadlines moves the open ones, counted from submission.
        let (c2, _) = app
            .report(json!({"category": "fraud", "description": "Another", "anonymous": true}))
            .await;
        olga.post(
            &app,
            &format!("/cases/{c2}/triage"),
            &[("risk", "low"), ("jurisdiction", "us"), ("subjects", "")],
        )
        .await;
        let list = olga.get(&app, "/api/v1/speakup/cases").await.json();
        let c = list["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["case"] == c2.as_str())
            .unwrap()
            .clone();
        assert_eq!(
            c["acknowledge_due"], "2027-02-28",
            "5 days after this report"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_an_error_naming_the_field() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, _) = app
            .report(json!({"category": "fraud", "description": "x", "anonymous": true}))
            .await;
        let p = |path: &str| format!("/cases/{case}/{path}");
        let cases: Vec<(&str, Fields, &str)> = vec![
            (
                "status",
                vec![("status", "finished")],
                "status: must be one of",
            ),
            ("note", vec![("note", "  ")], "note: required"),
            ("message", vec![("message", "")], "message: required"),
            (
                "triage",
                vec![("risk", "extreme"), ("jurisdiction", "eu")],
                "risk: choose",
            ),
            (
                "triage",
                vec![("risk", "low"), ("jurisdiction", "mars")],
                "jurisdiction: unknown",
            ),
            (
                "hold",
                vec![("hold", "maybe"), ("reason", "r")],
                "hold: on or off",
            ),
            (
                "watch",
                vec![("username", "olga"), ("role", "reporter")],
                "consent:",
            ),
            (
                "identity",
                vec![("reason", "why")],
                "the reporter stayed anonymous",
            ),
        ];
        for (path, fields, want) in cases {
            let r = olga.post(&app, &p(path), &fields).await;
            assert!(
                r.redirect_error().starts_with(want),
                "{path}: {}",
                r.redirect_error()
            );
        }
        let long = "x".repeat(10_001);
        let r = olga.post(&app, &p("note"), &[("note", &long)]).await;
        assert_eq!(r.redirect_error(), "note: at most 10000 characters");
        // Unknown cases are not found, for everyone.
        assert_eq!(
            olga.get(&app, "/cases/RT-NOPE-NOPE").await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn people_who_leave_lose_their_keys_and_their_cases_are_handed_over() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let ivan = staff(&app, "ivan", &[Role::Investigator]).await;
        let ines = staff(&app, "ines", &[Role::Investigator]).await;
        let admin = staff(&app, "root", &[Role::Admin]).await;
        let (case, _) = app
            .report(
                json!({"category": "fraud", "description": "Cash drawer short", "anonymous": true}),
            )
            .await;
        olga.post(
            &app,
            &format!("/cases/{case}/assign"),
            &[("assignee", &ivan.user.id.to_string())],
        )
        .await;
        // The assignee hands over to a colleague: the key moves with the case.
        let r = ines
            .post(
                &app,
                &format!("/cases/{case}/handover"),
                &[("assignee", &ines.user.id.to_string())],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "only key holders reach the case"
        );
        let r = ivan
            .post(
                &app,
                &format!("/cases/{case}/handover"),
                &[("assignee", &ines.user.id.to_string())],
            )
            .await;
        assert_eq!(r.location(), "/cases", "ivan no longer holds the case");
        assert_eq!(sees(&ivan, &app, &case).await, NONE);
        assert_eq!(sees(&ines, &app, &case).await, ALL);
        assert!(olga
            .get(&app, &format!("/cases/{case}"))
            .await
            .body
            .contains("Handed over to ines Person"));

        // Ines leaves: disabled, her keys are destroyed and the case waits for an assignee.
        let r = admin
            .post(
                &app,
                &format!("/admin/users/{}/disabled", ines.user.id),
                &[("disabled", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let holders: Vec<_> = app
            .state
            .db
            .speakup_wrapped_for(&case)
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(holders, vec![olga.user.id]);
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("the case needs a new assignee");
        page.assert_contains("unassigned");

        // The last holder of a case's key cannot be demoted: the case would be lost.
        let r = admin
            .post(
                &app,
                &format!("/admin/users/{}/roles", olga.user.id),
                &[("role", "agent")],
            )
            .await;
        r.assert_contains("olga is the only person holding the key to 1 hotline case");
        assert_eq!(
            app.state.db.speakup_wrapped_for(&case).await.unwrap().len(),
            1
        );
        // Once a colleague holds it, an ethics officer who becomes an agent loses every
        // key at once.
        let otto = staff(&app, "otto", &[Role::EthicsOfficer]).await;
        olga.get(&app, "/cases").await;
        let r = admin
            .post(
                &app,
                &format!("/admin/users/{}/roles", olga.user.id),
                &[("role", "agent")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let holders: Vec<_> = app
            .state
            .db
            .speakup_wrapped_for(&case)
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(holders, vec![otto.user.id]);
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"speakup.case_keys_dropped".to_owned()));
        assert!(actions.contains(&"user.disabled".to_owned()));
    }
}
