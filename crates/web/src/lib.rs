//! RightTrack's HTTP edge: the only crate that knows HTTP, JSON and HTML.
//!
//! Requests flow through three layers, outermost first: security headers and metrics
//! ([`middleware`]), then the per-route guard generated from the route table
//! ([`routes::table`]) that identifies the caller (session cookie or bearer token),
//! enforces CSRF on unsafe methods and checks the [`righttrack_core::authz`] table, and
//! finally the handler, which receives a [`auth::Caller`].
//!
//! **Architecture Invariant:** a route can only be added through [`routes::table`], and
//! every entry names its [`routes::Access`]. The route × role test and the OpenAPI
//! document are both generated from that table.
//!
//! Pages are server-rendered with askama and work without JavaScript (the CSP forbids
//! scripts outright).

pub mod api;
pub mod auth;
pub mod calibration;
pub mod client;
pub mod dashboard;
pub mod demo_surveys;
pub mod digest;
pub mod disputes;
pub mod error;
pub mod extract;
pub mod fairness;
pub mod features;
pub mod feedback;
pub mod interactions;
pub mod limit;
pub mod middleware;
pub mod nav;
pub mod pages;
pub mod params;
pub mod qa;
pub mod routes;
pub mod signin;
pub mod state;
pub mod surveys;
pub mod training;
pub mod vault;
// conflicts of interest (issue 9)
pub mod conflicts;
// Issue #7: audits and corrective actions, discipline, recognition.
pub mod capa;
pub mod discipline;
pub mod kudos;
// Policies and attestation (issue #6).
pub mod policies;
pub mod policies_admin;
// The auditor's evidence binder (issue #8).
pub mod binder;
pub mod binder_pdf;

pub use routes::router;
pub use state::{AppState, WebConfig};

use std::net::SocketAddr;

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
