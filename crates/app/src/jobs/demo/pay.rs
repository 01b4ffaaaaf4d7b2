//! Demo pay data for 2024 and 2025, imported the way an HR file is, with a story: in
//! Billing and Retention more men than women hold the higher agent grade, so a raw gap
//! that grade explains; in Technical Support women are paid about 9 % less at the same
//! grade and tenure, which nothing explains, so a joint pay assessment is due there.
//! And in 2025 about as many women as men were considered for promotion, but the women
//! considered were chosen half as often; pay rises (against 2024) and training were
//! given alike. Team leads and agents are paid by grade and years of service; who is a
//! woman or a man is a deterministic function of the username (the demo directory has
//! no such field).

use super::capa::caller;
use crate::platform::directory::team_choices;
use crate::program::pay;
use crate::{Ctx, Result};
use righttrack_core::Role;
use righttrack_scan::csv::cell;
use righttrack_store::directory::User;
use std::collections::BTreeMap;

/// The demo's reporting period.
pub const PERIOD: &str = "2025";
/// The period before it, for pay rises.
pub const PREVIOUS: &str = "2024";

/// FNV-1a: a stable number per username, so the demo tells the same story every time.
fn stable(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The HR file of the demo's agents and team leads.
pub fn file(users: &[User], team_names: &BTreeMap<String, String>) -> String {
    let mut out = String::from(
        "person,period,basic_pay,variable_pay,hours,category,grade,hire_date,sex,promoted,\
         considered,training_hours\n",
    );
    for u in users.iter().filter(|u| !u.disabled && !u.service) {
        let h = stable(&u.username);
        let female = h.is_multiple_of(2);
        let years = (h >> 8) % 10;
        let noise = i64::try_from((h >> 16) % 7).unwrap_or(0) * 60;
        let hire = format!("{}-{:02}-15", 2025 - years, 1 + (h >> 24) % 12);
        let team = u
            .team_id
            .and_then(|t| team_names.get(&t.to_string()))
            .map_or("", String::as_str);
        let (category, grade, base) = if u.has(Role::TeamLead) {
            ("Team lead".to_owned(), "L1", 36_000)
        } else if u.has(Role::Agent) {
            let floor = ["Billing", "Retention", "Technical Support"]
                .into_iter()
                .find(|f| team.ends_with(f))
                .unwrap_or("Billing");
            // More men than women in the higher grade: 8 in 10 against 2 in 10.
            let senior = (h >> 32) % 10 < if female { 2 } else { 8 };
            let (grade, base) = if senior {
                ("A2", 30_000)
            } else {
                ("A1", 24_000)
            };
            (format!("Agent, {floor}"), grade, base)
        } else {
            continue;
        };
        let tenure = i64::try_from(years).unwrap_or(0) * 400;
        let mut basic = base + tenure + noise;
        if female && category == "Agent, Technical Support" {
            basic = basic * 91 / 100;
        }
        let variable = if (h >> 40) % 5 < 3 {
            600 + i64::try_from((h >> 44) % 8).unwrap_or(0) * 150
        } else {
            0
        };
        let sex = if female { "female" } else { "male" };
        // Three in ten considered for promotion; of those, three in ten women chosen
        // against six in ten men. Nine in ten trained, alike.
        let considered = (h >> 48) % 10 < 3;
        let promoted = considered && (h >> 52) % 10 < if female { 3 } else { 6 };
        let training = if (h >> 56) % 10 < 9 {
            6 + (h >> 60) % 7
        } else {
            0
        };
        let yes = |b: bool| if b { "yes" } else { "no" };
        let (person, category) = (cell(&u.username), cell(&category));
        out.push_str(&format!(
            "{person},{PERIOD},{basic},{variable},1600,{category},{grade},{hire},{sex},{},{},{training}\n",
            yes(promoted),
            yes(considered),
        ));
        // In 2024: seven in ten had 3 % less (a rise since), the others the same; those
        // hired in 2025 have no line.
        if years > 0 {
            let before = if (h >> 20) % 10 < 7 {
                basic * 100 / 103
            } else {
                basic
            };
            out.push_str(&format!(
                "{person},{PREVIOUS},{before},{variable},1600,{category},{grade},{hire},{sex},,,\n"
            ));
        }
    }
    out
}

/// Turns on the collection of sex and imports the demo's pay file as `ethics`.
pub async fn seed(ctx: &Ctx, ethics: &User) -> Result<()> {
    let who = caller(ethics);
    pay::set_collect_sex(ctx, &who, true).await?;
    let teams: BTreeMap<String, String> = team_choices(ctx).await?.into_iter().collect();
    let users = ctx.db.list_users().await?;
    pay::import_file(ctx, &who, &file(&users, &teams)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use righttrack_core::ids::{TeamId, UserId};
    use righttrack_core::pay::opportunity::opportunity;
    use righttrack_core::pay::{import, report};

    /// 150 agents over three floors and ten team leads, as the demo directory has.
    fn people() -> (Vec<User>, BTreeMap<String, String>) {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let mut rng = rand::rngs::OsRng;
        let floors: Vec<(TeamId, &str)> = [
            "Lisbon Billing",
            "Lisbon Retention",
            "Lisbon Technical Support",
        ]
        .into_iter()
        .map(|n| (TeamId::new_v7(now, &mut rng), n))
        .collect();
        let user = |i: usize, role: Role, team: TeamId| User {
            id: UserId::new_v7(now, &mut rand::rngs::OsRng),
            username: format!("person.{i}"),
            display_name: format!("Person {i}"),
            team_id: Some(team),
            roles: vec![role],
            totp_enabled: false,
            disabled: false,
            service: false,
            created_at: now,
        };
        let mut users: Vec<User> = (0..150)
            .map(|i| user(i, Role::Agent, floors[i % 3].0))
            .collect();
        users.extend((150..160).map(|i| user(i, Role::TeamLead, floors[0].0)));
        let names = floors
            .iter()
            .map(|(t, n)| (t.to_string(), (*n).to_owned()))
            .collect();
        (users, names)
    }

    #[test]
    fn the_demo_story_holds_technical_support_is_due_and_billing_is_explained() {
        let (users, teams) = people();
        let text = file(&users, &teams);
        let (records, errors) = import::parse(&text, true);
        assert!(errors.is_empty(), "{}", text.lines().nth(1).unwrap_or(""));
        assert!(errors.is_empty(), "{errors:?}");
        let now: Vec<_> = records
            .iter()
            .filter(|r| r.period == PERIOD)
            .cloned()
            .collect();
        assert_eq!(now.len(), 160);
        let r = report(PERIOD, &records);
        let cat = |n: &str| r.categories.iter().find(|c| c.name == n).unwrap();
        let tech = cat("Agent, Technical Support");
        assert!(tech.assessment_due, "{tech:?}");
        let adjusted = tech.adjusted.shown().unwrap().gap.unwrap();
        assert!((7.0..11.0).contains(&adjusted), "{adjusted}");
        for floor in ["Agent, Billing", "Agent, Retention"] {
            let c = cat(floor);
            assert!(
                c.total.shown().unwrap().mean >= 5.0,
                "{floor}: the raw gap shows: {c:?}"
            );
            assert!(!c.assessment_due, "{floor}: grade explains it: {c:?}");
        }
        let o = opportunity(PERIOD, &records, Some(PREVIOUS), &records);
        let flagged = |key: &str| {
            let m = o.measures.iter().find(|m| m.key == key).unwrap();
            let c = m.figure.shown().unwrap_or_else(|| panic!("{key}: {m:?}"));
            c.below_four_fifths.then_some(c.lower)
        };
        assert_eq!(flagged("selection"), Some(Some("women")));
        assert_eq!(flagged("pay_rise"), None);
        assert_eq!(flagged("training"), None);
    }
}
