//! What the conflict-of-interest pages, the CSV exports and the API show: disclosures
//! (the list form opens no sealed field), mitigations, the gifts register and the
//! reports. A disclosure opens only through [`load_visible`]; every report that lists
//! people is audited (`conflicts.report_viewed`).

use super::disclosures::{coverage, load_visible, open_details, open_text, pending_campaigns};
use super::ensure_key;
use crate::{Caller, Ctx, Error, Result};
use righttrack_core::authz::allowed;
use righttrack_core::clock::day;
use righttrack_core::conflicts::{self as rules, Kind};
use righttrack_core::Action;
use righttrack_store::conflicts::{Campaign, DisclosureRow};
use righttrack_store::directory::User;
use serde_json::json;

/// One mitigation of a decided disclosure.
#[derive(Debug, Clone)]
pub struct Mitigation {
    pub text: String,
    pub owner: String,
    pub review: String,
    pub status: String,
    pub overdue: bool,
    pub discloser: String,
    pub disclosure: String,
    pub kind: String,
}

/// One disclosure; the sealed fields are empty in the list form ([`summary`]).
#[derive(Debug, Clone)]
pub struct Disclosure {
    pub id: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub status: String,
    pub occasion: String,
    pub submitted: String,
    pub discloser: String,
    pub discloser_name: String,
    pub name: String,
    pub relationship: String,
    pub description: String,
    pub colleague: String,
    pub gift: String,
    pub needs_approval: bool,
    pub reviewer: String,
    pub decided_by: String,
    pub decided: String,
    pub rationale: String,
    pub mitigations: Vec<Mitigation>,
}

/// One entry of the gifts register.
#[derive(Debug, Clone)]
pub struct Gift {
    pub id: String,
    pub date: String,
    pub person: String,
    pub direction: String,
    pub counterparty: String,
    pub description: String,
    pub value: String,
    pub currency: String,
    pub needs_approval: bool,
    pub status: String,
}

fn gift_text(d: &DisclosureRow) -> String {
    match (&d.gift_direction, d.gift_value, &d.gift_currency) {
        (Some(dir), Some(v), Some(c)) => format!("{dir}, {} {c}", rules::money(v)),
        _ => String::new(),
    }
}

/// The label of a disclosure kind ("Other" for one this version does not know).
pub fn kind_label(k: &str) -> &'static str {
    Kind::parse(k).map(Kind::label).unwrap_or("Other")
}

fn day_of_ms(ms: i64) -> String {
    day(righttrack_store::from_ms(ms))
}

/// The list form of a disclosure: no sealed field opened.
pub fn summary(d: &DisclosureRow) -> Disclosure {
    Disclosure {
        id: d.id.clone(),
        kind: d.kind.clone(),
        kind_label: kind_label(&d.kind),
        status: d.status.clone(),
        occasion: d.occasion.clone(),
        submitted: day_of_ms(d.submitted_at),
        discloser: d.username.clone(),
        discloser_name: d.display_name.clone(),
        name: String::new(),
        relationship: String::new(),
        description: String::new(),
        colleague: d.colleague.clone().unwrap_or_default(),
        gift: gift_text(d),
        needs_approval: d.needs_approval,
        reviewer: d.reviewer.clone().unwrap_or_default(),
        decided_by: d.decided_by.clone().unwrap_or_default(),
        decided: d.decided_at.map(day_of_ms).unwrap_or_default(),
        rationale: String::new(),
        mitigations: Vec::new(),
    }
}

/// The mitigations of one disclosure (or of all), only the open ones if `open_only`.
async fn mitigations(
    ctx: &Ctx,
    disclosure: Option<&str>,
    open_only: bool,
) -> Result<Vec<Mitigation>> {
    let now = ctx.now();
    let mut out = Vec::new();
    for m in ctx.db.mitigations(open_only, disclosure).await? {
        let review = righttrack_store::from_ms(m.review_at);
        out.push(Mitigation {
            text: open_text(ctx, Some(&m.text_sealed))?,
            owner: m.owner,
            review: day(review),
            overdue: m.status == "open" && review < now,
            status: m.status,
            discloser: m.discloser,
            disclosure: m.disclosure_id,
            kind: kind_label(&m.kind).to_owned(),
        });
    }
    Ok(out)
}

/// Disclosure `id` with its sealed fields opened, if `viewer` may read it (audited when
/// `viewer` is not the discloser), and whether `viewer` may decide it now: an ethics
/// officer who is neither the discloser nor the colleague it names.
pub async fn read(ctx: &Ctx, viewer: &User, id: &str) -> Result<(Disclosure, bool)> {
    let d = load_visible(ctx, viewer, id).await?;
    let may_decide = d.status == "submitted"
        && allowed(&viewer.roles, Action::ConflictReview)
        && d.user_id != viewer.id.to_string()
        && d.colleague.as_deref() != Some(viewer.username.as_str());
    let mut v = summary(&d);
    let det = open_details(ctx, &d)?;
    v.name = det.name;
    v.relationship = det.relationship;
    v.description = det.description;
    v.rationale = open_text(ctx, d.rationale_sealed.as_deref())?;
    v.mitigations = mitigations(ctx, Some(&d.id), false).await?;
    Ok((v, may_decide))
}

/// `user`'s own disclosures, in the list form.
pub async fn mine(ctx: &Ctx, user: &User) -> Result<Vec<Disclosure>> {
    Ok(ctx
        .db
        .disclosures_of(user.id)
        .await?
        .iter()
        .map(summary)
        .collect())
}

/// Disclosure `id` as stored (its status after a submission or a decision).
pub async fn stored(ctx: &Ctx, id: &str) -> Result<DisclosureRow> {
    ctx.db.disclosure(id).await?.ok_or_else(Error::not_found)
}

/// An employee's page: the campaigns that ask them, their disclosures and the gift
/// threshold in words.
#[derive(Debug, Clone)]
pub struct Home {
    pub pending: Vec<Campaign>,
    pub mine: Vec<Disclosure>,
    pub threshold: String,
}

/// What `user`'s conflicts page shows.
pub async fn home(ctx: &Ctx, user: &User) -> Result<Home> {
    ensure_key(ctx).await?;
    let pending = pending_campaigns(ctx, user).await?;
    let mine = mine(ctx, user).await?;
    let threshold = ctx
        .db
        .conflict_settings()
        .await?
        .map(|s| format!("{} {}", rules::money(s.gift_threshold), s.gift_currency))
        .unwrap_or_default();
    Ok(Home {
        pending,
        mine,
        threshold,
    })
}

/// The officers' page: disclosures waiting for a decision, campaigns, the gift
/// threshold and the teams a campaign may ask.
#[derive(Debug, Clone)]
pub struct Review {
    pub waiting: Vec<Disclosure>,
    pub campaigns: Vec<Campaign>,
    pub threshold: String,
    pub currency: String,
    /// (id, name).
    pub teams: Vec<(String, String)>,
}

/// What the officers' review page shows.
pub async fn review(ctx: &Ctx) -> Result<Review> {
    ensure_key(ctx).await?;
    let waiting = ctx
        .db
        .disclosures(Some("submitted"), None, 500)
        .await?
        .iter()
        .map(summary)
        .collect();
    let campaigns = ctx.db.conflict_campaigns().await?;
    let s = ctx
        .db
        .conflict_settings()
        .await?
        .ok_or_else(|| Error::internal(&"conflict settings missing"))?;
    let teams = crate::platform::directory::team_choices(ctx).await?;
    Ok(Review {
        waiting,
        campaigns,
        threshold: rules::money(s.gift_threshold),
        currency: s.gift_currency,
        teams,
    })
}

async fn gifts(ctx: &Ctx) -> Result<Vec<Gift>> {
    let mut out = Vec::new();
    for d in ctx.db.disclosures(None, Some("gift"), 5000).await? {
        let det = open_details(ctx, &d)?;
        out.push(Gift {
            date: day_of_ms(d.submitted_at),
            person: d.username.clone(),
            direction: d.gift_direction.clone().unwrap_or_default(),
            counterparty: det.name,
            description: det.description,
            value: d.gift_value.map(rules::money).unwrap_or_default(),
            currency: d.gift_currency.clone().unwrap_or_default(),
            needs_approval: d.needs_approval,
            status: d.status.clone(),
            id: d.id,
        });
    }
    Ok(out)
}

/// A campaign's coverage per team and per site, small groups suppressed.
pub type Coverage = Option<(Campaign, Vec<rules::CoverageRow>, Vec<rules::CoverageRow>)>;

/// The three reports.
#[derive(Debug, Clone)]
pub struct Reports {
    pub coverage: Coverage,
    pub open_mitigations: Vec<Mitigation>,
    pub gifts: Vec<Gift>,
}

async fn report_viewed(ctx: &Ctx, caller: &Caller, detail: serde_json::Value) -> Result<()> {
    ctx.audit(&caller.actor(), "conflicts.report_viewed", "", detail)
        .await?;
    Ok(())
}

/// Coverage of the newest (or the named) campaign, the open mitigations and the gifts
/// register; `format` names the channel other than the page ("json"). Audited.
pub async fn reports(
    ctx: &Ctx,
    caller: &Caller,
    campaign: Option<&str>,
    format: Option<&str>,
) -> Result<Reports> {
    let coverage = coverage(ctx, campaign).await?;
    report_viewed(
        ctx,
        caller,
        match format {
            Some(f) => json!({"report": "all", "format": f}),
            None => json!({"report": "all"}),
        },
    )
    .await?;
    Ok(Reports {
        coverage,
        open_mitigations: mitigations(ctx, None, true).await?,
        gifts: gifts(ctx).await?,
    })
}

/// One report, as its CSV export gives it.
#[derive(Debug, Clone)]
pub enum Export {
    Coverage(Coverage),
    Mitigations(Vec<Mitigation>),
    Gifts(Vec<Gift>),
}

/// One report (`coverage`, `mitigations` or `gifts`) for its CSV export. Audited.
pub async fn export(
    ctx: &Ctx,
    caller: &Caller,
    report: &str,
    campaign: Option<&str>,
) -> Result<Export> {
    let out = match report {
        "coverage" => Export::Coverage(coverage(ctx, campaign).await?),
        "mitigations" => Export::Mitigations(mitigations(ctx, None, true).await?),
        "gifts" => Export::Gifts(gifts(ctx).await?),
        _ => {
            return Err(Error::bad_request(
                "query `report`: expected coverage, mitigations or gifts",
            ))
        }
    };
    report_viewed(ctx, caller, json!({"report": report, "format": "csv"})).await?;
    Ok(out)
}
