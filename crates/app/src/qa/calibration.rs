//! Calibration sessions: analysts score the same interactions blind, then compare with
//! each other and with the engine.
//!
//! What other pages need from a session lives here: whether an interaction's automated
//! score must stay hidden from a caller still scoring it blind ([`refuse_if_blind`]), and
//! a closed session's results ([`compute`]), which the session page, its API and the
//! fairness report all show. The agreement arithmetic itself is `core::calibration`.

use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::calibration::{self, Item, Rating};
use righttrack_store::calibration::{Calibration, CalibrationRating};
use std::collections::BTreeMap;

/// A scorecard item of the default pack: id, description, maximum points.
pub struct PackItem {
    pub id: String,
    pub description: String,
    pub max: u32,
}

/// The default pack's scorecard items, parsed once (the pack is embedded in the binary).
pub fn pack_items() -> &'static [PackItem] {
    static ITEMS: std::sync::OnceLock<Vec<PackItem>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(|| {
        righttrack_scan::RulePack::default_pack()
            .map(|p| {
                p.score
                    .into_iter()
                    .map(|s| PackItem {
                        id: s.id,
                        description: s.description,
                        max: s.points,
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// Refuses the engine's findings for an interaction the caller is still scoring blind.
pub async fn refuse_if_blind(ctx: &Ctx, caller: &Caller, ext_id: &str) -> Result<()> {
    if ctx
        .db
        .calibration_blinds(&caller.user.username, ext_id)
        .await?
    {
        return Err(Error::new(
            Kind::Forbidden,
            "You are scoring this interaction in an open calibration session; its automated score is hidden until you submit.",
        ));
    }
    Ok(())
}

/// Everything a closed session's results show.
pub struct Computed {
    pub results: calibration::Results,
    /// Analysts who submitted, in participant order.
    pub analysts: Vec<String>,
    /// (interaction, item) → engine points (None = N/A).
    pub engine: BTreeMap<(String, String), Option<u32>>,
    /// (interaction, item, analyst) → rating.
    pub ratings: BTreeMap<(String, String, String), CalibrationRating>,
}

pub async fn compute(ctx: &Ctx, c: &Calibration) -> Result<Computed> {
    let analysts: Vec<String> = c
        .participants
        .iter()
        .filter(|p| p.submitted_at.is_some())
        .map(|p| p.username.clone())
        .collect();
    let stored: Vec<CalibrationRating> = ctx
        .db
        .calibration_ratings(&c.id, None)
        .await?
        .into_iter()
        .filter(|r| analysts.contains(&r.username))
        .collect();
    let mut engine = BTreeMap::new();
    for ext_id in &c.interactions {
        let Some(i) = ctx.db.interaction(ext_id).await? else {
            continue;
        };
        let items: Vec<righttrack_scan::ItemResult> =
            serde_json::from_value(i.findings["scorecard"]["items"].clone())
                .map_err(|e| Error::internal(&e))?;
        for it in items {
            engine.insert(
                (ext_id.clone(), it.item.clone()),
                (!it.na).then_some(it.points),
            );
        }
    }
    let items: Vec<Item> = pack_items()
        .iter()
        .map(|it| Item {
            id: it.id.clone(),
            max: it.max,
        })
        .collect();
    let flat: Vec<Rating> = stored
        .iter()
        .map(|r| Rating {
            analyst: r.username.clone(),
            interaction: r.ext_id.clone(),
            item: r.item.clone(),
            points: r.points.and_then(|p| u32::try_from(p).ok()),
        })
        .collect();
    let results = calibration::results(&items, &c.interactions, &analysts, &flat, &engine);
    Ok(Computed {
        results,
        analysts,
        engine,
        ratings: stored
            .into_iter()
            .map(|r| ((r.ext_id.clone(), r.item.clone(), r.username.clone()), r))
            .collect(),
    })
}
