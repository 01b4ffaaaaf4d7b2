//! Policies and attestation: the rules, without I/O.
//!
//! A policy (the code of ethics is one) is a series of versions. A version is written as
//! a draft, submitted for review, approved by someone who did not write it (four eyes:
//! [`may_approve`]), and published; publishing supersedes the previous published
//! version, and retiring the policy retires its published version ([`Status::next`]).
//! Each version is marked [`Kind::Material`] or [`Kind::Editorial`]: only a material
//! version opens an attestation cycle, in which everyone in the policy's audience must
//! read it, pass its comprehension quiz and attest within the policy's days.
//!
//! *Clauses.* What changed is shown clause by clause ([`clauses`], [`diff`]): a clause is
//! a headed section (a Markdown heading and the text under it) or a numbered paragraph
//! such as `3.2 Gifts over …`. A clause is matched across versions by its heading with
//! any leading numbering removed (renumbering a section is not a change of it) or by its
//! paragraph number.
//!
//! *Evidence.* An attestation records the SHA-256 of the exact published Markdown
//! ([`version_hash`]), so what a person attested can be proven later against the stored
//! text.
//!
//! *Quiz.* Officers write the questions as text ([`parse_quiz`]): `?` starts a question,
//! `+` marks the right answer and `-` a wrong one. [`score`] grades an attempt against
//! the policy's pass mark.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Default pass mark of the comprehension quiz, in per cent.
pub const DEFAULT_PASS_MARK: u32 = 80;
/// Default days to attest after a material version is published.
pub const DEFAULT_ATTEST_DAYS: u32 = 30;
/// Longest policy text, in characters.
pub const MAX_BODY: usize = 100_000;
/// Most questions in one quiz.
pub const MAX_QUESTIONS: usize = 20;
/// A question is flagged as unclear when at least this share of answers to it were
/// wrong, over at least [`FLAG_MIN_ANSWERS`] answers.
pub const FLAG_RATE: f64 = 0.4;
pub const FLAG_MIN_ANSWERS: i64 = 5;
/// Reminders (to the person) and escalations (to their lead) repeat at most this often.
pub const REMIND_EVERY: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Whether a new version needs everyone to attest again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Changes what people must do: opens attestation.
    Material,
    /// Wording, typos, links: publishes without reopening attestation.
    Editorial,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "material" => Some(Self::Material),
            "editorial" => Some(Self::Editorial),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Material => "material",
            Self::Editorial => "editorial",
        }
    }
}

/// The life of a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Approved,
    Published,
    /// A later version was published.
    Superseded,
    /// The policy was retired while this version was published.
    Retired,
}

/// What an officer does to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Approve,
    /// Send back to draft (from review or approval), with a note.
    Return,
    Publish,
    Supersede,
    Retire,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Submit => "submitted",
            Step::Approve => "approved",
            Step::Return => "returned",
            Step::Publish => "published",
            Step::Supersede => "superseded",
            Step::Retire => "retired",
        }
    }
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::InReview,
        Status::Approved,
        Status::Published,
        Status::Superseded,
        Status::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Approved => "approved",
            Status::Published => "published",
            Status::Superseded => "superseded",
            Status::Retired => "retired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "awaiting approval",
            Status::Approved => "approved, not yet published",
            Status::Published => "published",
            Status::Superseded => "superseded",
            Status::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the text and quiz may still be edited.
    pub fn editable(self) -> bool {
        self == Status::Draft
    }

    /// The status after `step`, or why the step does not apply.
    pub fn next(self, step: Step) -> Result<Status, String> {
        use Status::*;
        match (self, step) {
            (Draft, Step::Submit) => Ok(InReview),
            (InReview, Step::Approve) => Ok(Approved),
            (InReview | Approved, Step::Return) => Ok(Draft),
            (Approved, Step::Publish) => Ok(Published),
            (Published, Step::Supersede) => Ok(Superseded),
            (Published, Step::Retire) => Ok(Retired),
            (s, step) => Err(format!(
                "a version that is {} cannot be {}",
                s.label(),
                step.as_str()
            )),
        }
    }
}

/// Four eyes: the approver must not have written or edited the version.
pub fn may_approve(approver: &str, contributors: &[String]) -> Result<(), String> {
    if contributors.iter().any(|c| c == approver) {
        Err("you wrote or edited this version; another officer must approve it".into())
    } else {
        Ok(())
    }
}

/// SHA-256 of the exact published text, lower-case hex: the version hash of the evidence.
pub fn version_hash(body: &str) -> String {
    let d = Sha256::digest(body.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// When a cycle opened at `from` must be attested by.
pub fn due(from: Timestamp, days: u32) -> Timestamp {
    from.checked_add(SignedDuration::from_hours(i64::from(days) * 24))
        .unwrap_or(from)
}

pub fn is_overdue(due: Timestamp, now: Timestamp) -> bool {
    due <= now
}

/// Is a reminder (or escalation) due, given when the last one went out?
pub fn reminder_due(last: Option<Timestamp>, now: Timestamp) -> bool {
    match last {
        None => true,
        Some(l) => l.checked_add(REMIND_EVERY).is_ok_and(|next| next <= now),
    }
}

/// A policy's settings as an officer enters them, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub title: String,
    pub attest_days: u32,
    pub pass_mark: u32,
}

/// Checks the settings form; errors name the field.
pub fn check_settings(title: &str, attest_days: &str, pass_mark: &str) -> Result<Settings, String> {
    let title = title.trim();
    if title.is_empty() {
        return Err("field `title`: is required".into());
    }
    if title.chars().count() > 200 {
        return Err("field `title`: is longer than 200 characters".into());
    }
    let attest_days: u32 = attest_days
        .trim()
        .parse()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .ok_or("field `attest_days`: expected a whole number of days from 1 to 365")?;
    let pass_mark: u32 = pass_mark
        .trim()
        .trim_end_matches('%')
        .parse()
        .ok()
        .filter(|p| (1..=100).contains(p))
        .ok_or("field `pass_mark`: expected a percentage from 1 to 100")?;
    Ok(Settings {
        title: title.to_owned(),
        attest_days,
        pass_mark,
    })
}

/// Checks a version's text and change summary; errors name the field.
pub fn check_text(body: &str, summary: &str) -> Result<(), String> {
    if body.trim().is_empty() {
        return Err("field `body`: is required".into());
    }
    if body.chars().count() > MAX_BODY {
        return Err(format!(
            "field `body`: is longer than {MAX_BODY} characters"
        ));
    }
    if summary.chars().count() > 1000 {
        return Err("field `summary`: is longer than 1000 characters".into());
    }
    Ok(())
}

/// The URL-friendly key of a title: `Code of Ethics` → `code-of-ethics`.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_owned();
    if s.is_empty() {
        "policy".into()
    } else {
        s.chars().take(60).collect()
    }
}

// ------------------------------------------------------------------ clauses and diff

/// One clause of a policy: a headed section or a numbered paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clause {
    /// How the clause is matched across versions.
    pub key: String,
    /// What a reader calls it: the heading, or `3.2`.
    pub title: String,
    /// Its Markdown, heading line included.
    pub text: String,
}

/// `3.2`, `3.2.`, `4.1.1` at the start of a line: a numbered paragraph's number.
fn clause_number(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let end = t
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
        .map(|(i, _)| i)?;
    let num = t[..end].trim_end_matches('.');
    let ok = num.contains('.')
        && num.split('.').all(|p| !p.is_empty() && p.len() <= 4)
        && t[end..].starts_with(' ');
    ok.then_some(num)
}

fn heading_key(text: &str) -> String {
    let stripped =
        text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')' || c == ' ');
    let base = if stripped.is_empty() { text } else { stripped };
    base.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Splits a document into its clauses, in order. Text before the first heading is the
/// clause "Introduction". Duplicate keys get `#2`, `#3` so each clause is matched once.
pub fn clauses(body: &str) -> Vec<Clause> {
    let mut out: Vec<Clause> = Vec::new();
    let mut cur = Clause {
        key: "introduction".into(),
        title: "Introduction".into(),
        text: String::new(),
    };
    let mut in_code = false;
    for line in body.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_code = !in_code;
        }
        let start = if in_code {
            None
        } else if let Some((_, h)) = crate::markdown::heading(line) {
            Some((heading_key(h), h.to_owned()))
        } else {
            clause_number(line).map(|n| (format!("§{n}"), n.to_owned()))
        };
        if let Some((key, title)) = start {
            let done = std::mem::replace(
                &mut cur,
                Clause {
                    key,
                    title,
                    text: String::new(),
                },
            );
            if !done.text.trim().is_empty() {
                out.push(done);
            }
        }
        cur.text.push_str(line);
        cur.text.push('\n');
    }
    if !cur.text.trim().is_empty() {
        out.push(cur);
    }
    for c in &mut out {
        c.text = c.text.trim().to_owned();
    }
    let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
    for c in &mut out {
        let n = seen.entry(c.key.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            c.key = format!("{}#{}", c.key, n);
        }
    }
    out
}

/// What happened to a clause between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One clause of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClauseDiff {
    pub change: Change,
    pub title: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

fn normalized(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Compares two documents clause by clause, in the new document's order with removed
/// clauses placed after the clause that preceded them. With no old document, every
/// clause is added (a first attestation reads everything).
pub fn diff(old: Option<&str>, new: &str) -> Vec<ClauseDiff> {
    let new_c = clauses(new);
    let Some(old) = old else {
        return new_c
            .into_iter()
            .map(|c| ClauseDiff {
                change: Change::Added,
                title: c.title,
                old: None,
                new: Some(c.text),
            })
            .collect();
    };
    let old_c = clauses(old);
    let mut out = Vec::new();
    // Removed clauses that sat before the first surviving one come first.
    let survives = |k: &str| new_c.iter().any(|n| n.key == k);
    let mut old_iter = old_c.iter().peekable();
    while let Some(o) = old_iter.peek() {
        if survives(&o.key) {
            break;
        }
        out.push(removed(o));
        old_iter.next();
    }
    for n in &new_c {
        match old_c.iter().position(|o| o.key == n.key) {
            None => out.push(ClauseDiff {
                change: Change::Added,
                title: n.title.clone(),
                old: None,
                new: Some(n.text.clone()),
            }),
            Some(i) => {
                let o = &old_c[i];
                let change = if normalized(&o.text) == normalized(&n.text) {
                    Change::Unchanged
                } else {
                    Change::Changed
                };
                out.push(ClauseDiff {
                    change,
                    title: n.title.clone(),
                    old: Some(o.text.clone()),
                    new: Some(n.text.clone()),
                });
                // Old clauses right after this one that are gone follow it.
                for gone in old_c[i + 1..].iter().take_while(|g| !survives(&g.key)) {
                    out.push(removed(gone));
                }
            }
        }
    }
    out
}

fn removed(o: &Clause) -> ClauseDiff {
    ClauseDiff {
        change: Change::Removed,
        title: o.title.clone(),
        old: Some(o.text.clone()),
        new: None,
    }
}

/// A piece of a word-level comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Words {
    Same(String),
    Deleted(String),
    Inserted(String),
}

/// Word-level comparison of a changed clause (longest common subsequence). Very long
/// clauses fall back to "all deleted, all inserted" to bound the work.
pub fn word_diff(old: &str, new: &str) -> Vec<Words> {
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        return vec![Words::Deleted(a.join(" ")), Words::Inserted(b.join(" "))];
    }
    let (n, m) = (a.len(), b.len());
    let mut l = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let mut out: Vec<Words> = Vec::new();
    let mut push = |w: Words| {
        match (out.last_mut(), &w) {
            (Some(Words::Same(s)), Words::Same(t))
            | (Some(Words::Deleted(s)), Words::Deleted(t))
            | (Some(Words::Inserted(s)), Words::Inserted(t)) => {
                s.push(' ');
                s.push_str(t);
                return;
            }
            _ => {}
        }
        out.push(w);
    };
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            push(Words::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || l[i + 1][j] >= l[i][j + 1]) {
            push(Words::Deleted(a[i].to_owned()));
            i += 1;
        } else {
            push(Words::Inserted(b[j].to_owned()));
            j += 1;
        }
    }
    out
}

// ----------------------------------------------------------------------------- quiz

/// A multiple-choice question with one right answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// Index of the right choice.
    pub correct: usize,
}

/// Parses the quiz as officers write it. An empty text is no quiz. Errors name the line.
pub fn parse_quiz(src: &str) -> Result<Vec<Question>, String> {
    struct Open {
        line: usize,
        prompt: String,
        choices: Vec<String>,
        correct: Vec<usize>,
    }
    let finish = |q: Open| -> Result<Question, String> {
        if q.choices.len() < 2 || q.choices.len() > 6 {
            return Err(format!(
                "quiz, line {}: a question needs 2 to 6 answers (`+` right, `-` wrong), this one has {}",
                q.line,
                q.choices.len()
            ));
        }
        match q.correct.as_slice() {
            [c] => Ok(Question {
                prompt: q.prompt,
                choices: q.choices,
                correct: *c,
            }),
            [] => Err(format!(
                "quiz, line {}: mark the right answer with `+`",
                q.line
            )),
            _ => Err(format!(
                "quiz, line {}: only one answer may be marked right with `+`",
                q.line
            )),
        }
    };
    let mut out = Vec::new();
    let mut cur: Option<Open> = None;
    for (n, raw) in src.lines().enumerate() {
        let line = n + 1;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        let (marker, rest) = t.split_at(t.chars().next().map_or(0, char::len_utf8));
        let rest = rest.trim();
        match marker {
            "?" => {
                if let Some(q) = cur.take() {
                    out.push(finish(q)?);
                }
                if rest.is_empty() {
                    return Err(format!("quiz, line {line}: the question is empty"));
                }
                if rest.chars().count() > 500 {
                    return Err(format!(
                        "quiz, line {line}: a question is at most 500 characters"
                    ));
                }
                cur = Some(Open {
                    line,
                    prompt: rest.to_owned(),
                    choices: Vec::new(),
                    correct: Vec::new(),
                });
            }
            "+" | "-" => {
                let Some(q) = cur.as_mut() else {
                    return Err(format!(
                        "quiz, line {line}: an answer before any question (start a question with `?`)"
                    ));
                };
                if rest.is_empty() {
                    return Err(format!("quiz, line {line}: the answer is empty"));
                }
                if rest.chars().count() > 300 {
                    return Err(format!(
                        "quiz, line {line}: an answer is at most 300 characters"
                    ));
                }
                if marker == "+" {
                    q.correct.push(q.choices.len());
                }
                q.choices.push(rest.to_owned());
            }
            _ => {
                return Err(format!(
                    "quiz, line {line}: start the line with `?` (question), `+` (right answer) or `-` (wrong answer)"
                ))
            }
        }
    }
    if let Some(q) = cur.take() {
        out.push(finish(q)?);
    }
    if out.len() > MAX_QUESTIONS {
        return Err(format!(
            "quiz: at most {MAX_QUESTIONS} questions, this one has {}",
            out.len()
        ));
    }
    Ok(out)
}

/// The quiz as officers edit it (the inverse of [`parse_quiz`]).
pub fn format_quiz(qs: &[Question]) -> String {
    let mut s = String::new();
    for q in qs {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(&format!("? {}\n", q.prompt));
        for (i, c) in q.choices.iter().enumerate() {
            let m = if i == q.correct { '+' } else { '-' };
            s.push_str(&format!("{m} {c}\n"));
        }
    }
    s
}

/// A graded attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    pub correct: u32,
    pub total: u32,
    /// Per cent, rounded down; 100 for a version without a quiz.
    pub percent: u32,
    pub passed: bool,
    /// Whether each question was answered right, in order.
    pub per_question: Vec<bool>,
}

/// Grades `answers` (the chosen index per question; `None` = unanswered, which is
/// wrong). Errors name the question whose answer is out of range or missing.
pub fn score(qs: &[Question], answers: &[Option<usize>], pass_mark: u32) -> Result<Score, String> {
    if answers.len() > qs.len() {
        return Err(format!(
            "field `answers`: {} answers for {} questions",
            answers.len(),
            qs.len()
        ));
    }
    let mut per_question = Vec::with_capacity(qs.len());
    for (i, q) in qs.iter().enumerate() {
        let a = answers.get(i).copied().flatten();
        if let Some(a) = a {
            if a >= q.choices.len() {
                return Err(format!(
                    "field `q{}`: there is no answer {} (the question has {})",
                    i + 1,
                    a + 1,
                    q.choices.len()
                ));
            }
        }
        per_question.push(a == Some(q.correct));
    }
    let total = u32::try_from(qs.len()).unwrap_or(u32::MAX);
    let correct = u32::try_from(per_question.iter().filter(|c| **c).count()).unwrap_or(0);
    let percent = (correct * 100).checked_div(total).unwrap_or(100);
    Ok(Score {
        correct,
        total,
        percent,
        passed: percent >= pass_mark,
        per_question,
    })
}

/// Is a question's failure rate high enough to flag its policy text as unclear?
pub fn flagged(answers: i64, wrong: i64) -> bool {
    answers >= FLAG_MIN_ANSWERS && (wrong as f64) >= FLAG_RATE * (answers as f64)
}

// -------------------------------------------------------------------------- reports

/// One assignment as reports see it.
#[derive(Debug, Clone)]
pub struct Assignee {
    pub team: String,
    pub site: String,
    pub roles: Vec<String>,
    pub due_at: Timestamp,
    pub attested_at: Option<Timestamp>,
}

/// Coverage of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub group: String,
    pub assigned: u32,
    pub attested: u32,
    pub overdue: u32,
    /// Per cent attested, rounded down.
    pub percent: u32,
}

/// Coverage by the groups `key` gives each assignee (a person with two roles counts in
/// both), sorted by group name; the first row is the total.
pub fn coverage(
    rows: &[Assignee],
    now: Timestamp,
    key: impl Fn(&Assignee) -> Vec<String>,
) -> Vec<Coverage> {
    let mut groups: std::collections::BTreeMap<String, Coverage> = Default::default();
    let mut total = Coverage {
        group: "All".into(),
        ..Default::default()
    };
    let add = |c: &mut Coverage, r: &Assignee| {
        c.assigned += 1;
        match r.attested_at {
            Some(_) => c.attested += 1,
            None if is_overdue(r.due_at, now) => c.overdue += 1,
            None => {}
        }
    };
    for r in rows {
        add(&mut total, r);
        for g in key(r) {
            let c = groups.entry(g.clone()).or_insert_with(|| Coverage {
                group: g,
                ..Default::default()
            });
            add(c, r);
        }
    }
    let mut out = vec![total];
    out.extend(groups.into_values());
    for c in &mut out {
        c.percent = (c.attested * 100).checked_div(c.assigned).unwrap_or(0);
    }
    out
}

/// Share attested over time, from the cycle's start to `now`: at most 60 points, a day
/// apart or evenly spread over longer cycles, the last one at `now`:
/// (day, attested by then, assigned).
pub fn trend(rows: &[Assignee], from: Timestamp, now: Timestamp) -> Vec<(String, u32, u32)> {
    let span_days = now.duration_since(from).as_hours().max(0) / 24 + 1;
    let step = SignedDuration::from_hours(24 * ((span_days + 59) / 60).max(1));
    let mut points = Vec::new();
    let mut t = from;
    while t < now {
        t = t.checked_add(step).unwrap_or(now).min(now);
        let attested = rows
            .iter()
            .filter(|r| r.attested_at.is_some_and(|a| a <= t))
            .count();
        points.push((
            t.strftime("%Y-%m-%d").to_string(),
            u32::try_from(attested).unwrap_or(0),
            u32::try_from(rows.len()).unwrap_or(0),
        ));
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "Intro line.\n\n## 1. Honesty\nTell the truth.\n\n## 2. Gifts\nNo gifts over 50.\n\n## 3. Old rule\nGone soon.\n";
    const V2: &str = "Intro line.\n\n## 1. Honesty\nTell the truth.\n\n## 2. Gifts\nNo gifts over 25.\n\n## 3. Speaking up\nReport concerns.\n";

    #[test]
    fn clauses_are_sections_and_numbered_paragraphs() {
        let c = clauses("Preface.\n# Code\n## 1. Honesty\nBe honest.\n3.1 Gifts are declared.\n3.2 Hospitality too.\n");
        let keys: Vec<&str> = c.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["introduction", "code", "honesty", "§3.1", "§3.2"]);
        assert_eq!(c[2].text, "## 1. Honesty\nBe honest.");
    }

    #[test]
    fn diff_names_added_removed_and_changed_clauses() {
        let d = diff(Some(V1), V2);
        let got: Vec<(&str, &str)> = d
            .iter()
            .map(|c| (c.change.as_str(), c.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("unchanged", "Introduction"),
                ("unchanged", "1. Honesty"),
                ("changed", "2. Gifts"),
                ("removed", "3. Old rule"),
                ("added", "3. Speaking up"),
            ]
        );
        // Renumbering a section is not a change of it.
        let renumbered = V1.replace("## 2. Gifts", "## 4. Gifts");
        assert!(diff(Some(V1), &renumbered)
            .iter()
            .all(|c| c.change == Change::Unchanged || c.title.contains("Gifts")));
        // A first attestation reads everything.
        assert!(diff(None, V2).iter().all(|c| c.change == Change::Added));
    }

    #[test]
    fn word_diff_marks_the_changed_words() {
        assert_eq!(
            word_diff("No gifts over 50.", "No gifts over 25."),
            vec![
                Words::Same("No gifts over".into()),
                Words::Deleted("50.".into()),
                Words::Inserted("25.".into()),
            ]
        );
    }

    #[test]
    fn quiz_round_trips_and_errors_name_the_line() {
        let src = "? What do you do with a gift over the limit?\n- Keep it\n+ Declare it\n\n? Who may you speak up to?\n+ Anyone listed\n- Nobody\n";
        let q = parse_quiz(src).unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].correct, 1);
        assert_eq!(parse_quiz(&format_quiz(&q)).unwrap(), q);
        assert!(parse_quiz("").unwrap().is_empty());
        let e = parse_quiz("? A\n- x\n- y\n").unwrap_err();
        assert!(e.contains("line 1") && e.contains('+'), "{e}");
        let e = parse_quiz("? A\n+ x\n- y\nno marker\n").unwrap_err();
        assert!(e.starts_with("quiz, line 4"), "{e}");
        let e = parse_quiz("+ x\n").unwrap_err();
        assert!(
            e.contains("line 1") && e.contains("before any question"),
            "{e}"
        );
        let e = parse_quiz("? A\n+ x\n").unwrap_err();
        assert!(e.contains("2 to 6"), "{e}");
    }

    #[test]
    fn scoring_against_the_pass_mark() {
        let q = parse_quiz(
            "? A\n+ a\n- b\n? B\n- a\n+ b\n? C\n+ a\n- b\n? D\n+ a\n- b\n? E\n+ a\n- b\n",
        )
        .unwrap();
        let s = score(&q, &[Some(0), Some(1), Some(0), Some(0), Some(1)], 80).unwrap();
        assert_eq!((s.correct, s.total, s.percent, s.passed), (4, 5, 80, true));
        let s = score(&q, &[Some(0), Some(0), Some(0), None], 80).unwrap();
        assert_eq!((s.percent, s.passed), (40, false));
        assert_eq!(s.per_question, [true, false, true, false, false]);
        let e = score(&q, &[Some(7)], 80).unwrap_err();
        assert!(e.contains("q1"), "{e}");
        assert!(score(&[], &[], 80).unwrap().passed);
    }

    #[test]
    fn four_eyes_and_the_life_of_a_version() {
        assert!(may_approve("bea", &["ana".into()]).is_ok());
        assert!(may_approve("ana", &["ana".into(), "carl".into()]).is_err());
        assert_eq!(Status::Draft.next(Step::Submit), Ok(Status::InReview));
        assert_eq!(Status::InReview.next(Step::Approve), Ok(Status::Approved));
        assert_eq!(Status::Approved.next(Step::Publish), Ok(Status::Published));
        assert!(Status::Draft.next(Step::Publish).is_err());
        assert!(Status::InReview.next(Step::Publish).is_err());
        assert!(Status::Published.next(Step::Approve).is_err());
    }

    #[test]
    fn settings_errors_name_the_field() {
        assert!(check_settings("Code", "30", "80%").is_ok());
        assert!(check_settings(" ", "30", "80")
            .unwrap_err()
            .contains("`title`"));
        assert!(check_settings("C", "0", "80")
            .unwrap_err()
            .contains("`attest_days`"));
        assert!(check_settings("C", "30", "101")
            .unwrap_err()
            .contains("`pass_mark`"));
        assert_eq!(slug("Code of Ethics (2026)!"), "code-of-ethics-2026");
    }

    #[test]
    fn hash_is_sha256_of_the_text() {
        assert_eq!(
            version_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn coverage_and_flags() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let now = t("2026-11-20T00:00:00Z");
        let row = |team: &str, due: &str, at: Option<&str>| Assignee {
            team: team.into(),
            site: "Lisbon".into(),
            roles: vec!["Agent".into()],
            due_at: t(due),
            attested_at: at.map(t),
        };
        let rows = [
            row("A", "2026-11-30T00:00:00Z", Some("2026-11-10T00:00:00Z")),
            row("A", "2026-11-01T00:00:00Z", None),
            row("B", "2026-11-30T00:00:00Z", None),
        ];
        let c = coverage(&rows, now, |r| vec![r.team.clone()]);
        assert_eq!(c[0].group, "All");
        assert_eq!(
            (c[0].assigned, c[0].attested, c[0].overdue, c[0].percent),
            (3, 1, 1, 33)
        );
        assert_eq!((c[1].group.as_str(), c[1].percent), ("A", 50));
        let tr = trend(&rows, t("2026-11-01T00:00:00Z"), now);
        assert_eq!(tr.last().unwrap().1, 1);
        assert!(flagged(10, 4) && !flagged(10, 3) && !flagged(4, 4));
    }
}

/// The sample code of ethics every fresh installation starts with (officers adapt it
/// before publishing their own material version).
pub const SAMPLE_CODE_TITLE: &str = "Code of Ethics";
pub const SAMPLE_CODE: &str = include_str!("policies_seed/code_of_ethics.md");
/// Its comprehension quiz, in the [`parse_quiz`] format.
pub const SAMPLE_QUIZ: &str = include_str!("policies_seed/code_of_ethics_quiz.txt");

#[cfg(test)]
mod sample_tests {
    use super::*;

    #[test]
    fn the_sample_code_parses_into_its_sections_and_quiz() {
        let c = clauses(SAMPLE_CODE);
        for topic in [
            "honesty with customers",
            "respect",
            "confidentiality and data privacy",
            "fair treatment",
            "conflicts of interest",
            "speaking up and non-retaliation",
        ] {
            assert!(c.iter().any(|c| c.key == topic), "{topic}");
        }
        assert!(c.iter().any(|c| c.key == "§5.2"));
        assert_eq!(parse_quiz(SAMPLE_QUIZ).unwrap().len(), 5);
        assert!(!crate::markdown::render(SAMPLE_CODE).contains("&lt;"));
    }
}
