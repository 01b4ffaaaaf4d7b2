//! The data-access gate: unredacted customer data (the privacy vault's originals) and
//! hotline case content open only for people whose data-privacy training is current.
//!
//! "Current" is [`righttrack_core::training::data_access_current`]: a passing
//! completion of a course flagged *grants data access* that has not expired. The gate
//! is checked in the server by the one function every such path goes through
//! (`vault::open_original`; `cases::open`, which the case page, its actions, its
//! attachments and the list's text search use), after the route's role check.
//!
//! **Every decision is audited**: `gate.granted` or `gate.denied`, the target (case
//! reference or interaction id), and `{"resource": "original" | "case" | "case_search"}`
//! (a denial adds `"reason": "expired" | "never_completed" | "no_course"`). Never content.
//! A denial is a page (or JSON error `training_required`, 403) saying what to complete.

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::clock::day;
use righttrack_core::ids::UserId;
use righttrack_core::training::{data_access_current, valid_at};
use serde_json::json;

/// What the gate protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// An interaction's unredacted original (privacy vault).
    Original,
    /// One hotline case's content (page, actions, attachments).
    Case,
    /// Searching the words of every case one holds a key to.
    CaseSearch,
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Original => "original",
            Resource::Case => "case",
            Resource::CaseSearch => "case_search",
        }
    }

    fn what(self) -> &'static str {
        match self {
            Resource::Original => "Opening unredacted customer data",
            Resource::Case | Resource::CaseSearch => "Reading hotline case content",
        }
    }
}

/// Where a person stands with the gate.
#[derive(Debug, Clone)]
pub struct Standing {
    pub current: bool,
    /// While current: the latest expiry (`None`: never expires).
    pub until: Option<Timestamp>,
    /// When not current but once completed: when the last completion expired.
    pub expired: Option<Timestamp>,
    /// The course to take (title, code), if one grants data access.
    pub course: Option<(String, String)>,
}

impl Standing {
    fn reason(&self) -> &'static str {
        match (&self.course, self.expired) {
            (None, _) => "no_course",
            (_, Some(_)) => "expired",
            (_, None) => "never_completed",
        }
    }
}

pub async fn standing(ctx: &Ctx, user: UserId) -> Result<Standing> {
    let now = ctx.now();
    let expiries = ctx.db.data_access_expiries(user).await?;
    let current = data_access_current(&expiries, now);
    let valid: Vec<Option<Timestamp>> = expiries
        .iter()
        .copied()
        .filter(|e| valid_at(*e, now))
        .collect();
    let until = if valid.contains(&None) {
        None
    } else {
        valid.iter().flatten().max().copied()
    };
    let expired = expiries
        .iter()
        .flatten()
        .filter(|e| **e <= now)
        .max()
        .copied();
    let course = ctx
        .db
        .training_courses()
        .await?
        .into_iter()
        .find(|c| c.grants_data_access && !c.archived)
        .map(|c| (c.title, c.code));
    Ok(Standing {
        current,
        until,
        expired: if current { None } else { expired },
        course,
    })
}

/// One line for the users page and profile: "current until 2027-03-01", "expired
/// 2026-10-01", "not completed".
pub async fn describe(ctx: &Ctx, user: UserId) -> Result<String> {
    let s = standing(ctx, user).await?;
    Ok(match (s.current, s.until, s.expired) {
        (true, Some(u), _) => format!("current until {}", day(u)),
        (true, None, _) => "current".into(),
        (false, _, Some(e)) => format!("expired {}", day(e)),
        (false, _, None) => "not completed".into(),
    })
}

/// The gate. Audits the decision and returns a `training_required` error on denial.
pub async fn check(ctx: &Ctx, caller: &Caller, resource: Resource, target: &str) -> Result<()> {
    let s = standing(ctx, caller.user.id).await?;
    if s.current {
        ctx.audit(
            &caller.actor(),
            "gate.granted",
            target,
            json!({"resource": resource.as_str()}),
        )
        .await?;
        return Ok(());
    }
    ctx.audit(
        &caller.actor(),
        "gate.denied",
        target,
        json!({"resource": resource.as_str(), "reason": s.reason()}),
    )
    .await?;
    let what = resource.what();
    let message = match (&s.course, s.expired) {
        (None, _) => format!(
            "{what} requires current data-privacy training, and no course is marked as granting data access yet. Ask an ethics officer to set one up under Training."
        ),
        (Some((title, code)), Some(e)) => format!(
            "{what} requires current data-privacy training. Your “{title}” completion expired on {}. Complete it again under My training (/my/training/{code}); access returns as soon as you pass.",
            day(e)
        ),
        (Some((title, code)), None) => format!(
            "{what} requires current data-privacy training, and you have not completed “{title}” yet. Complete it under My training (/my/training/{code}); access follows as soon as you pass."
        ),
    };
    Err(Error::new(Kind::TrainingRequired, message))
}
