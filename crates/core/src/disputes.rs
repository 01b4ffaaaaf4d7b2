//! Scorecard disputes: the rules an agent's dispute of one scorecard item follows.
//!
//! An agent may dispute an applicable item of their own interaction within [`WINDOW`]
//! of its scoring, with a reason of at most [`MAX_TEXT`] characters. The dispute is
//! routed ([`route`]) to an active QA analyst who is neither the agent nor the original
//! evaluator (the analyst whose override of the item was in force), the one with the
//! fewest open disputes, ties by username. It is due [`TIME_LIMIT`] after opening and is
//! overdue from its due instant on. Only the assignee resolves it; an unassigned dispute
//! (or one whose assignee is no longer an active QA analyst) may be resolved by any
//! analyst other than the evaluator ([`may_resolve`]).
//!
//! Pure: the caller reads the clock, the users and the counts.

use jiff::{SignedDuration, Timestamp};

/// How long after scoring an item may be disputed.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(14 * 24);

/// How long QA has to resolve a dispute.
pub const TIME_LIMIT: SignedDuration = SignedDuration::from_hours(5 * 24);

/// Longest reason or resolution note, in characters.
pub const MAX_TEXT: usize = 1000;

/// The decision on a dispute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The score stands.
    Upheld,
    /// The item's result is reversed by an override.
    Accepted,
}

impl Outcome {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upheld" => Some(Self::Upheld),
            "accepted" => Some(Self::Accepted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::Accepted => "accepted",
        }
    }
}

/// Why a free-text field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is required")]
    Missing,
    #[error("is longer than {MAX_TEXT} characters")]
    TooLong,
}

/// A reason or note, trimmed: required and at most [`MAX_TEXT`] characters.
pub fn check_text(s: &str) -> Result<&str, TextError> {
    let t = s.trim();
    if t.is_empty() {
        Err(TextError::Missing)
    } else if t.chars().count() > MAX_TEXT {
        Err(TextError::TooLong)
    } else {
        Ok(t)
    }
}

/// May an item scored at `scored_at` still be disputed at `now`?
pub fn may_open(scored_at: Timestamp, now: Timestamp) -> bool {
    scored_at
        .checked_add(WINDOW)
        .is_ok_and(|until| now <= until)
}

/// The instant a dispute opened at `opened` must be resolved by.
pub fn due(opened: Timestamp) -> Timestamp {
    opened.checked_add(TIME_LIMIT).unwrap_or(opened)
}

/// Is an open dispute due at `due` overdue at `now`?
pub fn is_overdue(due: Timestamp, now: Timestamp) -> bool {
    due <= now
}

/// An active QA analyst and their current load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyst<'a> {
    pub username: &'a str,
    pub open_disputes: u64,
}

/// The analyst a new dispute goes to: not the agent, not the original evaluator; the
/// fewest open disputes first, then the username. `None` leaves it unassigned.
pub fn route<'a>(
    analysts: &[Analyst<'a>],
    agent: &str,
    evaluator: Option<&str>,
) -> Option<&'a str> {
    crate::workload::least_loaded(
        analysts.iter().map(|a| (a.username, a.open_disputes)),
        &[Some(agent), evaluator],
    )
}

/// Why someone may not resolve a dispute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this dispute is assigned to {0}")]
    NotAssignee(String),
    #[error("the original evaluator of the item cannot resolve its dispute")]
    Evaluator,
    #[error("nobody resolves a dispute of their own interaction")]
    OwnInteraction,
}

/// May `resolver` (a QA analyst) resolve a dispute? The assignee does, unless they are no
/// longer an active QA analyst (`assignee_active`); an unassigned dispute is open to any
/// analyst except the original evaluator and the agent.
pub fn may_resolve(
    resolver: &str,
    agent: &str,
    evaluator: Option<&str>,
    assignee: Option<&str>,
    assignee_active: bool,
) -> Result<(), Refusal> {
    if resolver == agent {
        return Err(Refusal::OwnInteraction);
    }
    if Some(resolver) == evaluator {
        return Err(Refusal::Evaluator);
    }
    match assignee {
        Some(a) if assignee_active && a != resolver => Err(Refusal::NotAssignee(a.to_owned())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn a(username: &str, open_disputes: u64) -> Analyst<'_> {
        Analyst {
            username,
            open_disputes,
        }
    }

    #[test]
    fn routing_skips_the_evaluator_and_the_agent_and_balances_load() {
        let team = [a("quinn", 0), a("rosa", 2), a("sam", 1), a("alex", 0)];
        assert_eq!(route(&team, "alex", Some("quinn")), Some("sam"));
        assert_eq!(route(&team, "alex", None), Some("quinn"));
        assert_eq!(route(&team, "nobody", Some("alex")), Some("quinn"));
    }

    #[test]
    fn routing_ties_go_by_username_whatever_the_order() {
        let mut team = vec![a("zoe", 1), a("bea", 1), a("mia", 1)];
        assert_eq!(route(&team, "alex", None), Some("bea"));
        team.reverse();
        assert_eq!(route(&team, "alex", None), Some("bea"));
    }

    #[test]
    fn without_an_eligible_analyst_the_dispute_is_unassigned() {
        assert_eq!(route(&[], "alex", None), None);
        assert_eq!(route(&[a("quinn", 0)], "alex", Some("quinn")), None);
    }

    #[test]
    fn the_window_and_the_time_limit() {
        let scored = at("2026-11-01T09:00:00Z");
        assert!(may_open(scored, at("2026-11-15T09:00:00Z")));
        assert!(!may_open(scored, at("2026-11-15T09:00:01Z")));
        let opened = at("2026-11-10T12:00:00Z");
        assert_eq!(due(opened), at("2026-11-15T12:00:00Z"));
        assert!(!is_overdue(due(opened), at("2026-11-15T11:59:59Z")));
        assert!(is_overdue(due(opened), at("2026-11-15T12:00:00Z")));
    }

    #[test]
    fn texts_are_required_and_bounded() {
        assert_eq!(check_text("  fair point \n"), Ok("fair point"));
        assert_eq!(check_text(" \t"), Err(TextError::Missing));
        assert_eq!(
            check_text(&"é".repeat(MAX_TEXT)).map(str::len),
            Ok(2 * MAX_TEXT)
        );
        assert_eq!(
            check_text(&"x".repeat(MAX_TEXT + 1)),
            Err(TextError::TooLong)
        );
    }

    #[test]
    fn only_the_assignee_resolves_unless_nobody_can() {
        assert_eq!(
            may_resolve("quinn", "alex", None, Some("quinn"), true),
            Ok(())
        );
        assert_eq!(
            may_resolve("rosa", "alex", None, Some("quinn"), true),
            Err(Refusal::NotAssignee("quinn".into()))
        );
        assert_eq!(
            may_resolve("rosa", "alex", None, Some("quinn"), false),
            Ok(())
        );
        assert_eq!(
            may_resolve("rosa", "alex", Some("quinn"), None, false),
            Ok(())
        );
        assert_eq!(
            may_resolve("quinn", "alex", Some("quinn"), None, false),
            Err(Refusal::Evaluator)
        );
        assert_eq!(
            may_resolve("alex", "alex", None, None, false),
            Err(Refusal::OwnInteraction)
        );
        assert_eq!(Outcome::parse("accepted"), Some(Outcome::Accepted));
        assert_eq!(Outcome::parse("maybe"), None);
    }
}
