//! Hotline configuration and the end of a case, on every backend: categories seeded on
//! first use and edited, retention rule precedence, legal holds, and the sweep that
//! destroys expired cases (stats row kept; case, fields, wraps and thread gone).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{new_user, t0};
use jiff::SignedDuration;
use righttrack_core::speakup_config::RetentionRule;
use righttrack_core::Role;
use righttrack_store::speakup::{NewCase, StoredMessage};
use righttrack_store::speakup_config::{Category, TextLists, Texts};
use righttrack_store::testing::TestDb;
use righttrack_store::StoreError;

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

fn rule(category: &str, status: &str, days: i64) -> RetentionRule {
    RetentionRule {
        category: category.into(),
        status: status.into(),
        days,
    }
}

async fn backends() -> Vec<TestDb> {
    TestDb::each().await.expect("test databases")
}

/// Files a case with two sealed fields, a wrap for `reader` and one message, then gives
/// it `status`.
async fn case(t: &TestDb, id: &str, category: &str, status: &str, reader: &str) {
    let reader =
        t.db.create_user(
            new_user(reader, &[Role::EthicsOfficer]),
            t0(),
            &mut rand::thread_rng(),
        )
        .await
        .unwrap();
    let mut lookup = [0u8; 32];
    lookup[..id.len()].copy_from_slice(id.as_bytes());
    t.db.create_speakup_case(&NewCase {
        id: id.into(),
        category: category.into(),
        anonymous: true,
        receipt_lookup: lookup,
        reporter_wrap: vec![1, 2, 3],
        fields: vec![
            ("description".into(), vec![9; 40]),
            ("answer:1".into(), vec![8; 40]),
        ],
        wraps: vec![(reader.id, vec![7; 80])],
        identity_wraps: vec![(reader.id, vec![6; 80])],
        wraps_epoch: 0,
        submitted_at: t0(),
        ack_due_at: t0() + days(7),
        feedback_due_at: t0() + days(90),
        jurisdiction: "eu".into(),
        lang: "en".into(),
        attachments: Vec::new(),
    })
    .await
    .unwrap();
    t.db.add_speakup_message(
        id,
        &StoredMessage {
            id: format!("m-{id}"),
            author: "reporter".into(),
            kind: "message".into(),
            body_sealed: vec![6; 30],
            created_at: t0(),
        },
    )
    .await
    .unwrap();
    t.raw(&format!(
        "UPDATE speakup_cases SET status = '{status}' WHERE id = '{id}'"
    ))
    .await
    .unwrap();
}

async fn count(t: &TestDb, table: &str, case: &str) -> i64 {
    let col = if table == "speakup_cases" {
        "id"
    } else {
        "case_id"
    };
    t.scalar(&format!(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM {table} WHERE {col} = '{case}'"
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn categories_are_seeded_once_then_edited_and_disabled() {
    for t in backends().await {
        let db = &t.db;
        let all = db.speakup_categories().await.unwrap();
        let keys: Vec<_> = all.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "fraud",
                "data_misuse",
                "harassment",
                "retaliation",
                "conflict_of_interest",
                "accounting"
            ],
            "{}",
            db.backend_name()
        );
        assert!(db
            .category_routes_to_audit_committee("accounting")
            .await
            .unwrap());
        assert!(!db
            .category_routes_to_audit_committee("fraud")
            .await
            .unwrap());
        assert!(!db
            .category_routes_to_audit_committee("nonsense")
            .await
            .unwrap());
        let fraud = db.speakup_category("fraud").await.unwrap().unwrap();
        assert_eq!(fraud.questions.en.len(), fraud.questions.es.len());
        assert_eq!(fraud.labels.get("es"), "Fraude o robo");

        let gifts = Category {
            key: "gifts".into(),
            position: 0,
            labels: Texts {
                en: "Gifts and hospitality".into(),
                es: "Regalos e invitaciones".into(),
            },
            hints: Texts::default(),
            questions: TextLists {
                en: vec!["Who gave what?".into()],
                es: vec!["¿Quién dio qué?".into()],
            },
            enabled: true,
            audit_committee: false,
        };
        db.create_speakup_category(&gifts).await.unwrap();
        let dup = db.create_speakup_category(&gifts).await.unwrap_err();
        assert!(
            matches!(&dup, StoreError::Conflict(m) if m.contains("gifts")),
            "{dup}"
        );
        // The defaults are not seeded again next to a configured table.
        let all = db.speakup_categories().await.unwrap();
        assert_eq!(all.len(), 7);
        assert_eq!(all[0].key, "gifts", "position 0 comes first");

        db.set_speakup_category_enabled("fraud", false)
            .await
            .unwrap();
        let enabled = db.enabled_speakup_categories().await.unwrap();
        assert!(enabled.iter().all(|c| c.key != "fraud"));
        assert!(!db.speakup_category("fraud").await.unwrap().unwrap().enabled);

        let mut edited = gifts.clone();
        edited.audit_committee = true;
        edited.questions.es = vec!["¿Quién regaló qué?".into()];
        db.update_speakup_category(&edited).await.unwrap();
        assert_eq!(db.speakup_category("gifts").await.unwrap().unwrap(), edited);
        assert!(db
            .category_routes_to_audit_committee("gifts")
            .await
            .unwrap());
        edited.key = "nothing".into();
        assert!(matches!(
            db.update_speakup_category(&edited).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_most_specific_retention_rule_wins() {
    for t in backends().await {
        let db = &t.db;
        // The migration's rules: '*'/'*' 730, '*'/substantiated 1825, '*'/unsubstantiated 365.
        assert_eq!(db.retention_days("fraud", "withdrawn").await.unwrap(), 730);
        assert_eq!(
            db.retention_days("fraud", "substantiated").await.unwrap(),
            1825
        );
        db.set_retention_rule(&rule("fraud", "*", 2555))
            .await
            .unwrap();
        assert_eq!(db.retention_days("fraud", "withdrawn").await.unwrap(), 2555);
        assert_eq!(
            db.retention_days("fraud", "substantiated").await.unwrap(),
            2555,
            "category and any status beats any category and the status"
        );
        let before = db
            .set_retention_rule(&rule("fraud", "unsubstantiated", 400))
            .await
            .unwrap();
        assert_eq!(before, None);
        assert_eq!(
            db.retention_days("fraud", "unsubstantiated").await.unwrap(),
            400
        );
        assert_eq!(
            db.retention_days("harassment", "unsubstantiated")
                .await
                .unwrap(),
            365
        );
        assert_eq!(
            db.set_retention_rule(&rule("*", "*", 1000)).await.unwrap(),
            Some(730)
        );
        assert_eq!(
            db.retention_days("harassment", "withdrawn").await.unwrap(),
            1000
        );
        assert!(db.delete_retention_rule("fraud", "*").await.unwrap());
        assert!(!db.delete_retention_rule("fraud", "*").await.unwrap());
        assert_eq!(
            db.retention_days("fraud", "substantiated").await.unwrap(),
            1825
        );
        assert_eq!(
            db.retention_rules().await.unwrap().last().unwrap(),
            &rule("*", "*", 1000)
        );

        // Closing fixes the instant from the rule in force then.
        case(&t, "RT-AAAA-AAAA", "fraud", "unsubstantiated", "eo1").await;
        let closed = t0() + days(10);
        let until = db
            .close_case_retention("RT-AAAA-AAAA", closed)
            .await
            .unwrap();
        assert_eq!(until, closed + days(400));
        assert!(matches!(
            db.close_case_retention("RT-NONE-NONE", closed).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_sweep_destroys_expired_cases_but_not_held_ones_and_keeps_statistics() {
    for t in backends().await {
        let db = &t.db;
        case(&t, "RT-GONE-0001", "fraud", "substantiated", "eo1").await;
        case(&t, "RT-HELD-0002", "harassment", "unsubstantiated", "eo2").await;
        case(&t, "RT-SOON-0003", "accounting", "unsubstantiated", "eo3").await;
        case(&t, "RT-OPEN-0004", "fraud", "received", "eo4").await;
        t.raw("UPDATE speakup_cases SET reporter_returned = TRUE WHERE id = 'RT-GONE-0001'")
            .await
            .unwrap();
        // Closed more than five years ago (substantiated: 1825 days).
        let gone_closed = t0() - days(1900);
        db.close_case_retention("RT-GONE-0001", gone_closed)
            .await
            .unwrap();
        db.close_case_retention("RT-HELD-0002", t0() - days(400))
            .await
            .unwrap();
        db.set_legal_hold("RT-HELD-0002", true).await.unwrap();
        db.close_case_retention("RT-SOON-0003", t0() - days(350))
            .await
            .unwrap();
        assert!(matches!(
            db.set_legal_hold("RT-NONE-NONE", true).await,
            Err(StoreError::NotFound)
        ));

        let report = db
            .sweep_speakup_retention(t0(), &mut rand::rngs::OsRng)
            .await
            .unwrap();
        assert_eq!(
            report.destroyed,
            vec!["RT-GONE-0001".to_owned()],
            "{}",
            db.backend_name()
        );
        assert_eq!(report.held, 1);
        assert_eq!(report.expiring.len(), 1);
        assert_eq!(report.expiring[0].id, "RT-SOON-0003");
        assert_eq!(
            report.expiring[0].retain_until,
            t0() - days(350) + days(365)
        );

        for table in [
            "speakup_cases",
            "speakup_fields",
            "speakup_wraps",
            "speakup_messages",
            "speakup_clocks",
        ] {
            assert_eq!(count(&t, table, "RT-GONE-0001").await, 0, "{table}");
            assert!(
                count(&t, table, "RT-HELD-0002").await > 0,
                "{table} of the held case"
            );
            assert!(
                count(&t, table, "RT-OPEN-0004").await > 0,
                "{table} of the open case"
            );
        }
        let stats = t
            .scalar(&format!(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM speakup_stats WHERE category = 'fraud' AND final_status = 'substantiated' AND anonymous = TRUE AND reporter_returned = TRUE AND submitted_at = {} AND closed_at = {} AND deleted_at = {}",
                t0().as_millisecond(),
                gone_closed.as_millisecond(),
                t0().as_millisecond()
            ))
            .await
            .unwrap();
        assert_eq!(stats, 1);
        assert_eq!(
            t.scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM speakup_stats")
                .await
                .unwrap(),
            1
        );

        // A second sweep finds nothing new; lifting the hold lets the next one destroy it.
        let again = db
            .sweep_speakup_retention(t0(), &mut rand::rngs::OsRng)
            .await
            .unwrap();
        assert!(again.destroyed.is_empty());
        db.set_legal_hold("RT-HELD-0002", false).await.unwrap();
        let later = db
            .sweep_speakup_retention(t0() + days(20), &mut rand::rngs::OsRng)
            .await
            .unwrap();
        assert_eq!(
            later.destroyed,
            vec!["RT-HELD-0002".to_owned(), "RT-SOON-0003".to_owned()]
        );
        assert_eq!(later.held, 0);
        assert_eq!(count(&t, "speakup_wraps", "RT-SOON-0003").await, 0);
        assert_eq!(count(&t, "speakup_cases", "RT-OPEN-0004").await, 1);
    }
}
