//! Attacks on the hotline: identity requests, sealed corrective actions, reader keys.

use crate::common::{self, staff, App, Resp};
use axum::http::StatusCode;
use righttrack_core::Role;
use serde_json::{json, Value};

/// What the reporter sees with their receipt.
async fn access(app: &App, body: Value) -> Resp {
    app.post_json("/api/v1/speakup/access", &body).await
}

// ---------------------------------------------------------------- identity requests

/// A custodian denies an officer's request to open a named reporter's identity; a second
/// custodian then "approves" the same request. Before the fix the approval failed with
/// "already decided", but the identity key had been wrapped for the officer first: the
/// officer could open the identity the first custodian refused, and nothing was audited.
#[tokio::test]
async fn an_approval_after_a_denial_wraps_nothing() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let cara = staff(&app, "cara", &[Role::IdentityCustodian]).await;
        let dina = staff(&app, "dina", &[Role::IdentityCustodian]).await;
        let (case, _) = app.report(json!({"category": "harassment", "description": "Remarks about my accent", "anonymous": false, "name": "Philippa Quist", "contact": "pq@example.org"}),
        )
        .await;
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/identity"),
                &[("reason", "We want to know who complained")],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let page = cara.get(&app, &format!("/cases/{case}")).await;
        let rid =
            common::value_of(&page.body, &format!("action=\"/cases/{case}/identity/")).to_owned();
        let r = cara
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[("decision", "deny"), ("reason", "Not necessary")],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let before = app.state.db.identity_requests(&case).await.unwrap();

        let r = dina
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[("decision", "approve"), ("reason", "I disagree")],
            )
            .await;
        assert_eq!(r.redirect_error(), "this request was already decided");
        // Nothing changed: no key for the requester, the denial stands, no identity shown.
        assert_eq!(
            app.state
                .db
                .identity_wrap(&case, olga.user.id)
                .await
                .unwrap(),
            None,
            "the identity key was wrapped for the requester after a denial"
        );
        let after = app.state.db.identity_requests(&case).await.unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].status, "denied");
        assert_eq!(after[0].decided_by, Some(cara.user.id));
        assert_eq!(after[0].decision_sealed, before[0].decision_sealed);
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_lacks("Philippa Quist");
        page.assert_lacks("pq@example.org");
        // What happened is in the audit trail.
        let actions = app.audit_actions().await;
        assert!(
            actions.contains(&"speakup.identity_decision_refused".to_owned()),
            "{actions:?}"
        );
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "speakup.identity_decided")
                .count(),
            1
        );
    }
}

// ---------------------------------------------------------------- reader keys

/// A blob literal for raw SQL on either backend.
fn blob(app: &App, bytes: &[u8]) -> String {
    let hex = data_encoding::HEXLOWER.encode(bytes);
    if app.state.db.backend_name() == "postgres" {
        format!("decode('{hex}', 'hex')")
    } else {
        format!("X'{hex}'")
    }
}

/// Someone with write access to the database replaces an ethics officer's reader public
/// key with their own. Before the fix, the next report was wrapped for the attacker's
/// key (they could decrypt it with a copy of the database) and nothing showed it.
#[tokio::test]
async fn a_replaced_reader_key_receives_no_report() {
    let logs = common::logs();
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let pia = staff(&app, "pia", &[Role::EthicsOfficer]).await;
        let attacker = righttrack_core::casekeys::ReaderSecret::generate(&mut rand::rngs::OsRng);
        app.t
            .raw(&format!(
                "UPDATE users SET reader_public = {} WHERE id = '{}'",
                blob(&app, &attacker.public().0),
                olga.user.id
            ))
            .await
            .unwrap();

        let (case, _) = app.report(json!({"category": "fraud", "description": "Refunds to a private card ZEBRA-7", "anonymous": true}),
        )
        .await;
        let wraps = app.state.db.speakup_wrapped_for(&case).await.unwrap();
        let holders: Vec<_> = wraps.iter().map(|(u, _)| *u).collect();
        assert!(
            !holders.contains(&olga.user.id),
            "a case key was wrapped for a public key the server never signed"
        );
        for (_, w) in &wraps {
            assert!(righttrack_core::casekeys::unwrap_for_reader(&attacker, &case, w).is_err());
        }
        // The officer with an untouched key still gets the report.
        assert!(holders.contains(&pia.user.id));
        let page = pia.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("ZEBRA-7");
        // The refusal is logged, with the user id and no content.
        let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
        assert!(
            text.contains("no valid server signature") && text.contains(&olga.user.id.to_string()),
            "the refusal was not logged"
        );
        assert!(!text.contains("ZEBRA-7"));

        // The officer's next sign-in proves the key with her password: the genuine key
        // is restored and signed, and her reconciled wrap opens the case.
        let (cookie, _) = app.session(&olga.user).await;
        let (public, _) = app
            .state
            .db
            .reader_keys(olga.user.id)
            .await
            .unwrap()
            .unwrap();
        assert_ne!(public, attacker.public());
        assert!(app.audited("speakup.reader_key_signed").await);
        // The next key holder to open the case reconciles its wraps.
        pia.get(&app, &format!("/cases/{case}")).await;
        let page = app.get(&format!("/cases/{case}"), &cookie).await;
        assert!(page.body.contains("ZEBRA-7"), "{}", page.status);
    }
}

// ---------------------------------------------------------------- payment data in reports

/// A reporter types a customer's card number into a report and a follow-up message.
/// Before the fix both were kept and shown to every case worker exactly as typed (the
/// one text in the platform the scanning engine never saw).
#[tokio::test]
async fn a_card_number_in_a_report_is_masked_and_nothing_else_changes() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let description = "Maria Lopez in billing charged card 4111 1111 1111 1111 twice; write to maria.lopez@example.org";
        let (case, receipt) = app.report(json!({"category": "fraud", "description": description, "when_where": "Madrid office, 3 March", "people": "Maria Lopez", "anonymous": true}),
        )
        .await;
        let r = access(
            &app,
            json!({"receipt": receipt, "message": "Also card 5500 0000 0000 0004 with code 123, expires 12/27"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let page = olga.get(&app, &format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        for digits in [
            "4111 1111 1111 1111",
            "4111111111111111",
            "5500 0000 0000 0004",
        ] {
            assert!(
                !page.body.contains(digits),
                "a card number reached the case page"
            );
            assert!(!r.body.contains(digits), "the reporter's view kept a card");
        }
        // Nothing else changed: names, places and contact details stay as typed.
        page.assert_contains("Maria Lopez in billing charged card");
        page.assert_contains("maria.lopez@example.org");
        page.assert_contains("Madrid office, 3 March");
        page.assert_contains("twice; write to");
        page.assert_contains("Also card");
    }
}

// ---------------------------------------------------------------- reporter timing

/// A case worker reads when the reporter wrote, to the minute, and matches it with who
/// was on a break at 14:37. Before the fix the case page (and the stored rows) kept the
/// minute of every reporter message; now the day is all that is shown or stored.
#[tokio::test]
async fn reporter_message_times_are_kept_by_day() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, receipt) = app.report(json!({"category": "harassment", "description": "Shouting in the break room", "anonymous": true}),
        )
        .await;
        // The next day, at 14:37 (the harness clock starts at 2026-11-20 09:00).
        app.clock
            .advance(jiff::SignedDuration::from_mins(24 * 60 + 5 * 60 + 37));
        let r = access(
            &app,
            json!({"receipt": receipt, "message": "It happened again today"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let mine = j["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["body"] == "It happened again today")
            .unwrap();
        assert_eq!(mine["at"], "2026-11-21");

        // A fresh session: the first one has expired by the next afternoon.
        let (cookie, _) = app.session(&olga.user).await;
        let page = app.get(&format!("/cases/{case}"), &cookie).await;
        assert!(
            page.body.contains("It happened again today"),
            "{}",
            page.status
        );
        page.assert_contains("2026-11-21");
        assert!(
            !page.body.contains("14:37"),
            "the case page shows the minute the reporter wrote"
        );
        // What is stored is the day too.
        let day = righttrack_store::ms("2026-11-21T00:00:00Z".parse().unwrap());
        assert_eq!(
            app.t
                .scalar("SELECT MAX(created_at) FROM speakup_messages WHERE author = 'reporter'")
                .await
                .unwrap(),
            day
        );
        assert_eq!(
            app.t
                .scalar("SELECT MAX(reporter_activity_at) FROM speakup_cases")
                .await
                .unwrap(),
            day
        );
    }
}

// ---------------------------------------------------------------- corrective actions

/// An ethics officer raises a corrective action from a harassment case that names a
/// team lead. Before the fix its title, root cause, plan and notes were stored in the
/// clear and listed to every CAPA user, the accused team lead included.
#[tokio::test]
async fn a_capa_from_a_hotline_case_is_sealed_and_hidden_from_the_accused() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let tom = staff(&app, "tom", &[Role::TeamLead]).await;
        let quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let (case, _) = app.report(json!({"category": "harassment", "description": "My team lead tom shouts at new agents", "people": "tom", "anonymous": true}),
        )
        .await;
        let r = olga
            .post(
                &app,
                &format!("/cases/{case}/capa"),
                &[
                    ("title", "Coach TITLE-QUOKKA on respectful feedback"),
                    ("owner", "olga"),
                    ("due", "2026-12-31"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let capa = r.location().trim_start_matches("/capa/").to_owned();
        for (step, field, text) in [
            ("analyse", "root_cause", "ROOT-WOMBAT no feedback training"),
            ("plan", "plan", "PLAN-NUMBAT monthly coaching"),
            ("implement", "note", "NOTE-DINGO first session held"),
        ] {
            let r = olga
                .post(
                    &app,
                    &format!("/capa/{capa}/step"),
                    &[("step", step), (field, text)],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
        }
        const TYPED: [&str; 4] = ["TITLE-QUOKKA", "ROOT-WOMBAT", "PLAN-NUMBAT", "NOTE-DINGO"];

        // The key holder reads all of it.
        let page = olga.get(&app, &format!("/capa/{capa}")).await;
        assert_eq!(page.status, StatusCode::OK);
        for t in TYPED {
            assert!(page.body.contains(t), "{t} missing for the key holder");
        }
        // The accused team lead and a QA analyst without the case key find nothing.
        for who in [&tom, &quinn] {
            let list = who.get(&app, "/capa").await;
            assert_eq!(list.status, StatusCode::OK);
            let one = who.get(&app, &format!("/capa/{capa}")).await;
            assert_eq!(one.status, StatusCode::NOT_FOUND);
            let api = who.get(&app, "/api/v1/capas").await;
            for body in [&list.body, &one.body, &api.body] {
                assert!(
                    !body.contains(&capa),
                    "the CAPA is listed to {}",
                    who.user.username
                );
                for t in TYPED {
                    assert!(!body.contains(t), "{t} shown to {}", who.user.username);
                }
            }
            let r = who
                .post(
                    &app,
                    &format!("/capa/{capa}/step"),
                    &[("step", "verify"), ("note", "x")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        // Nothing typed is at rest in the clear: not in the rows, not in the file.
        for t in TYPED {
            let n = app
                .t
                .scalar(&format!(
                    "SELECT CAST(COUNT(*) AS BIGINT) FROM capas c LEFT JOIN capa_events e ON e.capa_id = c.id \
                     WHERE c.title LIKE '%{t}%' OR c.root_cause LIKE '%{t}%' OR c.plan LIKE '%{t}%' OR e.note LIKE '%{t}%'"
                ))
                .await
                .unwrap();
            assert_eq!(n, 0, "{t} stored in the clear");
        }
        if let Some(bytes) = common::speakup::bytes_at_rest(&app) {
            for t in TYPED {
                assert!(
                    !bytes.windows(t.len()).any(|w| w == t.as_bytes()),
                    "{t} in the database file"
                );
            }
        }
    }
}

// ---------------------------------------------------------------- identity without a custodian

/// A named report is filed while the installation has no identity custodian. Before
/// the fix its identity key was sealed under the case key, so every ethics officer
/// holding the case key held the reporter's name without any approval. Now only the
/// reporter holds it (under their receipt) until a custodian exists, and hands it over
/// on their next visit.
#[tokio::test]
async fn without_a_custodian_the_case_readers_hold_no_identity_key() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let (case, receipt) = app.report(json!({"category": "harassment", "description": "Remarks about my accent", "anonymous": false, "name": "Philippa Quist", "contact": "pq@example.org"}),
        )
        .await;
        let fields: Vec<String> = app
            .state
            .db
            .case_fields(&case)
            .await
            .unwrap()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert!(
            !fields.contains(&"identity_key_pending".to_owned()),
            "the identity key is sealed under the case key: every case reader holds it"
        );
        assert!(fields.contains(&"identity".to_owned()));
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_lacks("Philippa Quist");

        // A custodian is appointed; the reporter comes back; the custodian now holds the
        // identity key and the usual request and approval open it.
        let cara = staff(&app, "cara", &[Role::IdentityCustodian]).await;
        let r = access(&app, json!({"receipt": receipt})).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(app
            .state
            .db
            .identity_wrap(&case, cara.user.id)
            .await
            .unwrap()
            .is_some());
        assert!(!app
            .state
            .db
            .case_fields(&case)
            .await
            .unwrap()
            .iter()
            .any(|(f, _)| f == "identity_key_reporter"));
        olga.get(&app, &format!("/cases/{case}")).await; // reconciles the new custodian's case key
        olga.post(
            &app,
            &format!("/cases/{case}/identity"),
            &[("reason", "We must interview her as a witness")],
        )
        .await;
        let page = cara.get(&app, &format!("/cases/{case}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let rid =
            common::value_of(&page.body, &format!("action=\"/cases/{case}/identity/")).to_owned();
        let r = cara
            .post(
                &app,
                &format!("/cases/{case}/identity/{rid}"),
                &[("decision", "approve"), ("reason", "Necessary")],
            )
            .await;
        assert_eq!(r.redirect_error(), "");
        let page = olga.get(&app, &format!("/cases/{case}")).await;
        page.assert_contains("Philippa Quist");
    }
}

/// The upgrade path for reader keys made before signatures: signed once as they stand,
/// so reports filed right after the upgrade still reach the officers who have not yet
/// signed in again (the CLI runs this once, guarded by a marker file beside the keys).
#[tokio::test]
async fn reader_keys_made_before_signatures_are_signed_once_at_upgrade() {
    for app in App::each().await {
        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        app.t
            .raw(&format!(
                "UPDATE users SET reader_public_sig = NULL WHERE id = '{}'",
                olga.user.id
            ))
            .await
            .unwrap();
        let (before, _) = app.report(json!({"category": "fraud", "description": "Before the upgrade ran", "anonymous": true}),
        )
        .await;
        let wrapped = |case: String| {
            let app = &app;
            async move {
                app.state
                    .db
                    .speakup_wrapped_for(&case)
                    .await
                    .unwrap()
                    .iter()
                    .any(|(u, _)| *u == olga.user.id)
            }
        };
        assert!(!wrapped(before).await, "an unsigned key received a wrap");
        let n = righttrack_app::hotline::keys::sign_keys_made_before_signatures(&app.state)
            .await
            .unwrap();
        assert_eq!(n, 1);
        let (after, _) = app.report(json!({"category": "fraud", "description": "After the upgrade ran", "anonymous": true}),
        )
        .await;
        assert!(wrapped(after).await);
    }
}
