//! What the case team does with a case: triage, assignment and hand-over, recusal, the
//! legal hold, retaliation watch, identity requests and decisions, status, notes and
//! messages to the reporter.
//!
//! Every action opens the case first through [`open`] (no key: "no such case"; the
//! data-access gate before any content), then checks its input. An input the case page
//! should show again with a word of explanation is an [`Kind::Unprocessable`] error whose
//! message names the field (`"risk: choose low, medium or high"`); the message never
//! carries case content. Timeline entries are sealed under the case key
//! ([`event`]); the audit trail records machine values only.

use super::cases::{
    entitled, event, excluded, identity_key_for, no_key, open, random_id, reconcile, Opened,
    Watched, ALL_CASE_ROLES,
};
use crate::{Caller, Ctx, Error, Kind, Result};
use righttrack_core::casekeys::{identity_context, wrap_for_reader};
use righttrack_core::ids::UserId;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_store::speakup::StoredMessage;
use righttrack_store::speakup_cases::{is_final, IdentityRequest, STATUSES};
use serde_json::{json, Value};

/// The most a note, message or reason may hold.
pub const MAX_TEXT: usize = 10_000;

/// The roles a case can be assigned to.
pub const WORKER_ROLES: [Role; 3] = [
    Role::Investigator,
    Role::EthicsOfficer,
    Role::AuditCommittee,
];

/// Where the case team goes after an action: back to the case, or to the list when the
/// action took the caller's own key away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// The case page.
    Case,
    /// The case list (the caller no longer reads the case).
    List,
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::internal(&e)
}

/// An input to show again on the case page: `message` names the field.
fn refused(message: impl Into<String>) -> Error {
    Error::unprocessable(message)
}

/// `value` is `yes` (true) or `no` (false); anything else is refused with `refusal`.
fn either(value: &str, yes: &str, no: &str, refusal: &str) -> Result<bool> {
    match value {
        v if v == yes => Ok(true),
        v if v == no => Ok(false),
        _ => Err(refused(refusal)),
    }
}

/// A free-text field: trimmed, not empty when `required`, at most [`MAX_TEXT`]
/// characters.
pub fn text_field(field: &str, value: &str, required: bool) -> Result<String> {
    let t = value.trim().to_owned();
    if required && t.is_empty() {
        return Err(refused(format!("{field}: required")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(refused(format!("{field}: at most {MAX_TEXT} characters")));
    }
    Ok(t)
}

/// Stores the sealed conflict-of-interest record of a case.
async fn put_coi(ctx: &Ctx, o: &Opened, coi: &super::cases::Coi) -> Result<()> {
    let sealed = o.seal("coi", &serde_json::to_string(coi).map_err(internal)?)?;
    ctx.db.put_case_field(&o.summary.id, "coi", &sealed).await?;
    Ok(())
}

/// Re-applies who may read the case now (not at the next epoch).
async fn reconcile_now(ctx: &Ctx, caller: &Caller, id: &str) -> Result<()> {
    let o = open(ctx, caller, id).await?;
    reconcile(ctx, &caller.actor(), &o, ctx.db.readers_epoch().await?).await
}

/// [`After::Case`] if the caller still holds the case's key, else [`After::List`].
async fn landing(ctx: &Ctx, caller: &Caller, id: &str) -> Result<After> {
    Ok(match ctx.db.case_visible_to(caller.user.id, id).await? {
        Some(_) => After::Case,
        None => After::List,
    })
}

/// Audits a staff action on case `id` (machine values only) and returns to the case.
/// Adds an event acted by `caller` to the case's timeline (see [`event`]).
async fn caller_event(
    ctx: &Ctx,
    o: &Opened,
    caller: &Caller,
    kind: &str,
    value: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    event(ctx, o, Some(caller.user.id), kind, value, detail).await
}

async fn audited(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    action: &str,
    detail: Value,
) -> Result<After> {
    ctx.audit(&caller.actor(), action, id, detail).await?;
    Ok(After::Case)
}

// ---------------------------------------------------------------- triage

/// The triage form: retaliation risk, jurisdiction, the people concerned (usernames) and
/// a reason.
#[derive(Debug, Default, Clone)]
pub struct Triage {
    pub risk: String,
    pub jurisdiction: String,
    pub subjects: String,
    pub reason: String,
}

/// Resolves `name, name2` (usernames) against the directory; an unknown name is an error
/// naming it.
fn usernames(list: &str, users: &[User]) -> Result<Vec<UserId>> {
    let mut out = Vec::new();
    for n in list
        .split([',', '\n', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match users.iter().find(|u| u.username == n) {
            Some(u) => out.push(u.id),
            None => return Err(refused(format!("subjects: no user named {n:?}"))),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Triages a case: retaliation risk, jurisdiction (its deadlines) and the people
/// concerned, whose conflicts are applied at once; a new case is acknowledged.
pub async fn triage(ctx: &Ctx, caller: &Caller, id: &str, input: &Triage) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let risk = input.risk.as_str();
    if !["low", "medium", "high"].contains(&risk) {
        return Err(refused("risk: choose low, medium or high"));
    }
    let Some(j) = ctx.db.jurisdiction(&input.jurisdiction).await? else {
        return Err(refused("jurisdiction: unknown"));
    };
    let users = ctx.db.list_users().await?;
    let subjects = usernames(&input.subjects, &users)?;
    let reason = text_field("reason", &input.reason, false)?;
    let me = caller.user.id;
    if o.summary.risk.as_deref() != Some(risk) {
        ctx.db.set_case_risk(id, risk).await?;
        event(ctx, &o, Some(me), "risk", Some(risk), Some(&reason)).await?;
    }
    if j.code != o.summary.jurisdiction {
        let (ack, fb) = j
            .deadlines(o.summary.submitted_at)
            .ok_or_else(|| internal("deadline out of range"))?;
        ctx.db.set_case_jurisdiction(id, &j.code, ack, fb).await?;
        event(ctx, &o, Some(me), "jurisdiction", Some(&j.code), None).await?;
    }
    let mut coi = o.coi()?;
    if coi.subjects != subjects {
        coi.subjects = subjects;
        put_coi(ctx, &o, &coi).await?;
        let n = coi.subjects.len().to_string();
        event(ctx, &o, Some(me), "subjects", Some(&n), None).await?;
        reconcile_now(ctx, caller, id).await?;
    }
    if o.summary.status == "received" {
        ctx.db
            .set_case_status(id, "acknowledged", ctx.now())
            .await?;
        event(ctx, &o, None, "status", Some("acknowledged"), None).await?;
    }
    ctx.audit(
        &caller.actor(),
        "speakup.case_triaged",
        id,
        json!({"risk": risk, "jurisdiction": j.code}),
    )
    .await?;
    landing(ctx, caller, id).await
}

// ---------------------------------------------------------------- assignment

/// Gives the case to a worker (a user id; who then gets its key) or takes it back
/// (`assignee` empty).
pub async fn assign(ctx: &Ctx, caller: &Caller, id: &str, assignee: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    reassign(ctx, caller, &o, assignee, "assigned").await
}

/// The assignee hands the case to another worker.
pub async fn handover(ctx: &Ctx, caller: &Caller, id: &str, assignee: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    if o.summary.assignee != Some(caller.user.id) {
        return Err(refused("only the assignee hands a case over"));
    }
    if assignee.is_empty() {
        return Err(refused("assignee: choose who takes the case over"));
    }
    reassign(ctx, caller, &o, assignee, "handover").await
}

async fn reassign(ctx: &Ctx, caller: &Caller, o: &Opened, to: &str, kind: &str) -> Result<After> {
    let id = o.summary.id.as_str();
    let to = if to.is_empty() {
        None
    } else {
        Some(UserId::parse(to).ok_or_else(|| refused("assignee: unknown"))?)
    };
    if let Some(u) = to {
        let workers = ctx.db.active_users_with(&WORKER_ROLES).await?;
        if !workers.iter().any(|(w, _)| *w == u) {
            return Err(refused("assignee: not an active case worker"));
        }
        if excluded(ctx, &o.coi()?).await?.contains(&u) {
            return Err(refused(
                "assignee: a conflict of interest keeps this person away from the case",
            ));
        }
    }
    let previous = o.summary.assignee;
    ctx.db.set_case_assignee(id, to).await?;
    let value = to.map(|u| u.to_string());
    let what = if to.is_none() { "unassigned" } else { kind };
    caller_event(ctx, o, caller, what, value.as_deref(), None).await?;
    let mut moved = o.summary.clone();
    moved.assignee = to;
    let o2 = Opened {
        summary: moved,
        key: o.key.clone(),
        fields: o.fields.clone(),
        secret: caller.reader_secret().ok_or_else(no_key)?,
    };
    reconcile(ctx, &caller.actor(), &o2, ctx.db.readers_epoch().await?).await?;
    ctx.audit(
        &caller.actor(),
        "speakup.case_assigned",
        id,
        json!({"to": value, "from": previous.map(|p| p.to_string()), "handover": kind == "handover"}),
    )
    .await?;
    landing(ctx, caller, id).await
}

/// The caller steps away from the case (reason sealed); their key is destroyed and they
/// stay excluded. The last key holder cannot recuse.
pub async fn recuse(ctx: &Ctx, caller: &Caller, id: &str, reason: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let reason = text_field("reason", reason, true)?;
    let mut coi = o.coi()?;
    if !coi.recused.contains(&caller.user.id) {
        coi.recused.push(caller.user.id);
    }
    // The last key holder cannot walk away: the case would be unreadable for good.
    let after = entitled(ctx, &o.summary.category, o.summary.assignee, &coi).await?;
    if after.readers.is_empty() {
        return Err(refused(
            "recuse: no one else could read this case; ask for another case manager to be appointed first",
        ));
    }
    put_coi(ctx, &o, &coi).await?;
    caller_event(ctx, &o, caller, "recused", None, Some(&reason)).await?;
    if o.summary.assignee == Some(caller.user.id) {
        ctx.db.set_case_assignee(id, None).await?;
        event(ctx, &o, None, "assignee_left", None, None).await?;
    }
    // Others' wraps are reconciled with the new record; the caller's goes last.
    reconcile_now(ctx, caller, id).await?;
    ctx.db.delete_wraps(id, caller.user.id).await?;
    ctx.audit(&caller.actor(), "speakup.case_recused", id, json!({}))
        .await?;
    Ok(After::List)
}

// ---------------------------------------------------------------- hold and watch

/// Places (`"on"`) or lifts (`"off"`) a legal hold, with a reason: a held case is never
/// destroyed.
pub async fn hold(ctx: &Ctx, caller: &Caller, id: &str, hold: &str, reason: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let on = either(hold, "on", "off", "hold: on or off")?;
    let reason = text_field("reason", reason, true)?;
    ctx.db.set_legal_hold(id, on).await?;
    let value = if on { "on" } else { "off" };
    caller_event(ctx, &o, caller, "hold", Some(value), Some(&reason)).await?;
    audited(ctx, caller, id, "speakup.legal_hold", json!({"on": on})).await
}

/// The retaliation-watch form: who (a username), as `reporter` or `witness`, and
/// whether they consented.
#[derive(Debug, Default, Clone)]
pub struct Watch {
    pub username: String,
    pub role: String,
    pub consent: bool,
}

/// Puts a named reporter or witness under retaliation watch, with their consent.
pub async fn watch(ctx: &Ctx, caller: &Caller, id: &str, input: &Watch) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    if !input.consent {
        return Err(refused("consent: the person must agree to be watched"));
    }
    let role = input.role.as_str();
    if role != "reporter" && role != "witness" {
        return Err(refused("role: reporter or witness"));
    }
    let users = ctx.db.list_users().await?;
    let Some(u) = users.iter().find(|u| u.username == input.username.trim()) else {
        return Err(refused("username: no such user"));
    };
    let mut list = o.watch()?;
    if !list.iter().any(|w| w.user == u.id) {
        list.push(Watched {
            user: u.id,
            role: role.to_owned(),
            consent_at: ctx.now(),
        });
        let sealed = o.seal("watch", &serde_json::to_string(&list).map_err(internal)?)?;
        ctx.db.put_case_field(id, "watch", &sealed).await?;
        caller_event(ctx, &o, caller, "watch", None, None).await?;
    }
    Ok(After::Case)
}

// ---------------------------------------------------------------- the identity envelope

/// Asks the custodians to open the identity envelope of a named report (reason sealed).
pub async fn request_identity(ctx: &Ctx, caller: &Caller, id: &str, reason: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    if o.summary.anonymous || !o.fields.contains_key("identity") {
        return Err(refused(
            "the reporter stayed anonymous: there is no identity to open",
        ));
    }
    let reason = text_field("reason", reason, true)?;
    let rid = random_id();
    let reason_sealed = o.seal(&format!("identity_request:{rid}"), &reason)?;
    ctx.db
        .add_identity_request(&IdentityRequest {
            id: rid,
            case_id: id.to_owned(),
            requester: caller.user.id,
            reason_sealed,
            status: "pending".into(),
            decided_by: None,
            decision_sealed: None,
            created_at: ctx.now(),
            decided_at: None,
        })
        .await?;
    caller_event(ctx, &o, caller, "identity_requested", None, None).await?;
    audited(ctx, caller, id, "speakup.identity_requested", json!({})).await
}

/// A decision on a request that was already decided: nothing changes (no key is
/// wrapped); the attempt is audited.
async fn refused_decision(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    req: &IdentityRequest,
    approve: bool,
) -> Result<After> {
    ctx.audit(
        &caller.actor(),
        "speakup.identity_decision_refused",
        id,
        json!({"approved": approve, "requester": req.requester.to_string(), "reason": "already decided"}),
    )
    .await?;
    Err(refused("this request was already decided"))
}

/// A custodian approves (`"approve"`: the identity key is wrapped for the requester) or
/// denies (`"deny"`) identity request `rid`, with a reason.
pub async fn decide_identity(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    rid: &str,
    decision: &str,
    reason: &str,
) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let approve = either(decision, "approve", "deny", "decision: approve or deny")?;
    let reason = text_field("reason", reason, true)?;
    let Some(req) = ctx
        .db
        .identity_requests(id)
        .await?
        .into_iter()
        .find(|r| r.id == rid)
    else {
        return Err(Error::not_found());
    };
    if req.requester == caller.user.id {
        return Err(refused(
            "decision: another custodian must decide your own request",
        ));
    }
    // Check first: a request already decided is refused before any key is touched.
    if req.status != "pending" {
        return refused_decision(ctx, caller, id, &req, approve).await;
    }
    let grant = if approve {
        let Some(k) = identity_key_for(ctx, &o).await? else {
            return Err(refused("you do not hold this case's identity key"));
        };
        let Some((_, Some(public))) = super::keys::verified_readers(ctx, &ALL_CASE_ROLES)
            .await?
            .into_iter()
            .find(|(u, _)| *u == req.requester)
        else {
            return Err(refused(
                "the requester has no key: they must sign in once first",
            ));
        };
        Some(
            wrap_for_reader(&public, &identity_context(id), &k, &mut rand::rngs::OsRng)
                .map_err(internal)?,
        )
    } else {
        None
    };
    let decision_sealed = o.seal(&format!("identity_decision:{rid}"), &reason)?;
    // Then decide and wrap in one transaction: the wrap is stored only if the request
    // was still pending.
    if !ctx
        .db
        .decide_identity_request(
            rid,
            approve,
            caller.user.id,
            &decision_sealed,
            ctx.now(),
            grant.as_deref(),
        )
        .await?
    {
        return refused_decision(ctx, caller, id, &req, approve).await;
    }
    let kind = if approve {
        "identity_approved"
    } else {
        "identity_denied"
    };
    caller_event(ctx, &o, caller, kind, None, None).await?;
    audited(
        ctx,
        caller,
        id,
        "speakup.identity_decided",
        json!({"approved": approve, "requester": req.requester.to_string(), "identity_key_wrapped": approve}),
    )
    .await
}

// ---------------------------------------------------------------- status, notes, messages

/// Sets a new status; a final status needs the outcome (sealed) and starts the
/// retention clock, `acknowledged` meets the acknowledgement deadline.
pub async fn set_status(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    status: &str,
    outcome: &str,
) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    if !STATUSES.contains(&status) {
        return Err(refused(format!(
            "status: must be one of {}",
            STATUSES.join(", ")
        )));
    }
    let note = text_field("outcome", outcome, is_final(status))?;
    let now = ctx.now();
    ctx.db.set_case_status(id, status, now).await?;
    if is_final(status) {
        // The retention clock starts at the first close and follows the final status.
        let closed = o.summary.closed_at.unwrap_or(now);
        ctx.db.close_case_retention(id, closed).await?;
    }
    if status == "acknowledged" {
        ctx.db.meet_clock(id, "acknowledge", now).await?;
    }
    caller_event(ctx, &o, caller, "status", Some(status), Some(&note)).await?;
    audited(
        ctx,
        caller,
        id,
        "speakup.case_status",
        json!({"status": status}),
    )
    .await
}

/// Adds an internal note (sealed; never shown to the reporter).
pub async fn add_note(ctx: &Ctx, caller: &Caller, id: &str, note: &str) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let note = text_field("note", note, true)?;
    caller_event(ctx, &o, caller, "note", None, Some(&note)).await?;
    Ok(After::Case)
}

/// Sends a message to the reporter (they read it with their receipt); as `feedback` it
/// meets the feedback deadline.
pub async fn send_message(
    ctx: &Ctx,
    caller: &Caller,
    id: &str,
    message: &str,
    feedback: bool,
) -> Result<After> {
    let o = open(ctx, caller, id).await?;
    let body = text_field("message", message, true)?;
    let mid = random_id();
    let body_sealed = o.seal(&format!("message:{mid}"), &body)?;
    let now = ctx.now();
    ctx.db
        .add_speakup_message(
            id,
            &StoredMessage {
                id: mid,
                author: "staff".into(),
                kind: "message".into(),
                body_sealed,
                created_at: now,
            },
        )
        .await?;
    if feedback {
        ctx.db.meet_clock(id, "feedback", now).await?;
    }
    let kind = if feedback { "feedback" } else { "message" };
    caller_event(ctx, &o, caller, kind, None, None).await?;
    audited(
        ctx,
        caller,
        id,
        "speakup.message_sent",
        json!({"feedback": feedback}),
    )
    .await
}

/// Is this error an input the case page shows again (rather than an error page)?
pub fn is_refusal(e: &Error) -> bool {
    e.kind == Kind::Unprocessable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_input_names_its_field_and_never_echoes_the_value() {
        let e = text_field("note", "  ", true).unwrap_err();
        assert!(is_refusal(&e));
        assert_eq!(e.message, "note: required");
        let long = "secret ".repeat(MAX_TEXT);
        let e = text_field("reason", &long, false).unwrap_err();
        assert_eq!(e.message, "reason: at most 10000 characters");
        assert_eq!(text_field("reason", "  kept  ", false).unwrap(), "kept");
        assert_eq!(text_field("reason", "", false).unwrap(), "");
    }

    #[test]
    fn a_choice_between_two_words_takes_nothing_else() {
        assert!(either("on", "on", "off", "hold: on or off").unwrap());
        assert!(!either("off", "on", "off", "hold: on or off").unwrap());
        let e = either("yes", "on", "off", "hold: on or off").unwrap_err();
        assert_eq!(e.message, "hold: on or off");
    }
}
