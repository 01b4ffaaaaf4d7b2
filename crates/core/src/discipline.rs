//! Consistent discipline: the sanction ladder, comparable cases, deviations and the
//! disparity report. No I/O.
//!
//! A decision record names the violation class (a configurable list), a severity 1–4,
//! aggravating and mitigating factors (fixed lists, [`AGGRAVATING`], [`MITIGATING`]),
//! the person's prior record (earlier records, computed by the store), their role level,
//! the sanction from the ordered ladder [`Sanction`] and the decision maker.
//!
//! **Comparable cases** are earlier records of the same class and severity that were not
//! rejected. Their distribution over the ladder is shown while a decision is recorded,
//! but only from [`MIN_GROUP`] cases on, and never with names ([`Distribution::shown`]).
//!
//! **Deviation** (precise): with at least [`MIN_GROUP`] comparable cases, a sanction
//! more than one step away from their median (the lower median on the ladder) is a
//! deviation ([`is_deviation`]). With fewer cases there is no usual range and nothing
//! is a deviation. A deviation needs a written rationale and a second approver who is
//! not the decision maker ([`may_approve`]); until approved it is *pending*.
//!
//! **Disparity report**: per group (site, team, role level or decision maker) the share
//! of severe sanctions ([`Sanction::is_severe`]: final warning or termination) against
//! the share expected from the group's mix of class and severity (the organisation's
//! severe share in each class × severity, averaged over the group's records). Groups
//! under [`MIN_GROUP`] records are suppressed ([`disparity`]).

use std::collections::BTreeMap;

/// No distribution or group is shown from fewer records than this.
pub const MIN_GROUP: usize = 5;
/// Longest rationale or note, in characters.
pub const MAX_TEXT: usize = 2000;

/// The sanction ladder, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sanction {
    Coaching,
    VerbalWarning,
    WrittenWarning,
    FinalWarning,
    Termination,
}

impl Sanction {
    pub const ALL: [Sanction; 5] = [
        Self::Coaching,
        Self::VerbalWarning,
        Self::WrittenWarning,
        Self::FinalWarning,
        Self::Termination,
    ];

    pub fn step(self) -> usize {
        self as usize
    }

    pub fn from_step(i: i64) -> Option<Self> {
        usize::try_from(i)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Coaching => "coaching",
            Self::VerbalWarning => "verbal_warning",
            Self::WrittenWarning => "written_warning",
            Self::FinalWarning => "final_warning",
            Self::Termination => "termination",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Coaching => "Coaching",
            Self::VerbalWarning => "Verbal warning",
            Self::WrittenWarning => "Written warning",
            Self::FinalWarning => "Final warning",
            Self::Termination => "Termination",
        }
    }

    /// Final warning and termination.
    pub fn is_severe(self) -> bool {
        self >= Self::FinalWarning
    }
}

/// Aggravating factors: (key, label).
pub const AGGRAVATING: &[(&str, &str)] = &[
    ("repeated", "Repeated after a warning"),
    ("deliberate", "Deliberate or planned"),
    ("customer_harm", "Harm to a customer"),
    ("concealment", "Concealment or dishonesty"),
    ("position_of_trust", "Abuse of a position of trust"),
];

/// Mitigating factors: (key, label).
pub const MITIGATING: &[(&str, &str)] = &[
    ("self_reported", "Self-reported"),
    ("cooperated", "Cooperated fully"),
    ("unclear_guidance", "Unclear guidance or training"),
    ("personal_circumstances", "Personal circumstances"),
    ("remorse", "Acknowledged and remedied"),
];

/// Checks submitted factor keys against a list; an unknown key names the field.
pub fn check_factors(
    keys: &[String],
    allowed: &[(&str, &str)],
    field: &str,
) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        if !allowed.iter().any(|(a, _)| a == k) {
            return Err(format!("field `{field}`: unknown factor {k:?}"));
        }
        if !out.contains(k) {
            out.push(k.clone());
        }
    }
    Ok(out)
}

/// The label of a factor key (the key itself if unknown).
pub fn factor_label(key: &str) -> &str {
    AGGRAVATING
        .iter()
        .chain(MITIGATING)
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, l)| l)
}

/// A severity 1–4.
pub fn check_severity(s: &str) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n @ 1..=4) => Ok(n),
        _ => Err("field `severity`: expected 1, 2, 3 or 4".into()),
    }
}

/// The role level of a person, from their roles.
pub fn role_level(roles: &[crate::Role]) -> &'static str {
    use crate::Role;
    if roles
        .iter()
        .any(|r| matches!(r, Role::EthicsOfficer | Role::Admin | Role::AuditCommittee))
    {
        "manager"
    } else if roles.contains(&Role::TeamLead) || roles.contains(&Role::QaAnalyst) {
        "team_lead"
    } else {
        "agent"
    }
}

/// How many comparable cases ended in each sanction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Distribution {
    pub counts: [usize; 5],
}

impl Distribution {
    pub fn of(sanctions: impl IntoIterator<Item = Sanction>) -> Self {
        let mut d = Self::default();
        for s in sanctions {
            d.counts[s.step()] += 1;
        }
        d
    }

    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The lower median on the ladder; `None` without cases.
    pub fn median(&self) -> Option<Sanction> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let rank = n.div_ceil(2);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Sanction::ALL.get(i).copied();
            }
        }
        None
    }

    /// The distribution if it may be shown (at least [`MIN_GROUP`] cases).
    pub fn shown(&self) -> Option<&Self> {
        (self.total() >= MIN_GROUP).then_some(self)
    }
}

/// Is `sanction` a deviation from the comparable cases? See the module doc.
pub fn is_deviation(sanction: Sanction, comparable: &Distribution) -> bool {
    match comparable.shown().and_then(Distribution::median) {
        Some(m) => sanction.step().abs_diff(m.step()) > 1,
        None => false,
    }
}

/// Whether a record awaits, needs no, or got a second approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    NotNeeded,
    Pending,
    Approved,
    Rejected,
}

impl Approval {
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::NotNeeded,
            Self::Pending,
            Self::Approved,
            Self::Rejected,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotNeeded => "not_needed",
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotNeeded => "In force",
            Self::Pending => "Awaiting a second approver",
            Self::Approved => "Approved by a second approver",
            Self::Rejected => "Rejected by the second approver",
        }
    }
}

/// Why someone may not approve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the decision maker cannot be the second approver")]
    DecisionMaker,
    #[error("nobody approves a decision about themselves")]
    Subject,
    #[error("this decision does not await approval")]
    NotPending,
}

/// May `approver` approve a pending record decided by `decided_by` about `subject`?
pub fn may_approve(
    approver: &str,
    decided_by: &str,
    subject: &str,
    approval: Approval,
) -> Result<(), Refusal> {
    if approval != Approval::Pending {
        Err(Refusal::NotPending)
    } else if approver == decided_by {
        Err(Refusal::DecisionMaker)
    } else if approver == subject {
        Err(Refusal::Subject)
    } else {
        Ok(())
    }
}

/// One record as the disparity report sees it.
#[derive(Debug, Clone)]
pub struct Outcome<'a> {
    pub group: &'a str,
    pub class: &'a str,
    pub severity: i64,
    pub sanction: Sanction,
}

/// One group of the disparity report.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub group: String,
    pub records: usize,
    /// `None` when suppressed (fewer than [`MIN_GROUP`] records).
    pub figures: Option<Figures>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    pub severe: usize,
    /// Share of severe sanctions, 0–1.
    pub rate: f64,
    /// The share expected from the group's class × severity mix, 0–1.
    pub expected: f64,
}

/// The disparity report over `records` (see the module doc), groups sorted by name.
pub fn disparity(records: &[Outcome<'_>]) -> Vec<GroupRow> {
    let mut by_key: BTreeMap<(&str, i64), (usize, usize)> = BTreeMap::new();
    for r in records {
        let e = by_key.entry((r.class, r.severity)).or_default();
        e.0 += 1;
        e.1 += usize::from(r.sanction.is_severe());
    }
    let mut groups: BTreeMap<&str, (usize, usize, f64)> = BTreeMap::new();
    for r in records {
        let (n, s) = by_key
            .get(&(r.class, r.severity))
            .copied()
            .unwrap_or((1, 0));
        let g = groups.entry(r.group).or_default();
        g.0 += 1;
        g.1 += usize::from(r.sanction.is_severe());
        g.2 += s as f64 / n.max(1) as f64;
    }
    groups
        .into_iter()
        .map(|(group, (n, severe, expected))| GroupRow {
            group: group.to_owned(),
            records: n,
            figures: (n >= MIN_GROUP).then(|| Figures {
                severe,
                rate: severe as f64 / n as f64,
                expected: expected / n as f64,
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Sanction::*;

    #[test]
    fn small_groups_show_no_distribution_and_raise_no_deviation() {
        let four = Distribution::of([Coaching, Coaching, Coaching, Coaching]);
        assert!(four.shown().is_none());
        assert!(!is_deviation(Termination, &four));
        let five = Distribution::of([
            Coaching,
            Coaching,
            VerbalWarning,
            VerbalWarning,
            WrittenWarning,
        ]);
        assert_eq!(five.median(), Some(VerbalWarning));
        assert!(five.shown().is_some());
        assert!(
            !is_deviation(WrittenWarning, &five),
            "one step is the usual range"
        );
        assert!(!is_deviation(Coaching, &five));
        assert!(is_deviation(FinalWarning, &five), "two steps up");
        let six = Distribution::of([WrittenWarning; 6]);
        assert!(is_deviation(Coaching, &six), "two steps down");
    }

    #[test]
    fn the_decision_maker_is_never_the_second_approver() {
        assert_eq!(
            may_approve("lead", "lead", "agent", Approval::Pending),
            Err(Refusal::DecisionMaker)
        );
        assert_eq!(
            may_approve("eo", "lead", "eo", Approval::Pending),
            Err(Refusal::Subject)
        );
        assert_eq!(
            may_approve("eo", "lead", "agent", Approval::NotNeeded),
            Err(Refusal::NotPending)
        );
        assert_eq!(
            may_approve("eo", "lead", "agent", Approval::Pending),
            Ok(())
        );
    }

    #[test]
    fn disparity_compares_with_the_mix_and_suppresses_small_groups() {
        let mut recs = Vec::new();
        for i in 0..10 {
            recs.push(Outcome {
                group: "Austin",
                class: "fraud",
                severity: 3,
                sanction: if i < 8 { FinalWarning } else { WrittenWarning },
            });
            recs.push(Outcome {
                group: "Lisbon",
                class: "fraud",
                severity: 3,
                sanction: if i < 2 { FinalWarning } else { WrittenWarning },
            });
        }
        recs.push(Outcome {
            group: "Manila",
            class: "fraud",
            severity: 3,
            sanction: Termination,
        });
        let rows = disparity(&recs);
        assert_eq!(rows.len(), 3);
        let austin = rows[0].figures.unwrap();
        assert_eq!(austin.severe, 8);
        assert!((austin.rate - 0.8).abs() < 1e-9);
        assert!((austin.expected - 11.0 / 21.0).abs() < 1e-9);
        assert_eq!(rows[2].group, "Manila");
        assert_eq!(rows[2].figures, None);
    }

    #[test]
    fn factors_and_severity_are_checked() {
        assert_eq!(
            check_factors(
                &["repeated".into(), "repeated".into()],
                AGGRAVATING,
                "aggravating"
            ),
            Ok(vec!["repeated".to_owned()])
        );
        assert!(check_factors(&["nope".into()], MITIGATING, "mitigating")
            .unwrap_err()
            .contains("mitigating"));
        assert_eq!(check_severity("4"), Ok(4));
        assert!(check_severity("5").is_err());
        assert!(Sanction::FinalWarning.is_severe() && !Sanction::WrittenWarning.is_severe());
    }
}
