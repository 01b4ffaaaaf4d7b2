//! Pay equity from the users' side: the ethics office turns on the collection of sex,
//! imports an HR pay file (bad lines named, good ones kept), reads the gap indicators
//! with their joint-assessment screen on the page, as CSV and as JSON; an employee asks
//! for their category's averages; small groups show no figure; amounts and sex are not
//! readable at rest. SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{staff, App, Resp, Staff};
use righttrack_core::Role;

const HEADER: &str = "person,period,basic_pay,variable_pay,hours,category,grade,hire_date,sex";

/// The hand-computed example of `core::pay` (hourly pay = pay ÷ 1,000 hours): Agent
/// women 20 20 23 22 24 and men 23 26 24 26 26; Lead women 32 32 33 33 34 and men
/// 33 33 34 34 35; plus a Tech category with two women and three men.
fn file() -> String {
    let mut lines = vec![HEADER.to_owned()];
    let mut add = |p: &str, basic: u32, var: u32, cat: &str, sex: &str| {
        lines.push(format!("{p},2026,{basic}000,{var}000,1000,{cat},,,{sex}"));
    };
    for (i, (b, v)) in [(20, 0), (20, 0), (22, 1), (22, 0), (24, 0)]
        .iter()
        .enumerate()
    {
        add(&format!("aw{i}"), *b, *v, "Agent", "F");
    }
    for (i, (b, v)) in [(22, 1), (24, 2), (24, 0), (26, 0), (26, 0)]
        .iter()
        .enumerate()
    {
        add(&format!("am{i}"), *b, *v, "Agent", "M");
    }
    for (i, v) in [2, 2, 3, 3, 4].iter().enumerate() {
        add(&format!("lw{i}"), 30, *v, "Lead", "female");
    }
    for (i, v) in [3, 3, 4, 4, 5].iter().enumerate() {
        add(&format!("lm{i}"), 30, *v, "Lead", "male");
    }
    for (i, s) in ["F", "F", "M", "M", "M"].iter().enumerate() {
        add(&format!("t{i}"), 40, 0, "Tech", s);
    }
    lines.join("\n") + "\n"
}

/// Ten women and ten men in 2025 and 2026. In 2026 six of each were considered for
/// promotion: two of the women were chosen and four of the men (2 / 6 ÷ 4 / 6 = 0.5,
/// below four-fifths). Against 2025, three women and six men had a rise. Everyone had
/// training.
fn opportunity_file() -> String {
    let mut lines = vec![format!("{HEADER},promoted,considered,training_hours")];
    for (sex, chosen, rises) in [("F", 2, 3), ("M", 4, 6)] {
        for i in 0..10 {
            let now = 30_000 + i * 100;
            let before = if i < rises { now * 100 / 105 } else { now };
            let (considered, promoted) = (i < 6, i < chosen);
            let yn = |b: bool| if b { "yes" } else { "no" };
            lines.push(format!(
                "{sex}{i},2026,{now},,1000,Agent,,,{sex},{},{},4",
                yn(promoted),
                yn(considered)
            ));
            lines.push(format!("{sex}{i},2025,{before},,1000,Agent,,,{sex},,,"));
        }
    }
    lines.join("\n") + "\n"
}

async fn officer(app: &App) -> Staff {
    staff(app, "olga", &[Role::EthicsOfficer]).await
}

async fn collect_sex(app: &App, o: &Staff) -> Resp {
    o.post(app, "/pay/settings", &[("collect_sex", "on")]).await
}

async fn import(app: &App, o: &Staff, text: &str) -> Resp {
    o.post(app, "/pay/import", &[("csv", text)]).await
}

#[tokio::test]
async fn who_is_chosen_who_gets_a_rise_and_who_is_trained_by_sex() {
    for app in App::each().await {
        let o = officer(&app).await;
        collect_sex(&app, &o).await;
        let r = import(&app, &o, &opportunity_file()).await;
        assert!(r.body.contains("Import: 40 lines stored"), "{}", r.body);

        let page = o.get(&app, "/pay?period=2026").await;
        let table = &page.body[page.body.find("id=\"opportunity-rates\"").unwrap()..];
        let row = |label: &str| {
            let at = table
                .find(&format!("<th scope=\"row\">{label}</th>"))
                .unwrap();
            table[at..at + table[at..].find("</tr>").unwrap()].to_owned()
        };
        // Promotion over everyone: 2 of 10 women, 4 of 10 men.
        let promotion = row("Promotion");
        assert!(promotion.contains("2 of 10: 20.0 %"), "{promotion}");
        assert!(promotion.contains("4 of 10: 40.0 %"), "{promotion}");
        assert!(promotion.contains("0.50 (women lower)"), "{promotion}");
        // Among those considered: 2 of 6 against 4 of 6, flagged.
        let chosen = row("Chosen when considered");
        assert!(chosen.contains("2 of 6: 33.3 %"), "{chosen}");
        assert!(chosen.contains("below four-fifths"), "{chosen}");
        // Pay rises against 2025: 3 of 10 against 6 of 10.
        let rise = row("Pay rise");
        assert!(
            rise.contains("3 of 10: 30.0 %") && rise.contains("6 of 10: 60.0 %"),
            "{rise}"
        );
        assert!(page.body.contains("Pay rises are measured against 2025"));
        // Training: everyone, not flagged.
        let training = row("Training access");
        assert!(
            training.contains("1.00") && !training.contains("below"),
            "{training}"
        );

        let j = o.get(&app, "/api/v1/pay/report?period=2026").await.json();
        let m = &j["opportunity"]["measures"][1];
        assert_eq!(m["key"], "selection");
        assert_eq!(m["figure"]["value"]["below_four_fifths"], true);
        assert_eq!(j["opportunity"]["previous_period"], "2025");

        let csv = o.get(&app, "/pay/report.csv?period=2026").await;
        assert!(
            csv.body
                .contains("chosen when considered impact ratio,all,6,6,0.50\n"),
            "{}",
            csv.body
        );

        // 2025 has no earlier year and no opportunity columns: said in words.
        let page = o.get(&app, "/pay?period=2025").await;
        assert!(
            page.body.contains("says nothing of promotions"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn the_ethics_office_imports_pay_data_and_reads_the_indicators() {
    for app in App::each().await {
        let o = officer(&app).await;
        let page = o.get(&app, "/pay").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("No pay data yet"), "{}", page.body);
        assert!(page.body.contains("<strong>not collected</strong>"));

        let r = collect_sex(&app, &o).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = import(&app, &o, &file()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r
            .body
            .contains("Import: 25 lines stored (0 replaced an earlier line), 0 refused."));

        // The page: the organisation's figures and the categories' screen.
        let page = o.get(&app, "/pay?period=2026").await;
        assert!(
            page.body.contains("12 women and 13 men compared"),
            "{}",
            page.body
        );
        // Agent's gap (12.8 %) is not explained (no grade or tenure given): due.
        let agent = &page.body[page.body.find("<th scope=\"row\">Agent</th>").unwrap()..];
        let agent = &agent[..agent.find("</tr>").unwrap()];
        assert!(
            agent.contains("12.8 %") && agent.contains("<strong>due</strong>"),
            "{agent}"
        );
        let lead = &page.body[page.body.find("<th scope=\"row\">Lead</th>").unwrap()..];
        let lead = &lead[..lead.find("</tr>").unwrap()];
        assert!(lead.contains("3.0 %") && lead.contains("not due"), "{lead}");
        // Tech has two women: no figure.
        let tech = &page.body[page.body.find("<th scope=\"row\">Tech</th>").unwrap()..];
        let tech = &tech[..tech.find("</tr>").unwrap()];
        assert!(
            tech.contains("not shown (fewer than 5 women or men)"),
            "{tech}"
        );
        assert!(!tech.contains('%'), "{tech}");

        // The JSON twin carries the exact figures; the suppressed category none.
        let j = o.get(&app, "/api/v1/pay/report?period=2026").await.json();
        let cats = j["categories"].as_array().unwrap();
        let mean = cats[0]["total"]["value"]["mean"].as_f64().unwrap();
        assert!((mean - 12.8).abs() < 1e-9, "{mean}");
        assert_eq!(cats[2]["name"], "Tech");
        assert_eq!(cats[2]["total"]["status"], "too_few");
        assert!(cats[2]["total"].get("value").is_none());

        // The CSV for the authorities: one row per indicator, Tech's cells empty.
        let csv = o.get(&app, "/pay/report.csv?period=2026").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("pay-gap-2026.csv"));
        assert!(
            csv.body.contains("joint pay assessment due,Agent,5,5,yes"),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains("mean gap in basic pay (%),Tech,2,3,\n"),
            "{}",
            csv.body
        );

        // Every opening of the sealed lines is in the audit trail; no figure is.
        let actions = app.audit_actions().await;
        for a in ["pay.settings", "pay.imported", "pay.opened"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
    }
}

#[tokio::test]
async fn sex_is_refused_until_enabled_and_the_form_keeps_what_was_typed() {
    for app in App::each().await {
        let o = officer(&app).await;
        let text = file();
        let r = import(&app, &o, &text).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("collecting sex is not enabled"),
            "{}",
            r.body
        );
        // The text is still in the form (HTML-escaped), and nothing was stored.
        assert!(r.body.contains("aw0,2026,20000,0000,1000,Agent,,,F"));
        assert!(app.state.db.pay_periods().await.unwrap().is_empty());
        // The API says the same.
        let r = app
            .send(
                axum::http::Method::POST,
                "/api/v1/pay/import",
                &[
                    ("cookie", &o.cookie),
                    ("x-csrf-token", &o.csrf),
                    ("content-type", "text/csv"),
                ],
                &text,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["code"], "unprocessable", "{}", r.body);
        assert!(
            r.body.contains("line 1: header: the file has a sex column"),
            "{}",
            r.body
        );
    }
}

#[tokio::test]
async fn bad_lines_are_named_and_the_good_ones_kept() {
    for app in App::each().await {
        let o = officer(&app).await;
        let text = "person,period,basic_pay,hours,category\n\
                    ana,2026,30000,1600,Agent\n\
                    bob,2026,lots,1600,Agent\n\
                    cy,2026-13,30000,1600,Agent\n\
                    dee,2026,30000,1600,Agent\n";
        let r = import(&app, &o, text).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r
            .body
            .contains("Import: 2 lines stored (0 replaced an earlier line), 2 refused."));
        assert!(r.body.contains("line 3: field `basic_pay`"), "{}", r.body);
        assert!(r.body.contains("line 4: field `period`"));
        assert!(!r.body.contains("lots"), "a message never repeats a cell");
        assert_eq!(
            app.state.db.pay_periods().await.unwrap(),
            [("2026".to_owned(), 2)]
        );
        // Importing again replaces, never doubles.
        let r = import(&app, &o, text).await;
        assert!(r
            .body
            .contains("2 lines stored (2 replaced an earlier line)"));
        assert_eq!(app.state.db.pay_periods().await.unwrap()[0].1, 2);
    }
}

#[tokio::test]
async fn an_employee_sees_their_category_only_when_its_groups_are_large_enough() {
    for app in App::each().await {
        let o = officer(&app).await;
        collect_sex(&app, &o).await;
        import(&app, &o, &file()).await;
        let agent = app.user("aw0", &[Role::Agent]).await;
        let (c, _) = app.session(&agent).await;
        let page = app.get("/pay/mine", &c).await;
        assert_eq!(page.status, StatusCode::OK);
        // Agent: women 21.80 an hour (21 800 for the period), men 25.00.
        assert!(page.body.contains("2026: Agent"), "{}", page.body);
        assert!(
            page.body.contains("<td>21.80</td><td>25.00</td>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<td>21800.00</td><td>25000.00</td>"));
        let j = app.get("/api/v1/pay/mine", &c).await.json();
        assert_eq!(j["category"], "Agent");
        assert_eq!(j["averages"]["value"]["men_hourly"], 25.0);

        // Tech has two women: no averages, in words.
        let tech = app.user("t0", &[Role::Agent]).await;
        let (c, _) = app.session(&tech).await;
        let page = app.get("/pay/mine", &c).await;
        assert!(
            page.body.contains("its averages are not shown"),
            "{}",
            page.body
        );
        assert!(!page.body.contains("<table id=\"my-category\""));
        let j = app.get("/api/v1/pay/mine", &c).await.json();
        assert_eq!(j["averages"]["status"], "too_few");

        // Someone with no line gets no one else's figures.
        let other = app.user("zed", &[Role::Agent]).await;
        let (c, _) = app.session(&other).await;
        let page = app.get("/pay/mine", &c).await;
        assert!(page.body.contains("There is no pay data for you"));
        assert_eq!(
            app.get("/api/v1/pay/mine", &c).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn only_the_ethics_office_imports_and_agents_see_no_report() {
    for app in App::each().await {
        let o = officer(&app).await;
        import(
            &app,
            &o,
            "person,period,basic_pay,hours,category\nana,2026,1,1,A\n",
        )
        .await;
        let agent = staff(&app, "ana", &[Role::Agent]).await;
        assert_eq!(agent.get(&app, "/pay").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            agent.get(&app, "/pay/report.csv").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            import(&app, &agent, &file()).await.status,
            StatusCode::FORBIDDEN
        );
        // The audit committee reads the report but has no import form.
        let ac = staff(&app, "ace", &[Role::AuditCommittee]).await;
        let page = ac.get(&app, "/pay").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("action=\"/pay/import\""));
        let r = collect_sex(&app, &ac).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn amounts_and_sex_are_not_readable_at_rest() {
    for app in App::each().await {
        let o = officer(&app).await;
        collect_sex(&app, &o).await;
        let r = import(&app, &o, &file()).await;
        assert_eq!(r.status, StatusCode::OK);
        for row in app.state.db.pay_records("2026").await.unwrap() {
            let blob = String::from_utf8_lossy(&row.sealed);
            assert!(
                !blob.contains("basic") && !blob.contains("female"),
                "{blob}"
            );
        }
        if let Some(bytes) = common::speakup::bytes_at_rest(&app) {
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains("\"basic\""), "pay amounts in clear at rest");
            assert!(!hay.contains("\"female\""), "sex in clear at rest");
        }
    }
}
