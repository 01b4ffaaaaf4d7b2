//! Issue #7 from the users' side: audits with checklists and findings, corrective
//! actions (states, metric verification, recurrence, overdue escalation, hotline
//! references), consistent discipline (comparable cases, deviations, second approval,
//! disparity, the retaliation watch) and kudos with consent. SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::{days, staff, App, Resp, Staff};
use jiff::SignedDuration;
use righttrack_core::Role;
use serde_json::{json, Value};

fn redirected(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().to_owned()
}

fn refused(r: &Resp, status: StatusCode, field: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert!(
        r.body.contains(&format!("field `{field}`")),
        "names {field}: {}",
        r.body
    );
}

fn line(id: &str, started: &str, guarantee: bool) -> String {
    let last = if guarantee {
        "I guarantee it will be fixed today"
    } else {
        "I will look into it and write to you"
    };
    json!({
        "id": id, "channel": "voice", "agent_id": "a-1", "started_at": started,
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "I need my refund"},
            {"speaker": "agent", "text": last}
        ]
    })
    .to_string()
}

async fn ingest(app: &App, lines: &[String]) {
    let r = app.ingest(Role::Admin, lines).await;
    assert_eq!(r.json()["stored"], lines.len(), "{}", r.body);
}

/// The id in a `/capa/{id}` (or similar) redirect.
fn id_of(location: &str) -> String {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned()
}

// ---------------------------------------------------------------- audits and CAPA

#[tokio::test]
async fn a_failed_checklist_item_becomes_a_finding_and_a_capa_its_owner_moves_to_closed() {
    for app in App::each().await {
        let site = app
            .state
            .db
            .create_site("Lisbon", app.now(), &mut rand::rngs::OsRng)
            .await
            .unwrap();
        let team = app
            .state
            .db
            .create_team(
                "Lisbon Billing",
                site,
                None,
                app.now(),
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap();
        let mut quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let mut lena = staff(&app, "lena", &[Role::TeamLead]).await;
        app.state
            .db
            .set_team_lead(team, lena.user.id)
            .await
            .unwrap();
        let tom = staff(&app, "tom", &[Role::TeamLead]).await;
        let agent = staff(&app, "alex", &[Role::Agent]).await;
        assert_eq!(
            agent.get(&app, "/audits").await.status,
            StatusCode::FORBIDDEN
        );

        // A checklist without items names its field.
        let r = quinn
            .post(
                &app,
                "/audits/templates",
                &[("name", "PCI"), ("items", " \n ")],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "items");
        let r = quinn
            .post(
                &app,
                "/audits/templates",
                &[
                    ("name", "Monthly PCI checklist"),
                    ("items", "Clean desk\nNo phones on the floor\nBadges worn"),
                ],
            )
            .await;
        redirected(&r);
        let tid = app.state.db.audit_templates().await.unwrap()[0].id.clone();
        let r = quinn
            .post(
                &app,
                "/audits/schedules",
                &[
                    ("template", &tid),
                    ("site", "Lisbon"),
                    ("every_months", "0"),
                    ("first_due", "2026-11-30"),
                ],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "every_months");
        let r = quinn
            .post(
                &app,
                "/audits/schedules",
                &[
                    ("template", &tid),
                    ("site", "Lisbon"),
                    ("every_months", "1"),
                    ("first_due", "2026-11-30"),
                ],
            )
            .await;
        redirected(&r);
        // Due in ten days: created now (two weeks ahead); the next one is not, and a
        // second sweep creates nothing.
        let audits = app.state.db.audits(app.now(), 10).await.unwrap();
        assert_eq!(audits.len(), 1);
        assert_eq!(audits[0].title, "Monthly PCI checklist — Lisbon");
        let sweep = righttrack_app::program::capa::sweep(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!(sweep.audits_created, 0);
        let aid = audits[0].id.clone();
        let page = lena.get(&app, &format!("/audits/{aid}")).await;
        page.assert_contains("No phones on the floor");

        // Every item needs an answer; a failed one needs a note.
        let r = lena
            .post(
                &app,
                &format!("/audits/{aid}/complete"),
                &[("answer_0", "pass"), ("answer_1", "fail"), ("note_1", "")],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "note_1");
        let r = lena
            .post(
                &app,
                &format!("/audits/{aid}/complete"),
                &[
                    ("answer_0", "pass"),
                    ("answer_1", "fail"),
                    ("note_1", "two phones"),
                ],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "answer_2");
        let done = [
            ("answer_0", "pass"),
            ("answer_1", "fail"),
            ("note_1", "Two phones on desks in row 3"),
            ("answer_2", "na"),
        ];
        redirected(
            &lena
                .post(&app, &format!("/audits/{aid}/complete"), &done)
                .await,
        );
        let again = lena
            .post(&app, &format!("/audits/{aid}/complete"), &done)
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let page = lena.get(&app, &format!("/audits/{aid}")).await;
        page.assert_contains("Two phones on desks in row 3");
        let finding = app.state.db.open_findings(10).await.unwrap().remove(0);
        page.assert_contains(&format!(
            "/capa/new?source=audit_finding&amp;ref={}",
            finding.id
        ));

        // The finding raises a CAPA owned by the team lead.
        let form = lena
            .get(
                &app,
                &format!("/capa/new?source=audit_finding&ref={}", finding.id),
            )
            .await;
        form.assert_contains("No phones on the floor");
        let raise = |due: &'static str| {
            vec![
                ("source_kind", "audit_finding"),
                ("source_ref", finding.id.as_str()),
                ("title", "Lockers for phones"),
                ("owner", "lena"),
                ("due", due),
            ]
        };
        refused(
            &quinn.post(&app, "/capa", &raise("2026-11-01")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "due",
        );
        let capa = id_of(&redirected(
            &quinn.post(&app, "/capa", &raise("2026-12-01")).await,
        ));
        let dup = quinn.post(&app, "/capa", &raise("2026-12-01")).await;
        assert_eq!(dup.status, StatusCode::CONFLICT, "one CAPA per finding");

        // States after ISO 9001 §10.2; no skipping, texts required, others may not move it.
        let step =
            |who: &'static str, step: &'static str, field: &'static str, text: &'static str| {
                let who = match who {
                    "lena" => &lena,
                    _ => &tom,
                };
                let app = &app;
                let capa = capa.clone();
                async move {
                    who.post(
                        app,
                        &format!("/capa/{capa}/step"),
                        &[("step", step), (field, text)],
                    )
                    .await
                }
            };
        assert_eq!(
            step("lena", "close", "note", "").await.status,
            StatusCode::CONFLICT
        );
        refused(
            &step("lena", "analyse", "root_cause", " ").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "root_cause",
        );
        assert_eq!(
            step("tom", "analyse", "root_cause", "x").await.status,
            StatusCode::FORBIDDEN
        );
        redirected(&step("lena", "analyse", "root_cause", "No place to keep phones").await);
        redirected(&step("lena", "plan", "plan", "Lockers at the entrance").await);
        redirected(&step("lena", "implement", "note", "").await);
        redirected(&step("lena", "not_effective", "note", "Phones still seen").await);
        redirected(&step("lena", "analyse", "root_cause", "Lockers too far away").await);
        redirected(&step("lena", "plan", "plan", "Lockers by each row").await);
        redirected(&step("lena", "implement", "note", "").await);
        redirected(&step("lena", "verify", "note", "No phones in two spot checks").await);
        redirected(&step("lena", "close", "note", "").await);
        let page = lena.get(&app, &format!("/capa/{capa}")).await;
        page.assert_contains("Closed");
        page.assert_contains("Lockers too far away");
        assert!(page.body.contains("Reopened (not effective)"), "history");
        let actions = app.audit_actions().await;
        for a in ["audit.completed", "capa.created", "capa.moved"] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }

        // Next month the same item fails at the same site: the new CAPA is recurring.
        app.clock.advance(days(27));
        lena.again(&app).await;
        quinn.again(&app).await;
        righttrack_app::program::capa::sweep(&app.state, app.now())
            .await
            .unwrap();
        let next = app
            .state
            .db
            .audits(app.now(), 10)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.status != "completed")
            .unwrap();
        redirected(
            &lena
                .post(&app, &format!("/audits/{}/complete", next.id), &done)
                .await,
        );
        let f2 = app.state.db.open_findings(10).await.unwrap().remove(0);
        let r = app
            .send(
                Method::POST,
                "/api/v1/capas",
                &[("cookie", &quinn.cookie), ("x-csrf-token", &quinn.csrf), ("content-type", "application/json")],
                &json!({"title": "Phones again", "source_kind": "audit_finding", "source_ref": f2.id, "owner": "lena", "due": "2026-12-20"}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(r.json()["recurring_of"], capa.as_str());
        let new_id = r.json()["id"].as_str().unwrap().to_owned();
        let page = lena.get(&app, &format!("/capa/{new_id}")).await;
        page.assert_contains("Recurring");
        let bad = app
            .send(
                Method::POST,
                "/api/v1/capas",
                &[
                    ("cookie", &quinn.cookie),
                    ("x-csrf-token", &quinn.csrf),
                    ("content-type", "application/json"),
                ],
                "{\"title\": 3",
            )
            .await;
        // The first problem met is the title's type: named, with the field.
        bad.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["`title`"]);

        // Overdue: escalated once (audited), a content-free notice for the owner and
        // the creator, shown once on their home page.
        app.clock.advance(days(15));
        lena.again(&app).await;
        quinn.again(&app).await;
        let s = righttrack_app::program::capa::sweep(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!(s.escalated, 1);
        let s = righttrack_app::program::capa::sweep(&app.state, app.now())
            .await
            .unwrap();
        assert_eq!(
            (s.escalated, s.notices),
            (0, 0),
            "once a day, once per CAPA"
        );
        let home = lena.get(&app, "/").await;
        home.assert_contains(righttrack_app::program::capa::NOTICE);
        assert!(
            !home.body.contains("Phones again"),
            "the notice names nothing"
        );
        assert!(!lena
            .get(&app, "/")
            .await
            .body
            .contains(righttrack_app::program::capa::NOTICE));
        assert!(quinn
            .get(&app, "/")
            .await
            .body
            .contains(righttrack_app::program::capa::NOTICE));
        assert!(app.audited("capa.escalated").await);
    }
}

#[tokio::test]
async fn a_qa_trend_capa_is_verified_only_once_its_rule_stays_under_the_baseline() {
    for app in App::each().await {
        let mut quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        // Last 30 days: 3 of 4 interactions carry the guarantee.
        ingest(
            &app,
            &[
                line("t-1", "2026-11-01T10:00:00Z", true),
                line("t-2", "2026-11-05T10:00:00Z", true),
                line("t-3", "2026-11-10T10:00:00Z", true),
                line("t-4", "2026-11-12T10:00:00Z", false),
            ],
        )
        .await;
        let trends = quinn.get(&app, "/api/v1/capa/trends").await.json();
        assert_eq!(trends["interactions"], 4);
        // The rule that fired on the three guarantees only.
        let top = trends["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["hits"] == 3)
            .unwrap_or_else(|| panic!("{trends}"));
        let rule = top["rule"].as_str().unwrap().to_owned();
        assert_eq!(top["per_1000"], 750.0, "{trends}");
        let list = quinn.get(&app, "/capa").await;
        list.assert_contains(&format!("/capa/new?source=qa_trend&amp;rule={rule}"));
        let form = quinn
            .get(&app, &format!("/capa/new?source=qa_trend&rule={rule}"))
            .await;
        assert!(form.body.contains("value=\"750.0\""), "baseline offered");

        let base = [
            ("source_kind", "qa_trend"),
            ("rule", rule.as_str()),
            ("title", "Stop guarantees"),
            ("owner", "quinn"),
            ("due", "2026-12-31"),
            ("metric_baseline", "500"),
        ];
        refused(
            &quinn.post(&app, "/capa", &base).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "metric_days",
        );
        let mut with_days = base.to_vec();
        with_days.push(("metric_days", "10"));
        let capa = id_of(&redirected(&quinn.post(&app, "/capa", &with_days).await));
        for (step, field, text) in [
            ("analyse", "root_cause", "Script invites promises"),
            ("plan", "plan", "New script"),
            ("implement", "note", ""),
        ] {
            redirected(
                &quinn
                    .post(
                        &app,
                        &format!("/capa/{capa}/step"),
                        &[("step", step), (field, text)],
                    )
                    .await,
            );
        }
        let verify = [("step", "verify"), ("note", "")];
        let early = quinn
            .post(&app, &format!("/capa/{capa}/step"), &verify)
            .await;
        early.assert_answer(StatusCode::CONFLICT, &["pending: 0 of 10 days"]);

        // Ten days later: 2 of 3 interactions in the window still carry it (667 ≥ 500).
        ingest(
            &app,
            &[
                line("t-5", "2026-11-21T10:00:00Z", true),
                line("t-6", "2026-11-22T10:00:00Z", true),
                line("t-7", "2026-11-23T10:00:00Z", false),
            ],
        )
        .await;
        app.clock.advance(days(11));
        quinn.again(&app).await;
        let r = quinn
            .post(&app, &format!("/capa/{capa}/step"), &verify)
            .await;
        r.assert_answer(StatusCode::CONFLICT, &["not met"]);
        // The window's clean interactions bring it under: 2 of 5 = 400 < 500.
        ingest(
            &app,
            &[
                line("t-8", "2026-11-24T10:00:00Z", false),
                line("t-9", "2026-11-25T10:00:00Z", false),
            ],
        )
        .await;
        let page = quinn.get(&app, &format!("/capa/{capa}")).await;
        page.assert_contains("met: 400.0 per 1,000");
        redirected(
            &quinn
                .post(&app, &format!("/capa/{capa}/step"), &verify)
                .await,
        );
        let api = quinn.get(&app, "/api/v1/capas").await.json();
        assert_eq!(api["capas"][0]["state"], "verified");
    }
}

#[tokio::test]
async fn a_hotline_capa_exists_only_for_holders_of_the_case_key() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let lena = staff(&app, "lena", &[Role::TeamLead]).await;
        let r = app
            .post_json("/api/v1/speakup/reports", &json!({"category": "fraud", "description": "Refunds paid to a private card", "anonymous": true}))
            .await;
        let case = r.json()["case"].as_str().unwrap().to_owned();
        // Its owner must be able to read the case.
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/capa"),
                &[
                    ("title", "Four-eyes check on refunds"),
                    ("owner", "lena"),
                    ("due", "2026-12-31"),
                ],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "owner");
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/capa"),
                &[
                    ("title", "Four-eyes check on refunds"),
                    ("owner", "olga"),
                    ("due", "2026-12-31"),
                ],
            )
            .await;
        let capa = id_of(&redirected(&r));
        let mine = olga.get(&app, &format!("/capa/{capa}")).await;
        mine.assert_contains(&case);
        mine.assert_contains("Four-eyes check on refunds");
        let theirs = lena.get(&app, &format!("/capa/{capa}")).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        theirs.assert_lacks("Four-eyes");
        let list = lena.get(&app, "/capa").await;
        assert!(!list.body.contains(&capa) && !list.body.contains("Four-eyes"));
        let api = lena.get(&app, "/api/v1/capas").await.body;
        assert!(!api.contains(&case) && !api.contains(&capa));
        // Without the key (or the role) a case raises nothing.
        let r = lena
            .post(
                &app,
                &format!("/cases/{case}/capa"),
                &[("title", "x"), ("owner", "lena"), ("due", "2026-12-31")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // And the general form refuses a hotline source.
        let r = olga
            .post(
                &app,
                "/capa",
                &[
                    ("source_kind", "hotline_case"),
                    ("source_ref", &case),
                    ("title", "x"),
                    ("owner", "lena"),
                    ("due", "2026-12-31"),
                ],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "source_kind");
    }
}

// ---------------------------------------------------------------- discipline

async fn decide(who: &Staff, app: &App, subject: &str, sanction: &str, rationale: &str) -> Resp {
    who.post(
        app,
        "/discipline",
        &[
            ("subject", subject),
            ("class", "Data handling"),
            ("severity", "2"),
            ("aggravating", "customer_harm"),
            ("sanction", sanction),
            ("rationale", rationale),
        ],
    )
    .await
}

#[tokio::test]
async fn a_deviating_sanction_needs_a_rationale_and_a_second_approver() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let eve = staff(&app, "eve", &[Role::EthicsOfficer]).await;
        let lena = staff(&app, "lena", &[Role::TeamLead]).await;
        let tom = staff(&app, "tom", &[Role::TeamLead]).await;
        for n in 0..7 {
            app.user(&format!("agent{n}"), &[Role::Agent]).await;
        }
        redirected(
            &olga
                .post(&app, "/discipline/classes", &[("name", "Data handling")])
                .await,
        );
        assert_eq!(
            lena.post(&app, "/discipline/classes", &[("name", "x")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );

        // Bad input names its field.
        refused(
            &decide(&lena, &app, "nobody", "coaching", "").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject",
        );
        refused(
            &decide(&lena, &app, "lena", "coaching", "").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "subject",
        );
        refused(
            &decide(&lena, &app, "agent0", "sacked", "").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sanction",
        );
        let r = lena
            .post(
                &app,
                "/discipline",
                &[
                    ("subject", "agent0"),
                    ("class", "Data handling"),
                    ("severity", "9"),
                    ("sanction", "coaching"),
                ],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "severity");

        // Four comparable cases: no distribution, nothing deviates.
        for n in 0..4 {
            redirected(&decide(&tom, &app, &format!("agent{n}"), "verbal_warning", "").await);
        }
        let form = lena
            .get(
                &app,
                "/discipline/new?subject=agent5&class=Data+handling&severity=2",
            )
            .await;
        form.assert_contains("Fewer than 5 comparable cases");
        let api = lena
            .get(
                &app,
                "/api/v1/discipline/comparable?class=Data+handling&severity=2",
            )
            .await
            .json();
        assert_eq!(api["distribution"], Value::Null);
        assert_eq!(api["cases"], "fewer than 5");
        redirected(&decide(&tom, &app, "agent4", "written_warning", "").await);

        // Five: the distribution shows, without names; the median is a verbal warning.
        let form = lena
            .get(
                &app,
                "/discipline/new?subject=agent5&class=Data+handling&severity=2",
            )
            .await;
        form.assert_contains("5 earlier decisions of this class and severity");
        form.assert_contains("Usual sanction (median): <strong>Verbal warning");
        let table = &form.body[form.body.find("id=\"comparable\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert!(
            !table.contains("agent") && !table.contains("tom"),
            "no names: {table}"
        );
        form.assert_contains("Prior record: 0 earlier");

        // One step up is the usual range; two steps is a deviation needing a rationale.
        redirected(&decide(&lena, &app, "agent5", "written_warning", "").await);
        let r = decide(&lena, &app, "agent6", "final_warning", "").await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "rationale");
        r.assert_contains("second approver");
        assert!(
            r.body.contains("aria-invalid=\"true\""),
            "the form is shown again"
        );
        let loc = redirected(
            &decide(
                &lena,
                &app,
                "agent6",
                "final_warning",
                "Card data left on the desk overnight",
            )
            .await,
        );
        let rec = id_of(&loc);
        // The person affected carries no decision that still awaits its second approver.
        let agent6 = app
            .signed_in(
                app.state
                    .db
                    .user_by_username("agent6")
                    .await
                    .unwrap()
                    .unwrap(),
            )
            .await;
        agent6.get(&app, "/my/discipline").await.assert_answer(
            StatusCode::OK,
            &["There is no discipline decision about you."],
        );
        let page = lena.get(&app, &loc).await;
        page.assert_contains("Awaiting a second approver");
        // Visible to its decision maker and ethics officers only.
        assert_eq!(tom.get(&app, &loc).await.status, StatusCode::NOT_FOUND);
        assert!(!tom.get(&app, "/discipline").await.body.contains(&rec));
        // The decision maker is never the second approver; the subject neither.
        let r = lena
            .post(
                &app,
                &format!("/discipline/{rec}/approval"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let olga_dm = olga
            .post(
                &app,
                "/discipline",
                &[
                    ("subject", "agent6"),
                    ("class", "Data handling"),
                    ("severity", "2"),
                    ("sanction", "termination"),
                    ("rationale", "Repeated"),
                ],
            )
            .await;
        let own = id_of(&redirected(&olga_dm));
        let r = olga
            .post(
                &app,
                &format!("/discipline/{own}/approval"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
        let r = eve
            .post(
                &app,
                &format!("/discipline/{own}/approval"),
                &[("decision", "reject"), ("note", "")],
            )
            .await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "note");
        redirected(
            &eve.post(
                &app,
                &format!("/discipline/{own}/approval"),
                &[("decision", "reject"), ("note", "Too harsh")],
            )
            .await,
        );
        redirected(
            &olga
                .post(
                    &app,
                    &format!("/discipline/{rec}/approval"),
                    &[("decision", "approve")],
                )
                .await,
        );
        let page = olga.get(&app, &loc).await;
        page.assert_contains("Approved by a second approver");
        // Once in force, the decision reaches the person it affects with its reasons; the
        // rejected one never does, and nobody else's decisions show.
        let mine = agent6.get(&app, "/my/discipline").await;
        mine.assert_answer(
            StatusCode::OK,
            &[
                "Final warning",
                "Data handling, severity 2",
                "Decided by</dt><dd>lena, approved by olga",
                "Weighed against you</dt><dd>Harm to a customer",
                "comparable earlier decisions",
                "This decision differs from them.",
                "Card data left on the desk overnight",
            ],
        );
        mine.assert_lacks("Termination");
        let api = agent6.get(&app, "/api/v1/my/discipline").await.json();
        assert_eq!(api.as_array().map(Vec::len), Some(1), "{api}");
        assert_eq!(api[0]["rationale"], "Card data left on the desk overnight");
        let agent5 = app
            .signed_in(
                app.state
                    .db
                    .user_by_username("agent5")
                    .await
                    .unwrap()
                    .unwrap(),
            )
            .await;
        let theirs = agent5.get(&app, "/my/discipline").await;
        theirs.assert_contains("Written warning");
        theirs.assert_lacks("Card data left");
        let again = eve
            .post(
                &app,
                &format!("/discipline/{rec}/approval"),
                &[("decision", "approve")],
            )
            .await;
        assert_eq!(again.status, StatusCode::FORBIDDEN);
        // Prior record counts decisions in force about the person.
        let form = lena.get(&app, "/discipline/new?subject=agent6").await;
        form.assert_contains("Prior record: 1 earlier");

        // Disparity: tom (5 decisions) shown, lena (2) suppressed; CSV the same.
        assert_eq!(
            lena.get(&app, "/discipline/report").await.status,
            StatusCode::FORBIDDEN
        );
        let report = olga.get(&app, "/api/v1/discipline/disparity").await.json();
        let makers = report["dimensions"]["decision_maker"].as_array().unwrap();
        let tom_row = makers.iter().find(|g| g["group"] == "tom").unwrap();
        assert_eq!(tom_row["records"], 5);
        assert_eq!(tom_row["severe"], 0);
        let lena_row = makers.iter().find(|g| g["group"] == "lena").unwrap();
        assert_eq!(lena_row["suppressed"], true);
        let csv = olga.get(&app, "/discipline/report.csv").await;
        assert!(csv
            .body
            .starts_with("dimension,group,records,severe,severe_rate,expected_rate\n"));
        csv.assert_contains("\"Decision maker\",\"lena\",\"<5\",,,");
        let actions = app.audit_actions().await;
        for a in [
            "discipline.recorded",
            "discipline.viewed",
            "discipline.approved",
            "discipline.rejected",
            "discipline.report_exported",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} audited");
        }
    }
}

#[tokio::test]
async fn a_named_reporter_disciplined_after_filing_raises_the_retaliation_alert() {
    for app in App::each().await {
        let mut olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let mut lena = staff(&app, "lena", &[Role::TeamLead]).await;
        app.user("rita", &[Role::Agent]).await;
        let r = app
            .post_json("/api/v1/speakup/reports", &json!({"category": "fraud", "description": "My lead pockets refunds", "anonymous": true}))
            .await;
        let case = r.json()["case"].as_str().unwrap().to_owned();
        redirected(
            &olga
                .post(
                    &app,
                    &format!("/cases/{case}/watch"),
                    &[
                        ("username", "rita"),
                        ("role", "reporter"),
                        ("consent", "on"),
                    ],
                )
                .await,
        );
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("No adverse pattern against peers.");

        redirected(
            &olga
                .post(&app, "/discipline/classes", &[("name", "Attendance")])
                .await,
        );
        app.clock.advance(days(3));
        olga.again(&app).await;
        lena.again(&app).await;
        let r = lena
            .post(
                &app,
                "/discipline",
                &[
                    ("subject", "rita"),
                    ("class", "Attendance"),
                    ("severity", "1"),
                    ("sanction", "written_warning"),
                ],
            )
            .await;
        assert!(redirected(&r).starts_with("/discipline/"), "recorded");
        // The officer looks at the case later that day (windows are half-open).
        app.clock.advance(SignedDuration::from_hours(2));
        olga.again(&app).await;
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("1 discipline event in");
    }
}

// ---------------------------------------------------------------- kudos

#[tokio::test]
async fn kudos_are_shown_to_the_team_only_with_consent_and_never_name_a_case() {
    for app in App::each().await {
        let site = app
            .state
            .db
            .create_site("Manila", app.now(), &mut rand::rngs::OsRng)
            .await
            .unwrap();
        let team = app
            .state
            .db
            .create_team(
                "Manila Billing",
                site,
                None,
                app.now(),
                &mut rand::rngs::OsRng,
            )
            .await
            .unwrap();
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let peer = staff(&app, "pia", &[Role::Agent]).await;
        let rob = staff(&app, "rob", &[Role::Agent]).await;
        let mate = staff(&app, "mo", &[Role::Agent]).await;
        for u in [&peer.user, &rob.user, &mate.user] {
            app.state.db.set_user_team(u.id, Some(team)).await.unwrap();
        }
        redirected(
            &olga
                .post(&app, "/kudos/values", &[("name", "Integrity")])
                .await,
        );
        assert_eq!(
            peer.post(&app, "/kudos/values", &[("name", "x")])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let give = |to: &'static str, value: &'static str, msg: &'static str| {
            let app = &app;
            let peer = &peer;
            async move {
                peer.post(
                    app,
                    "/kudos",
                    &[("recipient", to), ("value", value), ("message", msg)],
                )
                .await
            }
        };
        refused(
            &give("pia", "Integrity", "me").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "recipient",
        );
        refused(
            &give("rob", "Speed", "x").await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "value",
        );
        let r = give("rob", "Integrity", "Thanks for your report RT-7KQ2-M9XP").await;
        refused(&r, StatusCode::UNPROCESSABLE_ENTITY, "message");
        r.assert_contains("never linked to speak-up reports");
        redirected(&give("rob", "Integrity", "Refused to skip the verification step").await);

        // Pending: the recipient sees it, the team does not.
        let mine = rob.get(&app, "/kudos").await;
        mine.assert_contains("waiting for your consent");
        assert!(!mate
            .get(&app, "/kudos")
            .await
            .body
            .contains("verification step"));
        let id = rob.get(&app, "/api/v1/kudos").await.json()["received"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            mate.post(
                &app,
                &format!("/kudos/{id}/visibility"),
                &[("visibility", "visible")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND,
            "only the recipient consents"
        );
        refused(
            &rob.post(
                &app,
                &format!("/kudos/{id}/visibility"),
                &[("visibility", "public")],
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "visibility",
        );
        redirected(
            &rob.post(
                &app,
                &format!("/kudos/{id}/visibility"),
                &[("visibility", "visible")],
            )
            .await,
        );
        assert!(mate
            .get(&app, "/kudos")
            .await
            .body
            .contains("verification step"));
        assert!(
            !olga
                .get(&app, "/kudos")
                .await
                .body
                .contains("verification step"),
            "not the team"
        );
        redirected(
            &rob.post(
                &app,
                &format!("/kudos/{id}/visibility"),
                &[("visibility", "hidden")],
            )
            .await,
        );
        assert!(!mate
            .get(&app, "/kudos")
            .await
            .body
            .contains("verification step"));

        // The invariant, on the schema: nothing in kudos could point at the hotline.
        let cols: Vec<String> = app
            .state
            .db
            .schema_columns()
            .await
            .unwrap()
            .into_iter()
            .filter(|(t, _)| t == "kudos")
            .map(|(_, c)| c)
            .collect();
        assert_eq!(
            cols,
            [
                "decided_at",
                "given_at",
                "giver",
                "id",
                "message",
                "recipient",
                "value_name",
                "visibility"
            ]
        );
        let actions = app.audit_actions().await;
        assert!(actions.iter().any(|a| a == "kudos.given"));
        assert!(actions.iter().any(|a| a == "kudos.consented"));
    }
}
