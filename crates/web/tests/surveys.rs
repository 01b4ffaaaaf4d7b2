//! Ethics-climate surveys as an ethics officer and employees use them: building a
//! survey, launching a wave, answering it anonymously, closing it, and reading results
//! in which small groups are suppressed on the page, in the CSV export and in the API.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::{App, Resp};
use righttrack_core::ids::{SiteId, TeamId};
use righttrack_core::surveys::instrument::builtin;
use righttrack_core::Role;
use righttrack_store::directory::User;
use righttrack_web::routes::urlencode;

const EMAIL: &str = "dana.whistle@example.org";

struct Org {
    officer: User,
    /// Lisbon: team A (8 agents, a good climate), team B (3 agents).
    a: Vec<User>,
    b: Vec<User>,
    /// Manila: team C (10 agents, a poor climate).
    c: Vec<User>,
    team_a: TeamId,
    team_b: TeamId,
    team_c: TeamId,
    site_m: SiteId,
}

async fn org(app: &App) -> Org {
    let mut rng = rand::rngs::OsRng;
    let now = app.now();
    let db = &app.state.db;
    let lis = db.create_site("Lisbon", now, &mut rng).await.unwrap();
    let man = db.create_site("Manila", now, &mut rng).await.unwrap();
    let team_a = db
        .create_team("Lisbon Billing", lis, None, now, &mut rng)
        .await
        .unwrap();
    let team_b = db
        .create_team("Lisbon Retention", lis, None, now, &mut rng)
        .await
        .unwrap();
    let team_c = db
        .create_team("Manila Support", man, None, now, &mut rng)
        .await
        .unwrap();
    let make = |prefix: &'static str, n: usize, team: TeamId| {
        let app = &app;
        async move {
            let mut v = Vec::new();
            for i in 0..n {
                let u = app.user(&format!("{prefix}{i}"), &[Role::Agent]).await;
                app.state.db.set_user_team(u.id, Some(team)).await.unwrap();
                v.push(app.state.db.user_by_id(u.id).await.unwrap().unwrap());
            }
            v
        }
    };
    let a = make("ana", 8, team_a).await;
    let b = make("bo", 3, team_b).await;
    let c = make("cy", 10, team_c).await;
    let officer = app.user("eshe", &[Role::EthicsOfficer]).await;
    Org {
        officer,
        a,
        b,
        c,
        team_a,
        team_b,
        team_c,
        site_m: man,
    }
}

/// A form answering every built-in question favourably (or not), plus the custom
/// yes/no question `c1`, and a comment.
fn answers(good: bool, comment: &str) -> String {
    let mut parts = Vec::new();
    for q in builtin() {
        let choices = q.choices();
        if choices.is_empty() {
            continue;
        }
        let pick = choices
            .iter()
            .find(|c| q.favourable(c) == Some(good))
            .unwrap_or(&choices[0]);
        parts.push(format!("q_{}={}", q.key, urlencode(pick)));
    }
    parts.push("q_c1=yes".into());
    parts.push(format!("q_b_comment={}", urlencode(comment)));
    parts.join("&")
}

/// Creates the survey and a draft wave reporting by site and team; returns the wave id.
async fn draft(app: &App, cookie: &str, csrf: &str) -> String {
    let r = app
        .post(
            "/surveys",
            cookie,
            &format!("csrf={csrf}&name=Climate+2026&builtin=1&custom=yesno%3A+Breaks+are+fair"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let survey = r.location().to_owned();
    let page = app.get(&survey, cookie).await;
    page.assert_contains("Breaks are fair");
    page.assert_contains("fear of retaliation");
    let r = app
        .post(
            &format!("{survey}/waves"),
            cookie,
            &format!("csrf={csrf}&name=Autumn&opens=2026-11-20&closes=2026-11-30&role=agent&view=site&view=team&min_group=5&min_comments=10"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location()
        .trim_start_matches("/surveys/waves/")
        .to_owned()
}

/// Posts an employee's form at `step` (preview or submit) with `answers` (encoded).
async fn submit(
    app: &App,
    cookie: &str,
    csrf: &str,
    wave: &str,
    step: &str,
    answers: &str,
) -> Resp {
    let body = format!("csrf={csrf}&step={step}&{answers}");
    app.post(&format!("/my/surveys/{wave}"), cookie, &body)
        .await
}

async fn answer(app: &App, u: &User, wave: &str, good: bool, comment: &str) {
    let (cookie, csrf) = app.session(u).await;
    let r = submit(app, &cookie, &csrf, wave, "submit", &answers(good, comment)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.assert_contains("your answers are stored");
}

/// The officer launches or closes `wave` (`step`): the page redirects.
async fn wave_step(app: &App, cookie: &str, csrf: &str, wave: &str, step: &str) {
    let r = app
        .post(
            &format!("/surveys/waves/{wave}/{step}"),
            cookie,
            &format!("csrf={csrf}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{step}: {}", r.body);
}

/// The officer sets `wave`'s thresholds.
async fn thresholds(
    app: &App,
    cookie: &str,
    csrf: &str,
    wave: &str,
    group: u32,
    comments: u32,
) -> Resp {
    let body = format!("csrf={csrf}&min_group={group}&min_comments={comments}");
    app.post(&format!("/surveys/waves/{wave}/thresholds"), cookie, &body)
        .await
}

/// The results API of `wave` (`query` is "" or "?view=...").
async fn results(app: &App, cookie: &str, wave: &str, query: &str) -> Resp {
    app.get(
        &format!("/api/v1/surveys/waves/{wave}/results{query}"),
        cookie,
    )
    .await
}

#[tokio::test]
async fn a_wave_is_answered_anonymously_and_small_groups_never_show() {
    for app in App::each().await {
        let o = org(&app).await;
        let (oc, ocsrf) = app.session(&o.officer).await;
        let wave = draft(&app, &oc, &ocsrf).await;

        // Nobody is asked before the launch.
        let (ac, _) = app.session(&o.a[0]).await;
        assert_eq!(
            app.get(&format!("/my/surveys/{wave}"), &ac).await.status,
            StatusCode::NOT_FOUND
        );
        wave_step(&app, &oc, &ocsrf, &wave, "launch").await;

        // An agent sees the survey and, before answering, how it will be reported.
        let list = app.get("/my/surveys", &ac).await;
        list.assert_contains(&format!("/my/surveys/{wave}"));
        let form = app.get(&format!("/my/surveys/{wave}"), &ac).await;
        form.assert_answer(
            StatusCode::OK,
            &[
                "How your answers will be reported",
                "with the day only (2026-11-20)",
                "Team: Lisbon Billing",
                "Site: Lisbon",
                "at least 5 responses",
                "groups of at least 10",
                "Nothing links that record to your answers",
            ],
        );

        // The preview shows what redaction keeps, without storing anything.
        let (ac, acsrf) = app.session(&o.a[0]).await;
        let typed = format!("Mail {EMAIL}: ana3 Person ignores the rules.");
        let comment = format!("q_b_comment={}", urlencode(&typed));
        let r = submit(&app, &ac, &acsrf, &wave, "preview", &comment).await;
        r.assert_answer(StatusCode::OK, &["What will be kept of your comment"]);
        let preview = &r.body[r.body.find("id=\"preview\"").unwrap()..];
        let preview = &preview[..preview.find("</div>").unwrap()];
        assert!(
            preview.contains("Mail &#60;EMAIL_1&#62;: &#60;NAME&#62; ignores"),
            "{preview}"
        );
        assert!(
            !preview.contains("example.org") && !preview.contains("ana3"),
            "{preview}"
        );
        assert_eq!(app.state.db.survey_responses(&wave).await.unwrap().len(), 0);

        for (i, u) in o.a.iter().enumerate() {
            let c = if i == 0 {
                typed.as_str()
            } else {
                "Good team, clear rules."
            };
            answer(&app, u, &wave, true, c).await;
        }
        for u in &o.b {
            answer(&app, u, &wave, true, "").await;
        }
        for u in &o.c {
            answer(&app, u, &wave, false, "Targets push us to cut corners.").await;
        }

        // Once is all: a second answer changes nothing.
        let (ac, acsrf) = app.session(&o.a[1]).await;
        let again = submit(&app, &ac, &acsrf, &wave, "submit", &answers(false, "")).await;
        again.assert_contains("You have answered this survey");
        assert_eq!(
            app.state.db.survey_responses(&wave).await.unwrap().len(),
            21
        );

        // No live results: the page says why, the API answers 409.
        let page = app.get(&format!("/surveys/waves/{wave}"), &oc).await;
        page.assert_contains("Results are released when the wave closes");
        page.assert_contains("21 of 21");
        let api = results(&app, &oc, &wave, "").await;
        assert_eq!(api.status, StatusCode::CONFLICT);

        wave_step(&app, &oc, &ocsrf, &wave, "close").await;

        // Team view: B has 3 responses; A (8) is withheld too, else Lisbon − A = B.
        let page = app
            .get(&format!("/surveys/waves/{wave}?view=team"), &oc)
            .await;
        page.assert_answer(
            StatusCode::OK,
            &[
                "Not shown: fewer than 5 responses",
                "Not shown: withheld so that a group of fewer than 5 cannot be worked out",
                "<th scope=\"row\">Manila Support</th><td>10</td>",
            ],
        );
        // Comments: everyone (21) shows them, redacted; no single team reaches 10 apart from Manila,
        // and Manila's would equal everyone minus Lisbon (11): both may show.
        page.assert_contains("Targets push us to cut corners.");
        assert!(
            !page.body.contains("example.org"),
            "the e-mail was redacted before storage"
        );
        assert!(
            !page.body.contains("ana3 Person"),
            "a colleague's name was redacted"
        );

        let json = results(&app, &oc, &wave, "?view=team").await.json();
        let cell = |team: TeamId| {
            json["cells"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["cell"] == format!("team:{team}"))
                .unwrap()
                .clone()
        };
        assert_eq!(cell(o.team_b)["status"], "suppressed");
        assert_eq!(cell(o.team_b)["reason"], "too_few");
        assert!(
            cell(o.team_b).get("respondents").is_none(),
            "{}",
            cell(o.team_b)
        );
        assert_eq!(cell(o.team_a)["status"], "suppressed");
        assert_eq!(cell(o.team_a)["reason"], "withheld");
        assert_eq!(cell(o.team_c)["respondents"], 10);
        assert_eq!(json["overall"]["respondents"], 21);

        // The CSV marks suppressed groups and has no figure for them.
        let csv = app
            .get(&format!("/surveys/waves/{wave}/results.csv?view=team"), &oc)
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        let b_line = csv
            .body
            .lines()
            .find(|l| l.contains("Lisbon Retention"))
            .unwrap();
        assert!(
            b_line.contains("suppressed: fewer than 5 responses"),
            "{b_line}"
        );
        assert!(
            b_line.trim_end_matches(',').ends_with("responses"),
            "no figures: {b_line}"
        );
        let a_line = csv
            .body
            .lines()
            .find(|l| l.contains("Lisbon Billing"))
            .unwrap();
        assert!(a_line.contains("suppressed: withheld"), "{a_line}");

        // A hot-spot: Manila is far below everyone else on every index, with a stable link.
        let hs = app
            .get(&format!("/api/v1/surveys/waves/{wave}/hotspots"), &oc)
            .await
            .json();
        let list = hs["hotspots"].as_array().unwrap();
        let trust = list
            .iter()
            .find(|h| h["index"] == "trust" && h["cell"] == format!("team:{}", o.team_c))
            .unwrap_or_else(|| panic!("{hs}"));
        assert_eq!(trust["id"], format!("{wave}/trust/team:{}", o.team_c));
        // Site Manila has the same respondents as team Manila Support: one hot-spot, the team.
        assert!(
            !list
                .iter()
                .any(|h| h["cell"] == format!("site:{}", o.site_m)),
            "{hs}"
        );
        assert!(list
            .iter()
            .all(|h| !h["cell"].as_str().unwrap().contains(&o.team_b.to_string())));
        let page = app.get(trust["url"].as_str().unwrap(), &oc).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(
            page.body.contains("Manila Support")
                && page.body.contains(&format!("{wave}/trust/team:"))
        );
        // The hot-spot raises a corrective action with itself as the source.
        let href = page
            .body
            .split("id=\"raise-capa\" href=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("no CAPA link: {}", page.body))
            .replace("&#38;", "&");
        assert!(
            href.starts_with("/capa/new?source=survey_hotspot&ref="),
            "{href}"
        );
        let form = app.get(&href, &oc).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        form.assert_contains(&format!("{wave}/trust/team:"));
        let none = app
            .get(
                &format!("/surveys/waves/{wave}/hotspots/trust/team%3A{}", o.team_b),
                &oc,
            )
            .await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);

        // Audited: launch, close, export; never an answer.
        let actions = app.audit_actions().await;
        for a in [
            "survey.created",
            "survey.wave_created",
            "survey.wave_launched",
            "survey.wave_closed",
            "survey.results_exported",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
        assert!(
            !actions
                .iter()
                .any(|x| x.contains("respon") || x.contains("answer")),
            "{actions:?}"
        );

        // Nothing in the database file or its log holds the typed e-mail.
        if let Some(bytes) = app.sqlite_bytes() {
            let hay = String::from_utf8_lossy(&bytes);
            assert!(!hay.contains(EMAIL), "raw comment at rest");
            assert!(!hay.contains("ignores the rules") || !hay.contains("ana3 Person ignores"));
        }
    }
}

#[tokio::test]
async fn responses_carry_no_author_no_time_and_no_insertion_order() {
    for app in App::each().await {
        let cols = app.state.db.schema_columns().await.unwrap();
        let of = |t: &str| {
            cols.iter()
                .filter(|(x, _)| x == t)
                .map(|(_, c)| c.as_str())
                .collect::<Vec<_>>()
        };
        let mut r = of("survey_responses");
        r.sort();
        assert_eq!(
            r,
            ["answers", "day", "id", "role", "site", "team", "tenure", "wave_id"]
        );
        let mut i = of("survey_invitations");
        i.sort();
        assert_eq!(i, ["responded", "user_id", "wave_id"]);

        let o = org(&app).await;
        let (oc, ocsrf) = app.session(&o.officer).await;
        let wave = draft(&app, &oc, &ocsrf).await;
        wave_step(&app, &oc, &ocsrf, &wave, "launch").await;
        for u in o.a.iter().chain(&o.c) {
            answer(&app, u, &wave, true, "").await;
        }
        // Ids are 128 random bits, not time-ordered UUIDs.
        let ids: Vec<String> = righttrack_store::on_pool!(app.state.db, |p| {
            righttrack_store::sqlx::query_scalar("SELECT id FROM survey_responses ORDER BY id")
                .fetch_all(p)
                .await
                .unwrap()
        });
        assert_eq!(ids.len(), 18);
        assert!(ids
            .iter()
            .all(|x| x.len() == 32 && x.bytes().all(|b| b.is_ascii_hexdigit())));
        if app.state.db.backend_name() == "sqlite" {
            // No rowid to count insertions.
            let e: Result<Vec<i64>, _> = righttrack_store::on_pool!(app.state.db, |p| {
                righttrack_store::sqlx::query_scalar("SELECT rowid FROM survey_responses")
                    .fetch_all(p)
                    .await
            });
            assert!(e.is_err(), "survey_responses must be WITHOUT ROWID");
        }
        wave_step(&app, &oc, &ocsrf, &wave, "close").await;
        if app.state.db.backend_name() == "postgres" {
            // After the close every row of the wave carries the same transaction id.
            let xmins: Vec<String> = righttrack_store::on_pool!(app.state.db, |p| {
                righttrack_store::sqlx::query_scalar(
                    "SELECT DISTINCT CAST(xmin AS TEXT) FROM survey_responses UNION SELECT DISTINCT CAST(xmin AS TEXT) FROM survey_invitations",
                )
                .fetch_all(p)
                .await
                .unwrap()
            });
            assert_eq!(xmins.len(), 1, "{xmins:?}");
        }
        assert_eq!(
            app.state.db.survey_responses(&wave).await.unwrap().len(),
            18
        );
        let part = app.state.db.survey_participation(&wave).await.unwrap();
        assert_eq!(part.iter().map(|p| p.responded).sum::<u64>(), 18);
        assert_eq!(part.iter().map(|p| p.invited).sum::<u64>(), 21);
    }
}

#[tokio::test]
async fn thresholds_only_go_up_after_launch_and_results_shrink_with_them() {
    for app in App::each().await {
        let o = org(&app).await;
        let (oc, ocsrf) = app.session(&o.officer).await;
        let wave = draft(&app, &oc, &ocsrf).await;
        // (min_group, min_comments, the answer, what the refusal says). Below the floor is
        // refused even in a draft, which may go down to the floor again.
        let refused = StatusCode::UNPROCESSABLE_ENTITY;
        let draft_steps = [
            (4, 10, refused, "min_group"),
            (6, 10, StatusCode::SEE_OTHER, ""),
            (5, 10, StatusCode::SEE_OTHER, ""),
        ];
        // Once launched, thresholds only go up.
        let launched_steps = [
            (5, 9, refused, ""),
            (6, 12, StatusCode::SEE_OTHER, ""),
            (5, 12, refused, "only go up"),
        ];
        for (launched, steps) in [(false, draft_steps), (true, launched_steps)] {
            if launched {
                wave_step(&app, &oc, &ocsrf, &wave, "launch").await;
            }
            for (group, comments, status, says) in steps {
                let r = thresholds(&app, &oc, &ocsrf, &wave, group, comments).await;
                assert_eq!(r.status, status, "{group}/{comments}: {}", r.body);
                r.assert_contains(says);
            }
        }
        // The database refuses too, whoever asks.
        let t = righttrack_core::surveys::Thresholds {
            min_group: 5,
            min_comments: 12,
        };
        assert!(app.state.db.set_wave_thresholds(&wave, t).await.is_err());
        // A launched wave's settings are fixed.
        let r = app
            .post(&format!("/surveys/waves/{wave}/edit"), &oc, &format!("csrf={ocsrf}&name=X&opens=2026-11-20&closes=2026-11-30&view=team&min_group=6&min_comments=12"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        for u in o.a.iter().chain(&o.c) {
            answer(&app, u, &wave, true, "Fine.").await;
        }
        wave_step(&app, &oc, &ocsrf, &wave, "close").await;
        let before = results(&app, &oc, &wave, "?view=team").await.json();
        let shown = |j: &serde_json::Value| -> Vec<String> {
            j["cells"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["status"] == "shown")
                .map(|c| c["cell"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(shown(&before).len(), 2, "{before}");
        // Raised above Lisbon Billing's 8 after the close: it goes, and Manila with it
        // (else everyone − Manila = Billing's 8 < 9).
        let r = thresholds(&app, &oc, &ocsrf, &wave, 9, 12).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let after = results(&app, &oc, &wave, "?view=team").await.json();
        assert!(shown(&after).is_empty(), "{after}");
        assert_eq!(after["overall"]["respondents"], 18);
        let actions = app.audit_actions().await;
        assert!(
            actions
                .iter()
                .filter(|a| *a == "survey.thresholds_changed")
                .count()
                >= 3,
            "{actions:?}"
        );
    }
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_naming_the_field() {
    for app in App::each().await {
        let o = org(&app).await;
        let (oc, ocsrf) = app.session(&o.officer).await;
        let r = app
            .post(
                "/surveys",
                &oc,
                &format!("csrf={ocsrf}&name=X&custom=likert%3A+ok%0Arating%3A+bad"),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("custom questions, line 2");
        let r = app
            .post("/surveys", &oc, &format!("csrf={ocsrf}&name=&builtin=1"))
            .await;
        r.assert_contains("name: 1 to 200");

        let wave = draft(&app, &oc, &ocsrf).await;
        let survey = app.state.db.wave(&wave).await.unwrap().unwrap().survey_id;
        let r = app
            .post(&format!("/surveys/{survey}/waves"), &oc, &format!("csrf={ocsrf}&name=W&opens=2026-12-01&closes=2026-11-01&view=moon&min_group=x&min_comments=10"))
            .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "closes: on or after",
                "view: not a reporting cut",
                "min_group: a whole number",
            ],
        );
        wave_step(&app, &oc, &ocsrf, &wave, "launch").await;
        let (ac, acsrf) = app.session(&o.a[0]).await;
        let r = submit(&app, &ac, &acsrf, &wave, "submit", "q_b_pressure=9").await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "question 1 (field `q_b_pressure`): not one of the offered answers",
                "question 2 (field `q_b_targets`): please answer it",
            ],
        );
        assert_eq!(app.state.db.survey_responses(&wave).await.unwrap().len(), 0);
        let r = results(&app, &oc, &wave, "?view=role").await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        wave_step(&app, &oc, &ocsrf, &wave, "close").await;
        let r = results(&app, &oc, &wave, "?view=role").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("field `view`"),
            "{}",
            r.body
        );
        // Nobody answered: nothing at all is released.
        let j = results(&app, &oc, &wave, "").await.json();
        assert_eq!(j["overall"]["status"], "suppressed");
        // Someone outside the audience finds no survey.
        let outsider = app.user("qa", &[Role::QaAnalyst]).await;
        let (qc, _) = app.session(&outsider).await;
        assert_eq!(
            app.get(&format!("/my/surveys/{wave}"), &qc).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_wave_closes_itself_after_its_closing_date() {
    for app in App::each().await {
        let o = org(&app).await;
        let (oc, ocsrf) = app.session(&o.officer).await;
        let wave = draft(&app, &oc, &ocsrf).await;
        wave_step(&app, &oc, &ocsrf, &wave, "launch").await;
        for u in o.c.iter().take(6) {
            answer(&app, u, &wave, true, "").await;
        }
        app.clock.advance(jiff::SignedDuration::from_hours(11 * 24));
        // Too late to answer.
        let (cc, ccsrf) = app.session(&o.c[7]).await;
        let r = submit(&app, &cc, &ccsrf, &wave, "submit", &answers(true, "")).await;
        r.assert_contains("not open for answers");
        // Sessions last hours: sign in again.
        let (oc, _) = app.session(&o.officer).await;
        let page = app.get(&format!("/surveys/waves/{wave}"), &oc).await;
        page.assert_contains("id=\"wave-status\">closed");
        assert!(
            page.body.contains("fewer than 5 responses") || page.body.contains("<td>6</td>"),
            "{}",
            page.body
        );
        let actions = app.audit_actions().await;
        assert!(
            actions.iter().any(|a| a == "survey.wave_closed"),
            "{actions:?}"
        );
        let _ = (o.team_a, o.team_b);
    }
}
