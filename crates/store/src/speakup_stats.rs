//! What the hotline analytics count: the facts of the cases one viewer can read, the
//! statistics of destroyed cases, and the headcount.
//!
//! **Invariant:** a live case counts for a viewer only if the case key is wrapped for
//! them (`speakup_wraps`): the wraps are the one statement of who may read a case, so a
//! conflict-of-interest exclusion (no wrap) also keeps the case out of the viewer's
//! counts. Destroyed cases (`speakup_stats`) have no readers any more and no reference,
//! text or people; they count for everyone. The arithmetic and the suppression of small
//! groups are in `righttrack_core::hotline_stats`.

use crate::{ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::hotline_stats::{CaseFacts, CaseStatus};
use righttrack_core::ids::UserId;

/// The input of one viewer's analytics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineFacts {
    /// Cases submitted in the period: the viewer's readable ones, then destroyed ones.
    pub cases: Vec<CaseFacts>,
    /// Users not disabled.
    pub headcount: u64,
}

/// (category, anonymous, status, submitted_at, closed_at, reporter_returned)
type FactRow = (String, bool, String, i64, Option<i64>, bool);

fn facts(rows: Vec<FactRow>, table: &str) -> Result<Vec<CaseFacts>> {
    rows.into_iter()
        .map(
            |(category, anonymous, status, submitted, closed, returned)| {
                let status = CaseStatus::parse(&status).ok_or_else(|| {
                    StoreError::Corrupt(format!("{table}: unknown status {status:?}"))
                })?;
                Ok(CaseFacts {
                    category,
                    anonymous,
                    status,
                    submitted_at: crate::from_ms(submitted),
                    closed_at: closed.map(crate::from_ms),
                    reporter_returned: returned,
                })
            },
        )
        .collect()
}

impl Db {
    /// Facts of the cases submitted in `[from, to)` that `viewer` holds a wrap for, plus
    /// every destroyed case's statistics submitted in that range, and the headcount.
    pub async fn hotline_facts(
        &self,
        viewer: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<HotlineFacts> {
        let live: Vec<FactRow> = fetch!(
            self,
            fetch_all,
            "SELECT c.category, c.anonymous, c.status, c.submitted_at, c.closed_at, c.reporter_returned \
                 FROM speakup_cases c JOIN speakup_wraps w ON w.case_id = c.id \
                 WHERE w.user_id = $1 AND c.submitted_at >= $2 AND c.submitted_at < $3 \
                 ORDER BY c.submitted_at, c.id",
            viewer.to_string(),
            ms(from),
            ms(to),
        );
        let destroyed: Vec<FactRow> = fetch!(
            self,
            fetch_all,
            "SELECT category, anonymous, final_status, submitted_at, closed_at, reporter_returned \
                 FROM speakup_stats WHERE submitted_at >= $1 AND submitted_at < $2 \
                 ORDER BY submitted_at, id",
            ms(from),
            ms(to),
        );
        let headcount: i64 = scalar!(
            self,
            fetch_one,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM users WHERE disabled = $1",
            false,
        );
        let mut cases = facts(live, "speakup_cases")?;
        cases.extend(facts(destroyed, "speakup_stats")?);
        Ok(HotlineFacts {
            cases,
            headcount: u64::try_from(headcount).unwrap_or(0),
        })
    }
}
