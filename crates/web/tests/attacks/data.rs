//! Attacks on stored data: customer data at rest, scoping by reporting line, ingestion integrity.

use crate::common::{staff, App, CARD};
use axum::http::StatusCode;
use righttrack_core::Role;
use righttrack_store::directory::NewUser;

/// An employee sets their display name to a tab followed by a formula; an ethics officer
/// exports the training report and opens it in a spreadsheet. Before the fix the cell
/// started with the tab (not neutralised) and the spreadsheet ran the formula.
#[tokio::test]
async fn a_formula_behind_a_tab_or_carriage_return_is_defused_in_csv_exports() {
    for app in App::each().await {
        for (name, shown) in [
            ("tabby", "\t=HYPERLINK(\"http://evil.example\",\"x\")"),
            ("carry", "\r=1+1"),
        ] {
            let u = app
                .state
                .db
                .create_user(
                    NewUser {
                        username: name.into(),
                        display_name: shown.into(),
                        password_hash: Some(crate::common::pw_hash()),
                        team: None,
                        roles: vec![Role::Agent],
                    },
                    app.now(),
                    &mut rand::rngs::OsRng,
                )
                .await
                .unwrap();
            app.train(&u).await;
        }
        let officer = app.user("eshe", &[Role::EthicsOfficer]).await;
        let (cookie, csrf) = app.session(&officer).await;
        let rule = app
            .post(
                "/training/rules",
                &cookie,
                &format!("csrf={csrf}&course=data-privacy&roles=agent&due_days=0"),
            )
            .await;
        rule.assert_contains("Rule added");
        let r = app.get("/training/reports.csv", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("tabby") && r.body.contains("carry"),
            "{}",
            r.body
        );
        for cell in r.body.split([',', '\n']) {
            let inner = cell.trim_start_matches('"');
            assert!(
                !inner.starts_with(['\t', '\r', '=', '+', '@']),
                "a cell starts a formula: {cell:?}\n{}",
                r.body
            );
        }
        r.assert_contains("\"'\t=HYPERLINK");
    }
}

/// An ingest token (as an `Authorization` value) of a new admin bot.
async fn ingest_token(app: &App) -> String {
    let bot = app.user("ingest-bot", &[Role::Admin]).await;
    app.bearer(&bot, &[righttrack_core::authz::Scope::Ingest])
        .await
}

async fn ingest_raw(app: &App, token: &str, body: &str) -> crate::common::Resp {
    app.post_interactions(token, "application/x-ndjson", body)
        .await
}

fn call(id: &str, agent: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "channel": "voice", "agent_id": agent, "started_at": "2026-11-20T08:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "I need my refund"}
        ]
    })
}

const ANI: &str = "+1 415 555 0134";
const REF: &str = "CUST-4711";

/// An integrator sends interactions with fields the contract does not know (`notes`
/// holding a card number, `caller_ani` the caller's number) and a `customer_ref`.
/// Before the fix all three were stored as sent and served back by the API: anyone with
/// a database copy or QA access read the card, the number, and (joined with the
/// conflict findings) which customer is an agent's relative.
#[tokio::test]
async fn unknown_fields_and_the_customer_reference_are_not_kept_in_plaintext() {
    for app in App::each().await {
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        let qa = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let r = app
            .post(
                "/conflicts/disclosures",
                &agent.cookie,
                &format!(
                    "csrf={}&occasion=hire&kind=relative_customer&name=Marta+Rivera&relationship=sister&customer_refs={REF}",
                    agent.csrf
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let token = ingest_token(&app).await;
        let mut v = call("leak-1", "alex");
        v["notes"] = serde_json::json!(format!("customer read out card {CARD} twice"));
        v["caller_ani"] = serde_json::json!(ANI);
        v["crm"] = serde_json::json!({"contacts": [{"card": CARD}]});
        v["turns"][1]["sentiment_note"] = serde_json::json!(format!("card {CARD}"));
        v["customer_ref"] = serde_json::json!(REF);
        let r = ingest_raw(&app, &token, &v.to_string()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["stored"], 1, "{}", r.body);

        let leaks = |s: &str| -> Vec<&str> {
            let l = s.to_ascii_lowercase();
            [CARD, "4111111111111111", ANI, "415 555 0134", "cust-4711"]
                .into_iter()
                .filter(|n| l.contains(&n.to_ascii_lowercase()))
                .collect()
        };
        // Every API answer about it.
        for path in ["/api/v1/interactions/leak-1", "/interactions/leak-1"] {
            let got = app.get(path, &qa.cookie).await;
            assert_eq!(got.status, StatusCode::OK, "{path}: {}", got.body);
            assert!(
                leaks(&got.body).is_empty(),
                "{path} serves {:?}",
                leaks(&got.body)
            );
        }
        // The rows at rest.
        let stored = app.state.db.interaction("leak-1").await.unwrap().unwrap();
        let row = format!("{} {}", stored.interaction, stored.findings);
        assert!(leaks(&row).is_empty(), "stored: {:?} in {row}", leaks(&row));
        assert!(
            stored.interaction.get("notes").is_some() && stored.interaction.get("crm").is_some(),
            "unknown fields are kept, masked: {row}"
        );
        // Card numbers are masked to at most the first 6 and last 4 digits (as PCI DSS
        // allows), everything else fully.
        for needle in ["1111 1111 1111", "111111111111", "555 0134", "4711"] {
            let n = app
                .t
                .scalar(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM interactions WHERE redacted LIKE '%{needle}%' OR findings LIKE '%{needle}%'"
                ))
                .await
                .unwrap();
            assert_eq!(n, 0, "{needle} at rest ({})", app.state.db.backend_name());
        }
        if let Some(p) = app.t.sqlite_path() {
            let mut bytes = std::fs::read(&p).unwrap();
            bytes.extend(std::fs::read(p.with_extension("db-wal")).unwrap_or_default());
            for n in [CARD.as_bytes(), ANI.as_bytes(), b"CUST-4711"] {
                assert!(
                    !bytes.windows(n.len()).any(|w| w == n),
                    "{} in the database file",
                    String::from_utf8_lossy(n)
                );
            }
        }
        // The conflict finding still works, through the keyed hash.
        let hits = app
            .t
            .scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM conflict_hits")
            .await
            .unwrap();
        assert_eq!(hits, 1, "the disclosed relation is still found");
    }
}

/// A sender re-sends an interaction under an id already stored, with other content
/// (an edited transcript). Before the fix it was counted as a "duplicate" and dropped
/// without a word, so the sender believed the edit was stored.
#[tokio::test]
async fn a_resent_id_with_other_content_is_reported_as_a_conflict() {
    for app in App::each().await {
        let token = ingest_token(&app).await;
        let first = call("same-1", "alex");
        let r = ingest_raw(&app, &token, &first.to_string()).await;
        assert_eq!(r.json()["stored"], 1, "{}", r.body);
        let mut edited = first.clone();
        edited["turns"][1]["text"] = serde_json::json!("I need my refund today");
        let body = format!("{first}\n{edited}\n");
        let r = ingest_raw(&app, &token, &body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["stored"], 0, "{}", r.body);
        assert_eq!(j["duplicates"], 1, "{}", r.body);
        assert_eq!(j["conflicts"], 1, "{}", r.body);
        assert_eq!(j["results"][1]["status"], "conflict", "{}", r.body);
        assert_eq!(j["errors"][0]["line"], 2, "{}", r.body);
        assert_eq!(j["errors"][0]["id"], "same-1", "{}", r.body);
        let msg = j["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.contains("`id`") && msg.contains("different content"),
            "{msg}"
        );
    }
}

/// A sender posts interactions with an empty id, a path as id (`../../etc/passwd`),
/// an id of 300 characters, 6,000 turns and a 2 MiB transcript. Before the fix every
/// one was stored; now each is refused with its line and field, and the good line of
/// the same batch is stored.
#[tokio::test]
async fn empty_long_and_path_like_ids_and_huge_interactions_are_refused_by_line_and_field() {
    for app in App::each().await {
        let token = ingest_token(&app).await;
        let mut lines = vec![call("ok-1", "alex")];
        for id in [
            "",
            "   ",
            "../../etc/passwd",
            "a/b",
            "C:\\x",
            &"x".repeat(300),
        ] {
            lines.push(call(id, "alex"));
        }
        let mut many = call("many-1", "alex");
        many["turns"] = serde_json::json!(vec![
            serde_json::json!({"speaker": "agent", "text": "hi"});
            6000
        ]);
        lines.push(many);
        let mut big = call("big-1", "alex");
        big["turns"][1]["text"] = serde_json::json!("refund ".repeat(300_000));
        lines.push(big);
        lines.push(call("ok-2", "../agent"));
        let body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let r = ingest_raw(&app, &token, &body.join("\n")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["stored"], 1, "{}", r.body);
        let errors = j["errors"].as_array().unwrap();
        let by_line = |n: u64| {
            errors
                .iter()
                .find(|e| e["line"] == n)
                .and_then(|e| e["message"].as_str())
                .unwrap_or_else(|| panic!("line {n} not refused: {}", r.body))
                .to_owned()
        };
        for n in 2..=7 {
            assert!(by_line(n).starts_with("field `id`"), "{n}: {}", by_line(n));
        }
        assert!(by_line(8).starts_with("field `turns`"), "{}", by_line(8));
        assert!(by_line(9).contains("larger than"), "{}", by_line(9));
        assert!(
            by_line(10).starts_with("field `agent_id`"),
            "{}",
            by_line(10)
        );
        assert_eq!(
            app.t.count("interactions").await.unwrap(),
            1,
            "only the good line is stored"
        );
    }
}

/// The lead of team A opens team B's flagged interactions from the review queue, by id
/// on the page and the API, and the certificates of team B's people. Before the fix
/// every one of them was served; now the queue holds only A's and each of B's items is
/// "not found", exactly like an id that does not exist.
#[tokio::test]
async fn a_team_lead_reads_only_their_reporting_lines_interactions_and_certificates() {
    for app in App::each().await {
        let alex = staff(&app, "alex", &[Role::Agent]).await;
        let bea = staff(&app, "bea", &[Role::Agent]).await;
        let lena = staff(&app, "lena", &[Role::TeamLead]).await;
        let lars = staff(&app, "lars", &[Role::TeamLead]).await;
        let qa = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        app.team("Billing", &lena.user, &[&alex.user]).await;
        app.team("Retention", &lars.user, &[&bea.user]).await;
        let token = ingest_token(&app).await;
        let flagged = |id: &str, agent: &str| {
            let mut v = call(id, agent);
            v["turns"][1]["text"] = serde_json::json!("I guarantee it will be fixed today");
            v["turns"][1]["speaker"] = serde_json::json!("agent");
            v.to_string()
        };
        let r = ingest_raw(
            &app,
            &token,
            &format!(
                "{}\n{}\n",
                flagged("mine-1", "alex"),
                flagged("theirs-1", "bea")
            ),
        )
        .await;
        assert_eq!(r.json()["stored"], 2, "{}", r.body);

        // The queue.
        for q in ["/qa/review", "/qa/review?all=1", "/qa/review?agent=bea"] {
            let page = app.get(q, &lena.cookie).await;
            assert_eq!(page.status, StatusCode::OK, "{q}");
            assert!(!page.body.contains("theirs-1"), "{q}: {}", page.body);
        }
        assert!(app
            .get("/qa/review?all=1", &lena.cookie)
            .await
            .body
            .contains("mine-1"));
        assert!(app
            .get("/qa/review?all=1", &qa.cookie)
            .await
            .body
            .contains("theirs-1"));

        // One interaction: another line's is exactly like one that does not exist.
        for base in ["/interactions/", "/api/v1/interactions/"] {
            let theirs = app.get(&format!("{base}theirs-1"), &lena.cookie).await;
            let none = app.get(&format!("{base}no-such-id"), &lena.cookie).await;
            assert_eq!(
                theirs.status,
                StatusCode::NOT_FOUND,
                "{base}: {}",
                theirs.body
            );
            assert_eq!(theirs.body, none.body, "{base}");
            let mine = app.get(&format!("{base}mine-1"), &lena.cookie).await;
            assert_eq!(mine.status, StatusCode::OK, "{base}: {}", mine.body);
            let far = app.get(&format!("{base}theirs-1"), &lars.cookie).await;
            assert_eq!(far.status, StatusCode::OK, "{base}: B's lead reads B's");
            let all = app.get(&format!("{base}theirs-1"), &qa.cookie).await;
            assert_eq!(all.status, StatusCode::OK, "{base}: QA reads every team's");
        }

        // Certificates.
        let cert = |u: &righttrack_store::directory::User| {
            let db = app.state.db.clone();
            let id = u.id;
            async move {
                db.training_completions(Some(id)).await.unwrap()[0]
                    .id
                    .to_string()
            }
        };
        let beas = cert(&bea.user).await;
        let alexs = cert(&alex.user).await;
        let theirs = app
            .get(&format!("/my/training/certificates/{beas}"), &lena.cookie)
            .await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.body);
        theirs.assert_lacks("bea Person");
        let mine = app
            .get(&format!("/my/training/certificates/{alexs}"), &lena.cookie)
            .await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
        mine.assert_contains("alex Person");
        let own = app
            .get(&format!("/my/training/certificates/{beas}"), &bea.cookie)
            .await;
        assert_eq!(own.status, StatusCode::OK, "one's own certificate");
    }
}
