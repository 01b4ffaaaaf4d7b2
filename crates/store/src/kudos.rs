//! Kudos: recognition tied to a value, visible to the team only with the recipient's
//! consent (`righttrack_core::kudos`).
//!
//! **Architecture Invariant:** the `kudos` table has no column that could link it to
//! the hotline (no case, reporter or category), and no query here touches a hotline
//! table. A test on the schema checks the columns.

use crate::query::Query;
use crate::{from_ms, ms, Db, Result};
use jiff::Timestamp;
use righttrack_core::ids::new_row_id;
use righttrack_core::kudos::Visibility;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Kudos {
    pub id: String,
    pub giver: String,
    pub recipient: String,
    pub value: String,
    pub message: String,
    /// pending, visible or hidden.
    pub visibility: String,
    pub given_at: Timestamp,
}

type KudosRow = (String, String, String, String, String, String, i64);

const COLS: &str = "id, giver, recipient, value_name, message, visibility, given_at";

fn kudos(r: KudosRow) -> Kudos {
    Kudos {
        id: r.0,
        giver: r.1,
        recipient: r.2,
        value: r.3,
        message: r.4,
        visibility: r.5,
        given_at: from_ms(r.6),
    }
}

impl Db {
    /// Stores a kudos, pending the recipient's consent.
    pub async fn give_kudos(
        &self,
        giver: &str,
        recipient: &str,
        value: &str,
        message: &str,
        at: Timestamp,
        rng: &mut impl rand::RngCore,
    ) -> Result<String> {
        let id = new_row_id(at, rng);
        execute!(
            self,
            "INSERT INTO kudos (id, giver, recipient, value_name, message, visibility, given_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6)",
            &id,
            giver,
            recipient,
            value,
            message,
            ms(at),
        );
        Ok(id)
    }

    /// Kudos a person received (every state), newest first.
    pub async fn kudos_received(&self, recipient: &str) -> Result<Vec<Kudos>> {
        self.kudos_where("recipient = $1", recipient).await
    }

    /// Kudos a person gave (every state), newest first.
    pub async fn kudos_given(&self, giver: &str) -> Result<Vec<Kudos>> {
        self.kudos_where("giver = $1", giver).await
    }

    async fn kudos_where(&self, cond: &str, v: &str) -> Result<Vec<Kudos>> {
        let sql = format!(
            "SELECT {COLS} FROM kudos WHERE {cond} ORDER BY given_at DESC, id DESC LIMIT 200"
        );
        let rows: Vec<KudosRow> = fetch!(self, fetch_all, &sql, v);
        Ok(rows.into_iter().map(kudos).collect())
    }

    /// Consented kudos to any of `recipients`, newest first.
    pub async fn kudos_visible_to_team(&self, recipients: &[String]) -> Result<Vec<Kudos>> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::default();
        let ph = q.list(recipients);
        q.sql = format!(
            "SELECT {COLS} FROM kudos WHERE visibility = 'visible' AND recipient IN ({ph}) ORDER BY given_at DESC, id DESC LIMIT 100"
        );
        let rows: Vec<KudosRow> = fetch_query!(self, fetch_all, q);
        Ok(rows.into_iter().map(kudos).collect())
    }

    /// The recipient shows or hides a kudos. False for a kudos that is not theirs.
    pub async fn set_kudos_visibility(
        &self,
        id: &str,
        recipient: &str,
        v: Visibility,
        at: Timestamp,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE kudos SET visibility = $1, decided_at = $2 WHERE id = $3 AND recipient = $4",
            v.as_str(),
            ms(at),
            id,
            recipient,
        );
        Ok(n == 1)
    }
}
