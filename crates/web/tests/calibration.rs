//! QA calibration as analysts and team leads use it: create a session, score blind,
//! submit, close, and read agreement and leniency.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::App;
use righttrack_core::Role;

const ITEMS: [&str; 5] = [
    "honesty",
    "no_pressure",
    "respect",
    "recording_notice",
    "verification",
];

/// The empathy items and the engine's points on cal-1 and cal-2.
const EMPATHY: [[(&str, &str); 4]; 2] = [
    [
        ("empathy.acknowledge", "na"),
        ("empathy.apology", "0"),
        ("empathy.ownership", "10"),
        ("empathy.talk_over", "na"),
    ],
    [
        ("empathy.acknowledge", "na"),
        ("empathy.apology", "na"),
        ("empathy.ownership", "na"),
        ("empathy.talk_over", "na"),
    ],
];

/// cal-1: a voice call with the recording notice and a guarantee (the engine fails
/// honesty). cal-2: a clean chat (recording notice N/A).
async fn seed(app: &App) {
    let engine = app.state.engine().unwrap();
    let calls = [
        serde_json::json!({"id": "cal-1", "channel": "voice", "agent_id": "a-17", "started_at": "2026-11-19T09:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "this call may be recorded for quality purposes, how can I help"},
            {"speaker": "customer", "text": "my parcel never arrived"},
            {"speaker": "agent", "text": "I guarantee it will be fixed, no question about it"}
        ]}),
        serde_json::json!({"id": "cal-2", "channel": "chat", "agent_id": "a-18", "started_at": "2026-11-19T10:00:00Z",
        "turns": [
            {"speaker": "agent", "text": "Hello, how can I help you today?"},
            {"speaker": "customer", "text": "I want to update my address"},
            {"speaker": "agent", "text": "I've updated that for you and added a note to the account."}
        ]}),
    ];
    let prepared: Vec<_> = calls
        .iter()
        .map(|v| {
            let i: righttrack_scan::Interaction = serde_json::from_value(v.clone()).unwrap();
            righttrack_core::interactions::prepare(&engine, &i).unwrap()
        })
        .collect();
    app.state
        .db
        .store_interactions(&prepared, app.now(), &mut rand::rngs::OsRng)
        .await
        .unwrap();
}

struct People {
    qa: (String, String),
    lead: (String, String),
    qa2: (String, String),
    outsider_lead: (String, String),
    outsider_qa: (String, String),
}

async fn people(app: &App) -> People {
    let mut s = Vec::new();
    for (name, role) in [
        ("quinn", Role::QaAnalyst),
        ("lena", Role::TeamLead),
        ("qadir", Role::QaAnalyst),
        ("otto", Role::TeamLead),
        ("olga", Role::QaAnalyst),
    ] {
        let u = app.user(name, &[role]).await;
        s.push(app.session(&u).await);
    }
    let mut it = s.into_iter();
    People {
        qa: it.next().unwrap(),
        lead: it.next().unwrap(),
        qa2: it.next().unwrap(),
        outsider_lead: it.next().unwrap(),
        outsider_qa: it.next().unwrap(),
    }
}

/// Creates a session as `who`; returns its id.
async fn create(app: &App, who: &(String, String), participants: &[&str]) -> String {
    let mut body = format!(
        "csrf={}&name=November+calls&interactions=cal-1%0Acal-2&due=2026-11-27",
        who.1
    );
    for p in participants {
        body.push_str(&format!("&participant={p}"));
    }
    let r = app.post("/qa/calibration", &who.0, &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .strip_prefix("/qa/calibration/")
        .unwrap()
        .to_owned()
}

/// A full rating form: `points[n][k]` for interaction n (0-based) and item k.
fn form(csrf: &str, points: [[&str; 5]; 2], action: &str, comment: &str) -> String {
    let mut body = format!("csrf={csrf}&action={action}");
    for (n, row) in points.iter().enumerate() {
        for (k, p) in row.iter().enumerate() {
            body.push_str(&format!("&r.{}.{}={p}", n + 1, ITEMS[k]));
        }
        // The empathy items, rated as the engine scores them by everyone, so that the
        // hand-computed agreement below is about the five items above. cal-1: a
        // parcel that never arrived (an apology due and not given; "I guarantee it
        // will be fixed" commits to the fix), no difficulty voiced, no timings.
        // cal-2: nothing went wrong.
        for (item, p) in EMPATHY[n] {
            body.push_str(&format!("&r.{}.{item}={p}", n + 1));
        }
    }
    if !comment.is_empty() {
        body.push_str(&format!("&c.1.honesty={comment}"));
    }
    body
}

const AGREE_2: [&str; 5] = ["25", "20", "25", "na", "na"];

#[tokio::test]
async fn creating_a_session_checks_every_field() {
    for app in App::each().await {
        seed(&app).await;
        let p = people(&app).await;
        let base = format!("csrf={}&name=S&due=2026-11-27", p.qa.1);
        for (body, field) in [
            (
                format!("csrf={}&name=&interactions=cal-1&participant=quinn&participant=lena&due=2026-11-27", p.qa.1),
                "name",
            ),
            (
                format!("{base}&interactions=cal-1&participant=quinn"),
                "participants",
            ),
            (
                // A participant without a scoring role.
                format!("{base}&interactions=cal-1&participant=quinn&participant=nobody"),
                "participants",
            ),
            (
                format!("{base}&interactions=cal-1%0Anope&participant=quinn&participant=lena"),
                "interactions",
            ),
            (
                format!("{base}&participant=quinn&participant=lena"),
                "interactions",
            ),
            (
                format!("csrf={}&name=S&interactions=cal-1&participant=quinn&participant=lena&due=2026-11-01", p.qa.1),
                "due",
            ),
            (
                format!("csrf={}&name=S&interactions=cal-1&participant=quinn&participant=lena&due=soon", p.qa.1),
                "due",
            ),
            (
                format!("{base}&sample=500&participant=quinn&participant=lena"),
                "sample",
            ),
        ] {
            let r = app.post("/qa/calibration", &p.qa.0, &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", r.body);
            assert!(r.body.contains(&format!("field `{field}`")), "{field}: {}", r.body);
        }
        // Team leads score but do not run sessions.
        let r = app
            .post(
                "/qa/calibration",
                &p.lead.0,
                &format!("csrf={}&name=S&interactions=cal-1&participant=quinn&participant=lena&due=2026-11-27", p.lead.1),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A random sample works too.
        let r = app
            .post(
                "/qa/calibration",
                &p.qa.0,
                &format!("{base}&sample=2&participant=quinn&participant=lena"),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let id = create(&app, &p.qa, &["lena", "qadir"]).await;
        let list = app.get("/qa/calibration", &p.lead.0).await;
        list.assert_contains(&format!("/qa/calibration/{id}"));
        assert!(app.audited("calibration.created").await);
        let form = app.get("/qa/calibration/new", &p.qa.0).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("value=\"lena\"") && !form.body.contains("value=\"a-17\""));
    }
}

#[tokio::test]
async fn scoring_is_blind_until_the_session_closes() {
    for app in App::each().await {
        seed(&app).await;
        let p = people(&app).await;
        // quinn runs it without scoring; lena and qadir score.
        let id = create(&app, &p.qa, &["lena", "qadir"]).await;
        let url = format!("/qa/calibration/{id}");

        // lena saves a draft with a comment.
        let r = app
            .post(
                &format!("{url}/ratings"),
                &p.lead.0,
                &form(
                    &p.lead.1,
                    [["0", "20", "25", "15", "na"], AGREE_2],
                    "save",
                    "zebracomment",
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let mine = app.get(&url, &p.lead.0).await;
        assert!(mine.body.contains("zebracomment"), "own draft is shown");
        assert!(
            mine.body.contains("I guarantee it will be fixed"),
            "transcript"
        );

        // qadir sees the transcript and the items, but nothing of the engine or of lena.
        let other = app.get(&url, &p.qa2.0).await;
        other.assert_answer(
            StatusCode::OK,
            &["I guarantee it will be fixed", "name=\"r.1.honesty\""],
        );
        for secret in [
            "zebracomment",
            "Engine",
            "conduct.guarantee",
            "class=\"flagged\"",
            "agent flagged",
            "/100",
        ] {
            assert!(!other.body.contains(secret), "{secret} leaked before close");
        }
        // Nor through the interaction's own page or API while they still score it.
        for path in ["/interactions/cal-1", "/api/v1/interactions/cal-2"] {
            let r = app.get(path, &p.qa2.0).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            assert!(
                r.body.contains("calibration") && !r.body.contains("scorecard\""),
                "{path}"
            );
        }
        // Nothing of lena's draft is pre-selected for qadir.
        other.assert_lacks("value=\"0\" selected");

        // The creator sees who submitted, not what.
        let r = app
            .post(
                &format!("{url}/ratings"),
                &p.lead.0,
                &form(
                    &p.lead.1,
                    [["0", "20", "25", "15", "na"], AGREE_2],
                    "submit",
                    "zebracomment",
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.get("/interactions/cal-1", &p.lead.0).await.status,
            StatusCode::OK,
            "submitted: no longer blind"
        );
        assert_eq!(
            app.get("/interactions/cal-1", &p.outsider_qa.0)
                .await
                .status,
            StatusCode::OK,
            "outsiders are not blinded"
        );
        let creator = app.get(&url, &p.qa.0).await;
        creator.assert_contains("lena: <strong>submitted</strong>");
        creator.assert_contains("qadir: not yet");
        assert!(
            !creator.body.contains("zebracomment")
                && !creator.body.contains("name=\"r.1.honesty\"")
        );

        // The JSON API holds its tongue while open; outsiders are refused.
        let api = format!("/api/v1/calibration/{id}");
        for who in [&p.qa, &p.lead, &p.qa2] {
            let r = app.get(&api, &who.0).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
            r.assert_lacks("zebracomment");
        }
        assert_eq!(
            app.get(&api, &p.outsider_lead.0).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&url, &p.outsider_lead.0).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&url, &p.outsider_qa.0).await.status,
            StatusCode::FORBIDDEN
        );

        // A submitted participant can no longer change anything.
        let r = app
            .post(
                &format!("{url}/ratings"),
                &p.lead.0,
                &form(&p.lead.1, [AGREE_2, AGREE_2], "save", ""),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Non-participants cannot score.
        for who in [&p.qa, &p.outsider_lead] {
            let r = app
                .post(
                    &format!("{url}/ratings"),
                    &who.0,
                    &form(&who.1, [AGREE_2, AGREE_2], "save", ""),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"calibration.submitted".to_string()));
        assert!(!actions.contains(&"calibration.closed".to_string()));
    }
}

#[tokio::test]
async fn bad_ratings_are_refused_naming_the_field_and_the_draft_survives() {
    for app in App::each().await {
        seed(&app).await;
        let p = people(&app).await;
        let id = create(&app, &p.qa, &["quinn", "lena"]).await;
        let rate = format!("/qa/calibration/{id}/ratings");
        for (extra, field) in [
            ("r.1.honesty=26", "r.1.honesty"),
            ("r.1.honesty=-1", "r.1.honesty"),
            ("r.1.bogus=5", "r.1.bogus"),
            ("r.3.honesty=5", "r.3.honesty"),
            ("c.1.respect=why", "r.1.respect"),
        ] {
            let r = app
                .post(
                    &rate,
                    &p.qa.0,
                    &format!("csrf={}&action=save&{extra}", p.qa.1),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{extra}: {}",
                r.body
            );
            assert!(
                r.body.contains(&format!("field `{field}`")),
                "{extra}: {}",
                r.body
            );
        }
        // Submitting with an item unrated names it and keeps the draft.
        let mut partial = [AGREE_2, AGREE_2];
        partial[1][2] = "";
        let r = app
            .post(&rate, &p.qa.0, &form(&p.qa.1, partial, "submit", ""))
            .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["field `r.2.respect`"]);
        let page = app.get(&format!("/qa/calibration/{id}"), &p.qa.0).await;
        assert!(
            page.body.contains("<option value=\"20\" selected>"),
            "draft kept"
        );
        assert!(
            page.body.contains("name=\"r.2.respect\""),
            "still scoring: {}",
            page.body
        );
        assert_eq!(
            app.state
                .db
                .calibration_ratings(&id, Some("quinn"))
                .await
                .unwrap()
                .len(),
            // Nine conduct ratings and eight empathy ones, less the refused one.
            17
        );
    }
}

#[tokio::test]
async fn results_match_hand_computed_agreement_and_leniency() {
    for app in App::each().await {
        seed(&app).await;
        let p = people(&app).await;
        let id = create(&app, &p.qa, &["quinn", "lena", "qadir"]).await;
        let url = format!("/qa/calibration/{id}");
        // Only honesty on cal-1 is disputed: quinn 0, lena 0, qadir 25.
        for (who, honesty) in [(&p.qa, "0"), (&p.lead, "0"), (&p.qa2, "25")] {
            let r = app
                .post(
                    &format!("{url}/ratings"),
                    &who.0,
                    &form(
                        &who.1,
                        [[honesty, "20", "25", "15", "na"], AGREE_2],
                        "submit",
                        "promised+a+fix",
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // The last submission closed the session.
        assert!(app.audited("calibration.closed").await);

        let j = app
            .get(&format!("/api/v1/calibration/{id}"), &p.lead.0)
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        let j = j.json();
        // The engine failed honesty and apology on cal-1 and passed the rest (N/A where
        // it does not apply); per interaction the five conduct items, then the four
        // empathy items.
        let engine: Vec<_> = j["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["engine"].clone())
            .collect();
        assert_eq!(
            engine,
            serde_json::json!([
                0, 20, 25, 15, null, null, 0, 10, null, 25, 20, 25, null, null, null, null, null,
                null
            ])
            .as_array()
            .unwrap()
            .clone()
        );
        let items = j["items"].as_array().unwrap();
        // Flagged first.
        assert_eq!(items[0]["item"], "honesty");
        assert_eq!(items[0]["flagged"], true);
        // P̄ = (1/3 + 1) / 2 = 2/3; P̄e = (2/6)² + (4/6)² = 5/9; κ = (2/3 − 5/9) / (4/9) = 0.25.
        assert!((items[0]["agreement"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert!((items[0]["kappa"].as_f64().unwrap() - 0.25).abs() < 1e-9);
        for it in &items[1..] {
            assert_eq!(it["flagged"], false, "{it}");
            assert_eq!(it["agreement"], 1.0);
            assert_eq!(it["kappa"], 1.0);
        }
        // 9 rated (non-N/A) items each (the five conduct items' 7 and the two empathy
        // items due on cal-1, where everyone agrees). Group mean on cal-1 honesty is 25/3:
        // quinn (0 − 25/3)/25 / 9 = −1/27; qadir (25 − 25/3)/25 / 9 = 2/27.
        // Against the engine (0): quinn 0, qadir 25/25 / 9 = 1/9.
        let by = |u: &str| {
            j["analysts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["username"] == u)
                .unwrap()
                .clone()
        };
        let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
        assert!(close(&by("quinn")["vs_group"], -1.0 / 27.0));
        assert!(close(&by("qadir")["vs_group"], 2.0 / 27.0));
        assert!(close(&by("quinn")["vs_engine"], 0.0));
        assert!(close(&by("qadir")["vs_engine"], 1.0 / 9.0));
        assert_eq!(by("qadir")["ratings"], 18);

        let page = app.get(&url, &p.lead.0).await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "Flagged: below 90%",
                "+7.4% of the maximum: more lenient than the group",
                "−3.7% of the maximum: stricter than the group",
                "+11.1% of the maximum: more lenient than the engine",
                "<th scope=\"col\">Engine</th>",
            ],
        );
        assert!(
            page.body.contains("promised a fix"),
            "comments are revealed"
        );
        // Any QA analyst may read closed results; an outsider team lead may not.
        assert_eq!(app.get(&url, &p.outsider_qa.0).await.status, StatusCode::OK);
        assert_eq!(
            app.get(&url, &p.outsider_lead.0).await.status,
            StatusCode::FORBIDDEN
        );
        // Closed means closed.
        let r = app
            .post(
                &format!("{url}/ratings"),
                &p.qa.0,
                &form(&p.qa.1, [AGREE_2, AGREE_2], "save", ""),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
    }
}

#[tokio::test]
async fn the_creator_closes_early_and_unsubmitted_drafts_do_not_count() {
    for app in App::each().await {
        seed(&app).await;
        let p = people(&app).await;
        let id = create(&app, &p.qa, &["lena", "qadir"]).await;
        let url = format!("/qa/calibration/{id}");
        let r = app
            .post(
                &format!("{url}/ratings"),
                &p.lead.0,
                &form(&p.lead.1, [AGREE_2, AGREE_2], "submit", ""),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        app.post(
            &format!("{url}/ratings"),
            &p.qa2.0,
            &form(&p.qa2.1, [AGREE_2, AGREE_2], "save", ""),
        )
        .await;
        // Only the creator closes.
        let r = app
            .send(
                Method::POST,
                &format!("{url}/close"),
                &[("cookie", &p.outsider_qa.0)],
                &format!("csrf={}", p.outsider_qa.1),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &format!("{url}/close"),
                &p.qa.0,
                &format!("csrf={}", p.qa.1),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .post(
                &format!("{url}/close"),
                &p.qa.0,
                &format!("csrf={}", p.qa.1),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let j = app
            .get(&format!("/api/v1/calibration/{id}"), &p.qa.0)
            .await
            .json();
        let analysts: Vec<_> = j["analysts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["username"].clone())
            .collect();
        assert_eq!(analysts, vec![serde_json::json!("lena")]);
        // One rater: nothing to say about agreement, nothing flagged.
        assert!(j["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kappa"].is_null() && i["flagged"] == false));
        let page = app.get(&url, &p.qa.0).await;
        page.assert_contains("Not submitted (left out): qadir");
        assert!(app.audited("calibration.closed").await);
    }
}
