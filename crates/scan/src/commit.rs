//! Commitments: promises with a deadline, resolved to an instant.
//!
//! A commitment is an agent sentence holding a promise cue ("I'll", "we will",
//! "you should see", "will post", "going to") followed by a deadline phrase.
//! Deadlines are parsed by a small grammar over normalised words:
//! `tomorrow [morning|afternoon|evening|before|by TIME]`, `today`, `tonight`,
//! `by|before [the] end of [the] day|week|month [DAY]`, `by|before|on|until DAY
//! [morning|…]`, `in [the next] N hours|days|weeks`, `within N [to M] [business|
//! working] days|hours|weeks`, `next week`, `by TIME`.
//!
//! Resolution (jiff, in the interaction's time zone, UTC when absent/unknown):
//! "morning" ends at 12:00, "afternoon" 17:00, "evening"/"tonight" 21:00, "end
//! of day" is 17:00 (business close; 23:59:59 if the interaction started after
//! 17:00), a weekday means the next such day (today if still before its end),
//! business days skip Saturday and Sunday and end at 17:00, "within 3 to 5"
//! takes the upper bound. The time zone database is the one bundled in the
//! binary, so resolution does no I/O.

use crate::model::{Commitment, Interaction, Speaker};
use crate::rules::Norm;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{ToSpan, Zoned};

const CUES: &[&[&str]] = &[
    &["ill"],
    &["i", "will"],
    &["well"],
    &["we", "will"],
    &["youll"],
    &["you", "will"],
    &["you", "should"],
    &["should"],
    &["will"],
    &["going", "to"],
    &["gonna"],
    &["expect"],
    &["promise"],
];

fn num(w: &str) -> Option<i64> {
    if let Ok(v) = w.parse::<i64>() {
        return Some(v);
    }
    let t: &[(&str, i64)] = &[
        ("one", 1),
        ("a", 1),
        ("an", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
        ("nine", 9),
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("fourteen", 14),
        ("fifteen", 15),
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fortyeight", 48),
        ("seventy", 70),
        ("couple", 2),
        ("few", 3),
    ];
    t.iter().find(|(s, _)| *s == w).map(|&(_, v)| v)
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

/// A parsed deadline.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Due {
    /// Day offset + time of day (hours).
    DayAt(i64, i8, i8),
    /// Next weekday, at time.
    Weekday(Weekday, i8, i8),
    /// Duration in hours from start.
    Hours(i64),
    /// Business days.
    BusinessDays(i64),
    /// End of day (17:00 or 23:59:59 if later).
    EndOfDay(i64),
    /// End of week (Friday 17:00), month (last day 17:00).
    EndOfWeek,
    EndOfMonth,
}

fn part_of_day(w: &str) -> Option<(i8, i8)> {
    match w {
        "morning" => Some((12, 0)),
        "afternoon" => Some((17, 0)),
        "evening" | "night" | "tonight" => Some((21, 0)),
        "noon" | "midday" | "lunchtime" => Some((12, 0)),
        "eod" | "cob" => Some((17, 0)),
        _ => None,
    }
}

/// "5pm", "5", "pm" → hour.
fn time_at(ws: &[&str]) -> Option<((i8, i8), usize)> {
    let w = *ws.first()?;
    let (digits, rest) = w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
    let mut h: i8 = if digits.is_empty() {
        num(w)? as i8
    } else {
        digits.parse().ok()?
    };
    let mut used = 1;
    let suffix = if !rest.is_empty() {
        rest
    } else if let Some(n) = ws.get(1) {
        used = 2;
        n
    } else {
        ""
    };
    match suffix {
        "pm" | "p" => {
            if h < 12 {
                h += 12
            }
        }
        "am" | "a" => {
            if h == 12 {
                h = 0
            }
        }
        "oclock" => {}
        _ => {
            used = 1;
            if !rest.is_empty() {
                return None;
            }
            if h < 8 {
                h += 12
            }
        }
    }
    (0..24).contains(&h).then_some(((h, 0), used))
}

/// Parse a deadline at word `i`: returns (due, words used).
fn parse_due(ws: &[&str], i: usize) -> Option<(Due, usize)> {
    let w = |k: usize| ws.get(i + k).copied().unwrap_or("");
    match w(0) {
        "tomorrow" => {
            if let Some(p) = part_of_day(w(1)) {
                return Some((Due::DayAt(1, p.0, p.1), 2));
            }
            if matches!(w(1), "before" | "by" | "at") {
                if let Some((t, n)) = time_at(&ws[(i + 2).min(ws.len())..]) {
                    return Some((Due::DayAt(1, t.0, t.1), 2 + n));
                }
            }
            Some((Due::DayAt(1, 17, 0), 1))
        }
        "today" => Some((Due::EndOfDay(0), 1)),
        "tonight" => Some((Due::DayAt(0, 21, 0), 1)),
        "by" | "before" | "until" | "on" | "end" | "close" => {
            let mut k = if matches!(w(0), "end" | "close") {
                0
            } else {
                1
            };
            if w(k) == "the" {
                k += 1;
            }
            if matches!(w(k), "end" | "close") && w(k + 1) == "of" {
                let mut j = k + 2;
                if matches!(w(j), "the" | "this") {
                    j += 1;
                }
                let what = w(j);
                if matches!(what, "day" | "business") {
                    let j2 = if what == "business" && w(j + 1) == "day" {
                        j + 1
                    } else {
                        j
                    };
                    if let Some(d) = weekday(w(j2 + 1)) {
                        return Some((Due::Weekday(d, 17, 0), j2 + 2));
                    }
                    if w(j2 + 1) == "tomorrow" {
                        return Some((Due::DayAt(1, 17, 0), j2 + 2));
                    }
                    // "by end of day today" is one deadline, not two.
                    if w(j2 + 1) == "today" {
                        return Some((Due::EndOfDay(0), j2 + 2));
                    }
                    return Some((Due::EndOfDay(0), j2 + 1));
                }
                if what == "week" {
                    return Some((Due::EndOfWeek, j + 1));
                }
                if what == "month" {
                    return Some((Due::EndOfMonth, j + 1));
                }
                return None;
            }
            if matches!(w(k), "eod" | "cob") {
                let today = usize::from(w(k + 1) == "today");
                return Some((Due::EndOfDay(0), k + 1 + today));
            }
            if let Some(d) = weekday(w(k)) {
                if let Some(p) = part_of_day(w(k + 1)) {
                    return Some((Due::Weekday(d, p.0, p.1), k + 2));
                }
                return Some((Due::Weekday(d, 17, 0), k + 1));
            }
            if w(k) == "tomorrow" {
                let (d, n) = parse_due(ws, i + k)?;
                return Some((d, k + n));
            }
            if w(0) == "by" || w(0) == "before" {
                if let Some((t, n)) = time_at(&ws[(i + k).min(ws.len())..]) {
                    // "by 5pm" only with an explicit am/pm or oclock
                    if n >= 1 && (ws[i + k].ends_with("pm") || ws[i + k].ends_with("am") || n == 2)
                    {
                        return Some((Due::DayAt(0, t.0, t.1), k + n));
                    }
                }
            }
            None
        }
        "in" | "within" => {
            let mut k = 1;
            if w(k) == "the" && matches!(w(k + 1), "next" | "coming") {
                k += 2;
            } else if matches!(w(k), "next" | "the") {
                k += 1;
            }
            let mut n = num(w(k))?;
            k += 1;
            // "forty eight", "three to five"
            if let Some(u) = num(w(k)) {
                if n >= 20 && u < 10 {
                    n += u;
                    k += 1;
                }
            }
            if matches!(w(k), "to" | "or") {
                if let Some(m) = num(w(k + 1)) {
                    n = n.max(m);
                    k += 2;
                }
            }
            let business = matches!(w(k), "business" | "working");
            if business {
                k += 1;
            }
            match w(k) {
                "hours" | "hour" | "hrs" => Some((Due::Hours(n), k + 1)),
                "days" | "day" => {
                    if business {
                        Some((Due::BusinessDays(n), k + 1))
                    } else {
                        Some((Due::Hours(24 * n), k + 1))
                    }
                }
                "weeks" | "week" => Some((Due::Hours(24 * 7 * n), k + 1)),
                "minutes" | "mins" | "minute" => Some((Due::Hours(0), k + 1)).filter(|_| false),
                _ => None,
            }
        }
        "next" => match w(1) {
            "week" => Some((Due::Weekday(Weekday::Friday, 17, 0), 2)),
            d => weekday(d).map(|d| (Due::Weekday(d, 17, 0), 2)),
        },
        _ => None,
    }
}

fn at(date: Date, h: i8, m: i8, tz: &TimeZone) -> Option<Zoned> {
    date.to_datetime(Time::new(h, m, 0, 0).ok()?)
        .to_zoned(tz.clone())
        .ok()
}

fn resolve(due: Due, start: &Zoned) -> Option<Zoned> {
    let tz = start.time_zone();
    let today = start.date();
    match due {
        Due::DayAt(off, h, m) => at(today.checked_add(off.days()).ok()?, h, m, tz),
        Due::EndOfDay(off) => {
            let d = today.checked_add(off.days()).ok()?;
            if off == 0 && start.hour() >= 17 {
                at(d, 23, 59, tz)
            } else {
                at(d, 17, 0, tz)
            }
        }
        Due::Weekday(wd, h, m) => {
            let mut d = today;
            for _ in 0..8 {
                if d.weekday() == wd {
                    let z = at(d, h, m, tz)?;
                    if z > *start {
                        return Some(z);
                    }
                }
                d = d.tomorrow().ok()?;
            }
            None
        }
        Due::Hours(n) => start.checked_add(n.hours()).ok(),
        Due::BusinessDays(n) => {
            let mut d = today;
            let mut left = n;
            while left > 0 {
                d = d.tomorrow().ok()?;
                if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                    left -= 1;
                }
            }
            at(d, 17, 0, tz)
        }
        Due::EndOfWeek => resolve(Due::Weekday(Weekday::Friday, 17, 0), start),
        Due::EndOfMonth => at(today.last_of_month(), 17, 0, tz),
    }
}

/// The time zone of an interaction (bundled database; UTC when unknown).
pub fn zone(name: Option<&str>) -> TimeZone {
    name.and_then(|n| jiff::tz::TimeZoneDatabase::bundled().get(n).ok())
        .unwrap_or(TimeZone::UTC)
}

/// Extract commitments of one agent turn (already normalised into `n`).
pub fn extract(
    inter: &Interaction,
    turn: usize,
    n: &Norm,
    words: &mut Vec<&'static str>,
    out: &mut Vec<Commitment>,
    start: &Zoned,
) {
    let _ = words;
    if inter.turns[turn].speaker != Speaker::Agent {
        return;
    }
    let text = &inter.turns[turn].text;
    let ws: Vec<&str> = (0..n.len()).map(|i| n.word_at(i)).collect();
    let mut i = 0;
    while i < ws.len() {
        let Some((due, used)) = parse_due(&ws, i) else {
            i += 1;
            continue;
        };
        // The nearest promise cue earlier in the same sentence (ASR text has no
        // sentences, so at most 14 words back). "well" counts only when it was
        // written "we'll" (normalisation drops the apostrophe).
        let sent = n.sentence(i);
        let mut cue_at = None;
        let mut k = i;
        while k > 0 && n.sentence(k - 1) == sent && i - k < 14 {
            k -= 1;
            let is_cue = CUES.iter().any(|c| {
                c.len() == 1 && c[0] == ws[k]
                    || c.len() == 2 && k + 1 < ws.len() && c[0] == ws[k] && c[1] == ws[k + 1]
            });
            let apostrophe_well = ws[k] != "well"
                || text
                    .get(n.orig_start(k)..n.orig_end(k))
                    .is_some_and(|o| o.contains(['\'', '\u{2019}']));
            if is_cue && apostrophe_well {
                cue_at = Some(k);
                break;
            }
        }
        let cue = cue_at.is_some();
        // Not a promise: negated ("I can't … by Friday"), or about an offer
        // ("the promotion runs until the end of the month").
        let from = cue_at.map_or(i, |c| c.saturating_sub(2));
        let neg = (from..i).any(|j| {
            matches!(
                ws[j],
                "cant" | "cannot" | "wont" | "not" | "runs" | "expires" | "ends" | "offer"
            )
        });
        if cue && !neg {
            if let Some(z) = resolve(due, start) {
                let (ds, de) = (n.orig_start(i), n.orig_end(i + used - 1));
                let (ss, se) = n.sentence_bounds(sent);
                out.push(Commitment {
                    turn,
                    text: text.get(ss..se).unwrap_or("").trim().to_string(),
                    due: z.timestamp().to_string(),
                    due_phrase: text.get(ds..de).unwrap_or("").to_string(),
                    due_start: ds,
                    due_end: de,
                });
            }
        }
        i += used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(s: &str, start: &str, tz: &str) -> Option<String> {
        let ws: Vec<&str> = s.split(' ').collect();
        let (d, _) = parse_due(&ws, 0)?;
        let z = start
            .parse::<jiff::Timestamp>()
            .ok()?
            .to_zoned(zone(Some(tz)));
        resolve(d, &z).map(|z| z.timestamp().to_string())
    }

    #[test]
    fn deadlines() {
        // Friday 2026-11-20 14:03 UTC
        let s = "2026-11-20T14:03:00Z";
        assert_eq!(
            due("tomorrow before 5pm", s, "UTC").as_deref(),
            Some("2026-11-21T17:00:00Z")
        );
        assert_eq!(
            due("within 5 business days", s, "UTC").as_deref(),
            Some("2026-11-27T17:00:00Z")
        );
        assert_eq!(
            due("within 3 to 5 business days", s, "UTC").as_deref(),
            Some("2026-11-27T17:00:00Z")
        );
        assert_eq!(
            due("in the next 48 hours", s, "UTC").as_deref(),
            Some("2026-11-22T14:03:00Z")
        );
        assert_eq!(
            due("by monday morning", s, "UTC").as_deref(),
            Some("2026-11-23T12:00:00Z")
        );
        assert_eq!(
            due("by the end of the day", s, "America/New_York").as_deref(),
            Some("2026-11-20T22:00:00Z")
        );
        assert_eq!(
            due("by end of day friday", s, "UTC").as_deref(),
            Some("2026-11-20T17:00:00Z")
        );
    }

    #[test]
    fn one_promise_with_a_repeated_day_is_one_commitment() {
        let engine = crate::Engine::default_engine().unwrap();
        for text in [
            "I will send you the form by end of day today.",
            "I'll send it by EOD today.",
        ] {
            let inter: Interaction = serde_json::from_value(serde_json::json!({
                "id": "c", "channel": "chat", "agent_id": "a", "started_at": "2026-11-20T09:00:00Z",
                "turns": [{"speaker": "agent", "text": text}]
            }))
            .unwrap();
            let f = engine.scan(&inter);
            assert_eq!(f.commitments.len(), 1, "{text}: {:?}", f.commitments);
            assert_eq!(f.commitments[0].due, "2026-11-20T17:00:00Z");
        }
    }
}
