//! Leadership from the users' side: a site manager sees their own view and those of the
//! leads below them, a lead sees only their own, nobody sees up the chain or across to
//! another site's lead, the ethics office sees everyone; the page shows the leader's own
//! obligations and decisions, with overturned overrides counted. SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, App, Staff};
use righttrack_core::Role;
use serde_json::json;

/// Operations (led by Sam) above Billing (Lena) and Retention (Lars); Porto (Tom)
/// apart. Lena also reviews interactions.
async fn org(app: &App) -> [Staff; 4] {
    let sam = staff(app, "sam", &[Role::TeamLead]).await;
    let lena = staff(app, "lena", &[Role::TeamLead, Role::QaAnalyst]).await;
    let lars = staff(app, "lars", &[Role::TeamLead]).await;
    let tom = staff(app, "tom", &[Role::TeamLead]).await;
    let db = &app.state.db;
    let mut rng = rand::rngs::OsRng;
    let site = db.create_site("Lisbon", app.now(), &mut rng).await.unwrap();
    let ops = db
        .create_team("Operations", site, None, app.now(), &mut rng)
        .await
        .unwrap();
    db.set_team_lead(ops, sam.user.id).await.unwrap();
    for (name, lead) in [("Billing", &lena), ("Retention", &lars)] {
        let t = db
            .create_team(name, site, Some(ops), app.now(), &mut rng)
            .await
            .unwrap();
        db.set_team_lead(t, lead.user.id).await.unwrap();
    }
    let porto = db
        .create_team("Porto", site, None, app.now(), &mut rng)
        .await
        .unwrap();
    db.set_team_lead(porto, tom.user.id).await.unwrap();
    [sam, lena, lars, tom]
}

/// Ingests interaction `id` of `agent` in Billing, in which the agent gives a guarantee.
async fn guarantee(app: &App, id: &str, agent: &str) {
    let line = json!({
        "id": id, "channel": "chat", "agent_id": agent, "team": "Billing",
        "started_at": "2026-03-02T10:00:00Z",
        "turns": [
            {"speaker": "customer", "text": "my parcel is late"},
            {"speaker": "agent", "text": "I guarantee it arrives tomorrow"}
        ]
    })
    .to_string();
    let r = app.ingest(Role::Admin, &[line]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// `who` overrides the honesty item of interaction `id` to `outcome`.
async fn override_honesty(
    app: &App,
    who: &Staff,
    id: &str,
    outcome: &str,
    why: &str,
) -> common::Resp {
    let fields = [
        ("item", "honesty"),
        ("outcome", outcome),
        ("justification", why),
    ];
    who.post(app, &format!("/interactions/{id}/override"), &fields)
        .await
}

fn listed(body: &str) -> Vec<String> {
    body.split("<a href=\"/leadership/")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn leaders_see_themselves_and_those_below_never_above_or_across() {
    for app in App::each().await {
        let [sam, lena, lars, tom] = org(&app).await;
        let mut names = listed(&sam.get(&app, "/leadership").await.body);
        names.sort();
        assert_eq!(names, ["lars", "lena", "sam"]);
        assert_eq!(listed(&lena.get(&app, "/leadership").await.body), ["lena"]);

        assert_eq!(
            sam.get(&app, "/leadership/lena").await.status,
            StatusCode::OK
        );
        assert_eq!(
            lena.get(&app, "/leadership/lena").await.status,
            StatusCode::OK
        );
        for (who, whom) in [
            (&lena, "sam"),
            (&lena, "lars"),
            (&tom, "lena"),
            (&lars, "tom"),
        ] {
            let r = who.get(&app, &format!("/leadership/{whom}")).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{} → {whom}",
                who.user.username
            );
            let r = who.get(&app, &format!("/api/v1/leadership/{whom}")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        }
        // Someone who leads nothing, or an unknown name: the same answer.
        assert_eq!(
            sam.get(&app, "/leadership/nobody").await.status,
            StatusCode::NOT_FOUND
        );
        // An agent has no leadership view at all.
        let agent = staff(&app, "ana", &[Role::Agent]).await;
        assert_eq!(
            agent.get(&app, "/leadership").await.status,
            StatusCode::FORBIDDEN
        );
        // The ethics office oversees every leader.
        let ethics = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        let mut all = listed(&ethics.get(&app, "/leadership").await.body);
        all.sort();
        assert_eq!(all, ["lars", "lena", "sam", "tom"]);

        // Looking at someone else's view is on the audit trail; one's own is not.
        let before = app.audit_actions().await;
        assert_eq!(
            before.iter().filter(|a| *a == "leadership.viewed").count(),
            1,
            "{before:?}"
        );
    }
}

#[tokio::test]
async fn the_view_shows_own_obligations_and_overturned_overrides() {
    for app in App::each().await {
        let [sam, lena, ..] = org(&app).await;
        guarantee(&app, "ld-1", "a-1").await;
        let r = override_honesty(
            &app,
            &lena,
            "ld-1",
            "met",
            "the customer was told the truth in the end",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // QA reverses it, a minute later.
        app.clock.advance(jiff::SignedDuration::from_mins(1));
        let quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let r = override_honesty(
            &app,
            &quinn,
            "ld-1",
            "failed",
            "a guarantee nobody can give",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let page = sam.get(&app, "/leadership/lena").await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("Leadership: ");
        page.assert_contains("1 made; 1 overturned later by someone else");
        page.assert_contains("none on file");
        page.assert_contains("0 made; 0 harsher or milder");
        let j = sam.get(&app, "/api/v1/leadership/lena").await.json();
        assert_eq!(j["overrides"], 1);
        assert_eq!(j["overrides_overturned"], 1);
        assert_eq!(j["leader"]["teams"], json!(["Billing"]));
        assert_eq!(j["own"]["disclosed"], false);
        assert_eq!(j["promises"][0]["team"], "Billing");
        // Quinn's own override stands: theirs is not overturned.
        let day_ago = app.now() - jiff::SignedDuration::from_hours(24);
        let q = app.state.db.overrides_by("quinn", day_ago).await.unwrap();
        assert_eq!((q.made, q.overturned), (1, 0));
    }
}

/// The evidence binder's leadership topic counts every leader at once, naming none:
/// leaders, how many meet their own obligations, and how their overrides and sanctions
/// fare. Shares of fewer than 5 are withheld like every binder share.
#[tokio::test]
async fn the_binder_counts_every_leader_without_naming_one() {
    for app in App::each().await {
        let [_, lena, ..] = org(&app).await;
        guarantee(&app, "ld-2", "a-2").await;
        let r = override_honesty(
            &app,
            &lena,
            "ld-2",
            "met",
            "the customer was told the truth in the end",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.clock.advance(jiff::SignedDuration::from_mins(1));
        let quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let r = override_honesty(
            &app,
            &quinn,
            "ld-2",
            "failed",
            "a guarantee nobody can give",
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let since = app.now() - jiff::SignedDuration::from_hours(24 * 365);
        let all = righttrack_app::reports::leadership::all_leaders(&app.state, since)
            .await
            .unwrap();
        assert_eq!(
            all,
            righttrack_app::reports::leadership::AllLeaders {
                leaders: 4,
                attestations_current: 4,
                // `staff` gives everyone current data-privacy training.
                training_current: 4,
                disclosed: 0,
                overrides: 1,
                overrides_overturned: 1,
                decisions: 0,
                decisions_deviating: 0,
            }
        );

        let olga = staff(&app, "olga", &[Role::EthicsOfficer]).await;
        assert_eq!(
            olga.post(&app, "/binder/generate", &[]).await.status,
            StatusCode::SEE_OTHER
        );
        let b = olga.get(&app, "/api/v1/binder").await.json();
        let topic = b["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == "leadership")
            .expect("a leadership topic");
        let figures: Vec<&serde_json::Value> = topic["questions"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|q| q["figures"].as_array().unwrap())
            .collect();
        let figure = |key: &str| {
            (*figures
                .iter()
                .find(|f| f["key"] == key)
                .unwrap_or_else(|| panic!("no figure {key}")))
            .clone()
        };
        assert_eq!(figure("leadership.leaders")["value"], 4.0);
        // Four leaders, one override: too few to show a share.
        for key in [
            "leadership.attestations_current",
            "leadership.overrides_overturned",
        ] {
            assert_eq!(figure(key)["withheld"], true, "{key}");
            assert_eq!(figure(key)["value"], serde_json::Value::Null, "{key}");
        }
        assert_eq!(
            figure("leadership.decisions_deviating")["value"],
            serde_json::Value::Null
        );
        assert_eq!(figure("leadership.decisions_deviating")["withheld"], false);
        let text = serde_json::to_string(topic).unwrap();
        for name in ["lena", "sam", "lars", "tom"] {
            assert!(!text.contains(name), "{name} named in {text}");
        }
    }
}

/// A lead sees which of their agents carry more than their team-mates, as a prompt to
/// act; the managers above see the lead's view without it.
#[tokio::test]
async fn a_lead_is_prompted_about_strain_that_only_they_see() {
    for app in App::each().await {
        let [sam, lena, ..] = org(&app).await;
        let mut lines = Vec::new();
        for (agent, n, hour) in [("a-1", 10, 10), ("a-2", 12, 11), ("a-3", 40, 22)] {
            for i in 0..n {
                lines.push(
                    json!({
                        "id": format!("st-{agent}-{i}"), "channel": "chat", "agent_id": agent,
                        "team": "Billing",
                        "started_at": format!("2026-11-{:02}T{hour}:00:00Z", 2 + i % 15),
                        "turns": [
                            {"speaker": "customer", "text": "where is my parcel"},
                            {"speaker": "agent", "text": "let me check that for you"}
                        ]
                    })
                    .to_string(),
                );
            }
        }
        let r = app.ingest(Role::Admin, &lines).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);

        let own = lena.get(&app, "/leadership/lena").await;
        own.assert_answer(
            StatusCode::OK,
            &[
                "Who may need your help",
                "<strong>a-3</strong>: handled 40 contacts, 233 % more than the team&#39;s median of 12; 40 contacts at unsocial hours (100 %), against 18 % for the rest of the team",
                // (a-1 and a-2 worked two weekend days each: 4 of 22 unsocial)
            ],
        );
        own.assert_lacks("<strong>a-1</strong>");
        let above = sam.get(&app, "/leadership/lena").await;
        assert_eq!(above.status, StatusCode::OK);
        above.assert_lacks("Who may need your help");
        above.assert_lacks("a-3");
        let j = sam.get(&app, "/api/v1/leadership/lena").await.json();
        assert_eq!(j["strain"], json!([]));
    }
}
