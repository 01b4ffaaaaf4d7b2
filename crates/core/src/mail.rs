//! E-mail: what a message says, who may turn which notice off, and how long a failed
//! delivery waits before the next try. No I/O: the outbox is the store's, the SMTP
//! conversation the app's.
//!
//! **Invariant:** the hotline's mail is content-free and constant in shape. Whatever the
//! case, its subject and body are [`WORK_SUBJECT`] and [`work_body`] of the
//! installation's address: no case, no category, no count, no time finer than the day
//! on which the in-app notice was written, and never folded into a digest (whose length
//! would vary with everything else that day). A mailbox reader learns what the in-app
//! notice already tells: that on that day some work waited.
//!
//! Every message is plain text only (`text/plain`), so every client shows all of it
//! and nothing in it can fetch or run anything.

use jiff::{SignedDuration, Timestamp};

/// How a person wants their notices by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preference {
    /// One message per notice, as the notice is written.
    #[default]
    Immediate,
    /// One message a day listing the previous day's notices.
    Digest,
    /// No mail, except the notices nobody may turn off (see [`Source::mandatory`]).
    Off,
}

impl Preference {
    pub const ALL: [Preference; 3] = [Preference::Immediate, Preference::Digest, Preference::Off];

    pub fn as_str(self) -> &'static str {
        match self {
            Preference::Immediate => "immediate",
            Preference::Digest => "digest",
            Preference::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The words a person reads on their settings page.
    pub fn label(self) -> &'static str {
        match self {
            Preference::Immediate => "Each notice as it comes",
            Preference::Digest => "One summary a day",
            Preference::Off => "Only what I may not turn off",
        }
    }
}

/// Where a notice came from, as far as mail needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The hotline's (and conflicts of interest's) daily "work waiting" line.
    Work,
    /// An overdue corrective action: a deadline that may be a legal one.
    CorrectiveAction,
    /// A second factor was locked (to administrators): a security alert.
    SecurityAlert,
    /// Training and policy reminders and their escalations to leads.
    Reminder,
}

impl Source {
    /// The notice kinds of `staff_notifications`, `capa_notifications` and the policy
    /// reminders, mapped to a source.
    pub fn of_kind(kind: &str) -> Self {
        match kind {
            "hotline" => Source::Work,
            "capa" => Source::CorrectiveAction,
            "second_factor_locked" => Source::SecurityAlert,
            _ => Source::Reminder,
        }
    }

    /// Notices nobody may turn off: hotline case work (a reporter waits on it, and the
    /// law sets deadlines to acknowledge and answer), overdue corrective actions (their
    /// deadlines may be a regulator's) and security alerts. "Off" still sends these,
    /// each as it comes; "digest" folds the last two into the summary.
    pub fn mandatory(self) -> bool {
        !matches!(self, Source::Reminder)
    }
}

/// What a person gets for a notice of `source` under `pref`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Now,
    InDigest,
    Not,
}

/// See [`Source::mandatory`]: the hotline's line always goes alone and at once.
pub fn delivery(source: Source, pref: Preference) -> Delivery {
    match (source, pref) {
        (Source::Work, _) => Delivery::Now,
        (_, Preference::Immediate) => Delivery::Now,
        (_, Preference::Digest) => Delivery::InDigest,
        (s, Preference::Off) if s.mandatory() => Delivery::Now,
        (_, Preference::Off) => Delivery::Not,
    }
}

/// A message to send: one recipient, a subject, a plain-text body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The `Date` header when it must not be the instant of sending: the hotline's
    /// messages carry their day's [`slot`], so not even a retry after an outage tells
    /// the time of anything. `None`: the instant of sending.
    #[serde(default)]
    pub date: Option<Timestamp>,
}

/// The hour (UTC) at which the day's hotline messages and digests are queued: one fixed
/// time for everyone, so that when a message leaves says nothing about when a case moved.
pub const SEND_HOUR: i8 = 7;

/// Today's sending time, once it has come: `SEND_HOUR` o'clock UTC of `now`'s day, or
/// `None` before it.
pub fn slot(now: Timestamp) -> Option<Timestamp> {
    let at = now
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .at(SEND_HOUR, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    (now >= at).then_some(at)
}

/// The subject of every hotline message.
pub const WORK_SUBJECT: &str = "RightTrack: there is work waiting for you";

/// The body of every hotline message: the same text for every case, person and day.
pub fn work_body(public_url: Option<&str>) -> String {
    format!(
        "There is work waiting for you in RightTrack. Sign in to see it.\n{}",
        footer(public_url)
    )
}

/// The hotline's message of the day whose [`slot`] is `at`.
pub fn work(to: &str, at: Timestamp, public_url: Option<&str>) -> Message {
    Message {
        to: to.to_owned(),
        subject: WORK_SUBJECT.to_owned(),
        body: work_body(public_url),
        date: Some(at),
    }
}

/// One notice as its own message.
pub fn notice(to: &str, text: &str, public_url: Option<&str>) -> Message {
    Message {
        to: to.to_owned(),
        subject: "RightTrack: a reminder".to_owned(),
        body: format!("{text}\n{}", footer(public_url)),
        date: None,
    }
}

/// The summary of a day's notices.
pub fn digest(to: &str, day: &str, texts: &[String], public_url: Option<&str>) -> Message {
    let mut body = format!("Your RightTrack notices of {day}:\n\n");
    for t in texts {
        body.push_str("- ");
        body.push_str(t);
        body.push('\n');
    }
    body.push_str(&footer(public_url));
    Message {
        to: to.to_owned(),
        subject: format!("RightTrack: your summary of {day}"),
        body,
        date: None,
    }
}

/// The test message an administrator sends from the mail settings page.
pub fn test(to: &str, public_url: Option<&str>) -> Message {
    Message {
        to: to.to_owned(),
        subject: "RightTrack: test message".to_owned(),
        body: format!(
            "This is a test message from RightTrack: mail delivery works.\n{}",
            footer(public_url)
        ),
        date: None,
    }
}

fn footer(public_url: Option<&str>) -> String {
    let at = public_url.map(|u| format!(" at {u}")).unwrap_or_default();
    format!("\n--\nSent by RightTrack{at}. Choose how you get these under My account, E-mail.\n")
}

/// The wait before try `attempts + 1` after `attempts` failed ones: one minute, doubling,
/// at most an hour, so a short outage costs minutes and a long one an hourly knock.
pub fn backoff(attempts: i64) -> SignedDuration {
    let minutes = 1i64 << attempts.clamp(1, 7).saturating_sub(1);
    SignedDuration::from_mins(minutes.min(60))
}

/// After this long undelivered a message is marked failed (shown to administrators, who
/// may queue it again); until then every outage is waited out.
pub const GIVE_UP_AFTER: SignedDuration = SignedDuration::from_hours(72);

/// A plausible address: one `@` with something on each side, a dot in the domain, no
/// spaces or angle brackets. The SMTP server is the judge; this catches typing slips.
pub fn plausible_address(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s.contains([' ', '<', '>', ',', '\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let m: Vec<i64> = (1..=9).map(|a| backoff(a).as_secs() / 60).collect();
        assert_eq!(m, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn work_mail_is_always_sent_alone_and_at_once() {
        for p in Preference::ALL {
            assert_eq!(delivery(Source::Work, p), Delivery::Now);
        }
        assert_eq!(
            delivery(Source::CorrectiveAction, Preference::Off),
            Delivery::Now
        );
        assert_eq!(delivery(Source::Reminder, Preference::Off), Delivery::Not);
        assert_eq!(
            delivery(Source::Reminder, Preference::Digest),
            Delivery::InDigest
        );
    }

    #[test]
    fn the_slot_is_seven_utc() {
        let t: Timestamp = "2026-11-20T06:59:00Z".parse().unwrap();
        assert_eq!(slot(t), None);
        let t: Timestamp = "2026-11-20T13:20:00Z".parse().unwrap();
        assert_eq!(slot(t), Some("2026-11-20T07:00:00Z".parse().unwrap()));
    }

    #[test]
    fn addresses() {
        assert!(plausible_address("ann@example.com"));
        for bad in [
            "ann",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "a@b@c.com",
            "<a@b.com>",
        ] {
            assert!(!plausible_address(bad), "{bad}");
        }
    }
}
