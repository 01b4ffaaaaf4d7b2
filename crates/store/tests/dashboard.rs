//! The dashboard's monthly totals stay equal to the interactions they summarize, on
//! SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use jiff::Timestamp;
use righttrack_core::interactions::{Prepared, PreparedCommitment};
use righttrack_store::dashboard::MonthlyRow;
use righttrack_store::testing::TestDb;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

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
