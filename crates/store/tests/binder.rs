//! The evidence binder's narratives (written, replaced with their new author and time,
//! listed by key) and generations (stored with their figures and head, newest first per
//! person, another person's never listed, an older generation's figures read back), on
//! SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::at;
use jiff::Timestamp;
use righttrack_core::binder::{Figure, Figures, Value, FIGURES};
use righttrack_core::ids::BinderGenerationId;
use righttrack_store::binder::{Generation, GenerationSummary};
use righttrack_store::testing::TestDb;
use righttrack_store::StoreError;

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

/// Every figure of the catalogue, the `i`th worth `i + base`, some withheld.
fn figures(base: f64) -> Figures {
    let mut f = Figures::new();
    for (i, d) in FIGURES.iter().enumerate() {
        f.insert(Figure {
            key: d.key,
            value: match i % 4 {
                3 => Value::Withheld,
                2 => Value::NoData,
                _ => Value::Number(i as f64 + base + 0.5),
            },
            period: "2025-12-01 to 2026-11-20 (twelve months)".into(),
            note: format!("note {i}, \"quoted\"\nsecond line"),
        });
    }
    f
}

fn generation(by: &str, at: &str, head_seq: i64, base: f64) -> Generation {
    let at = at.parse::<Timestamp>().unwrap();
    Generation {
        summary: GenerationSummary {
            id: BinderGenerationId::new_v7(at, &mut rand::thread_rng()),
            generated_at: at,
            generated_by: by.into(),
            head_seq,
            head_hash: format!("{head_seq:064x}"),
        },
        figures: figures(base),
    }
}

#[tokio::test]
async fn generations_are_stored_whole_and_listed_per_person_newest_first() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        assert_eq!(db.latest_binder_generation("olga").await.unwrap(), None);
        assert!(db.binder_generations("olga", 10).await.unwrap().is_empty());

        let first = generation("olga", "2026-11-20T09:00:00Z", 40, 1.0);
        let pats = generation("pat", "2026-11-20T09:30:00Z", 45, 100.0);
        let second = generation("olga", "2026-11-21T08:00:00Z", 52, 2.0);
        // Two in the same millisecond: the later head is the newer.
        let third = generation("olga", "2026-11-21T08:00:00Z", 53, 3.0);
        for g in [&first, &pats, &third, &second] {
            db.put_binder_generation(g).await.unwrap();
        }

        let latest = db.latest_binder_generation("olga").await.unwrap().unwrap();
        assert_eq!(
            latest, third,
            "figures, head and author come back as stored"
        );
        assert_eq!(
            // The catalogue's first figure is a number: 0 + base 3 + 0.5.
            latest.figures.get(FIGURES[0].key).unwrap().value,
            Value::Number(3.5)
        );
        assert!(latest.figures.missing().is_empty());
        assert_eq!(
            db.latest_binder_generation("pat").await.unwrap().unwrap(),
            pats
        );

        let list = db.binder_generations("olga", 10).await.unwrap();
        assert_eq!(
            list,
            [
                third.summary.clone(),
                second.summary.clone(),
                first.summary.clone()
            ],
            "only olga's, newest first"
        );
        let two = db.binder_generations("olga", 2).await.unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].head_seq, 52);

        // By id: anyone's (the web layer checks ownership); unknown ids are absent.
        let got = db
            .binder_generation(pats.summary.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, pats);
        assert_eq!(got.summary.generated_by, "pat");
        let unknown = BinderGenerationId::new_v7(
            "2026-11-22T00:00:00Z".parse().unwrap(),
            &mut rand::thread_rng(),
        );
        assert_eq!(db.binder_generation(unknown).await.unwrap(), None);
        // Ids are unique.
        assert!(db.put_binder_generation(&first).await.is_err());
    }
}

#[tokio::test]
async fn a_generation_written_by_an_older_binary_still_reads() {
    for t in TestDb::each().await.unwrap() {
        let db = &t.db;
        let id = BinderGenerationId::new_v7(
            "2026-11-20T09:00:00Z".parse().unwrap(),
            &mut rand::thread_rng(),
        );
        // Only two figures, and one key the catalogue no longer has.
        t.raw(&format!(
            "INSERT INTO binder_generations (id, generated_at, generated_by, head_seq, head_hash, figures) \
             VALUES ('{id}', 1795165200000, 'olga', 7, 'ab', \
             '{{\"policies.in_force\": {{\"value\": {{\"number\": 4}}, \"period\": \"now\", \"note\": \"\"}}, \
               \"reporting.reports\": {{\"value\": \"withheld\", \"period\": \"twelve months\", \"note\": \"\"}}, \
               \"gone.figure\": {{\"value\": \"no_data\", \"period\": \"\", \"note\": \"\"}}}}')"
        ))
        .await
        .unwrap();
        let g = db.latest_binder_generation("olga").await.unwrap().unwrap();
        assert_eq!(g.summary.id, id);
        assert_eq!(g.summary.head_seq, 7);
        assert_eq!(g.figures.len(), 2);
        assert_eq!(
            g.figures.get("policies.in_force").unwrap().value,
            Value::Number(4.0)
        );
        assert_eq!(
            g.figures.get("reporting.reports").unwrap().value,
            Value::Withheld
        );
        assert_eq!(g.figures.missing().len(), FIGURES.len() - 2);

        // Figures that are not JSON are reported as corrupt, not as a missing generation.
        t.raw("UPDATE binder_generations SET figures = 'not json' WHERE generated_by = 'olga'")
            .await
            .unwrap();
        assert!(matches!(
            db.binder_generation(id).await,
            Err(StoreError::Corrupt(_))
        ));
    }
}
