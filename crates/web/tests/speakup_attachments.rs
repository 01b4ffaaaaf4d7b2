//! Attachments on the speak-up hotline: files sent with the form (multipart, no
//! JavaScript) and the API (base64), stripped of metadata, sealed under the case key,
//! listed for the reporter, opened by a reader; refused files name their position and
//! file nothing; nothing of a file is readable at rest or in the logs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed setup step should panic with its location"
)]

mod common;

use axum::http::StatusCode;
use common::speakup::{api, bytes_at_rest, csrf, get, post, post_multipart};
use common::url;
use common::{logs, value_of, App, PW};
use http_body_util::BodyExt;
use righttrack_core::attachments::{jpeg_markers, png_chunks, prepare, samples, MAX_FILE_BYTES};
use righttrack_core::casekeys::{unlock_reader_secret, unwrap_for_reader, CaseKey};
use righttrack_core::{Role, Secret};
use righttrack_store::directory::User;
use righttrack_web::error::Code;
use righttrack_web::features::hotline::speakup_attachments::{
    staff_download, staff_list, FORM_BODY_LIMIT,
};
use serde_json::json;

const DESCRIPTION: &str = "The night manager keeps a second refund ledger in the safe";
/// Hidden in the photo's EXIF, XMP, IPTC, comment and trailer.
const PHOTO_MARKER: &str = "Zebulon Featherstonehaugh";
const PHOTO_NAME: &str = "ledger-Hieronymus.jpg";
/// Kept in the text file (text is not stripped): must be sealed.
const NOTES: &str = "Ottoline Quixote-Barnaby saw the second ledger on Friday\n";
const NOTES_NAME: &str = "witness-Wilhelmina.txt";

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// The text fields of a complete anonymous fraud report.
fn report_fields(token: &str, lang: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", token.to_owned()),
        ("lang", lang.to_owned()),
        ("category", "fraud".to_owned()),
        ("description", DESCRIPTION.to_owned()),
        ("anonymous", "yes".to_owned()),
    ]
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// An ethics officer with a reader key (made at sign-in).
async fn reader(app: &App) -> User {
    let officer = app.user("officer", &[Role::EthicsOfficer]).await;
    app.login("officer", PW).await;
    officer
}

/// The case key as the reader unwraps it with their password.
async fn reader_key(app: &App, reader: &User, case: &str) -> CaseKey {
    let wraps = app.state.db.speakup_wrapped_for(case).await.unwrap();
    let wrap = &wraps.iter().find(|w| w.0 == reader.id).unwrap().1;
    let (_, locked) = app.state.db.reader_keys(reader.id).await.unwrap().unwrap();
    let secret = unlock_reader_secret(&locked, &Secret::new(PW.into())).unwrap();
    unwrap_for_reader(&secret, case, wrap).unwrap()
}

struct Download {
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

async fn download(app: &App, case: &str, id: &str, key: &CaseKey) -> Download {
    let r = staff_download(&app.state, case, id, key).await.unwrap();
    let headers = r.headers().clone();
    let body = r.into_body().collect().await.unwrap().to_bytes().to_vec();
    Download { headers, body }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn open_case_page(app: &App, receipt: &str, lang: &str) -> common::Resp {
    let form = get(app, &format!("/speakup/access?lang={lang}")).await;
    let r = post(
        app,
        "/speakup/access",
        &format!("csrf={}&lang={lang}&receipt={}", csrf(&form), url(receipt)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r
}

#[tokio::test]
async fn a_photo_sent_with_the_form_is_stripped_sealed_and_listed_for_the_reporter() {
    let cap = logs();
    for app in App::each().await {
        let officer = reader(&app).await;
        let form = get(&app, "/speakup?category=fraud").await;
        form.assert_contains("action=\"/speakup\" enctype=\"multipart/form-data\"");
        form.assert_contains("type=\"file\" id=\"attachments\" name=\"attachment\" multiple");
        form.assert_contains("Up to 3 files, 5 MB each.");
        assert!(
            form.body.contains("id=\"pdf-warning\"")
                && form.body.contains("A PDF keeps its document properties"),
            "the form warns that a PDF may carry the reporter's name"
        );

        let photo = samples::jpeg(PHOTO_MARKER);
        let stripped = prepare(PHOTO_NAME, &photo).unwrap().body;
        let fields = report_fields(&csrf(&form), "en");
        let r = post_multipart(
            &app,
            "/speakup",
            &refs(&fields),
            &[
                ("attachment", PHOTO_NAME, &photo),
                ("attachment", NOTES_NAME, NOTES.as_bytes()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let case = value_of(&r.body, "<strong class=\"mono nowrap\" id=\"case-ref\">").to_owned();
        let receipt =
            value_of(&r.body, "<strong class=\"mono receipt\" id=\"receipt\">").to_owned();
        // The receipt page lists what was kept: names and sizes (after stripping).
        for shown in [
            PHOTO_NAME.to_owned(),
            NOTES_NAME.to_owned(),
            format!("{} bytes", stripped.len()),
            format!("{} bytes", NOTES.len()),
        ] {
            assert!(r.body.contains(&shown), "receipt page shows {shown}");
        }

        // So does the case page the receipt opens.
        let page = open_case_page(&app, &receipt, "en").await;
        page.assert_contains("id=\"attachment-list\"");
        assert!(page.body.contains(PHOTO_NAME) && page.body.contains(NOTES_NAME));
        page.assert_contains(&format!("{} bytes", stripped.len()));
        page.assert_contains(DESCRIPTION);

        // A reader opens the list and the files with the case key.
        let key = reader_key(&app, &officer, &case).await;
        let list = staff_list(&app.state, &case, &key).await.unwrap();
        let names: Vec<_> = list.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, [PHOTO_NAME, NOTES_NAME], "in the order sent");
        assert_eq!(list[0].mime, "image/jpeg");
        assert_eq!(list[0].size, stripped.len() as u64);
        assert_eq!(list[1].mime, "text/plain");
        assert!(list
            .iter()
            .all(|a| a.author == "reporter" && a.metadata_stripped));

        let photo_back = download(&app, &case, &list[0].id, &key).await;
        assert_eq!(photo_back.body, stripped, "the stripped image");
        assert!(!contains(&photo_back.body, PHOTO_MARKER.as_bytes()));
        assert!(!contains(&photo_back.body, b"Exif"));
        let markers = jpeg_markers(&photo_back.body).unwrap();
        assert!(
            !markers.contains(&0xE1),
            "no EXIF/XMP segment: {markers:x?}"
        );
        assert!(markers.contains(&0xC0) && markers.contains(&0xDA));
        let h = &photo_back.headers;
        assert_eq!(h["content-type"], "image/jpeg");
        assert_eq!(
            h["content-disposition"],
            "attachment; filename=\"ledger-Hieronymus.jpg\"; filename*=UTF-8''ledger-Hieronymus.jpg"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        let notes_back = download(&app, &case, &list[1].id, &key).await;
        assert_eq!(notes_back.body, NOTES.as_bytes());
        assert_eq!(
            notes_back.headers["content-type"],
            "text/plain; charset=utf-8"
        );
        // An attachment id opens only under its own case.
        let other = staff_download(&app.state, "RT-2222-2222", &list[0].id, &key).await;
        assert_eq!(other.unwrap_err().code, Code::NotFound);

        // Nothing of the files is readable in the database file or its WAL.
        if let Some(bytes) = bytes_at_rest(&app) {
            let sof = stripped.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
            for needle in [
                PHOTO_NAME.as_bytes(),
                b"Hieronymus",
                PHOTO_MARKER.as_bytes(),
                NOTES_NAME.as_bytes(),
                b"Wilhelmina",
                b"Ottoline",
                &stripped[sof..sof + 24],
            ] {
                assert!(
                    !contains(&bytes, needle),
                    "{:?} is in the database file or WAL",
                    String::from_utf8_lossy(needle)
                );
            }
        }
        app.get("/healthz", "").await;
    }
    let logged = String::from_utf8(cap.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("/healthz"),
        "the logger did capture requests"
    );
    for needle in [
        "Hieronymus",
        "Wilhelmina",
        "Ottoline",
        "Zebulon",
        "/speakup",
    ] {
        assert!(!logged.contains(needle), "{needle:?} reached the logs");
    }
}

/// A GET through the router with the body as bytes (a download is not text).
async fn get_bytes(app: &App, path: &str, cookie: &str) -> (StatusCode, Vec<u8>) {
    let req = axum::http::Request::get(path)
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let status = r.status();
    (
        status,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn a_key_holder_downloads_from_the_case_page_and_others_find_nothing() {
    logs();
    for app in App::each().await {
        let olga = app.user("olga", &[Role::EthicsOfficer]).await;
        let (olga_cookie, _) = app.session(&olga).await;
        let ivan = app.user("ivan", &[Role::Investigator]).await;
        let (ivan_cookie, _) = app.session(&ivan).await;

        let form = get(&app, "/speakup?category=fraud").await;
        let photo = samples::jpeg(PHOTO_MARKER);
        let stripped = prepare(PHOTO_NAME, &photo).unwrap().body;
        let fields = report_fields(&csrf(&form), "en");
        let r = post_multipart(
            &app,
            "/speakup",
            &refs(&fields),
            &[("attachment", PHOTO_NAME, &photo)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let case = value_of(&r.body, "<strong class=\"mono nowrap\" id=\"case-ref\">").to_owned();

        // The case page lists the file with a download link.
        let page = app.get(&format!("/cases/{case}"), &olga_cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        page.assert_contains("id=\"attachment-list\"");
        assert!(page.body.contains(PHOTO_NAME) && page.body.contains("image/jpeg"));
        let link_start = format!("href=\"/cases/{case}/attachments/");
        let aid = value_of(&page.body, &link_start)
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert!(!aid.is_empty(), "a download link");
        let path = format!("/cases/{case}/attachments/{aid}");

        // The download is the stripped file, and it is audited by ids alone.
        let (status, body) = get_bytes(&app, &path, &olga_cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, stripped, "the stripped image, as stored");
        assert!(!contains(&body, PHOTO_MARKER.as_bytes()));
        let opened = || async {
            app.state
                .db
                .audit_list(&righttrack_store::audit::AuditFilter {
                    // The prefix is a LIKE pattern with `_` dropped: filter exactly below.
                    action_prefix: Some("speakup.attachment".into()),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.entry.action == "speakup.attachment_opened")
                .collect::<Vec<_>>()
        };
        let entries = opened().await;
        assert_eq!(entries.len(), 1, "one entry per download");
        let e = &entries[0].entry;
        assert_eq!(e.target, case);
        assert_eq!(e.actor, olga.id.to_string());
        assert!(e.detail.contains(&aid), "{}", e.detail);
        assert!(!e.detail.contains("ledger") && !e.detail.contains("Hieronymus"));

        // An investigator not assigned holds no key: the case and its file are absent.
        let page = app.get(&format!("/cases/{case}"), &ivan_cookie).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        let (status, body) = get_bytes(&app, &path, &ivan_cookie).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!contains(&body, &stripped[..64]));
        // An id that is not this case's is not found either.
        let (status, _) = get_bytes(
            &app,
            &format!("/cases/{case}/attachments/nope"),
            &olga_cookie,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(
            opened().await.len(),
            1,
            "refused downloads are not recorded as opened"
        );
    }
}

#[tokio::test]
async fn the_api_takes_attachments_as_base64_and_the_receipt_lists_them() {
    logs();
    for app in App::each().await {
        let officer = reader(&app).await;
        let photo = samples::jpeg(PHOTO_MARKER);
        let png = samples::png(PHOTO_MARKER);
        let r = api(
            &app,
            "/api/v1/speakup/reports",
            &json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true,
            "attachments": [
                {"name": PHOTO_NAME, "content_base64": b64(&photo)},
                {"name": "C:\\Users\\hieronymus\\screen.png", "content_base64": b64(&png)},
            ]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let j = r.json();
        let case = j["case"].as_str().unwrap().to_owned();
        let receipt = j["receipt"].as_str().unwrap().to_owned();
        let stripped = prepare(PHOTO_NAME, &photo).unwrap().body;
        assert_eq!(
            j["attachments"],
            json!([
                {"name": PHOTO_NAME, "type": "image/jpeg", "size": stripped.len(), "metadata_stripped": true},
                {"name": "screen.png", "type": "image/png", "size": prepare("x", &png).unwrap().body.len(), "metadata_stripped": true},
            ])
        );

        // Later, the reporter adds a PDF with the receipt; the list says its properties
        // stayed.
        app.clock.advance(jiff::SignedDuration::from_mins(5));
        let pdf = samples::pdf("Philippa Ondaatje-Reyes");
        let r = api(
            &app,
            "/api/v1/speakup/access",
            &json!({"receipt": receipt, "message": "The statement is attached",
                "attachments": [{"name": "statement.pdf", "content_base64": b64(&pdf)}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        let listed = j["attachments"].as_array().unwrap();
        assert_eq!(listed.len(), 3);
        assert_eq!(listed[0]["name"], PHOTO_NAME);
        assert_eq!(listed[0]["size"], stripped.len());
        assert_eq!(listed[2]["name"], "statement.pdf");
        assert_eq!(listed[2]["type"], "application/pdf");
        assert_eq!(listed[2]["metadata_stripped"], false);
        assert_eq!(listed[2]["author"], "reporter");
        assert_eq!(j["messages"][0]["body"], "The statement is attached");

        // The reader gets the stripped images back.
        let key = reader_key(&app, &officer, &case).await;
        let list = staff_list(&app.state, &case, &key).await.unwrap();
        let photo_back = download(&app, &case, &list[0].id, &key).await;
        assert_eq!(photo_back.body, stripped);
        let png_back = download(&app, &case, &list[1].id, &key).await;
        let chunks = png_chunks(&png_back.body).unwrap();
        assert!(!chunks.contains(b"tEXt") && !chunks.contains(b"eXIf"));
        assert!(!contains(&png_back.body, PHOTO_MARKER.as_bytes()));
        let pdf_back = download(&app, &case, &list[2].id, &key).await;
        assert_eq!(pdf_back.body, pdf, "a PDF is kept as it is");
        assert_eq!(pdf_back.headers["content-type"], "application/pdf");

        if let Some(bytes) = bytes_at_rest(&app) {
            for needle in [
                PHOTO_NAME.as_bytes(),
                b"Hieronymus",
                b"hieronymus",
                PHOTO_MARKER.as_bytes(),
                b"statement.pdf",
                b"Philippa",
            ] {
                assert!(
                    !contains(&bytes, needle),
                    "{:?} is in the database file or WAL",
                    String::from_utf8_lossy(needle)
                );
            }
        }
    }
}

/// One file part: `(field, file name, bytes)`.
type File<'a> = (&'a str, &'a str, &'a [u8]);

/// A GIF whose bytes carry a distinctive string: refused, and never echoed.
fn gif() -> Vec<u8> {
    b"GIF89a\x01\x00\x01\x00 Barnabus-secret-frame".to_vec()
}

#[tokio::test]
async fn refused_files_get_a_422_naming_the_file_and_nothing_is_filed() {
    logs();
    for app in App::each().await {
        let ok = b"a plain note\n".to_vec();
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        let broken = {
            let j = samples::jpeg("x");
            j[..j.len() - 40].to_vec()
        };
        let gif = gif();
        let form = get(&app, "/speakup?category=fraud").await;
        let fields = report_fields(&csrf(&form), "en");
        let cases: Vec<(Vec<File>, &str)> = vec![
            (
                vec![
                    ("attachment", "note.txt", &ok),
                    ("attachment", "Barnabus-huge.txt", &big),
                ],
                "attachment 2: larger than 5 MiB",
            ),
            (
                vec![
                    ("attachment", "1.txt", &ok),
                    ("attachment", "2.txt", &ok),
                    ("attachment", "3.txt", &ok),
                    ("attachment", "Barnabus-4.txt", &ok),
                ],
                "attachment 4: more than 3 files",
            ),
            (
                vec![
                    ("attachment", "note.txt", &ok),
                    ("attachment", "Barnabus.jpg", &gif),
                ],
                "attachment 2: type not allowed (JPEG, PNG, PDF or plain UTF-8 text only)",
            ),
            (
                vec![("attachment", "Barnabus.jpg", &broken)],
                "attachment 1: not a well-formed JPEG image",
            ),
        ];
        for (files, want) in &cases {
            let r = post_multipart(&app, "/speakup", &refs(&fields), files).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{want}");
            assert!(r.body.contains(want), "{want}: {}", r.body);
            r.assert_contains("data-field=\"attachments\"");
            assert!(
                !r.body.contains("Barnabus"),
                "no file name or content echoed"
            );
            // What was typed is kept, and the reporter is told to attach the files again.
            r.assert_contains(DESCRIPTION);
            r.assert_contains("id=\"reattach\"");
        }
        // In Spanish too.
        let es = report_fields(&csrf(&form), "es");
        let r = post_multipart(
            &app,
            "/speakup",
            &refs(&es),
            &[("attachment", "a.gif", &gif)],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("adjunto 1: tipo no permitido");

        // The API: 422 naming `attachments[i]`, nothing echoed.
        let item = |name: &str, bytes: &[u8]| json!({"name": name, "content_base64": b64(bytes)});
        for (attachments, want) in [
            (
                json!([item("note.txt", &ok), item("Barnabus-huge.txt", &big)]),
                "field `attachments[1]`: larger than 5 MiB",
            ),
            (
                json!([
                    item("1.txt", &ok),
                    item("2.txt", &ok),
                    item("3.txt", &ok),
                    item("Barnabus", &ok)
                ]),
                "field `attachments[3]`: more than 3 files",
            ),
            (
                json!([item("note.txt", &ok), item("Barnabus.jpg", &gif)]),
                "field `attachments[1]`: type not allowed",
            ),
            (
                json!([{"name": "Barnabus.txt", "content_base64": "not base64!"}]),
                "field `attachments[0]`: `content_base64` is not valid base64",
            ),
            (
                json!([{"name": "Barnabus.txt"}]),
                "field `attachments[0]`: `content_base64` is required",
            ),
            (json!("Barnabus"), "field `attachments`: must be an array"),
        ] {
            let r = api(
                &app,
                "/api/v1/speakup/reports",
                &json!({"category": "fraud", "description": DESCRIPTION, "anonymous": true,
                    "attachments": attachments}),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{want}");
            let msg = r.json()["message"].as_str().unwrap().to_owned();
            assert!(msg.contains(want), "{msg} should contain {want}");
            assert!(!r.body.contains("Barnabus"), "nothing echoed: {}", r.body);
        }

        // Nothing was filed half-way: no case, no attachment.
        assert_eq!(app.t.count("speakup_cases").await.unwrap(), 0);
        assert_eq!(app.t.count("speakup_attachments").await.unwrap(), 0);
        assert_eq!(app.t.count("speakup_fields").await.unwrap(), 0);

        // Sent again with the good file only, the same report is filed with it.
        let r = post_multipart(
            &app,
            "/speakup",
            &refs(&fields),
            &[("attachment", "note.txt", &ok)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(app.t.count("speakup_cases").await.unwrap(), 1);
        assert_eq!(app.t.count("speakup_attachments").await.unwrap(), 1);
    }
}

#[tokio::test]
async fn the_reporter_adds_files_with_a_message_on_the_case_page() {
    logs();
    for app in App::each().await {
        // Filed without files, through the urlencoded form (still accepted).
        let form = get(&app, "/speakup?category=fraud").await;
        let r = post(
            &app,
            "/speakup",
            &format!(
                "csrf={}&lang=es&category=fraud&description={}&anonymous=yes",
                csrf(&form),
                url(DESCRIPTION)
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let receipt =
            value_of(&r.body, "<strong class=\"mono receipt\" id=\"receipt\">").to_owned();
        let page = open_case_page(&app, &receipt, "es").await;
        assert!(!page.body.contains("id=\"attachment-list\""), "none yet");
        page.assert_contains("action=\"/speakup/access\" enctype=\"multipart/form-data\"");
        page.assert_contains("Hasta 3 archivos de 5 MB cada uno.");

        let token = csrf(&page);
        let base = |message: &str, action: &str| {
            vec![
                ("csrf", token.clone()),
                ("lang", "es".to_owned()),
                ("receipt", receipt.clone()),
                ("message", message.to_owned()),
                ("action", action.to_owned()),
            ]
        };
        // A refused file: 422, nothing stored, the message kept in the form.
        let fields = base("Here is the photo of the ledger", "message");
        let r = post_multipart(
            &app,
            "/speakup/access",
            &refs(&fields),
            &[("attachment", "ledger.gif", &gif())],
        )
        .await;
        r.assert_answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            &[
                "adjunto 1: tipo no permitido",
                "Here is the photo of the ledger",
            ],
        );
        assert_eq!(app.t.count("speakup_messages").await.unwrap(), 0);
        assert_eq!(app.t.count("speakup_attachments").await.unwrap(), 0);

        // A photo with the message.
        let photo = samples::jpeg(PHOTO_MARKER);
        let r = post_multipart(
            &app,
            "/speakup/access",
            &refs(&fields),
            &[("attachment", PHOTO_NAME, &photo)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("Tu mensaje se ha añadido.");
        assert!(r.body.contains("Archivos adjuntos") && r.body.contains(PHOTO_NAME));
        // A file alone, no message.
        let fields = base("", "message");
        let r = post_multipart(
            &app,
            "/speakup/access",
            &refs(&fields),
            &[("attachment", NOTES_NAME, NOTES.as_bytes())],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.assert_contains("Tus archivos se han añadido.");
        r.assert_contains(NOTES_NAME);
        r.assert_contains(&format!("{} bytes", NOTES.len()));
        // Neither message nor file: the message is required.
        let r = post_multipart(&app, "/speakup/access", &refs(&fields), &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        r.assert_contains("data-field=\"message\"");
        assert_eq!(app.t.count("speakup_messages").await.unwrap(), 1);
        assert_eq!(app.t.count("speakup_attachments").await.unwrap(), 2);
    }
}

#[tokio::test]
async fn only_the_reporter_routes_take_large_bodies() {
    logs();
    for app in App::each().await {
        // Above the raised limit: 413, on the hotline's own page, without a trace.
        let form = get(&app, "/speakup?category=fraud").await;
        let fields = report_fields(&csrf(&form), "en");
        let huge = vec![b'a'; FORM_BODY_LIMIT + 1];
        let r = post_multipart(
            &app,
            "/speakup",
            &refs(&fields),
            &[("attachment", "huge.txt", &huge)],
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        r.assert_contains("Attachments: the files together are too large");
        assert_eq!(app.t.count("speakup_cases").await.unwrap(), 0);

        // Other routes keep their small limits: 3 MiB to the sign-in form is refused.
        let r = app
            .post("/login", "", &format!("username={}", "a".repeat(3 << 20)))
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
