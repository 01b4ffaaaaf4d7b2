//! The hotline's configuration: report categories, jurisdictions and the default one,
//! retention rules, and the cases about to be destroyed.
//!
//! Nothing here touches case content: configuration is plain text the reporter's form
//! shows anyway. Every change is audited (`speakup.category_*`, `speakup.jurisdiction_*`,
//! `speakup.default_jurisdiction_set`, `speakup.retention_*`); saving what is already
//! stored changes and audits nothing. A value the page should show again is an
//! [`Kind::Unprocessable`] error whose `field` names it and whose message says why.

use crate::{Caller, Ctx, Error, Kind, Result};
use jiff::SignedDuration;
use righttrack_core::speakup_config::{RetentionRule, ANY};
use righttrack_store::speakup::Jurisdiction;
use righttrack_store::speakup_config::{Category, ExpiringCase, RETENTION_WARNING_DAYS};
use righttrack_store::StoreError;
use serde_json::{json, Value};

/// A value refused on the settings page: `field` as people read it, and why.
fn refused(field: &str, why: &str) -> Error {
    Error::new(Kind::Unprocessable, why).on(field)
}

/// Audits a settings change by `caller` (machine values only).
async fn audit(
    ctx: &Ctx,
    caller: &Caller,
    action: &str,
    target: &str,
    detail: Value,
) -> Result<()> {
    Ok(ctx.audit(&caller.actor(), action, target, detail).await?)
}

/// Everything the settings page shows.
pub struct Settings {
    pub categories: Vec<Category>,
    pub rules: Vec<RetentionRule>,
    /// Cases whose retention ends within [`RETENTION_WARNING_DAYS`].
    pub expiring: Vec<ExpiringCase>,
    pub jurisdictions: Vec<Jurisdiction>,
    pub default_jurisdiction: String,
}

/// Loads the settings page's data.
pub async fn settings(ctx: &Ctx) -> Result<Settings> {
    let categories = ctx.db.speakup_categories().await?;
    let rules = ctx.db.retention_rules().await?;
    let expiring = ctx
        .db
        .expiring_cases(
            ctx.now(),
            SignedDuration::from_hours(RETENTION_WARNING_DAYS * 24),
        )
        .await?;
    let jurisdictions = ctx.db.speakup_jurisdictions().await?;
    let default_jurisdiction = ctx.db.default_jurisdiction_code().await?;
    Ok(Settings {
        categories,
        rules,
        expiring,
        jurisdictions,
        default_jurisdiction,
    })
}

/// A stored category ("not found" if there is none with this key).
pub async fn category(ctx: &Ctx, key: &str) -> Result<Category> {
    ctx.db
        .speakup_category(key)
        .await?
        .ok_or_else(Error::not_found)
}

/// Is `key` a configured category (enabled or not)?
pub async fn is_category(ctx: &Ctx, key: &str) -> Result<bool> {
    Ok(ctx.db.speakup_category(key).await?.is_some())
}

/// Adds a category; a key already in use is refused (field `key`).
pub async fn create_category(ctx: &Ctx, caller: &Caller, c: &Category) -> Result<()> {
    match ctx.db.create_speakup_category(c).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(refused(
                "key",
                "a category with this key exists; edit it instead",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        ctx,
        caller,
        "speakup.category_created",
        &c.key,
        json!({
            "enabled": c.enabled,
            "audit_committee": c.audit_committee,
            "position": c.position,
            "questions": c.questions.en.len(),
        }),
    )
    .await?;
    Ok(())
}

/// The names of the parts of a category that differ (for the audit trail).
fn changed(before: &Category, after: &Category) -> Vec<&'static str> {
    [
        ("position", before.position != after.position),
        ("labels", before.labels != after.labels),
        ("hints", before.hints != after.hints),
        ("questions", before.questions != after.questions),
        ("enabled", before.enabled != after.enabled),
        (
            "audit_committee",
            before.audit_committee != after.audit_committee,
        ),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect()
}

/// Saves an edited category (`before` as stored); the audit names the parts changed.
pub async fn save_category(
    ctx: &Ctx,
    caller: &Caller,
    before: &Category,
    c: &Category,
) -> Result<()> {
    let changes = changed(before, c);
    if changes.is_empty() {
        return Ok(());
    }
    ctx.db.update_speakup_category(c).await?;
    let detail =
        json!({"changed": changes, "enabled": c.enabled, "audit_committee": c.audit_committee});
    audit(ctx, caller, "speakup.category_updated", &c.key, detail).await
}

/// Offers a category to reporters again (`"yes"`) or stops offering it (`"no"`); its
/// cases keep it. Returns whether it is now enabled.
pub async fn set_category_enabled(
    ctx: &Ctx,
    caller: &Caller,
    key: &str,
    enabled: &str,
) -> Result<bool> {
    let before = category(ctx, key).await?;
    let enabled = match enabled {
        "yes" => true,
        "no" => false,
        _ => return Err(Error::unprocessable("field `enabled`: yes or no")),
    };
    if before.enabled != enabled {
        ctx.db
            .set_speakup_category_enabled(&before.key, enabled)
            .await?;
        let action = if enabled {
            "speakup.category_enabled"
        } else {
            "speakup.category_disabled"
        };
        audit(ctx, caller, action, &before.key, json!({})).await?;
    }
    Ok(enabled)
}

fn deadlines(j: &Jurisdiction) -> serde_json::Value {
    json!({"ack_days": j.ack_days, "feedback_months": j.feedback_months, "warn_days": j.warn_days})
}

/// Adds a jurisdiction; a code already in use is refused (field `code`).
pub async fn create_jurisdiction(ctx: &Ctx, caller: &Caller, j: &Jurisdiction) -> Result<()> {
    match ctx.db.create_speakup_jurisdiction(j).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(refused("code", "this jurisdiction exists; edit it instead"))
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        ctx,
        caller,
        "speakup.jurisdiction_created",
        &j.code,
        deadlines(j),
    )
    .await?;
    Ok(())
}

/// A stored jurisdiction ("not found" if there is none with this code).
pub async fn jurisdiction(ctx: &Ctx, code: &str) -> Result<Jurisdiction> {
    ctx.db
        .jurisdiction(code)
        .await?
        .ok_or_else(Error::not_found)
}

/// Saves an edited jurisdiction (`before` as stored): new reports get its deadlines.
pub async fn save_jurisdiction(
    ctx: &Ctx,
    caller: &Caller,
    before: &Jurisdiction,
    j: &Jurisdiction,
) -> Result<()> {
    if j != before {
        ctx.db.update_speakup_jurisdiction(j).await?;
        let detail = json!({"from": deadlines(before), "to": deadlines(j), "renamed": before.name != j.name});
        audit(ctx, caller, "speakup.jurisdiction_updated", &j.code, detail).await?;
    }
    Ok(())
}

/// Chooses the jurisdiction new reports get; an unknown code is refused (field
/// `default jurisdiction`).
pub async fn set_default_jurisdiction(ctx: &Ctx, caller: &Caller, code: &str) -> Result<()> {
    if ctx.db.jurisdiction(code).await?.is_none() {
        return Err(refused(
            "default jurisdiction",
            "choose one of the jurisdictions",
        ));
    }
    let before = ctx.db.default_jurisdiction_code().await?;
    if before != code {
        ctx.db
            .set_default_jurisdiction(code, &mut rand::rngs::OsRng)
            .await?;
        audit(
            ctx,
            caller,
            "speakup.default_jurisdiction_set",
            code,
            json!({"from": before}),
        )
        .await?;
    }
    Ok(())
}

/// Sets a retention rule's days (for cases closed from now on).
pub async fn set_retention(ctx: &Ctx, caller: &Caller, rule: &RetentionRule) -> Result<()> {
    let before = ctx.db.set_retention_rule(rule).await?;
    if before != Some(rule.days) {
        audit(
            ctx,
            caller,
            "speakup.retention_set",
            &format!("{}/{}", rule.category, rule.status),
            json!({"days": rule.days, "from": before}),
        )
        .await?;
    }
    Ok(())
}

/// Removes a retention rule; the fallback (any category, any status) stays (refused,
/// field `rule * / *`).
pub async fn delete_retention(ctx: &Ctx, caller: &Caller, rule: &RetentionRule) -> Result<()> {
    if rule.category == ANY && rule.status == ANY {
        return Err(refused(
            "rule * / *",
            "the rule for any category and any status is the fallback; change its days instead",
        ));
    }
    if ctx
        .db
        .delete_retention_rule(&rule.category, &rule.status)
        .await?
    {
        audit(
            ctx,
            caller,
            "speakup.retention_deleted",
            &format!("{}/{}", rule.category, rule.status),
            json!({}),
        )
        .await?;
    }
    Ok(())
}
