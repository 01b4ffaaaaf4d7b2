//! Discipline decision records, the configurable lists of issue #7 (violation classes,
//! conduct values) and the comparable-case queries. The rules are in
//! `righttrack_core::discipline`.
//!
//! *Comparable cases* and *prior records* count only decisions in force: not rejected
//! and not awaiting a second approver. Approving is a compare-and-set on `pending`, so
//! a decision is approved or rejected once. Records are also the discipline input of
//! the retaliation watch ([`Db::discipline_times`]): every record not rejected, pending
//! ones included (a decision awaiting approval is already an adverse act).

use crate::query::Query;
use crate::{from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::discipline::{Approval, Sanction};
use righttrack_core::ids::new_row_id;
use serde::Serialize;

/// A decision to store; the caller has computed the prior record, the comparable cases
/// and whether it deviates.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub subject: String,
    pub site_name: Option<String>,
    pub team_name: Option<String>,
    pub role_level: String,
    pub violation_class: String,
    pub severity: i64,
    pub aggravating: Vec<String>,
    pub mitigating: Vec<String>,
    pub prior_records: i64,
    pub sanction: Sanction,
    pub comparable_cases: i64,
    pub comparable_median: Option<Sanction>,
    pub deviation: bool,
    pub rationale: Option<String>,
    pub decided_by: String,
    pub decided_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub id: String,
    pub subject: String,
    pub site_name: Option<String>,
    pub team_name: Option<String>,
    pub role_level: String,
    pub violation_class: String,
    pub severity: i64,
    pub aggravating: Vec<String>,
    pub mitigating: Vec<String>,
    pub prior_records: i64,
    /// The sanction's key (`coaching` … `termination`).
    pub sanction: &'static str,
    #[serde(skip)]
    pub sanction_step: Sanction,
    pub comparable_cases: i64,
    pub comparable_median: Option<&'static str>,
    pub deviation: bool,
    pub rationale: Option<String>,
    pub decided_by: String,
    pub decided_at: Timestamp,
    /// not_needed, pending, approved or rejected.
    pub approval: &'static str,
    #[serde(skip)]
    pub approval_state: Approval,
    pub approver: Option<String>,
    pub approved_at: Option<Timestamp>,
    pub approval_note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    subject: String,
    site_name: Option<String>,
    team_name: Option<String>,
    role_level: String,
    violation_class: String,
    severity: i64,
    aggravating: String,
    mitigating: String,
    prior_records: i64,
    sanction: i64,
    comparable_cases: i64,
    comparable_median: Option<i64>,
    deviation: bool,
    rationale: Option<String>,
    decided_by: String,
    decided_at: i64,
    approval: String,
    approver: Option<String>,
    approved_at: Option<i64>,
    approval_note: Option<String>,
}

const COLS: &str = "id, subject, site_name, team_name, role_level, violation_class, severity, aggravating, mitigating, \
     prior_records, sanction, comparable_cases, comparable_median, deviation, rationale, decided_by, decided_at, approval, \
     approver, approved_at, approval_note";

/// Decisions in force (comparable cases, prior records).
const IN_FORCE: &str = "approval IN ('not_needed', 'approved')";

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Row {
    fn into_record(self) -> Result<Record> {
        let bad =
            |what: &str| StoreError::Corrupt(format!("discipline record {}: {what}", self.id));
        let sanction = Sanction::from_step(self.sanction).ok_or_else(|| bad("sanction"))?;
        let approval = Approval::parse(&self.approval).ok_or_else(|| bad("approval"))?;
        let median = self.comparable_median.and_then(Sanction::from_step);
        Ok(Record {
            aggravating: split(&self.aggravating),
            mitigating: split(&self.mitigating),
            sanction: sanction.as_str(),
            sanction_step: sanction,
            comparable_median: median.map(Sanction::as_str),
            approval: approval.as_str(),
            approval_state: approval,
            decided_at: from_ms(self.decided_at),
            approved_at: self.approved_at.map(from_ms),
            id: self.id,
            subject: self.subject,
            site_name: self.site_name,
            team_name: self.team_name,
            role_level: self.role_level,
            violation_class: self.violation_class,
            severity: self.severity,
            prior_records: self.prior_records,
            comparable_cases: self.comparable_cases,
            deviation: self.deviation,
            rationale: self.rationale,
            decided_by: self.decided_by,
            approver: self.approver,
            approval_note: self.approval_note,
        })
    }
}

/// Which records to list.
#[derive(Debug, Clone, Default)]
pub struct RecordFilter {
    /// Only decisions by this decision maker.
    pub decided_by: Option<String>,
    pub approval: Option<Approval>,
    pub subject: Option<String>,
    pub limit: i64,
}

impl Db {
    /// The names of a configurable list (`violation_classes` or `conduct_values`).
    async fn names(&self, table: &'static str) -> Result<Vec<String>> {
        let sql = format!("SELECT name FROM {table} ORDER BY name");
        Ok(scalar!(self, fetch_all, &sql))
    }

    /// Adds a name to a configurable list; false if it was there.
    async fn add_name(&self, table: &'static str, name: &str, at: Timestamp) -> Result<bool> {
        let sql = format!(
            "INSERT INTO {table} (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"
        );
        let n = execute!(self, &sql, name, ms(at));
        Ok(n == 1)
    }

    pub async fn violation_classes(&self) -> Result<Vec<String>> {
        self.names("violation_classes").await
    }

    pub async fn add_violation_class(&self, name: &str, at: Timestamp) -> Result<bool> {
        self.add_name("violation_classes", name, at).await
    }

    /// The values of the code of ethics kudos are tied to.
    pub async fn conduct_values(&self) -> Result<Vec<String>> {
        self.names("conduct_values").await
    }

    pub async fn add_conduct_value(&self, name: &str, at: Timestamp) -> Result<bool> {
        self.add_name("conduct_values", name, at).await
    }

    /// Decisions in force about `subject` made up to `before`.
    pub async fn prior_discipline(&self, subject: &str, before: Timestamp) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM discipline_records WHERE subject = $1 AND decided_at <= $2 AND {IN_FORCE}"
        );
        Ok(scalar!(self, fetch_one, &sql, subject, ms(before)))
    }

    /// The sanctions of the decisions in force of a class and severity.
    pub async fn comparable_sanctions(&self, class: &str, severity: i64) -> Result<Vec<Sanction>> {
        let sql = format!(
            "SELECT sanction FROM discipline_records WHERE violation_class = $1 AND severity = $2 AND {IN_FORCE}"
        );
        let steps: Vec<i64> = scalar!(self, fetch_all, &sql, class, severity);
        Ok(steps.into_iter().filter_map(Sanction::from_step).collect())
    }

    /// Stores a decision: pending a second approver when it deviates, in force
    /// otherwise.
    pub async fn record_discipline(
        &self,
        r: &NewRecord,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(r.decided_at, rng);
        let approval = if r.deviation {
            Approval::Pending
        } else {
            Approval::NotNeeded
        };
        execute!(
            self,
            "INSERT INTO discipline_records (id, subject, site_name, team_name, role_level, violation_class, severity, aggravating, \
                 mitigating, prior_records, sanction, comparable_cases, comparable_median, deviation, rationale, decided_by, decided_at, approval) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
            &id,
            &r.subject,
            &r.site_name,
            &r.team_name,
            &r.role_level,
            &r.violation_class,
            r.severity,
            r.aggravating.join(","),
            r.mitigating.join(","),
            r.prior_records,
            i64::try_from(r.sanction.step()).unwrap_or(0),
            r.comparable_cases,
            r.comparable_median.map(|s| i64::try_from(s.step()).unwrap_or(0)),
            r.deviation,
            &r.rationale,
            &r.decided_by,
            ms(r.decided_at),
            approval.as_str(),
        );
        Ok(id)
    }

    pub async fn discipline_record(&self, id: &str) -> Result<Option<Record>> {
        let sql = format!("SELECT {COLS} FROM discipline_records WHERE id = $1");
        let row: Option<Row> = fetch!(self, fetch_optional, &sql, id);
        row.map(Row::into_record).transpose()
    }

    /// Records, newest first.
    pub async fn discipline_records(&self, f: &RecordFilter) -> Result<Vec<Record>> {
        let mut q = Query::new(format!("SELECT {COLS} FROM discipline_records WHERE 1 = 1"));
        q.and(" AND decided_by = ?", f.decided_by.as_ref());
        q.and(" AND approval = ?", f.approval.map(|a| a.as_str()));
        q.and(" AND subject = ?", f.subject.as_ref());
        q.push(
            " ORDER BY decided_at DESC, id DESC LIMIT ?",
            f.limit.clamp(1, 10_000),
        );
        let rows: Vec<Row> = fetch_query!(self, fetch_all, q);
        rows.into_iter().map(Row::into_record).collect()
    }

    /// Approves or rejects a pending decision (compare-and-set). False when it no
    /// longer awaited approval.
    pub async fn decide_discipline_approval(
        &self,
        id: &str,
        approve: bool,
        approver: &str,
        note: Option<&str>,
        at: Timestamp,
    ) -> Result<bool> {
        let to = if approve {
            Approval::Approved
        } else {
            Approval::Rejected
        };
        let n = execute!(
            self,
            "UPDATE discipline_records SET approval = $1, approver = $2, approved_at = $3, approval_note = $4 \
                 WHERE id = $5 AND approval = 'pending'",
            to.as_str(),
            approver,
            ms(at),
            note,
            id,
        );
        Ok(n == 1)
    }

    /// The instants of the discipline decisions about `subject` in `[from, to)` that
    /// were not rejected: the retaliation watch's discipline input.
    pub async fn discipline_times(
        &self,
        subject: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Timestamp>> {
        if to <= from {
            return Ok(Vec::new());
        }
        let at: Vec<i64> = scalar!(
            self,
            fetch_all,
            "SELECT decided_at FROM discipline_records WHERE subject = $1 AND decided_at >= $2 AND decided_at < $3 \
                 AND approval <> 'rejected' ORDER BY decided_at",
            subject,
            ms(from),
            ms(to),
        );
        Ok(at.into_iter().map(from_ms).collect())
    }
}
