//! Attacks on operations: the audit trail, backups, storage outages, migrations.

use crate::common::App;
use axum::http::{header, StatusCode};
use righttrack_core::Role;

/// What a client sees while the storage is out: `503 unavailable` with `Retry-After`
/// on the API, on pages and on `/healthz` (before: `500 internal`, after the pool's
/// 5 s wait).
async fn assert_unavailable(app: &App, cookie: &str, what: &str) {
    for path in ["/api/v1/me", "/", "/healthz"] {
        let r = app.get(path, cookie).await;
        assert_eq!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}, {path}: {}",
            r.body
        );
        assert!(
            r.headers.get(header::RETRY_AFTER).is_some(),
            "{what}, {path}: no Retry-After"
        );
        if path != "/" {
            assert_eq!(r.json()["code"], "unavailable", "{what}, {path}");
        }
    }
}

/// The database goes away under a signed-in user (connections closed on both backends;
/// on PostgreSQL, the database terminated and dropped): before, every request waited
/// and answered `500 internal`, indistinguishable from a bug, with no hint to retry.
#[tokio::test]
async fn a_storage_outage_answers_503_with_retry_after() {
    for app in App::each().await {
        let u = app.user("ana", &[Role::QaAnalyst]).await;
        let (cookie, _) = app.session(&u).await;
        assert_eq!(app.get("/api/v1/me", &cookie).await.status, StatusCode::OK);
        if let Some(admin) = righttrack_store::testing::pg_admin_url() {
            if app.state.db.backend_name() == "postgres" {
                let url = app.t.url();
                let name = url.rsplit('/').next().unwrap().split('?').next().unwrap();
                let admin = righttrack_store::Db::connect_postgres(&admin)
                    .await
                    .unwrap();
                if let righttrack_store::Backend::Postgres(p) = &admin.backend {
                    righttrack_store::sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                        .execute(p)
                        .await
                        .unwrap();
                }
                admin.close().await;
                assert_unavailable(&app, &cookie, "database dropped").await;
            }
        }
        app.state.db.close().await;
        assert_unavailable(&app, &cookie, "connections closed").await;
    }
}
