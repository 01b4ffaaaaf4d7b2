//! Hotline cases: who holds a case's key, opening a case, its timeline, and what
//! happens to cases when a case reader leaves.
//!
//! **Who holds a case's key** ([`entitled`]): the managers of its category (ethics
//! officers, or audit-committee members for categories routed to the audit committee;
//! if conflicts exclude every one of them, the other group), identity custodians, and
//! the investigator assigned to it while assigned; minus everyone a conflict of interest
//! excludes ([`excluded`]: the people named as subjects, their management chain, whoever
//! evaluated their QA work, anyone the reporter named as not to be trusted with the
//! report, and whoever recused themselves).
//!
//! The conflict record ([`Coi`]) is sealed under the case key, so only a key holder can
//! re-apply it: when anything changes who is entitled (the store's `readers_epoch`), the
//! next key holder who opens the case [`reconcile`]s its wraps. The reporter's intake
//! uses [`entitled`] too, for the first wraps, so that both sides apply one rule.
//!
//! Everything here returns [`crate::Error`]; case content is never part of a message.

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::Timestamp;
use righttrack_core::casekeys::{
    identity_context, unwrap_for_reader, wrap_for_reader, CaseKey, ReaderPublic, ReaderSecret,
};
use righttrack_core::ids::UserId;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::speakup_cases::{CaseEvent, CaseSummary};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(&e)
}

fn rng() -> rand::rngs::OsRng {
    rand::rngs::OsRng
}

/// A fresh random id for events, messages and requests (128 bits, lowercase hex).
pub fn random_id() -> String {
    let mut b = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rng(), &mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

// ---------------------------------------------------------------- conflicts of interest

/// A case's conflict-of-interest record, sealed under the case key as field `coi`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Coi {
    /// People the report is about (matched from the reporter's text, or set at triage).
    #[serde(default)]
    pub subjects: Vec<UserId>,
    /// People the reporter asked to keep away from the report.
    #[serde(default)]
    pub reporter_excluded: Vec<UserId>,
    /// People who recused themselves.
    #[serde(default)]
    pub recused: Vec<UserId>,
}

/// A person under retaliation watch (consent recorded), sealed as field `watch`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Watched {
    pub user: UserId,
    /// `reporter` or `witness`.
    pub role: String,
    pub consent_at: Timestamp,
}

/// Finds the directory users a piece of free text names: a username as a whole word, or
/// a display name as a whole phrase (case-insensitive). Over-matching is the safe side:
/// a wrongly matched person is kept away from the case until triage corrects it.
pub fn people_named(text: &str, users: &[User]) -> Vec<UserId> {
    let norm = |s: &str| -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push(' ');
        for c in s.chars() {
            if c.is_alphanumeric() || c == '.' || c == '_' || c == '-' || c == '@' {
                out.extend(c.to_lowercase());
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        if !out.ends_with(' ') {
            out.push(' ');
        }
        out
    };
    let hay = norm(text);
    if hay.trim().is_empty() {
        return Vec::new();
    }
    users
        .iter()
        .filter(|u| {
            let name = norm(&u.display_name);
            let user = norm(&u.username);
            (name.trim().len() >= 2 && hay.contains(&name))
                || (user.trim().len() >= 2 && hay.contains(&user))
        })
        .map(|u| u.id)
        .collect()
}

/// Everyone a conflict record keeps away from a case.
pub async fn excluded(ctx: &Ctx, coi: &Coi) -> Result<BTreeSet<UserId>> {
    let mut out: BTreeSet<UserId> = BTreeSet::new();
    out.extend(coi.reporter_excluded.iter().copied());
    out.extend(coi.recused.iter().copied());
    if coi.subjects.is_empty() {
        return Ok(out);
    }
    let users = ctx.db.list_users().await?;
    let by_name: BTreeMap<&str, UserId> =
        users.iter().map(|u| (u.username.as_str(), u.id)).collect();
    for s in &coi.subjects {
        out.insert(*s);
        match ctx.db.management_chain(*s).await {
            Ok(chain) => out.extend(chain),
            Err(righttrack_store::StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        }
        if let Some(u) = users.iter().find(|u| u.id == *s) {
            for evaluator in ctx.db.evaluators_of(&u.username).await? {
                if let Some(id) = by_name.get(evaluator.as_str()) {
                    out.insert(*id);
                }
            }
        }
    }
    Ok(out)
}

/// Who should hold a case's key, and who its identity key.
#[derive(Debug, Default)]
pub struct Entitled {
    pub readers: Vec<(UserId, ReaderPublic)>,
    pub custodians: Vec<(UserId, ReaderPublic)>,
    /// Entitled people who have no key pair yet (they get one at their next sign-in).
    pub keyless: usize,
}

/// Does this category go to the audit committee rather than ethics officers?
async fn audit_committee_category(ctx: &Ctx, category: &str) -> Result<bool> {
    Ok(ctx.db.category_routes_to_audit_committee(category).await?)
}

/// Works out who should hold a case's key (see the module doc).
pub async fn entitled(
    ctx: &Ctx,
    category: &str,
    assignee: Option<UserId>,
    coi: &Coi,
) -> Result<Entitled> {
    let out_of_bounds = excluded(ctx, coi).await?;
    let (first, second) = if audit_committee_category(ctx, category).await? {
        (Role::AuditCommittee, Role::EthicsOfficer)
    } else {
        (Role::EthicsOfficer, Role::AuditCommittee)
    };
    let pick = |v: Vec<(UserId, Option<ReaderPublic>)>| -> Vec<(UserId, Option<ReaderPublic>)> {
        v.into_iter()
            .filter(|(u, _)| !out_of_bounds.contains(u))
            .collect()
    };
    // Only keys the server signed: a public key written into the database by someone
    // else receives nothing.
    let verified = super::keys::verified_readers;
    let mut managers = pick(verified(ctx, &[first]).await?);
    if managers.is_empty() {
        managers = pick(verified(ctx, &[second]).await?);
    }
    let custodians = pick(verified(ctx, &[Role::IdentityCustodian]).await?);
    let mut all: BTreeMap<UserId, Option<ReaderPublic>> = BTreeMap::new();
    all.extend(managers);
    all.extend(custodians.iter().cloned());
    if let Some(a) = assignee.filter(|a| !out_of_bounds.contains(a)) {
        let workers = super::keys::verified_readers(
            ctx,
            &[
                Role::Investigator,
                Role::EthicsOfficer,
                Role::AuditCommittee,
            ],
        )
        .await?;
        if let Some((u, k)) = workers.into_iter().find(|(u, _)| *u == a) {
            all.insert(u, k);
        }
    }
    let keyless = all.values().filter(|k| k.is_none()).count();
    Ok(Entitled {
        readers: all
            .into_iter()
            .filter_map(|(u, k)| k.map(|k| (u, k)))
            .collect(),
        custodians: custodians
            .into_iter()
            .filter_map(|(u, k)| k.map(|k| (u, k)))
            .collect(),
        keyless,
    })
}

// ---------------------------------------------------------------- opening a case

/// A case opened by a key holder.
pub struct Opened {
    pub summary: CaseSummary,
    pub key: CaseKey,
    pub fields: BTreeMap<String, Vec<u8>>,
    pub secret: ReaderSecret,
}

impl Opened {
    pub fn text(&self, field: &str) -> Result<Option<String>> {
        match self.fields.get(field) {
            None => Ok(None),
            Some(sealed) => self.open_text(field, sealed).map(Some),
        }
    }

    pub fn open_text(&self, field: &str, sealed: &[u8]) -> Result<String> {
        let raw = self
            .key
            .open(&self.summary.id, field, sealed)
            .map_err(internal)?;
        String::from_utf8(raw).map_err(internal)
    }

    pub fn seal(&self, field: &str, text: &str) -> Result<Vec<u8>> {
        self.key
            .seal(&self.summary.id, field, text.as_bytes(), &mut rng())
            .map_err(internal)
    }

    pub fn coi(&self) -> Result<Coi> {
        match self.text("coi")? {
            None => Ok(Coi::default()),
            Some(s) => serde_json::from_str(&s).map_err(internal),
        }
    }

    pub fn watch(&self) -> Result<Vec<Watched>> {
        match self.text("watch")? {
            None => Ok(Vec::new()),
            Some(s) => serde_json::from_str(&s).map_err(internal),
        }
    }
}

/// The reader's secret is not in the session (API tokens never open case content).
pub fn no_key() -> Error {
    Error::new(
        Kind::Forbidden,
        "case content opens only on a web session signed in with your password: sign out and sign in again",
    )
}

/// "No such case": what a person who holds no key to a case is told, whether it exists
/// or not.
pub fn no_such_case() -> Error {
    Error::new(Kind::NotFound, "no such case")
}

/// Opens a case for `caller`: a case they hold no key to is "no such case" (never
/// "forbidden": its existence is not revealed), and content is decrypted only after the
/// data-access gate (current data-privacy training; `gate.granted` / `gate.denied`
/// audited with the case reference). Every path that decrypts case content (the case
/// page and its actions, attachments, a corrective action raised from a case) comes
/// through here.
pub async fn open(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Opened> {
    if ctx.db.case_visible_to(caller.user.id, id).await?.is_none() {
        return Err(no_such_case());
    }
    crate::program::training::gate::check(
        ctx,
        caller,
        crate::program::training::gate::Resource::Case,
        id,
    )
    .await?;
    open_ungated(ctx, caller, id).await
}

/// Opens a case for a caller who holds its key, reconciling its wraps first if who may
/// read it could have changed; a case the caller holds no key to is [`no_such_case`].
///
/// This does not pass the data-access gate (current data-privacy training): the web
/// shell's `cases::open` checks the gate and then calls this, and the case list's search
/// makes the gate's decision once for the whole list. Reconciling wraps shows nothing of
/// the content.
pub async fn open_ungated(ctx: &Ctx, caller: &Caller, id: &str) -> Result<Opened> {
    let Some((summary, wrapped)) = ctx.db.case_visible_to(caller.user.id, id).await? else {
        return Err(no_such_case());
    };
    let secret = caller.reader_secret().ok_or_else(no_key)?;
    let key = unwrap_for_reader(&secret, &summary.id, &wrapped).map_err(|_| {
        Error::new(
            Kind::Forbidden,
            "your key to this case does not open it: another case reader will re-issue it when they next open the case",
        )
    })?;
    let fields = ctx.db.case_fields(&summary.id).await?.into_iter().collect();
    let mut opened = Opened {
        summary,
        key,
        fields,
        secret,
    };
    let epoch = ctx.db.readers_epoch().await?;
    if opened.summary.wraps_epoch < epoch {
        reconcile(ctx, &caller.actor(), &opened, epoch).await?;
        opened.summary.wraps_epoch = epoch;
        // Reconciling may have taken the caller's own key away (a new conflict).
        if ctx.db.case_visible_to(caller.user.id, id).await?.is_none() {
            return Err(no_such_case());
        }
    }
    Ok(opened)
}

/// Brings a case's wraps in line with [`entitled`]: wraps for newly entitled readers,
/// destroyed wraps for anyone no longer entitled; the identity key for custodians when
/// the caller holds it.
pub async fn reconcile(ctx: &Ctx, actor: &str, o: &Opened, epoch: i64) -> Result<()> {
    let coi = o.coi()?;
    let want = entitled(ctx, &o.summary.category, o.summary.assignee, &coi).await?;
    let have: BTreeSet<UserId> = ctx
        .db
        .speakup_wrapped_for(&o.summary.id)
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    let want_ids: BTreeSet<UserId> = want.readers.iter().map(|(u, _)| *u).collect();
    let mut added = 0;
    for (u, public) in &want.readers {
        if !have.contains(u) {
            let w = wrap_for_reader(public, &o.summary.id, &o.key, &mut rng()).map_err(internal)?;
            ctx.db.put_wrap(&o.summary.id, *u, &w).await?;
            added += 1;
        }
    }
    let mut removed = 0;
    for u in have.difference(&want_ids) {
        ctx.db.delete_wraps(&o.summary.id, *u).await?;
        removed += 1;
    }
    // Identity holders who lost the case lose the identity too.
    for u in ctx.db.identity_holders(&o.summary.id).await? {
        if !want_ids.contains(&u) {
            ctx.db.delete_wraps(&o.summary.id, u).await?;
        }
    }
    if let Some(identity_key) = identity_key_for(ctx, o).await? {
        let holders: BTreeSet<UserId> = ctx
            .db
            .identity_holders(&o.summary.id)
            .await?
            .into_iter()
            .collect();
        for (u, public) in &want.custodians {
            if !holders.contains(u) {
                let w = wrap_for_reader(
                    public,
                    &identity_context(&o.summary.id),
                    &identity_key,
                    &mut rng(),
                )
                .map_err(internal)?;
                ctx.db.put_identity_wrap(&o.summary.id, *u, &w).await?;
            }
        }
        // The escrow (kept only while there was no custodian) goes once one holds it.
        if !want.custodians.is_empty() && o.fields.contains_key("identity_key_pending") {
            ctx.db
                .delete_case_field(&o.summary.id, "identity_key_pending")
                .await?;
        }
    }
    ctx.db.set_case_wraps_epoch(&o.summary.id, epoch).await?;
    if added + removed > 0 {
        ctx.audit(
            actor,
            "speakup.case_keys_reconciled",
            &o.summary.id,
            json!({"added": added, "removed": removed, "awaiting_key": want.keyless}),
        )
        .await?;
    }
    Ok(())
}

/// The identity key, if the caller holds it (as custodian or approved requester), or if
/// it is still in escrow because no custodian existed when the report was filed.
pub async fn identity_key_for(ctx: &Ctx, o: &Opened) -> Result<Option<CaseKey>> {
    let me = o.secret.public();
    let mine = ctx
        .db
        .active_users_with(&ALL_CASE_ROLES)
        .await?
        .into_iter()
        .find(|(_, k)| *k == Some(me))
        .map(|(u, _)| u);
    if let Some(u) = mine {
        if let Some(w) = ctx.db.identity_wrap(&o.summary.id, u).await? {
            let k = unwrap_for_reader(&o.secret, &identity_context(&o.summary.id), &w)
                .map_err(internal)?;
            return Ok(Some(k));
        }
    }
    if let Some(sealed) = o.fields.get("identity_key_pending") {
        let k = o
            .key
            .open_key(&o.summary.id, "identity_key_pending", sealed)
            .map_err(internal)?;
        return Ok(Some(k));
    }
    Ok(None)
}

/// Roles that may hold case keys.
pub const ALL_CASE_ROLES: [Role; 4] = [
    Role::EthicsOfficer,
    Role::Investigator,
    Role::AuditCommittee,
    Role::IdentityCustodian,
];

/// Appends to a case's timeline; `detail` is sealed under the case key.
pub async fn event(
    ctx: &Ctx,
    o: &Opened,
    actor: Option<UserId>,
    kind: &str,
    value: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let id = random_id();
    let detail_sealed = match detail.filter(|d| !d.trim().is_empty()) {
        Some(d) => Some(o.seal(&format!("event:{id}"), d)?),
        None => None,
    };
    ctx.db
        .add_case_event(
            &o.summary.id,
            &CaseEvent {
                id,
                at: ctx.now(),
                actor,
                kind: kind.to_owned(),
                value: value.map(str::to_owned),
                detail_sealed,
            },
        )
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- people who leave

/// Refuses to take away the last key to any case: nobody, administrators included, could
/// ever read it again. Another case manager must sign in (and open the cases) first.
pub async fn check_not_last_holder(ctx: &Ctx, user: &User) -> Result<()> {
    let n = ctx.db.cases_held_only_by(user.id).await?;
    if n > 0 {
        return Err(Error::new(
            Kind::Conflict,
            format!(
                "{} is the only person holding the key to {n} hotline case{}: appoint another case manager, let them sign in once, then have a current key holder open the case list so the keys are passed on; otherwise those cases can never be read again",
                user.username,
                if n == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(())
}

/// Takes a person off hotline cases when they are disabled or their case roles change:
/// every key wrapped for them is destroyed at once (the next key holder re-issues what
/// they are still entitled to). A person who no longer works cases at all is also
/// unassigned, and each case they held shows that it needs a new assignee.
pub async fn leave_cases(ctx: &Ctx, actor: &str, user: &User, still_works: bool) -> Result<()> {
    let unassigned = ctx.db.drop_from_cases(user.id, !still_works).await?;
    for case in &unassigned {
        ctx.db
            .add_case_event(
                case,
                &CaseEvent {
                    id: random_id(),
                    at: ctx.now(),
                    actor: None,
                    kind: "assignee_left".into(),
                    value: None,
                    detail_sealed: None,
                },
            )
            .await?;
    }
    ctx.audit(
        actor,
        "speakup.case_keys_dropped",
        &user.id.to_string(),
        json!({"unassigned": unassigned.len()}),
    )
    .await?;
    Ok(())
}
