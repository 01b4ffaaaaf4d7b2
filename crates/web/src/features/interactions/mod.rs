//! Interactions in and out: the ingestion API, the interaction pages, and the privacy vault.
//!
//! This feature's routes and navigation entries, in one place; the shell's route table
//! only concatenates the features' lists.

pub mod interactions;
pub mod vault;

use crate::routes::Access::Act;
use crate::routes::Kind::{Api, Page};
use crate::routes::{r, Route};
use axum::routing::{get, post};
use righttrack_core::authz::Action;

/// This feature's routes.
pub fn routes() -> Vec<Route> {
    vec![
        r(
            "POST",
            "/interactions/{id}/original",
            Act(Action::VaultOpen),
            Page,
            "Open the sealed original from the privacy vault, with a reason (audited)",
            post(vault::open_original),
        ),
        r(
            "POST",
            "/api/v1/interactions",
            Act(Action::InteractionIngest),
            Api,
            "Ingest one interaction (JSON) or a batch (NDJSON); idempotent on id; per-line errors",
            post(interactions::ingest)
                .layer(axum::extract::DefaultBodyLimit::max(interactions::MAX_BODY)),
        ),
        r(
            "GET",
            "/api/v1/interactions/{id}",
            Act(Action::InteractionRead),
            Api,
            "A stored interaction (redacted) with findings and score",
            get(interactions::get),
        ),
        r(
            "GET",
            "/api/v1/commitments",
            Act(Action::CommitmentRead),
            Api,
            "The commitments ledger: ?status=due_soon|open|overdue|kept|broken&agent=&team=",
            get(interactions::commitments),
        ),
        r(
            "GET",
            "/api/v1/commitments/kept-rates",
            Act(Action::CommitmentRead),
            Api,
            "Kept rate per team or agent: ?by=team|agent&team=&days=90",
            get(interactions::kept_rates),
        ),
        r(
            "POST",
            "/api/v1/commitments/{id}/fulfil",
            Act(Action::CommitmentFulfil),
            Api,
            "Mark a commitment kept",
            post(interactions::fulfil),
        ),
    ]
}
