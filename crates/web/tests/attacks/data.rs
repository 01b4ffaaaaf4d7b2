//! Attacks on stored data: customer data at rest, scoping by reporting line, ingestion integrity.

use crate::common::App;
use axum::http::StatusCode;
use righttrack_core::Role;
use righttrack_store::directory::NewUser;

/// An employee sets their display name to a tab followed by a formula; an ethics officer
/// exports the training report and opens it in a spreadsheet. Before the fix the cell
/// started with the tab (not neutralised) and the spreadsheet ran the formula.
#[tokio::test]
async fn a_formula_behind_a_tab_or_carriage_return_is_defused_in_csv_exports() {
    for app in App::each().await {
        for (name, shown) in [
            ("tabby", "\t=HYPERLINK(\"http://evil.example\",\"x\")"),
            ("carry", "\r=1+1"),
        ] {
            let u = app
                .state
                .db
                .create_user(
                    NewUser {
                        username: name.into(),
                        display_name: shown.into(),
                        password_hash: Some(crate::common::pw_hash()),
                        team: None,
                        roles: vec![Role::Agent],
                    },
                    app.now(),
                    &mut rand::rngs::OsRng,
                )
                .await
                .unwrap();
            app.train(&u).await;
        }
        let officer = app.user("eshe", &[Role::EthicsOfficer]).await;
        let (cookie, csrf) = app.session(&officer).await;
        let rule = app
            .post(
                "/training/rules",
                &cookie,
                &format!("csrf={csrf}&course=data-privacy&roles=agent&due_days=0"),
            )
            .await;
        assert!(rule.body.contains("Rule added"), "{}", rule.body);
        let r = app.get("/training/reports.csv", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.contains("tabby") && r.body.contains("carry"),
            "{}",
            r.body
        );
        for cell in r.body.split([',', '\n']) {
            let inner = cell.trim_start_matches('"');
            assert!(
                !inner.starts_with(['\t', '\r', '=', '+', '@']),
                "a cell starts a formula: {cell:?}\n{}",
                r.body
            );
        }
        assert!(r.body.contains("\"'\t=HYPERLINK"), "{}", r.body);
    }
}
