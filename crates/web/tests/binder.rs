//! The evidence binder from its users' side: nothing computed before the first
//! generation; generating stores the figures with the audit head and audits it; the
//! page and the exports read the stored generation (data changed since shows only after
//! generating again; viewing audits nothing); six topics with figures that follow what
//! is done in the app (a policy published and attested, hotline reports filed; small
//! counts withheld); a generation is its generator's own; an older generation lacking a
//! figure still shows; narratives saved and audited; every export carrying its
//! generation and head; the CSV and JSON shapes, the PDF's pages, who may read,
//! generate and write, and no hotline content anywhere. Runs on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{staff, texts, App, Staff};
use righttrack_core::audit::Entry;
use righttrack_core::binder::{FIGURES, NOT_COMPUTED, NOT_GENERATED, QUESTIONS, TOPICS};
use righttrack_core::Role;
use righttrack_store::directory::User;
use serde_json::{json, Value};

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
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

/// The API's JSON export of `who`'s newest generation (generated first if none).
async fn binder(app: &App, who: &Staff) -> Value {
    let r = app.get("/api/v1/binder", &who.cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

/// Presses "Generate" on the page.
async fn generate(app: &App, who: &Staff) {
    let r = who.post(app, "/binder/generate", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/binder");
}

/// Generates, then exports: the figures as they are now.
async fn generated(app: &App, who: &Staff) -> Value {
    generate(app, who).await;
    binder(app, who).await
}

/// The newest `n` audit entries, newest first.
async fn newest(app: &App, n: i64) -> Vec<Entry> {
    app.state
        .db
        .audit_list(&righttrack_store::audit::AuditFilter {
            limit: n,
            ..Default::default()
        })
        .await
        .unwrap()
}

async fn head_seq(app: &App) -> i64 {
    app.state.db.audit_head().await.unwrap().0
}

fn detail(e: &Entry) -> Value {
    serde_json::from_str(&e.entry.detail).unwrap()
}

/// The page's table cell of a figure (its row, up to the end of the row).
fn figure_row<'a>(page: &'a str, key: &str) -> &'a str {
    let at = page
        .find(&format!("id=\"f-{key}\""))
        .unwrap_or_else(|| panic!("no row for {key}"));
    let rest = &page[at..];
    &rest[..rest.find("</tr>").unwrap()]
}

/// The number shown in bold in the page for `key`.
fn shown_on_page(page: &str, key: &str) -> String {
    let row = figure_row(page, key);
    let at = row
        .find("<strong>")
        .unwrap_or_else(|| panic!("{key}: {row}"))
        + 8;
    row[at..at + row[at..].find("</strong>").unwrap()].to_owned()
}

async fn report(app: &App, description: &str, anonymous: bool) {
    let body = if anonymous {
        json!({"category": "harassment", "description": description, "anonymous": true})
    } else {
        json!({"category": "harassment", "description": description, "anonymous": false, "name": "Named Reporter"})
    };
    app.report(body).await;
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

async fn publish_policy(app: &App, a: &Staff, b: &Staff) -> String {
    let r = a.post(app, "/policies/manage", &[("title", "Code")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = app.state.db.policy("code").await.unwrap().unwrap();
    let v = app.state.db.versions(&p.id).await.unwrap()[0].id.clone();
    let r = a
        .post(
            app,
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
        let r = who
            .post(
                app,
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
    app.api_post(
        "/api/v1/policies/code/attestations",
        &format!("Bearer {}", t.expose()),
        &format!(r#"{{"version_hash":"{hash}","answers":{answers}}}"#),
    )
    .await
    .status
}

#[tokio::test]
async fn six_topics_with_figures_that_follow_the_data_and_withhold_small_counts() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let ana = app.user("ana", &[Role::Agent]).await;
        let ben = app.user("ben", &[Role::Agent]).await;
        // A fifth person, for the headcount.
        app.user("cid", &[Role::Agent]).await;

        let page = app.get("/binder", &olga.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        for t in TOPICS {
            assert!(page.body.contains(t.title), "{} missing", t.title);
        }
        page.assert_contains("Evaluation of Corporate Compliance Programs");
        page.assert_contains("href=\"/binder\" aria-current=\"page\"");

        // Every question of the catalogue, with every figure it binds.
        let b = generated(&app, &olga).await;
        assert_eq!(b["topics"].as_array().unwrap().len(), TOPICS.len());
        for q in QUESTIONS {
            let got = question(&b, q.key);
            assert_eq!(got["question"], q.text);
            let keys: Vec<&str> = texts(&got["figures"], "key");
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
        let b = generated(&app, &olga).await;
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
        let b = generated(&app, &olga).await;
        assert_eq!(figure(&b, "policies.attestation_coverage")["value"], 40.0);
        assert_eq!(
            figure(&b, "policies.comprehension_pass_rate")["shown"],
            "66.7%",
            "4 of 6 answers right"
        );

        // Hotline reports: one is withheld, six are counted.
        report(&app, "first report", true).await;
        let b = generated(&app, &olga).await;
        let reports = figure(&b, "reporting.reports");
        assert_eq!(reports["value"], Value::Null);
        assert_eq!(reports["shown"], "withheld (fewer than 5)");
        assert_eq!(figure(&b, "reporting.anonymous_share")["withheld"], true);
        for i in 0..5 {
            report(&app, &format!("report {i}"), i % 2 == 0).await;
        }
        let b = generated(&app, &olga).await;
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
        page.assert_contains("40%");
        page.assert_contains("66.7%");
        page.assert_contains("withheld (fewer than 5)");
    }
}

#[tokio::test]
async fn narratives_are_saved_audited_bounded_and_need_the_form_token() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let text =
            "We publish the code yearly, \"attest\" in week one,\r\nand follow up, every time.";
        let r = olga
            .post(
                &app,
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
        page.assert_contains("Last written by olga");
        let b = binder(&app, &olga).await;
        let n = &question(&b, "policies.communication")["narrative"];
        assert_eq!(n["text"], want.as_str());
        assert_eq!(n["updated_by"], "olga");
        assert_eq!(question(&b, "policies.design")["narrative"], Value::Null);

        // Unknown question, too long, no form token.
        let r = olga
            .post(&app, "/binder/narratives/no.such", &[("narrative", "x")])
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let long = "a".repeat(20_001);
        let r = olga
            .post(
                &app,
                "/binder/narratives/policies.design",
                &[("narrative", &long)],
            )
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["narrative", "20000"]);
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
        let carl = staff(&app, "carl", &[Role::AuditCommittee]).await;
        let agent = staff(&app, "ana", &[Role::Agent]).await;
        let lead = staff(&app, "tom", &[Role::TeamLead]).await;
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
            for (p, fields) in [
                (
                    "/binder/narratives/policies.design",
                    &[("narrative", "x")][..],
                ),
                ("/binder/generate", &[][..]),
                ("/api/v1/binder/generate", &[][..]),
            ] {
                let r = who.post(&app, p, fields).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
            }
        }
        assert!(app
            .state
            .db
            .latest_binder_generation("ana")
            .await
            .unwrap()
            .is_none());
        // The audit committee generates and reads its own binder, and writes nothing.
        let page = app.get("/binder", &carl.cookie).await;
        page.assert_contains("Generate the binder");
        generate(&app, &carl).await;
        let page = app.get("/binder", &carl.cookie).await;
        page.assert_contains("Generate again");
        page.assert_contains(" by carl");
        assert_eq!(shown_on_page(&page.body, "policies.in_force"), "0");
        let mine = app
            .state
            .db
            .latest_binder_generation("carl")
            .await
            .unwrap()
            .unwrap();
        for p in paths {
            assert_eq!(app.get(p, &carl.cookie).await.status, StatusCode::OK, "{p}");
        }
        let exported = binder(&app, &carl).await;
        assert_eq!(exported["generation"], mine.summary.id.to_string());
        assert_eq!(exported["generated_by"], "carl");
        page.assert_lacks("action=\"/binder/narratives/");
        page.assert_contains("No narrative written yet.");
        let r = carl
            .post(
                &app,
                "/binder/narratives/policies.design",
                &[("narrative", "x")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app.state.db.binder_narratives().await.unwrap().is_empty());
    }
}

/// The newest audit entry, which must record this export of generation `id`, with the
/// generation's head; returns that head.
async fn export_entry(app: &App, format: &str, id: &str) -> (i64, String) {
    let e = newest(app, 1).await.remove(0);
    assert_eq!(e.entry.action, "binder.exported");
    assert_eq!(e.entry.target, format);
    let (head_seq, head_hash) = app.state.db.audit_head().await.unwrap();
    assert_eq!((head_seq, head_hash), (e.seq, e.hash), "nothing after it");
    let d = detail(&e);
    assert_eq!(d["format"], format);
    assert_eq!(d["generation"], id);
    let g = app
        .state
        .db
        .binder_generation(righttrack_core::ids::BinderGenerationId::parse(id).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d["head_seq"], g.summary.head_seq);
    assert_eq!(d["head_hash"], g.summary.head_hash.as_str());
    (g.summary.head_seq, g.summary.head_hash)
}

/// The `binder.generated` entry of generation `id`: it directly follows the head the
/// generation names.
async fn generation_entry(app: &App, id: &str) -> Entry {
    let e = app
        .state
        .db
        .audit_list(&righttrack_store::audit::AuditFilter {
            action_prefix: Some("binder.generated".into()),
            target: Some(id.into()),
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(e.len(), 1, "one entry per generation");
    let e = e.into_iter().next().unwrap();
    let d = detail(&e);
    assert_eq!(d["generation"], id);
    assert_eq!(d["head_seq"], e.seq - 1);
    assert_eq!(
        d["head_hash"],
        righttrack_core::audit::hex(&e.prev_hash).as_str()
    );
    e
}

#[tokio::test]
async fn every_export_carries_the_audit_head_and_no_hotline_content() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
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
        olga.post(
            &app,
            "/binder/narratives/reporting.channel",
            &[("narrative", tricky)],
        )
        .await;
        let long = "Our investigators follow the written protocol for every report. ".repeat(100);
        assert!(long.len() >= 6_000);
        let r = olga
            .post(
                &app,
                "/binder/narratives/remediation.lessons",
                &[("narrative", &long)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // JSON. Olga has not generated yet: the export generates first.
        let before = app.state.db.audit_head().await.unwrap();
        let r = app.get("/binder/export.json", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        let id = j["generation"].as_str().unwrap().to_owned();
        let (seq, hash) = export_entry(&app, "json", &id).await;
        assert_eq!(j["audit_head"]["seq"], seq);
        assert_eq!(j["audit_head"]["hash"], hash.as_str());
        assert!(
            seq >= before.0,
            "assigning newcomers may audit before the head is read"
        );
        let g = generation_entry(&app, &id).await;
        assert_eq!(g.seq, seq + 1, "the generation's record follows its head");
        let user = app
            .state
            .db
            .user_by_username("olga")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.entry.actor, user.id.to_string());
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
        let (seq, hash) = export_entry(&app, "csv", &id).await;
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
        assert_eq!(meta("generation"), id);
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
        assert_eq!(rows.len(), 1 + 7 + figures + QUESTIONS.len());
        bodies.push(r.body.clone());

        // HTML: self-contained, printable.
        let r = app.get("/binder/export.html", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        let (seq, hash) = export_entry(&app, "html", &id).await;
        r.assert_contains(&hash);
        r.assert_contains(&id);
        r.assert_contains(&format!("entry {seq}"));
        r.assert_contains("righttrack audit verify");
        r.assert_contains("@media print");
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
        let (seq, hash) = export_entry(&app, "pdf", &id).await;
        assert!(r.body.starts_with("%PDF-"));
        assert!(r.body.trim_end().ends_with("%%EOF"));
        assert!(righttrack_web::features::reports::binder_pdf::page_count(r.body.as_bytes()) >= 2);
        assert!(r.body.contains(&hash), "the head hash is in the PDF's text");
        r.assert_contains(&format!("({seq})"));
        r.assert_contains("(righttrack audit verify)");
        bodies.push(r.body.clone());

        r.assert_contains(&format!("(Generation {id})"));
        bodies.push(r.body.clone());

        // The API is the JSON export, audited the same way; every export above used the
        // one generation.
        let r = app.get("/api/v1/binder", &olga.cookie).await;
        let (_, hash) = export_entry(&app, "json", &id).await;
        assert_eq!(r.json()["audit_head"]["hash"], hash.as_str());
        assert_eq!(r.json()["generation"], id.as_str());
        bodies.push(r.body.clone());
        bodies.push(app.get("/binder", &olga.cookie).await.body);
        assert_eq!(
            app.audit_actions()
                .await
                .iter()
                .filter(|a| *a == "binder.generated")
                .count(),
            1
        );
        // The API's own generation: the officer's session (a token never acts with a
        // role that needs a second factor), 201, generated and exported.
        let r = app
            .send(
                Method::POST,
                "/api/v1/binder/generate",
                &[("cookie", &olga.cookie), ("x-csrf-token", &olga.csrf)],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let fresh = r.json();
        let new_id = fresh["generation"].as_str().unwrap().to_owned();
        assert_ne!(new_id, id);
        let (seq, _) = export_entry(&app, "json", &new_id).await;
        assert_eq!(fresh["audit_head"]["seq"], seq);
        assert_eq!(generation_entry(&app, &new_id).await.seq, seq + 1);
        assert_eq!(figure(&fresh, "reporting.reports")["value"], 6.0);
        bodies.push(r.body.clone());

        for b in &bodies {
            assert!(!b.contains(SECRET), "hotline content leaked");
            assert!(!b.contains("desk 7"));
            assert!(!b.contains("Named Reporter"));
        }
    }
}

#[tokio::test]
async fn before_the_first_generation_nothing_is_computed_and_generating_needs_the_form_token() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let head = head_seq(&app).await;
        let page = app.get("/binder", &olga.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        // Every question with its narrative form, every figure "not generated yet".
        for q in QUESTIONS {
            assert!(page.body.contains(q.text), "{} missing", q.key);
            page.assert_contains(&format!("action=\"/binder/narratives/{}\"", q.key));
        }
        for f in FIGURES {
            let row = figure_row(&page.body, f.key);
            assert!(
                row.contains(&format!("<span class=\"tag\">{NOT_GENERATED}</span>")),
                "{row}"
            );
            assert!(!row.contains("<strong>"), "no number: {row}");
        }
        page.assert_contains("Generate the binder");
        page.assert_contains("takes a few seconds on a large organisation");
        page.assert_contains("You see and export only the generations you made yourself");
        assert!(
            !page.body.contains("/binder/export.pdf"),
            "nothing to export yet"
        );
        assert_eq!(head_seq(&app).await, head, "viewing audits nothing");

        // Without the form token: refused, nothing stored or audited.
        let r = app.post("/binder/generate", &olga.cookie, "").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .send(
                Method::POST,
                "/api/v1/binder/generate",
                &[("cookie", &olga.cookie)],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app
            .state
            .db
            .latest_binder_generation("olga")
            .await
            .unwrap()
            .is_none());
        assert_eq!(head_seq(&app).await, head);

        // Generate: stored with the head read after the figures, and audited.
        generate(&app, &olga).await;
        let g = app
            .state
            .db
            .latest_binder_generation("olga")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(g.summary.generated_by, "olga");
        assert_eq!(g.summary.generated_at, app.now());
        assert!(g.figures.missing().is_empty(), "every figure is computed");
        let id = g.summary.id.to_string();
        let e = generation_entry(&app, &id).await;
        assert_eq!(e.seq, g.summary.head_seq + 1);
        assert_eq!(
            head_seq(&app).await,
            e.seq,
            "the generation is the newest entry"
        );

        let page = app.get("/binder", &olga.cookie).await;
        page.assert_contains("Generate again");
        page.assert_lacks("Generate the binder<");
        page.assert_contains("2026-11-20 09:00:00 UTC by olga");
        page.assert_contains(&format!(
            "entry {}, hash <code class=\"hash\">{}</code>",
            g.summary.head_seq, g.summary.head_hash
        ));
        assert!(page.body.contains("<dd id=\"since\">1 "), "its own record");
        page.assert_contains(&format!("/binder/export.pdf?generation={id}"));
        assert_eq!(shown_on_page(&page.body, "policies.in_force"), "0");
        page.assert_lacks(NOT_GENERATED);
        assert!(
            !page.body.contains("id=\"earlier\""),
            "no earlier generation"
        );
    }
}

#[tokio::test]
async fn the_page_and_exports_show_the_stored_generation_until_generated_again() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        generate(&app, &olga).await;
        let first = app
            .state
            .db
            .latest_binder_generation("olga")
            .await
            .unwrap()
            .unwrap();
        let first_id = first.summary.id.to_string();

        // A policy is published: a figure changes, and the trail grows.
        app.clock.advance(jiff::SignedDuration::from_mins(20));
        publish_policy(&app, &olga, &bea).await;
        let head = head_seq(&app).await;
        let written = head - first.summary.head_seq;
        assert!(written > 1);

        // Viewing shows the stored value, and the entries written since; it neither
        // recomputes nor audits.
        for _ in 0..2 {
            let page = app.get("/binder", &olga.cookie).await;
            assert_eq!(shown_on_page(&page.body, "policies.in_force"), "0");
            assert_eq!(shown_on_page(&page.body, "policies.published"), "0");
            assert!(
                page.body.contains(&format!("<dd id=\"since\">{written} ")),
                "{written} entries since"
            );
            assert_eq!(head_seq(&app).await, head, "viewing audits nothing");
        }
        // So does an export, which is audited with the generation it carries.
        let b = binder(&app, &olga).await;
        assert_eq!(b["generation"], first_id.as_str());
        assert_eq!(figure(&b, "policies.in_force")["value"], 0.0);
        assert_eq!(b["audit_head"]["seq"], first.summary.head_seq);
        export_entry(&app, "json", &first_id).await;
        assert_eq!(
            head_seq(&app).await,
            head + 1,
            "only the export's own entry"
        );

        // Generating again picks the policy up; the page moves on and lists the first.
        generate(&app, &olga).await;
        let page = app.get("/binder", &olga.cookie).await;
        assert_eq!(shown_on_page(&page.body, "policies.in_force"), "1");
        assert_eq!(shown_on_page(&page.body, "policies.published"), "1");
        page.assert_contains("<dd id=\"since\">1 ");
        page.assert_contains("2026-11-20 09:20:00 UTC by olga");
        let earlier = &page.body[page.body.find("id=\"earlier\"").unwrap()..];
        assert!(earlier.contains("2026-11-20 09:00:00 UTC"));
        assert!(earlier.contains(&format!("entry {}", first.summary.head_seq)));
        for ext in ["pdf", "html", "csv", "json"] {
            assert!(earlier.contains(&format!("/binder/export.{ext}?generation={first_id}")));
        }
        let b = binder(&app, &olga).await;
        assert_eq!(figure(&b, "policies.in_force")["value"], 1.0);
        assert_ne!(b["generation"], first_id.as_str());

        // The earlier generation is still exported as it was.
        let r = app
            .get(
                &format!("/binder/export.json?generation={first_id}"),
                &olga.cookie,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let old = r.json();
        assert_eq!(old["generation"], first_id.as_str());
        assert_eq!(figure(&old, "policies.in_force")["value"], 0.0);
        export_entry(&app, "json", &first_id).await;
        let r = app
            .get(
                &format!("/binder/export.csv?generation={first_id}"),
                &olga.cookie,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        export_entry(&app, "csv", &first_id).await;
        r.assert_contains(&first_id);
    }
}

#[tokio::test]
async fn a_generation_is_its_generators_own() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let bea = staff(&app, "bea", &[Role::EthicsOfficer]).await;
        let carl = staff(&app, "carl", &[Role::AuditCommittee]).await;
        generate(&app, &olga).await;
        let id = app
            .state
            .db
            .latest_binder_generation("olga")
            .await
            .unwrap()
            .unwrap()
            .summary
            .id
            .to_string();
        let head = head_seq(&app).await;

        // Someone else's id is not found, exactly like an unknown or malformed one.
        for who in [&bea, &carl] {
            for ext in ["json", "csv", "html", "pdf"] {
                for gen in [id.as_str(), "0190b8c5-0000-7000-8000-000000000000", "nope"] {
                    let r = app
                        .get(
                            &format!("/binder/export.{ext}?generation={gen}"),
                            &who.cookie,
                        )
                        .await;
                    assert_eq!(r.status, StatusCode::NOT_FOUND, "{ext} {gen}");
                    r.assert_lacks("policies.in_force");
                }
            }
            let r = app
                .get(&format!("/api/v1/binder?generation={id}"), &who.cookie)
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            // Their page shows no generation of olga's.
            let page = app.get("/binder", &who.cookie).await;
            page.assert_contains("Generate the binder");
            page.assert_lacks(&id);
        }
        assert_eq!(head_seq(&app).await, head, "refusals export nothing");

        // Bea's own export generates her own generation.
        let b = binder(&app, &bea).await;
        assert_eq!(b["generated_by"], "bea");
        assert_ne!(b["generation"], id.as_str());
        let page = app.get("/binder", &olga.cookie).await;
        page.assert_contains(&id);
        page.assert_lacks(b["generation"].as_str().unwrap());
    }
}

#[tokio::test]
async fn a_generation_made_before_a_figure_existed_shows_it_as_not_computed() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        // As an older binary stored it: two figures only.
        let id =
            righttrack_core::ids::BinderGenerationId::new_v7(app.now(), &mut rand::thread_rng());
        let (seq, hash) = app.state.db.audit_head().await.unwrap();
        app.t
            .raw(&format!(
                "INSERT INTO binder_generations (id, generated_at, generated_by, head_seq, head_hash, figures) \
                 VALUES ('{id}', {}, 'olga', {seq}, '{}', \
                 '{{\"policies.in_force\": {{\"value\": {{\"number\": 3}}, \"period\": \"now\", \"note\": \"\"}}, \
                   \"reporting.reports\": {{\"value\": \"withheld\", \"period\": \"twelve months\", \"note\": \"\"}}}}')",
                app.now().as_millisecond(),
                righttrack_core::audit::hex(&hash)
            ))
            .await
            .unwrap();

        let page = app.get("/binder", &olga.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(shown_on_page(&page.body, "policies.in_force"), "3");
        assert!(figure_row(&page.body, "reporting.reports").contains("withheld (fewer than 5)"));
        let row = figure_row(&page.body, "policies.published");
        assert!(row.contains(NOT_COMPUTED), "{row}");
        page.assert_contains(&format!(
            "This generation lacks {} figures",
            FIGURES.len() - 2
        ));
        page.assert_contains("Generate again");

        let b = binder(&app, &olga).await;
        assert_eq!(b["generation"], id.to_string());
        let f = figure(&b, "policies.published");
        assert_eq!(f["value"], Value::Null);
        assert_eq!(f["withheld"], false);
        assert_eq!(f["shown"], NOT_COMPUTED);
        let r = app.get("/binder/export.csv", &olga.cookie).await;
        assert_eq!(r.status, StatusCode::OK);
        let rows = parse_csv(&r.body);
        let published = rows.iter().find(|r| r[3] == "policies.published").unwrap();
        assert_eq!(published[5], NOT_COMPUTED);
        for ext in ["html", "pdf"] {
            let r = app
                .get(&format!("/binder/export.{ext}"), &olga.cookie)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{ext}");
        }

        // Generating again fills every figure in.
        generate(&app, &olga).await;
        let page = app.get("/binder", &olga.cookie).await;
        page.assert_lacks(NOT_COMPUTED);
        page.assert_lacks("This generation lacks");
    }
}
