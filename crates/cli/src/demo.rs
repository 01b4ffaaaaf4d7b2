//! `--demo`: a realistic organisation for a first look around, made by
//! [`righttrack_app::jobs::demo`]; passwords are random and printed once, at creation.

use anyhow::Result;
use righttrack_app::jobs::demo::org;
use righttrack_app::Ctx;
use righttrack_core::Secret;

/// Seeds the organisation if the database has no users. Returns the accounts to print.
pub async fn seed(state: &Ctx) -> Result<Option<Vec<org::DemoAccount>>> {
    let Some(mut org) = org::seed_people(state).await.map_err(crate::fail)? else {
        return Ok(None);
    };
    // Training first: case content opens only for people whose privacy training is current.
    righttrack_app::jobs::demo::training::seed(state)
        .await
        .map_err(crate::fail)?;
    // Hotline cases, filed and worked through the real handlers with the staff's keys.
    let pw_of = |name: &str| org.password(name);
    let user_of = |name: &str| org.user(name);
    if let (Some(e), Some(epw), Some(i), Some(ipw)) = (
        user_of("ethics"),
        pw_of("ethics"),
        user_of("investigator"),
        pw_of("investigator"),
    ) {
        let mut others = Vec::new();
        for name in ["custodian", "committee"] {
            if let (Some(u), Some(pw)) = (user_of(name), pw_of(name)) {
                others.push((u, pw));
            }
        }
        let others: Vec<(&righttrack_store::directory::User, &Secret<String>)> =
            others.iter().map(|(u, pw)| (*u, pw)).collect();
        righttrack_app::jobs::demo::cases::seed(state, (e, &epw), (i, &ipw), &others)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    }
    // Climate surveys: two closed waves with results, one open (issue #7).
    if let Some(e) = user_of("ethics") {
        righttrack_app::jobs::demo::surveys::seed(state, e)
            .await
            .map_err(crate::fail)?;
    }
    // Policies and attestation (issue #6).
    if let Some(e) = user_of("ethics") {
        org::seed_policies(state, &org, e)
            .await
            .map_err(crate::fail)?;
    }
    // Pay equity: a year of pay data with a category to assess.
    if let Some(e) = user_of("ethics") {
        righttrack_app::jobs::demo::pay::seed(state, e)
            .await
            .map_err(crate::fail)?;
    }
    org.accounts.push(org::DemoAccount {
        username: "(every other demo user)",
        role: "agents and leads",
        password: org.shared.clone(),
    });
    org::record(state).await.map_err(crate::fail)?;
    Ok(Some(org.accounts))
}
