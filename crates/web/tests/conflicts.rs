//! Conflicts of interest as people use them: an agent declares a relative who is a
//! customer and a gift, an ethics officer reviews with a mitigation, ingestion raises a
//! finding the team lead sees, the telephony routing lookup, campaigns and their
//! coverage with small groups suppressed, the gifts register, who may read what (404
//! and 403 for everyone else), bad input, and the colleague relationship on the
//! dispute page.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, App, Staff};
use righttrack_core::authz::Scope;
use righttrack_core::Role;

/// An ingest token (as an `Authorization` value) of a new admin bot.
async fn ingest_token(app: &App) -> String {
    let bot = app.user("ingest-bot", &[Role::Admin]).await;
    app.bearer(&bot, &[Scope::Ingest]).await
}

async fn ingest(app: &App, token: &str, lines: &[serde_json::Value]) -> serde_json::Value {
    let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let r = app
        .post_interactions(token, "application/x-ndjson", &body.join("\n"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

fn call(id: &str, agent: &str, customer_ref: Option<&str>) -> serde_json::Value {
    let mut v = serde_json::json!({
        "id": id, "channel": "voice", "agent_id": agent, "started_at": "2026-11-20T08:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "I need my refund"},
            {"speaker": "agent", "text": "I guarantee it will be fixed today"}
        ]
    });
    if let Some(r) = customer_ref {
        v["customer_ref"] = serde_json::json!(r);
    }
    v
}

/// Submits the employee's form; returns the disclosure id (from the redirect).
async fn declare(app: &App, who: &Staff, fields: &str) -> String {
    let r = app
        .post(
            "/conflicts/disclosures",
            &who.cookie,
            &format!("csrf={}&{fields}", who.csrf),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .strip_prefix("/conflicts/disclosures/")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_declared_relative_is_reviewed_and_an_interaction_with_their_account_reaches_the_lead() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let other = staff(&app, "bea", &[Role::Agent]).await;
        let lead = staff(&app, "lena", &[Role::TeamLead]).await;
        let far_lead = staff(&app, "lars", &[Role::TeamLead]).await;
        let officer = staff(&app, "eshe", &[Role::EthicsOfficer]).await;
        app.team("Billing", &lead.user, &[&agent.user, &other.user])
            .await;
        app.team("Retention", &far_lead.user, &[]).await;

        // The agent declares their sister, a customer, on hire.
        let page = app.get("/conflicts", &agent.cookie).await;
        page.assert_answer(StatusCode::OK, &["as a new colleague"]);
        let id = declare(
            &app,
            &agent,
            "occasion=hire&kind=relative_customer&name=Marta+Rivera&relationship=sister&customer_refs=CUST-4711",
        )
        .await;
        let mine = app
            .get(&format!("/conflicts/disclosures/{id}"), &agent.cookie)
            .await;
        mine.assert_answer(StatusCode::OK, &["Marta Rivera", "submitted"]);

        // At rest: the name is sealed and the reference is only a keyed hash.
        let row = app.state.db.disclosure(&id).await.unwrap().unwrap();
        let sealed = row.details_sealed.unwrap();
        assert!(!sealed.windows(5).any(|w| w == b"Marta"));
        assert_eq!(row.reviewer.as_deref(), Some("eshe"));
        let h = righttrack_app::program::conflicts::hash_ref(&app.state, "cust-4711").unwrap();
        assert_eq!(
            app.state.db.agents_to_avoid(&h).await.unwrap(),
            vec!["alex"]
        );

        // The officer reviews it with a mitigation.
        let seen = app
            .get(&format!("/conflicts/disclosures/{id}"), &officer.cookie)
            .await;
        seen.assert_answer(StatusCode::OK, &["Record decision"]);
        let r = app
            .post(
                &format!("/conflicts/disclosures/{id}/decision"),
                &officer.cookie,
                &format!(
                    "csrf={}&decision=mitigate&rationale=close+relative&mitigation=Never+handles+account+CUST-4711&owner=lena&review_date=2027-03-01",
                    officer.csrf
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let after = app
            .get(&format!("/conflicts/disclosures/{id}"), &agent.cookie)
            .await;
        after.assert_contains("mitigated");
        after.assert_contains("Never handles account CUST-4711");
        let again = app
            .post(
                &format!("/conflicts/disclosures/{id}/decision"),
                &officer.cookie,
                &format!("csrf={}&decision=approve&rationale=x", officer.csrf),
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let actions = app.audit_actions().await;
        for a in [
            "conflicts.disclosed",
            "conflicts.disclosure_viewed",
            "conflicts.disclosure_decided",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} not audited");
        }

        // Ingestion: the agent handles the sister's account (reference written another
        // way); another agent handling it, and a call without a reference, raise nothing.
        let token = ingest_token(&app).await;
        ingest(
            &app,
            &token,
            &[
                call("c-1", "alex", Some(" cust-4711 ")),
                call("c-2", "bea", Some("CUST-4711")),
                call("c-3", "alex", None),
                call("c-4", "alex", Some("CUST-9999")),
            ],
        )
        .await;
        let findings = app.get("/conflicts/findings", &lead.cookie).await;
        findings.assert_answer(StatusCode::OK, &["c-1", "disclosed relation"]);
        assert!(!findings.body.contains("c-2") && !findings.body.contains("c-4"));
        assert!(
            !findings.body.contains("Marta"),
            "the lead sees no disclosure detail"
        );
        let far = app.get("/conflicts/findings", &far_lead.cookie).await;
        assert!(
            !far.body.contains("c-1"),
            "another line's lead sees nothing"
        );
        let api = app
            .get("/api/v1/conflicts/findings", &officer.cookie)
            .await
            .json();
        assert_eq!(api["findings"].as_array().unwrap().len(), 1);
        assert_eq!(api["findings"][0]["interaction"], "c-1");

        // The lead gets the content-free notification.
        righttrack_app::jobs::digest::run(&app.state, app.now())
            .await
            .unwrap();
        let day = righttrack_core::clock::day(app.now());
        let notes = app.state.db.notifications_of_day(&day).await.unwrap();
        assert!(notes
            .iter()
            .any(|(u, t)| u == "lena" && t == righttrack_app::program::conflicts::NOTICE));
        assert!(notes
            .iter()
            .all(|(_, t)| !t.contains("alex") && !t.contains("c-1")));

        // The telephony lookup: the reference in the body, the agents to avoid back.
        let ask = |body: &'static str| {
            let token = token.clone();
            let app = &app;
            async move {
                app.api_post("/api/v1/conflicts/routing", &token, body)
                    .await
            }
        };
        let r = ask(r#"{"customer_ref": "CUST-4711"}"#).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["avoid_agents"], serde_json::json!(["alex"]));
        let r = ask(r#"{"customer_ref": "CUST-1"}"#).await;
        assert_eq!(r.json()["avoid_agents"], serde_json::json!([]));
        let r = ask(r#"{}"#).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("customer_ref"));
        let r = ask("not json").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}

#[tokio::test]
async fn only_the_discloser_officers_and_the_reviewer_read_a_disclosure() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let officer = staff(&app, "eshe", &[Role::EthicsOfficer]).await;
        let id = declare(
            &app,
            &agent,
            "kind=outside_employment&name=Acme+Collections&relationship=weekend+job",
        )
        .await;
        let outsiders = [
            staff(&app, "lena", &[Role::TeamLead]).await,
            staff(&app, "quinn", &[Role::QaAnalyst]).await,
            staff(&app, "ada", &[Role::Admin]).await,
            staff(&app, "bea", &[Role::Agent]).await,
        ];
        for o in &outsiders {
            let page = app
                .get(&format!("/conflicts/disclosures/{id}"), &o.cookie)
                .await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", o.user.username);
            page.assert_lacks("Acme");
            let api = app
                .get(&format!("/api/v1/conflicts/disclosures/{id}"), &o.cookie)
                .await;
            assert_eq!(api.status, StatusCode::NOT_FOUND);
            assert_eq!(api.json()["code"], "not_found");
            for path in [
                "/conflicts/review",
                "/conflicts/reports",
                "/conflicts/reports/export.csv?report=gifts",
                "/api/v1/conflicts/reports",
            ] {
                let r = app.get(path, &o.cookie).await;
                assert_eq!(
                    r.status,
                    StatusCode::FORBIDDEN,
                    "{path} {}",
                    o.user.username
                );
            }
            let decide = app
                .post(
                    &format!("/conflicts/disclosures/{id}/decision"),
                    &o.cookie,
                    &format!("csrf={}&decision=approve&rationale=x", o.csrf),
                )
                .await;
            assert_eq!(decide.status, StatusCode::FORBIDDEN);
        }
        // The agent's own list (API) shows it without its sealed text.
        let list = app
            .get("/api/v1/conflicts/disclosures", &agent.cookie)
            .await;
        assert_eq!(list.json()["disclosures"][0]["id"], id.as_str());
        list.assert_lacks("Acme");
        let api = app
            .get(
                &format!("/api/v1/conflicts/disclosures/{id}"),
                &officer.cookie,
            )
            .await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()["name"], "Acme Collections");
        // The discloser reading their own is not audited; the officer's reading is.
        let viewed = app
            .audit_actions()
            .await
            .into_iter()
            .filter(|a| a == "conflicts.disclosure_viewed")
            .count();
        assert_eq!(viewed, 1);
        // An officer cannot decide their own disclosure.
        let other_officer = staff(&app, "omar", &[Role::EthicsOfficer]).await;
        let own = declare(
            &app,
            &officer,
            "kind=financial_interest&description=shares+in+a+vendor",
        )
        .await;
        let row = app.state.db.disclosure(&own).await.unwrap().unwrap();
        assert_eq!(row.reviewer.as_deref(), Some("omar"), "never oneself");
        let r = app
            .post(
                &format!("/conflicts/disclosures/{own}/decision"),
                &officer.cookie,
                &format!("csrf={}&decision=approve&rationale=fine", officer.csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &format!("/conflicts/disclosures/{own}/decision"),
                &other_officer.cookie,
                &format!(
                    "csrf={}&decision=approve&rationale=fine",
                    other_officer.csrf
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn gifts_over_the_threshold_wait_for_approval_and_fill_the_register() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let officer = staff(&app, "eshe", &[Role::EthicsOfficer]).await;
        // The threshold is configurable.
        app.get("/conflicts/review", &officer.cookie).await;
        let r = app
            .post(
                "/conflicts/settings",
                &officer.cookie,
                &format!("csrf={}&threshold=50&currency=usd", officer.csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let small = declare(
            &app,
            &agent,
            "kind=gift&direction=received&name=Mr+Smith&description=chocolates&value=20&currency=USD",
        )
        .await;
        let big = declare(
            &app,
            &agent,
            "kind=gift&direction=received&name=Northwind+Vendors&description=concert+tickets&value=250.00&currency=USD",
        )
        .await;
        let foreign = declare(
            &app,
            &agent,
            "kind=gift&direction=offered&name=Client+X&description=lunch&value=10&currency=EUR",
        )
        .await;
        let db = &app.state.db;
        let s = db.disclosure(&small).await.unwrap().unwrap();
        assert_eq!((s.status.as_str(), s.needs_approval), ("recorded", false));
        let b = db.disclosure(&big).await.unwrap().unwrap();
        assert_eq!((b.status.as_str(), b.needs_approval), ("submitted", true));
        let f = db.disclosure(&foreign).await.unwrap().unwrap();
        assert!(f.needs_approval, "another currency cannot be compared");
        let queue = app.get("/conflicts/review", &officer.cookie).await;
        queue.assert_contains("needs approval");
        queue.assert_contains(&big);
        let csv = app
            .get(
                "/conflicts/reports/export.csv?report=gifts",
                &officer.cookie,
            )
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        csv.assert_contains("\"Northwind Vendors\"");
        csv.assert_contains("\"250.00\",\"USD\",\"true\",\"submitted\"");
        assert_eq!(csv.body.lines().count(), 4, "header and three gifts");
        let bad = app
            .get(
                "/conflicts/reports/export.csv?report=everything",
                &officer.cookie,
            )
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(app.audited("conflicts.report_viewed").await);
    }
}

#[tokio::test]
async fn bad_input_names_the_field() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let officer = staff(&app, "eshe", &[Role::EthicsOfficer]).await;
        for (fields, field) in [
            ("kind=wizardry", "kind"),
            (
                "kind=relative_customer&relationship=sister&customer_refs=1",
                "name",
            ),
            (
                "kind=relative_customer&name=M&relationship=sister",
                "customer_refs",
            ),
            (
                "kind=colleague&colleague=nobody&relationship=friend",
                "colleague",
            ),
            ("kind=colleague&colleague=alex&relationship=me", "colleague"),
            (
                "kind=gift&direction=received&name=X&description=Y&value=1,5&currency=USD",
                "value",
            ),
            (
                "kind=gift&direction=sideways&name=X&description=Y&value=1&currency=USD",
                "direction",
            ),
            ("kind=nothing&occasion=campaign", "campaign"),
            ("kind=nothing&occasion=someday", "occasion"),
        ] {
            let r = app
                .post(
                    "/conflicts/disclosures",
                    &agent.cookie,
                    &format!("csrf={}&{fields}", agent.csrf),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
            assert!(
                r.body.contains(&format!("`{field}`")),
                "{fields}: {}",
                r.body
            );
        }
        let id = declare(&app, &agent, "kind=vendor&name=Acme&relationship=owner").await;
        for (fields, field) in [
            ("decision=maybe&rationale=x", "decision"),
            ("decision=approve", "rationale"),
            ("decision=mitigate&rationale=x", "mitigation"),
            (
                "decision=mitigate&rationale=x&mitigation=m&owner=ghost&review_date=2027-01-01",
                "owner",
            ),
            (
                "decision=mitigate&rationale=x&mitigation=m&owner=eshe&review_date=2020-01-01",
                "review_date",
            ),
        ] {
            let r = app
                .post(
                    &format!("/conflicts/disclosures/{id}/decision"),
                    &officer.cookie,
                    &format!("csrf={}&{fields}", officer.csrf),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
            assert!(
                r.body.contains(&format!("`{field}`")),
                "{fields}: {}",
                r.body
            );
        }
        // The JSON API: a malformed body is a 400, a bad field a 422 with its name.
        let t = righttrack_web::auth::issue_token(
            &app.state,
            "test",
            &agent.user,
            "t",
            &[Scope::Admin],
        )
        .await
        .unwrap();
        let auth = format!("Bearer {}", t.expose());
        let r = app
            .api_post("/api/v1/conflicts/disclosures", &auth, "{")
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app
            .api_post("/api/v1/conflicts/disclosures", &auth, r#"{"kind": "gift", "direction": "received", "name": "V", "description": "d", "value": "10", "currency": "dollars"}"#)
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["code"], "unprocessable");
        assert!(r.json()["message"].as_str().unwrap().contains("`currency`"));
        let r = app
            .api_post(
                "/api/v1/conflicts/disclosures",
                &auth,
                r#"{"kind": "nothing"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["status"], "recorded");
    }
}

#[tokio::test]
async fn a_campaign_asks_its_audience_and_coverage_hides_small_groups() {
    for app in App::each().await {
        let officer = staff(&app, "eshe", &[Role::EthicsOfficer]).await;
        let lead_a = app.user("lead-a", &[Role::TeamLead]).await;
        let lead_b = app.user("lead-b", &[Role::TeamLead]).await;
        let mut big = Vec::new();
        for i in 0..6 {
            big.push(staff(&app, &format!("big{i}"), &[Role::Agent]).await);
        }
        let mut small = Vec::new();
        for i in 0..2 {
            small.push(staff(&app, &format!("small{i}"), &[Role::Agent]).await);
        }
        app.team(
            "Big",
            &lead_a,
            &big.iter().map(|p| &p.user).collect::<Vec<_>>(),
        )
        .await;
        app.team(
            "Small",
            &lead_b,
            &small.iter().map(|p| &p.user).collect::<Vec<_>>(),
        )
        .await;
        // A third team of 5: the smallest shown group, withheld so that "Small" cannot be
        // worked out from the total.
        let lead_c = app.user("lead-c", &[Role::TeamLead]).await;
        let mut mid = Vec::new();
        for i in 0..5 {
            mid.push(app.user(&format!("mid{i}"), &[Role::Agent]).await);
        }
        app.team("Mid", &lead_c, &mid.iter().collect::<Vec<_>>())
            .await;
        let r = app
            .post(
                "/conflicts/campaigns",
                &officer.cookie,
                &format!("csrf={}&year=2026&due=2026-12-31&role=agent", officer.csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let dup = app
            .post(
                "/conflicts/campaigns",
                &officer.cookie,
                &format!("csrf={}&year=2026&due=2026-12-31", officer.csrf),
            )
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        let campaign = app.state.db.conflict_campaigns().await.unwrap()[0]
            .id
            .clone();
        // Agents are asked; the officer is not in the audience.
        let page = app.get("/conflicts", &big[0].cookie).await;
        page.assert_contains("2026 disclosure campaign");
        let page = app.get("/conflicts", &officer.cookie).await;
        page.assert_lacks("2026 disclosure campaign");
        for p in big.iter().take(3).chain(small.iter().take(1)) {
            let r = app
                .post(
                    "/conflicts/disclosures",
                    &p.cookie,
                    &format!(
                        "csrf={}&kind=nothing&occasion=campaign&campaign={campaign}",
                        p.csrf
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let page = app.get("/conflicts", &big[0].cookie).await;
        assert!(!page.body.contains("2026 disclosure campaign"), "answered");
        let r = app
            .post(
                "/conflicts/disclosures",
                &officer.cookie,
                &format!(
                    "csrf={}&kind=nothing&occasion=campaign&campaign={campaign}",
                    officer.csrf
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "not in the audience"
        );

        let rep = app
            .get("/api/v1/conflicts/reports", &officer.cookie)
            .await
            .json();
        let teams = rep["coverage"]["by_team"].as_array().unwrap();
        let big_row = teams.iter().find(|t| t["name"] == "Big").unwrap();
        assert_eq!(big_row["members"], 6);
        assert_eq!(big_row["submitted"], 3);
        assert_eq!(big_row["percent"], 50);
        let small_row = teams.iter().find(|t| t["name"] == "Small").unwrap();
        assert_eq!(small_row["suppressed"], true);
        assert!(small_row.get("submitted").is_none());
        let mid_row = teams.iter().find(|t| t["name"] == "Mid").unwrap();
        assert_eq!(mid_row["suppressed"], true);
        assert!(mid_row["reason"].as_str().unwrap().contains("worked out"));
        let csv = app
            .get(
                "/conflicts/reports/export.csv?report=coverage",
                &officer.cookie,
            )
            .await;
        csv.assert_contains("\"team\",\"Big\",\"6\",\"3\",\"50\"");
        csv.assert_contains("\"team\",\"Small\",\"\",\"\",\"\",\"fewer than 5 people\"");
        // Those who have not answered get the content-free reminder.
        righttrack_app::jobs::digest::run(&app.state, app.now())
            .await
            .unwrap();
        let day = righttrack_core::clock::day(app.now());
        let notes = app.state.db.notifications_of_day(&day).await.unwrap();
        assert!(notes.iter().any(|(u, _)| u == "big5"));
        assert!(!notes.iter().any(|(u, _)| u == "big0"));
    }
}

#[tokio::test]
async fn the_dispute_page_shows_a_disclosed_relationship_with_the_agent() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let qa = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let token = ingest_token(&app).await;
        ingest(&app, &token, &[call("d-1", "alex", None)]).await;
        declare(
            &app,
            &agent,
            "kind=colleague&colleague=quinn&relationship=partner",
        )
        .await;
        let r = app
            .post(
                "/my/interactions/d-1/disputes",
                &agent.cookie,
                &format!("csrf={}&item=honesty&reason=I+did+not+promise", agent.csrf),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let d = app
            .state
            .db
            .disputes(
                &righttrack_store::disputes::DisputeFilter {
                    limit: 10,
                    ..Default::default()
                },
                app.now(),
            )
            .await
            .unwrap();
        let page = app
            .get(&format!("/qa/disputes/{}", d[0].id), &qa.cookie)
            .await;
        page.assert_answer(StatusCode::OK, &["Disclosed relationship"]);
        assert!(
            !page.body.contains("partner"),
            "the relationship's words stay sealed"
        );
        let rel = righttrack_app::program::conflicts::colleague_relations_between(
            &app.state,
            qa.user.id,
            agent.user.id,
        )
        .await
        .unwrap();
        assert_eq!(rel.len(), 1);
        assert_eq!(rel[0].discloser, "alex");
        assert!(!rel[0].same_line, "no team in common");
    }
}

#[tokio::test]
async fn the_discipline_form_shows_a_disclosed_relationship_with_the_person() {
    for app in App::each().await {
        staff(&app, "alex", &[Role::Agent]).await;
        let lead = staff(&app, "lena", &[Role::TeamLead]).await;
        let other = staff(&app, "omar", &[Role::Agent]).await;
        declare(
            &app,
            &lead,
            "kind=colleague&colleague=alex&relationship=brother-in-law",
        )
        .await;
        let page = app.get("/discipline/new?subject=alex", &lead.cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.assert_contains("Disclosed relationship: lena declared a relationship with alex");
        assert!(
            !page.body.contains("brother-in-law"),
            "the relationship's words stay sealed"
        );
        let unrelated = app
            .get(
                &format!("/discipline/new?subject={}", other.user.username),
                &lead.cookie,
            )
            .await;
        unrelated.assert_lacks("id=\"relationship\"");
    }
}
