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
pub mod client;
pub mod error;
pub mod extract;
pub mod features;
pub mod limit;
pub mod middleware;
pub mod nav;
pub mod pages;
pub mod params;
pub mod routes;
pub mod signin;
pub mod state;

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
