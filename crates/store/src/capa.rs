//! Internal audits (templates, schedules, instances, findings) and corrective actions
//! (CAPA) with their history and content-free overdue notices. The rules are in
//! `righttrack_core::capa`.
//!
//! An audit's checklist items are copied from its template when it is created, so a
//! later edit of the template leaves audits already done unchanged. Materialising is
//! idempotent: the database refuses a second audit of the same schedule and due
//! instant, so two sweepers (or a sweeper and `righttrack audits materialise`) create
//! each audit once. Completing an audit is one transaction that answers every item and
//! turns the failed ones into findings, and only an open audit can be completed.
//!
//! A CAPA moves through its states by compare-and-set on the state it was read in, so
//! two people pressing the same button make one move; every move is kept in
//! `capa_events`. Reads decide *overdue* from the due instant.

use crate::notices::Notices;
use crate::{found, from_ms, ms, Db, Result, StoreError};
use jiff::{SignedDuration, Timestamp};
use righttrack_core::capa::{self as rules, State};
use righttrack_core::ids::{new_row_id, UserId};
use serde::Serialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------- audits

#[derive(Debug, Clone, Serialize)]
pub struct AuditTemplate {
    pub id: String,
    pub name: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewSchedule {
    pub template_id: String,
    pub site_name: Option<String>,
    pub every_months: u32,
    pub first_due: Timestamp,
    pub auditor: Option<String>,
    pub by_user: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub id: String,
    pub template: String,
    pub site_name: Option<String>,
    pub every_months: i64,
    pub next_due: Timestamp,
    pub auditor: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub id: String,
    pub title: String,
    pub site_name: Option<String>,
    pub auditor: Option<String>,
    pub due_at: Timestamp,
    /// open, overdue or completed.
    pub status: &'static str,
    pub completed_by: Option<String>,
    pub completed_at: Option<Timestamp>,
    pub findings: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditItem {
    pub position: i64,
    pub text: String,
    /// pass, fail or na once answered.
    pub answer: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: String,
    pub audit_id: String,
    pub audit_title: String,
    pub position: i64,
    pub text: String,
    pub note: Option<String>,
    pub site_name: Option<String>,
    pub created_at: Timestamp,
    /// The CAPA raised from it, if any.
    pub capa: Option<String>,
}

/// One answered item: position, answer (pass|fail|na), note.
#[derive(Debug, Clone)]
pub struct ItemAnswer {
    pub position: i64,
    pub answer: rules::Answer,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    title: String,
    site_name: Option<String>,
    auditor: Option<String>,
    due_at: i64,
    status: String,
    completed_by: Option<String>,
    completed_at: Option<i64>,
    findings: i64,
}

impl AuditRow {
    fn into_audit(self, now: Timestamp) -> Audit {
        let due_at = from_ms(self.due_at);
        Audit {
            status: match self.status.as_str() {
                "completed" => "completed",
                _ if due_at <= now => "overdue",
                _ => "open",
            },
            id: self.id,
            title: self.title,
            site_name: self.site_name,
            auditor: self.auditor,
            due_at,
            completed_by: self.completed_by,
            completed_at: self.completed_at.map(from_ms),
            findings: self.findings,
        }
    }
}

const AUDIT_COLS: &str =
    "a.id, a.title, a.site_name, a.auditor, a.due_at, a.status, a.completed_by, a.completed_at, \
     CAST((SELECT COUNT(*) FROM audit_findings f WHERE f.audit_id = a.id) AS BIGINT) AS findings";

#[derive(sqlx::FromRow)]
struct FindingRow {
    id: String,
    audit_id: String,
    title: String,
    position: i64,
    text: String,
    note: Option<String>,
    site_name: Option<String>,
    created_at: i64,
    capa: Option<String>,
}

const FINDING_SQL: &str = "SELECT f.id, f.audit_id, a.title, f.position, f.text, f.note, f.site_name, f.created_at, \
     (SELECT MIN(c.id) FROM capas c WHERE c.source_kind = 'audit_finding' AND c.source_ref = f.id) AS capa \
     FROM audit_findings f JOIN audits a ON a.id = f.audit_id";

impl From<FindingRow> for Finding {
    fn from(r: FindingRow) -> Self {
        Finding {
            id: r.id,
            audit_id: r.audit_id,
            audit_title: r.title,
            position: r.position,
            text: r.text,
            note: r.note,
            site_name: r.site_name,
            created_at: from_ms(r.created_at),
            capa: r.capa,
        }
    }
}

/// (id, template name, site, every months, next due, auditor)
type ScheduleRow = (String, String, Option<String>, i64, i64, Option<String>);
/// (id, template id, template name, site, every months, next due, auditor)
type DueRow = (
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
);

/// CAPA reminders: one a day per person.
const CAPA_NOTICES: Notices = Notices {
    table: "capa_notifications",
    one_a_day: "user_id, day",
};

impl Db {
    /// Stores a checklist template. [`StoreError::Conflict`] for a name in use.
    pub async fn create_audit_template(
        &self,
        name: &str,
        items: &[String],
        by_user: &str,
        at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(at, rng);
        in_tx!(self, |tx| {
            try_execute!(
                &mut *tx,
                "INSERT INTO audit_templates (id, name, created_by, created_at) VALUES ($1, $2, $3, $4)",
                &id,
                name,
                by_user,
                ms(at),
            )
            .map_err(|e| StoreError::from(e).naming(|| format!("A checklist named \"{name}\"")))?;
            for (i, text) in items.iter().enumerate() {
                execute!(
                    &mut *tx,
                    "INSERT INTO audit_template_items (template_id, position, text) VALUES ($1, $2, $3)",
                    &id,
                    i64::try_from(i).unwrap_or(i64::MAX),
                    text,
                );
            }
        })?;
        Ok(id)
    }

    /// Every template with its items, by name.
    pub async fn audit_templates(&self) -> Result<Vec<AuditTemplate>> {
        let rows: Vec<(String, String, Option<i64>, Option<String>)> = fetch!(
            self,
            fetch_all,
            "SELECT t.id, t.name, i.position, i.text FROM audit_templates t \
                 LEFT JOIN audit_template_items i ON i.template_id = t.id ORDER BY t.name, t.id, i.position",
        );
        let mut out: Vec<AuditTemplate> = Vec::new();
        for (id, name, _, text) in rows {
            if out.last().is_none_or(|t| t.id != id) {
                out.push(AuditTemplate {
                    id,
                    name,
                    items: Vec::new(),
                });
            }
            if let (Some(t), Some(last)) = (text, out.last_mut()) {
                last.items.push(t);
            }
        }
        Ok(out)
    }

    /// Stores a schedule; its first audit is created by the next materialisation.
    /// [`StoreError::NotFound`] for an unknown template.
    pub async fn create_audit_schedule(
        &self,
        s: &NewSchedule,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(s.at, rng);
        let n = execute!(
            self,
            "INSERT INTO audit_schedules (id, template_id, site_name, every_months, next_due, auditor, created_by, created_at) \
                 SELECT $1, t.id, $2, $3, $4, $5, $6, $7 FROM audit_templates t WHERE t.id = $8",
            &id,
            &s.site_name,
            i64::from(s.every_months),
            ms(s.first_due),
            &s.auditor,
            &s.by_user,
            ms(s.at),
            &s.template_id,
        );
        found(n)?;
        Ok(id)
    }

    pub async fn audit_schedules(&self) -> Result<Vec<Schedule>> {
        let rows: Vec<ScheduleRow> = fetch!(
            self,
            fetch_all,
            "SELECT s.id, t.name, s.site_name, s.every_months, s.next_due, s.auditor FROM audit_schedules s \
                     JOIN audit_templates t ON t.id = s.template_id ORDER BY t.name, s.site_name, s.id",
        );
        Ok(rows
            .into_iter()
            .map(|r| Schedule {
                id: r.0,
                template: r.1,
                site_name: r.2,
                every_months: r.3,
                next_due: from_ms(r.4),
                auditor: r.5,
            })
            .collect())
    }

    /// Creates the audits every schedule has due before `now + LEAD` and advances the
    /// schedules. Idempotent. Returns the ids of the audits created.
    pub async fn materialise_audits(
        &self,
        now: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<Vec<String>> {
        #[allow(clippy::type_complexity)]
        let schedules: Vec<DueRow> = fetch!(
            self,
            fetch_all,
            "SELECT s.id, s.template_id, t.name, s.site_name, s.every_months, s.next_due, s.auditor \
                     FROM audit_schedules s JOIN audit_templates t ON t.id = s.template_id ORDER BY s.id",
        );
        let mut created = Vec::new();
        for (sid, tid, name, site, every, next_due, auditor) in schedules {
            let (dues, after) =
                rules::due_instants(from_ms(next_due), u32::try_from(every).unwrap_or(1), now);
            if dues.is_empty() {
                continue;
            }
            let title = match &site {
                Some(s) => format!("{name} — {s}"),
                None => name.clone(),
            };
            let ids: Vec<String> = dues.iter().map(|_| new_row_id(now, rng)).collect();
            let made: Vec<String> = in_tx!(self, |tx| {
                let mut made = Vec::new();
                for (due, id) in dues.iter().zip(&ids) {
                    let n = execute!(
                        &mut *tx,
                        "INSERT INTO audits (id, template_id, schedule_id, title, site_name, auditor, due_at, status, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) ON CONFLICT (schedule_id, due_at) DO NOTHING",
                        id,
                        &tid,
                        &sid,
                        &title,
                        &site,
                        &auditor,
                        ms(*due),
                        ms(now),
                    );
                    if n == 1 {
                        execute!(
                            &mut *tx,
                            "INSERT INTO audit_items (audit_id, position, text) \
                             SELECT $1, position, text FROM audit_template_items WHERE template_id = $2",
                            id,
                            &tid,
                        );
                        made.push(id.clone());
                    }
                }
                execute!(
                    &mut *tx,
                    "UPDATE audit_schedules SET next_due = $1 WHERE id = $2 AND next_due = $3",
                    ms(after),
                    &sid,
                    next_due,
                );
                made
            })?;
            created.extend(made);
        }
        Ok(created)
    }

    /// Audits, open ones soonest due first, then completed ones most recent first.
    pub async fn audits(&self, now: Timestamp, limit: i64) -> Result<Vec<Audit>> {
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audits a \
             ORDER BY CASE WHEN a.status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN a.status = 'open' THEN a.due_at ELSE -a.completed_at END, a.id LIMIT $1"
        );
        let rows: Vec<AuditRow> = fetch!(self, fetch_all, &sql, limit.clamp(1, 1000));
        Ok(rows.into_iter().map(|r| r.into_audit(now)).collect())
    }

    /// One audit with its items and findings.
    pub async fn audit(
        &self,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<(Audit, Vec<AuditItem>, Vec<Finding>)>> {
        let sql = format!("SELECT {AUDIT_COLS} FROM audits a WHERE a.id = $1");
        let row: Option<AuditRow> = fetch!(self, fetch_optional, &sql, id);
        let Some(row) = row else { return Ok(None) };
        let items: Vec<(i64, String, Option<String>, Option<String>)> = fetch!(
            self,
            fetch_all,
            "SELECT position, text, answer, note FROM audit_items WHERE audit_id = $1 ORDER BY position",
            id,
        );
        let fsql = format!("{FINDING_SQL} WHERE f.audit_id = $1 ORDER BY f.position");
        let findings: Vec<FindingRow> = fetch!(self, fetch_all, &fsql, id);
        Ok(Some((
            row.into_audit(now),
            items
                .into_iter()
                .map(|(position, text, answer, note)| AuditItem {
                    position,
                    text,
                    answer,
                    note,
                })
                .collect(),
            findings.into_iter().map(Finding::from).collect(),
        )))
    }

    /// Answers every item of an open audit and records each failed one as a finding, in
    /// one transaction. False if the audit is unknown or already completed. The caller
    /// has checked that `answers` covers every item.
    pub async fn complete_audit(
        &self,
        id: &str,
        answers: &[ItemAnswer],
        by_user: &str,
        at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<bool> {
        let ids: Vec<String> = answers.iter().map(|_| new_row_id(at, rng)).collect();
        in_tx!(self, |tx| {
            let site: Option<(Option<String>,)> = fetch!(
                &mut *tx,
                fetch_optional,
                "SELECT site_name FROM audits WHERE id = $1 AND status = 'open'",
                id,
            );
            let Some((site,)) = site else {
                return Ok(false);
            };
            let n = execute!(
                &mut *tx,
                "UPDATE audits SET status = 'completed', completed_by = $1, completed_at = $2 WHERE id = $3 AND status = 'open'",
                by_user,
                ms(at),
                id,
            );
            if n != 1 {
                return Ok(false);
            }
            for (a, fid) in answers.iter().zip(&ids) {
                execute!(
                    &mut *tx,
                    "UPDATE audit_items SET answer = $1, note = $2 WHERE audit_id = $3 AND position = $4",
                    a.answer.as_str(),
                    &a.note,
                    id,
                    a.position,
                );
                if a.answer == rules::Answer::Fail {
                    execute!(
                        &mut *tx,
                        "INSERT INTO audit_findings (id, audit_id, position, text, note, site_name, created_at) \
                         SELECT $1, audit_id, position, text, note, $2, $3 FROM audit_items WHERE audit_id = $4 AND position = $5",
                        fid,
                        &site,
                        ms(at),
                        id,
                        a.position,
                    );
                }
            }
            true
        })
    }

    pub async fn audit_finding(&self, id: &str) -> Result<Option<Finding>> {
        let sql = format!("{FINDING_SQL} WHERE f.id = $1");
        let row: Option<FindingRow> = fetch!(self, fetch_optional, &sql, id);
        Ok(row.map(Finding::from))
    }

    /// Findings without a CAPA yet, newest first.
    pub async fn open_findings(&self, limit: i64) -> Result<Vec<Finding>> {
        let sql = format!(
            "{FINDING_SQL} WHERE NOT EXISTS (SELECT 1 FROM capas c WHERE c.source_kind = 'audit_finding' AND c.source_ref = f.id) \
             ORDER BY f.created_at DESC, f.id LIMIT $1"
        );
        let rows: Vec<FindingRow> = fetch!(self, fetch_all, &sql, limit.clamp(1, 1000));
        Ok(rows.into_iter().map(Finding::from).collect())
    }
}

// ---------------------------------------------------------------- CAPA

#[derive(Debug, Clone)]
pub struct NewCapa {
    pub title: String,
    pub source_kind: rules::SourceKind,
    pub source_ref: String,
    pub source_label: String,
    /// What recurrence is judged on besides the rule (a checklist item's text, a
    /// hot-spot, a case reference).
    pub subject: String,
    pub site_name: Option<String>,
    pub rule: Option<String>,
    pub owner: String,
    pub due_at: Timestamp,
    /// (rule, baseline per 1,000 interactions, days).
    pub metric: Option<(String, f64, i64)>,
    pub created_by: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Capa {
    pub id: String,
    pub title: String,
    pub source_kind: String,
    pub source_ref: String,
    pub source_label: String,
    pub site_name: Option<String>,
    pub rule: Option<String>,
    pub recurring_of: Option<String>,
    pub owner: String,
    pub due_at: Timestamp,
    pub state: String,
    pub overdue: bool,
    pub root_cause: Option<String>,
    pub plan: Option<String>,
    pub metric_rule: Option<String>,
    pub metric_baseline: Option<f64>,
    pub metric_days: Option<i64>,
    pub implemented_at: Option<Timestamp>,
    pub escalated_at: Option<Timestamp>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// A hotline CAPA's texts, sealed under the case key (`title` is then a fixed text
    /// and `root_cause` and `plan` are empty).
    #[serde(skip)]
    pub title_sealed: Option<Vec<u8>>,
    #[serde(skip)]
    pub root_cause_sealed: Option<Vec<u8>>,
    #[serde(skip)]
    pub plan_sealed: Option<Vec<u8>>,
}

impl Capa {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Open)
    }
}

#[derive(sqlx::FromRow)]
struct CapaRow {
    id: String,
    title: String,
    source_kind: String,
    source_ref: String,
    source_label: String,
    site_name: Option<String>,
    rule: Option<String>,
    recurring_of: Option<String>,
    owner: String,
    due_at: i64,
    state: String,
    root_cause: Option<String>,
    plan: Option<String>,
    metric_rule: Option<String>,
    metric_baseline: Option<f64>,
    metric_days: Option<i64>,
    implemented_at: Option<i64>,
    escalated_at: Option<i64>,
    created_by: String,
    created_at: i64,
    closed_at: Option<i64>,
    title_sealed: Option<Vec<u8>>,
    root_cause_sealed: Option<Vec<u8>>,
    plan_sealed: Option<Vec<u8>>,
}

const CAPA_COLS: &str = "id, title, source_kind, source_ref, source_label, site_name, rule, recurring_of, owner, due_at, state, \
     root_cause, plan, metric_rule, metric_baseline, metric_days, implemented_at, escalated_at, created_by, created_at, closed_at, \
     title_sealed, root_cause_sealed, plan_sealed";

impl CapaRow {
    fn into_capa(self, now: Timestamp) -> Capa {
        let due_at = from_ms(self.due_at);
        let state = State::parse(&self.state).unwrap_or(State::Open);
        Capa {
            overdue: rules::is_overdue(state, due_at, now),
            id: self.id,
            title: self.title,
            source_kind: self.source_kind,
            source_ref: self.source_ref,
            source_label: self.source_label,
            site_name: self.site_name,
            rule: self.rule,
            recurring_of: self.recurring_of,
            owner: self.owner,
            due_at,
            state: self.state,
            root_cause: self.root_cause,
            plan: self.plan,
            metric_rule: self.metric_rule,
            metric_baseline: self.metric_baseline,
            metric_days: self.metric_days,
            implemented_at: self.implemented_at.map(from_ms),
            escalated_at: self.escalated_at.map(from_ms),
            created_by: self.created_by,
            created_at: from_ms(self.created_at),
            closed_at: self.closed_at.map(from_ms),
            title_sealed: self.title_sealed,
            root_cause_sealed: self.root_cause_sealed,
            plan_sealed: self.plan_sealed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CapaEvent {
    pub at: Timestamp,
    pub by_user: String,
    pub step: String,
    pub from_state: String,
    pub to_state: String,
    pub note: Option<String>,
    /// A hotline CAPA's note, sealed under the case key (`note` is then empty).
    #[serde(skip)]
    pub note_sealed: Option<Vec<u8>>,
}

/// A hotline CAPA's texts sealed under its case key, to replace clear ones.
#[derive(Debug, Clone, Default)]
pub struct SealedCapaTexts {
    pub title: Vec<u8>,
    pub root_cause: Option<Vec<u8>>,
    pub plan: Option<Vec<u8>>,
    /// (event id, sealed note)
    pub notes: Vec<(String, Vec<u8>)>,
}

/// What a move writes besides the state.
#[derive(Debug, Clone, Default)]
pub struct Move {
    pub root_cause: Option<String>,
    pub plan: Option<String>,
    pub note: Option<String>,
    /// For a hotline CAPA: the same texts sealed under the case key, instead.
    pub root_cause_sealed: Option<Vec<u8>>,
    pub plan_sealed: Option<Vec<u8>>,
    pub note_sealed: Option<Vec<u8>>,
}

impl Db {
    /// Stores a new CAPA in state `open`, flagged as recurring when a CAPA on the same
    /// subject and site closed within `RECURRENCE_DAYS`. Returns (id, recurring of).
    pub async fn create_capa(
        &self,
        c: &NewCapa,
        rng: &mut impl rand::RngCore,
    ) -> Result<(String, Option<String>)> {
        let id = new_row_id(c.created_at, rng);
        let key = rules::recurrence_key(c.source_kind, &c.subject, c.rule.as_deref());
        let since = c
            .created_at
            .checked_sub(SignedDuration::from_hours(rules::RECURRENCE_DAYS * 24))
            .unwrap_or(c.created_at);
        let (mrule, mbase, mdays) = match &c.metric {
            Some((r, b, d)) => (Some(r.clone()), Some(*b), Some(*d)),
            None => (None, None, None),
        };
        let recurring: Option<String> = in_tx!(self, |tx| {
            let prior: Option<String> = match &key {
                Some(k) => {
                    scalar!(
                        &mut *tx,
                        fetch_optional,
                        "SELECT id FROM capas WHERE recurrence_key = $1 AND state = 'closed' AND closed_at >= $2 \
                         AND COALESCE(site_name, '') = $3 ORDER BY closed_at DESC, id DESC LIMIT 1",
                        k,
                        ms(since),
                        c.site_name.as_deref().unwrap_or(""),
                    )
                }
                None => None,
            };
            execute!(
                &mut *tx,
                "INSERT INTO capas (id, title, source_kind, source_ref, source_label, site_name, rule, recurrence_key, recurring_of, \
                 owner, due_at, state, metric_rule, metric_baseline, metric_days, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13, $14, $15, $16)",
                &id,
                &c.title,
                c.source_kind.as_str(),
                &c.source_ref,
                &c.source_label,
                &c.site_name,
                &c.rule,
                &key,
                &prior,
                &c.owner,
                ms(c.due_at),
                &mrule,
                mbase,
                mdays,
                &c.created_by,
                ms(c.created_at),
            );
            prior
        })?;
        Ok((id, recurring))
    }

    pub async fn capa(&self, id: &str, now: Timestamp) -> Result<Option<Capa>> {
        let sql = format!("SELECT {CAPA_COLS} FROM capas WHERE id = $1");
        let row: Option<CapaRow> = fetch!(self, fetch_optional, &sql, id);
        Ok(row.map(|r| r.into_capa(now)))
    }

    /// Stores a hotline CAPA's title sealed under its case key (its clear title is a
    /// fixed text).
    pub async fn set_capa_title_sealed(&self, id: &str, sealed: &[u8]) -> Result<()> {
        execute!(
            self,
            "UPDATE capas SET title_sealed = $1 WHERE id = $2",
            sealed,
            id
        );
        Ok(())
    }

    /// Seals what a hotline CAPA made before sealing kept in the clear: its title, root
    /// cause, plan and its events' notes are replaced by the sealed values given (the
    /// clear title by `title`, the rest by NULL), in one transaction.
    pub async fn seal_capa_texts(
        &self,
        id: &str,
        title: &str,
        sealed: &SealedCapaTexts,
    ) -> Result<()> {
        in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "UPDATE capas SET title = $1, title_sealed = $2, root_cause = NULL, root_cause_sealed = COALESCE($3, root_cause_sealed), \
                 plan = NULL, plan_sealed = COALESCE($4, plan_sealed) WHERE id = $5",
                title,
                &sealed.title,
                &sealed.root_cause,
                &sealed.plan,
                id,
            );
            for (event, note) in &sealed.notes {
                execute!(
                    &mut *tx,
                    "UPDATE capa_events SET note = NULL, note_sealed = $1 WHERE id = $2 AND capa_id = $3",
                    note,
                    event,
                    id,
                );
            }
        })
    }

    /// Events of a CAPA whose note is still in the clear: (event id, note).
    pub async fn capa_clear_notes(&self, id: &str) -> Result<Vec<(String, String)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT id, note FROM capa_events WHERE capa_id = $1 AND note IS NOT NULL ORDER BY at, id",
            id,
        ))
    }

    /// CAPAs: active ones soonest due first, then verified and closed ones.
    pub async fn capas(&self, now: Timestamp, limit: i64) -> Result<Vec<Capa>> {
        let sql = format!(
            "SELECT {CAPA_COLS} FROM capas ORDER BY CASE WHEN state IN ('verified', 'closed') THEN 1 ELSE 0 END, due_at, id LIMIT $1"
        );
        let rows: Vec<CapaRow> = fetch!(self, fetch_all, &sql, limit.clamp(1, 1000));
        Ok(rows.into_iter().map(|r| r.into_capa(now)).collect())
    }

    pub async fn capa_events(&self, id: &str) -> Result<Vec<CapaEvent>> {
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT at, by_user, step, from_state, to_state, note, note_sealed FROM capa_events WHERE capa_id = $1 ORDER BY at, id",
            id,
        );
        Ok(rows
            .into_iter()
            .map(|r| CapaEvent {
                at: from_ms(r.0),
                by_user: r.1,
                step: r.2,
                from_state: r.3,
                to_state: r.4,
                note: r.5,
                note_sealed: r.6,
            })
            .collect())
    }

    /// Moves a CAPA from `from` to `to` (compare-and-set) and records the event. False
    /// when it was no longer in `from`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one compare-and-set move: the states, the step, its texts, who, when"
    )]
    pub async fn move_capa(
        &self,
        id: &str,
        from: State,
        to: State,
        step: rules::Step,
        m: &Move,
        by_user: &str,
        at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<bool> {
        let eid = new_row_id(at, rng);
        let implemented = (to == State::Implemented).then(|| ms(at));
        let closed = (to == State::Closed).then(|| ms(at));
        in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE capas SET state = $1, root_cause = COALESCE($2, root_cause), plan = COALESCE($3, plan), \
                 implemented_at = COALESCE($4, implemented_at), closed_at = COALESCE($5, closed_at), \
                 root_cause_sealed = COALESCE($8, root_cause_sealed), plan_sealed = COALESCE($9, plan_sealed) \
                 WHERE id = $6 AND state = $7",
                to.as_str(),
                &m.root_cause,
                &m.plan,
                implemented,
                closed,
                id,
                from.as_str(),
                &m.root_cause_sealed,
                &m.plan_sealed,
            );
            if n != 1 {
                return Ok(false);
            }
            execute!(
                &mut *tx,
                "INSERT INTO capa_events (id, capa_id, at, by_user, step, from_state, to_state, note, note_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &eid,
                id,
                ms(at),
                by_user,
                step.as_str(),
                from.as_str(),
                to.as_str(),
                &m.note,
                &m.note_sealed,
            );
            true
        })
    }

    /// Interactions started in `[from, to)`: (how many, how many a rule fired in, per
    /// rule). The `rules` column lists the rules that fired as `,a,b,`.
    pub async fn rule_hits(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(u64, BTreeMap<String, u64>)> {
        let rows: Vec<(String,)> = fetch!(
            self,
            fetch_all,
            "SELECT rules FROM interactions WHERE started_at >= $1 AND started_at < $2",
            ms(from),
            ms(to),
        );
        let mut hits: BTreeMap<String, u64> = BTreeMap::new();
        for (r,) in &rows {
            for rule in r.split(',').filter(|s| !s.is_empty()) {
                *hits.entry(rule.to_owned()).or_default() += 1;
            }
        }
        Ok((rows.len() as u64, hits))
    }

    /// (interactions, interactions `rule` fired in) started in `[from, to)`.
    pub async fn rule_count(
        &self,
        rule: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<(u64, u64)> {
        let escaped: String = rule
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%,{escaped},%");
        let (total, hits): (i64, i64) = fetch!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN rules LIKE $3 ESCAPE '\\' THEN 1 ELSE 0 END), 0) AS BIGINT) \
                 FROM interactions WHERE started_at >= $1 AND started_at < $2",
            ms(from),
            ms(to),
            &pattern,
        );
        Ok((
            u64::try_from(total).unwrap_or(0),
            u64::try_from(hits).unwrap_or(0),
        ))
    }

    /// Active CAPAs past due that were not escalated yet.
    pub async fn unescalated_overdue_capas(&self, now: Timestamp) -> Result<Vec<Capa>> {
        let sql = format!(
            "SELECT {CAPA_COLS} FROM capas WHERE state NOT IN ('verified', 'closed') AND due_at <= $1 AND escalated_at IS NULL ORDER BY due_at, id"
        );
        let rows: Vec<CapaRow> = fetch!(self, fetch_all, &sql, ms(now));
        Ok(rows.into_iter().map(|r| r.into_capa(now)).collect())
    }

    /// Marks a CAPA escalated; false if it already was.
    pub async fn mark_capa_escalated(&self, id: &str, at: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE capas SET escalated_at = $1 WHERE id = $2 AND escalated_at IS NULL",
            ms(at),
            id,
        );
        Ok(n == 1)
    }

    /// Usernames owning an active overdue CAPA.
    pub async fn overdue_capa_owners(&self, now: Timestamp) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT owner FROM capas WHERE state NOT IN ('verified', 'closed') AND due_at <= $1 ORDER BY owner",
            ms(now),
        ))
    }

    /// Stores the day's CAPA notice for a user (at most one a day). Returns whether new.
    pub async fn put_capa_notification(
        &self,
        user: UserId,
        day: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<bool> {
        self.put_notice(&CAPA_NOTICES, user, day, text, at).await
    }

    /// A user's unseen CAPA notices, newest first, marked seen by this read.
    pub async fn take_capa_notifications(
        &self,
        user: UserId,
        at: Timestamp,
    ) -> Result<Vec<(String, String)>> {
        let rows = self.unseen_notices(&CAPA_NOTICES, user).await?;
        if !rows.is_empty() {
            self.mark_notices_seen(&CAPA_NOTICES, user, at).await?;
        }
        Ok(rows)
    }
}
