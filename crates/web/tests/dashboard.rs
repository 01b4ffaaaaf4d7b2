//! The ethics-health dashboard from its users' side: figures that follow what was
//! ingested and reported, the drill-down to a team, withheld small figures, hotline
//! counts scoped to the cases the viewer can read, and who may see it. Runs on SQLite
//! and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{texts, App};
use righttrack_core::Role;
use serde_json::{json, Value};

fn line(id: &str, team: &str, started: &str, agent_says: &str) -> String {
    json!({
        "id": id, "channel": "chat", "agent_id": "a-17", "team": team, "started_at": started,
        "turns": [
            {"speaker": "agent", "text": "Hello, thanks for contacting Northwind"},
            {"speaker": "customer", "text": "my parcel is late"},
            {"speaker": "agent", "text": agent_says}
        ]
    })
    .to_string()
}

async fn ingest(app: &App, lines: &[String]) {
    let r = app.ingest(Role::QaAnalyst, lines).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

fn indicator<'a>(d: &'a Value, key: &str) -> &'a Value {
    d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap_or_else(|| panic!("no indicator {key}: {d}"))
}

fn last(d: &Value, key: &str) -> Value {
    indicator(d, key)["values"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-6)
}

#[tokio::test]
async fn figures_follow_ingestion_drill_down_to_a_team_and_withhold_small_ones() {
    for app in App::each().await {
        let mut lines = Vec::new();
        for i in 0..30 {
            lines.push(line(
                &format!("oct-{i}"),
                "Cards",
                "2026-10-10T10:00:00Z",
                "It is on its way.",
            ));
        }
        for i in 0..40 {
            let says = if i < 10 {
                "I guarantee it arrives tomorrow."
            } else {
                "It is on its way."
            };
            lines.push(line(
                &format!("nov-{i}"),
                "Cards",
                "2026-11-10T10:00:00Z",
                says,
            ));
        }
        for i in 0..5 {
            lines.push(line(
                &format!("loans-{i}"),
                "Loans",
                "2026-11-11T10:00:00Z",
                "I guarantee approval.",
            ));
        }
        ingest(&app, &lines).await;

        let officer = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&officer).await;
        let r = app.get("/api/v1/dashboard", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let d = r.json();
        let months = d["months"].as_array().unwrap();
        assert_eq!(months.len(), 12);
        assert_eq!(months[11], "2026-11");
        assert_eq!(months[0], "2025-12");
        assert!(close(&last(&d, "interactions_reviewed"), 45.0), "{d}");
        let reviewed = indicator(&d, "interactions_reviewed")["values"]
            .as_array()
            .unwrap()
            .clone();
        assert!(close(&reviewed[10], 30.0));

        // The guarantee rule fired in 15 of the 75 interactions of the year, 15 of the 45
        // of November.
        let rule = d["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == "honesty.guarantee")
            .unwrap_or_else(|| panic!("{d}"));
        assert!(close(&rule["per_1000"], 200.0), "{rule}");
        assert!(close(
            rule["monthly"].as_array().unwrap().last().unwrap(),
            1000.0 * 15.0 / 45.0
        ));
        assert!(
            last(&d, "violations_per_1000").as_f64().unwrap() >= 1000.0 * 15.0 / 45.0 - 1e-6,
            "every rule counts towards the total"
        );
        assert_eq!(
            d["teams"],
            json!([{"team": "Cards", "interactions": 70}, {"team": "Loans", "interactions": 5}])
        );

        // Drill-down: Cards alone; Loans has too few interactions for a rate.
        let cards = app
            .get("/api/v1/dashboard?team=Cards", &cookie)
            .await
            .json();
        assert!(close(&last(&cards, "interactions_reviewed"), 40.0));
        let cards_rule = &cards["rules"].as_array().unwrap()[0];
        assert_eq!(cards_rule["rule"], "honesty.guarantee");
        assert!(close(
            cards_rule["monthly"].as_array().unwrap().last().unwrap(),
            250.0
        ));
        let loans = app
            .get("/api/v1/dashboard?team=Loans", &cookie)
            .await
            .json();
        assert!(close(&last(&loans, "interactions_reviewed"), 5.0));
        assert_eq!(last(&loans, "violations_per_1000"), Value::Null);
        assert!(indicator(&loans, "violations_per_1000")["withheld_when"]
            .as_str()
            .unwrap()
            .contains("fewer than 20 interactions"));
        assert!(
            loans["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["key"] != "reports_per_100"),
            "a team's slice carries no hotline figures"
        );
        let nope = app.get("/api/v1/dashboard?team=Nope", &cookie).await;
        assert_eq!(nope.status, StatusCode::NOT_FOUND);

        // The page draws the same figures, with a chart and its table.
        let page = app.get("/dashboard", &cookie).await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "<svg class=\"chart\"",
                "Interactions reviewed in 2026-11: 45.",
                "href=\"/dashboard?team=Loans\"",
                "href=\"/qa/review?rule=honesty.guarantee\"",
            ],
        );
        let team_page = app.get("/dashboard?team=Loans", &cookie).await;
        team_page.assert_contains("Ethics health: team Loans");
        team_page.assert_lacks("Speak-up hotline");
    }
}

#[tokio::test]
async fn hotline_figures_count_the_cases_the_viewer_can_read() {
    for app in App::each().await {
        let officer = app.user("olga", &[Role::EthicsOfficer]).await;
        let committee = app.user("carl", &[Role::AuditCommittee]).await;
        let agent = app.user("ana", &[Role::Agent]).await;
        // Signing in gives case readers their key pair, so new cases are wrapped for them.
        app.session(&officer).await;
        app.session(&committee).await;
        for i in 0..6 {
            let r = app
                .post_json("/api/v1/speakup/reports", &if i % 2 == 0 {
                        json!({"category": "harassment", "description": format!("report {i}"), "anonymous": true})
                    } else {
                        json!({"category": "harassment", "description": format!("report {i}"), "anonymous": false, "name": "Named Reporter"})
                    })
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        // A hundred days later the acknowledgements (met at submission) and the
        // three-month feedback deadlines (not met) have both fallen due.
        app.clock
            .advance(jiff::SignedDuration::from_hours(24 * 100));
        let (cookie, _) = app.session(&officer).await;
        let d = app.get("/api/v1/dashboard", &cookie).await.json();
        let headcount = d["headcount"].as_f64().unwrap();
        assert_eq!(headcount, 3.0);
        assert!(
            close(&last(&d, "reports_per_100"), 600.0 / headcount),
            "{d}"
        );
        assert!(close(&last(&d, "anonymous_share"), 50.0));
        assert!(close(&last(&d, "legal_clock_compliance"), 50.0), "{d}");
        assert_eq!(
            last(&d, "substantiation_rate"),
            Value::Null,
            "nothing decided"
        );
        assert_eq!(
            indicator(&d, "reports_per_100")["benchmark"]["source"],
            "NAVEX median 1.57"
        );

        // The audit committee holds no key to harassment cases: none is counted for it.
        let (c_cookie, _) = app.session(&committee).await;
        let c = app.get("/api/v1/dashboard", &c_cookie).await.json();
        assert_eq!(last(&c, "reports_per_100"), Value::Null);

        // Agents do not see the dashboard, by page or by API.
        let (a_cookie, _) = app.session(&agent).await;
        assert_eq!(
            app.get("/api/v1/dashboard", &a_cookie).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/dashboard", &a_cookie).await.status,
            StatusCode::FORBIDDEN
        );
    }
}

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// Nine agents in the directory: six in team Cards, three in team Loans.
async fn program_people(
    app: &App,
) -> (
    Vec<righttrack_store::directory::User>,
    Vec<righttrack_store::directory::User>,
) {
    let mut rng = rand::rngs::OsRng;
    let db = &app.state.db;
    let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
    let mut out = (Vec::new(), Vec::new());
    for (team, n) in [("Cards", 6), ("Loans", 3)] {
        let id = db
            .create_team(team, site, None, app.now(), &mut rng)
            .await
            .unwrap();
        for i in 0..n {
            let u = app
                .user(&format!("{}{i}", team.to_lowercase()), &[Role::Agent])
                .await;
            db.set_user_team(u.id, Some(id)).await.unwrap();
            if team == "Cards" {
                out.0.push(u);
            } else {
                out.1.push(u);
            }
        }
    }
    out
}

/// A published policy assigned to everyone on 1 October, due on the 15th; four Cards
/// agents attest on 10 October, one more Cards agent and one Loans agent on 5 November.
async fn policy(
    app: &App,
    cards: &[righttrack_store::directory::User],
    loans: &[righttrack_store::directory::User],
) {
    use righttrack_core::policies::Status;
    let mut rng = rand::rngs::OsRng;
    let db = &app.state.db;
    let t0 = at("2026-09-20T10:00:00Z");
    let (_, vid) = db
        .create_policy(
            &righttrack_store::policies::NewPolicy {
                slug: "gifts".into(),
                title: "Gifts".into(),
                audience: righttrack_core::audience::Audience::default(),
                attest_days: 14,
                pass_mark: 80,
                by: "olga".into(),
                body: "No gifts.".into(),
                summary: String::new(),
                quiz: Vec::new(),
            },
            t0,
            &mut rng,
        )
        .await
        .unwrap();
    assert!(db
        .step_version(&vid, Status::Draft, Status::InReview, "olga", t0)
        .await
        .unwrap());
    assert!(db
        .step_version(&vid, Status::InReview, Status::Approved, "pat", t0)
        .await
        .unwrap());
    let due = at("2026-10-15T00:00:00Z");
    assert!(db
        .publish_version(&vid, "olga", at("2026-09-30T10:00:00Z"), "h", Some(due))
        .await
        .unwrap());
    let everyone: Vec<_> = cards.iter().chain(loans).map(|u| u.id).collect();
    db.assign(&vid, &everyone, at("2026-10-01T08:00:00Z"), due)
        .await
        .unwrap();
    let v = db.version(&vid).await.unwrap().unwrap();
    for (u, when) in cards[..4]
        .iter()
        .map(|u| (u, "2026-10-10T10:00:00Z"))
        .chain([
            (&cards[4], "2026-11-05T10:00:00Z"),
            (&loans[0], "2026-11-05T10:00:00Z"),
        ])
    {
        db.attest(&vid, u.id, &v, "read", None, None, at(when), &mut rng)
            .await
            .unwrap();
    }
}

/// A course assigned to every agent on 1 September, due in 30 days; the Cards agents
/// complete it on 15 September (valid a year), one Loans agent on 20 September with a
/// completion that expires on 20 October.
async fn training(
    app: &App,
    cards: &[righttrack_store::directory::User],
    loans: &[righttrack_store::directory::User],
) {
    let mut rng = rand::rngs::OsRng;
    let db = &app.state.db;
    let course = db
        .create_training_course(
            &righttrack_store::training::CourseInput {
                code: "conduct".into(),
                title: "Code of conduct".into(),
                content: "Be fair.".into(),
                quiz: righttrack_core::training::Quiz::default(),
                pass_mark: 80,
                validity_months: Some(12),
                grants_data_access: false,
                external: false,
            },
            at("2026-08-01T00:00:00Z"),
            &mut rng,
        )
        .await
        .unwrap();
    let agents = righttrack_core::audience::Audience {
        roles: vec![Role::Agent],
        ..Default::default()
    };
    db.create_training_rule(
        &righttrack_store::training::NewRule {
            course_id: &course,
            audience: &agents,
            due_days: 30,
            on_hire: false,
            created_by: "olga",
        },
        at("2026-09-01T00:00:00Z"),
        &mut rng,
    )
    .await
    .unwrap();
    db.sync_training_assignments(at("2026-09-01T00:00:00Z"))
        .await
        .unwrap();
    let done = cards
        .iter()
        .map(|u| (u, "2026-09-15T10:00:00Z", Some("2027-09-15T10:00:00Z")))
        .chain([(
            &loans[0],
            "2026-09-20T10:00:00Z",
            Some("2026-10-20T10:00:00Z"),
        )]);
    for (u, when, until) in done {
        db.add_training_completion(
            &righttrack_store::training::NewCompletion {
                course_id: course.clone(),
                user_id: u.id,
                completed_at: at(when),
                expires_at: until.map(at),
                score: Some(100),
                source: "manual",
                note: "test".into(),
                recorded_by: "olga".into(),
                verification: righttrack_core::training::verification_code(&mut rng),
            },
            at(when),
            &mut rng,
        )
        .await
        .unwrap();
    }
}

/// Corrective actions: one raised 5 October and overdue from the 20th; one on the
/// guarantee rule raised 6 October and closed on 3 November; one on the same rule
/// raised 10 November (recurring), due next year.
async fn capas(app: &App) {
    use righttrack_core::capa::{SourceKind, State, Step};
    let mut rng = rand::rngs::OsRng;
    let db = &app.state.db;
    let new = |title: &str, rule: Option<&str>, created: &str, due: &str| {
        righttrack_store::capa::NewCapa {
            title: title.into(),
            source_kind: if rule.is_some() {
                SourceKind::QaTrend
            } else {
                SourceKind::Manual
            },
            source_ref: rule.unwrap_or("manual").into(),
            source_label: title.into(),
            subject: title.into(),
            site_name: None,
            rule: rule.map(Into::into),
            owner: "olga".into(),
            due_at: at(due),
            metric: None,
            created_by: "olga".into(),
            created_at: at(created),
        }
    };
    db.create_capa(
        &new(
            "Fix the script",
            None,
            "2026-10-05T10:00:00Z",
            "2026-10-20T10:00:00Z",
        ),
        &mut rng,
    )
    .await
    .unwrap();
    let (b, _) = db
        .create_capa(
            &new(
                "Guarantees",
                Some("honesty.guarantee"),
                "2026-10-06T10:00:00Z",
                "2026-12-31T10:00:00Z",
            ),
            &mut rng,
        )
        .await
        .unwrap();
    let m = righttrack_store::capa::Move::default();
    assert!(db
        .move_capa(
            &b,
            State::Open,
            State::Verified,
            Step::Verify,
            &m,
            "olga",
            at("2026-11-02T10:00:00Z"),
            &mut rng
        )
        .await
        .unwrap());
    assert!(db
        .move_capa(
            &b,
            State::Verified,
            State::Closed,
            Step::Close,
            &m,
            "olga",
            at("2026-11-03T10:00:00Z"),
            &mut rng
        )
        .await
        .unwrap());
    let (_, recurring) = db
        .create_capa(
            &new(
                "Guarantees again",
                Some("honesty.guarantee"),
                "2026-11-10T10:00:00Z",
                "2027-01-31T10:00:00Z",
            ),
            &mut rng,
        )
        .await
        .unwrap();
    assert_eq!(recurring.as_deref(), Some(b.as_str()));
}

/// A wave of the built-in survey open 1–20 October answered favourably by `who`,
/// closed now.
async fn wave(app: &App, name: &str, who: &[righttrack_store::directory::User], closes: &str) {
    use righttrack_core::surveys::release::{role_band, tenure_band};
    use righttrack_core::surveys::{Answers, Dims, QuestionKind};
    let mut rng = rand::rngs::OsRng;
    let db = &app.state.db;
    let questions = righttrack_core::surveys::instrument::builtin();
    let survey = db
        .create_survey(name, &questions, "olga", app.now(), &mut rng)
        .await
        .unwrap();
    let id = db
        .create_wave(
            &righttrack_store::surveys::NewWave {
                survey_id: survey,
                name: name.into(),
                opens_on: "2026-10-01".parse().unwrap(),
                closes_on: closes.parse().unwrap(),
                audience: righttrack_core::audience::Audience::default(),
                views: vec!["team".into()],
                thresholds: righttrack_core::surveys::Thresholds::default(),
                created_by: "olga".into(),
            },
            app.now(),
            &mut rng,
        )
        .await
        .unwrap();
    let invited: Vec<_> = who.iter().map(|u| u.id).collect();
    assert!(db.launch_wave(&id, &invited, app.now()).await.unwrap());
    for u in who {
        let mut a = Answers::new();
        for q in questions.iter().filter(|q| q.kind != QuestionKind::Comment) {
            let good = q
                .choices()
                .into_iter()
                .find(|c| q.favourable(c) != Some(false));
            a.insert(q.key.clone(), good.unwrap());
        }
        let dims = Dims {
            team: u.team_id.map(|t| t.to_string()).unwrap_or_default(),
            site: "s".into(),
            role: role_band(&u.roles).into(),
            tenure: tenure_band(u.created_at, app.now()).into(),
        };
        db.submit_survey_response(
            &id,
            u.id,
            "2026-10-05".parse().unwrap(),
            &dims,
            &a,
            &mut rng,
        )
        .await
        .unwrap();
    }
    assert!(db.close_wave(&id, app.now()).await.unwrap());
}

fn values(d: &Value, key: &str) -> Vec<Value> {
    indicator(d, key)["values"].as_array().unwrap().clone()
}

fn near(v: &[Value], want: &[Option<f64>]) {
    assert_eq!(v.len(), want.len());
    for (got, w) in v.iter().zip(want) {
        match w {
            None => assert_eq!(got, &Value::Null, "{v:?}"),
            Some(w) => assert!(close(got, *w), "{v:?} want {want:?}"),
        }
    }
}

#[tokio::test]
async fn program_indicators_stand_as_at_each_month_end_by_team_and_withhold_small_groups() {
    for app in App::each().await {
        let (cards, loans) = program_people(&app).await;
        policy(&app, &cards, &loans).await;
        training(&app, &cards, &loans).await;
        capas(&app).await;
        wave(&app, "Autumn", &cards, "2026-10-20").await;
        // Three answers: the wave closes in November but releases nothing.
        wave(&app, "Pulse", &loans, "2026-11-15").await;

        let officer = app.user("olga", &[Role::EthicsOfficer]).await;
        let (cookie, _) = app.session(&officer).await;
        let d = app.get("/api/v1/dashboard", &cookie).await.json();
        // Months 2025-12 .. 2026-11: the last three are September, October, November.
        let tail = |key: &str| values(&d, key)[9..].to_vec();
        near(
            &tail("attestation_coverage"),
            &[None, Some(400.0 / 9.0), Some(600.0 / 9.0)],
        );
        near(&tail("attestations_overdue"), &[None, Some(5.0), Some(3.0)]);
        near(
            &tail("training_coverage"),
            &[Some(700.0 / 9.0), Some(600.0 / 9.0), Some(600.0 / 9.0)],
        );
        near(
            &tail("training_overdue"),
            &[Some(0.0), Some(3.0), Some(3.0)],
        );
        near(&tail("capa_open"), &[Some(0.0), Some(2.0), Some(2.0)]);
        near(&tail("capa_overdue"), &[Some(0.0), Some(1.0), Some(1.0)]);
        near(&tail("capa_closed"), &[Some(0.0), Some(0.0), Some(1.0)]);
        near(&tail("capa_recurring"), &[Some(0.0), Some(0.0), Some(1.0)]);
        // Every answer favourable: 100 % in October, when the first wave closed; the
        // November wave of three is not released.
        near(&tail("climate_trust"), &[None, Some(100.0), None]);
        assert!(indicator(&d, "attestation_coverage")["benchmark"].is_null());
        assert!(indicator(&d, "training_coverage")["withheld_when"]
            .as_str()
            .unwrap()
            .contains("fewer than 5 people"));

        // Drill-down to a directory team: its people only; no interactions needed.
        let c = app.get("/api/v1/dashboard?team=Cards", &cookie).await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.body);
        let c = c.json();
        near(
            &values(&c, "attestation_coverage")[10..],
            &[Some(400.0 / 6.0), Some(500.0 / 6.0)],
        );
        near(
            &values(&c, "attestations_overdue")[10..],
            &[Some(2.0), Some(1.0)],
        );
        near(
            &values(&c, "training_coverage")[10..],
            &[Some(100.0), Some(100.0)],
        );
        let keys: Vec<&str> = texts(&c["indicators"], "key");
        assert!(
            !keys.contains(&"capa_open") && !keys.contains(&"climate_trust"),
            "{keys:?}"
        );
        // Three people: both coverage figures withheld in every month.
        let l = app
            .get("/api/v1/dashboard?team=Loans", &cookie)
            .await
            .json();
        for key in [
            "attestation_coverage",
            "attestations_overdue",
            "training_coverage",
            "training_overdue",
        ] {
            assert!(values(&l, key).iter().all(Value::is_null), "{key}: {l}");
        }

        let page = app.get("/dashboard", &cookie).await;
        page.assert_contains("<h2 id=\"sec-program\">Ethics program</h2>");
        page.assert_contains("id=\"ind-attestation_coverage\"");
        page.assert_contains("href=\"/policies/reports\"");
        page.assert_contains("href=\"/training/reports\"");
        page.assert_contains("href=\"/surveys\"");
        page.assert_contains("href=\"/capa\"");
        assert!(
            page.body
                .contains("Policy attestation coverage in 2026-11: 66.7%."),
            "chart description"
        );

        // The audit committee may not open the training reports or the corrective
        // actions: the figures show, the links do not.
        let carl = app.user("carl", &[Role::AuditCommittee]).await;
        let (cc, _) = app.session(&carl).await;
        let page = app.get("/dashboard", &cc).await;
        page.assert_contains("id=\"ind-training_coverage\"");
        page.assert_lacks("href=\"/training/reports\"");
        page.assert_lacks("href=\"/capa\"");
    }
}
