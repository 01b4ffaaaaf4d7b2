//! The dashboard's monthly totals stay equal to the interactions they summarize, on
//! SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{at, new_user};
use jiff::Timestamp;
use righttrack_core::interactions::{Prepared, PreparedCommitment};
use righttrack_store::dashboard::MonthlyRow;
use righttrack_store::testing::TestDb;

fn interaction(id: &str, team: Option<&str>, started: &str, rules: &str, pii: i64) -> Prepared {
    Prepared {
        ext_id: id.into(),
        channel: "voice",
        agent_ref: "ana".into(),
        team_ref: team.map(Into::into),
        started_at: at(started),
        redacted_json: "{}".into(),
        findings_json: "{}".into(),
        score: 80,
        score_max: 100,
        flagged: rules != ",",
        severity: 0,
        pii_spans: pii,
        rules: rules.into(),
        commitments: vec![PreparedCommitment {
            turn: 1,
            text: "I'll call you back".into(),
            due_at: Some(at("2026-10-02T17:00:00Z")),
        }],
        vault: None,
        customer_ref_hash: None,
        content_hash: None,
        unsocial: false,
    }
}

fn get(rows: &[MonthlyRow], month: &str, team: &str, metric: &str) -> i64 {
    rows.iter()
        .find(|r| r.month == month && r.team_ref == team && r.metric == metric)
        .map_or(0, |r| r.value)
}

#[tokio::test]
async fn monthly_totals_follow_ingestion_and_equal_a_rebuild() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let now = at("2026-11-20T09:00:00Z");
        let batch = vec![
            interaction(
                "a",
                Some("Cards"),
                "2026-09-30T23:59:00Z",
                ",honesty.guarantee,",
                2,
            ),
            interaction("b", Some("Cards"), "2026-10-01T00:00:00Z", ",", 0),
            interaction(
                "c",
                None,
                "2026-10-15T12:00:00Z",
                ",conduct.pressure,honesty.guarantee,",
                1,
            ),
        ];
        db.store_interactions(&batch, now, &mut rand::thread_rng())
            .await
            .unwrap();
        // A re-sent interaction is a duplicate and adds nothing.
        db.store_interactions(&batch[..1], now, &mut rand::thread_rng())
            .await
            .unwrap();

        let rows = db.interaction_monthly("2026-01", "2026-12").await.unwrap();
        let name = db.backend_name();
        assert_eq!(get(&rows, "2026-09", "Cards", "interactions"), 1, "{name}");
        assert_eq!(get(&rows, "2026-09", "Cards", "rule:honesty.guarantee"), 1);
        assert_eq!(get(&rows, "2026-09", "Cards", "pii_spans"), 2);
        assert_eq!(get(&rows, "2026-10", "Cards", "interactions"), 1);
        assert_eq!(get(&rows, "2026-10", "Cards", "flagged"), 0);
        assert_eq!(get(&rows, "2026-10", "", "exposed"), 1);
        assert_eq!(get(&rows, "2026-10", "", "rule:conduct.pressure"), 1);
        assert!(
            db.interaction_monthly("2026-10", "2026-10")
                .await
                .unwrap()
                .iter()
                .all(|r| r.month == "2026-10"),
            "the month range bounds the rows"
        );

        db.rebuild_interaction_monthly().await.unwrap();
        assert_eq!(
            db.interaction_monthly("2026-01", "2026-12").await.unwrap(),
            rows,
            "{name}: ingestion's totals equal a rebuild from the interactions"
        );

        // Commitments closed per period: one kept in October, the rest broken in November.
        let ids: Vec<String> = db
            .commitments(
                &righttrack_store::interactions::LedgerFilter {
                    limit: 10,
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids.len(), 3);
        db.mark_kept_at(&[(ids[0].clone(), at("2026-10-02T10:00:00Z"))], "ana")
            .await
            .unwrap();
        db.break_overdue_commitments(now, jiff::SignedDuration::from_hours(24))
            .await
            .unwrap();
        let closed = db
            .commitments_closed(&[
                at("2026-10-01T00:00:00Z"),
                at("2026-11-01T00:00:00Z"),
                at("2026-12-01T00:00:00Z"),
            ])
            .await
            .unwrap();
        assert_eq!((closed[0].kept, closed[0].broken), (1, 0));
        assert_eq!((closed[1].kept, closed[1].broken), (0, 2));
    }
}

/// Month bounds of September, October and November 2026, November ending "now".
fn program_bounds() -> Vec<Timestamp> {
    [
        "2026-09-01T00:00:00Z",
        "2026-10-01T00:00:00Z",
        "2026-11-01T00:00:00Z",
        "2026-11-20T09:00:00.001Z",
    ]
    .map(at)
    .to_vec()
}

#[tokio::test]
async fn training_coverage_counts_a_renewed_assignment_once_and_leaves_out_disabled_people() {
    use righttrack_core::dashboard::CoverageMonth;
    use righttrack_core::Role::Agent;
    use righttrack_store::training::{CourseInput, NewCompletion, NewRule};
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let mut rng = rand::rngs::OsRng;
        let t0 = at("2026-08-01T00:00:00Z");
        let mut people = Vec::new();
        for i in 0..7 {
            people.push(
                db.create_user(new_user(&format!("p{i}"), &[Agent]), t0, &mut rng)
                    .await
                    .unwrap(),
            );
        }
        let course = db
            .create_training_course(
                &CourseInput {
                    code: "conduct".into(),
                    title: "Conduct".into(),
                    content: "Be fair.".into(),
                    quiz: Default::default(),
                    pass_mark: 80,
                    validity_months: Some(12),
                    grants_data_access: false,
                    external: false,
                },
                t0,
                &mut rng,
            )
            .await
            .unwrap();
        let everyone = righttrack_core::audience::Audience::default();
        db.create_training_rule(
            &NewRule {
                course_id: &course,
                audience: &everyone,
                due_days: 10,
                on_hire: false,
                created_by: "o",
            },
            t0,
            &mut rng,
        )
        .await
        .unwrap();
        db.sync_training_assignments(at("2026-09-01T00:00:00Z"))
            .await
            .unwrap();
        // p0 completes on 2 September and again on 5 October (the first still valid):
        // one assignment, done once. p1..p4 on 2 September. p5 never. p6 is disabled.
        let mut done = vec![(0, "2026-10-05T00:00:00Z")];
        done.extend((0..5).map(|i| (i, "2026-09-02T00:00:00Z")));
        done.push((6, "2026-09-02T00:00:00Z"));
        for (i, when) in done {
            db.add_training_completion(
                &NewCompletion {
                    course_id: course.clone(),
                    user_id: people[i].id,
                    completed_at: at(when),
                    expires_at: Some(at("2027-09-01T00:00:00Z")),
                    score: None,
                    source: "manual",
                    note: String::new(),
                    recorded_by: "o".into(),
                    verification: righttrack_core::training::verification_code(&mut rng),
                },
                at(when),
                &mut rng,
            )
            .await
            .unwrap();
        }
        db.set_user_disabled(people[6].id, true).await.unwrap();
        let m = db.training_coverage(&program_bounds(), None).await.unwrap();
        let want = CoverageMonth {
            assigned: 6,
            done: 5,
            overdue: 1,
        };
        assert_eq!(m, [want, want, want], "{}", db.backend_name());
        // No such team: no one.
        let none = db
            .training_coverage(&program_bounds(), Some("Nope"))
            .await
            .unwrap();
        assert!(none.iter().all(|m| m.assigned == 0));
    }
}

#[tokio::test]
async fn corrective_actions_leave_the_open_count_when_verified() {
    use righttrack_core::capa::{SourceKind, State, Step};
    use righttrack_core::dashboard::CapaMonth;
    use righttrack_store::capa::{Move, NewCapa};
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let mut rng = rand::rngs::OsRng;
        let c = NewCapa {
            title: "Fix".into(),
            source_kind: SourceKind::Manual,
            source_ref: "m".into(),
            source_label: "m".into(),
            subject: "m".into(),
            site_name: None,
            rule: None,
            owner: "o".into(),
            due_at: at("2026-10-15T00:00:00Z"),
            metric: None,
            created_by: "o".into(),
            created_at: at("2026-09-10T00:00:00Z"),
        };
        let (id, _) = db.create_capa(&c, &mut rng).await.unwrap();
        assert!(db
            .move_capa(
                &id,
                State::Open,
                State::Verified,
                Step::Verify,
                &Move::default(),
                "o",
                at("2026-11-02T00:00:00Z"),
                &mut rng,
            )
            .await
            .unwrap());
        let m = db.capa_by_month(&program_bounds()).await.unwrap();
        let open = |overdue| CapaMonth {
            open: 1,
            overdue,
            ..Default::default()
        };
        assert_eq!(m, [open(0), open(1), CapaMonth::default()]);
    }
}
