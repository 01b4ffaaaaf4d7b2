//! Scorecard: weighted items from the pack, evaluated on the events.
//!
//! An item fails when any event whose kind or rule id is listed in `fails_on`
//! occurred; it is N/A when the channel is not one of its channels or when its
//! `applies_if` rule never matched (e.g. "verification before disclosure" is
//! N/A when nothing was disclosed). Score = earned / applicable × 100, rounded;
//! a failed critical item makes it 0. Every failed point lists the events
//! (rule, turn, evidence) that caused it.

use crate::model::{Event, EvidenceRef, Interaction, ItemResult, Score, Scorecard};
use crate::pack::ScoreDef;

/// Compute the scorecard and score.
pub fn score(
    items: &[ScoreDef],
    version: &str,
    inter: &Interaction,
    events: &[Event],
    matched: &dyn Fn(&str) -> bool,
) -> (Score, Scorecard) {
    let mut out = Vec::with_capacity(items.len());
    let (mut earned, mut avail) = (0u32, 0u32);
    let mut critical_failed = false;
    for it in items {
        let na = (!it.channels.is_empty()
            && !it.channels.iter().any(|c| c == inter.channel.as_str()))
            || it.applies_if.as_deref().is_some_and(|r| !matched(r));
        let evidence: Vec<EvidenceRef> = if na {
            Vec::new()
        } else {
            events
                .iter()
                .filter(|e| it.fails_on.iter().any(|f| *f == e.kind || *f == e.rule))
                .map(|e| EvidenceRef {
                    rule: e.rule.clone(),
                    turn: e.turn,
                    evidence: e.evidence.clone(),
                })
                .collect()
        };
        let failed = !evidence.is_empty();
        if !na {
            avail += it.points;
            if !failed {
                earned += it.points;
            }
        }
        critical_failed |= failed && it.critical;
        out.push(ItemResult {
            item: it.id.clone(),
            points: if na || failed { 0 } else { it.points },
            max: if na { 0 } else { it.points },
            na,
            failed,
            critical: it.critical,
            evidence,
        });
    }
    let value = if critical_failed {
        0
    } else {
        (earned * 100 + avail / 2).checked_div(avail).unwrap_or(100)
    };
    (
        Score { value, max: 100 },
        Scorecard {
            pack_version: version.to_string(),
            critical_failed,
            items: out,
        },
    )
}
