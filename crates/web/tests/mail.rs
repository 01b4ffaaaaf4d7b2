//! E-mail against a real SMTP server (aiosmtpd, started here on a free port): notices
//! become queued mail, an outage loses nothing, the hotline's mail is constant in shape,
//! preferences decide the rest, and administrators see the outbox and send a test.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use axum::http::StatusCode;
use common::App;
use righttrack_app::jobs::mail::{deliver, MailConfig, Security};
use righttrack_core::directory::{Person, Plan, Profile, Update};
use righttrack_core::mail::WORK_SUBJECT;
use righttrack_core::{Role, Secret};
use righttrack_store::directory::User;
use righttrack_web::WebConfig;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A real SMTP server that files every message it accepts into a maildir.
struct Smtp {
    port: u16,
    maildir: PathBuf,
    child: Option<Child>,
    _dir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Smtp {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "the mail tests need the aiosmtpd SMTP server: python3 -m pip install --user aiosmtpd==1.4.6 \
             (scripts/test.sh installs it)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        // The handler creates the maildir; one that exists empty is refused.
        let maildir = dir.path().join("maildir");
        let mut s = Smtp {
            port,
            maildir,
            child: None,
            _dir: dir,
        };
        s.resume();
        s
    }

    /// Starts (again) on the same port.
    fn resume(&mut self) {
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("aiosmtpd did not start on port {}", self.port);
    }

    /// The outage: the server is gone, its port closed.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn config(&self) -> WebConfig {
        WebConfig {
            mail: Some(MailConfig {
                host: "127.0.0.1".into(),
                port: self.port,
                security: Security::None,
                username: None,
                password: None,
                from: "RightTrack <righttrack@example.com>".into(),
            }),
            ..WebConfig::default()
        }
    }

    /// Every message received so far, as text, oldest first.
    fn messages(&self) -> Vec<String> {
        let new = self.maildir.join("new");
        let Ok(entries) = std::fs::read_dir(&new) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }

    fn to(&self, address: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|m| header(m, "To").contains(address))
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A header's value (unfolded lines are enough for these messages).
fn header<'a>(msg: &'a str, name: &str) -> &'a str {
    msg.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
}

/// The body: everything after the first empty line.
fn body(msg: &str) -> String {
    let msg = msg.replace("\r\n", "\n");
    msg.split_once("\n\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default()
}

/// Gives `user` an address in the staff directory, as an HR import would.
async fn address(app: &App, user: &User, email: Option<&str>) {
    let plan = Plan {
        update: vec![Update {
            person: Person {
                line: 2,
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                team: None,
                site: None,
                roles: None,
                profile: Profile {
                    email: email.map(str::to_owned),
                    ..Profile::default()
                },
            },
            changes: Vec::new(),
            roles: None,
        }],
        ..Plan::default()
    };
    app.state
        .db
        .apply_directory_plan(&plan, app.now(), &mut rand::rngs::OsRng)
        .await
        .unwrap();
}

fn today(app: &App) -> String {
    righttrack_core::clock::day(app.now())
}

async fn sweep(app: &App) {
    righttrack_app::jobs::sweep::run(&app.state, app.now()).await;
}

/// Mail is queued in the database and survives an SMTP outage: while the server is down
/// every try fails, is counted and pushed back (1, then 2 minutes), nothing is lost, and
/// once it is back everything queued is delivered, once, with a plain-text part. People
/// without an address get no mail (their in-app notices stay).
#[tokio::test]
async fn queued_mail_survives_an_smtp_outage() {
    let mut smtp = Smtp::start();
    for app in App::each_with(smtp.config()).await {
        let ann = app.user("ann", &[Role::Agent]).await;
        let bob = app.user("bob", &[Role::Agent]).await;
        let cy = app.user("cy", &[Role::Agent]).await;
        address(&app, &ann, Some("ann@example.com")).await;
        address(&app, &bob, Some("bob@example.com")).await;
        address(&app, &cy, None).await;
        let day = today(&app);
        let db = &app.state.db;
        let reminder = righttrack_app::program::training::REMINDER;
        for u in [&ann, &bob, &cy] {
            db.put_kind_notification(u.id, &day, "training", reminder, app.now())
                .await
                .unwrap();
        }

        smtp.stop();
        sweep(&app).await;
        let status = db.mail_status(app.now()).await.unwrap();
        assert_eq!(
            (status.waiting, status.retrying),
            (2, 0),
            "ann and bob, not cy"
        );

        let d = deliver(&app.state, app.now()).await.unwrap();
        assert_eq!((d.sent, d.deferred, d.failed), (0, 1, 0));
        let status = db.mail_status(app.now()).await.unwrap();
        assert_eq!((status.waiting, status.retrying), (2, 1));
        assert_eq!(
            status.last_error.as_deref(),
            Some("could not connect to the server")
        );
        // Backoff: the failed one waits a minute; the other is still due and fails now.
        assert_eq!(db.due_mail(app.now(), 10).await.unwrap().len(), 1);
        deliver(&app.state, app.now()).await.unwrap();
        assert!(db.due_mail(app.now(), 10).await.unwrap().is_empty());
        app.clock.advance(jiff::SignedDuration::from_secs(61));
        let d = deliver(&app.state, app.now()).await.unwrap();
        assert_eq!(d.deferred, 1, "the outage goes on");
        app.clock.advance(jiff::SignedDuration::from_secs(61));
        let due = db.due_mail(app.now(), 10).await.unwrap();
        assert_eq!(due.len(), 1, "two failures: the next try is two minutes on");
        assert_eq!(due[0].attempts, 1);

        // The sweep runs again meanwhile: nothing is queued twice.
        sweep(&app).await;
        assert_eq!(db.mail_status(app.now()).await.unwrap().waiting, 2);
        assert!(smtp.messages().is_empty());

        smtp.resume();
        app.clock.advance(jiff::SignedDuration::from_mins(5));
        let d = deliver(&app.state, app.now()).await.unwrap();
        assert_eq!((d.sent, d.deferred, d.failed), (2, 0, 0));
        let status = db.mail_status(app.now()).await.unwrap();
        assert_eq!((status.waiting, status.sent_last_day), (0, 2));
        for who in ["ann@example.com", "bob@example.com"] {
            let got = smtp.to(who);
            assert_eq!(got.len(), 1, "{who}");
            assert!(header(&got[0], "Content-Type").starts_with("text/plain"));
            assert!(
                body(&got[0]).contains("You have training due"),
                "{}",
                got[0]
            );
        }
        sweep(&app).await;
        assert_eq!(deliver(&app.state, app.now()).await.unwrap().sent, 0);
        assert_eq!(smtp.messages().len(), 2, "nothing twice");
        // Sealed at rest: the subject appears nowhere in the database file.
        app.assert_not_at_rest(&["RightTrack: a reminder"]).await;
        smtp_reset(&smtp);
    }
}

/// The hotline's mail is content-free and constant in shape: whatever the notice's text
/// (the hotline's, or a conflicts line merged into it), whoever gets it and whenever the
/// notice was written, every message has the same subject and body and its day's fixed
/// `Date` (07:00 UTC), at most one a day per person, and "off" does not silence it.
#[tokio::test]
async fn hotline_mail_is_content_free_and_constant_in_shape() {
    let smtp = Smtp::start();
    for app in App::each_with(smtp.config()).await {
        let db = &app.state.db;
        let ann = app.user("ann", &[Role::Investigator]).await;
        let bob = app.user("bob", &[Role::Agent]).await;
        address(&app, &ann, Some("ann@example.com")).await;
        address(&app, &bob, Some("bob@example.com")).await;
        db.set_mail_preference(bob.id, "off", app.now())
            .await
            .unwrap();

        // 05:00: ann's line is written; nothing leaves before 07:00, one message after.
        app.clock.advance(jiff::SignedDuration::from_hours(-4));
        let day = today(&app);
        db.put_notification(ann.id, &day, righttrack_app::jobs::digest::TEXT, app.now())
            .await
            .unwrap();
        sweep(&app).await;
        assert_eq!(db.mail_status(app.now()).await.unwrap().waiting, 0);
        app.clock.advance(jiff::SignedDuration::from_hours(4));
        sweep(&app).await;
        sweep(&app).await;
        deliver(&app.state, app.now()).await.unwrap();
        assert_eq!(smtp.to("ann@example.com").len(), 1);

        // 15:00: bob's line (a conflicts line, merged); it leaves the next morning at the
        // same hour, and ann's line of yesterday morning is not sent again.
        app.clock.advance(jiff::SignedDuration::from_hours(6));
        db.merge_notification(
            bob.id,
            &day,
            "There is a conflict-of-interest disclosure to review.",
            app.now(),
        )
        .await
        .unwrap();
        sweep(&app).await;
        deliver(&app.state, app.now()).await.unwrap();
        assert!(smtp.to("bob@example.com").is_empty());
        app.clock.advance(jiff::SignedDuration::from_hours(18));
        sweep(&app).await;
        deliver(&app.state, app.now()).await.unwrap();
        let (a, b) = (smtp.to("ann@example.com"), smtp.to("bob@example.com"));
        assert_eq!((a.len(), b.len()), (1, 1));
        assert_eq!(header(&a[0], "Subject"), WORK_SUBJECT);
        assert_eq!(header(&b[0], "Subject"), WORK_SUBJECT);
        assert_eq!(body(&a[0]), body(&b[0]));
        for m in [&a[0], &b[0]] {
            assert!(header(m, "Date").ends_with(" 07:00:00 +0000"), "{m}");
            assert!(!m.contains("conflict") && !m.contains("case"), "{m}");
        }
        assert_ne!(header(&a[0], "Date"), header(&b[0], "Date"));
        smtp_reset(&smtp);
    }
}

fn smtp_reset(smtp: &Smtp) {
    // The next backend's messages start from an empty maildir.
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(smtp.maildir.join(sub)) {
            for e in entries {
                let _ = std::fs::remove_file(e.unwrap().path());
            }
        }
    }
}

/// A person chooses on their account page: each notice, a morning summary of the
/// previous day, or off (which still sends corrective-action deadlines). A value that is
/// none of them is refused naming the field.
#[tokio::test]
async fn preferences_decide_immediate_digest_or_off() {
    let smtp = Smtp::start();
    for app in App::each_with(smtp.config()).await {
        let db = &app.state.db;
        let dee = common::staff(&app, "dee", &[Role::Agent]).await;
        let eve = common::staff(&app, "eve", &[Role::Agent]).await;
        address(&app, &dee.user, Some("dee@example.com")).await;
        address(&app, &eve.user, Some("eve@example.com")).await;

        let page = dee.get(&app, "/account/mail").await;
        page.assert_answer(
            StatusCode::OK,
            &["Each notice as it comes", "value=\"immediate\" checked"],
        );
        let bad = dee
            .post(&app, "/account/mail", &[("preference", "weekly")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("E-mail: choose");
        let ok = dee
            .post(&app, "/account/mail", &[("preference", "digest")])
            .await;
        assert_eq!(ok.location(), "/account/mail?done=saved");
        eve.post(&app, "/account/mail", &[("preference", "off")])
            .await;
        assert!(app.audited("mail.preference_set").await);

        let day = today(&app);
        let reminder = righttrack_app::program::training::REMINDER;
        for u in [&dee.user, &eve.user] {
            db.put_kind_notification(u.id, &day, "training", reminder, app.now())
                .await
                .unwrap();
            db.put_capa_notification(
                u.id,
                &day,
                "A corrective action you own is overdue.",
                app.now(),
            )
            .await
            .unwrap();
        }
        sweep(&app).await;
        deliver(&app.state, app.now()).await.unwrap();
        assert!(smtp.to("dee@example.com").is_empty(), "digest: nothing yet");
        let e = smtp.to("eve@example.com");
        assert_eq!(e.len(), 1, "off: the corrective action only");
        assert!(body(&e[0]).contains("corrective action"));

        app.clock.advance(common::days(1));
        sweep(&app).await;
        deliver(&app.state, app.now()).await.unwrap();
        let d = smtp.to("dee@example.com");
        assert_eq!(d.len(), 1);
        assert_eq!(
            header(&d[0], "Subject"),
            format!("RightTrack: your summary of {day}")
        );
        let text = body(&d[0]);
        assert!(
            text.contains("training due") && text.contains("corrective action"),
            "{text}"
        );
        assert_eq!(smtp.to("eve@example.com").len(), 1);
        smtp_reset(&smtp);
    }
}

/// The administrators' mail page: the settings without the password, the outbox, a test
/// message that arrives, and one that cannot while the server is down (it stays queued,
/// and the page says why). Without mail settings the page says mail is off and the test
/// is refused naming its field.
#[tokio::test]
async fn administrators_see_the_outbox_and_send_a_test() {
    let mut smtp = Smtp::start();
    let mut config = smtp.config();
    if let Some(m) = config.mail.as_mut() {
        m.username = Some("relay-user".into());
        m.password = Some(Secret::new("hunter2-smtp-password".into()));
    }
    assert!(!format!("{config:?}").contains("hunter2"));
    // aiosmtpd offers no sign-in without TLS: the page is read with the password set,
    // and mail goes through an app without it.
    for app in App::each_with(config.clone()).await {
        let root = common::staff(&app, "root", &[Role::Admin]).await;
        let page = root.get(&app, "/admin/mail").await;
        page.assert_answer(
            StatusCode::OK,
            &["127.0.0.1", "relay-user", "righttrack@example.com"],
        );
        page.assert_lacks("hunter2");
        app.get("/admin/users", &root.cookie)
            .await
            .assert_contains("href=\"/admin/mail\"");
    }
    for app in App::each_with(smtp.config()).await {
        let root = common::staff(&app, "root", &[Role::Admin]).await;
        let agent = common::staff(&app, "al", &[Role::Agent]).await;
        assert_eq!(
            agent.get(&app, "/admin/mail").await.status,
            StatusCode::FORBIDDEN
        );

        let bad = root
            .post(&app, "/admin/mail/test", &[("to", "not an address")])
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        bad.assert_contains("Send to: enter an e-mail address");
        bad.assert_contains("value=\"not an address\"");

        let sent = root
            .post(&app, "/admin/mail/test", &[("to", "ops@example.com")])
            .await;
        assert_eq!(sent.location(), "/admin/mail?done=sent");
        let got = smtp.to("ops@example.com");
        assert_eq!(got.len(), 1);
        assert_eq!(header(&got[0], "Subject"), "RightTrack: test message");
        assert!(app.audited("mail.test_queued").await);

        smtp.stop();
        let down = root
            .post(&app, "/admin/mail/test", &[("to", "ops@example.com")])
            .await;
        assert_eq!(down.status, StatusCode::UNPROCESSABLE_ENTITY);
        down.assert_contains("could not connect to the server");
        let page = root.get(&app, "/admin/mail").await;
        page.assert_contains("Latest failure");
        let api = root.get(&app, "/api/v1/mail").await;
        assert_eq!(api.status, StatusCode::OK);
        assert_eq!(api.json()["queue"]["waiting"], 1);
        assert_eq!(api.json()["settings"]["port"], smtp.port);
        smtp.resume();
        app.clock.advance(jiff::SignedDuration::from_mins(2));
        assert_eq!(deliver(&app.state, app.now()).await.unwrap().sent, 1);
        assert_eq!(smtp.to("ops@example.com").len(), 2);
        smtp_reset(&smtp);
    }
    for app in App::each().await {
        let root = common::staff(&app, "root", &[Role::Admin]).await;
        root.get(&app, "/admin/mail")
            .await
            .assert_answer(StatusCode::OK, &["Mail is off"]);
        let refused = root
            .post(&app, "/admin/mail/test", &[("to", "ops@example.com")])
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused.assert_contains("Send to: mail is not set up");
        // Notices stay in the app and nothing is queued.
        let day = today(&app);
        app.state
            .db
            .put_kind_notification(root.user.id, &day, "training", "x", app.now())
            .await
            .unwrap();
        sweep(&app).await;
        assert_eq!(
            app.state.db.mail_status(app.now()).await.unwrap().waiting,
            0
        );
    }
}
