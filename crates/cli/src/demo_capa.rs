//! Demo data of the program's audits, corrective actions, discipline and kudos (see
//! [`righttrack_app::jobs::demo::capa`]); the Lisbon audit's corrective action is raised
//! and moved through the same use cases as its pages.

use anyhow::{anyhow, Result};
use righttrack_app::jobs::demo::capa::{self as demo, caller, days};
use righttrack_app::Ctx;

fn app_err(e: righttrack_app::Error) -> anyhow::Error {
    anyhow!("{}", e.message)
}

/// Seeds the demo; returns a one-line summary.
pub async fn seed(state: &Ctx) -> Result<String> {
    let now = state.now();
    let people = demo::people(state).await.map_err(crate::fail)?;
    let (qa, lead) = (&people.qa, &people.lead);
    let audits = demo::seed_audits(state, &people)
        .await
        .map_err(crate::fail)?;
    let mut capas = 0;
    for a in audits.iter().filter(|a| a.due_at < now) {
        let findings = demo::complete_audit(state, qa, a)
            .await
            .map_err(crate::fail)?;
        // Only the Lisbon audit has a finding: its corrective action is raised and moved.
        if a.site_name.as_deref() == Some("Lisbon") {
            for f in findings {
                let (id, _) = righttrack_app::program::capa::raise(
                    state,
                    &caller(qa),
                    &righttrack_app::program::capa::CapaInput {
                        title: "Lockers for personal phones on the Lisbon floor".into(),
                        source_kind: "audit_finding".into(),
                        source_ref: f.id.clone(),
                        owner: "lead".into(),
                        due: (now.checked_add(days(14)).unwrap_or(now))
                            .strftime("%Y-%m-%d")
                            .to_string(),
                        ..Default::default()
                    },
                )
                .await
                .map_err(app_err)?;
                righttrack_app::program::capa::move_step(
                    state,
                    &caller(lead),
                    &id,
                    "analyse",
                    "No place to store phones near the desks; the rule was not repeated at onboarding.",
                )
                .await
                .map_err(app_err)?;
                righttrack_app::program::capa::move_step(
                    state,
                    &caller(lead),
                    &id,
                    "plan",
                    "Install lockers at the floor entrance; repeat the phone rule in the next team huddles.",
                )
                .await
                .map_err(app_err)?;
                capas += 1;
            }
        }
    }
    let (trend, records) = demo::seed_the_rest(state, &people)
        .await
        .map_err(crate::fail)?;
    Ok(format!(
        "{} audits, {} corrective actions, {records} discipline decisions and 2 kudos",
        audits.len(),
        capas + trend
    ))
}
