//! The questions of a survey, the built-in ethics-climate instrument, answers, and the
//! redaction of comments.
//!
//! Every closed question must be answered (a skipped question would give each question
//! its own, smaller group of respondents, and those groups could be differenced); the
//! one free comment is optional. Questions that are not neutral say which answers are
//! *favourable* to the ethical climate, so each climate index is a plain "% favourable"
//! like Culture Amp's and Qualtrics' engagement indices.

use righttrack_scan::{redact, Engine, Interaction, RedactMode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 1 (strongly disagree) to 5 (strongly agree).
    Likert,
    /// Yes or no.
    YesNo,
    /// One of the question's options.
    Choice,
    /// Free text, optional, redacted before it is stored.
    Comment,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Likert => "likert",
            QuestionKind::YesNo => "yesno",
            QuestionKind::Choice => "choice",
            QuestionKind::Comment => "comment",
        }
    }
}

/// The Likert labels, 1 to 5.
pub const LIKERT: [&str; 5] = [
    "Strongly disagree",
    "Disagree",
    "Neither agree nor disagree",
    "Agree",
    "Strongly agree",
];

/// The climate indices of the built-in instrument: (key, name, what favourable means).
pub const INDICES: [(&str, &str, &str); 5] = [
    (
        "pressure",
        "Free of pressure to bend rules",
        "no pressure to cut ethical corners to meet targets",
    ),
    (
        "misconduct",
        "Misconduct seen and reported",
        "no misconduct seen; when seen, it was reported",
    ),
    (
        "retaliation",
        "Safe to speak up",
        "no fear of retaliation for raising a concern",
    ),
    (
        "trust",
        "Trust in managers",
        "managers act on concerns and lead by example",
    ),
    (
        "awareness",
        "Speak-up awareness",
        "people know how to raise a concern, anonymously too",
    ),
];

/// The name of a climate index key ("trust" → "Trust in managers").
pub fn index_name(key: &str) -> &str {
    INDICES
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, n, _)| n)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Stable within a survey: `b_…` built-in, `c1`, `c2`, … custom.
    pub key: String,
    pub text: String,
    pub kind: QuestionKind,
    /// The options of a choice question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Agreement (Likert 4–5) or "yes" is *un*favourable ("I felt pressure to …").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
    /// For a choice question: the favourable options. Options in neither list are
    /// unfavourable, unless listed in `neutral`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub favourable: Vec<String>,
    /// For a choice question: options that do not count for or against ("I did not see
    /// any misconduct" for "did you report it?").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub neutral: Vec<String>,
    /// The climate index the question counts towards ([`INDICES`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

fn q(key: &str, text: &str, kind: QuestionKind, index: &str) -> Question {
    Question {
        key: key.into(),
        text: text.into(),
        kind,
        options: vec![],
        reverse: false,
        favourable: vec![],
        neutral: vec![],
        index: (!index.is_empty()).then(|| index.into()),
    }
}

/// The built-in instrument: two or three questions per climate index and a comment.
pub fn builtin() -> Vec<Question> {
    use QuestionKind::*;
    vec![
        Question {
            reverse: true,
            ..q(
                "b_pressure",
                "In the last 12 months I felt pressure to bend our rules to meet targets.",
                Likert,
                "pressure",
            )
        },
        q(
            "b_targets",
            "My targets can be met without cutting ethical corners.",
            Likert,
            "pressure",
        ),
        Question {
            reverse: true,
            ..q(
                "b_observed",
                "In the last 12 months I saw conduct at work that broke our code of ethics or the law.",
                YesNo,
                "misconduct",
            )
        },
        Question {
            options: vec![
                "Yes, I reported it".into(),
                "No, I did not report it".into(),
                "I did not see any misconduct".into(),
            ],
            favourable: vec!["Yes, I reported it".into()],
            neutral: vec!["I did not see any misconduct".into()],
            ..q(
                "b_reported",
                "If you saw misconduct, did you report it?",
                Choice,
                "misconduct",
            )
        },
        q(
            "b_no_fear",
            "I could report misconduct without fear of retaliation.",
            Likert,
            "retaliation",
        ),
        Question {
            reverse: true,
            ..q(
                "b_treated_worse",
                "People here who raise concerns are treated worse afterwards.",
                Likert,
                "retaliation",
            )
        },
        q(
            "b_manager_acts",
            "I trust my manager to act on an ethical concern I raise.",
            Likert,
            "trust",
        ),
        q(
            "b_manager_example",
            "My manager leads by example on ethics.",
            Likert,
            "trust",
        ),
        q(
            "b_channel",
            "I know how to raise a concern through the speak-up channel, anonymously if I wish.",
            YesNo,
            "awareness",
        ),
        q(
            "b_code",
            "I know where to find our code of ethics and what it expects of me.",
            Likert,
            "awareness",
        ),
        q(
            "b_comment",
            "Is there anything else the ethics office should know? Please do not name anyone.",
            Comment,
            "",
        ),
    ]
}

/// Parses custom questions, one per line: `likert: text`, `yesno: text`,
/// `choice: text | option | option …` or `comment: text`. Errors name the line.
/// Keys are `c1`, `c2`, … in order.
pub fn parse_custom(lines: &str) -> Result<Vec<Question>, Vec<String>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in lines.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = n + 1;
        let Some((kind, rest)) = line.split_once(':') else {
            errors.push(format!(
                "custom questions, line {at}: start with likert:, yesno:, choice: or comment:"
            ));
            continue;
        };
        let kind = match kind.trim().to_ascii_lowercase().as_str() {
            "likert" => QuestionKind::Likert,
            "yesno" | "yes/no" => QuestionKind::YesNo,
            "choice" => QuestionKind::Choice,
            "comment" => QuestionKind::Comment,
            _ => {
                errors.push(format!(
                    "custom questions, line {at}: the kind must be likert, yesno, choice or comment"
                ));
                continue;
            }
        };
        let mut parts = rest.split('|').map(str::trim);
        let text = parts.next().unwrap_or_default().to_owned();
        let options: Vec<String> = parts.filter(|o| !o.is_empty()).map(str::to_owned).collect();
        if text.is_empty() || text.chars().count() > 300 {
            errors.push(format!(
                "custom questions, line {at}: the question needs 1 to 300 characters"
            ));
            continue;
        }
        match kind {
            QuestionKind::Choice if !(2..=10).contains(&options.len()) => {
                errors.push(format!(
                    "custom questions, line {at}: a choice needs 2 to 10 options separated by |"
                ));
                continue;
            }
            QuestionKind::Choice => {
                let mut seen = options.clone();
                seen.sort();
                seen.dedup();
                if seen.len() != options.len() || options.iter().any(|o| o.chars().count() > 100) {
                    errors.push(format!(
                        "custom questions, line {at}: options must be different and at most 100 characters"
                    ));
                    continue;
                }
            }
            _ if !options.is_empty() => {
                errors.push(format!(
                    "custom questions, line {at}: only a choice has options"
                ));
                continue;
            }
            _ => {}
        }
        let key = format!("c{}", out.len() + 1);
        out.push(Question {
            options,
            ..q(&key, &text, kind, "")
        });
    }
    if out.len() > 30 {
        errors.push("custom questions: at most 30".into());
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The stored answers of one response: question key → value (`"1"`–`"5"`, `"yes"`,
/// `"no"`, an option's text, or the redacted comment).
pub type Answers = BTreeMap<String, String>;

/// The longest comment accepted, in characters.
pub const MAX_COMMENT: usize = 2000;

/// Reads a submitted form into answers. Every closed question is required; the value
/// must be one the question offers. Errors name the question by its position. The
/// comment is returned as typed: redact it with [`redact_comment`] before storing.
pub fn parse_answers(
    questions: &[Question],
    form: &[(String, String)],
) -> Result<Answers, Vec<String>> {
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let mut out = Answers::new();
    let mut errors = Vec::new();
    for (n, q) in questions.iter().enumerate() {
        let field = format!("q_{}", q.key);
        let v = get(&field);
        let ok = match q.kind {
            QuestionKind::Likert => matches!(v, "1" | "2" | "3" | "4" | "5"),
            QuestionKind::YesNo => matches!(v, "yes" | "no"),
            QuestionKind::Choice => q.options.iter().any(|o| o == v),
            QuestionKind::Comment => {
                if v.chars().count() > MAX_COMMENT {
                    errors.push(format!(
                        "question {} (field `{field}`): at most {MAX_COMMENT} characters",
                        n + 1
                    ));
                } else if !v.is_empty() {
                    out.insert(q.key.clone(), v.to_owned());
                }
                continue;
            }
        };
        if ok {
            out.insert(q.key.clone(), v.to_owned());
        } else if v.is_empty() {
            errors.push(format!(
                "question {} (field `{field}`): please answer it",
                n + 1
            ));
        } else {
            errors.push(format!(
                "question {} (field `{field}`): not one of the offered answers",
                n + 1
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

impl Question {
    /// Whether an answer is favourable; `None` for a neutral option or a question that
    /// is neither (a comment, a custom choice without favourable options).
    pub fn favourable(&self, answer: &str) -> Option<bool> {
        match self.kind {
            QuestionKind::Likert => {
                let v: u8 = answer.parse().ok()?;
                match (v, self.reverse) {
                    (4 | 5, false) | (1 | 2, true) => Some(true),
                    (3, _) => Some(false),
                    (1..=5, _) => Some(false),
                    _ => None,
                }
            }
            QuestionKind::YesNo => match answer {
                "yes" => Some(!self.reverse),
                "no" => Some(self.reverse),
                _ => None,
            },
            QuestionKind::Choice => {
                if self.favourable.is_empty() || self.neutral.iter().any(|o| o == answer) {
                    None
                } else {
                    Some(self.favourable.iter().any(|o| o == answer))
                }
            }
            QuestionKind::Comment => None,
        }
    }

    /// The answers a question offers, in order (empty for a comment).
    pub fn choices(&self) -> Vec<String> {
        match self.kind {
            QuestionKind::Likert => (1..=5).map(|v| v.to_string()).collect(),
            QuestionKind::YesNo => vec!["yes".into(), "no".into()],
            QuestionKind::Choice => self.options.clone(),
            QuestionKind::Comment => vec![],
        }
    }

    /// How an answer value reads.
    pub fn label(&self, value: &str) -> String {
        match self.kind {
            QuestionKind::Likert => value
                .parse::<usize>()
                .ok()
                .and_then(|v| LIKERT.get(v.wrapping_sub(1)))
                .map_or_else(|| value.to_owned(), |s| (*s).to_owned()),
            QuestionKind::YesNo => match value {
                "yes" => "Yes".into(),
                "no" => "No".into(),
                v => v.into(),
            },
            _ => value.to_owned(),
        }
    }
}

/// The placeholder of a name found in the directory.
pub const NAME_PLACEHOLDER: &str = "<NAME>";

/// Redacts a comment before it is stored: the scanning engine's personal data (card
/// numbers, e-mails, phones, addresses, names it recognises…) become numbered
/// placeholders, then every directory name is replaced by [`NAME_PLACEHOLDER`]: a full
/// display name or username (any case), and any capitalised word that is a first or
/// last name of someone in the directory. Over-redaction is the safe side: a comment
/// is read by the people who manage its author.
pub fn redact_comment(engine: &Engine, text: &str, directory_names: &[String]) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let scanned = match serde_json::from_value::<Interaction>(serde_json::json!({
        "id": "", "channel": "chat", "agent_id": "", "started_at": "1970-01-01T00:00:00Z",
        "turns": [{"speaker": "customer", "text": text}]
    })) {
        Ok(probe) => {
            let f = engine.scan(&probe);
            redact(&probe, &f, &RedactMode::Replace)
                .turns
                .into_iter()
                .next()
                .map(|t| t.text)
                .unwrap_or_default()
        }
        // A comment the engine cannot take is not kept at all.
        Err(_) => return String::new(),
    };
    redact_names(&scanned, directory_names)
}

fn redact_names(text: &str, names: &[String]) -> String {
    // Whole phrases first (longest first), case-insensitively, on word boundaries.
    let mut phrases: Vec<String> = names
        .iter()
        .map(|n| n.trim().to_lowercase())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    phrases.dedup();
    let mut out = text.to_owned();
    for p in &phrases {
        out = replace_phrase(&out, p);
    }
    // Then single capitalised words that are part of a name.
    let words: std::collections::BTreeSet<String> = names
        .iter()
        .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let mut result = String::with_capacity(out.len());
    let mut word = String::new();
    let flush = |word: &mut String, result: &mut String| {
        if !word.is_empty() {
            let cap = word.chars().next().is_some_and(char::is_uppercase);
            if cap && words.contains(&word.to_lowercase()) {
                result.push_str(NAME_PLACEHOLDER);
            } else {
                result.push_str(word);
            }
            word.clear();
        }
    };
    let mut in_placeholder = false;
    for c in out.chars() {
        if c == '<' {
            in_placeholder = true;
        }
        if c.is_alphanumeric() && !in_placeholder {
            word.push(c);
        } else {
            flush(&mut word, &mut result);
            result.push(c);
        }
        if c == '>' {
            in_placeholder = false;
        }
    }
    flush(&mut word, &mut result);
    result
}

/// Replaces every whole-word, case-insensitive occurrence of `phrase` (lowercase).
fn replace_phrase(text: &str, phrase: &str) -> String {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths for some scripts; then match nothing rather
    // than cut a character in two.
    if lower.len() != text.len() {
        return text.to_owned();
    }
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    while let Some(found) = lower[pos..].find(phrase) {
        let start = pos + found;
        let end = start + phrase.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        out.push_str(&text[pos..start]);
        if is_word(before) || is_word(after) {
            out.push_str(&text[start..end]);
        } else {
            out.push_str(NAME_PLACEHOLDER);
        }
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_instrument_covers_every_index_and_has_unique_keys() {
        let b = builtin();
        for (k, _, _) in INDICES {
            assert!(
                b.iter().filter(|q| q.index.as_deref() == Some(k)).count() >= 2,
                "{k}"
            );
        }
        let mut keys: Vec<_> = b.iter().map(|q| &q.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), b.len());
    }

    #[test]
    fn custom_questions_parse_and_errors_name_the_line() {
        let qs =
            parse_custom("likert: Breaks are fair\n\nchoice: Shift | Day | Night\ncomment: Ideas?")
                .unwrap();
        assert_eq!(qs.len(), 3);
        assert_eq!(qs[1].key, "c2");
        assert_eq!(
            qs[1].options,
            vec!["Day", "Night"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        );
        assert_eq!(qs[1].text, "Shift");
        let e =
            parse_custom("likert: ok\nrating: bad\nchoice: one | only\nyesno: x | y").unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("line 2"), "{e:?}");
        assert!(e[1].contains("line 3") && e[1].contains("2 to 10"), "{e:?}");
        assert!(e[2].contains("line 4"), "{e:?}");
    }

    #[test]
    fn every_closed_question_is_required_and_values_are_checked() {
        let qs = builtin();
        let mut form: Vec<(String, String)> = qs
            .iter()
            .filter(|q| q.kind != QuestionKind::Comment)
            .map(|q| (format!("q_{}", q.key), q.choices()[0].clone()))
            .collect();
        let a = parse_answers(&qs, &form).unwrap();
        assert_eq!(a.len(), qs.len() - 1, "no comment given, none stored");
        form[0].1 = "7".into();
        form.remove(1);
        let e = parse_answers(&qs, &form).unwrap_err();
        assert!(
            e[0].contains("question 1") && e[0].contains("not one of"),
            "{e:?}"
        );
        assert!(
            e[1].contains("question 2") && e[1].contains("please answer"),
            "{e:?}"
        );
    }

    #[test]
    fn favourable_follows_the_wording() {
        let b = builtin();
        let by = |k: &str| b.iter().find(|q| q.key == k).unwrap().clone();
        assert_eq!(by("b_pressure").favourable("1"), Some(true));
        assert_eq!(by("b_pressure").favourable("5"), Some(false));
        assert_eq!(by("b_no_fear").favourable("4"), Some(true));
        assert_eq!(by("b_no_fear").favourable("3"), Some(false));
        assert_eq!(by("b_observed").favourable("no"), Some(true));
        assert_eq!(
            by("b_reported").favourable("I did not see any misconduct"),
            None
        );
        assert_eq!(
            by("b_reported").favourable("Yes, I reported it"),
            Some(true)
        );
        assert_eq!(by("b_comment").favourable("x"), None);
    }

    #[test]
    fn comments_lose_personal_data_and_directory_names() {
        let engine = Engine::default_engine().unwrap();
        let out = redact_comment(
            &engine,
            "  Write to maya.okafor@example.com or call 415-555-0134; Maya Okafor knows.  ",
            &["Maya Okafor".to_string(), "maya.okafor".to_string()],
        );
        assert!(!out.contains("example.com"), "{out}");
        assert!(!out.contains("0134"), "{out}");
        assert!(!out.contains("Maya") && !out.contains("Okafor"), "{out}");
        assert!(out.starts_with("Write to <"), "{out}");
        assert_eq!(redact_comment(&engine, "   ", &[]), "");
    }

    #[test]
    fn directory_names_are_redacted_as_phrases_and_capitalised_words() {
        let names = vec!["Maya Okafor".to_string(), "maya.okafor".to_string()];
        assert_eq!(
            redact_names(
                "maya okafor shouts; ask Maya or maya.okafor. Okafor!",
                &names
            ),
            "<NAME> shouts; ask <NAME> or <NAME>. <NAME>!"
        );
        // A lowercase common word that is also a name is kept; placeholders survive.
        let names = vec!["Rosa Park".to_string()];
        assert_eq!(
            redact_names("the park near <PERSON_NAME_1>", &names),
            "the park near <PERSON_NAME_1>"
        );
    }
}
