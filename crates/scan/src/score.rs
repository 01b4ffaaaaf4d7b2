//! Scorecard: weighted items from the pack, evaluated on the events.
//!
//! An item fails when any event whose kind or rule id is listed in `fails_on`
//! occurred, or when a helper rule (`emit = false`) listed there matched (its
//! hits are evidence without being events: empathy findings such as a
//! deflection are about the quality of a contact, not misconduct to flag). It is
//! N/A when the channel is not one of its channels or when its `applies_if` rule
//! never matched (e.g. "verification before disclosure" is N/A when nothing was
//! disclosed). Score = earned / applicable × 100, rounded; a failed critical item
//! makes it 0. Every failed point lists the events (rule, turn, evidence) that
//! caused it.
//!
//! Two kinds of items judge what the agent did *not* do, which no event can show:
//!
//! * **Required behaviour** (`requires`): every hit of the `applies_if` rule (the
//!   trigger, e.g. the customer reporting a company error) obliges a hit of the
//!   `requires` rule (e.g. an apology) in one of the agent's next `within_turns`
//!   turns. A behaviour shown after an earlier trigger also answers a later one
//!   (an agent who apologised once is not asked to apologise for every repeat).
//!   Back-channels do not count as turns. A trigger the agent never had a turn to answer (the customer's last words)
//!   obliges nothing. The evidence of a missed obligation points at the
//!   triggering turn and names the trigger rule, so that a dispute ("that was not
//!   a company error") lands on the rule that was wrong.
//! * **Talking over** (`talk_over_ms`): with turn timings, an agent turn that
//!   starts more than `talk_over_ms` before the preceding customer turn ends is
//!   talking over the customer, unless it is a back-channel ("mm-hm", "yeah",
//!   "I see": at most four words, all of them listening noises). N/A when no
//!   agent turn and customer turn before it both carry timings.
//!
//! `excused_by` names a rule (the default pack: the hostile-customer context
//! rule): a trigger in a customer turn where it matched obliges nothing, and
//! cutting into such a turn is not talking over. A hostile customer never counts
//! against the agent. When every trigger is excused the item is N/A.

use crate::model::{Event, EvidenceRef, Interaction, ItemResult, Score, Scorecard, Speaker};
use crate::pack::ScoreDef;

/// One hit of a rule in its scope: turn and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// Turn.
    pub turn: usize,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// What the scorecard needs to know about the rules that ran.
pub trait Matches {
    /// The rule matched somewhere in scope (helper rules included).
    fn matched(&self, rule: &str) -> bool;
    /// The rule's hits in scope, sorted (empty for an unknown rule).
    fn hits(&self, rule: &str) -> &[Occurrence];
    /// The rule emits no events (a helper); its hits fail items listing it in `fails_on`.
    fn is_helper(&self, rule: &str) -> bool;
}

/// The rule id of talking-over evidence (no pack rule: it comes from timings).
pub const TALK_OVER: &str = "timing.talk_over";

/// Compute the scorecard and score.
pub fn score(
    items: &[ScoreDef],
    version: &str,
    inter: &Interaction,
    events: &[Event],
    m: &dyn Matches,
) -> (Score, Scorecard) {
    let mut out = Vec::with_capacity(items.len());
    let (mut earned, mut avail) = (0u32, 0u32);
    let mut critical_failed = false;
    for it in items {
        let mut na = (!it.channels.is_empty()
            && !it.channels.iter().any(|c| c == inter.channel.as_str()))
            || it.applies_if.as_deref().is_some_and(|r| !m.matched(r));
        let mut evidence: Vec<EvidenceRef> = Vec::new();
        if !na {
            let excused = |turn: usize| {
                it.excused_by
                    .as_deref()
                    .is_some_and(|r| m.hits(r).iter().any(|o| o.turn == turn))
            };
            if let (Some(req), Some(trigger)) = (&it.requires, &it.applies_if) {
                match required(inter, m, trigger, req, it.within(), &excused) {
                    None => na = true,
                    Some(missed) => evidence.extend(missed),
                }
            }
            if let Some(tol) = it.talk_over_ms {
                match talk_over(inter, tol, &excused) {
                    None => na = true,
                    Some(found) => evidence.extend(found),
                }
            }
        }
        if !na {
            evidence.extend(
                events
                    .iter()
                    .filter(|e| it.fails_on.iter().any(|f| *f == e.kind || *f == e.rule))
                    .map(|e| EvidenceRef {
                        rule: e.rule.clone(),
                        turn: e.turn,
                        evidence: e.evidence.clone(),
                    }),
            );
            for f in it.fails_on.iter().filter(|f| m.is_helper(f)) {
                evidence.extend(m.hits(f).iter().map(|o| {
                    EvidenceRef {
                        rule: f.clone(),
                        turn: o.turn,
                        evidence: inter
                            .turns
                            .get(o.turn)
                            .and_then(|t| t.text.get(o.start..o.end))
                            .unwrap_or("")
                            .to_string(),
                    }
                }));
            }
            evidence.sort_by_key(|e| e.turn);
        } else {
            evidence.clear();
        }
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

/// The missed obligations of a required behaviour, or `None` when nothing was
/// owed (no trigger the agent could answer that was not excused).
fn required(
    inter: &Interaction,
    m: &dyn Matches,
    trigger: &str,
    req: &str,
    within: usize,
    excused: &dyn Fn(usize) -> bool,
) -> Option<Vec<EvidenceRef>> {
    let triggers = m.hits(trigger);
    let first = triggers.first()?.turn;
    let shown = m.hits(req);
    let mut owed = false;
    let mut missed = Vec::new();
    let mut last = usize::MAX;
    for t in triggers {
        if t.turn == last || excused(t.turn) {
            continue;
        }
        last = t.turn;
        // The turn of the agent's `within`-th turn after the trigger (or their last).
        let mut deadline = None;
        let mut seen = 0;
        for (k, turn) in inter.turns.iter().enumerate().skip(t.turn + 1) {
            // A back-channel ("mm-hm") is listening, not an answer: it uses up no turn.
            if turn.speaker == Speaker::Agent && !backchannel(&turn.text) {
                deadline = Some(k);
                seen += 1;
                if seen >= within.max(1) {
                    break;
                }
            }
        }
        let Some(deadline) = deadline else {
            continue;
        };
        owed = true;
        if !shown.iter().any(|o| o.turn > first && o.turn <= deadline) {
            let turns = if within.max(1) == 1 {
                "turn".to_string()
            } else {
                format!("{} turns", within.max(1))
            };
            missed.push(EvidenceRef {
                rule: trigger.to_string(),
                turn: t.turn,
                evidence: format!("no `{req}` in the agent's next {turns}"),
            });
        }
    }
    owed.then_some(missed)
}

/// Listening noises that do not take the floor.
const BACKCHANNEL: &[&str] = &[
    "mm", "mmm", "hm", "hmm", "mhm", "mmhm", "mmhmm", "uh", "huh", "uhhuh", "um", "ah", "oh",
    "aha", "yeah", "yes", "yep", "yup", "ok", "okay", "right", "sure", "alright", "i", "see",
    "got", "it", "true", "exactly", "indeed", "really", "wow", "no", "yeah", "sure",
];

fn backchannel(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    !words.is_empty() && words.len() <= 4 && words.iter().all(|w| BACKCHANNEL.contains(&w.as_str()))
}

/// Agent turns that start more than `tol` ms before the preceding customer turn
/// ends, or `None` when no agent turn can be checked (no timings).
fn talk_over(
    inter: &Interaction,
    tol: u64,
    excused: &dyn Fn(usize) -> bool,
) -> Option<Vec<EvidenceRef>> {
    let mut checked = false;
    let mut found = Vec::new();
    let mut customer: Option<usize> = None;
    for (k, t) in inter.turns.iter().enumerate() {
        if t.speaker == Speaker::Customer {
            customer = Some(k);
            continue;
        }
        let Some(c) = customer else {
            continue;
        };
        let Some(ct) = inter.turns.get(c) else {
            continue;
        };
        let (Some(start), Some(c_start), Some(c_end)) = (t.start_ms, ct.start_ms, ct.end_ms) else {
            continue;
        };
        checked = true;
        let overlap = c_end.saturating_sub(start);
        if start >= c_start && overlap > tol && !backchannel(&t.text) && !excused(c) {
            found.push(EvidenceRef {
                rule: TALK_OVER.to_string(),
                turn: k,
                evidence: format!(
                    "started speaking {}.{} s before the customer finished",
                    overlap / 1000,
                    overlap % 1000 / 100
                ),
            });
        }
    }
    checked.then_some(found)
}
