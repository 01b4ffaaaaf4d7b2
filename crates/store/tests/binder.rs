//! The evidence binder's narratives: written, replaced with their new author and time,
//! listed by key, on SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

use jiff::Timestamp;
use righttrack_store::testing::TestDb;

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn a_narrative_is_written_replaced_and_listed() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        assert!(db.binder_narratives().await.unwrap().is_empty());
        assert_eq!(
            db.binder_narrative("training.completion").await.unwrap(),
            None
        );

        let long = "Quarterly refreshers, \"plain\" language, commas, and\nnew lines. ".repeat(300);
        db.put_binder_narrative(
            "training.completion",
            &long,
            "olga",
            at("2026-11-20T09:00:00Z"),
        )
        .await
        .unwrap();
        db.put_binder_narrative(
            "policies.coverage",
            "First text",
            "olga",
            at("2026-11-20T09:01:00Z"),
        )
        .await
        .unwrap();
        db.put_binder_narrative(
            "policies.coverage",
            "Second text",
            "pat",
            at("2026-11-21T10:00:00Z"),
        )
        .await
        .unwrap();

        let all = db.binder_narratives().await.unwrap();
        assert_eq!(
            all.iter()
                .map(|n| n.question_key.as_str())
                .collect::<Vec<_>>(),
            ["policies.coverage", "training.completion"],
            "one row per question, ordered by key"
        );
        let p = db
            .binder_narrative("policies.coverage")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.narrative, "Second text");
        assert_eq!(p.updated_by, "pat");
        assert_eq!(p.updated_at, at("2026-11-21T10:00:00Z"));
        let tr = db
            .binder_narrative("training.completion")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            tr.narrative, long,
            "long text with quotes and new lines survives"
        );
        assert_eq!(tr.updated_by, "olga");
    }
}
