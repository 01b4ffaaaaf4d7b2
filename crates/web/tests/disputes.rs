//! Scorecard disputes, as an agent and QA analysts use them: opening from the agent's
//! interaction page, routing away from the original evaluator, resolution (upheld or
//! accepted through a score override), negative rule examples, time limits.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, texts, App, Staff};
use righttrack_core::authz::Scope;
use righttrack_core::Role;
use righttrack_store::disputes::DisputeFilter;

fn line(id: &str, agent: &str) -> String {
    serde_json::json!({
        "id": id, "channel": "voice", "agent_id": agent, "started_at": "2026-11-20T08:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "I need my refund"},
            {"speaker": "agent", "text": "I guarantee it will be fixed today"}
        ]
    })
    .to_string()
}

/// Ingests interactions through the API with an admin's token (an admin is not a QA
/// analyst, so the bot never takes part in routing).
async fn ingest(app: &App, lines: &[String]) {
    let r = app.ingest(Role::Admin, lines).await;
    assert_eq!(r.json()["stored"], lines.len(), "{}", r.body);
}

async fn person(app: &App, name: &str, role: Role) -> Staff {
    staff(app, name, &[role]).await
}

async fn dispute(app: &App, who: &Staff, id: &str, item: &str, reason: &str) -> common::Resp {
    app.post(
        &format!("/my/interactions/{id}/disputes"),
        &who.cookie,
        &format!("csrf={}&item={item}&reason={reason}", who.csrf),
    )
    .await
}

async fn resolve(app: &App, who: &Staff, id: &str, fields: &str) -> common::Resp {
    app.post(
        &format!("/qa/disputes/{id}/resolve"),
        &who.cookie,
        &format!("csrf={}&{fields}", who.csrf),
    )
    .await
}

/// The dispute ids of an interaction, oldest first.
async fn ids(app: &App, interaction: &str) -> Vec<(String, Option<String>)> {
    let mut all = app
        .state
        .db
        .disputes(
            &DisputeFilter {
                interaction: Some(interaction.into()),
                limit: 100,
                ..Default::default()
            },
            app.now(),
        )
        .await
        .unwrap();
    all.sort_by_key(|d| d.opened_at);
    all.into_iter().map(|d| (d.id, d.assignee)).collect()
}

async fn score(app: &App, id: &str) -> i64 {
    app.state.db.interaction(id).await.unwrap().unwrap().score
}

#[tokio::test]
async fn an_agent_disputes_an_item_of_their_own_interaction_once_with_a_valid_reason() {
    for app in App::each().await {
        ingest(&app, &[line("d-1", "alex"), line("d-2", "a-17")]).await;
        let alex = person(&app, "alex", Role::Agent).await;
        let quinn = person(&app, "quinn", Role::QaAnalyst).await;
        let _rosa = person(&app, "rosa", Role::QaAnalyst).await;

        let page = app.get("/my/interactions/d-1", &alex.cookie).await;
        assert!(
            page.body
                .contains("action=\"/my/interactions/d-1/disputes\""),
            "the agent sees a dispute form: {}",
            page.body
        );

        for (body, field) in [
            ("csrf={c}&item=honesty&reason=++", "reason"),
            ("csrf={c}&item=honesty", "reason"),
            ("csrf={c}&item=nope&reason=wrong", "item"),
        ] {
            let r = app
                .post(
                    "/my/interactions/d-1/disputes",
                    &alex.cookie,
                    &body.replace("{c}", &alex.csrf),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            r.assert_contains(&format!("field `{field}`"));
        }
        let long = dispute(&app, &alex, "d-1", "honesty", &"x".repeat(1001)).await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(long.body.contains("field `reason`") && long.body.contains("1000"));

        let theirs = dispute(&app, &alex, "d-2", "honesty", "not+mine").await;
        assert_eq!(
            theirs.status,
            StatusCode::NOT_FOUND,
            "someone else's interaction"
        );
        let nothing = dispute(&app, &alex, "nope", "honesty", "no+such").await;
        assert_eq!(nothing.status, StatusCode::NOT_FOUND);
        let by_qa = dispute(&app, &quinn, "d-1", "honesty", "qa+cannot").await;
        assert_eq!(by_qa.status, StatusCode::FORBIDDEN, "only agents dispute");
        assert!(ids(&app, "d-1").await.is_empty(), "nothing stored so far");

        let reason = "I+said+it+after+checking%2C+call+the+customer+at+415-555-0134";
        let ok = dispute(&app, &alex, "d-1", "honesty", reason).await;
        assert_eq!(
            ok.location(),
            "/my/interactions/d-1#disputes",
            "{}",
            ok.body
        );
        let twice = dispute(&app, &alex, "d-1", "honesty", "again").await;
        assert_eq!(
            twice.status,
            StatusCode::CONFLICT,
            "one open dispute per item"
        );
        twice.assert_contains("honesty");

        let stored = app
            .state
            .db
            .disputes(
                &DisputeFilter {
                    limit: 10,
                    ..Default::default()
                },
                app.now(),
            )
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert!(
            !stored[0].reason.contains("415-555-0134") && stored[0].reason.contains("checking"),
            "the reason is scrubbed: {}",
            stored[0].reason
        );
        assert_eq!(stored[0].assignee.as_deref(), Some("quinn"), "tie by name");
        assert_eq!(stored[0].status, "open");
        let actions = app.audit_actions().await;
        for a in ["dispute.opened", "dispute.assigned"] {
            assert!(actions.contains(&a.to_string()), "{a} audited");
        }

        let page = app.get("/my/interactions/d-1", &alex.cookie).await;
        page.assert_contains("Dispute open, assigned to quinn");
        page.assert_lacks("415-555-0134");
        let work = app.get("/my/work", &alex.cookie).await;
        assert!(
            work.body.contains("My disputes")
                && work.body.contains("/my/interactions/d-1#disputes"),
            "{}",
            work.body
        );
    }
}

#[tokio::test]
async fn routing_skips_the_original_evaluator_and_leaves_a_dispute_unassigned_when_nobody_is_left()
{
    for app in App::each().await {
        ingest(&app, &[line("r-1", "alex"), line("r-2", "alex")]).await;
        let alex = person(&app, "alex", Role::Agent).await;
        let quinn = person(&app, "quinn", Role::QaAnalyst).await;
        let why = "justification=the+refund+was+already+approved+upstream";
        for id in ["r-1", "r-2"] {
            let o = app
                .post(
                    &format!("/interactions/{id}/override"),
                    &quinn.cookie,
                    &format!("csrf={}&item=honesty&outcome=failed&{why}", quinn.csrf),
                )
                .await;
            assert_eq!(o.status, StatusCode::SEE_OTHER, "{}", o.body);
        }

        // Quinn evaluated the item and is the only analyst: nobody is eligible.
        dispute(&app, &alex, "r-1", "honesty", "please+look+again").await;
        let first = ids(&app, "r-1").await;
        assert_eq!(first[0].1, None, "unassigned");
        let queue = app.get("/qa/disputes", &quinn.cookie).await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(
            queue.body.contains("<td>unassigned</td>") && queue.body.contains("r-1"),
            "{}",
            queue.body
        );
        let mine = app.get("/my/interactions/r-1", &alex.cookie).await;
        mine.assert_contains("not assigned yet");

        // With another analyst, the evaluator is still skipped although "quinn" < "rosa".
        let rosa = person(&app, "rosa", Role::QaAnalyst).await;
        dispute(&app, &alex, "r-2", "honesty", "please+look+again").await;
        assert_eq!(ids(&app, "r-2").await[0].1.as_deref(), Some("rosa"));

        // The evaluator may not resolve the unassigned one; another analyst may.
        let detail = app
            .get(&format!("/qa/disputes/{}", first[0].0), &quinn.cookie)
            .await;
        assert!(
            detail.body.contains("original evaluator") && !detail.body.contains("Resolve dispute"),
            "{}",
            detail.body
        );
        let by_evaluator = resolve(&app, &quinn, &first[0].0, "outcome=upheld&note=fine").await;
        assert_eq!(by_evaluator.status, StatusCode::FORBIDDEN);
        let by_rosa = resolve(&app, &rosa, &first[0].0, "outcome=upheld&note=scored+right").await;
        assert_eq!(by_rosa.status, StatusCode::SEE_OTHER, "{}", by_rosa.body);
    }
}

#[tokio::test]
async fn upheld_keeps_the_score_accepted_overrides_it_and_can_add_a_negative_example() {
    for app in App::each().await {
        ingest(&app, &[line("x-1", "alex"), line("x-2", "alex")]).await;
        let alex = person(&app, "alex", Role::Agent).await;
        let quinn = person(&app, "quinn", Role::QaAnalyst).await;
        let rosa = person(&app, "rosa", Role::QaAnalyst).await;
        dispute(&app, &alex, "x-1", "honesty", "not+a+guarantee").await;
        dispute(&app, &alex, "x-2", "honesty", "not+a+guarantee").await;
        let (d1, a1) = ids(&app, "x-1").await.remove(0);
        let (d2, a2) = ids(&app, "x-2").await.remove(0);
        assert_eq!(
            (a1.as_deref(), a2.as_deref()),
            (Some("quinn"), Some("rosa")),
            "the fewest open disputes first"
        );
        let before = (score(&app, "x-1").await, score(&app, "x-2").await);

        let detail = app.get(&format!("/qa/disputes/{d1}"), &quinn.cookie).await;
        assert!(
            detail.body.contains("Resolve dispute")
                && detail.body.contains("not a guarantee")
                && detail.body.contains("honesty.guarantee in turn 3")
                && detail.body.contains("class=\"agent flagged\""),
            "reason, evidence and transcript: {}",
            detail.body
        );
        let not_mine = resolve(&app, &rosa, &d1, "outcome=upheld&note=fine").await;
        assert_eq!(not_mine.status, StatusCode::FORBIDDEN, "assigned to quinn");
        not_mine.assert_contains("quinn");
        let agent = resolve(&app, &alex, &d1, "outcome=accepted&note=yes").await;
        assert_eq!(agent.status, StatusCode::FORBIDDEN);

        for (fields, field) in [
            ("outcome=upheld&note=+", "note"),
            ("outcome=maybe&note=ok", "outcome"),
            (
                "outcome=upheld&note=ok&example=honesty.guarantee",
                "example",
            ),
            (
                "outcome=accepted&note=ok&example=respect.abusive",
                "example",
            ),
        ] {
            let r = resolve(&app, &quinn, &d1, fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields}");
            r.assert_contains(&format!("field `{field}`"));
        }
        let upheld = resolve(
            &app,
            &quinn,
            &d1,
            "outcome=upheld&note=a+promise+of+outcome",
        )
        .await;
        assert_eq!(upheld.location(), format!("/qa/disputes/{d1}"));
        let again = resolve(&app, &quinn, &d1, "outcome=accepted&note=changed+my+mind").await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert_eq!(
            score(&app, "x-1").await,
            before.0,
            "upheld: the score stands"
        );
        assert!(app
            .state
            .db
            .score_overrides("x-1")
            .await
            .unwrap()
            .is_empty());

        let accepted = resolve(
            &app,
            &rosa,
            &d2,
            "outcome=accepted&note=the+customer+asked+for+a+timeline&example=honesty.guarantee",
        )
        .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
        assert!(
            score(&app, "x-2").await > before.1,
            "accepted: the item is met now"
        );
        let history = app.state.db.score_overrides("x-2").await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(
            (
                history[0].item.as_str(),
                history[0].failed,
                history[0].by_user.as_str()
            ),
            ("honesty", false, "rosa")
        );
        assert_eq!(
            history[0].justification,
            "Dispute accepted: the customer asked for a timeline"
        );
        let examples = app.state.db.rule_examples().await.unwrap();
        assert_eq!(examples.len(), 1);
        assert_eq!(examples[0].rule, "honesty.guarantee");
        assert!(
            examples[0].text.contains("guarantee"),
            "{}",
            examples[0].text
        );
        assert_eq!(examples[0].channel, "voice");

        let qa_view = app.get("/interactions/x-2", &quinn.cookie).await;
        qa_view.assert_contains("rosa set honesty to met: Dispute accepted: the customer asked");
        let mine = app.get("/my/interactions/x-2", &alex.cookie).await;
        mine.assert_contains("Dispute accepted by rosa");
        let mine1 = app.get("/my/interactions/x-1", &alex.cookie).await;
        mine1.assert_contains("Dispute upheld by quinn");
        assert!(
            mine1
                .body
                .contains("action=\"/my/interactions/x-1/disputes\""),
            "a resolved dispute does not block the form"
        );
        let work = app.get("/my/work", &alex.cookie).await;
        assert!(
            work.body.contains(">accepted<") && work.body.contains(">upheld<"),
            "{}",
            work.body
        );
        let actions = app.audit_actions().await;
        assert_eq!(
            actions.iter().filter(|a| *a == "dispute.resolved").count(),
            2
        );
        assert!(actions.contains(&"score.overridden".to_string()));
    }
}

#[tokio::test]
async fn overdue_disputes_come_first_and_the_window_closes_after_two_weeks() {
    for app in App::each().await {
        ingest(&app, &[line("o-1", "alex"), line("o-2", "alex")]).await;
        let alex_user = app.user("alex", &[Role::Agent]).await;
        // Sessions expire while the clock runs: sign in afresh each time.
        let fresh = |u: righttrack_store::directory::User| app.signed_in(u);
        let alex = fresh(alex_user.clone()).await;
        let quinn = app.user("quinn", &[Role::QaAnalyst]).await;
        let token =
            righttrack_web::auth::issue_token(&app.state, "test", &quinn, "q", &[Scope::Read])
                .await
                .unwrap();
        let bearer = format!("Bearer {}", token.expose());
        let api = |q: &'static str| {
            let bearer = bearer.clone();
            let app = &app;
            async move {
                app.api_get(&format!("/api/v1/disputes?status={q}"), &bearer)
                    .await
            }
        };

        dispute(&app, &alex, "o-2", "honesty", "later+one").await;
        app.clock.advance(jiff::SignedDuration::from_hours(24));
        let alex = fresh(alex_user.clone()).await;
        let r = dispute(&app, &alex, "o-1", "honesty", "due+later").await;
        assert_eq!(r.location(), "/my/interactions/o-1#disputes", "{}", r.body);
        // o-2 is due now (five days after it opened), o-1 a day later.
        app.clock.advance(jiff::SignedDuration::from_hours(24 * 4));
        let overdue = api("overdue").await.json();
        let list = overdue["disputes"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{overdue}");
        assert_eq!(list[0]["interaction"], "o-2");
        assert_eq!(list[0]["status"], "overdue");
        let open = api("open").await.json();
        let order: Vec<&str> = texts(&open["disputes"], "interaction");
        assert_eq!(order, ["o-2", "o-1"], "overdue first");
        assert_eq!(
            api("resolved").await.json()["disputes"],
            serde_json::json!([])
        );
        let bad = api("late").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.json()["message"].as_str().unwrap().contains("status"));

        let (qc, _) = app.session(&quinn).await;
        let queue = app.get("/qa/disputes", &qc).await;
        let row = queue
            .body
            .find("<tr class=\"overdue\">")
            .expect("overdue row highlighted");
        assert!(queue.body[row..].contains("o-2"));
        let in_open = &queue.body[queue.body.find("id=\"open\"").unwrap()..];
        assert!(
            in_open.find("o-2").unwrap() < in_open.find("o-1").unwrap(),
            "overdue listed first"
        );

        // 14 days after scoring the window closes, with a clear message.
        app.clock
            .advance(jiff::SignedDuration::from_hours(24 * 9 + 1));
        let alex = fresh(alex_user.clone()).await;
        let late = dispute(&app, &alex, "o-1", "respect", "too+late").await;
        late.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["14 days after scoring"]);
        let page = app.get("/my/interactions/o-1", &alex.cookie).await;
        assert!(
            page.body.contains("disputes closed on")
                && !page
                    .body
                    .contains("action=\"/my/interactions/o-1/disputes\""),
            "{}",
            page.body
        );
    }
}
