//! The audit trail as people and programs browse it: filtered by actor, action prefix
//! and target, newest first, one page at a time.
//!
//! The page and the API take the same [`AuditQuery`], so a filter copied from one means
//! the same on the other. People filter by username while the trail records ids (names
//! can change), so [`browse`] translates a username into its id and names the ids it
//! shows; the API lists the trail as recorded ([`list`]).

use crate::{Ctx, Result};
use righttrack_core::audit::Entry;
use righttrack_store::audit::AuditFilter;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A filter as asked for: blanks mean "any", the page size is clamped to 1..=500.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditQuery {
    pub fn filter(&self) -> AuditFilter {
        let nonempty = |s: &Option<String>| {
            s.as_ref()
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
        };
        AuditFilter {
            actor: nonempty(&self.actor),
            action_prefix: nonempty(&self.action),
            target: nonempty(&self.target),
            before_seq: self.before,
            limit: self.limit.unwrap_or(50).clamp(1, 500),
        }
    }
}

/// One page of the trail as recorded, and the `before` of the next (older) page when
/// this one is full.
pub async fn list(ctx: &Ctx, q: &AuditQuery) -> Result<(Vec<Entry>, Option<i64>)> {
    let f = q.filter();
    let entries = ctx.db.audit_list(&f).await?;
    let next = entries
        .last()
        .map(|e| e.seq)
        .filter(|_| entries.len() as i64 == f.limit);
    Ok((entries, next))
}

/// An entry with its actor and target named for people (the username when the id is a
/// user's, else the id as recorded).
#[derive(Debug, Clone)]
pub struct Named {
    pub entry: Entry,
    pub actor_name: String,
    pub target_name: String,
}

/// One page of the trail for people.
#[derive(Debug, Clone)]
pub struct Browsed {
    /// The filter applied (the actor as an id when a username was given).
    pub filter: AuditFilter,
    pub entries: Vec<Named>,
    /// The `before` of the next (older) page, when this one is full.
    pub older: Option<i64>,
}

/// One page of the trail for people: see the module documentation.
pub async fn browse(ctx: &Ctx, q: &AuditQuery) -> Result<Browsed> {
    let mut f = q.filter();
    let users = ctx.db.list_users().await?;
    if let Some(a) = &f.actor {
        if let Some(u) = users.iter().find(|u| &u.username == a) {
            f.actor = Some(u.id.to_string());
        }
    }
    let names: BTreeMap<String, String> = users
        .into_iter()
        .map(|u| (u.id.to_string(), u.username))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let entries = ctx.db.audit_list(&f).await?;
    let older = entries
        .last()
        .filter(|_| entries.len() as i64 == f.limit)
        .map(|last| last.seq);
    let entries = entries
        .into_iter()
        .map(|e| Named {
            actor_name: name(&e.entry.actor),
            target_name: name(&e.entry.target),
            entry: e,
        })
        .collect();
    Ok(Browsed {
        filter: f,
        entries,
        older,
    })
}
