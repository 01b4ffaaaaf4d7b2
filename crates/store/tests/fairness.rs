//! The per-agent totals behind fairness analytics and training effectiveness stay equal
//! to the interactions they summarize (through ingestion, overrides and accepted
//! disputes), and the queries over them answer what the pages ask, on SQLite and
//! PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{at, new_user};
use righttrack_core::interactions::Prepared;
use righttrack_core::Role;
use righttrack_store::interactions::ScoreOverride;
use righttrack_store::testing::TestDb;
use righttrack_store::training::{CourseInput, NewCompletion};

fn interaction(
    id: &str,
    agent: &str,
    team: &str,
    started: &str,
    score: i64,
    rules: &str,
    unsocial: bool,
) -> Prepared {
    Prepared {
        ext_id: id.into(),
        channel: "chat",
        agent_ref: agent.into(),
        team_ref: (!team.is_empty()).then(|| team.into()),
        started_at: at(started),
        redacted_json: if unsocial {
            r#"{"timezone":"UTC"}"#.into()
        } else {
            "{}".into()
        },
        findings_json: format!(r#"{{"score":{{"value":{score},"max":100}}}}"#),
        score,
        score_max: 100,
        flagged: false,
        severity: 0,
        pii_spans: 0,
        rules: rules.into(),
        commitments: vec![],
        vault: None,
        customer_ref_hash: None,
        content_hash: None,
        unsocial,
    }
}

#[tokio::test]
async fn agent_totals_follow_ingestion_and_score_changes_and_equal_a_rebuild() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let name = db.backend_name();
        let now = at("2026-11-20T09:00:00Z");
        // Unsocial ones start at 22:00 UTC so the rebuild (which recomputes the hour
        // from the timezone) agrees with what ingestion was told.
        let batch = vec![
            interaction("a", "ana", "Cards", "2026-10-05T10:00:00Z", 100, ",", false),
            interaction(
                "b",
                "ana",
                "Cards",
                "2026-10-06T22:00:00Z",
                60,
                ",context.hostile_customer,honesty.guarantee,",
                true,
            ),
            interaction("c", "ben", "Loans", "2026-10-07T10:00:00Z", 79, ",", false),
            interaction("d", "ben", "", "2026-11-02T10:00:00Z", 80, ",", false),
        ];
        db.store_interactions(&batch, now, &mut rand::thread_rng())
            .await
            .unwrap();
        db.store_interactions(&batch[..2], now, &mut rand::thread_rng())
            .await
            .unwrap();

        let rows = db.agent_monthly("2026-01", "2026-12", None).await.unwrap();
        let ana = rows
            .iter()
            .find(|r| r.agent_ref == "ana" && r.month == "2026-10")
            .unwrap();
        assert_eq!(
            (ana.interactions, ana.difficult, ana.unsocial),
            (2, 1, 1),
            "{name}: duplicates add nothing"
        );
        assert_eq!(ana.score_sum, 160);
        assert_eq!(ana.score_sq, 100 * 100 + 60 * 60);
        assert_eq!(ana.passed, 1);
        assert_eq!(
            rows.iter().filter(|r| r.agent_ref == "ben").count(),
            2,
            "{name}: one row per month and team"
        );

        // An override lifts b from 60 to 85: the sums move, the pass count too.
        db.add_score_override(
            "b",
            &ScoreOverride {
                item: "honesty".into(),
                failed: false,
                justification: "the guarantee was a quoted policy".into(),
                by_user: "quinn".into(),
                at: now,
            },
            85,
            &mut rand::thread_rng(),
        )
        .await
        .unwrap();
        let rows = db
            .agent_monthly("2026-10", "2026-10", Some("ana"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{name}: the agent filter");
        assert_eq!((rows[0].score_sum, rows[0].passed), (185, 2));

        let before = db.agent_monthly("2026-01", "2026-12", None).await.unwrap();
        db.rebuild_agent_monthly().await.unwrap();
        assert_eq!(
            db.agent_monthly("2026-01", "2026-12", None).await.unwrap(),
            before,
            "{name}: ingestion's and overrides' totals equal a rebuild"
        );
        // A migration that empties the derived tables (0018 does) is followed by
        // their rebuild when the database is opened.
        t.raw("DELETE FROM agent_monthly").await.unwrap();
        t.raw("DELETE FROM agent_rule_monthly").await.unwrap();
        db.migrate().await.unwrap();
        assert_eq!(
            db.agent_monthly("2026-01", "2026-12", None).await.unwrap(),
            before,
            "{name}: rebuilt on migrate"
        );
        assert!(t.count("agent_rule_monthly").await.unwrap() > 0, "{name}");

        // Totals per agent and team over a period, one row each; the sites of the
        // directory's teams by name.
        let totals = db.agent_totals("2026-10", "2026-11").await.unwrap();
        let rows: Vec<(&str, &str, i64, i64, i64)> = totals
            .iter()
            .map(|t| {
                (
                    t.agent.as_str(),
                    t.team.as_str(),
                    t.scores.n,
                    t.scores.sum,
                    t.difficult,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("ana", "Cards", 2, 185, 1),
                ("ben", "", 1, 80, 0),
                ("ben", "Loans", 1, 79, 0)
            ],
            "{name}"
        );
        assert_eq!(totals[0].scores.passed, 2);
        assert_eq!(totals[0].unsocial, 1);
        assert_eq!(
            db.agent_totals("2026-11", "2026-11").await.unwrap().len(),
            1
        );
        // The agents of one team come with all their teams' rows: ben worked in
        // Loans and without a team, ana never in Loans.
        let loans = db
            .agent_totals_in_team("2026-10", "2026-11", "Loans")
            .await
            .unwrap();
        assert_eq!(loans, totals[1..], "{name}");
        assert!(db
            .agent_totals_in_team("2026-11", "2026-11", "Loans")
            .await
            .unwrap()
            .is_empty());
        // Violations: b's guarantee (its hostile customer is context, not one).
        assert_eq!(
            db.agent_monthly("2026-10", "2026-10", Some("ana"))
                .await
                .unwrap()[0]
                .violations,
            1
        );
        assert!(db.team_sites().await.unwrap().is_empty());
        let site = db
            .create_site("Leeds", now, &mut rand::thread_rng())
            .await
            .unwrap();
        db.create_team("Cards", site, None, now, &mut rand::thread_rng())
            .await
            .unwrap();
        assert_eq!(
            db.team_sites()
                .await
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            [("Cards".to_owned(), "Leeds".to_owned())]
        );

        // The review is attributed to its evaluator with the engine's score.
        let reviews = db.reviews_since(at("2026-01-01T00:00:00Z")).await.unwrap();
        assert_eq!(reviews.len(), 1);
        assert_eq!(
            (
                reviews[0].evaluator.as_str(),
                reviews[0].engine_score,
                reviews[0].score
            ),
            ("quinn", 60, 85)
        );
        assert!(db
            .reviews_since(at("2026-12-01T00:00:00Z"))
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn training_before_after_and_cohorts_compare_like_with_like() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let name = db.backend_name();
        let now = at("2026-11-20T09:00:00Z");
        let rng = &mut rand::thread_rng();
        let course = db
            .create_training_course(
                &CourseInput {
                    code: "honest-selling".into(),
                    title: "Honest selling".into(),
                    content: "Promise only what the company can deliver.".into(),
                    quiz: righttrack_core::training::Quiz { questions: vec![] },
                    pass_mark: 80,
                    validity_months: None,
                    grants_data_access: false,
                    external: false,
                },
                now,
                rng,
            )
            .await
            .unwrap();
        let mut users = Vec::new();
        for u in ["ana", "ben", "cy"] {
            users.push(
                db.create_user(new_user(u, &[Role::Agent]), now, rng)
                    .await
                    .unwrap(),
            );
        }
        // ana completes mid-June (twice: the first counts), ben mid-October (his
        // "after" months have not ended by now), cy never.
        for (u, when) in [
            (0, "2026-06-15T10:00:00Z"),
            (0, "2026-08-01T10:00:00Z"),
            (1, "2026-10-15T10:00:00Z"),
        ] {
            db.add_training_completion(
                &NewCompletion {
                    course_id: course.clone(),
                    user_id: users[u].id,
                    completed_at: at(when),
                    expires_at: None,
                    score: Some(100),
                    source: "manual",
                    note: String::new(),
                    recorded_by: "eve".into(),
                    verification: format!("v-{u}-{when}"),
                },
                now,
                rng,
            )
            .await
            .unwrap();
        }
        // ana: 10 interactions a month March–September, guarantees in 4 of 10 before
        // June and 1 of 10 after; June itself (the month of training) has 9 of 10 and
        // must not count. ben and cy: 10 a month with 2 guarantees throughout.
        let mut batch = Vec::new();
        for (month, ana_bad) in [
            ("03", 4),
            ("04", 4),
            ("05", 4),
            ("06", 9),
            ("07", 1),
            ("08", 1),
            ("09", 1),
        ] {
            for i in 0..10 {
                for (agent, bad) in [("ana", ana_bad), ("ben", 2), ("cy", 2)] {
                    // The last of each ten met a hostile customer: context, not a
                    // violation of the agent's.
                    let rules = match i {
                        i if i < bad => ",honesty.guarantee,",
                        9 => ",context.hostile_customer,",
                        _ => ",",
                    };
                    batch.push(interaction(
                        &format!("{agent}-{month}-{i}"),
                        agent,
                        "Cards",
                        &format!("2026-{month}-1{}T10:00:00Z", i % 10),
                        90,
                        rules,
                        false,
                    ));
                }
            }
        }
        db.store_interactions(&batch, now, rng).await.unwrap();

        let ba = db.training_before_after(&course, 3, now).await.unwrap();
        assert_eq!(ba.agents, 1, "{name}: ben's after months have not ended");
        assert_eq!((ba.interactions_before, ba.interactions_after), (30, 30));
        assert_eq!(ba.rules["honesty.guarantee"], (12, 3), "{name}");

        let cohorts = db
            .training_cohorts(&course, "2026-05", "2026-07")
            .await
            .unwrap();
        let months: Vec<&str> = cohorts.iter().map(|c| c.month.as_str()).collect();
        assert_eq!(months, ["2026-05", "2026-06", "2026-07"]);
        // In June ana trained mid-month: not yet trained for the month.
        assert_eq!(
            (cohorts[1].trained_agents, cohorts[1].untrained_agents),
            (0, 3)
        );
        assert_eq!(
            (cohorts[2].trained_agents, cohorts[2].untrained_agents),
            (1, 2),
            "{name}"
        );
        assert_eq!(cohorts[2].trained_interactions, 10);
        assert_eq!(
            (
                cohorts[2].trained_violations,
                cohorts[2].untrained_violations
            ),
            (1, 4),
            "{name}: violations only, the hostile customers not counted"
        );
    }
}
