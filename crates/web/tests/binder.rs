//! The evidence binder from its users' side: six topics with figures that follow what
//! is done in the app (a policy published and attested, hotline reports filed; small
//! counts withheld), narratives saved and audited, every export carrying the audit head
//! it was generated at, the CSV and JSON shapes, the PDF's pages, who may read and
//! write, and no hotline content anywhere. Runs on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{url, App, Resp};
use righttrack_core::binder::{QUESTIONS, TOPICS};
use righttrack_core::Role;
use righttrack_store::directory::User;
use serde_json::{json, Value};

struct Person {
    cookie: String,
    csrf: String,
}

async fn person(app: &App, name: &str, roles: &[Role]) -> Person {
    let user = app.user(name, roles).await;
    let (cookie, csrf) = app.session(&user).await;
    Person { cookie, csrf }
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

async fn post(app: &App, who: &Person, path: &str, fields: &[(&str, &str)]) -> Resp {
    let mut body = format!("csrf={}", url(&who.csrf));
    for (k, v) in fields {
        body.push_str(&format!("&{k}={}", url(v)));
    }
    app.post(path, &who.cookie, &body).await
}

fn figure<'a>(binder: &'a Value, key: &str) -> &'a Value {
    binder["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["questions"].as_array().unwrap())
        .flat_map(|q| q["figures"].as_array().unwrap())
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no figure {key}"))
}

fn question<'a>(binder: &'a Value, key: &str) -> &'a Value {
    binder["topics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["questions"].as_array().unwrap())
        .find(|q| q["key"] == key)
        .unwrap_or_else(|| panic!("no question {key}"))
}

async fn binder(app: &App, who: &Person) -> Value {
    let r = app.get("/api/v1/binder", &who.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

async fn report(app: &App, description: &str, anonymous: bool) {
    let body = if anonymous {
        json!({"category": "harassment", "description": description, "anonymous": true})
    } else {
        json!({"category": "harassment", "description": description, "anonymous": false, "name": "Named Reporter"})
    };
    let r = app
        .send(
            Method::POST,
            "/api/v1/speakup/reports",
            &[("content-type", "application/json")],
            &body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// A CSV parser after RFC 4180: quoted cells may hold commas, quotes and new lines.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(
        !quoted && cell.is_empty() && row.is_empty(),
        "ends with a row"
    );
    rows
}

// Policy "Code": drafted, four-eyes published, attested through the API.
const BODY: &str = "Our code.\n\n## 1. Honesty\n\n1.1 Tell customers the truth.\n";
const QUIZ: &str =
    "? Gift limit?\n- 100\n+ 25\n\n? Who do you tell the truth?\n+ Customers\n- Nobody\n";

async fn publish_policy(app: &App, a: &Person, b: &Person) -> String {
    let r = post(app, a, "/policies/manage", &[("title", "Code")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = app.state.db.policy("code").await.unwrap().unwrap();
    let v = app.state.db.versions(&p.id).await.unwrap()[0].id.clone();
    let r = post(
        app,
        a,
        "/policies/manage/code/draft",
        &[
            ("version", &v),
            ("kind", "material"),
            ("summary", "First"),
            ("body", BODY),
            ("quiz", QUIZ),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for (who, step) in [(a, "submit"), (b, "approve"), (b, "publish")] {
        let r = post(
            app,
            who,
            "/policies/manage/code/step",
            &[("version", &v), ("step", step)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
    }
    righttrack_core::policies::version_hash(BODY)
}

async fn attest(app: &App, who: &User, hash: &str, answers: &str) -> StatusCode {
    let t = righttrack_web::auth::issue_token(
        &app.state,
        "test",
        who,
        "w",
        &[righttrack_core::authz::Scope::Admin],
    )
    .await
    .unwrap();
    app.send(
        Method::POST,
        "/api/v1/policies/code/attestations",
        &[
            ("authorization", &format!("Bearer {}", t.expose())),
            ("content-type", "application/json"),
        ],
        &format!(r#"{{"version_hash":"{hash}","answers":{answers}}}"#),
    )
    .await
    .status
}

#[tokio::test]
async fn six_topics_with_figures_that_follow_the_data_and_withhold_small_counts() {
    for app in App::each().await {
        let olga = person(&app, "olga", &[Role::EthicsOfficer]).await;
        let bea = person(&app, "bea", &[Role::EthicsOfficer]).await;
        let ana = app.user("ana", &[Role::Agent]).await;
        let ben = app.user("ben", &[Role::Agent]).await;
        // A fifth person, for the headcount.
        app.user("cid", &[Role::Agent]).await;

        let page = app.get("/binder", &olga.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        for t in TOPICS {
            assert!(page.body.contains(t.title), "{} missing", t.title);
        }
        assert!(page
            .body
            .contains("Evaluation of Corporate Compliance Programs"));
        assert!(page.body.contains("href=\"/binder\" aria-current=\"page\""));

        // Every question of the catalogue, with every figure it binds.
        let b = binder(&app, &olga).await;
        assert_eq!(b["topics"].as_array().unwrap().len(), TOPICS.len());
        for q in QUESTIONS {
            let got = question(&b, q.key);
            assert_eq!(got["question"], q.text);
            let keys: Vec<&str> = got["figures"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["key"].as_str().unwrap())
                .collect();
            assert_eq!(keys, q.figures, "{}", q.key);
            for f in got["figures"].as_array().unwrap() {
                for field in ["label", "shown", "unit", "period", "formula"] {
                    assert!(f[field].is_string(), "{} lacks {field}", f["key"]);
                }
            }
        }
        assert_eq!(figure(&b, "policies.in_force")["value"], 0.0);
        assert_eq!(figure(&b, "reporting.reports")["value"], 0.0);
        assert_eq!(
            figure(&b, "policies.attestation_coverage")["shown"],
            "no data yet"
        );

        // A policy published to everyone (five people) and attested by two: ana fails
        // once, then passes; ben passes.
        let hash = publish_policy(&app, &olga, &bea).await;
        assert_eq!(
            attest(&app, &ana, &hash, "[0,1]").await,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let b = binder(&app, &olga).await;
        assert_eq!(figure(&b, "policies.published")["value"], 1.0);
        assert_eq!(figure(&b, "policies.attestation_coverage")["value"], 0.0);
        assert_eq!(figure(&b, "policies.attestations_overdue")["value"], 0.0);
        let pass = figure(&b, "policies.comprehension_pass_rate");
        assert_eq!(pass["value"], Value::Null, "two answers only: {pass}");
        assert_eq!(pass["withheld"], true);
        assert_eq!(pass["shown"], "withheld (fewer than 5)");
        assert_eq!(
            attest(&app, &ana, &hash, "[1,0]").await,
            StatusCode::CREATED
        );
        assert_eq!(
            attest(&app, &ben, &hash, "[1,0]").await,
            StatusCode::CREATED
        );
        let b = binder(&app, &olga).await;
        assert_eq!(figure(&b, "policies.attestation_coverage")["value"], 40.0);
        assert_eq!(
            figure(&b, "policies.comprehension_pass_rate")["shown"],
            "66.7%",
            "4 of 6 answers right"
        );

        // Hotline reports: one is withheld, six are counted.
        report(&app, "first report", true).await;
        let b = binder(&app, &olga).await;
        let reports = figure(&b, "reporting.reports");
        assert_eq!(reports["value"], Value::Null);
        assert_eq!(reports["shown"], "withheld (fewer than 5)");
        assert_eq!(figure(&b, "reporting.anonymous_share")["withheld"], true);
        for i in 0..5 {
            report(&app, &format!("report {i}"), i % 2 == 0).await;
        }
        let b = binder(&app, &olga).await;
        assert_eq!(figure(&b, "reporting.reports")["value"], 6.0);
        assert!(close(
            &figure(&b, "reporting.anonymous_share")["value"],
            4.0 / 6.0 * 100.0
        ));
        assert_eq!(
            figure(&b, "reporting.reports_per_100")["value"],
            600.0 / 5.0,
            "five enabled accounts"
        );
        assert!(figure(&b, "reporting.reports_per_100")["note"]
            .as_str()
            .unwrap()
            .contains("NAVEX median 1.57"));
        assert_eq!(
            figure(&b, "reporting.substantiation_rate")["withheld"],
            true
        );

        // The page shows the same.
        let page = app.get("/binder", &olga.cookie).await;
        assert!(page.body.contains("40%"));
        assert!(page.body.contains("66.7%"));
        assert!(page.body.contains("withheld (fewer than 5)"));
    }
}

#[tokio::test]
async fn narratives_are_saved_audited_bounded_and_need_the_form_token() {
    for app in App::each().await {
        let olga = person(&app, "olga", &[Role::EthicsOfficer]).await;
        let text =
            "We publish the code yearly, \"attest\" in week one,\r\nand follow up, every time.";
        let r = post(
            &app,
            &olga,
            "/binder/narratives/policies.communication",
            &[("narrative", text)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location(), "/binder#q-policies.communication");
        let stored = app
            .state
            .db
            .binder_narrative("policies.communication")
            .await
            .unwrap()
            .unwrap();
        let want = text.replace("\r\n", "\n");
        assert_eq!(stored.narrative, want);
        assert_eq!(stored.updated_by, "olga");
        assert_eq!(stored.updated_at, app.now());
        let last = app.audit_actions().await;
        assert_eq!(last[0], "binder.narrative_saved");

        let page = app.get("/binder", &olga.cookie).await;
        assert!(
            page.body
                .contains("We publish the code yearly, &#34;attest&#34;")
                || page
                    .body
                    .contains("We publish the code yearly, &quot;attest&quot;")
        );
        assert!(page.body.contains("Last written by olga"));
        let b = binder(&app, &olga).await;
        let n = &question(&b, "policies.communication")["narrative"];
        assert_eq!(n["text"], want.as_str());
        assert_eq!(n["updated_by"], "olga");
        assert_eq!(question(&b, "policies.design")["narrative"], Value::Null);

        // Unknown question, too long, no form token.
        let r = post(
            &app,
            &olga,
            "/binder/narratives/no.such",
            &[("narrative", "x")],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let long = "a".repeat(20_001);
        let r = post(
            &app,
            &olga,
            "/binder/narratives/policies.design",
            &[("narrative", &long)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("narrative"), "{}", r.body);
        assert!(r.body.contains("20000"), "{}", r.body);
        let r = app
            .post(
                "/binder/narratives/policies.design",
                &olga.cookie,
                "narrative=sneaky",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app
            .state
            .db
            .binder_narrative("policies.design")
            .await
            .unwrap()
            .is_none());
        assert_eq!(
            app.audit_actions()
                .await
                .iter()
                .filter(|a| *a == "binder.narrative_saved")
                .count(),
            1
        );
    }
}

#[tokio::test]
async fn who_may_read_and_write_the_binder() {
    for app in App::each().await {
        let carl = person(&app, "carl", &[Role::AuditCommittee]).await;
        let agent = person(&app, "ana", &[Role::Agent]).await;
        let lead = person(&app, "tom", &[Role::TeamLead]).await;
        let paths = [
            "/binder",
            "/binder/export.json",
            "/binder/export.csv",
            "/binder/export.html",
            "/binder/export.pdf",
            "/api/v1/binder",
        ];
        for who in [&agent, &lead] {
            for p in paths {
                assert_eq!(
                    app.get(p, &who.cookie).await.status,
                    StatusCode::FORBIDDEN,
                    "{p}"
                );
            }
            let r = post(
                &app,
                who,
                "/binder/narratives/policies.design",
                &[("narrative", "x")],
            )
            .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        // The audit committee reads everything and writes nothing.
        for p in paths {
            assert_eq!(app.get(p, &carl.cookie).await.status, StatusCode::OK, "{p}");
        }
        let page = app.get("/binder", &carl.cookie).await;
        assert!(!page.body.contains("action=\"/binder/narratives/"));
        assert!(page.body.contains("No narrative written yet."));
        let r = post(
            &app,
            &carl,
            "/binder/narratives/policies.design",
            &[("narrative", "x")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app.state.db.binder_narratives().await.unwrap().is_empty());
    }
}

/// The newest audit entry, which must record this export, and the head it followed.
async fn export_entry(app: &App, format: &str) -> (String, i64, String) {
    let e = app
        .state
        .db
        .audit_list(&righttrack_store::audit::AuditFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert_eq!(e.entry.action, "binder.exported");
    assert_eq!(e.entry.target, format);
    let (head_seq, head_hash) = app.state.db.audit_head().await.unwrap();
    assert_eq!((head_seq, head_hash), (e.seq, e.hash), "nothing after it");
    let detail: Value = serde_json::from_str(&e.entry.detail).unwrap();
    let prev = righttrack_core::audit::hex(&e.prev_hash);
    assert_eq!(detail["format"], format);
    assert_eq!(detail["head_seq"], e.seq - 1);
    assert_eq!(detail["head_hash"], prev.as_str());
    (format.to_owned(), e.seq - 1, prev)
}

#[tokio::test]
async fn every_export_carries_the_audit_head_and_no_hotline_content() {
    for app in App::each().await {
        let olga = person(&app, "olga", &[Role::EthicsOfficer]).await;
        const SECRET: &str = "Zanzibar-pelican-ledger";
        for i in 0..6 {
            report(
                &app,
                &format!("{SECRET} case {i}: the manager at desk 7"),
                i > 2,
            )
            .await;
        }
        // A narrative with every character CSV must quote, and a long one for the PDF.
        let tricky = "Line one, with a comma\n\"Quoted\" line two\n\n=SUM(A1) is not a formula";
        post(
            &app,
            &olga,
            "/binder/narratives/reporting.channel",
            &[("narrative", tricky)],
        )
        .await;
        let long = "Our investigators follow the written protocol for every report. ".repeat(100);
        assert!(long.len() >= 6_000);
        let r = post(
            &app,
            &olga,
            "/binder/narratives/remediation.lessons",
            &[("narrative", &long)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // JSON.
        let before = app.state.db.audit_head().await.unwrap();
        let r = app.get("/binder/export.json", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        let (_, seq, hash) = export_entry(&app, "json").await;
        assert_eq!(j["audit_head"]["seq"], seq);
        assert_eq!(j["audit_head"]["hash"], hash.as_str());
        assert!(
            seq >= before.0,
            "assigning newcomers may audit before the head is read"
        );
        assert_eq!(j["generated_by"], "olga");
        assert_eq!(j["generated_at"], app.now().to_string());
        assert!(j["verify"]
            .as_str()
            .unwrap()
            .contains("righttrack audit verify"));
        assert!(j["verify"].as_str().unwrap().contains(&hash));
        assert!(j["source"]
            .as_str()
            .unwrap()
            .contains("updated September 2024"));
        let mut bodies = vec![r.body.clone()];

        // CSV: a header, then rows of nine cells; the narrative survives quoting.
        let r = app.get("/binder/export.csv", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let (_, seq, hash) = export_entry(&app, "csv").await;
        let rows = parse_csv(&r.body);
        assert_eq!(
            rows[0],
            [
                "topic",
                "question_key",
                "question",
                "figure_key",
                "label",
                "value",
                "unit",
                "period",
                "note"
            ]
        );
        assert!(
            rows.iter().all(|r| r.len() == 9),
            "every row has nine cells"
        );
        let meta = |key: &str| {
            rows.iter()
                .find(|r| r[0] == "binder" && r[3] == key)
                .map(|r| r[5].clone())
                .unwrap_or_else(|| panic!("no {key} row"))
        };
        assert_eq!(meta("audit_head_seq"), seq.to_string());
        assert_eq!(meta("audit_head_hash"), hash);
        assert_eq!(meta("generated_by"), "olga");
        assert!(meta("verify").contains("righttrack audit verify"));
        let narrative = rows
            .iter()
            .find(|r| r[1] == "reporting.channel" && r[3] == "narrative")
            .unwrap();
        assert_eq!(narrative[5], tricky);
        let reports = rows.iter().find(|r| r[3] == "reporting.reports").unwrap();
        assert_eq!(reports[5], "6");
        let figures: usize = QUESTIONS.iter().map(|q| q.figures.len()).sum();
        assert_eq!(rows.len(), 1 + 6 + figures + QUESTIONS.len());
        bodies.push(r.body.clone());

        // HTML: self-contained, printable.
        let r = app.get("/binder/export.html", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        let (_, seq, hash) = export_entry(&app, "html").await;
        assert!(r.body.contains(&hash));
        assert!(r.body.contains(&format!("entry {seq}")));
        assert!(r.body.contains("righttrack audit verify"));
        assert!(r.body.contains("@media print"));
        for external in ["<link", "<script", "src=", "url(", "@import"] {
            assert!(!r.body.contains(external), "{external} in the export");
        }
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("style-src 'sha256-"), "{csp}");
        bodies.push(r.body.clone());

        // PDF: several pages, with the head written as text.
        let r = app
            .send(
                Method::GET,
                "/binder/export.pdf",
                &[("cookie", &olga.cookie)],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/pdf");
        let (_, seq, hash) = export_entry(&app, "pdf").await;
        assert!(r.body.starts_with("%PDF-"));
        assert!(r.body.trim_end().ends_with("%%EOF"));
        assert!(righttrack_web::binder_pdf::page_count(r.body.as_bytes()) >= 2);
        assert!(r.body.contains(&hash), "the head hash is in the PDF's text");
        assert!(r.body.contains(&format!("({seq})")));
        assert!(r.body.contains("(righttrack audit verify)"));
        bodies.push(r.body.clone());

        // The API is the JSON export, audited the same way.
        let r = app.get("/api/v1/binder", &olga.cookie).await;
        let (_, _, hash) = export_entry(&app, "json").await;
        assert_eq!(r.json()["audit_head"]["hash"], hash.as_str());
        bodies.push(r.body.clone());
        bodies.push(app.get("/binder", &olga.cookie).await.body);

        for b in &bodies {
            assert!(!b.contains(SECRET), "hotline content leaked");
            assert!(!b.contains("desk 7"));
            assert!(!b.contains("Named Reporter"));
        }
    }
}
