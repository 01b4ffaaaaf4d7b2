//! The ethics-health dashboard's figures: twelve months up to the current one (UTC).
//!
//! The months are calendar months in UTC: [`month_starts`] gives their first days and
//! [`instant`] the instant each begins, so the dashboard, fairness analytics and the
//! evidence binder cut periods at the same moments. The arithmetic and the withholding
//! rules are `core::dashboard`; this module says which months and what a dashboard
//! holds ([`Dashboard`]) and gathers it ([`build`]), so that the page, the JSON and the
//! binder read one shape.

use crate::{Caller, Ctx, Error, Result};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use righttrack_core::authz::{allowed, Action};
use righttrack_core::dashboard::{
    attestation_indicators, capa_indicators, climate_indicators, hotline_indicators,
    interaction_indicators, kept_indicator, training_indicators, Indicator, InteractionMonth,
    WaveClimate, MIN_INTERACTIONS,
};
use righttrack_core::surveys::WaveStatus;
use righttrack_store::dashboard::{MonthlyRow, EXPOSED, FLAGGED, INTERACTIONS, RULE_PREFIX};
use serde::Serialize;
use std::collections::BTreeMap;

/// The rules counted as violations, with their kind and description (core's list, so
/// the dashboard and fairness analytics count the same rules).
pub use righttrack_core::fairness::violation_rules;

/// Months shown.
pub const MONTHS: usize = 12;

/// What is counted, on the page and in the JSON.
pub const COUNTED: &str = "Interaction figures count every stored interaction. Hotline figures count only the cases you can read (a case you are excluded from by a conflict of interest is not counted for you) and destroyed cases' statistics.";

/// One rule's violations per 1,000 interactions.
#[derive(Debug, Clone, Serialize)]
pub struct RuleRate {
    pub rule: String,
    pub kind: String,
    pub description: String,
    /// Over the twelve months.
    pub per_1000: Option<f64>,
    /// Per month, oldest first.
    pub monthly: Vec<Option<f64>>,
}

/// One team of the drill-down list.
#[derive(Debug, Clone, Serialize)]
pub struct TeamSlice {
    pub team: String,
    pub interactions: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub months: Vec<String>,
    pub team: Option<String>,
    pub interactions: Vec<Indicator>,
    pub rules: Vec<RuleRate>,
    /// Organisation-wide only (commitments are not kept per team).
    pub commitments: Option<Indicator>,
    /// Organisation-wide only, and only for viewers of cases.
    pub hotline: Vec<Indicator>,
    pub teams: Vec<TeamSlice>,
    pub headcount: u64,
    /// Attestation and training coverage (of the team's people with `?team=`).
    pub coverage: Vec<Indicator>,
    /// Organisation-wide only, and only for readers of survey results.
    pub climate: Vec<Indicator>,
    /// Organisation-wide only.
    pub capa: Vec<Indicator>,
}

fn month_start(d: Date) -> Date {
    d.first_of_month()
}

/// The instant a day begins, in UTC.
pub fn instant(d: Date) -> Result<Timestamp> {
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|e| Error::internal(&e))
}

/// The first days of `n` consecutive months ending with the one holding `today`, and
/// the first day after them.
pub fn month_starts(today: Date, n: usize) -> Result<Vec<Date>> {
    let last = month_start(today);
    let mut out = Vec::with_capacity(n + 1);
    for back in (0..n).rev() {
        let back = i64::try_from(back).unwrap_or(0);
        out.push(
            last.checked_sub(back.months())
                .map_err(|e| Error::internal(&e))?,
        );
    }
    out.push(
        last.checked_add(1.month())
            .map_err(|e| Error::internal(&e))?,
    );
    Ok(out)
}

/// A month's label, `YYYY-MM`.
pub fn label(d: Date) -> String {
    d.strftime("%Y-%m").to_string()
}

/// The dashboard as `caller` sees it, for one team (`team`, by name) or the whole
/// organisation. An unknown team is "not found".
pub async fn build(ctx: &Ctx, caller: &Caller, team: Option<&str>) -> Result<Dashboard> {
    let today = ctx.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let starts = month_starts(today, MONTHS)?;
    let labels: Vec<String> = starts[..MONTHS].iter().map(|d| label(*d)).collect();
    let rows = ctx
        .db
        .interaction_monthly(&labels[0], &labels[MONTHS - 1])
        .await?;

    let mut teams: BTreeMap<&str, i64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.metric == INTERACTIONS) {
        *teams.entry(r.team_ref.as_str()).or_default() += r.value;
    }
    let team = team.map(str::trim).filter(|t| !t.is_empty());
    if let Some(t) = team {
        // A team of the interactions (as sent) or of the directory (its people's
        // coverage); the same name means the same team.
        if !teams.contains_key(t) && !ctx.db.list_teams().await?.iter().any(|d| d.name == t) {
            return Err(Error::not_found());
        }
    }
    let in_scope = |r: &&MonthlyRow| team.is_none_or(|t| r.team_ref == t);
    let idx: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut months = vec![InteractionMonth::default(); MONTHS];
    let mut per_rule: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let rules = violation_rules();
    for r in rows.iter().filter(in_scope) {
        let Some(&i) = idx.get(r.month.as_str()) else {
            continue;
        };
        let m = &mut months[i];
        match r.metric.as_str() {
            INTERACTIONS => m.interactions += r.value,
            FLAGGED => m.flagged += r.value,
            EXPOSED => m.exposed += r.value,
            other => {
                if let Some(rule) = other.strip_prefix(RULE_PREFIX) {
                    if rules.contains_key(rule) {
                        m.violations += r.value;
                        per_rule.entry(rule).or_insert_with(|| vec![0; MONTHS])[i] += r.value;
                    }
                }
            }
        }
    }
    let total: i64 = months.iter().map(|m| m.interactions).sum();
    let rate = |n: i64, d: i64| (d >= MIN_INTERACTIONS).then(|| n as f64 / d as f64 * 1000.0);
    let mut rule_rates: Vec<RuleRate> = per_rule
        .into_iter()
        .map(|(rule, counts)| {
            let (kind, description) = rules.get(rule).cloned().unwrap_or_default();
            RuleRate {
                rule: rule.to_owned(),
                kind,
                description,
                per_1000: rate(counts.iter().sum(), total),
                monthly: counts
                    .iter()
                    .zip(&months)
                    .map(|(n, m)| rate(*n, m.interactions))
                    .collect(),
            }
        })
        .collect();
    rule_rates.sort_by(|a, b| {
        b.per_1000
            .unwrap_or(-1.0)
            .total_cmp(&a.per_1000.unwrap_or(-1.0))
            .then_with(|| a.rule.cmp(&b.rule))
    });

    let (commitments, hotline, headcount) = if team.is_some() {
        (None, Vec::new(), 0)
    } else {
        let bounds: Vec<Timestamp> = starts.iter().map(|d| instant(*d)).collect::<Result<_>>()?;
        let kept = kept_indicator(&ctx.db.commitments_closed(&bounds).await?);
        // Eleven more months before the first shown, for the trailing twelve.
        let long = month_starts(today, MONTHS + 11)?;
        let long: Vec<Timestamp> = long.iter().map(|d| instant(*d)).collect::<Result<_>>()?;
        let cases = ctx
            .db
            .cases_by_period(caller.user.id, &long, ctx.now())
            .await?;
        let headcount = ctx.db.active_headcount().await?;
        (Some(kept), hotline_indicators(&cases, headcount), headcount)
    };

    // The program figures as at each month's end: the first month's start, then the
    // start of each next month, the current month ending now.
    let mut ends: Vec<Timestamp> = starts[..MONTHS]
        .iter()
        .map(|d| instant(*d))
        .collect::<Result<_>>()?;
    ends.push(
        ctx.now()
            .checked_add(jiff::SignedDuration::from_millis(1))
            .map_err(|e| Error::internal(&e))?,
    );
    let mut coverage = attestation_indicators(&ctx.db.attestation_coverage(&ends, team).await?);
    coverage.extend(training_indicators(
        &ctx.db.training_coverage(&ends, team).await?,
    ));
    let (climate, capa) = if team.is_some() {
        (Vec::new(), Vec::new())
    } else {
        let climate = if allowed(&caller.user.roles, Action::SurveyResults) {
            climate_indicators(MONTHS, &climate(ctx, &ends).await?)
        } else {
            Vec::new()
        };
        (
            climate,
            capa_indicators(&ctx.db.capa_by_month(&ends).await?),
        )
    };

    Ok(Dashboard {
        months: labels,
        team: team.map(str::to_owned),
        interactions: interaction_indicators(&months),
        rules: rule_rates,
        commitments,
        hotline,
        teams: teams
            .into_iter()
            .map(|(t, n)| TeamSlice {
                team: t.to_owned(),
                interactions: n,
            })
            .collect(),
        headcount,
        coverage,
        climate,
        capa,
    })
}

/// The released organisation-wide indices of the waves closed within `ends` (the first
/// month's start .. now), each with the month it closed in: its closing date, or the
/// day it was closed early. (A wave past its closing date is closed on the next look at
/// it, which may be much later; its answers were in by the closing date.)
async fn climate(ctx: &Ctx, ends: &[Timestamp]) -> Result<Vec<WaveClimate>> {
    let mut out = Vec::new();
    for w in ctx.db.waves(None).await? {
        let Some(closed_at) = w.closed_at.filter(|_| w.status == WaveStatus::Closed) else {
            continue;
        };
        let closed = match instant(w.closes_on) {
            Ok(planned) if planned < closed_at => planned,
            _ => closed_at,
        };
        let Some(month) = ends
            .windows(2)
            .position(|b| closed >= b[0] && closed < b[1])
        else {
            continue;
        };
        let indices = crate::program::surveys::released_indices(ctx, &w)
            .await?
            .unwrap_or_default();
        out.push(WaveClimate {
            month,
            closed_at: closed.as_millisecond(),
            indices,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_month_starts_cross_the_year() {
        let s = month_starts("2026-02-17".parse().unwrap(), 12).unwrap();
        assert_eq!(s.len(), 13);
        assert_eq!(label(s[0]), "2025-03");
        assert_eq!(label(s[11]), "2026-02");
        assert_eq!(s[12].to_string(), "2026-03-01");
    }
}
