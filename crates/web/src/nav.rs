//! The navigation: a feature declares an entry ([`NavEntry`]) on the route it points to
//! (`Route::nav` in its `routes()`); the permission to see a link is the permission of
//! that route, never a second list.
//!
//! **Architecture Invariant:** every navigation entry points at a `GET` route that
//! requires an action, and a caller sees the link exactly when the guard would let them
//! open it (`crates/cli/tests/architecture.rs`, `nav_permissions_are_their_routes`).

use crate::routes::{Access, RouteSpec};
use righttrack_core::authz::Action;
use std::sync::OnceLock;

/// One link in the navigation.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    pub href: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// Position in the navigation (lower first), so features can interleave by purpose.
    pub rank: u16,
}

/// Every navigation entry with the action its route requires, in order. An entry whose
/// target is not a guarded `GET` route is left out (and fails the architecture test).
pub fn links() -> &'static [(NavEntry, Action)] {
    static LINKS: OnceLock<Vec<(NavEntry, Action)>> = OnceLock::new();
    LINKS.get_or_init(|| resolve(&crate::features::nav(), &crate::routes::specs()))
}

/// Pairs each entry with its route's action.
pub fn resolve(entries: &[NavEntry], specs: &[RouteSpec]) -> Vec<(NavEntry, Action)> {
    entries
        .iter()
        .filter_map(|e| {
            specs
                .iter()
                .find(|s| s.method == "GET" && s.path == e.href)
                .and_then(|s| match s.access {
                    Access::Act(a) => Some((*e, a)),
                    Access::Public | Access::SessionPending => None,
                })
        })
        .collect()
}
