//! Completions exported by an external LMS, as CSV.
//!
//! The first line names the columns, in any order: `username`, `course` (the course
//! code; `course_code` is accepted too), `completed_at` (`YYYY-MM-DD`, taken as midnight
//! UTC, or an RFC 3339 timestamp) and optionally `score` (0–100, empty for none).
//! Quoted cells (`"a, b"`, `""` for a quote) are understood.
//!
//! **Per line, not all-or-nothing.** Each line is checked on its own; good lines are
//! imported and every bad one is reported by line number and field, so one typo in a
//! 2,000-line export never loses the other 1,999, and re-importing the corrected file
//! is harmless (a completion already recorded for the same person, course and time is
//! skipped, not doubled). Error messages name the line and field and never echo a cell.

use jiff::Timestamp;

/// One good line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// 1-based line number in the file.
    pub line: usize,
    pub username: String,
    pub course: String,
    pub completed_at: Timestamp,
    pub score: Option<i64>,
}

/// One refused line (or the header, line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Splits one CSV record (no embedded newlines).
pub(crate) fn cells(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && at_start {
            quoted = true;
            at_start = false;
        } else if c == ',' {
            out.push(std::mem::take(&mut cur));
            at_start = true;
        } else {
            cur.push(c);
            at_start = false;
        }
    }
    if quoted {
        return Err("a quoted cell is not closed".into());
    }
    out.push(cur);
    Ok(out.into_iter().map(|c| c.trim().to_owned()).collect())
}

fn parse_time(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let d: jiff::civil::Date = s.parse().ok()?;
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// Parses a whole file: the good lines and the errors, both in file order. A missing
/// required column is one error on line 1 and no good lines.
pub fn parse(text: &str, now: Timestamp) -> (Vec<ImportLine>, Vec<LineError>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate();
    let mut errors = Vec::new();
    let Some((_, header)) = lines.next() else {
        errors.push(LineError {
            line: 1,
            message: "the file is empty; expected a header: username,course,completed_at,score"
                .into(),
        });
        return (Vec::new(), errors);
    };
    let names = match cells(header) {
        Ok(c) => c
            .into_iter()
            .map(|c| c.to_ascii_lowercase())
            .collect::<Vec<_>>(),
        Err(e) => {
            errors.push(LineError {
                line: 1,
                message: e,
            });
            return (Vec::new(), errors);
        }
    };
    let col = |want: &[&str]| names.iter().position(|n| want.contains(&n.as_str()));
    let (Some(user_c), Some(course_c), Some(at_c)) = (
        col(&["username", "user"]),
        col(&["course", "course_code"]),
        col(&["completed_at", "completed"]),
    ) else {
        errors.push(LineError {
            line: 1,
            message: "header: the columns username, course and completed_at are required (score is optional)".into(),
        });
        return (Vec::new(), errors);
    };
    let score_c = col(&["score"]);
    let mut good = Vec::new();
    for (i, raw) in lines {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let err = |m: String| LineError {
            line: n,
            message: m,
        };
        let row = match cells(raw) {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(e));
                continue;
            }
        };
        let get = |c: usize| row.get(c).map(String::as_str).unwrap_or("");
        let username = get(user_c);
        if username.is_empty() {
            errors.push(err("field `username` is empty".into()));
            continue;
        }
        let course = get(course_c).to_ascii_lowercase();
        if course.is_empty() {
            errors.push(err("field `course` is empty".into()));
            continue;
        }
        let Some(completed_at) = parse_time(get(at_c)) else {
            errors.push(err(
                "field `completed_at`: expected a date (YYYY-MM-DD) or an RFC 3339 timestamp"
                    .into(),
            ));
            continue;
        };
        if completed_at > now {
            errors.push(err("field `completed_at` is in the future".into()));
            continue;
        }
        let score = match score_c.map(get).unwrap_or("") {
            "" => None,
            s => match s.trim_end_matches('%').parse::<f64>() {
                Ok(v) if (0.0..=100.0).contains(&v) => Some(v.floor() as i64),
                _ => {
                    errors.push(err("field `score`: expected a number from 0 to 100".into()));
                    continue;
                }
            },
        };
        good.push(ImportLine {
            line: n,
            username: username.to_owned(),
            course,
            completed_at,
            score,
        });
    }
    (good, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_survive_bad_ones_and_errors_name_line_and_field() {
        let now: Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
        let csv = "Username,Course_Code,Completed_At,Score\nana,DATA-PRIVACY,2026-01-05,92\n\"bob, jr\",data-privacy,yesterday,80\ncarl,conduct,2026-02-01T10:00:00Z,\ndee,conduct,2026-02-01,140\n,conduct,2026-02-01,1\n";
        let (good, errors) = parse(csv, now);
        assert_eq!(good.len(), 2);
        assert_eq!(good[0].course, "data-privacy");
        assert_eq!(good[0].score, Some(92));
        assert_eq!(good[1].line, 4);
        assert_eq!(good[1].score, None);
        let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs[0].starts_with("line 3: field `completed_at`"),
            "{msgs:?}"
        );
        assert!(msgs[1].starts_with("line 5: field `score`"), "{msgs:?}");
        assert!(msgs[2].starts_with("line 6: field `username`"), "{msgs:?}");
        assert!(!msgs
            .iter()
            .any(|m| m.contains("yesterday") || m.contains("bob")));
    }

    #[test]
    fn a_missing_column_is_one_header_error() {
        let (good, errors) = parse("user,score\nana,1\n", Timestamp::UNIX_EPOCH);
        assert!(good.is_empty());
        assert_eq!(errors[0].line, 1);
        assert!(parse("", Timestamp::UNIX_EPOCH).1[0]
            .message
            .contains("empty"));
    }
}
