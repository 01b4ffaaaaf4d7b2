//! The auditor's evidence binder: the question catalogue and the rules for showing a
//! figure.
//!
//! The US Department of Justice's *Evaluation of Corporate Compliance Programs* (ECCP)
//! asks prosecutors' questions grouped into topics. The binder lists a few key questions
//! of six topics, **in RightTrack's own words** (a faithful paraphrase, never a
//! quotation: see [`PARAPHRASE`]), and binds each to figures that `web::binder`
//! computes live from RightTrack's own data when the binder is generated, by calling
//! the modules that own them (policies, training, hotline, discipline, dashboard,
//! corrective actions). Only the ethics officer's narrative per question is stored.
//!
//! The catalogue is static: a question's key is stable, so a narrative stays attached to
//! it across releases. [`FIGURES`] defines every figure key once (label, unit, formula);
//! a test checks that every question binds at least one defined figure, and the web
//! tests check that the builder produces every defined figure.
//!
//! Withholding follows the dashboard (`dashboard::MIN_GROUP`): a share whose
//! denominator is under [`MIN_GROUP`], and a hotline count under it, is shown as
//! "withheld (fewer than 5)", never as a number.

use serde::Serialize;

pub use crate::dashboard::MIN_GROUP;

/// The source every export cites.
pub const SOURCE: &str =
    "DOJ Criminal Division, Evaluation of Corporate Compliance Programs (updated September 2024)";

/// Said wherever the questions appear.
pub const PARAPHRASE: &str = "The questions are RightTrack's paraphrase of key questions of the ECCP, grouped by its topics; they are not quotations. Consult the ECCP itself for its exact wording.";

/// The longest narrative accepted, in characters.
pub const MAX_NARRATIVE_CHARS: usize = 20_000;

/// What a withheld figure shows instead of a number.
pub fn withheld_text() -> String {
    format!("withheld (fewer than {MIN_GROUP})")
}

/// How a reader checks that the binder matches the audit trail, given the head it
/// carries.
pub fn verify_line(seq: i64, hash_hex: &str) -> String {
    format!(
        "To verify: run `righttrack audit verify` on this installation's database; it checks every link of the hash chain and its signed checkpoints. Then compare the head: entry {seq} must have the hash {hash_hex}. A later export carries a later head; the entries in between are the trail's record of what happened since."
    )
}

/// One ECCP topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Topic {
    pub key: &'static str,
    pub title: &'static str,
}

pub const TOPICS: &[Topic] = &[
    Topic {
        key: "policies",
        title: "Policies and procedures",
    },
    Topic {
        key: "training",
        title: "Training and communications",
    },
    Topic {
        key: "reporting",
        title: "Confidential reporting structure and investigation process",
    },
    Topic {
        key: "discipline",
        title: "Discipline and incentives (consequence management)",
    },
    Topic {
        key: "analytics",
        title: "Data resources and analytics (continuous monitoring)",
    },
    Topic {
        key: "remediation",
        title: "Remediation and lessons learned (root cause, corrective actions)",
    },
];

/// What a figure's number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Count,
    Percent,
    Per100Employees,
    Per1000Interactions,
    Days,
}

impl Unit {
    /// The unit as a word for exports.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Percent => "percent",
            Unit::Per100Employees => "per 100 employees",
            Unit::Per1000Interactions => "per 1,000 interactions",
            Unit::Days => "days",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Days => " days",
            _ => "",
        }
    }
}

/// A figure's definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FigureDef {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    /// The formula in words.
    pub formula: &'static str,
}

const fn fig(
    key: &'static str,
    label: &'static str,
    unit: Unit,
    formula: &'static str,
) -> FigureDef {
    FigureDef {
        key,
        label,
        unit,
        formula,
    }
}

/// Every figure the binder computes.
pub const FIGURES: &[FigureDef] = &[
    // Policies.
    fig("policies.in_force", "Policies in force", Unit::Count, "Policies not retired."),
    fig("policies.published", "Policies with a published current version", Unit::Count, "Policies whose current version is published and in force."),
    fig("policies.attestation_coverage", "Attestation coverage", Unit::Percent, "Attested ÷ assigned, over the current attestation cycle of every policy in force (people with disabled accounts excluded)."),
    fig("policies.attestations_overdue", "Overdue attestations", Unit::Count, "Assignments of the current cycles past their due date without an attestation."),
    fig("policies.comprehension_pass_rate", "Comprehension questions answered correctly", Unit::Percent, "Correct answers ÷ answers to the quiz questions of the current versions, over every attempt."),
    // Training.
    fig("training.courses", "Active courses", Unit::Count, "Training courses not archived."),
    fig("training.assignments", "Course assignments", Unit::Count, "Assignments of active courses to people with enabled accounts."),
    fig("training.completion_rate", "Assignments with a current completion", Unit::Percent, "Assignments whose latest passing completion has not expired ÷ assignments."),
    fig("training.overdue", "Overdue assignments", Unit::Count, "Assignments past their due date without a current completion."),
    fig("training.gate_denials", "Data-access refusals for missing training", Unit::Count, "Audit entries gate.denied: someone without current data-privacy training was refused access to case content or original transcripts."),
    // Reporting and investigations (counts only, over the cases the viewer can read).
    fig("reporting.reports", "Reports received", Unit::Count, "Hotline cases submitted in the period (cases the generator can read, plus destroyed cases' statistics)."),
    fig("reporting.reports_per_100", "Reports per 100 employees", Unit::Per100Employees, "Reports in the period ÷ current headcount (enabled accounts) × 100. NAVEX's published median: 1.57."),
    fig("reporting.anonymous_share", "Anonymous reports", Unit::Percent, "Anonymous reports ÷ reports, in the period."),
    fig("reporting.substantiation_rate", "Substantiation rate", Unit::Percent, "Substantiated ÷ (substantiated + unsubstantiated), among cases closed in the period."),
    fig("reporting.mean_days_to_close", "Mean days to close", Unit::Days, "Mean of (closed − submitted) over cases closed in the period."),
    fig("reporting.deadlines_met", "Legal deadlines met", Unit::Percent, "Deadlines (acknowledgement, feedback) that fell due in the period and were met by their due instant ÷ all that fell due."),
    // Discipline.
    fig("discipline.records", "Discipline decisions", Unit::Count, "Discipline decisions recorded in the period."),
    fig("discipline.consistent_share", "Decisions consistent with comparable cases", Unit::Percent, "Decisions of the period that did not deviate from the median sanction of comparable cases (same violation class and severity) ÷ decisions of the period."),
    fig("discipline.deviations_approved", "Deviating decisions approved by a second approver", Unit::Count, "Decisions of the period that deviated from comparable cases and were approved by a second approver."),
    fig("discipline.approvals_pending", "Deviating decisions awaiting approval", Unit::Count, "Decisions (any date) that deviate from comparable cases and await the second approver."),
    // Data analytics.
    fig("analytics.interactions_reviewed", "Interactions reviewed", Unit::Count, "Interactions stored and scanned in the period; every one is reviewed by the engine (100% automated coverage)."),
    fig("analytics.violations_per_1000", "Violations per 1,000 interactions", Unit::Per1000Interactions, "Conduct and disclosure rules that fired (once per rule per interaction) ÷ interactions × 1,000, in the latest month with at least 20 interactions."),
    fig("analytics.exposures_redacted", "Interactions with customer data redacted", Unit::Count, "Interactions in the period in which customer data was found and redacted before storage."),
    fig("analytics.commitments_kept", "Commitments to customers kept", Unit::Percent, "Kept ÷ (kept + broken) among commitments closed in the latest month with enough closed commitments."),
    fig("analytics.calibration_sessions", "Calibration sessions held", Unit::Count, "Scoring calibration sessions closed in the period."),
    fig("analytics.four_fifths_flags", "Score groups below the four-fifths screen", Unit::Count, "Teams, sites and evaluators whose QA pass rate is under 0.8 of the best group's (groups of 30 scored interactions or more), over the period: see /fairness."),
    fig("analytics.lenient_evaluators", "Evaluators whose reviews depart from their peers'", Unit::Count, "Evaluators with 5 reviews or more whose mean change to scores differs from all evaluators' by 10 points or more, over the period: see /fairness."),
    // Remediation.
    fig("remediation.capas_open", "Corrective actions open", Unit::Count, "Corrective actions not yet verified or closed."),
    fig("remediation.capas_overdue", "Corrective actions overdue", Unit::Count, "Open corrective actions past their due date."),
    fig("remediation.capas_closed", "Corrective actions verified or closed", Unit::Count, "Corrective actions verified effective or closed (any date)."),
    fig("remediation.root_cause_share", "Corrective actions with a documented root cause", Unit::Percent, "Corrective actions with a root cause recorded ÷ all corrective actions."),
    fig("remediation.findings_open", "Audit findings without a corrective action", Unit::Count, "Findings of completed internal audits for which no corrective action was raised yet."),
    fig("remediation.capas_recurring", "Recurring issues", Unit::Count, "Corrective actions raised for a rule or finding that already had one (marked recurring)."),
];

/// One question of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Stable: narratives are stored under it.
    pub key: &'static str,
    pub topic: &'static str,
    /// RightTrack's paraphrase.
    pub text: &'static str,
    /// Keys of [`FIGURES`].
    pub figures: &'static [&'static str],
}

const fn q(
    key: &'static str,
    topic: &'static str,
    text: &'static str,
    figures: &'static [&'static str],
) -> Question {
    Question {
        key,
        topic,
        text,
        figures,
    }
}

/// The catalogue, in the order of [`TOPICS`].
pub const QUESTIONS: &[Question] = &[
    q("policies.design", "policies",
      "Has the company written policies and procedures that address its main risks, and does it keep them current as the business and the law change?",
      &["policies.in_force", "policies.published"]),
    q("policies.communication", "policies",
      "How are policies communicated to the people they apply to, and can the company show who has read and acknowledged them?",
      &["policies.attestation_coverage", "policies.attestations_overdue"]),
    q("policies.comprehension", "policies",
      "Does the company check whether employees understand the policies that govern their work?",
      &["policies.comprehension_pass_rate"]),
    q("training.risk_based", "training",
      "Is training tailored to the audiences and the risks they face, and does the company know who must take which training?",
      &["training.courses", "training.assignments"]),
    q("training.effectiveness", "training",
      "How does the company measure whether training is completed and effective, and how does it follow up on gaps?",
      &["training.completion_rate", "training.overdue"]),
    q("training.controls", "training",
      "Do controls stop people who lack the required training from reaching sensitive information?",
      &["training.gate_denials"]),
    q("reporting.channel", "reporting",
      "Is there a confidential, anonymous reporting channel, is it used, and how does the company know employees trust it?",
      &["reporting.reports", "reporting.reports_per_100", "reporting.anonymous_share"]),
    q("reporting.investigation", "reporting",
      "Are reports scoped and investigated promptly, and does the company meet its deadlines towards reporters?",
      &["reporting.mean_days_to_close", "reporting.deadlines_met"]),
    q("reporting.outcomes", "reporting",
      "Does the company track the outcomes of investigations and use them to look for patterns of misconduct?",
      &["reporting.substantiation_rate"]),
    q("discipline.consistency", "discipline",
      "Is discipline applied consistently across the organisation, whatever the role, seniority or location of the person involved?",
      &["discipline.records", "discipline.consistent_share"]),
    q("discipline.oversight", "discipline",
      "Who decides on discipline, and is a decision that departs from comparable cases reviewed and justified?",
      &["discipline.deviations_approved", "discipline.approvals_pending"]),
    q("analytics.access", "analytics",
      "Do compliance staff have access to the data they need, and is the business monitored continuously rather than by sampling?",
      &["analytics.interactions_reviewed"]),
    q("analytics.detection", "analytics",
      "How does the company use data analytics to detect misconduct and to protect customer data?",
      &["analytics.violations_per_1000", "analytics.exposures_redacted"]),
    q("analytics.quality", "analytics",
      "How does the company test that its monitoring is reliable and that promises made to customers are kept?",
      &["analytics.calibration_sessions", "analytics.commitments_kept"]),
    q("analytics.fairness", "analytics",
      "Does the company check that employees are measured consistently, whatever their team, site or evaluator?",
      &["analytics.four_fifths_flags", "analytics.lenient_evaluators"]),
    q("remediation.root_cause", "remediation",
      "Does the company analyse the root causes of misconduct and control failures?",
      &["remediation.root_cause_share"]),
    q("remediation.follow_through", "remediation",
      "Are corrective actions tracked to completion, and are overdue ones escalated?",
      &["remediation.capas_open", "remediation.capas_overdue", "remediation.capas_closed"]),
    q("remediation.lessons", "remediation",
      "Does the company learn from its findings: are audit findings followed up and recurring issues detected?",
      &["remediation.findings_open", "remediation.capas_recurring"]),
];

/// The question with this key.
pub fn question(key: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.key == key)
}

/// The figure definition with this key.
pub fn figure_def(key: &str) -> Option<&'static FigureDef> {
    FIGURES.iter().find(|f| f.key == key)
}

/// The questions of a topic, in catalogue order.
pub fn questions_of(topic: &str) -> impl Iterator<Item = &'static Question> + '_ {
    QUESTIONS.iter().filter(move |q| q.topic == topic)
}

/// A figure's value at generation time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    Number(f64),
    /// Too few cases to show without identifying anyone ([`MIN_GROUP`]).
    Withheld,
    /// Nothing to compute from yet (a share of zero).
    NoData,
}

impl Value {
    /// A plain count.
    pub fn count(n: i64) -> Value {
        Value::Number(n as f64)
    }

    /// A count of sensitive events (hotline reports): withheld from 1 to
    /// [`MIN_GROUP`] − 1.
    pub fn small_count(n: i64) -> Value {
        if n > 0 && n < i64::try_from(MIN_GROUP).unwrap_or(5) {
            Value::Withheld
        } else {
            Value::count(n)
        }
    }

    /// `num ÷ den` in per cent; withheld when `den` is under [`MIN_GROUP`], no data when
    /// it is zero.
    pub fn share(num: i64, den: i64) -> Value {
        if den <= 0 {
            Value::NoData
        } else if den < i64::try_from(MIN_GROUP).unwrap_or(5) {
            Value::Withheld
        } else {
            Value::Number(num as f64 / den as f64 * 100.0)
        }
    }

    /// A figure computed elsewhere that is `None` when withheld.
    pub fn or_withheld(v: Option<f64>) -> Value {
        v.map_or(Value::Withheld, Value::Number)
    }

    /// The number, if shown.
    pub fn number(self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(v),
            _ => None,
        }
    }

    /// The value as a reader sees it: `87.5%`, `12`, `withheld (fewer than 5)`.
    pub fn shown(self, unit: Unit) -> String {
        match self {
            Value::Number(v) => format!("{}{}", crate::charts::figure(v), unit.suffix()),
            Value::Withheld => withheld_text(),
            Value::NoData => "no data yet".to_owned(),
        }
    }

    /// The bare number for a spreadsheet cell, or the words when not shown.
    pub fn cell(self) -> String {
        match self {
            Value::Number(v) => crate::charts::figure(v),
            other => other.shown(Unit::Count),
        }
    }
}

/// A computed figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub key: &'static str,
    pub value: Value,
    /// The period the figure covers, in words (`2025-12-01 to 2026-11-20`).
    pub period: String,
    /// Anything a reader needs besides the formula (a benchmark, the scoping).
    pub note: String,
}

/// Why a narrative was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NarrativeError {
    #[error("narrative: at most {max} characters (this one has {len})")]
    TooLong { len: usize, max: usize },
}

/// The narrative as stored: line ends normalised to `\n`, trailing white space
/// removed; at most [`MAX_NARRATIVE_CHARS`] characters. An empty narrative is allowed
/// (it clears the text).
pub fn narrative(text: &str) -> Result<String, NarrativeError> {
    let t = text.replace("\r\n", "\n").replace('\r', "\n");
    let t = t.trim_end().to_owned();
    let len = t.chars().count();
    if len > MAX_NARRATIVE_CHARS {
        return Err(NarrativeError::TooLong {
            len,
            max: MAX_NARRATIVE_CHARS,
        });
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_question_binds_defined_figures_and_every_figure_is_bound() {
        let defined: BTreeSet<&str> = FIGURES.iter().map(|f| f.key).collect();
        assert_eq!(defined.len(), FIGURES.len(), "figure keys are unique");
        let mut bound = BTreeSet::new();
        for q in QUESTIONS {
            assert!(!q.figures.is_empty(), "{} binds no figure", q.key);
            for f in q.figures {
                assert!(defined.contains(f), "{} binds undefined {f}", q.key);
                assert!(
                    f.starts_with(&format!("{}.", q.topic)),
                    "{} binds {f} of another topic",
                    q.key
                );
                bound.insert(*f);
            }
        }
        assert_eq!(bound, defined, "every defined figure is shown somewhere");
    }

    #[test]
    fn questions_are_unique_grouped_by_topic_and_cover_every_topic() {
        let keys: BTreeSet<&str> = QUESTIONS.iter().map(|q| q.key).collect();
        assert_eq!(keys.len(), QUESTIONS.len());
        for t in TOPICS {
            let n = questions_of(t.key).count();
            assert!((2..=4).contains(&n), "{} has {n} questions", t.key);
        }
        for q in QUESTIONS {
            assert!(TOPICS.iter().any(|t| t.key == q.topic), "{}", q.key);
            assert!(q.key.starts_with(&format!("{}.", q.topic)), "{}", q.key);
            assert!(q.text.ends_with('?'), "{} is a question", q.key);
        }
        // Catalogue order follows the topics.
        let order: Vec<usize> = QUESTIONS
            .iter()
            .map(|q| TOPICS.iter().position(|t| t.key == q.topic).unwrap_or(99))
            .collect();
        assert!(order.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn small_figures_are_withheld() {
        assert_eq!(Value::share(3, 4), Value::Withheld);
        assert_eq!(Value::share(0, 0), Value::NoData);
        assert_eq!(Value::share(4, 5), Value::Number(80.0));
        assert_eq!(Value::small_count(0), Value::Number(0.0));
        assert_eq!(Value::small_count(4), Value::Withheld);
        assert_eq!(Value::small_count(5), Value::Number(5.0));
        assert_eq!(Value::count(1), Value::Number(1.0));
        assert_eq!(Value::or_withheld(None), Value::Withheld);
    }

    #[test]
    fn values_read_as_words() {
        assert_eq!(
            Value::Withheld.shown(Unit::Percent),
            "withheld (fewer than 5)"
        );
        assert_eq!(Value::Number(87.5).shown(Unit::Percent), "87.5%");
        assert_eq!(Value::Number(12.0).shown(Unit::Count), "12");
        assert_eq!(Value::Number(3.26).shown(Unit::Days), "3.3 days");
        assert_eq!(Value::NoData.shown(Unit::Count), "no data yet");
        assert_eq!(Value::Number(2.0 / 3.0 * 100.0).cell(), "66.7");
        assert_eq!(Value::Withheld.cell(), "withheld (fewer than 5)");
    }

    #[test]
    fn narratives_are_normalised_and_bounded() {
        assert_eq!(narrative("a\r\nb\rc  \n\n").unwrap(), "a\nb\nc");
        assert_eq!(narrative("").unwrap(), "");
        let max = "é".repeat(MAX_NARRATIVE_CHARS);
        assert_eq!(narrative(&max).unwrap(), max, "characters, not bytes");
        let err = narrative(&format!("{max}x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "narrative: at most 20000 characters (this one has 20001)"
        );
    }

    #[test]
    fn the_verify_line_names_the_command_and_the_head() {
        let l = verify_line(41, "ab12");
        assert!(l.contains("righttrack audit verify"));
        assert!(l.contains("entry 41"));
        assert!(l.contains("ab12"));
    }
}
