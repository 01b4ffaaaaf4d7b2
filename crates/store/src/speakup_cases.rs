//! Speak-up case management storage: what staff see and do with cases.
//!
//! **Invariants.** A staff member's view of cases is always a join on `speakup_wraps`:
//! every list, count and lookup here takes the viewer and returns only cases whose key
//! is wrapped for them. There is no "all cases" query for staff, so a person excluded by a
//! conflict of interest (who holds no wrap) cannot reach a case by any path that goes
//! through this module. Free text (notes, reasons, outcomes) arrives sealed under the
//! case key; the clear columns are the ones the server needs to route and keep time.
//!
//! Who *should* hold a wrap is decided by the web layer, which holds keys
//! (`crates/web/src/cases.rs`); this module stores the result and bumps
//! `speakup_settings.readers_epoch` whenever the answer may have changed, so cases are
//! reconciled by the next reader who opens them.

use crate::notices::Notices;
use crate::query::Query;
use crate::{from_ms, ms, on_pool, uid, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::casekeys::ReaderPublic;
use righttrack_core::ids::UserId;
use righttrack_core::Role;

/// The statuses of a case, in their usual order.
pub const STATUSES: [&str; 6] = [
    "received",
    "acknowledged",
    "investigating",
    "substantiated",
    "unsubstantiated",
    "closed",
];

/// Statuses that end a case (it gets a `closed_at` and a retention date).
pub fn is_final(status: &str) -> bool {
    matches!(status, "substantiated" | "unsubstantiated" | "closed")
}

/// A deadline of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub due_at: Timestamp,
    pub met_at: Option<Timestamp>,
}

/// Where a deadline stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClockState {
    Met,
    Open,
    DueSoon,
    Overdue,
}

impl ClockState {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockState::Met => "met",
            ClockState::Open => "open",
            ClockState::DueSoon => "due soon",
            ClockState::Overdue => "overdue",
        }
    }
}

impl Clock {
    pub fn state(&self, now: Timestamp, warn_days: i64) -> ClockState {
        if self.met_at.is_some() {
            return ClockState::Met;
        }
        if now >= self.due_at {
            return ClockState::Overdue;
        }
        let warn = jiff::SignedDuration::from_hours(warn_days.max(0) * 24);
        if self.due_at.duration_since(now) <= warn {
            ClockState::DueSoon
        } else {
            ClockState::Open
        }
    }
}

/// A case as staff list it (no content).
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: String,
    pub category: String,
    pub anonymous: bool,
    pub status: String,
    pub assignee: Option<UserId>,
    pub risk: Option<String>,
    pub jurisdiction: String,
    pub warn_days: i64,
    pub submitted_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub retaliation_flag: bool,
    pub reporter_activity_at: Option<Timestamp>,
    pub legal_hold: bool,
    pub retain_until: Option<Timestamp>,
    pub lang: String,
    pub wraps_epoch: i64,
    pub ack: Clock,
    pub feedback: Clock,
}

impl CaseSummary {
    /// The worse of the two deadlines.
    pub fn clock_state(&self, now: Timestamp) -> ClockState {
        self.ack
            .state(now, self.warn_days)
            .max(self.feedback.state(now, self.warn_days))
    }
}

/// One entry of a case's staff timeline.
#[derive(Debug, Clone)]
pub struct CaseEvent {
    pub id: String,
    pub at: Timestamp,
    pub actor: Option<UserId>,
    pub kind: String,
    pub value: Option<String>,
    pub detail_sealed: Option<Vec<u8>>,
}

/// A request to open a case's identity envelope.
#[derive(Debug, Clone)]
pub struct IdentityRequest {
    pub id: String,
    pub case_id: String,
    pub requester: UserId,
    pub reason_sealed: Vec<u8>,
    pub status: String,
    pub decided_by: Option<UserId>,
    pub decision_sealed: Option<Vec<u8>>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

type RequestRow = (
    String,
    String,
    String,
    Vec<u8>,
    String,
    Option<String>,
    Option<Vec<u8>>,
    i64,
    Option<i64>,
);

const SUMMARY_COLS: &str = "c.id, c.category, c.anonymous, c.status, c.assignee_id, c.risk, c.jurisdiction, COALESCE(j.warn_days, 7), c.submitted_at, c.closed_at, c.retaliation_flag, c.reporter_activity_at, c.legal_hold, c.retain_until, c.lang, c.wraps_epoch, a.due_at, a.met_at, f.due_at, f.met_at";
const SUMMARY_FROM: &str = "speakup_cases c JOIN speakup_clocks a ON a.case_id = c.id AND a.kind = 'acknowledge' JOIN speakup_clocks f ON f.case_id = c.id AND f.kind = 'feedback' LEFT JOIN speakup_jurisdictions j ON j.code = c.jurisdiction";

type SummaryRow = (
    (String, String, bool, String, Option<String>, Option<String>),
    (String, i64, i64, Option<i64>, bool, Option<i64>),
    (bool, Option<i64>, String, i64),
    (i64, Option<i64>, i64, Option<i64>),
);

/// A user, with their reader public key and the server's signature over it (if any).
pub type ReaderRow = (UserId, Option<(ReaderPublic, Option<Vec<u8>>)>);

fn summary(r: SummaryRow) -> Result<CaseSummary> {
    let ((id, category, anonymous, status, assignee, risk), b, c, d) = r;
    let (jurisdiction, warn_days, submitted, closed, flag, activity) = b;
    let (legal_hold, retain_until, lang, wraps_epoch) = c;
    let (ack_due, ack_met, fb_due, fb_met) = d;
    Ok(CaseSummary {
        assignee: assignee
            .map(|a| uid(&a, "speakup_cases.assignee_id"))
            .transpose()?,
        id,
        category,
        anonymous,
        status,
        risk,
        jurisdiction,
        warn_days,
        submitted_at: from_ms(submitted),
        closed_at: closed.map(from_ms),
        retaliation_flag: flag,
        reporter_activity_at: activity.map(from_ms),
        legal_hold,
        retain_until: retain_until.map(from_ms),
        lang,
        wraps_epoch,
        ack: Clock {
            due_at: from_ms(ack_due),
            met_at: ack_met.map(from_ms),
        },
        feedback: Clock {
            due_at: from_ms(fb_due),
            met_at: fb_met.map(from_ms),
        },
    })
}

// sqlx decodes tuples of at most 16 columns: the summary is read by index and grouped.
macro_rules! summary_from_row {
    ($row:expr) => {{
        use sqlx::Row;
        let r = $row;
        (
            (
                r.try_get::<String, _>(0)?,
                r.try_get::<String, _>(1)?,
                r.try_get::<bool, _>(2)?,
                r.try_get::<String, _>(3)?,
                r.try_get::<Option<String>, _>(4)?,
                r.try_get::<Option<String>, _>(5)?,
            ),
            (
                r.try_get::<String, _>(6)?,
                r.try_get::<i64, _>(7)?,
                r.try_get::<i64, _>(8)?,
                r.try_get::<Option<i64>, _>(9)?,
                r.try_get::<bool, _>(10)?,
                r.try_get::<Option<i64>, _>(11)?,
            ),
            (
                r.try_get::<bool, _>(12)?,
                r.try_get::<Option<i64>, _>(13)?,
                r.try_get::<String, _>(14)?,
                r.try_get::<i64, _>(15)?,
            ),
            (
                r.try_get::<i64, _>(16)?,
                r.try_get::<Option<i64>, _>(17)?,
                r.try_get::<i64, _>(18)?,
                r.try_get::<Option<i64>, _>(19)?,
            ),
        )
    }};
}

/// Hotline staff reminders: one a day per person and kind.
const STAFF_NOTICES: Notices = Notices {
    table: "staff_notifications",
    one_a_day: "user_id, day, kind",
};

impl Db {
    /// Every case `viewer` holds a key to, newest first.
    pub async fn cases_visible_to(&self, viewer: UserId) -> Result<Vec<CaseSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLS} FROM {SUMMARY_FROM} JOIN speakup_wraps w ON w.case_id = c.id AND w.user_id = $1 ORDER BY c.submitted_at DESC, c.id"
        );
        let rows: Vec<SummaryRow> = on_pool!(self, |p| {
            let raw = sqlx::query(&sql)
                .bind(viewer.to_string())
                .fetch_all(p)
                .await?;
            let mut out = Vec::with_capacity(raw.len());
            for r in &raw {
                out.push(summary_from_row!(r));
            }
            out
        });
        rows.into_iter().map(summary).collect()
    }

    /// One case and its key wrapped for `viewer`, if `viewer` holds one.
    pub async fn case_visible_to(
        &self,
        viewer: UserId,
        case: &str,
    ) -> Result<Option<(CaseSummary, Vec<u8>)>> {
        let sql = format!(
            "SELECT {SUMMARY_COLS}, w.wrapped FROM {SUMMARY_FROM} JOIN speakup_wraps w ON w.case_id = c.id AND w.user_id = $1 WHERE c.id = $2"
        );
        let row: Option<(SummaryRow, Vec<u8>)> = on_pool!(self, |p| {
            let raw = sqlx::query(&sql)
                .bind(viewer.to_string())
                .bind(case)
                .fetch_optional(p)
                .await?;
            match raw {
                Some(r) => {
                    use sqlx::Row;
                    let wrapped: Vec<u8> = r.try_get(20)?;
                    Some((summary_from_row!(&r), wrapped))
                }
                None => None,
            }
        });
        row.map(|(s, w)| Ok((summary(s)?, w))).transpose()
    }

    /// The sealed fields of a case (description, answers, exclusions, ...).
    pub async fn case_fields(&self, case: &str) -> Result<Vec<(String, Vec<u8>)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT field, sealed FROM speakup_fields WHERE case_id = $1 ORDER BY field",
            case,
        ))
    }

    /// Writes (or replaces) one sealed field.
    pub async fn put_case_field(&self, case: &str, field: &str, sealed: &[u8]) -> Result<()> {
        execute!(
            self,
            "INSERT INTO speakup_fields (case_id, field, sealed) VALUES ($1, $2, $3) ON CONFLICT (case_id, field) DO UPDATE SET sealed = excluded.sealed",
            case,
            field,
            sealed,
        );
        Ok(())
    }

    pub async fn delete_case_field(&self, case: &str, field: &str) -> Result<()> {
        execute!(
            self,
            "DELETE FROM speakup_fields WHERE case_id = $1 AND field = $2",
            case,
            field
        );
        Ok(())
    }

    /// Appends to a case's timeline.
    pub async fn add_case_event(&self, case: &str, e: &CaseEvent) -> Result<()> {
        execute!(
            self,
            "INSERT INTO speakup_events (id, case_id, seq, at, actor_id, kind, value, detail_sealed) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6, $7 FROM speakup_events WHERE case_id = $2",
            &e.id,
            case,
            ms(e.at),
            e.actor.map(|a| a.to_string()),
            &e.kind,
            &e.value,
            &e.detail_sealed,
        );
        Ok(())
    }

    /// A case's timeline, oldest first.
    pub async fn case_events(&self, case: &str) -> Result<Vec<CaseEvent>> {
        type Row = (
            String,
            i64,
            Option<String>,
            String,
            Option<String>,
            Option<Vec<u8>>,
        );
        let rows: Vec<Row> = fetch!(
            self,
            fetch_all,
            "SELECT id, at, actor_id, kind, value, detail_sealed FROM speakup_events WHERE case_id = $1 ORDER BY seq",
            case,
        );
        rows.into_iter()
            .map(|(id, at, actor, kind, value, detail_sealed)| {
                Ok(CaseEvent {
                    id,
                    at: from_ms(at),
                    actor: actor
                        .map(|a| uid(&a, "speakup_events.actor_id"))
                        .transpose()?,
                    kind,
                    value,
                    detail_sealed,
                })
            })
            .collect()
    }

    /// Sets the status; a final status stamps `closed_at` (kept on re-closing), any other
    /// clears it.
    pub async fn set_case_status(&self, case: &str, status: &str, at: Timestamp) -> Result<()> {
        if !STATUSES.contains(&status) {
            return Err(StoreError::Corrupt(format!(
                "unknown case status {status:?}"
            )));
        }
        let closed = is_final(status).then_some(ms(at));
        execute!(
            self,
            "UPDATE speakup_cases SET status = $1, closed_at = CASE WHEN $2 IS NULL THEN NULL ELSE COALESCE(closed_at, $2) END, retain_until = CASE WHEN $2 IS NULL THEN NULL ELSE retain_until END WHERE id = $3",
            status,
            closed,
            case,
        );
        Ok(())
    }

    pub async fn set_case_assignee(&self, case: &str, assignee: Option<UserId>) -> Result<()> {
        execute!(
            self,
            "UPDATE speakup_cases SET assignee_id = $1 WHERE id = $2",
            assignee.map(|a| a.to_string()),
            case,
        );
        Ok(())
    }

    pub async fn set_case_risk(&self, case: &str, risk: &str) -> Result<()> {
        execute!(
            self,
            "UPDATE speakup_cases SET risk = $1 WHERE id = $2",
            risk,
            case
        );
        Ok(())
    }

    /// Moves a case to another jurisdiction's deadlines (counted from submission; a deadline
    /// already met stays met).
    pub async fn set_case_jurisdiction(
        &self,
        case: &str,
        code: &str,
        ack_due: Timestamp,
        feedback_due: Timestamp,
    ) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            execute!(
                &mut *tx,
                "UPDATE speakup_cases SET jurisdiction = $1 WHERE id = $2",
                code,
                case,
            );
            for (kind, due) in [("acknowledge", ack_due), ("feedback", feedback_due)] {
                execute!(
                    &mut *tx,
                    "UPDATE speakup_clocks SET due_at = $1 WHERE case_id = $2 AND kind = $3",
                    ms(due),
                    case,
                    kind,
                );
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Marks a deadline met (the first time only). Returns whether it was open.
    pub async fn meet_clock(&self, case: &str, kind: &str, at: Timestamp) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE speakup_clocks SET met_at = $1 WHERE case_id = $2 AND kind = $3 AND met_at IS NULL",
            ms(at),
            case,
            kind,
        );
        Ok(n > 0)
    }

    /// The reporter came back with their receipt; `active` when they also wrote.
    pub async fn note_reporter_visit(&self, case: &str, at: Timestamp, active: bool) -> Result<()> {
        execute!(
            self,
            "UPDATE speakup_cases SET reporter_returned = $1, reporter_activity_at = CASE WHEN $2 THEN $3 ELSE reporter_activity_at END WHERE id = $4",
            true,
            active,
            crate::speakup::day_floor(at),
            case,
        );
        Ok(())
    }

    // ------------------------------------------------------------ wraps

    /// Stores (or replaces) the case key wrapped for `user`.
    pub async fn put_wrap(&self, case: &str, user: UserId, wrapped: &[u8]) -> Result<()> {
        self.upsert_wrap("speakup_wraps", case, user, wrapped).await
    }

    async fn upsert_wrap(
        &self,
        table: &str,
        case: &str,
        user: UserId,
        wrapped: &[u8],
    ) -> Result<()> {
        let sql = format!(
            "INSERT INTO {table} (case_id, user_id, wrapped) VALUES ($1, $2, $3) ON CONFLICT (case_id, user_id) DO UPDATE SET wrapped = excluded.wrapped"
        );
        execute!(self, &sql, case, user.to_string(), wrapped);
        Ok(())
    }

    /// Destroys `user`'s wraps of a case (case key and identity key).
    pub async fn delete_wraps(&self, case: &str, user: UserId) -> Result<()> {
        on_pool!(self, |p| {
            let mut tx = p.begin().await?;
            for table in ["speakup_wraps", "speakup_identity_wraps"] {
                execute!(
                    &mut *tx,
                    &format!("DELETE FROM {table} WHERE case_id = $1 AND user_id = $2"),
                    case,
                    user.to_string(),
                );
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores (or replaces) the identity key wrapped for `user`.
    pub async fn put_identity_wrap(&self, case: &str, user: UserId, wrapped: &[u8]) -> Result<()> {
        self.upsert_wrap("speakup_identity_wraps", case, user, wrapped)
            .await
    }

    pub async fn identity_wrap(&self, case: &str, user: UserId) -> Result<Option<Vec<u8>>> {
        Ok(scalar!(
            self,
            fetch_optional,
            "SELECT wrapped FROM speakup_identity_wraps WHERE case_id = $1 AND user_id = $2",
            case,
            user.to_string(),
        ))
    }

    /// Who holds the identity key of a case.
    pub async fn identity_holders(&self, case: &str) -> Result<Vec<UserId>> {
        let rows: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT user_id FROM speakup_identity_wraps WHERE case_id = $1 ORDER BY user_id",
            case,
        );
        rows.iter()
            .map(|r| uid(r, "speakup_identity_wraps.user_id"))
            .collect()
    }

    /// The current readers epoch (0 when no case was ever filed).
    pub async fn readers_epoch(&self) -> Result<i64> {
        let e: Option<i64> = scalar!(
            self,
            fetch_optional,
            "SELECT readers_epoch FROM speakup_settings WHERE id = 1",
        );
        Ok(e.unwrap_or(0))
    }

    /// Who may read cases may have changed: every case is due a reconciliation.
    pub async fn bump_readers_epoch(&self) -> Result<()> {
        execute!(
            self,
            "UPDATE speakup_settings SET readers_epoch = readers_epoch + 1 WHERE id = 1",
        );
        Ok(())
    }

    pub async fn set_case_wraps_epoch(&self, case: &str, epoch: i64) -> Result<()> {
        execute!(
            self,
            "UPDATE speakup_cases SET wraps_epoch = $1 WHERE id = $2",
            epoch,
            case
        );
        Ok(())
    }

    /// Active users holding any of `roles`, with their reader public key if they have one.
    /// The key is as stored: before wrapping anything for it, check the server's
    /// signature ([`Db::active_readers_with`]).
    pub async fn active_users_with(
        &self,
        roles: &[Role],
    ) -> Result<Vec<(UserId, Option<ReaderPublic>)>> {
        Ok(self
            .active_readers_with(roles)
            .await?
            .into_iter()
            .map(|(u, k)| (u, k.map(|(k, _)| k)))
            .collect())
    }

    /// Active users holding any of `roles`, with their reader public key and the
    /// server's signature over it (if any).
    pub async fn active_readers_with(&self, roles: &[Role]) -> Result<Vec<ReaderRow>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        // Only the holders of these roles: called on every filing and reconciliation, so
        // it must not walk a directory of thousands of agents.
        let mut q = Query::bound("", [false.into()]);
        let placeholders = q.list(roles.iter().map(|r| r.as_str()));
        q.sql = format!(
            "SELECT DISTINCT u.id, u.reader_public, u.reader_public_sig FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.disabled = $1 AND r.role IN ({placeholders}) ORDER BY u.id"
        );
        type Row = (String, Option<Vec<u8>>, Option<Vec<u8>>);
        let rows: Vec<Row> = fetch_query!(self, fetch_all, q);
        let mut out = Vec::with_capacity(rows.len());
        for (id, public, sig) in rows {
            let id = uid(&id, "users.id")?;
            let public = match public {
                Some(b) => Some((
                    ReaderPublic(b.try_into().map_err(|_| {
                        StoreError::Corrupt(format!("users.reader_public of {id}"))
                    })?),
                    sig,
                )),
                None => None,
            };
            out.push((id, public));
        }
        Ok(out)
    }

    /// The usernames who evaluated `agent_ref`'s work: score overrides, dispute evaluators
    /// and resolvers, calibration scorers of their interactions.
    pub async fn evaluators_of(&self, agent_ref: &str) -> Result<Vec<String>> {
        let mut rows: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT o.by_user FROM score_overrides o JOIN interactions i ON i.id = o.interaction_id WHERE i.agent_ref = $1 \
             UNION SELECT DISTINCT evaluator FROM disputes WHERE agent_ref = $1 AND evaluator IS NOT NULL \
             UNION SELECT DISTINCT resolved_by FROM disputes WHERE agent_ref = $1 AND resolved_by IS NOT NULL \
             UNION SELECT DISTINCT s.username FROM calibration_ratings s JOIN interactions i ON i.ext_id = s.ext_id WHERE i.agent_ref = $1",
            agent_ref,
        );
        rows.sort();
        rows.dedup();
        Ok(rows)
    }

    /// Takes `user` off every case: their wraps are destroyed and cases assigned to them
    /// are unassigned. Returns the cases that lost their assignee. Used when someone
    /// loses the roles that entitle them, or is disabled.
    pub async fn drop_from_cases(&self, user: UserId, unassign: bool) -> Result<Vec<String>> {
        let r: Result<Vec<String>> = in_tx!(self, |tx| {
            let mut assigned: Vec<String> = Vec::new();
            if unassign {
                assigned = scalar!(
                    &mut *tx,
                    fetch_all,
                    "SELECT id FROM speakup_cases WHERE assignee_id = $1 ORDER BY id",
                    user.to_string(),
                );
                execute!(
                    &mut *tx,
                    "UPDATE speakup_cases SET assignee_id = NULL WHERE assignee_id = $1",
                    user.to_string(),
                );
            }
            for table in ["speakup_wraps", "speakup_identity_wraps"] {
                execute!(
                    &mut *tx,
                    &format!("DELETE FROM {table} WHERE user_id = $1"),
                    user.to_string(),
                );
            }
            assigned
        });
        r
    }

    /// How many cases only `user` holds a key to (they would become unreadable for good
    /// if `user` lost it).
    pub async fn cases_held_only_by(&self, user: UserId) -> Result<i64> {
        Ok(scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM speakup_wraps w WHERE w.user_id = $1 AND NOT EXISTS (SELECT 1 FROM speakup_wraps o JOIN users u ON u.id = o.user_id WHERE o.case_id = w.case_id AND o.user_id <> $1 AND u.disabled = $2)",
            user.to_string(),
            false,
        ))
    }

    // ------------------------------------------------------------ identity requests

    pub async fn add_identity_request(&self, r: &IdentityRequest) -> Result<()> {
        execute!(
            self,
            "INSERT INTO speakup_identity_requests (id, case_id, requester_id, reason_sealed, status, created_at) VALUES ($1, $2, $3, $4, 'pending', $5)",
            &r.id,
            &r.case_id,
            r.requester.to_string(),
            &r.reason_sealed,
            ms(r.created_at),
        );
        Ok(())
    }

    /// Requests on one case, oldest first.
    pub async fn identity_requests(&self, case: &str) -> Result<Vec<IdentityRequest>> {
        type Row = (
            (String, String, String, Vec<u8>, String),
            (Option<String>, Option<Vec<u8>>, i64, Option<i64>),
        );
        let rows: Vec<RequestRow> = fetch!(
            self,
            fetch_all,
            "SELECT id, case_id, requester_id, reason_sealed, status, decided_by, decision_sealed, created_at, decided_at FROM speakup_identity_requests WHERE case_id = $1 ORDER BY created_at, id",
            case,
        );
        rows.into_iter()
            .map(|r| {
                let row: Row = ((r.0, r.1, r.2, r.3, r.4), (r.5, r.6, r.7, r.8));
                let ((id, case_id, requester, reason_sealed, status), rest) = row;
                let (decided_by, decision_sealed, created_at, decided_at) = rest;
                Ok(IdentityRequest {
                    id,
                    case_id,
                    requester: uid(&requester, "speakup_identity_requests.requester_id")?,
                    reason_sealed,
                    status,
                    decided_by: decided_by
                        .map(|d| uid(&d, "speakup_identity_requests.decided_by"))
                        .transpose()?,
                    decision_sealed,
                    created_at: from_ms(created_at),
                    decided_at: decided_at.map(from_ms),
                })
            })
            .collect()
    }

    /// Records a decision on a pending request and, for an approval, stores the identity
    /// key wrapped for the requester (`grant`), in one transaction: the wrap is written
    /// only if the request was still pending, so a request already decided (denied, or
    /// approved by someone else) never hands out the key. Returns false, having changed
    /// nothing, if it was not pending.
    pub async fn decide_identity_request(
        &self,
        id: &str,
        approve: bool,
        by: UserId,
        decision_sealed: &[u8],
        at: Timestamp,
        grant: Option<&[u8]>,
    ) -> Result<bool> {
        in_tx!(self, |tx| {
            let row: Option<(String, String)> = fetch!(
                &mut *tx,
                fetch_optional,
                "UPDATE speakup_identity_requests SET status = $1, decided_by = $2, decision_sealed = $3, decided_at = $4 WHERE id = $5 AND status = 'pending' RETURNING case_id, requester_id",
                if approve { "approved" } else { "denied" },
                by.to_string(),
                decision_sealed,
                ms(at),
                id,
            );
            let Some((case, requester)) = row else {
                tx.rollback().await?;
                return Ok::<_, StoreError>(false);
            };
            if let (true, Some(wrapped)) = (approve, grant) {
                execute!(
                    &mut *tx,
                    "INSERT INTO speakup_identity_wraps (case_id, user_id, wrapped) VALUES ($1, $2, $3) ON CONFLICT (case_id, user_id) DO UPDATE SET wrapped = excluded.wrapped",
                    &case,
                    &requester,
                    wrapped,
                );
            }
            true
        })
    }

    /// Pending identity requests on cases `viewer` can see (for custodians), oldest first.
    pub async fn pending_identity_requests_for(&self, viewer: UserId) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT r.case_id FROM speakup_identity_requests r JOIN speakup_wraps w ON w.case_id = r.case_id AND w.user_id = $1 WHERE r.status = 'pending' ORDER BY r.case_id",
            viewer.to_string(),
        ))
    }

    // ------------------------------------------------------------ notifications

    /// People with hotline work waiting at `now`: a case they hold a key to that is
    /// untriaged, has a deadline due soon or overdue, a raised retaliation flag, or
    /// reporter activity in the last day.
    pub async fn users_with_case_work(&self, now: Timestamp) -> Result<Vec<UserId>> {
        // Reporter activity is kept by UTC day: "in the last day" is since the start of
        // yesterday.
        let day_ago = crate::speakup::day_floor(now) - 86_400_000;
        let soon = ms(now) + 7 * 86_400_000;
        let rows: Vec<String> = scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT w.user_id FROM speakup_wraps w JOIN speakup_cases c ON c.id = w.case_id JOIN users u ON u.id = w.user_id \
             WHERE u.disabled = $1 AND c.closed_at IS NULL AND (c.status = 'received' OR c.retaliation_flag = $2 OR c.reporter_activity_at >= $3 \
             OR EXISTS (SELECT 1 FROM speakup_clocks k WHERE k.case_id = c.id AND k.met_at IS NULL AND k.due_at < $4)) ORDER BY w.user_id",
            false,
            true,
            day_ago,
            soon,
        );
        rows.iter()
            .map(|r| uid(r, "speakup_wraps.user_id"))
            .collect()
    }

    /// Stores the day's notification for a user (at most one a day). Returns whether new.
    pub async fn put_notification(
        &self,
        user: UserId,
        day: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<bool> {
        self.put_notice(&STAFF_NOTICES, user, day, text, at).await
    }

    /// A user's unseen notifications, newest first.
    pub async fn unseen_notifications(&self, user: UserId) -> Result<Vec<(String, String)>> {
        self.unseen_notices(&STAFF_NOTICES, user).await
    }

    /// Every notification of a day, for an external mailer: `(username, text)`.
    pub async fn notifications_of_day(&self, day: &str) -> Result<Vec<(String, String)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT u.username, n.text FROM staff_notifications n JOIN users u ON u.id = n.user_id WHERE n.day = $1 ORDER BY u.username",
            day,
        ))
    }

    pub async fn mark_notifications_seen(&self, user: UserId, at: Timestamp) -> Result<()> {
        self.mark_notices_seen(&STAFF_NOTICES, user, at).await
    }
}
