//! Store stories, run once per backend (SQLite always, PostgreSQL when
//! `RIGHTTRACK_TEST_PG_URL` is set, as the test command does).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use common::{new_user, t0};
use ed25519_dalek::SigningKey;
use jiff::{SignedDuration, Timestamp};
use righttrack_core::audit::{Broken, NewEntry};
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use righttrack_store::audit::{AuditFilter, VerifyError, CHECKPOINT_EVERY};
use righttrack_store::testing::TestDb;
use righttrack_store::StoreError;

fn rng() -> rand::rngs::ThreadRng {
    rand::thread_rng()
}

fn signer() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

async fn backends() -> Vec<TestDb> {
    TestDb::each().await.expect("test databases")
}

#[tokio::test]
async fn organisation_and_management_chain() {
    for t in backends().await {
        let db = &t.db;
        let site = db.create_site("Lisbon", t0(), &mut rng()).await.unwrap();
        let ops = db
            .create_team("Operations", site, None, t0(), &mut rng())
            .await
            .unwrap();
        let billing = db
            .create_team("Billing", site, Some(ops), t0(), &mut rng())
            .await
            .unwrap();
        let director = db
            .create_user(new_user("dora", &[Role::TeamLead]), t0(), &mut rng())
            .await
            .unwrap();
        let mut lead_u = new_user("leo", &[Role::TeamLead, Role::QaAnalyst]);
        lead_u.team = Some(ops);
        let lead = db.create_user(lead_u, t0(), &mut rng()).await.unwrap();
        let mut agent_u = new_user("ana", &[Role::Agent]);
        agent_u.team = Some(billing);
        let agent = db.create_user(agent_u, t0(), &mut rng()).await.unwrap();
        db.set_team_lead(billing, lead.id).await.unwrap();
        db.set_team_lead(ops, director.id).await.unwrap();

        assert_eq!(
            db.management_chain(agent.id).await.unwrap(),
            vec![lead.id, director.id],
            "{}",
            db.backend_name()
        );
        assert_eq!(
            db.management_chain(lead.id).await.unwrap(),
            vec![director.id]
        );
        assert_eq!(lead.roles, vec![Role::TeamLead, Role::QaAnalyst]);

        let dup = db
            .create_user(new_user("ana", &[Role::Agent]), t0(), &mut rng())
            .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(ref m)) if m.contains("ana")),
            "{dup:?}"
        );
        let bad = db
            .create_user(new_user("bad name!", &[Role::Agent]), t0(), &mut rng())
            .await;
        assert!(matches!(bad, Err(StoreError::Corrupt(ref m)) if m.contains("username")));

        db.set_roles(agent.id, &[Role::Agent, Role::Investigator])
            .await
            .unwrap();
        let again = db.user_by_username("ana").await.unwrap().unwrap();
        assert_eq!(again.roles, vec![Role::Agent, Role::Investigator]);
        assert!(again.requires_two_factor());
        let all = db.list_users().await.unwrap();
        assert_eq!(
            all.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
            ["ana", "dora", "leo"]
        );
        assert_eq!(db.list_teams().await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn an_audience_is_resolved_to_enabled_people_by_role_team_and_site() {
    for t in backends().await {
        let db = &t.db;
        let lisbon = db.create_site("Lisbon", t0(), &mut rng()).await.unwrap();
        let porto = db.create_site("Porto", t0(), &mut rng()).await.unwrap();
        let cards = db
            .create_team("Cards", lisbon, None, t0(), &mut rng())
            .await
            .unwrap();
        let loans = db
            .create_team("Loans", porto, None, t0(), &mut rng())
            .await
            .unwrap();
        for (name, team, role) in [
            ("ana", Some(cards), Role::Agent),
            ("bo", Some(loans), Role::Agent),
            ("cy", Some(cards), Role::TeamLead),
            ("di", None, Role::Agent),
        ] {
            let mut u = new_user(name, &[role]);
            u.team = team;
            db.create_user(u, t0(), &mut rng()).await.unwrap();
        }
        let gone = db.user_by_username("bo").await.unwrap().unwrap();
        db.set_user_disabled(gone.id, true).await.unwrap();
        let names = |v: Vec<righttrack_store::directory::User>| {
            v.into_iter().map(|u| u.username).collect::<Vec<_>>()
        };
        let everyone = righttrack_core::audience::Audience::everyone();
        assert_eq!(
            names(db.audience_members(&everyone).await.unwrap()),
            ["ana", "cy", "di"],
            "{}",
            db.backend_name()
        );
        let lisbon_agents = righttrack_core::audience::Audience {
            roles: vec![Role::Agent],
            teams: vec![],
            sites: vec![lisbon],
        };
        assert_eq!(
            names(db.audience_members(&lisbon_agents).await.unwrap()),
            ["ana"]
        );
        let loans_team = righttrack_core::audience::Audience {
            roles: vec![],
            teams: vec![loans],
            sites: vec![],
        };
        assert!(
            db.audience_members(&loans_team).await.unwrap().is_empty(),
            "a disabled user is in no audience"
        );
    }
}

#[tokio::test]
async fn lockout_counts_failures_and_resets() {
    for t in backends().await {
        let db = &t.db;
        let u = db
            .create_user(new_user("lou", &[Role::Agent]), t0(), &mut rng())
            .await
            .unwrap();
        for i in 1..5 {
            let (n, locked) = db
                .record_login_failure(u.id, t0(), 5, SignedDuration::from_mins(15))
                .await
                .unwrap();
            assert_eq!((n, locked), (i, None));
        }
        let (n, locked) = db
            .record_login_failure(u.id, t0(), 5, SignedDuration::from_mins(15))
            .await
            .unwrap();
        assert_eq!(n, 5);
        assert_eq!(locked, Some(t0() + SignedDuration::from_mins(15)));
        assert_eq!(db.credentials(u.id).await.unwrap().locked_until, locked);
        db.reset_login_failures(u.id).await.unwrap();
        let c = db.credentials(u.id).await.unwrap();
        assert_eq!((c.failed_logins, c.locked_until), (0, None));
    }
}

#[tokio::test]
async fn sessions_expire_and_totp_steps_never_replay() {
    for t in backends().await {
        let db = &t.db;
        let u = db
            .create_user(new_user("sam", &[Role::Admin]), t0(), &mut rng())
            .await
            .unwrap();
        let h = [7u8; 32];
        db.create_session(righttrack_store::sessions::NewSession {
            id_hash: &h,
            user: u.id,
            csrf: "csrf",
            mfa_passed: false,
            now: t0(),
            expires: t0() + SignedDuration::from_hours(8),
            reader_sealed: None,
        })
        .await
        .unwrap();
        let s = db.session(&h, t0()).await.unwrap().unwrap();
        assert!(!s.mfa_passed);
        db.mark_session_mfa_passed(&h).await.unwrap();
        assert!(db.session(&h, t0()).await.unwrap().unwrap().mfa_passed);
        assert!(
            db.session(&h, t0() + SignedDuration::from_hours(9))
                .await
                .unwrap()
                .is_none(),
            "expired"
        );
        assert_eq!(db.delete_user_sessions(u.id).await.unwrap(), 1);
        assert!(db.session(&h, t0()).await.unwrap().is_none());

        db.set_totp(u.id, Some(b"sealed"), true).await.unwrap();
        assert!(db.use_totp_step(u.id, 100).await.unwrap());
        assert!(
            !db.use_totp_step(u.id, 100).await.unwrap(),
            "same step twice"
        );
        assert!(!db.use_totp_step(u.id, 99).await.unwrap(), "older step");
        assert!(db.use_totp_step(u.id, 101).await.unwrap());
        assert!(db
            .replace_sealed_totp(u.id, b"sealed", b"rewrapped")
            .await
            .unwrap());
        assert!(
            !db.replace_sealed_totp(u.id, b"sealed", b"again")
                .await
                .unwrap(),
            "compare-and-swap"
        );
    }
}

#[tokio::test]
async fn tokens_are_scoped_revocable_and_record_use() {
    for t in backends().await {
        let db = &t.db;
        let u = db
            .create_user(new_user("bot", &[Role::QaAnalyst]), t0(), &mut rng())
            .await
            .unwrap();
        let hash = [3u8; 32];
        let id = db
            .create_token(
                u.id,
                "ingest-bot",
                &hash,
                &[Scope::Ingest, Scope::Read],
                t0(),
                &mut rng(),
            )
            .await
            .unwrap();
        let later = t0() + SignedDuration::from_mins(5);
        let (tok, before) = db.use_token(&hash, later).await.unwrap().unwrap();
        assert_eq!(before, None, "first use");
        assert_eq!(tok.scopes, vec![Scope::Ingest, Scope::Read]);
        assert_eq!(tok.last_used_at, Some(later));
        assert!(db.use_token(&[4u8; 32], later).await.unwrap().is_none());
        assert!(db.revoke_token(id, later).await.unwrap());
        assert!(!db.revoke_token(id, later).await.unwrap());
        assert!(
            db.use_token(&hash, later).await.unwrap().is_none(),
            "revoked tokens stop working"
        );
        assert_eq!(
            db.list_tokens(Some(u.id)).await.unwrap()[0].revoked_at,
            Some(later)
        );
    }
}

fn entry(i: i64) -> NewEntry {
    NewEntry {
        at_ms: t0().as_millisecond() + i,
        actor: format!("user-{}", i % 3),
        action: if i % 2 == 0 {
            "login.success".into()
        } else {
            "login.failure".into()
        },
        target: String::new(),
        detail: format!("{{\"n\":{i}}}"),
    }
}

async fn filled(t: &TestDb, n: i64) {
    for i in 1..=n {
        t.db.audit_append(entry(i), &signer()).await.unwrap();
    }
}

async fn unlock(t: &TestDb) {
    let sql = match t.db.backend_name() {
        "sqlite" => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        _ => "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;",
    };
    t.raw(sql).await.unwrap();
}

async fn verify(t: &TestDb) -> Result<i64, Broken> {
    match t.db.audit_verify(&signer().verifying_key()).await {
        Ok(r) => Ok(r.entries),
        Err(VerifyError::Broken(b)) => Err(b),
        Err(e) => panic!("verify failed to run: {e}"),
    }
}

#[tokio::test]
async fn audit_chain_verifies_and_is_append_only() {
    for t in backends().await {
        assert_eq!(verify(&t).await, Ok(0), "empty trail");
        filled(&t, CHECKPOINT_EVERY + 6).await;
        assert_eq!(verify(&t).await, Ok(CHECKPOINT_EVERY + 6));
        assert!(
            t.raw("UPDATE audit_log SET actor = 'x' WHERE seq = 3")
                .await
                .is_err(),
            "trigger"
        );
        assert!(
            t.raw("DELETE FROM audit_log WHERE seq = 3").await.is_err(),
            "trigger"
        );
        let page =
            t.db.audit_list(&AuditFilter {
                action_prefix: Some("login.fail".into()),
                limit: 5,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.len(), 5);
        assert!(page.windows(2).all(|w| w[0].seq > w[1].seq), "newest first");
        assert!(page.iter().all(|e| e.entry.action == "login.failure"));
        let older =
            t.db.audit_list(&AuditFilter {
                before_seq: Some(page[4].seq),
                actor: Some("user-1".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(older
            .iter()
            .all(|e| e.seq < page[4].seq && e.entry.actor == "user-1"));
        // A prefix is literal: its underscore is neither dropped nor a wildcard.
        for action in ["speakup.attachment_opened", "speakup.attachmentXopened"] {
            let mut e = entry(1000);
            e.action = action.into();
            t.db.audit_append(e, &signer()).await.unwrap();
        }
        let exact =
            t.db.audit_list(&AuditFilter {
                action_prefix: Some("speakup.attachment_op".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            exact
                .iter()
                .map(|e| e.entry.action.as_str())
                .collect::<Vec<_>>(),
            vec!["speakup.attachment_opened"]
        );
    }
}

#[tokio::test]
async fn audit_tampering_is_detected_and_named() {
    for t in backends().await {
        filled(&t, 10).await;
        unlock(&t).await;
        t.raw("UPDATE audit_log SET detail = '{\"n\":999}' WHERE seq = 4")
            .await
            .unwrap();
        assert_eq!(
            verify(&t).await,
            Err(Broken::Content { seq: 4 }),
            "{}",
            t.db.backend_name()
        );
    }
    for t in backends().await {
        filled(&t, 10).await;
        unlock(&t).await;
        t.raw("DELETE FROM audit_log WHERE seq = 6").await.unwrap();
        assert_eq!(
            verify(&t).await,
            Err(Broken::Sequence {
                seq: 7,
                expected: 6
            })
        );
    }
    for t in backends().await {
        filled(&t, 10).await;
        unlock(&t).await;
        // Insert a forged entry by shifting the tail up one and reusing seq 5's links.
        t.raw("UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 105;")
            .await
            .unwrap();
        t.raw("INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) SELECT 5, at_ms, 'mallory', action, target, detail, prev_hash, hash FROM audit_log WHERE seq = 6")
            .await
            .unwrap();
        assert_eq!(verify(&t).await, Err(Broken::Content { seq: 5 }));
    }
    for t in backends().await {
        filled(&t, 10).await;
        unlock(&t).await;
        // Swap the contents of entries 2 and 3 (reordering).
        t.raw("UPDATE audit_log SET seq = 1000 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 1000;")
            .await
            .unwrap();
        assert_eq!(verify(&t).await, Err(Broken::Link { seq: 2, prev: 1 }));
    }
    for t in backends().await {
        filled(&t, 10).await;
        unlock(&t).await;
        t.raw("DELETE FROM audit_log WHERE seq >= 9").await.unwrap();
        assert_eq!(
            verify(&t).await,
            Err(Broken::Truncated { last: 8, head: 10 })
        );
    }
}

#[tokio::test]
async fn rechained_history_is_caught_by_signed_checkpoints() {
    for t in backends().await {
        filled(&t, CHECKPOINT_EVERY).await;
        // The attacker rebuilds the whole chain (and head) with their own content, but
        // cannot sign: the checkpoint at CHECKPOINT_EVERY no longer matches.
        let forged = TestDb::sqlite().await.unwrap();
        for i in 1..=CHECKPOINT_EVERY {
            let mut e = entry(i);
            e.actor = "mallory".into();
            forged
                .db
                .audit_append(e, &SigningKey::from_bytes(&[1u8; 32]))
                .await
                .unwrap();
        }
        let rows = forged
            .db
            .audit_list(&AuditFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        unlock(&t).await;
        t.raw("DELETE FROM audit_log").await.unwrap();
        for e in rows {
            let hex = |h: &[u8]| data_encoding::HEXLOWER.encode(h);
            let blob = |h: &[u8]| match t.db.backend_name() {
                "sqlite" => format!("X'{}'", hex(h)),
                _ => format!("decode('{}', 'hex')", hex(h)),
            };
            t.raw(&format!(
                "INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, prev_hash, hash) VALUES ({}, {}, '{}', '{}', '', '{}', {}, {})",
                e.seq, e.entry.at_ms, e.entry.actor, e.entry.action, e.entry.detail, blob(&e.prev_hash), blob(&e.hash)
            ))
            .await
            .unwrap();
            if e.seq == CHECKPOINT_EVERY {
                t.raw(&format!(
                    "UPDATE audit_head SET hash = {} WHERE id = 1",
                    blob(&e.hash)
                ))
                .await
                .unwrap();
            }
        }
        assert_eq!(
            verify(&t).await,
            Err(Broken::Checkpoint {
                seq: CHECKPOINT_EVERY
            })
        );
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_newer_schemas_refused() {
    for t in backends().await {
        t.db.migrate().await.unwrap();
        assert_eq!(
            t.db.schema_version().await.unwrap(),
            t.db.known_schema_version()
        );
        let blob = if t.db.backend_name() == "sqlite" {
            "X'00'"
        } else {
            "'\\x00'::bytea"
        };
        t.raw(&format!(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, TRUE, {blob}, 0)"
        ))
        .await
        .unwrap();
        let err = t.db.migrate().await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    found: 99990101000000,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("newer than this righttrack binary"),
            "{err}"
        );
    }
}

fn interaction(id: &str, text: &str) -> righttrack_scan::Interaction {
    serde_json::from_value(serde_json::json!({
        "id": id, "channel": "voice", "agent_id": "a-17", "started_at": "2026-11-20T09:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": text},
            {"speaker": "agent", "text": "I will call you back tomorrow before 5pm with the answer"}
        ]
    }))
    .unwrap()
}

#[tokio::test]
async fn interactions_are_idempotent_and_commitments_move_through_the_ledger() {
    let engine = righttrack_scan::Engine::default_engine().unwrap();
    for t in backends().await {
        let db = &t.db;
        let a = righttrack_core::interactions::prepare(
            &engine,
            &interaction("ext-1", "my card is 4111 1111 1111 1111"),
        )
        .unwrap();
        let b = righttrack_core::interactions::prepare(
            &engine,
            &interaction("ext-2", "just a question about my bill"),
        )
        .unwrap();
        assert!(
            !a.commitments.is_empty(),
            "the call-back promise is a commitment"
        );
        let out = db
            .store_interactions(&[a.clone(), b.clone()], t0(), &mut rng())
            .await
            .unwrap();
        use righttrack_store::interactions::{CommitmentStatus as S, Outcome};
        assert_eq!(out, vec![Outcome::Stored, Outcome::Stored]);
        let again = db
            .store_interactions(std::slice::from_ref(&a), t0(), &mut rng())
            .await
            .unwrap();
        assert_eq!(again, vec![Outcome::Duplicate], "{}", db.backend_name());
        assert_eq!(db.count_interactions().await.unwrap(), 2);
        let got = db.interaction("ext-1").await.unwrap().unwrap();
        assert!(
            !got.interaction.to_string().contains("4111 1111"),
            "stored redacted"
        );
        assert!(db.interaction("nope").await.unwrap().is_none());

        let open = db
            .commitments(&lf(Some(S::Open), None), t0())
            .await
            .unwrap();
        assert_eq!(
            open.len(),
            2,
            "one per interaction, not doubled by the duplicate"
        );
        let later = "2026-11-21T18:00:00Z".parse().unwrap();
        let overdue = db
            .commitments(&lf(Some(S::Overdue), Some("a-17")), later)
            .await
            .unwrap();
        assert_eq!(overdue.len(), 2);
        assert!(overdue.iter().all(|c| c.status == "overdue"));
        assert!(db
            .fulfil_commitment(&overdue[0].id, "user-1", later)
            .await
            .unwrap());
        assert!(
            !db.fulfil_commitment(&overdue[0].id, "user-1", later)
                .await
                .unwrap(),
            "already kept"
        );
        let much_later = "2026-11-23T18:00:00Z".parse().unwrap();
        // Reads know a promise is broken without any sweep having run, and it can no
        // longer be marked kept.
        let broken = db
            .commitments(&lf(Some(S::Broken), None), much_later)
            .await
            .unwrap();
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].status, "broken");
        assert!(!db
            .fulfil_commitment(&broken[0].id, "user-1", much_later)
            .await
            .unwrap());
        assert_eq!(
            db.break_overdue_commitments(much_later, SignedDuration::from_hours(24))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            db.commitments(&lf(Some(S::Kept), None), much_later)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            db.commitments(&lf(Some(S::Broken), None), much_later)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(db
            .commitments(&lf(Some(S::Open), None), much_later)
            .await
            .unwrap()
            .is_empty());
    }
}

fn lf(
    status: Option<righttrack_store::interactions::CommitmentStatus>,
    agent: Option<&str>,
) -> righttrack_store::interactions::LedgerFilter {
    righttrack_store::interactions::LedgerFilter {
        status,
        agent_ref: agent.map(str::to_owned),
        team_ref: None,
        limit: 100,
    }
}

// ---------------------------------------------------------------- hotline analytics

fn facts(
    category: &str,
    anonymous: bool,
    status: righttrack_core::hotline_stats::CaseStatus,
    submitted_at: Timestamp,
) -> righttrack_core::hotline_stats::CaseFacts {
    righttrack_core::hotline_stats::CaseFacts {
        category: category.into(),
        anonymous,
        status,
        submitted_at,
        closed_at: None,
        reporter_returned: false,
    }
}

#[tokio::test]
async fn hotline_facts_are_the_viewers_wrapped_cases_and_destroyed_ones() {
    use righttrack_core::hotline_stats::CaseStatus as S;
    let day = |n: i64| t0() + SignedDuration::from_hours(24 * n);
    for t in backends().await {
        let db = &t.db;
        let eo1 = db
            .create_user(new_user("eo1", &[Role::EthicsOfficer]), t0(), &mut rng())
            .await
            .unwrap();
        let eo2 = db
            .create_user(new_user("eo2", &[Role::EthicsOfficer]), t0(), &mut rng())
            .await
            .unwrap();
        db.create_user(new_user("agent", &[Role::Agent]), t0(), &mut rng())
            .await
            .unwrap();
        db.create_user(new_user("gone", &[Role::Agent]), t0(), &mut rng())
            .await
            .unwrap();
        t.raw("UPDATE users SET disabled = TRUE WHERE username = 'gone'")
            .await
            .unwrap();

        let mut both = facts("fraud", true, S::Substantiated, day(1));
        both.closed_at = Some(day(9));
        both.reporter_returned = true;
        t.seed_speakup_case(&both, &[eo1.id, eo2.id]).await.unwrap();
        // eo1 is excluded from this one (no wrap).
        let only_eo2 = facts("harassment", false, S::Received, day(2));
        t.seed_speakup_case(&only_eo2, &[eo2.id]).await.unwrap();
        // Before the range.
        t.seed_speakup_case(&facts("fraud", false, S::Closed, day(-1)), &[eo1.id])
            .await
            .unwrap();
        let mut destroyed = facts("accounting", false, S::Unsubstantiated, day(3));
        destroyed.closed_at = Some(day(4));
        t.seed_speakup_stats(&destroyed, day(5)).await.unwrap();
        // After the range.
        t.seed_speakup_stats(&facts("fraud", true, S::Closed, day(30)), day(31))
            .await
            .unwrap();

        let got = db.hotline_facts(eo1.id, day(0), day(30)).await.unwrap();
        assert_eq!(
            got.cases,
            vec![both.clone(), destroyed.clone()],
            "{}",
            db.backend_name()
        );
        assert_eq!(got.headcount, 3, "the disabled user is not counted");
        let got = db.hotline_facts(eo2.id, day(0), day(30)).await.unwrap();
        assert_eq!(got.cases, vec![both, only_eo2, destroyed]);
    }
}

// ---------------------------------------------------------------- retaliation watch

fn scored(
    id: &str,
    agent: &str,
    at: Timestamp,
    score: i64,
) -> righttrack_core::interactions::Prepared {
    righttrack_core::interactions::Prepared {
        ext_id: id.into(),
        channel: "chat",
        agent_ref: agent.into(),
        team_ref: None,
        started_at: at,
        redacted_json: "{}".into(),
        findings_json: "{}".into(),
        score,
        score_max: 100,
        flagged: false,
        severity: 0,
        pii_spans: 0,
        rules: ",".into(),
        commitments: Vec::new(),
        vault: None,
        customer_ref_hash: None,
        content_hash: None,
        unsocial: false,
    }
}

#[tokio::test]
async fn retaliation_watch_alerts_on_a_drop_peers_do_not_share() {
    use righttrack_core::retaliation::Signal;
    use righttrack_store::disputes::{NewDispute, Resolution};
    use righttrack_store::retaliation::{team_changed_detail, TEAM_CHANGED};
    let report = t0();
    let day = |n: i64| report + SignedDuration::from_hours(24 * n);
    let now = day(45);
    for t in backends().await {
        let db = &t.db;
        let site = db
            .create_site("Lisbon", day(-400), &mut rng())
            .await
            .unwrap();
        let billing = db
            .create_team("Billing", site, None, day(-400), &mut rng())
            .await
            .unwrap();
        let claims = db
            .create_team("Claims", site, None, day(-400), &mut rng())
            .await
            .unwrap();
        let mut users = std::collections::BTreeMap::new();
        for (name, team) in [
            ("ana", billing),
            ("ben", billing),
            ("cy", billing),
            ("hal", billing),
            ("eve", claims),
            ("fay", claims),
            ("gus", claims),
        ] {
            let mut u = new_user(name, &[Role::Agent]);
            u.team = Some(team);
            users.insert(
                name,
                db.create_user(u, day(-200), &mut rng()).await.unwrap(),
            );
        }
        // Joined Billing after the report: not a peer of anyone's at report time.
        let mut ivy = new_user("ivy", &[Role::Agent]);
        ivy.team = Some(billing);
        db.create_user(ivy, day(1), &mut rng()).await.unwrap();
        // Hal moves to Claims three days after the report, audited as the watch reads it.
        db.set_user_team(users["hal"].id, Some(claims))
            .await
            .unwrap();
        db.audit_append(
            NewEntry {
                at_ms: day(3).as_millisecond(),
                actor: "admin".into(),
                action: TEAM_CHANGED.into(),
                target: users["hal"].id.to_string(),
                detail: team_changed_detail(Some(billing), Some(claims)).to_string(),
            },
            &signer(),
        )
        .await
        .unwrap();

        // Everyone scored 80 before the report. After it Ana drops to 55 while the rest
        // of Billing stays at 80; all of Claims drops to 55.
        let mut batch = Vec::new();
        for (name, after) in [
            ("ana", 55),
            ("ben", 80),
            ("cy", 80),
            ("hal", 80),
            ("eve", 55),
            ("fay", 55),
            ("gus", 55),
            ("ivy", 20),
        ] {
            for i in 0..2 {
                if name != "ivy" {
                    batch.push(scored(&format!("{name}-b{i}"), name, day(-30 - i), 80));
                }
                batch.push(scored(&format!("{name}-a{i}"), name, day(10 + i), after));
            }
        }
        // Outside every range: a year before, and after "now".
        batch.push(scored("ana-old", "ana", day(-365), 0));
        batch.push(scored("ben-late", "ben", day(60), 0));
        db.store_interactions(&batch, day(50), &mut rng())
            .await
            .unwrap();

        // Ana's dispute is denied (upheld); Ben's is accepted, which is no adverse event.
        for (agent, outcome) in [("ana", "upheld"), ("ben", "accepted")] {
            let id = db
                .open_dispute(
                    &NewDispute {
                        interaction: format!("{agent}-a0"),
                        item: "greeting".into(),
                        agent_ref: agent.into(),
                        reason: "I did greet".into(),
                        evaluator: None,
                        assignee: None,
                        opened_at: day(11),
                        due_at: day(16),
                    },
                    &mut rng(),
                )
                .await
                .unwrap();
            let r = Resolution {
                outcome: outcome.into(),
                note: "checked".into(),
                by_user: "quinn".into(),
                at: day(12),
            };
            assert!(db
                .resolve_dispute(&id, &r, None, &[], &mut rng())
                .await
                .unwrap());
        }

        let b = db.backend_name();
        let ana = db
            .retaliation_watch(users["ana"].id, report, now)
            .await
            .unwrap();
        assert_eq!(
            ana.iter()
                .map(|w| (w.days, w.elapsed_days, w.complete))
                .collect::<Vec<_>>(),
            vec![
                (30, 30, true),
                (60, 45, false),
                (90, 45, false),
                (180, 45, false)
            ],
            "{b}"
        );
        for w in &ana {
            assert_eq!(w.alerts.len(), 2, "{b} {w:?}");
            // Peers at report time: Ben, Cy and Hal (who has moved since); not Ivy.
            assert_eq!(
                w.alerts[0].signal,
                Signal::ScoreDrop {
                    drop: 25.0,
                    peer_median_drop: 0.0,
                    peers_compared: 3
                },
                "{b}"
            );
            assert_eq!(
                w.alerts[1].signal,
                Signal::DisputesDenied {
                    denied: 1,
                    peer_p90: 0.0,
                    peers: 3
                },
                "{b}"
            );
        }
        assert!(ana[0].alerts[0].explanation.contains("fell 25.0 points"));

        // Ben's peers include Ana's drop, but the median peer did not drop.
        let ben = db
            .retaliation_watch(users["ben"].id, report, now)
            .await
            .unwrap();
        assert!(ben.iter().all(|w| w.alerts.is_empty()), "{b} {ben:?}");

        // Hal changed team; none of his three peers at report time did.
        let hal = db
            .retaliation_watch(users["hal"].id, report, now)
            .await
            .unwrap();
        assert_eq!(
            hal[0].alerts.iter().map(|a| &a.signal).collect::<Vec<_>>(),
            vec![&Signal::TeamChange {
                changes: 1,
                peers_changed: 0,
                peers: 3
            }],
            "{b}"
        );

        // In Claims everyone dropped alike: nothing to report.
        let eve = db
            .retaliation_watch(users["eve"].id, report, now)
            .await
            .unwrap();
        assert!(eve.iter().all(|w| w.alerts.is_empty()), "{b} {eve:?}");

        // Before anything elapsed, nothing is measured after the report.
        let early = db
            .retaliation_watch(users["ana"].id, report, report)
            .await
            .unwrap();
        assert!(early
            .iter()
            .all(|w| w.elapsed_days == 0 && w.alerts.is_empty()));

        let stranger = righttrack_core::ids::UserId::new_v7(report, &mut rng());
        assert!(matches!(
            db.retaliation_watch(stranger, report, now).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn coaching_answers_once_and_every_sealed_text_can_be_rewrapped() {
    use righttrack_core::coaching::{Outcome, Rating};
    use righttrack_store::coaching::{NewSession, Rated};
    for t in backends().await {
        let db = &t.db;
        let s = NewSession {
            agent: "ana".into(),
            lead: "leo".into(),
            interaction: None,
            item: Some("honesty".into()),
            feedback: b"f1".to_vec(),
            goals: vec![(b"g1".to_vec(), "2026-12-01".parse().unwrap())],
            held_at: t0(),
        };
        let id = db.create_coaching_session(&s, &mut rng()).await.unwrap();
        // Only the agent answers, and once.
        assert!(!db.comment_coaching(&id, "ben", b"c", t0()).await.unwrap());
        assert!(db.comment_coaching(&id, "ana", b"c1", t0()).await.unwrap());
        assert!(!db.comment_coaching(&id, "ana", b"c2", t0()).await.unwrap());
        assert!(!db.acknowledge_coaching(&id, "ana", t0()).await.unwrap());
        assert!(db
            .follow_up_goal(&id, 1, Outcome::Met, Some(b"n1"), t0())
            .await
            .unwrap());
        assert!(!db
            .follow_up_goal(&id, 1, Outcome::NotMet, None, t0())
            .await
            .unwrap());

        // Key rotation finds and replaces each sealed text.
        let sealed = db.all_coaching_sealed().await.unwrap();
        assert_eq!(sealed.len(), 4, "{}", db.backend_name());
        for (column, row, n, old) in &sealed {
            let mut new = old.clone();
            new.push(b'!');
            assert!(
                db.replace_coaching_sealed(column, row, *n, old, &new)
                    .await
                    .unwrap(),
                "{column} on {}",
                db.backend_name()
            );
        }
        let got = db.coaching_session(&id).await.unwrap().unwrap();
        assert_eq!(got.feedback, b"f1!");
        assert_eq!(got.comment.as_deref(), Some(&b"c1!"[..]));
        assert_eq!(got.goals[0].goal, b"g1!");
        assert_eq!(got.goals[0].note.as_deref(), Some(&b"n1!"[..]));

        // One rating per person, lead and round; none once the round is closed.
        let r = Rating {
            coaching: 4,
            fairness: 5,
        };
        let mut g = rng();
        for (who, outcome) in [
            ("u1", Rated::Stored),
            ("u1", Rated::AlreadyRated),
            ("u2", Rated::Stored),
        ] {
            let got = db
                .rate_lead("2026-Q4", "leo", who, r, &mut g)
                .await
                .unwrap();
            assert_eq!(got, outcome, "{who}");
        }
        assert_eq!(db.open_upward_rounds().await.unwrap(), ["2026-Q4"]);
        assert!(db.close_upward_round("2026-Q4", t0()).await.unwrap());
        assert!(!db.close_upward_round("2026-Q4", t0()).await.unwrap());
        let late = db.rate_lead("2026-Q4", "leo", "u3", r, &mut g).await;
        assert_eq!(late.unwrap(), Rated::Closed);
        assert_eq!(db.lead_ratings("2026-Q4", "leo").await.unwrap(), [r, r]);
        assert_eq!(db.rated_leads("2026-Q4", "u1").await.unwrap(), ["leo"]);
    }
}
