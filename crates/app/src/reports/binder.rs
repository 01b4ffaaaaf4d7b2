//! The auditor's evidence binder: stored generations of the figures, bound to the
//! question catalogue (`core::binder`) and the ethics office's narratives.
//!
//! A generation belongs to the person who made it, because the hotline figures depend on
//! what that person may read: [`own_generation`] answers anyone else's id, a malformed
//! one and an unknown one alike with "not found", so ids of others' generations cannot
//! be told from unknown ones. [`binder`] binds a stored generation to the catalogue and
//! the current narratives; that [`Binder`] is what every export represents. The
//! representations themselves (JSON, CSV, printable HTML, PDF) are the web shell's: they
//! are ways of answering a request, not use cases, and the PDF writer sits with them.
//!
//! Writing a narrative and exporting are audited here ([`save_narrative`],
//! [`audit_export`]), so every shell that offers them records them the same way.

use crate::{Caller, Ctx, Error, Result};
use jiff::Timestamp;
use righttrack_core::binder::{self as rules, Figure, FigureDef, Figures, Question, Topic, Value};
use righttrack_core::capa::State as CapaState;
use righttrack_core::dashboard::{hotline_indicators, CaseMonth, Indicator};
use righttrack_core::discipline::Approval;
use righttrack_core::ids::BinderGenerationId;
use righttrack_store::binder::{Generation, GenerationSummary, Narrative};
use righttrack_store::dashboard::EXPOSED;
use righttrack_store::discipline::RecordFilter;
use serde_json::json;
use std::collections::BTreeMap;

/// What the hotline figures count.
pub const COUNTED: &str = "Hotline figures are counts and rates only, never case content. They count the cases the person generating the binder can read (a case they are excluded from by a conflict of interest is not counted) and destroyed cases' statistics.";

/// Why a generation is personal, said on the page.
pub const PERSONAL: &str = "You see and export only the generations you made yourself, because the hotline figures depend on who generates them: cases a person is excluded from by a conflict of interest are not counted for them.";

/// How many earlier generations the page lists.
pub const EARLIER: usize = 10;

/// One figure with its definition; `fig` is `None` when the generation lacks it.
#[derive(Debug, Clone)]
pub struct BoundFigure {
    pub def: &'static FigureDef,
    pub fig: Option<Figure>,
}

impl BoundFigure {
    /// The value as a reader sees it, or [`rules::NOT_COMPUTED`].
    pub fn shown(&self) -> String {
        self.fig.as_ref().map_or_else(
            || rules::NOT_COMPUTED.to_owned(),
            |f| f.value.shown(self.def.unit),
        )
    }

    pub fn value(&self) -> Option<Value> {
        self.fig.as_ref().map(|f| f.value)
    }

    pub fn period(&self) -> String {
        self.fig
            .as_ref()
            .map(|f| f.period.clone())
            .unwrap_or_default()
    }

    pub fn note(&self) -> String {
        self.fig
            .as_ref()
            .map(|f| f.note.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct BoundQuestion {
    pub q: &'static Question,
    pub figures: Vec<BoundFigure>,
    pub narrative: Option<Narrative>,
}

#[derive(Debug, Clone)]
pub struct BoundTopic {
    pub t: &'static Topic,
    pub questions: Vec<BoundQuestion>,
}

/// A stored generation with the catalogue and the current narratives: what is exported.
#[derive(Debug, Clone)]
pub struct Binder {
    pub id: BinderGenerationId,
    pub generated_at: Timestamp,
    pub generated_by: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub topics: Vec<BoundTopic>,
}

impl Binder {
    pub fn verify(&self) -> String {
        rules::verify_line(self.head_seq, &self.head_hash)
    }

    pub fn generated(&self) -> String {
        when(self.generated_at)
    }
}

/// An instant as the binder prints it, to the second, in UTC.
pub fn when(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// The generation `id` if `caller` made it; anything else (malformed, unknown, someone
/// else's) is a 404, so ids of others' generations cannot be told from unknown ones.
pub async fn own_generation(ctx: &Ctx, actor: &Caller, id: &str) -> Result<Generation> {
    let id = BinderGenerationId::parse(id).ok_or_else(Error::not_found)?;
    match ctx.db.binder_generation(id).await? {
        Some(g) if g.summary.generated_by == actor.user.username => Ok(g),
        _ => Err(Error::not_found()),
    }
}

/// The current narratives, by question key.
pub async fn narratives(ctx: &Ctx) -> Result<BTreeMap<String, Narrative>> {
    Ok(ctx
        .db
        .binder_narratives()
        .await?
        .into_iter()
        .map(|n| (n.question_key.clone(), n))
        .collect())
}

/// The catalogue with `figures` (none before the first generation) and the narratives.
pub fn topics(
    figures: Option<&Figures>,
    narratives: &BTreeMap<String, Narrative>,
) -> Vec<BoundTopic> {
    rules::TOPICS
        .iter()
        .map(|t| BoundTopic {
            t,
            questions: rules::questions_of(t.key)
                .map(|q| BoundQuestion {
                    q,
                    figures: q
                        .figures
                        .iter()
                        .filter_map(|key| rules::figure_def(key))
                        .map(|def| BoundFigure {
                            def,
                            fig: figures.and_then(|f| f.get(def.key)).cloned(),
                        })
                        .collect(),
                    narrative: narratives.get(q.key).cloned(),
                })
                .collect(),
        })
        .collect()
}

/// A stored generation bound to the catalogue and the current narratives.
pub async fn binder(ctx: &Ctx, g: Generation) -> Result<Binder> {
    let narratives = narratives(ctx).await?;
    let s = g.summary;
    Ok(Binder {
        id: s.id,
        generated_at: s.generated_at,
        generated_by: s.generated_by,
        head_seq: s.head_seq,
        head_hash: s.head_hash,
        topics: topics(Some(&g.figures), &narratives),
    })
}

/// Writes the narrative of question `key` (at most `core::binder`'s length) as `actor`,
/// audited (`binder.narrative_saved`, with its length only). Returns the question.
pub async fn save_narrative(
    ctx: &Ctx,
    actor: &Caller,
    key: &str,
    narrative: &str,
) -> Result<&'static Question> {
    let Some(q) = rules::question(key) else {
        return Err(Error::not_found());
    };
    let text =
        rules::narrative(narrative).map_err(|e| crate::program::unprocessable("narrative", e))?;
    ctx.db
        .put_binder_narrative(q.key, &text, &actor.user.username, ctx.now())
        .await?;
    ctx.audit(
        &actor.actor(),
        "binder.narrative_saved",
        q.key,
        json!({"chars": text.chars().count()}),
    )
    .await?;
    Ok(q)
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
    Pdf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Pdf => "pdf",
        }
    }
}

/// Records an export in the audit trail, with the generation and the head it carries.
pub async fn audit_export(ctx: &Ctx, actor: &Caller, f: Format, b: &Binder) -> Result<()> {
    ctx.audit(
        &actor.actor(),
        "binder.exported",
        f.name(),
        json!({
            "format": f.name(),
            "generation": b.id,
            "head_seq": b.head_seq,
            "head_hash": b.head_hash,
        }),
    )
    .await?;
    Ok(())
}

/// The newest month of an indicator that has a value, with its label.
fn latest_month(i: Option<&Indicator>, months: &[String]) -> (Value, String) {
    let Some(i) = i else {
        return (Value::NoData, String::new());
    };
    match i.values.iter().rposition(Option::is_some) {
        Some(at) => (
            Value::or_withheld(i.values[at]),
            format!("month {}", months.get(at).cloned().unwrap_or_default()),
        ),
        None => (
            Value::Withheld,
            format!(
                "every month of {} to {} ({})",
                months.first().cloned().unwrap_or_default(),
                months.last().cloned().unwrap_or_default(),
                i.withheld_when
            ),
        ),
    }
}

/// Every figure of [`rules::FIGURES`], computed now for `caller`. Slow on a large
/// organisation: only [`generate`] calls it.
pub async fn figures(ctx: &Ctx, caller: &Caller) -> Result<Figures> {
    let now = ctx.now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let starts = crate::reports::dashboard::month_starts(today, 12)?;
    let start = crate::reports::dashboard::instant(starts[0])?;
    let end = crate::reports::dashboard::instant(starts[12])?;
    let year = format!("{} to {} (twelve months)", starts[0], today);
    let current = "now".to_owned();
    let mut out = Figures::new();
    let mut put = |key: &'static str, value: Value, period: &str, note: String| {
        out.insert(Figure {
            key,
            value,
            period: period.to_owned(),
            note,
        });
    };
    let n = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);

    // Leadership: counts over every leader, none named.
    let l = crate::reports::leadership::all_leaders(ctx, start).await?;
    put(
        "leadership.leaders",
        Value::count(l.leaders),
        &current,
        String::new(),
    );
    for (key, num) in [
        ("leadership.attestations_current", l.attestations_current),
        ("leadership.training_current", l.training_current),
        ("leadership.disclosed", l.disclosed),
    ] {
        put(key, Value::share(num, l.leaders), &current, String::new());
    }
    put(
        "leadership.overrides_overturned",
        Value::share(l.overrides_overturned, l.overrides),
        &year,
        format!("{} overrides", l.overrides),
    );
    put(
        "leadership.decisions_deviating",
        Value::share(l.decisions_deviating, l.decisions),
        &year,
        format!("{} decisions", l.decisions),
    );

    // Policies: the attestation report's rows (current cycles).
    let policies = ctx.db.policies().await?;
    let rows = crate::program::policies::reports_rows(ctx).await?;
    let assigned: i64 = rows.iter().map(|r| i64::from(r.c.assigned)).sum();
    let attested: i64 = rows.iter().map(|r| i64::from(r.c.attested)).sum();
    let answers: i64 = rows.iter().map(|r| r.answers).sum();
    let wrong: i64 = rows.iter().map(|r| r.wrong).sum();
    put(
        "policies.in_force",
        Value::count(n(policies
            .iter()
            .filter(|p| p.retired_at.is_none())
            .count())),
        &current,
        String::new(),
    );
    put(
        "policies.published",
        Value::count(n(ctx.db.published().await?.len())),
        &current,
        String::new(),
    );
    put(
        "policies.attestation_coverage",
        Value::share(attested, assigned),
        "current cycles",
        format!("{attested} of {assigned} assignments over {} policies; per-policy detail under Attestation (/policies/reports).", rows.len()),
    );
    put(
        "policies.attestations_overdue",
        Value::count(rows.iter().map(|r| i64::from(r.c.overdue)).sum()),
        &current,
        String::new(),
    );
    put(
        "policies.comprehension_pass_rate",
        Value::share(answers - wrong, answers),
        "current versions, every attempt",
        if answers == 0 {
            "No quiz answers yet.".to_owned()
        } else {
            format!("{} of {answers} answers correct.", answers - wrong)
        },
    );

    // Training: the standings of the training reports.
    crate::program::training::assign_new(ctx).await?;
    let standings = crate::program::training::standings(ctx, None, now).await?;
    let t = crate::program::training::total(&standings);
    let courses = ctx.db.training_courses().await?;
    put(
        "training.courses",
        Value::count(n(courses.iter().filter(|c| !c.archived).count())),
        &current,
        String::new(),
    );
    put(
        "training.assignments",
        Value::count(n(t.assigned)),
        &current,
        String::new(),
    );
    put(
        "training.completion_rate",
        Value::share(n(t.current), n(t.assigned)),
        &current,
        format!("{} of {} assignments current.", t.current, t.assigned),
    );
    put(
        "training.overdue",
        Value::count(n(t.overdue)),
        &current,
        String::new(),
    );
    let denials = ctx
        .db
        .audit_by_action("gate.denied", start.as_millisecond())
        .await?;
    put(
        "training.gate_denials",
        Value::count(n(denials.len())),
        &year,
        "Counted from the audit trail.".to_owned(),
    );

    // Reporting: one twelve-month period of the viewer's cases, through the dashboard's
    // arithmetic (eleven empty months before it make its trailing sum this period).
    let cases = ctx
        .db
        .cases_by_period(caller.user.id, &[start, end], now)
        .await?;
    let mut months = vec![CaseMonth::default(); 11];
    months.extend(cases.iter().copied());
    let submitted = cases.first().map_or(0, |c| c.submitted);
    let headcount = ctx.db.active_headcount().await?;
    let hotline = hotline_indicators(&months, headcount);
    let ind = |key: &str| {
        Value::or_withheld(
            hotline
                .iter()
                .find(|i| i.key == key)
                .and_then(|i| i.values.last().copied().flatten()),
        )
    };
    let scoped = "Only cases you can read, and destroyed cases' statistics.".to_owned();
    put(
        "reporting.reports",
        Value::small_count(submitted),
        &year,
        scoped.clone(),
    );
    put(
        "reporting.reports_per_100",
        ind("reports_per_100"),
        &year,
        format!("Reference: NAVEX median 1.57. Headcount {headcount}."),
    );
    put(
        "reporting.anonymous_share",
        ind("anonymous_share"),
        &year,
        scoped.clone(),
    );
    put(
        "reporting.substantiation_rate",
        ind("substantiation_rate"),
        &year,
        scoped.clone(),
    );
    put(
        "reporting.mean_days_to_close",
        ind("days_to_close"),
        &year,
        scoped.clone(),
    );
    put(
        "reporting.deadlines_met",
        ind("legal_clock_compliance"),
        &year,
        scoped,
    );

    // Discipline: the recorded decisions (their consistency check is made when recorded).
    let records = ctx
        .db
        .discipline_records(&RecordFilter {
            limit: 10_000,
            ..Default::default()
        })
        .await?;
    let recent: Vec<_> = records.iter().filter(|r| r.decided_at >= start).collect();
    put(
        "discipline.records",
        Value::count(n(recent.len())),
        &year,
        String::new(),
    );
    put(
        "discipline.consistent_share",
        Value::share(
            n(recent.iter().filter(|r| !r.deviation).count()),
            n(recent.len()),
        ),
        &year,
        "Per-group disparity: Discipline disparity report (/discipline/report).".to_owned(),
    );
    put(
        "discipline.deviations_approved",
        Value::count(n(recent
            .iter()
            .filter(|r| r.deviation && r.approval_state == Approval::Approved)
            .count())),
        &year,
        String::new(),
    );
    put(
        "discipline.approvals_pending",
        Value::count(n(records
            .iter()
            .filter(|r| r.approval_state == Approval::Pending)
            .count())),
        &current,
        String::new(),
    );

    // Data analytics: the dashboard's indicators, organisation-wide.
    let d = crate::reports::dashboard::build(ctx, caller, None).await?;
    let by_key = |key: &str| d.interactions.iter().find(|i| i.key == key);
    let reviewed: f64 = by_key("interactions_reviewed")
        .map(|i| i.values.iter().flatten().sum())
        .unwrap_or(0.0);
    put(
        "analytics.interactions_reviewed",
        Value::Number(reviewed),
        &year,
        "Every stored interaction is scanned; none is sampled.".to_owned(),
    );
    let (v, p) = latest_month(by_key("violations_per_1000"), &d.months);
    put(
        "analytics.violations_per_1000",
        v,
        &p,
        "By rule: Dashboard (/dashboard).".to_owned(),
    );
    let (Some(first), Some(last)) = (d.months.first(), d.months.last()) else {
        return Err(Error::internal(&"no months"));
    };
    let exposed: i64 = ctx
        .db
        .interaction_monthly(first, last)
        .await?
        .iter()
        .filter(|r| r.metric == EXPOSED)
        .map(|r| r.value)
        .sum();
    put(
        "analytics.exposures_redacted",
        Value::count(exposed),
        &year,
        "The customer data was redacted before storage; originals are sealed in the vault."
            .to_owned(),
    );
    let (v, p) = latest_month(d.commitments.as_ref(), &d.months);
    put("analytics.commitments_kept", v, &p, String::new());
    let sessions = ctx
        .db
        .calibrations_for(&caller.user.username, true, 500)
        .await?;
    put(
        "analytics.calibration_sessions",
        Value::count(n(sessions
            .iter()
            .filter(|c| c.closed_at.is_some_and(|t| t >= start))
            .count())),
        &year,
        String::new(),
    );

    // Fairness: the same analytics as /fairness, over the twelve months.
    let f = crate::reports::fairness::twelve_months(ctx).await?;
    let flags = f
        .scores_by_team
        .iter()
        .chain(&f.scores_by_site)
        .chain(&f.scores_by_evaluator)
        .filter(|g| g.below_four_fifths)
        .count();
    put(
        "analytics.four_fifths_flags",
        Value::count(n(flags)),
        &year,
        String::new(),
    );
    let departing = f
        .evaluators
        .iter()
        .filter(|e| {
            e.leniency
                .is_some_and(|l| l.abs() >= crate::reports::fairness::LENIENCY_NOTICE)
        })
        .count();
    put(
        "analytics.lenient_evaluators",
        Value::count(n(departing)),
        &year,
        String::new(),
    );

    // Remediation: corrective actions and audit findings.
    let capas = ctx.db.capas(now, 1000).await?;
    let done = |s: CapaState| matches!(s, CapaState::Verified | CapaState::Closed);
    put(
        "remediation.capas_open",
        Value::count(n(capas.iter().filter(|c| !done(c.state())).count())),
        &current,
        String::new(),
    );
    put(
        "remediation.capas_overdue",
        Value::count(n(capas.iter().filter(|c| c.overdue).count())),
        &current,
        String::new(),
    );
    put(
        "remediation.capas_closed",
        Value::count(n(capas.iter().filter(|c| done(c.state())).count())),
        &current,
        String::new(),
    );
    put(
        "remediation.root_cause_share",
        Value::share(
            n(capas
                .iter()
                .filter(|c| {
                    // A hotline CAPA's root cause is sealed under its case key.
                    c.root_cause_sealed.is_some()
                        || c.root_cause
                            .as_deref()
                            .is_some_and(|r| !r.trim().is_empty())
                })
                .count()),
            n(capas.len()),
        ),
        &current,
        String::new(),
    );
    put(
        "remediation.findings_open",
        Value::count(n(ctx.db.open_findings(1000).await?.len())),
        &current,
        String::new(),
    );
    put(
        "remediation.capas_recurring",
        Value::count(n(capas.iter().filter(|c| c.recurring_of.is_some()).count())),
        &current,
        String::new(),
    );
    Ok(out)
}

/// Generates the binder for `caller`: computes every figure, reads the audit head last
/// (computing may audit: assigning newcomers to training is audited), stores the
/// generation and audits it (`binder.generated`, with its id and head), so that entry
/// directly follows the head the generation names.
pub async fn generate(ctx: &Ctx, caller: &Caller) -> Result<Generation> {
    let figures = figures(ctx, caller).await?;
    let (head_seq, head_hash) = ctx.db.audit_head().await?;
    let now = ctx.now();
    let g = Generation {
        summary: GenerationSummary {
            id: BinderGenerationId::new_v7(now, &mut rand::rngs::OsRng),
            generated_at: now,
            generated_by: caller.user.username.clone(),
            head_seq,
            head_hash: righttrack_core::audit::hex(&head_hash),
        },
        figures,
    };
    ctx.db.put_binder_generation(&g).await?;
    let s = &g.summary;
    ctx.audit(
        &caller.actor(),
        "binder.generated",
        &s.id.to_string(),
        json!({"generation": s.id, "head_seq": s.head_seq, "head_hash": s.head_hash}),
    )
    .await?;
    Ok(g)
}

/// What the binder page shows: the viewer's newest generation bound to the current
/// narratives, their earlier ones, and the audit trail's head now.
pub struct Page {
    /// The viewer's newest generation, if any.
    pub latest: Option<GenerationSummary>,
    /// Figures of the catalogue the newest generation lacks (made by an earlier version).
    pub missing: usize,
    /// Up to [`EARLIER`] earlier generations, newest first.
    pub earlier: Vec<GenerationSummary>,
    /// The catalogue with the newest generation's figures and the current narratives.
    pub topics: Vec<BoundTopic>,
    /// The audit trail's head sequence now.
    pub head_seq: i64,
}

/// The binder page of `caller`: never computed here, whatever the size of the
/// organisation (one generation, a short list, the narratives and the audit head).
pub async fn page(ctx: &Ctx, caller: &Caller) -> Result<Page> {
    let me = &caller.user.username;
    let latest = ctx.db.latest_binder_generation(me).await?;
    let listed = ctx
        .db
        .binder_generations(me, i64::try_from(EARLIER + 1).unwrap_or(11))
        .await?;
    let narratives = narratives(ctx).await?;
    let (head_seq, _) = ctx.db.audit_head().await?;
    let topics = topics(latest.as_ref().map(|g| &g.figures), &narratives);
    let latest_id = latest.as_ref().map(|g| g.summary.id);
    let earlier = listed
        .into_iter()
        .filter(|s| Some(s.id) != latest_id)
        .take(EARLIER)
        .collect();
    Ok(Page {
        missing: latest.as_ref().map_or(0, |g| g.figures.missing().len()),
        latest: latest.map(|g| g.summary),
        earlier,
        topics,
        head_seq,
    })
}

/// The generation to export (`id` if given and the caller's, else the caller's newest,
/// else a new one), bound to the current narratives; the export is audited.
pub async fn export(ctx: &Ctx, caller: &Caller, f: Format, id: Option<&str>) -> Result<Binder> {
    let g = match id.filter(|id| !id.is_empty()) {
        Some(id) => own_generation(ctx, caller, id).await?,
        None => match ctx
            .db
            .latest_binder_generation(&caller.user.username)
            .await?
        {
            Some(g) => g,
            None => generate(ctx, caller).await?,
        },
    };
    let b = binder(ctx, g).await?;
    audit_export(ctx, caller, f, &b).await?;
    Ok(b)
}

/// Generates the binder for `caller` and returns it as exported in `f` (audited as
/// generated and as exported).
pub async fn generate_and_export(ctx: &Ctx, caller: &Caller, f: Format) -> Result<Binder> {
    let g = generate(ctx, caller).await?;
    let b = binder(ctx, g).await?;
    audit_export(ctx, caller, f, &b).await?;
    Ok(b)
}
