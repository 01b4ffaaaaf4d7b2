//! Hotline configuration through the pages, as an ethics officer or admin would use them,
//! and what reporters see as a result: categories (added, edited, disabled), Spanish
//! questions, jurisdictions and the default, retention rules, the warning list and the
//! sweep. Every change is audited; refused input names its field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{days, value_of, App, Resp};
use righttrack_core::Role;
use righttrack_web::routes::urlencode;

/// A form body from pairs.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A signed-in ethics officer (or `roles`): `(cookie, csrf)`.
async fn staff(app: &App, name: &str, roles: &[Role]) -> (String, String) {
    let u = app.user(name, roles).await;
    app.session(&u).await
}

async fn report_api(app: &App, body: serde_json::Value) -> Resp {
    app.post_json("/api/v1/speakup/reports", &body).await
}

const GIFTS_Q_EN: &str = "Who gave or received the gift?\nWhat was it worth, roughly?";
const GIFTS_Q_ES: &str = "¿Quién dio o recibió el regalo?\n¿Cuánto valía, aproximadamente?";

fn gifts(csrf: &str) -> String {
    form(&[
        ("csrf", csrf),
        ("key", "gifts"),
        ("position", "7"),
        ("label_en", "Gifts and hospitality"),
        ("label_es", "Regalos e invitaciones"),
        (
            "hint_en",
            "Presents, meals or trips from suppliers or customers.",
        ),
        (
            "hint_es",
            "Regalos, comidas o viajes de proveedores o clientes.",
        ),
        ("questions_en", GIFTS_Q_EN),
        ("questions_es", GIFTS_Q_ES),
        ("enabled", "yes"),
    ])
}

#[tokio::test]
async fn only_roles_that_configure_the_hotline_reach_the_settings_or_see_them_in_the_menu() {
    for app in App::each().await {
        let anon = app.get("/speakup/settings", "").await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER);
        assert!(anon.location().starts_with("/login"));
        for (i, role) in Role::ALL.iter().enumerate() {
            let (cookie, csrf) = staff(&app, &format!("u{i}"), &[*role]).await;
            let may = matches!(role, Role::EthicsOfficer | Role::Admin);
            let page = app.get("/speakup/settings", &cookie).await;
            let post = app
                .post(
                    "/speakup/settings/categories/fraud/enabled",
                    &cookie,
                    &form(&[("csrf", &csrf), ("enabled", "yes")]),
                )
                .await;
            let home = app.get("/", &cookie).await;
            if may {
                assert_eq!(page.status, StatusCode::OK, "{role}");
                page.assert_contains("Hotline settings");
                assert_eq!(post.status, StatusCode::SEE_OTHER, "{role}");
                assert!(
                    home.body.contains("href=\"/speakup/settings\""),
                    "{role} sees the menu entry"
                );
            } else {
                assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
                assert_eq!(post.status, StatusCode::FORBIDDEN, "{role}");
                assert!(
                    !home.body.contains("/speakup/settings"),
                    "{role} must not see the menu entry"
                );
            }
        }
        // Unknown categories and jurisdictions are 404 to those who may configure.
        let (cookie, csrf) = staff(&app, "eo", &[Role::EthicsOfficer]).await;
        let r = app
            .get("/speakup/settings/categories/no_such", &cookie)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                "/speakup/settings/jurisdictions/zz",
                &cookie,
                &form(&[("csrf", &csrf), ("name", "X"), ("ack_days", "7")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // And a post without the session's CSRF token is refused.
        let r = app
            .post(
                "/speakup/settings/categories/fraud/enabled",
                &cookie,
                "enabled=no",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.state
                .db
                .speakup_category("fraud")
                .await
                .unwrap()
                .unwrap()
                .enabled
        );
    }
}

#[tokio::test]
async fn a_disabled_category_leaves_the_form_and_the_api_but_its_cases_keep_it() {
    for app in App::each().await {
        let filed = report_api(
            &app,
            serde_json::json!({"category": "fraud", "description": "Refunds to a cousin", "anonymous": true,
                "answers": ["refunds"]}),
        )
        .await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        let receipt = filed.json()["receipt"].as_str().unwrap().to_owned();

        let (cookie, csrf) = staff(&app, "admin", &[Role::Admin]).await;
        let r = app
            .post(
                "/speakup/settings/categories/fraud/enabled",
                &cookie,
                &form(&[("csrf", &csrf), ("enabled", "no")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = app.get(r.location(), &cookie).await;
        page.assert_contains("Category disabled");
        assert!(app.audited("speakup.category_disabled").await);

        let choose = app.get("/speakup", "").await;
        choose.assert_lacks("value=\"fraud\"");
        choose.assert_lacks("Fraud or theft");
        choose.assert_contains("value=\"harassment\"");
        let direct = app.get("/speakup?category=fraud", "").await;
        assert!(
            !direct.body.contains("Roughly how much money"),
            "the form of a disabled category is not served"
        );
        let r = report_api(
            &app,
            serde_json::json!({"category": "fraud", "description": "More refunds", "anonymous": true}),
        )
        .await;
        r.assert_answer(StatusCode::UNPROCESSABLE_ENTITY, &["field `category`"]);
        assert!(
            !r.body.contains("fraud,"),
            "only enabled categories are listed"
        );
        let other = app.get("/speakup?category=harassment", "").await;
        let csrf_form = value_of(&other.body, "name=\"csrf\" value=\"").to_owned();
        let r = app
            .post(
                "/speakup",
                "",
                &form(&[
                    ("csrf", &csrf_form),
                    ("lang", "en"),
                    ("category", "fraud"),
                    ("description", "Again"),
                    ("anonymous", "yes"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("data-field=\"category\"");

        // The case filed before keeps its category, label and question.
        let opened = app
            .post_json(
                "/api/v1/speakup/access",
                &serde_json::json!({"receipt": receipt}),
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK);
        assert_eq!(opened.json()["category"], "fraud");
        let access = app.get("/speakup/access", "").await;
        let csrf_access = value_of(&access.body, "name=\"csrf\" value=\"").to_owned();
        let page = app
            .post(
                "/speakup/access",
                "",
                &form(&[("csrf", &csrf_access), ("receipt", &receipt)]),
            )
            .await;
        page.assert_contains("Fraud or theft");
        page.assert_contains("What kind of fraud is it");

        // Offered again, it is back.
        app.post(
            "/speakup/settings/categories/fraud/enabled",
            &cookie,
            &form(&[("csrf", &csrf), ("enabled", "yes")]),
        )
        .await;
        assert!(app
            .get("/speakup", "")
            .await
            .body
            .contains("value=\"fraud\""));
    }
}

#[tokio::test]
async fn a_new_category_asks_its_questions_in_spanish_and_answers_keep_the_question_asked() {
    for app in App::each().await {
        let (cookie, csrf) = staff(&app, "eo", &[Role::EthicsOfficer]).await;
        let r = app
            .post("/speakup/settings/categories", &cookie, &gifts(&csrf))
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(app.audited("speakup.category_created").await);

        let es = app.get("/speakup?lang=es", "").await;
        es.assert_contains("Regalos e invitaciones");
        assert!(es.body.contains("Regalos, comidas o viajes"), "the hint");
        let form_es = app.get("/speakup?lang=es&category=gifts", "").await;
        form_es.assert_answer(
            StatusCode::OK,
            &[
                "¿Quién dio o recibió el regalo?",
                "¿Cuánto valía, aproximadamente?",
            ],
        );
        form_es.assert_lacks("Who gave or received");
        let form_en = app.get("/speakup?category=gifts", "").await;
        form_en.assert_contains("Who gave or received the gift?");

        // A reporter answers in Spanish through the form.
        let token = value_of(&form_es.body, "name=\"csrf\" value=\"").to_owned();
        let filed = app
            .post(
                "/speakup",
                "",
                &form(&[
                    ("csrf", &token),
                    ("lang", "es"),
                    ("category", "gifts"),
                    ("description", "Un proveedor pagó un viaje"),
                    ("q1", "El jefe de compras"),
                    ("q2", "Unos 3000 euros"),
                    ("anonymous", "yes"),
                ]),
            )
            .await;
        assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
        let receipt = value_of(
            &filed.body,
            "<strong class=\"mono receipt\" id=\"receipt\">",
        )
        .to_owned();

        // The questions change afterwards; the case keeps the ones it answered.
        let edit = app.get("/speakup/settings/categories/gifts", &cookie).await;
        edit.assert_contains("¿Cuánto valía, aproximadamente?");
        let r = app
            .post(
                "/speakup/settings/categories/gifts",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("position", "7"),
                    ("label_en", "Gifts and hospitality"),
                    ("label_es", "Regalos e invitaciones"),
                    ("questions_en", "Which supplier?"),
                    ("questions_es", "¿Qué proveedor?"),
                    ("enabled", "yes"),
                    ("audit_committee", "yes"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(app
            .state
            .db
            .category_routes_to_audit_committee("gifts")
            .await
            .unwrap());
        assert!(app
            .get("/speakup?lang=es&category=gifts", "")
            .await
            .body
            .contains("¿Qué proveedor?"));
        let access = app.get("/speakup/access?lang=es", "").await;
        let token = value_of(&access.body, "name=\"csrf\" value=\"").to_owned();
        let page = app
            .post(
                "/speakup/access",
                "",
                &form(&[("csrf", &token), ("lang", "es"), ("receipt", &receipt)]),
            )
            .await;
        page.assert_answer(
            StatusCode::OK,
            &["¿Cuánto valía, aproximadamente?", "Unos 3000 euros"],
        );
        page.assert_lacks("¿Qué proveedor?");
        let audit = app.audit_actions().await;
        assert!(audit.contains(&"speakup.category_updated".to_owned()));
    }
}

#[tokio::test]
async fn refused_input_names_the_field_keeps_what_was_typed_and_changes_nothing() {
    for app in App::each().await {
        let (cookie, csrf) = staff(&app, "eo", &[Role::EthicsOfficer]).await;
        app.get("/speakup/settings", &cookie).await;
        let before = app.audit_actions().await.len();
        let long = "x".repeat(301);
        let r = app
            .post(
                "/speakup/settings/categories",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("key", "gifts"),
                    ("position", "7"),
                    ("label_en", "Gifts and hospitality"),
                    ("label_es", "Regalos"),
                    ("questions_en", "One?\nTwo?\nThree?"),
                    ("questions_es", &format!("¿Uno?\n¿Dos?\n{long}")),
                ]),
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "questions (es), line 3: too long (at most 300 characters)",
                "data-field=\"questions_es\"",
            ],
        );
        assert!(
            r.body.contains("value=\"Gifts and hospitality\""),
            "typed label kept"
        );
        r.assert_contains("<details class=\"card\" id=\"new-category\" open>");

        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("key", "Bad Key"), ("label_en", "A"), ("label_es", "A")],
                "key: use 1 to 40 lowercase letters",
            ),
            (
                &[("key", "gifts"), ("label_en", "A")],
                "label (es): required",
            ),
            (
                &[
                    ("key", "gifts"),
                    ("label_en", "A"),
                    ("label_es", "A"),
                    ("questions_en", "One?\nTwo?"),
                    ("questions_es", "¿Uno?"),
                ],
                "questions (es): 1 question(s), but questions (en) has 2",
            ),
            (
                &[("key", "fraud"), ("label_en", "A"), ("label_es", "A")],
                "key: a category with this key exists",
            ),
        ];
        for (fields, expected) in cases {
            let mut pairs = vec![("csrf", csrf.as_str()), ("position", "1")];
            pairs.extend_from_slice(fields);
            let r = app
                .post("/speakup/settings/categories", &cookie, &form(&pairs))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{expected}");
            assert!(r.body.contains(expected), "{expected}: {}", r.body);
        }
        assert!(app
            .state
            .db
            .speakup_category("gifts")
            .await
            .unwrap()
            .is_none());

        // Editing: the same messages on the category's own page.
        let r = app
            .post(
                "/speakup/settings/categories/fraud",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("position", "x"),
                    ("label_en", "Fraud"),
                    ("label_es", "Fraude"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("position: a whole number from 0 to 999");
        assert_eq!(
            app.state
                .db
                .speakup_category("fraud")
                .await
                .unwrap()
                .unwrap()
                .labels
                .en,
            "Fraud or theft"
        );

        let r = app
            .post(
                "/speakup/settings/jurisdictions/de",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("name", "Germany, HinSchG"),
                    ("ack_days", "0"),
                    ("feedback_months", "3"),
                    ("warn_days", "7"),
                ]),
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "acknowledge within (days) (de): a whole number from 1 to 90",
                "id=\"ack_days-de\"",
                "data-field=\"ack_days-de\"",
            ],
        );
        let r = app
            .post(
                "/speakup/settings/jurisdictions",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("code", "e"),
                    ("name", "X"),
                    ("ack_days", "7"),
                    ("feedback_months", "99"),
                    ("warn_days", "7"),
                ]),
            )
            .await;
        r.assert_contains("code: use 2 to 16");
        r.assert_contains("feedback within (months): a whole number from 1 to 24");
        let r = app
            .post(
                "/speakup/settings/default-jurisdiction",
                &cookie,
                &form(&[("csrf", &csrf), ("code", "mars")]),
            )
            .await;
        r.assert_contains("default jurisdiction: choose one");

        let r = app
            .post(
                "/speakup/settings/retention",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("category", "nonsense"),
                    ("status", "*"),
                    ("days", "0"),
                ]),
            )
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "category: not a category",
                "days: a whole number from 1 to 18250",
            ],
        );
        let r = app
            .post(
                "/speakup/settings/retention/delete",
                &cookie,
                &form(&[("csrf", &csrf), ("category", "*"), ("status", "*")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("rule * / *: the rule for any category");
        assert_eq!(app.state.db.retention_days("x", "y").await.unwrap(), 730);

        assert_eq!(
            app.audit_actions().await.len(),
            before,
            "refused changes are not audited"
        );
    }
}

#[tokio::test]
async fn jurisdictions_retention_rules_and_the_sweep_are_configured_and_audited() {
    for app in App::each().await {
        let (cookie, csrf) = staff(&app, "admin", &[Role::Admin]).await;
        let r = app
            .post(
                "/speakup/settings/jurisdictions",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("code", "it"),
                    ("name", "Italy, D.Lgs. 24/2023"),
                    ("ack_days", "5"),
                    ("feedback_months", "2"),
                    ("warn_days", "3"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = app
            .post(
                "/speakup/settings/default-jurisdiction",
                &cookie,
                &form(&[("csrf", &csrf), ("code", "it")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let filed = report_api(
            &app,
            serde_json::json!({"category": "harassment", "description": "Shouting", "anonymous": true}),
        )
        .await;
        let j = filed.json();
        assert_eq!(j["acknowledgement_due"], "2026-11-25T09:00:00Z");
        assert_eq!(j["feedback_due"], "2027-01-20T09:00:00Z");
        let case = j["case"].as_str().unwrap().to_owned();
        let receipt = j["receipt"].as_str().unwrap().to_owned();

        let r = app
            .post(
                "/speakup/settings/retention",
                &cookie,
                &form(&[
                    ("csrf", &csrf),
                    ("category", "harassment"),
                    ("status", "*"),
                    ("days", "20"),
                ]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.state
                .db
                .retention_days("harassment", "received")
                .await
                .unwrap(),
            20
        );

        // Closed now: destroyed in 20 days, so it is on the warning list.
        app.state
            .db
            .close_case_retention(&case, app.now())
            .await
            .unwrap();
        let page = app.get("/speakup/settings", &cookie).await;
        page.assert_contains("id=\"expiring-cases\"");
        page.assert_contains(&case);
        page.assert_contains("2026-12-10");

        app.clock.advance(days(21));
        let report = righttrack_app::hotline::retention::sweep_retention(&app.state)
            .await
            .unwrap();
        assert_eq!(report.destroyed, vec![case.clone()]);
        let opened = app
            .post_json(
                "/api/v1/speakup/access",
                &serde_json::json!({"receipt": receipt}),
            )
            .await;
        assert_eq!(
            opened.status,
            StatusCode::NOT_FOUND,
            "the receipt opens nothing"
        );

        let entries = app
            .state
            .db
            .audit_list(&righttrack_store::audit::AuditFilter {
                action_prefix: Some("speakup.".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        let actions: Vec<_> = entries.iter().map(|e| e.entry.action.as_str()).collect();
        for a in [
            "speakup.jurisdiction_created",
            "speakup.default_jurisdiction_set",
            "speakup.retention_set",
            "speakup.case_destroyed",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }
        let destroyed = entries
            .iter()
            .find(|e| e.entry.action == "speakup.case_destroyed")
            .unwrap();
        assert_eq!(destroyed.entry.target, case);
        assert_eq!(destroyed.entry.actor, "system");
        assert_eq!(destroyed.entry.detail, "{}", "the reference only");
    }
}
