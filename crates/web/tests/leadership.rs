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
        let line = json!({
            "id": "ld-1", "channel": "chat", "agent_id": "a-1", "team": "Billing",
            "started_at": "2026-03-02T10:00:00Z",
            "turns": [
                {"speaker": "customer", "text": "my parcel is late"},
                {"speaker": "agent", "text": "I guarantee it arrives tomorrow"}
            ]
        })
        .to_string();
        let r = app.ingest(Role::Admin, &[line]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let why = "the customer was told the truth in the end";
        let r = lena
            .post(
                &app,
                "/interactions/ld-1/override",
                &[
                    ("item", "honesty"),
                    ("outcome", "met"),
                    ("justification", why),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // QA reverses it, a minute later.
        app.clock.advance(jiff::SignedDuration::from_mins(1));
        let quinn = staff(&app, "quinn", &[Role::QaAnalyst]).await;
        let r = quinn
            .post(
                &app,
                "/interactions/ld-1/override",
                &[
                    ("item", "honesty"),
                    ("outcome", "failed"),
                    ("justification", "a guarantee nobody can give"),
                ],
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
