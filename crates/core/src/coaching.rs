//! Coaching that goes both ways: the rules of coaching sessions (goals with dates, their
//! follow-up, the effect on the coached scorecard item) and of upward feedback (agents
//! rating their lead, anonymously).
//!
//! **The effect of a session** is measured with the method of training effectiveness
//! ([`crate::fairness::rate_per_1000`], [`crate::fairness::relative_change`]): failures of the
//! coached item per 1,000 interactions in the [`EFFECT_WINDOW_MONTHS`] months before the
//! session against the months after it, each side withheld under
//! [`crate::dashboard::MIN_INTERACTIONS`] interactions, and the change as
//! (after − before) ÷ before. Until the months after have passed, the after side is
//! marked as "so far".
//!
//! **Upward feedback** is collected in rounds, one per calendar quarter (UTC). A person
//! rates each lead of their reporting line at most once per round; a rating is released
//! only once its round has ended (so the lead cannot tell who rated from when the count
//! moved) and only when at least [`crate::surveys::MIN_GROUP_FLOOR`] people rated that
//! lead in the round (the climate surveys' smallest group, so a team of two is never
//! shown). Only aggregates are released: the count, each question's mean and its share
//! of favourable answers (4 or 5).

use crate::capa::{check_text, TextError};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The most goals one session agrees.
pub const MAX_GOALS: usize = 3;
/// The longest feedback, goal, comment or follow-up note, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest goal, in characters.
pub const MAX_GOAL: usize = 300;
/// How far ahead a goal's date may be, in days.
pub const MAX_GOAL_DAYS: i64 = 366;
/// Months on each side of a session whose scores show its effect (as training's default
/// window).
pub const EFFECT_WINDOW_MONTHS: i64 = 3;

/// A refusal of coaching input, naming the field by its label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct FieldError {
    /// The field's label on the form.
    pub field: String,
    pub why: String,
}

fn refuse(field: &str, why: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        why: why.into(),
    }
}

fn text(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    check_text(s, max).map(str::to_owned).map_err(|e| match e {
        TextError::Missing => refuse(field, "required"),
        TextError::TooLong(n) => refuse(field, format!("at most {n} characters")),
    })
}

/// The lead's feedback, checked.
pub fn feedback(s: &str) -> Result<String, FieldError> {
    text("Feedback", s, MAX_TEXT)
}

/// The agent's comment or a follow-up note, checked.
pub fn comment(field: &str, s: &str) -> Result<String, FieldError> {
    text(field, s, MAX_TEXT)
}

/// One agreed goal: what, and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub text: String,
    pub due_on: Date,
}

/// The goals of a session from the form's rows (goal text, date as typed): blank rows
/// are skipped, at least one goal is required, each goal's date is after `today` and
/// within [`MAX_GOAL_DAYS`]. Row `n` (from 1) is named "Goal n" and "Goal n date".
pub fn goals(rows: &[(String, String)], today: Date) -> Result<Vec<Goal>, FieldError> {
    let mut out = Vec::new();
    for (i, (t, d)) in rows.iter().enumerate() {
        let n = i + 1;
        if t.trim().is_empty() && d.trim().is_empty() {
            continue;
        }
        let label = format!("Goal {n}");
        let date_label = format!("Goal {n} date");
        let t = text(&label, t, MAX_GOAL)?;
        let due_on: Date = d
            .trim()
            .parse()
            .map_err(|_| refuse(&date_label, "a date as YYYY-MM-DD"))?;
        if due_on <= today {
            return Err(refuse(&date_label, "must be after today"));
        }
        let latest = today
            .checked_add(jiff::Span::new().days(MAX_GOAL_DAYS))
            .unwrap_or(today);
        if due_on > latest {
            return Err(refuse(
                &date_label,
                format!("at most {MAX_GOAL_DAYS} days ahead"),
            ));
        }
        out.push(Goal { text: t, due_on });
    }
    if out.is_empty() {
        return Err(refuse("Goal 1", "agree at least one goal with a date"));
    }
    if out.len() > MAX_GOALS {
        return Err(refuse("Goals", format!("at most {MAX_GOALS}")));
    }
    Ok(out)
}

/// How a goal went, as the lead records it at the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    Partly,
    NotMet,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Met, Outcome::Partly, Outcome::NotMet];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Partly => "partly",
            Outcome::NotMet => "not_met",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Met => "Met",
            Outcome::Partly => "Partly met",
            Outcome::NotMet => "Not met",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }
}

/// Is a goal due for its follow-up: its date has come and no outcome is recorded?
pub fn follow_up_due(due_on: Date, outcome: Option<Outcome>, today: Date) -> bool {
    outcome.is_none() && due_on <= today
}

/// Failures of the coached item on one side of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Side {
    /// Interactions where the item applied.
    pub interactions: i64,
    pub failed: i64,
}

impl Side {
    /// The side from each interaction's (engine verdict, override in force): an override
    /// decides; otherwise the engine's verdict; an item that did not apply and was not
    /// overridden is not counted.
    pub fn of(outcomes: &[(Option<bool>, Option<bool>)]) -> Side {
        outcomes
            .iter()
            .filter_map(|(engine, over)| over.or(*engine))
            .fold(Side::default(), |s, failed| Side {
                interactions: s.interactions + 1,
                failed: s.failed + i64::from(failed),
            })
    }
}

/// The effect of a session on its item's later scores.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Effect {
    pub before: Side,
    pub after: Side,
    /// Failures per 1,000 interactions; `None` under the minimum of interactions.
    pub before_rate: Option<f64>,
    pub after_rate: Option<f64>,
    /// (after − before) ÷ before, per cent.
    pub change: Option<f64>,
    /// The months after the session have not all passed yet.
    pub so_far: bool,
}

/// The effect, by the method of training effectiveness (see the module documentation);
/// one agent seen by their own lead, so only the minimum of interactions applies.
pub fn effect(before: Side, after: Side, so_far: bool) -> Effect {
    let before_rate = crate::fairness::rate_per_1000(before.failed, before.interactions);
    let after_rate = crate::fairness::rate_per_1000(after.failed, after.interactions);
    Effect {
        before,
        after,
        before_rate,
        after_rate,
        change: crate::fairness::relative_change(before_rate, after_rate),
        so_far,
    }
}

// ------------------------------------------------------------------ upward feedback

/// A round of upward feedback: a calendar quarter, UTC (`2026-Q4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Round {
    pub year: i16,
    pub quarter: i8,
}

impl std::fmt::Display for Round {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.quarter)
    }
}

impl Round {
    /// The round `t` falls in.
    pub fn of(t: Timestamp) -> Round {
        let d = t.to_zoned(jiff::tz::TimeZone::UTC).date();
        Round {
            year: d.year(),
            quarter: (d.month() - 1) / 3 + 1,
        }
    }

    /// `2026-Q4`, or `None`.
    pub fn parse(s: &str) -> Option<Round> {
        let (y, q) = s.trim().split_once("-Q")?;
        let year: i16 = y.parse().ok()?;
        let quarter: i8 = q.parse().ok()?;
        ((1..=4).contains(&quarter) && (1970..=9999).contains(&year))
            .then_some(Round { year, quarter })
    }

    /// Its first day.
    pub fn starts_on(self) -> Date {
        Date::new(self.year, (self.quarter - 1) * 3 + 1, 1).unwrap_or(Date::MIN)
    }

    /// The round before.
    pub fn previous(self) -> Round {
        if self.quarter == 1 {
            Round {
                year: self.year - 1,
                quarter: 4,
            }
        } else {
            Round {
                year: self.year,
                quarter: self.quarter - 1,
            }
        }
    }

    /// The round after.
    pub fn next(self) -> Round {
        if self.quarter == 4 {
            Round {
                year: self.year + 1,
                quarter: 1,
            }
        } else {
            Round {
                year: self.year,
                quarter: self.quarter + 1,
            }
        }
    }

    /// Has it ended at `now`?
    pub fn ended(self, now: Timestamp) -> bool {
        Round::of(now) > self
    }
}

/// The two questions, with the words shown to the person rating.
pub const QUESTIONS: [(&str, &str); 2] = [
    (
        "coaching",
        "My lead's coaching helps me do my work better and more ethically.",
    ),
    (
        "fairness",
        "My lead treats everyone in the team fairly and consistently.",
    ),
];

/// One person's answers, 1 (strongly disagree) to 5 (strongly agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub coaching: u8,
    pub fairness: u8,
}

/// A rating from the form's answers; each answer is named by its question.
pub fn rating(coaching: &str, fairness: &str) -> Result<Rating, FieldError> {
    let one = |label: &str, s: &str| -> Result<u8, FieldError> {
        match s.trim().parse::<u8>() {
            Ok(n) if (1..=5).contains(&n) => Ok(n),
            _ => Err(refuse(label, "choose an answer from 1 to 5")),
        }
    };
    Ok(Rating {
        coaching: one("Coaching", coaching)?,
        fairness: one("Fairness", fairness)?,
    })
}

/// One question's released figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub mean: f64,
    /// Share of 4 and 5, per cent.
    pub favourable: f64,
}

/// What a round shows of one lead's ratings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Released {
    /// The round is still open: nothing is shown, not even how many rated.
    Open,
    /// Fewer than the minimum rated: nothing is shown.
    TooFew,
    Shown {
        raters: usize,
        coaching: Figure,
        fairness: Figure,
    },
}

/// The smallest number of raters whose ratings are shown: the climate surveys' floor.
pub const MIN_RATERS: usize = crate::surveys::MIN_GROUP_FLOOR as usize;

/// What may be shown of `ratings` (one lead, one round) at `now`.
pub fn release(round: Round, ratings: &[Rating], now: Timestamp) -> Released {
    if !round.ended(now) {
        return Released::Open;
    }
    if ratings.len() < MIN_RATERS {
        return Released::TooFew;
    }
    let n = ratings.len() as f64;
    let figure = |f: fn(&Rating) -> u8| Figure {
        mean: ratings.iter().map(|r| f64::from(f(r))).sum::<f64>() / n,
        favourable: ratings.iter().filter(|r| f(r) >= 4).count() as f64 / n * 100.0,
    };
    Released::Shown {
        raters: ratings.len(),
        coaching: figure(|r| r.coaching),
        fairness: figure(|r| r.fairness),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn goals_need_text_and_a_later_date_and_blank_rows_are_skipped() {
        let today = date(2026, 12, 7);
        let row = |t: &str, d: &str| (t.to_owned(), d.to_owned());
        let g = goals(&[row("", ""), row("Offer a callback", "2027-01-15")], today).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].due_on, date(2027, 1, 15));
        let e = goals(&[row("", "")], today).unwrap_err();
        assert_eq!(e.field, "Goal 1");
        let e = goals(&[row("x", "2026-12-07")], today).unwrap_err();
        assert_eq!(e.to_string(), "Goal 1 date: must be after today");
        let e = goals(&[row("x", "tomorrow")], today).unwrap_err();
        assert_eq!(e.field, "Goal 1 date");
        let e = goals(&[row("x", "2026-12-08"), row("", "2027-01-01")], today).unwrap_err();
        assert_eq!(e.to_string(), "Goal 2: required");
        assert!(goals(&[row("x", "2028-12-08")], today).is_err());
    }

    #[test]
    fn a_follow_up_is_due_from_the_goal_date_until_an_outcome_is_recorded() {
        let due = date(2027, 1, 15);
        assert!(!follow_up_due(due, None, date(2027, 1, 14)));
        assert!(follow_up_due(due, None, date(2027, 1, 15)));
        assert!(!follow_up_due(due, Some(Outcome::Met), date(2027, 2, 1)));
    }

    #[test]
    fn the_effect_uses_the_training_method_and_its_minimum() {
        let e = effect(
            Side {
                interactions: 40,
                failed: 8,
            },
            Side {
                interactions: 50,
                failed: 5,
            },
            false,
        );
        assert_eq!(e.before_rate, Some(200.0));
        assert_eq!(e.after_rate, Some(100.0));
        assert_eq!(e.change, Some(-50.0));
        let thin = effect(
            Side {
                interactions: 40,
                failed: 8,
            },
            Side {
                interactions: 3,
                failed: 0,
            },
            true,
        );
        assert_eq!(thin.after_rate, None);
        assert_eq!(thin.change, None);
    }

    #[test]
    fn an_override_decides_and_an_item_that_did_not_apply_is_not_counted() {
        let s = Side::of(&[
            (Some(true), None),
            (Some(true), Some(false)),
            (None, None),
            (None, Some(true)),
            (Some(false), None),
        ]);
        assert_eq!(
            s,
            Side {
                interactions: 4,
                failed: 2
            }
        );
    }

    #[test]
    fn rounds_are_quarters() {
        let r = Round::of(ts("2026-12-07T10:00:00Z"));
        assert_eq!(r.to_string(), "2026-Q4");
        assert_eq!(Round::parse("2026-Q4"), Some(r));
        assert_eq!(Round::parse("2026-Q5"), None);
        assert_eq!(r.next().to_string(), "2027-Q1");
        assert_eq!(r.next().previous(), r);
        assert_eq!(r.starts_on(), date(2026, 10, 1));
        assert!(!r.ended(ts("2026-12-31T23:59:59Z")));
        assert!(r.ended(ts("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn nothing_is_shown_while_the_round_is_open_or_under_the_survey_floor() {
        let round = Round::parse("2026-Q4").unwrap();
        let r = |c, f| Rating {
            coaching: c,
            fairness: f,
        };
        let four = vec![r(5, 4); MIN_RATERS - 1];
        let after = ts("2027-01-02T00:00:00Z");
        assert_eq!(release(round, &four, after), Released::TooFew);
        let mut five = four.clone();
        five.push(r(1, 2));
        assert_eq!(
            release(round, &five, ts("2026-12-30T00:00:00Z")),
            Released::Open
        );
        match release(round, &five, after) {
            Released::Shown {
                raters,
                coaching,
                fairness,
            } => {
                assert_eq!(raters, 5);
                assert_eq!(coaching.mean, 4.2);
                assert_eq!(coaching.favourable, 80.0);
                assert_eq!(fairness.favourable, 80.0);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(MIN_RATERS, crate::surveys::MIN_GROUP_FLOOR as usize);
    }

    #[test]
    fn ratings_are_one_to_five_named_by_question() {
        assert_eq!(
            rating("5", " 1 ").unwrap(),
            Rating {
                coaching: 5,
                fairness: 1
            }
        );
        assert_eq!(rating("6", "1").unwrap_err().field, "Coaching");
        assert_eq!(rating("3", "").unwrap_err().field, "Fairness");
    }
}
