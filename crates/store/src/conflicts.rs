//! Conflicts of interest: disclosures, their review and mitigations, yearly campaigns,
//! the keyed hashes of disclosed relations' customer references, and the findings
//! ingestion raises (`store_interactions` writes them in its own transaction).
//!
//! Everything a person typed is stored sealed (`*_sealed` columns, keyring purpose
//! `core::conflicts::SEAL_PURPOSE`); this module never sees plaintext of those fields.
//! Customer references are stored only as HMAC-SHA-256 under the deployment's reference
//! key, which is itself sealed in `conflict_settings` so that `keys rotate` re-wraps it
//! and the hashes stay valid.

use crate::query::Query;
use crate::{found, from_ms, ms, Db, Result, StoreError};
use jiff::Timestamp;
use righttrack_core::ids::{new_row_id, UserId};
use serde::Serialize;

/// The one settings row.
#[derive(Debug, Clone)]
pub struct ConflictSettings {
    pub ref_key_sealed: Vec<u8>,
    /// Minor units.
    pub gift_threshold: i64,
    pub gift_currency: String,
}

/// A disclosure to store; the caller has checked, sealed, hashed and routed it.
#[derive(Debug, Clone)]
pub struct NewDisclosure {
    pub user: UserId,
    /// The discloser's username, as interactions name the agent.
    pub username: String,
    pub campaign: Option<String>,
    pub occasion: &'static str,
    pub kind: &'static str,
    /// `submitted`, or `recorded` for nothing to declare.
    pub status: &'static str,
    pub details_sealed: Option<Vec<u8>>,
    pub colleague: Option<UserId>,
    pub gift_direction: Option<&'static str>,
    pub gift_value: Option<i64>,
    pub gift_currency: Option<String>,
    pub needs_approval: bool,
    pub reviewer: Option<String>,
    pub ref_hashes: Vec<[u8; 32]>,
    pub at: Timestamp,
}

/// A stored disclosure (sealed fields still sealed).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisclosureRow {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub team_id: Option<String>,
    pub campaign_id: Option<String>,
    pub occasion: String,
    pub kind: String,
    pub status: String,
    pub details_sealed: Option<Vec<u8>>,
    pub colleague: Option<String>,
    pub gift_direction: Option<String>,
    pub gift_value: Option<i64>,
    pub gift_currency: Option<String>,
    pub needs_approval: bool,
    pub reviewer: Option<String>,
    pub submitted_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub rationale_sealed: Option<Vec<u8>>,
}

const DCOLS: &str = "d.id, d.user_id, u.username, u.display_name, u.team_id, d.campaign_id, d.occasion, d.kind, d.status, d.details_sealed, c.username AS colleague, d.gift_direction, d.gift_value, d.gift_currency, d.needs_approval, d.reviewer, d.submitted_at, d.decided_by, d.decided_at, d.rationale_sealed";
const DFROM: &str = "conflict_disclosures d JOIN users u ON u.id = d.user_id LEFT JOIN users c ON c.id = d.colleague_id";

/// A decision on a disclosure, as stored.
#[derive(Debug, Clone, Copy)]
pub struct DecisionRecord<'a> {
    /// approved, mitigated or rejected.
    pub status: &'a str,
    /// The reviewer's username.
    pub by: &'a str,
    pub at: Timestamp,
    pub rationale_sealed: &'a [u8],
}

/// A mitigation decided with an approval.
#[derive(Debug, Clone)]
pub struct NewMitigation {
    pub text_sealed: Vec<u8>,
    pub owner: String,
    pub review_at: Timestamp,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MitigationRow {
    pub id: String,
    pub disclosure_id: String,
    pub discloser: String,
    pub kind: String,
    pub text_sealed: Vec<u8>,
    pub owner: String,
    pub review_at: i64,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub id: String,
    pub year: i64,
    pub due_at: Timestamp,
    /// `core::audience::Audience` JSON.
    pub audience: String,
    pub opened_by: String,
    pub opened_at: Timestamp,
}

/// A finding: an agent handled a disclosed relation's account.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The interaction's client id.
    pub interaction: String,
    pub agent: String,
    pub disclosure: String,
    pub kind: String,
    pub at: Timestamp,
}

/// A disclosed colleague relationship between two people (either way round).
#[derive(Debug, Clone, Serialize)]
pub struct ColleagueRelation {
    pub disclosure: String,
    pub discloser: String,
    pub colleague: String,
    pub status: String,
    pub submitted_at: Timestamp,
}

/// Which sealed column a value lives in (for `keys rotate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedField {
    RefKey,
    Details,
    Rationale,
    Mitigation,
}

impl SealedField {
    pub const ALL: [SealedField; 4] = [
        SealedField::RefKey,
        SealedField::Details,
        SealedField::Rationale,
        SealedField::Mitigation,
    ];

    /// (table, key column, sealed column)
    fn place(self) -> (&'static str, &'static str, &'static str) {
        match self {
            SealedField::RefKey => ("conflict_settings", "id", "ref_key_sealed"),
            SealedField::Details => ("conflict_disclosures", "id", "details_sealed"),
            SealedField::Rationale => ("conflict_disclosures", "id", "rationale_sealed"),
            SealedField::Mitigation => ("conflict_mitigations", "id", "text_sealed"),
        }
    }
}

impl Db {
    pub async fn conflict_settings(&self) -> Result<Option<ConflictSettings>> {
        let row: Option<(Vec<u8>, i64, String)> = fetch!(
            self,
            fetch_optional,
            "SELECT ref_key_sealed, gift_threshold, gift_currency FROM conflict_settings WHERE id = 1",
        );
        Ok(row.map(
            |(ref_key_sealed, gift_threshold, gift_currency)| ConflictSettings {
                ref_key_sealed,
                gift_threshold,
                gift_currency,
            },
        ))
    }

    /// Creates the settings row unless it exists (the first writer wins; callers read
    /// it back). Returns whether this call created it.
    pub async fn init_conflict_settings(
        &self,
        ref_key_sealed: &[u8],
        gift_threshold: i64,
        gift_currency: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO conflict_settings (id, ref_key_sealed, gift_threshold, gift_currency, updated_at) VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
            ref_key_sealed,
            gift_threshold,
            gift_currency,
            ms(at),
        );
        Ok(n > 0)
    }

    pub async fn set_gift_threshold(
        &self,
        threshold: i64,
        currency: &str,
        at: Timestamp,
    ) -> Result<()> {
        let n = execute!(
            self,
            "UPDATE conflict_settings SET gift_threshold = $1, gift_currency = $2, updated_at = $3 WHERE id = 1",
            threshold,
            currency,
            ms(at),
        );
        found(n)
    }

    /// Stores a disclosure and its reference hashes in one transaction. Returns its id.
    pub async fn create_disclosure(
        &self,
        d: &NewDisclosure,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(d.at, rng);
        in_tx!(self, |tx| {
            execute!(
                &mut *tx,
                "INSERT INTO conflict_disclosures (id, user_id, campaign_id, occasion, kind, status, details_sealed, colleague_id, gift_direction, gift_value, gift_currency, needs_approval, reviewer, submitted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                &id,
                d.user.to_string(),
                &d.campaign,
                d.occasion,
                d.kind,
                d.status,
                &d.details_sealed,
                d.colleague.map(|c| c.to_string()),
                d.gift_direction,
                d.gift_value,
                &d.gift_currency,
                d.needs_approval,
                &d.reviewer,
                ms(d.at),
            );
            for h in &d.ref_hashes {
                execute!(
                    &mut *tx,
                    "INSERT INTO conflict_customer_refs (ref_hash, agent, disclosure_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    &h[..],
                    &d.username,
                    &id,
                );
            }
        })?;
        Ok(id)
    }

    pub async fn disclosure(&self, id: &str) -> Result<Option<DisclosureRow>> {
        let sql = format!("SELECT {DCOLS} FROM {DFROM} WHERE d.id = $1");
        Ok(fetch!(self, fetch_optional, &sql, id))
    }

    /// A person's disclosures, newest first.
    pub async fn disclosures_of(&self, user: UserId) -> Result<Vec<DisclosureRow>> {
        let sql = format!(
            "SELECT {DCOLS} FROM {DFROM} WHERE d.user_id = $1 ORDER BY d.submitted_at DESC, d.id DESC"
        );
        Ok(fetch!(self, fetch_all, &sql, user.to_string()))
    }

    /// Disclosures by status (`None`: all), newest first; `kind` narrows (e.g. `gift`).
    pub async fn disclosures(
        &self,
        status: Option<&str>,
        kind: Option<&str>,
        limit: i64,
    ) -> Result<Vec<DisclosureRow>> {
        let sql = format!(
            "SELECT {DCOLS} FROM {DFROM} WHERE ($1 = '' OR d.status = $1) AND ($2 = '' OR d.kind = $2) ORDER BY d.submitted_at DESC, d.id DESC LIMIT $3"
        );
        Ok(fetch!(
            self,
            fetch_all,
            &sql,
            status.unwrap_or(""),
            kind.unwrap_or(""),
            limit.clamp(1, 10_000),
        ))
    }

    /// Undecided disclosures per reviewer.
    pub async fn open_review_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT reviewer, COUNT(*) FROM conflict_disclosures WHERE status = 'submitted' AND reviewer IS NOT NULL GROUP BY reviewer",
        ))
    }

    /// Records a decision on an undecided disclosure, with its mitigation, in one
    /// transaction. `false` when it was already decided.
    pub async fn decide_disclosure(
        &self,
        id: &str,
        d: &DecisionRecord<'_>,
        mitigation: Option<&NewMitigation>,
        rng: &mut impl rand::RngCore,
    ) -> Result<bool> {
        let (status, by, at, rationale_sealed) = (d.status, d.by, d.at, d.rationale_sealed);
        let mid = new_row_id(at, rng);
        in_tx!(self, |tx| {
            let n = execute!(
                &mut *tx,
                "UPDATE conflict_disclosures SET status = $1, decided_by = $2, decided_at = $3, rationale_sealed = $4 WHERE id = $5 AND status = 'submitted'",
                status,
                by,
                ms(at),
                rationale_sealed,
                id,
            );
            if n == 0 {
                return Ok::<_, StoreError>(false);
            }
            if let Some(m) = mitigation {
                execute!(
                    &mut *tx,
                    "INSERT INTO conflict_mitigations (id, disclosure_id, text_sealed, owner, review_at, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
                    &mid,
                    id,
                    &m.text_sealed,
                    &m.owner,
                    ms(m.review_at),
                    by,
                    ms(at),
                );
            }
            true
        })
    }

    /// Mitigations, soonest review first; `open_only` leaves closed ones out;
    /// `disclosure` narrows to one disclosure.
    pub async fn mitigations(
        &self,
        open_only: bool,
        disclosure: Option<&str>,
    ) -> Result<Vec<MitigationRow>> {
        Ok(fetch!(
            self,
            fetch_all,
            "SELECT m.id, m.disclosure_id, u.username AS discloser, d.kind, m.text_sealed, m.owner, m.review_at, m.status, m.created_by, m.created_at \
             FROM conflict_mitigations m JOIN conflict_disclosures d ON d.id = m.disclosure_id JOIN users u ON u.id = d.user_id \
             WHERE ($1 = 0 OR m.status = 'open') AND ($2 = '' OR m.disclosure_id = $2) ORDER BY m.review_at, m.id",
            i64::from(open_only),
            disclosure.unwrap_or(""),
        ))
    }

    /// Opens a yearly campaign. [`StoreError::Conflict`] when the year already has one.
    pub async fn open_conflict_campaign(
        &self,
        year: i64,
        due_at: Timestamp,
        audience_json: &str,
        by: &str,
        at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(at, rng);
        try_execute!(
            self,
            "INSERT INTO conflict_campaigns (id, year, due_at, audience, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &id,
            year,
            ms(due_at),
            audience_json,
            by,
            ms(at),
        )
        .map_err(|e| StoreError::from(e).naming(|| format!("A campaign for {year}")))?;
        Ok(id)
    }

    /// Campaigns, newest year first.
    pub async fn conflict_campaigns(&self) -> Result<Vec<Campaign>> {
        let rows: Vec<(String, i64, i64, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT id, year, due_at, audience, opened_by, opened_at FROM conflict_campaigns ORDER BY year DESC",
        );
        Ok(rows
            .into_iter()
            .map(|r| Campaign {
                id: r.0,
                year: r.1,
                due_at: from_ms(r.2),
                audience: r.3,
                opened_by: r.4,
                opened_at: from_ms(r.5),
            })
            .collect())
    }

    /// The people who answered a campaign (a disclosure or nothing to declare).
    pub async fn campaign_respondents(&self, campaign: &str) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT user_id FROM conflict_disclosures WHERE campaign_id = $1",
            campaign,
        ))
    }

    /// Has this person ever answered (any disclosure or nothing to declare)?
    pub async fn has_disclosed(&self, user: UserId) -> Result<bool> {
        let n: i64 = scalar!(
            self,
            fetch_one,
            "SELECT COUNT(*) FROM conflict_disclosures WHERE user_id = $1",
            user.to_string(),
        );
        Ok(n > 0)
    }

    /// Findings, newest first; `agents` narrows to those agents (usernames; an empty
    /// list finds nothing).
    pub async fn conflict_hits(&self, agents: Option<&[String]>, limit: i64) -> Result<Vec<Hit>> {
        if agents.is_some_and(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        let mut q = Query::bound(
            "SELECT i.ext_id, h.agent, h.disclosure_id, d.kind, h.at FROM conflict_hits h \
             JOIN interactions i ON i.id = h.interaction_id JOIN conflict_disclosures d ON d.id = h.disclosure_id \
             WHERE 1 = 1",
            [limit.clamp(1, 10_000).into()],
        );
        if let Some(a) = agents {
            let marks = q.list(a);
            q.sql.push_str(&format!(" AND h.agent IN ({marks})"));
        }
        q.sql.push_str(" ORDER BY h.at DESC, i.ext_id LIMIT $1");
        let rows: Vec<(String, String, String, String, i64)> = fetch_query!(self, fetch_all, q);
        Ok(rows
            .into_iter()
            .map(|r| Hit {
                interaction: r.0,
                agent: r.1,
                disclosure: r.2,
                kind: r.3,
                at: from_ms(r.4),
            })
            .collect())
    }

    /// Agents (usernames) with a disclosed relation whose customer reference hashes to
    /// `ref_hash`.
    pub async fn agents_to_avoid(&self, ref_hash: &[u8; 32]) -> Result<Vec<String>> {
        Ok(scalar!(
            self,
            fetch_all,
            "SELECT DISTINCT agent FROM conflict_customer_refs WHERE ref_hash = $1 ORDER BY agent",
            &ref_hash[..],
        ))
    }

    /// Disclosed colleague relationships between `a` and `b`, whichever of them
    /// disclosed it (rejected ones included: the relationship was declared).
    pub async fn colleague_relations_between(
        &self,
        a: UserId,
        b: UserId,
    ) -> Result<Vec<ColleagueRelation>> {
        let rows: Vec<(String, String, String, String, i64)> = fetch!(
            self,
            fetch_all,
            "SELECT d.id, u.username, c.username, d.status, d.submitted_at FROM conflict_disclosures d \
             JOIN users u ON u.id = d.user_id JOIN users c ON c.id = d.colleague_id \
             WHERE d.kind = 'colleague' AND ((d.user_id = $1 AND d.colleague_id = $2) OR (d.user_id = $2 AND d.colleague_id = $1)) \
             ORDER BY d.submitted_at",
            a.to_string(),
            b.to_string(),
        );
        Ok(rows
            .into_iter()
            .map(|r| ColleagueRelation {
                disclosure: r.0,
                discloser: r.1,
                colleague: r.2,
                status: r.3,
                submitted_at: from_ms(r.4),
            })
            .collect())
    }

    /// Today's content-free notification for `user`: written when there is none; when
    /// another module already wrote a different line today, the two become one line
    /// that says only that there is work waiting. Returns whether anything changed.
    pub async fn merge_notification(
        &self,
        user: UserId,
        day: &str,
        text: &str,
        at: Timestamp,
    ) -> Result<bool> {
        const MERGED: &str = "There is work waiting for you in RightTrack. Sign in to see it.";
        if self.put_notification(user, day, text, at).await? {
            return Ok(true);
        }
        let n = execute!(
            self,
            "UPDATE staff_notifications SET text = $1 WHERE user_id = $2 AND day = $3 AND text <> $4 AND text <> $1",
            MERGED,
            user.to_string(),
            day,
            text,
        );
        Ok(n > 0)
    }

    /// Every sealed value of a field, by row key (for `keys rotate`).
    pub async fn conflict_sealed(&self, field: SealedField) -> Result<Vec<(String, Vec<u8>)>> {
        let (table, key, col) = field.place();
        let sql = format!(
            "SELECT CAST({key} AS TEXT), {col} FROM {table} WHERE {col} IS NOT NULL ORDER BY {key}"
        );
        Ok(fetch!(self, fetch_all, &sql))
    }

    /// Replaces a sealed value if it is still `old` (a concurrent change wins).
    pub async fn replace_conflict_sealed(
        &self,
        field: SealedField,
        id: &str,
        old: &[u8],
        new: &[u8],
    ) -> Result<bool> {
        let (table, key, col) = field.place();
        let sql =
            format!("UPDATE {table} SET {col} = $1 WHERE CAST({key} AS TEXT) = $2 AND {col} = $3");
        let n = execute!(self, &sql, new, id, old);
        Ok(n > 0)
    }
}
