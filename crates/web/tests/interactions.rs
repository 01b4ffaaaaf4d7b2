//! Ingestion and the commitments ledger, as an integration client and a QA analyst use them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{texts, App, CARD, EMAIL};
use righttrack_core::authz::Scope;
use righttrack_core::Role;

fn line(id: &str, customer: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "voice", "agent_id": "a-17", "started_at": "2026-11-20T09:00:00Z", "crm": {"case": 7},
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": customer},
            {"speaker": "agent", "text": "I guarantee it will be fixed, I will call you back tomorrow before 5pm"}
        ]
    })
    .to_string()
}

async fn ingest(app: &App, bearer: &str, ctype: &str, body: &str) -> common::Resp {
    app.post_interactions(bearer, ctype, body).await
}

#[tokio::test]
async fn a_batch_is_stored_redacted_with_per_line_errors_and_idempotent() {
    for app in App::each().await {
        let bearer = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        let bad = format!("{{\"id\": \"ext-bad\", \"channel\": \"voice\", \"agent_id\": 17, \"started_at\": \"{CARD}\", \"turns\": []}}");
        let body = [
            line("ext-1", &format!("my card is {CARD}")),
            bad,
            String::new(),
            line("ext-2", &format!("email me at {EMAIL}")),
            "{not json".into(),
        ]
        .join("\n");
        let r = ingest(&app, &bearer, "application/x-ndjson", &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(
            (
                j["received"].as_u64(),
                j["stored"].as_u64(),
                j["duplicates"].as_u64()
            ),
            (Some(4), Some(2), Some(0))
        );
        let errors = j["errors"].as_array().unwrap();
        assert_eq!(errors[0]["line"], 2);
        assert!(
            errors[0]["message"].as_str().unwrap().contains("agent_id"),
            "{}",
            errors[0]
        );
        assert_eq!(errors[1]["line"], 5);
        assert!(
            !r.body.contains("4111"),
            "an error must not echo the line: {}",
            r.body
        );
        assert_eq!(j["results"][0]["status"], "stored");
        assert_eq!(j["results"][0]["flagged"], true, "a guarantee is flagged");

        let again = ingest(
            &app,
            &bearer,
            "application/x-ndjson",
            &format!(
                "{}\n{}",
                line("ext-1", &format!("my card is {CARD}")),
                line("ext-1", "whatever")
            ),
        )
        .await
        .json();
        assert_eq!(
            (again["stored"].as_u64(), again["duplicates"].as_u64()),
            (Some(0), Some(1))
        );
        assert_eq!(again["results"][0]["status"], "duplicate");
        assert_eq!(
            again["results"][1]["status"], "conflict",
            "the same id with other content is not a duplicate"
        );

        let one = ingest(
            &app,
            &bearer,
            "application/json",
            &line("ext-3", "no personal data here"),
        )
        .await;
        assert_eq!(one.json()["stored"], 1);
        let none = ingest(&app, &bearer, "application/json", "{\"id\": 3}").await;
        assert_eq!(none.status, StatusCode::BAD_REQUEST);
        assert_eq!(none.json()["code"], "bad_request");
        assert!(
            none.json()["message"]
                .as_str()
                .unwrap()
                .starts_with("line 1: field `id`"),
            "{}",
            none.body
        );
        let wrong_type = ingest(&app, &bearer, "text/plain", "hello").await;
        assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);

        let got = app.api_get("/api/v1/interactions/ext-1", &bearer).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        let g = got.json();
        assert!(
            g["interaction"]["turns"][1]["text"]
                .as_str()
                .unwrap()
                .contains("<CARD_NUMBER_1>"),
            "{}",
            got.body
        );
        assert_eq!(
            g["interaction"]["crm"]["case"], 7,
            "unknown fields are kept"
        );
        assert!(g["score"]["max"].as_i64().unwrap() > 0);
        got.assert_lacks("4111 1111");
        assert_eq!(
            app.api_get("/api/v1/interactions/nope", &bearer)
                .await
                .status,
            StatusCode::NOT_FOUND
        );

        app.assert_not_at_rest(&[CARD, EMAIL, "4111111111111111"])
            .await;
    }
}

#[tokio::test]
async fn ingestion_needs_the_ingest_scope() {
    for app in App::each().await {
        let read_only = app.bot_bearer(Role::QaAnalyst, &[Scope::Read]).await;
        let r = ingest(&app, &read_only, "application/json", &line("x", "hi")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .send(
                Method::POST,
                "/api/v1/interactions",
                &[("content-type", "application/json")],
                &line("x", "hi"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn commitments_are_listed_by_status_and_can_be_marked_kept() {
    for app in App::each().await {
        let bearer = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        let body = [line("c-1", "hello"), line("c-2", "hello again")].join("\n");
        assert_eq!(
            ingest(&app, &bearer, "application/x-ndjson", &body)
                .await
                .json()["stored"],
            2
        );
        let open = app
            .api_get("/api/v1/commitments?status=open", &bearer)
            .await
            .json();
        let list = open["commitments"].as_array().unwrap().clone();
        assert_eq!(list.len(), 2, "{open}");
        assert_eq!(
            list[0]["due"], "2026-11-21T17:00:00Z",
            "tomorrow before 5pm, from started_at"
        );
        let id = list[0]["id"].as_str().unwrap().to_owned();
        let kept = app
            .api_post(&format!("/api/v1/commitments/{id}/fulfil"), &bearer, "")
            .await;
        assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
        let twice = app
            .api_post(&format!("/api/v1/commitments/{id}/fulfil"), &bearer, "")
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        let k = app
            .api_get("/api/v1/commitments?status=kept", &bearer)
            .await
            .json();
        assert_eq!(k["commitments"].as_array().unwrap().len(), 1);
        let bad = app
            .api_get("/api/v1/commitments?status=late", &bearer)
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.json()["message"].as_str().unwrap().contains("status"));
        // Two days after the due instant the other one is broken.
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 3));
        let broken = app
            .api_get("/api/v1/commitments?status=broken", &bearer)
            .await
            .json();
        assert_eq!(
            broken["commitments"].as_array().unwrap().len(),
            1,
            "{broken}"
        );
    }
}

fn clean_line(id: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "chat", "agent_id": "a-18", "started_at": "2026-11-20T10:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "Hello, how can I help you today?"},
            {"speaker": "customer", "text": "What are your opening hours?"},
            {"speaker": "agent", "text": "We are open from nine to five on weekdays."}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn qa_analysts_review_flagged_interactions_and_mark_commitments_kept() {
    for app in App::each().await {
        let bearer = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        let body = [
            line("flag-1", &format!("my card is {CARD}")),
            clean_line("clean-1"),
        ]
        .join("\n");
        assert_eq!(
            ingest(&app, &bearer, "application/x-ndjson", &body)
                .await
                .json()["stored"],
            2
        );
        let qa = app.user("quinn", &[Role::QaAnalyst]).await;
        let (cookie, csrf) = app.session(&qa).await;

        let queue = app.get("/qa/review", &cookie).await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(
            queue.body.contains("href=\"/interactions/flag-1\"") && !queue.body.contains("clean-1"),
            "{}",
            queue.body
        );
        queue.assert_contains("honesty.guarantee");
        let all = app.get("/qa/review?all=1", &cookie).await;
        all.assert_contains("clean-1");
        let by_rule = app
            .get("/qa/review?all=1&rule=honesty.guarantee", &cookie)
            .await;
        assert!(by_rule.body.contains("flag-1") && !by_rule.body.contains("clean-1"));
        let by_agent = app.get("/qa/review?all=1&agent=a-18", &cookie).await;
        assert!(!by_agent.body.contains("flag-1") && by_agent.body.contains("clean-1"));

        let page = app.get("/interactions/flag-1", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("CARD_NUMBER_1") && !page.body.contains("<CARD_NUMBER_1>"),
            "placeholder shown, escaped: {}",
            page.body
        );
        assert!(!page.body.contains("4111"), "no card number on the page");
        assert!(
            page.body.contains("honesty.guarantee in turn 3"),
            "every lost point says why: {}",
            page.body
        );
        // Every item says in words what it asks of the agent.
        page.assert_contains("<span class=\"hint\">No guarantees that cannot be kept.</span>");
        page.assert_contains(
            "Apologises when the customer reports something the company got wrong.",
        );
        assert_eq!(
            app.get("/interactions/none", &cookie).await.status,
            StatusCode::NOT_FOUND
        );

        let open = app.get("/commitments?status=open", &cookie).await;
        let id = common::value_of(&open.body, "action=\"/commitments/")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let r = app
            .post(
                &format!("/commitments/{id}/fulfil"),
                &cookie,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(r.location(), "/commitments?status=kept");
        let kept = app.get("/commitments?status=kept", &cookie).await;
        kept.assert_contains("1 kept commitment");
        let again = app
            .post(
                &format!("/commitments/{id}/fulfil"),
                &cookie,
                &format!("csrf={csrf}"),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(
            app.get("/commitments?status=late", &cookie).await.status,
            StatusCode::BAD_REQUEST
        );
    }
}

#[tokio::test]
async fn the_navigation_offers_the_qa_pages_to_those_who_may_use_them() {
    let app = App::each().await.remove(0);
    for (role, expect) in [
        (Role::QaAnalyst, true),
        (Role::TeamLead, true),
        (Role::EthicsOfficer, true),
        (Role::Agent, false),
    ] {
        let u = app.user(&format!("nav-{role}"), &[role]).await;
        if role.requires_two_factor() {
            app.state.db.set_totp(u.id, Some(b"x"), true).await.unwrap();
        }
        let (cookie, _) = app.session(&u).await;
        let home = app.get("/", &cookie).await;
        for href in ["href=\"/qa/review\"", "href=\"/commitments\""] {
            assert_eq!(home.body.contains(href), expect, "{role}: {href}");
        }
    }
}

#[tokio::test]
async fn agents_see_their_own_scores_and_promises_and_nobody_elses() {
    for app in App::each().await {
        let bearer = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        let mine = line("mine-1", "hello").replace("\"a-17\"", "\"alex\"");
        let theirs = line("theirs-1", "hello");
        assert_eq!(
            ingest(
                &app,
                &bearer,
                "application/x-ndjson",
                &[mine, theirs].join("\n")
            )
            .await
            .json()["stored"],
            2
        );
        let alex = app.user("alex", &[Role::Agent]).await;
        let (cookie, _) = app.session(&alex).await;
        let work = app.get("/my/work", &cookie).await;
        assert_eq!(work.status, StatusCode::OK);
        assert!(
            work.body.contains("mine-1") && !work.body.contains("theirs-1"),
            "{}",
            work.body
        );
        assert!(
            work.body
                .contains("I will call you back tomorrow before 5pm"),
            "own open promise listed"
        );
        let page = app.get("/my/interactions/mine-1", &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("honesty.guarantee in turn 3"),
            "the reason for the lost points"
        );
        assert_eq!(
            app.get("/my/interactions/theirs-1", &cookie).await.status,
            StatusCode::NOT_FOUND,
            "someone else's is invisible"
        );
        assert_eq!(
            app.get("/interactions/mine-1", &cookie).await.status,
            StatusCode::FORBIDDEN,
            "the QA view is not for agents"
        );
    }
}

#[tokio::test]
async fn qa_overrides_need_a_justification_change_the_score_and_show_in_the_history() {
    for app in App::each().await {
        let bearer = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        let mine = line("ov-1", "hello").replace("\"a-17\"", "\"alex\"");
        assert_eq!(
            ingest(&app, &bearer, "application/json", &mine)
                .await
                .json()["stored"],
            1
        );
        let before = app
            .state
            .db
            .interaction("ov-1")
            .await
            .unwrap()
            .unwrap()
            .score;
        assert!(before < 100, "the guarantee cost points");
        let qa = app.user("quinn", &[Role::QaAnalyst]).await;
        let (cookie, csrf) = app.session(&qa).await;
        let page = app.get("/interactions/ov-1", &cookie).await;
        assert!(
            page.body.contains("action=\"/interactions/ov-1/override\""),
            "QA sees the override form"
        );

        let short = app
            .post(
                "/interactions/ov-1/override",
                &cookie,
                &format!("csrf={csrf}&item=honesty&outcome=met&justification=no"),
            )
            .await;
        short.assert_answer(StatusCode::BAD_REQUEST, &["justification"]);
        let unknown = app
            .post(
                "/interactions/ov-1/override",
                &cookie,
                &format!("csrf={csrf}&item=nope&outcome=met&justification=a+long+enough+reason"),
            )
            .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        let bad = app
            .post(
                "/interactions/ov-1/override",
                &cookie,
                &format!(
                    "csrf={csrf}&item=honesty&outcome=maybe&justification=a+long+enough+reason"
                ),
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let why = "Customer+asked+for+certainty%3B+the+refund+was+already+approved";
        let ok = app
            .post(
                "/interactions/ov-1/override",
                &cookie,
                &format!("csrf={csrf}&item=honesty&outcome=met&justification={why}"),
            )
            .await;
        assert_eq!(ok.location(), "/interactions/ov-1", "{}", ok.body);
        let after = app
            .state
            .db
            .interaction("ov-1")
            .await
            .unwrap()
            .unwrap()
            .score;
        assert!(after > before, "{before} -> {after}");
        let page = app.get("/interactions/ov-1", &cookie).await;
        assert!(
            page.body.contains("Override history")
                && page.body.contains("quinn set honesty to met"),
            "{}",
            page.body
        );
        page.assert_contains(&format!("(automated: {before})"));
        assert!(app.audited("score.overridden").await);

        // The agent sees the same adjusted score and the reason.
        let alex = app.user("alex", &[Role::Agent]).await;
        let (ac, _) = app.session(&alex).await;
        let mine = app.get("/my/interactions/ov-1", &ac).await;
        mine.assert_contains("Overridden to met by quinn");
        assert!(
            !mine.body.contains("Save override"),
            "agents cannot override"
        );
        let denied = app.post("/interactions/ov-1/override", &ac, "csrf=x").await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
    }
}

fn promise(id: &str, agent: &str, team: &str, day: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "voice", "agent_id": agent, "team": team,
        "started_at": format!("2026-11-{day}T09:00:00Z"),
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "my parcel never arrived"},
            {"speaker": "agent", "text": "I will call you back tomorrow before 5pm"}
        ]
    })
    .to_string()
}

async fn get_json(app: &App, bearer: &str, path: &str) -> serde_json::Value {
    let r = app.api_get(path, bearer).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    r.json()
}

#[tokio::test]
async fn the_ledger_lists_due_soon_by_team_and_reports_kept_rates() {
    for app in App::each().await {
        let bearer = app
            .bot_bearer(Role::QaAnalyst, &[Scope::Ingest, Scope::Read])
            .await;
        // The clock stands at 2026-11-20T09:00Z. Promises made on the 19th are due on
        // the 20th at 17:00 (due soon); those of the 17th were due on the 18th (broken).
        let body = [
            promise("t1-a", "ann", "north", "19"),
            promise("t1-b", "ann", "north", "17"),
            promise("t1-c", "bob", "north", "17"),
            promise("t2-a", "cat", "south", "19"),
        ]
        .join("\n");
        assert_eq!(
            ingest(&app, &bearer, "application/x-ndjson", &body)
                .await
                .json()["stored"],
            4
        );
        let soon = get_json(&app, &bearer, "/api/v1/commitments?status=due_soon").await;
        let ids: Vec<&str> = texts(&soon["commitments"], "interaction");
        assert_eq!(ids.len(), 2, "{soon}");
        assert!(ids.contains(&"t1-a") && ids.contains(&"t2-a"));
        let north = get_json(
            &app,
            &bearer,
            "/api/v1/commitments?status=due_soon&team=north",
        )
        .await;
        assert_eq!(north["commitments"].as_array().unwrap().len(), 1);

        // Keep ann's due-soon promise; the two of the 17th are broken.
        let id = north["commitments"][0]["id"].as_str().unwrap().to_owned();
        let r = app
            .api_post(&format!("/api/v1/commitments/{id}/fulfil"), &bearer, "")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let teams = get_json(&app, &bearer, "/api/v1/commitments/kept-rates?by=team").await;
        let rates = teams["rates"].as_array().unwrap();
        let north = rates.iter().find(|r| r["key"] == "north").unwrap();
        assert_eq!(
            (north["kept"].as_i64(), north["broken"].as_i64()),
            (Some(1), Some(2))
        );
        assert!((north["kept_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
        let south = rates.iter().find(|r| r["key"] == "south").unwrap();
        assert_eq!(south["open"], 1);
        assert!(south["kept_rate"].is_null(), "nothing decided yet");
        let agents = get_json(
            &app,
            &bearer,
            "/api/v1/commitments/kept-rates?by=agent&team=north",
        )
        .await;
        let keys: Vec<&str> = texts(&agents["rates"], "key");
        assert_eq!(keys, ["ann", "bob"]);
        let r = app
            .api_get("/api/v1/commitments/kept-rates?by=site", &bearer)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.json()["message"].as_str().unwrap().contains("`by`"));

        // Ann sees her own rate: one kept, one broken.
        let ann = app.user("ann", &[Role::Agent]).await;
        let (cookie, _) = app.session(&ann).await;
        let mine = app.get("/my/work", &cookie).await;
        mine.assert_contains("<strong>50.0%</strong> (1 kept, 1 broken)");

        // The page shows the tabs, the filter and the rate table, low rates marked.
        let lead = app.user("lena", &[Role::TeamLead]).await;
        let (cookie, _) = app.session(&lead).await;
        let page = app
            .get("/commitments?status=due_soon&team=south", &cookie)
            .await;
        page.assert_answer(
            StatusCode::OK,
            &["1 due soon commitment", "Kept rate by agent"],
        );
        let page = app.get("/commitments?status=broken", &cookie).await;
        page.assert_contains("Kept rate by team");
        assert!(
            page.body.contains("class=\"low\""),
            "north at 33% is highlighted"
        );
        page.assert_contains("33.3%");
    }
}

#[tokio::test]
async fn the_review_queue_filters_by_severity_and_date_and_pages() {
    for app in App::each().await {
        let bearer = app.bot_bearer(Role::QaAnalyst, &[Scope::Ingest]).await;
        // 105 flagged interactions (a guarantee: high) over the 10th..14th, plus one
        // clean one and one with only a missing recording notice (medium).
        let mut lines: Vec<String> = (0..105)
            .map(|i| {
                serde_json::json!({
                    "id": format!("g-{i:03}"), "channel": "chat", "agent_id": "a-1",
                    "started_at": format!("2026-11-{:02}T{:02}:00:00Z", 10 + i % 5, i % 24),
                    "turns": [
                        {"speaker": "agent", "text": "this chat may be recorded for quality purposes"},
                        {"speaker": "agent", "text": "I guarantee you will get a full refund"}
                    ]
                })
                .to_string()
            })
            .collect();
        lines.push(clean_line("clean-x"));
        lines.push(
            serde_json::json!({
                "id": "medium-1", "channel": "voice", "agent_id": "a-2", "started_at": "2026-11-18T10:00:00Z",
                "turns": [
                    {"speaker": "agent", "text": "Hello, how can I help you today?"},
                    {"speaker": "customer", "text": "What are your opening hours?"}
                ]
            })
            .to_string(),
        );
        let r = ingest(&app, &bearer, "application/x-ndjson", &lines.join("\n")).await;
        assert_eq!(r.json()["stored"], 107, "{}", r.body);
        let qa = app.user("quinn", &[Role::QaAnalyst]).await;
        let (cookie, _) = app.session(&qa).await;

        let page = app.get("/qa/review?severity=high", &cookie).await;
        page.assert_answer(StatusCode::OK, &["100 interactions on this page"]);
        page.assert_lacks("medium-1");
        let next = common::value_of(&page.body, "href=\"/qa/review?").replace("&amp;", "&");
        let page2 = app.get(&format!("/qa/review?{next}"), &cookie).await;
        page2.assert_contains("5 interactions");
        page2.assert_lacks("rel=\"next\"");
        // No row on both pages: every g-NNN appears exactly once overall.
        for i in 0..105 {
            let id = format!(">g-{i:03}<");
            let n = page.body.matches(&id).count() + page2.body.matches(&id).count();
            assert_eq!(n, 1, "{id} shown {n} times");
        }

        let medium = app.get("/qa/review?severity=medium", &cookie).await;
        medium.assert_contains("medium-1");
        let day = app
            .get(
                "/qa/review?severity=high&from=2026-11-12&to=2026-11-12",
                &cookie,
            )
            .await;
        day.assert_contains("21 interactions");
        let bad = app.get("/qa/review?from=12/11/2026", &cookie).await;
        bad.assert_answer(StatusCode::BAD_REQUEST, &["from"]);
        let bad = app.get("/qa/review?severity=urgent", &cookie).await;
        bad.assert_answer(StatusCode::BAD_REQUEST, &["severity"]);
    }
}
