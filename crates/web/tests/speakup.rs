//! The speak-up hotline, reporter side: intake form and API, the receipt, access with the
//! receipt, messages and the retaliation flag, reader keys, and "no trace" (no cookie,
//! no address or agent in the schema or the logs, no plaintext in the database files).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::speakup::{api, bytes_at_rest, csrf, get, post, send};
use common::url;
use common::{logs, value_of, App, Resp, PW};
use righttrack_core::casekeys::{unlock_reader_secret, unwrap_for_reader};
use righttrack_core::{Role, Secret};

const DESCRIPTION: &str =
    "Supervisor Quentin Marlowe approves fake refunds to his cousin every Friday";
const PEOPLE: &str = "Quentin Marlowe, night shift supervisor";
const NAME: &str = "Philippa Ondaatje-Reyes";

struct Filed {
    case: String,
    receipt: String,
    page: Resp,
}

/// Files a named fraud report through the form, as a browser without JavaScript would.
async fn file_by_form(app: &App) -> Filed {
    let form = get(app, "/speakup?category=fraud").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Roughly how much money"),
        "fraud questions"
    );
    let body = format!(
        "csrf={}&lang=en&category=fraud&description={}&q1={}&when_where={}&people={}&anonymous=no&name={}&contact={}",
        csrf(&form),
        url(DESCRIPTION),
        url("refund fraud"),
        url("Building C, Fridays"),
        url(PEOPLE),
        url(NAME),
        url("philippa@example.org"),
    );
    let page = post(app, "/speakup", &body).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let case = value_of(&page.body, "<strong class=\"mono nowrap\" id=\"case-ref\">").to_owned();
    let receipt = value_of(&page.body, "<strong class=\"mono receipt\" id=\"receipt\">").to_owned();
    Filed {
        case,
        receipt,
        page,
    }
}

fn is_case_ref(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 12
        && s.starts_with("RT-")
        && b[7] == b'-'
        && s[3..7]
            .chars()
            .chain(s[8..].chars())
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

// ---------------------------------------------------------------- reader keys

#[tokio::test]
async fn readers_get_a_key_pair_locked_under_their_password() {
    logs();
    for app in App::each().await {
        // Created by an administrator on the users page: the key exists at once.
        let admin = app.user("keyadmin", &[Role::Admin]).await;
        let (cookie, token) = app.session(&admin).await;
        let pw = "a long enough password for ethics";
        let r = app
            .post(
                "/admin/users",
                &cookie,
                &format!(
                    "csrf={token}&username=eve&display_name=Eve&password={}&role=ethics_officer",
                    url(pw)
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let eve = app.state.db.user_by_username("eve").await.unwrap().unwrap();
        let (public, locked) = app.state.db.reader_keys(eve.id).await.unwrap().unwrap();
        let secret = unlock_reader_secret(&locked, &Secret::new(pw.into())).unwrap();
        assert_eq!(secret.public(), public);
        assert!(unlock_reader_secret(&locked, &Secret::new(PW.into())).is_err());

        // An existing reader without a key gets one at their next password sign-in.
        let ivan = app.user("ivan", &[Role::Investigator]).await;
        assert!(app.state.db.reader_keys(ivan.id).await.unwrap().is_none());
        app.login("ivan", PW).await;
        let (_, locked) = app.state.db.reader_keys(ivan.id).await.unwrap().unwrap();
        assert!(unlock_reader_secret(&locked, &Secret::new(PW.into())).is_ok());

        // Other roles get none.
        let agent = app.user("agent", &[Role::Agent]).await;
        app.login("agent", PW).await;
        assert!(app.state.db.reader_keys(agent.id).await.unwrap().is_none());

        // A password change re-locks the same key under the new password.
        let (cookie, token) = app.session(&ivan).await;
        let new_pw = "another long password for ivan";
        let r = app
            .post(
                "/account/password",
                &cookie,
                &format!("csrf={token}&current={}&new={}", url(PW), url(new_pw)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let (public2, locked2) = app.state.db.reader_keys(ivan.id).await.unwrap().unwrap();
        let s = unlock_reader_secret(&locked2, &Secret::new(new_pw.into())).unwrap();
        assert_eq!(s.public(), public2);
        assert!(unlock_reader_secret(&locked2, &Secret::new(PW.into())).is_err());
        assert!(app.audited("speakup.reader_key_created").await);
    }
}

// ---------------------------------------------------------------- the form

#[tokio::test]
async fn a_report_through_the_form_shows_the_receipt_once_and_is_readable_by_readers() {
    logs();
    for app in App::each().await {
        // A reader with a key (made at sign-in) and a disabled one (no wrap for them).
        let officer = app.user("officer", &[Role::EthicsOfficer]).await;
        app.login("officer", PW).await;
        let gone = app.user("gone", &[Role::EthicsOfficer]).await;
        app.login("gone", PW).await;
        app.t
            .raw(&format!(
                "UPDATE users SET disabled = TRUE WHERE id = '{}'",
                gone.id
            ))
            .await
            .unwrap();

        let choose = get(&app, "/speakup").await;
        assert_eq!(choose.status, StatusCode::OK);
        for key in [
            "fraud",
            "data_misuse",
            "harassment",
            "retaliation",
            "conflict_of_interest",
            "accounting",
        ] {
            assert!(choose.body.contains(&format!("value=\"{key}\"")), "{key}");
        }

        let filed = file_by_form(&app).await;
        assert!(is_case_ref(&filed.case), "{}", filed.case);
        assert_eq!(filed.receipt.replace(' ', "").len(), 28);
        assert!(filed.page.body.contains("I have saved my receipt"));
        assert!(
            filed.page.body.contains("2027-02-20"),
            "feedback due in 3 months"
        );
        assert!(
            filed.page.body.contains("2026-11-27"),
            "acknowledgement in 7 days"
        );

        // The confirmation must be ticked; unticked, the receipt page shows again.
        let again = format!(
            "csrf={}&lang=en&step=confirm&case_ref={}&receipt={}&ack_due=2026-11-27&feedback_due=2027-02-20",
            csrf(&filed.page),
            filed.case,
            url(&filed.receipt)
        );
        let r = post(&app, "/speakup", &again).await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["data-field=\"saved\"", &filed.receipt],
        );
        let done = post(&app, "/speakup", &format!("{again}&saved=yes")).await;
        assert_eq!(done.status, StatusCode::OK);
        assert!(done.body.contains("Thank you") && done.body.contains(&filed.case));
        assert!(
            !done.body.contains(&filed.receipt),
            "the receipt is shown once"
        );

        // The reader's wrap opens the case key and the sealed description.
        let wraps = app.state.db.speakup_wrapped_for(&filed.case).await.unwrap();
        assert_eq!(
            wraps.iter().map(|w| w.0).collect::<Vec<_>>(),
            vec![officer.id]
        );
        let (_, locked) = app.state.db.reader_keys(officer.id).await.unwrap().unwrap();
        let secret = unlock_reader_secret(&locked, &Secret::new(PW.into())).unwrap();
        let key = unwrap_for_reader(&secret, &filed.case, &wraps[0].1).unwrap();
        let receipt = righttrack_core::casekeys::Receipt::parse(&filed.receipt).unwrap();
        let salt = app
            .state
            .db
            .speakup_install_salt(&mut rand::rngs::OsRng)
            .await
            .unwrap();
        let (lookup, rkey) = receipt.derive(&salt).unwrap();
        let case = app
            .state
            .db
            .speakup_case_by_lookup(&lookup.0)
            .await
            .unwrap()
            .unwrap();
        let get_field = |f: &str| {
            let sealed = &case.fields.iter().find(|(n, _)| n == f).unwrap().1;
            String::from_utf8(key.open(&case.id, f, sealed).unwrap()).unwrap()
        };
        assert_eq!(get_field("description"), DESCRIPTION);
        assert_eq!(get_field("people"), PEOPLE);
        // The identity is not under the case key: it has its own, held by identity
        // custodians; with none appointed yet only the reporter holds it, under their
        // receipt key, never the case's readers.
        let sealed_identity = &case.fields.iter().find(|(n, _)| n == "identity").unwrap().1;
        assert!(key.open(&case.id, "identity", sealed_identity).is_err());
        assert!(!case.fields.iter().any(|(n, _)| n == "identity_key_pending"));
        let kept = &case
            .fields
            .iter()
            .find(|(n, _)| n == "identity_key_reporter")
            .unwrap()
            .1;
        let ikey = rkey
            .unwrap(&righttrack_core::casekeys::identity_context(&case.id), kept)
            .unwrap();
        let identity =
            String::from_utf8(ikey.open(&case.id, "identity", sealed_identity).unwrap()).unwrap();
        assert!(identity.contains(NAME));
        // Bound to the field: the description does not open as the identity.
        let desc = &case
            .fields
            .iter()
            .find(|(n, _)| n == "description")
            .unwrap()
            .1;
        assert!(key.open(&case.id, "identity", desc).is_err());
        assert!(!case.anonymous);
        assert_eq!(case.status, "received");
    }
}

#[tokio::test]
async fn field_errors_name_the_field_and_keep_what_was_typed() {
    logs();
    for app in App::each().await {
        let form = get(&app, "/speakup?category=harassment").await;
        let long = "x".repeat(10_001);
        let body = format!(
            "csrf={}&lang=en&category=harassment&description=&people={}&anonymous=no&name=",
            csrf(&form),
            url(PEOPLE)
        );
        let r = post(&app, "/speakup", &body).await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["data-field=\"description\"", "data-field=\"name\""],
        );
        assert!(
            r.body.contains(PEOPLE),
            "what was typed is kept in the form"
        );
        let body = format!(
            "csrf={}&lang=en&category=harassment&description={long}&anonymous=yes",
            csrf(&form)
        );
        let r = post(&app, "/speakup", &body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("description: is too long");
        let r = post(
            &app,
            "/speakup",
            &format!(
                "csrf={}&lang=en&category=bribes&description=x&anonymous=yes",
                csrf(&form)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("data-field=\"category\"");

        // API: 422 naming the field, never echoing the content.
        for (body, field) in [
            (
                serde_json::json!({"category": "fraud", "anonymous": true}),
                "`description`",
            ),
            (
                serde_json::json!({"category": "bribes", "description": DESCRIPTION, "anonymous": true}),
                "`category`",
            ),
            (
                serde_json::json!({"category": "fraud", "description": DESCRIPTION}),
                "`anonymous`",
            ),
            (
                serde_json::json!({"category": "fraud", "description": DESCRIPTION, "anonymous": false}),
                "`name`",
            ),
            (
                serde_json::json!({"category": "fraud", "description": format!("{DESCRIPTION}{long}"), "anonymous": true}),
                "`description`",
            ),
            (
                serde_json::json!({"category": "fraud", "description": DESCRIPTION, "anonymous": "yes"}),
                "`anonymous`",
            ),
        ] {
            let r = api(&app, "/api/v1/speakup/reports", &body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let msg = r.json()["message"].as_str().unwrap().to_owned();
            assert!(msg.contains(field), "{msg} names {field}");
            assert!(!r.body.contains("Quentin"), "no content echoed: {}", r.body);
        }
        let r = send(
            &app,
            Method::POST,
            "/api/v1/speakup/reports",
            &[("content-type", "application/json")],
            "{not json",
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(app
            .state
            .db
            .schema_columns()
            .await
            .unwrap()
            .iter()
            .any(|(t, _)| t == "speakup_cases"));
    }
}

#[tokio::test]
async fn the_form_needs_its_token_and_ignores_a_signed_in_session() {
    logs();
    for app in App::each().await {
        let body = format!(
            "lang=en&category=fraud&description={}&anonymous=yes",
            url(DESCRIPTION)
        );
        let r = post(&app, "/speakup", &body).await;
        r.assert_answer(StatusCode::FORBIDDEN, &["This form has expired"]);
        let r = post(&app, "/speakup", &format!("csrf=AAAA&{body}")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let form = get(&app, "/speakup?category=fraud").await;
        let with = format!("csrf={}&{body}", csrf(&form));
        let r = send(
            &app,
            Method::POST,
            "/speakup",
            &[("sec-fetch-site", "cross-site")],
            &with,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a cross-site post");
        // A staff member's session cookie is neither required nor looked at.
        let staff = app.user("staff", &[Role::Admin]).await;
        let (cookie, _) = app.session(&staff).await;
        let r = send(
            &app,
            Method::POST,
            "/speakup",
            &[("cookie", &cookie)],
            &with,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            !r.body.contains("staff Person"),
            "no navigation of the signed-in user"
        );
        // The token expires.
        app.clock.advance(jiff::SignedDuration::from_hours(13));
        let r = post(&app, "/speakup", &with).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

// ---------------------------------------------------------------- access with the receipt

#[tokio::test]
async fn the_receipt_opens_the_thread_where_the_reporter_adds_messages_and_flags_retaliation() {
    logs();
    for app in App::each().await {
        let filed = file_by_form(&app).await;
        let form = get(&app, "/speakup/access").await;
        assert_eq!(form.status, StatusCode::OK);
        let token = csrf(&form);
        let open = |receipt: String, extra: &str| {
            format!("csrf={token}&lang=en&receipt={}{extra}", url(&receipt))
        };
        let r = post(&app, "/speakup/access", &open(filed.receipt.clone(), "")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains(&filed.case);
        r.assert_contains(DESCRIPTION);
        r.assert_contains("refund fraud");
        r.assert_contains("2027-02-20");
        r.assert_contains("No messages yet.");
        assert!(!r.body.contains(NAME), "the identity stays in its envelope");
        r.assert_contains("<dd id=\"status\">Received</dd>");

        // Without spaces, as typed on a phone, it opens too.
        let r = post(
            &app,
            "/speakup/access",
            &open(filed.receipt.replace(' ', ""), ""),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);

        // Wrong and malformed receipts: the same status and page.
        let mut wrong = filed.receipt.replace(' ', "").into_bytes();
        wrong[27] = if wrong[27] == b'9' {
            b'0'
        } else {
            wrong[27] + 1
        };
        let wrong = String::from_utf8(wrong).unwrap();
        let a = post(&app, "/speakup/access", &open(wrong, "")).await;
        let b = post(&app, "/speakup/access", &open("12345".into(), "")).await;
        let c = post(&app, "/speakup/access", &open("not a receipt".into(), "")).await;
        for r in [&a, &b, &c] {
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            r.assert_contains("We could not open a report with this receipt");
        }
        let strip = |r: &Resp| r.body.replace(&csrf(r), "");
        assert_eq!(strip(&a), strip(&b));
        assert_eq!(strip(&b), strip(&c));

        // A message, then retaliation.
        let r = post(
            &app,
            "/speakup/access",
            &open(
                filed.receipt.clone(),
                &format!(
                    "&action=message&message={}",
                    url("He deleted the refund log today")
                ),
            ),
        )
        .await;
        r.assert_answer(
            StatusCode::OK,
            &[
                "Your message has been added.",
                "He deleted the refund log today",
            ],
        );
        let r = post(
            &app,
            "/speakup/access",
            &open(filed.receipt.clone(), "&action=message&message=+++"),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("data-field=\"message\"");
        let r = post(
            &app,
            "/speakup/access",
            &open(
                filed.receipt.clone(),
                &format!("&action=retaliation&message={}", url("My shifts were cut")),
            ),
        )
        .await;
        r.assert_answer(
            StatusCode::OK,
            &[
                "id=\"retaliation-flag\"",
                "Thank you for telling us.",
                "Retaliation reported",
            ],
        );

        // The API sees the same thread, and the flag.
        let r = api(
            &app,
            "/api/v1/speakup/access",
            &serde_json::json!({"receipt": filed.receipt}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["case"], filed.case.as_str());
        assert_eq!(j["retaliation_flag"], true);
        assert_eq!(j["status"], "received");
        let msgs = j["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0]["body"], "He deleted the refund log today");
        assert_eq!(msgs[1]["kind"], "retaliation");
        assert_eq!(msgs[1]["author"], "reporter");
    }
}

#[tokio::test]
async fn the_api_files_a_report_and_opens_it_with_the_receipt() {
    logs();
    for app in App::each().await {
        let r = api(
            &app,
            "/api/v1/speakup/reports",
            &serde_json::json!({"category": "data_misuse", "description": DESCRIPTION,
                "anonymous": true, "people": PEOPLE, "answers": ["call recordings"]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let j = r.json();
        let case = j["case"].as_str().unwrap().to_owned();
        let receipt = j["receipt"].as_str().unwrap().to_owned();
        assert!(is_case_ref(&case));
        assert_eq!(j["feedback_due"], "2027-02-20T09:00:00Z");
        assert_eq!(j["acknowledgement_due"], "2026-11-27T09:00:00Z");

        let r = api(
            &app,
            "/api/v1/speakup/access",
            &serde_json::json!({"receipt": receipt, "message": "More: it started in March"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(j["description"], DESCRIPTION);
        assert_eq!(j["anonymous"], true);
        assert_eq!(j["retaliation_flag"], false);
        assert_eq!(j["messages"][0]["body"], "More: it started in March");

        // Wrong, malformed and missing receipts: one shape, one status.
        let mut shapes = Vec::new();
        for body in [
            serde_json::json!({"receipt": "0000 0000 0000 0000 0000 0000 0001"}),
            serde_json::json!({"receipt": "123"}),
            serde_json::json!({}),
            serde_json::json!({"receipt": 1234}),
        ] {
            let r = api(&app, "/api/v1/speakup/access", &body).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{body}");
            shapes.push(r.body);
        }
        assert!(shapes.windows(2).all(|w| w[0] == w[1]), "{shapes:?}");
        assert!(shapes[0].contains("`receipt`"));
    }
}

#[tokio::test]
async fn the_pages_speak_spanish() {
    logs();
    for app in App::each().await {
        let r = get(&app, "/speakup?lang=es").await;
        r.assert_contains("<html lang=\"es\">");
        assert!(r.body.contains("Alza la voz") && r.body.contains("Fraude o robo"));
        r.assert_lacks("Fraud or theft");
        let r = send(
            &app,
            Method::GET,
            "/speakup?category=fraud",
            &[("accept-language", "es-MX,es;q=0.9,en;q=0.5")],
            "",
        )
        .await;
        r.assert_contains("¿Qué pasó?");
        r.assert_contains("name=\"lang\" value=\"es\"");
        let r = post(
            &app,
            "/speakup",
            &format!(
                "csrf={}&lang=es&category=fraud&description={}&anonymous=yes",
                csrf(&r),
                url(DESCRIPTION)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Hemos recibido tu denuncia")
                && r.body.contains("He guardado mi recibo")
        );
        let r = get(&app, "/speakup/access?lang=es").await;
        r.assert_contains("Seguimiento de una denuncia");
        let r = post(
            &app,
            "/speakup/access",
            &format!("csrf={}&lang=es&receipt=1", csrf(&r)),
        )
        .await;
        r.assert_contains("No pudimos abrir una denuncia");
    }
}

// ---------------------------------------------------------------- no trace

/// Fails if any table gains a column that looks like a client address, user agent or
/// referrer: the hotline's promise covers the whole schema, not just its own tables.
#[tokio::test]
async fn no_table_has_an_address_or_user_agent_column() {
    logs();
    // Whole words (`agent_ref` is a contact-centre agent, not a browser).
    const WORDS: [&str; 9] = [
        "ip",
        "ips",
        "addr",
        "address",
        "ua",
        "useragent",
        "referer",
        "referrer",
        "remote",
    ];
    for app in App::each().await {
        let cols = app.state.db.schema_columns().await.unwrap();
        assert!(cols.len() > 50, "the schema was read: {cols:?}");
        assert!(cols.contains(&("users".into(), "reader_public".into())));
        for (table, col) in &cols {
            let lower = col.to_ascii_lowercase();
            let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
            let hit = words.iter().any(|w| WORDS.contains(w))
                || lower.contains("ip_")
                || lower.contains("user_agent")
                || lower.contains("useragent")
                || lower.contains("referer")
                || lower.contains("referrer")
                || lower.contains("remote")
                || lower.ends_with("_ip");
            assert!(
                !hit,
                "{table}.{col} looks like it stores a client address or agent"
            );
        }
    }
}

/// A full report flow with a known client address and user agent: neither appears in
/// anything the server logged (nor does the report's text, the receipt or the case).
#[tokio::test]
async fn a_full_report_flow_leaves_no_address_or_agent_in_the_logs() {
    let cap = logs();
    for app in App::each().await {
        let filed = file_by_form(&app).await;
        let form = get(&app, "/speakup/access").await;
        let r = post(
            &app,
            "/speakup/access",
            &format!(
                "csrf={}&lang=en&receipt={}&action=retaliation&message=threatened",
                csrf(&form),
                url(&filed.receipt)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        post(
            &app,
            "/speakup/access",
            &format!("csrf={}&receipt=1", csrf(&form)),
        )
        .await;
        let r = api(
            &app,
            "/api/v1/speakup/reports",
            &serde_json::json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
        // A non-speak-up request in the same run proves the logger is capturing.
        app.get("/healthz", "").await;
        let logs = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
        assert!(logs.contains("/healthz"), "the logger did capture requests");
        for needle in [
            "203.0.113.77",
            "203.0.113.78",
            // The client's port as an address carries it: a bare "50123" also turns up
            // now and then in a log line's microseconds or a logged hash.
            ":50123",
            "port=50123",
            "SpeakupTestPhone",
            "ReporterBrowser",
            "who-reported",
            "Quentin",
            "Philippa",
            "threatened",
            "/speakup",
            filed.case.as_str(),
            filed.receipt.as_str(),
            &filed.receipt.replace(' ', ""),
        ] {
            assert!(!logs.contains(needle), "{needle:?} reached the logs");
        }
    }
}

/// After a submission neither the SQLite file nor its WAL holds any of the report's text.
#[tokio::test]
async fn the_database_files_hold_no_report_text() {
    logs();
    for app in App::each().await {
        if app.t.sqlite_path().is_none() {
            continue;
        }
        let filed = file_by_form(&app).await;
        let form = get(&app, "/speakup/access").await;
        post(
            &app,
            "/speakup/access",
            &format!(
                "csrf={}&lang=en&receipt={}&action=message&message={}",
                csrf(&form),
                url(&filed.receipt),
                url("Zebulon Featherstonehaugh saw it too")
            ),
        )
        .await;
        let bytes = bytes_at_rest(&app).unwrap();
        let hay = String::from_utf8_lossy(&bytes);
        for needle in [
            "Quentin Marlowe",
            "fake refunds",
            "night shift supervisor",
            "Philippa",
            "philippa@example.org",
            "Building C",
            "refund fraud",
            "Zebulon",
            &filed.receipt.replace(' ', ""),
        ] {
            assert!(
                !hay.contains(needle),
                "{needle:?} is in the database file or WAL"
            );
        }
    }
}
