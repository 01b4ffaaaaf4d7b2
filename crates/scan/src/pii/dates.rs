//! Dates, written or spoken, found as *date-shaped token sequences*.
//!
//! A date candidate is a run of date tokens: digit groups of 1–4 digits, the
//! separators `/ - .` and commas, month names, ordinals ("27th", "sixteenth"),
//! number words ("nineteen eighty eight", "oh one twenty nine"), "of", "the",
//! "slash". It is kept when it has a month name or at least two numeric parts.
//! Whether it is a birth date or a card expiry is decided by context (the
//! caller), never by shape: "delivered on 9/10/25" is not PII.

use crate::text::{eq, eq_any, Class, Token};
use crate::words::{lex, number_word, ordinal_word};

/// A date candidate.
#[derive(Debug, Clone, Copy)]
pub struct DateCand {
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
    /// First token.
    pub tok_start: usize,
    /// One past last token.
    pub tok_end: usize,
    /// Has a month name.
    pub has_month: bool,
    /// Number of numeric parts.
    pub parts: usize,
    /// A 4-digit (or spoken "nineteen ninety") year is present.
    pub has_year: bool,
    /// Month and year only, expiry-shaped ("06/27", "Mar/28", "November 2030").
    pub month_year: bool,
    /// Has an ordinal ("27th", "second").
    pub has_ord: bool,
    /// Written year (4 digits, or the 2-digit last part of a numeric date, as 19xx/20xx unknown: raw).
    pub year: Option<u32>,
    /// Day, month and year are all present.
    pub full: bool,
}

fn is_ordinal_digits(w: &[u8]) -> bool {
    let n = w.len();
    (3..=4).contains(&n)
        && w[..n - 2].iter().all(u8::is_ascii_digit)
        && eq_any(&w[n - 2..], &["st", "nd", "rd", "th"])
}

#[derive(PartialEq, Clone, Copy)]
enum K {
    Num,
    Year,
    Month,
    Ord,
    Word,
    Sep,
    Glue,
}

/// A small number that counts digits ("the 3 digits", "last 4 numbers", "4-digit pin",
/// "three digit code") says how long some data is; it is not data, so it never
/// continues a date ("05-26, the 3 digits are …" is the expiry "05-26").
fn is_count(text: &[u8], toks: &[Token], i: usize) -> bool {
    let Some(t) = toks.get(i) else {
        return false;
    };
    let small = match t.class {
        Class::Digits => t.len() <= 2,
        Class::Alpha => t.flags & lex::NUMBER != 0,
        _ => false,
    };
    if !small {
        return false;
    }
    let mut j = i + 1;
    if toks
        .get(j)
        .is_some_and(|n| n.is_punct(text, b'-') && !n.gap_before)
    {
        j += 1;
    }
    toks.get(j).is_some_and(|n| {
        eq_any(
            n.bytes(text),
            &[
                "digit",
                "digits",
                "number",
                "numbers",
                "numerals",
                "figures",
                "characters",
            ],
        )
    })
}

fn kind(text: &[u8], toks: &[Token], i: usize) -> Option<K> {
    let t = toks.get(i)?;
    let w = t.bytes(text);
    if matches!(t.class, Class::Digits | Class::Alpha) && is_count(text, toks, i) {
        return None;
    }
    match t.class {
        Class::Digits => {
            if w.len() == 4 {
                Some(K::Year)
            } else if w.len() <= 2 {
                Some(K::Num)
            } else {
                None
            }
        }
        Class::Mixed => is_ordinal_digits(w).then_some(K::Ord),
        Class::Punct => match w.first() {
            Some(b'/') | Some(b'-') | Some(b'.') | Some(b',') => Some(K::Sep),
            _ => None,
        },
        Class::Alpha => {
            let f = t.flags;
            if f & lex::MONTH != 0 {
                // "may" is also a verb: only a month next to a number.
                if eq(w, "may") || eq(w, "mar") {
                    let near = |j: Option<usize>| {
                        j.and_then(|j| toks.get(j)).is_some_and(|x| {
                            let b = x.bytes(text);
                            x.class == Class::Digits
                                || x.flags & (lex::NUMBER | lex::ORDINAL) != 0
                                || is_ordinal_digits(b)
                                || x.is_punct(text, b'/')
                        })
                    };
                    // "may of 2026"
                    let of_next = toks.get(i + 1).is_some_and(|x| eq(x.bytes(text), "of"));
                    if !(near(i.checked_sub(1))
                        || near(Some(i + 1))
                        || (of_next && near(Some(i + 2))))
                    {
                        return None;
                    }
                }
                Some(K::Month)
            } else if f & lex::ORDINAL != 0 {
                Some(K::Ord)
            } else if f & lex::NUMBER != 0 {
                Some(K::Word)
            } else if f & (lex::GLUE | lex::FILLER) != 0 {
                Some(K::Glue)
            } else {
                None
            }
        }
    }
}

/// Find date candidates in a turn.
pub fn find(text: &[u8], toks: &[Token], out: &mut Vec<DateCand>) {
    out.clear();
    let mut i = 0;
    while i < toks.len() {
        let Some(k0) = kind(text, toks, i) else {
            i += 1;
            continue;
        };
        if matches!(k0, K::Sep | K::Glue) && !(eq(toks[i].bytes(text), "the")) {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut has_month = false;
        let mut parts = 0;
        let mut has_year = false;
        let mut last_content = i;
        let mut words_run = 0;
        while let Some(k) = kind(text, toks, j) {
            // A separator must be glued (no space on at least one side) unless comma.
            if k == K::Sep {
                let t = toks[j];
                let is_comma = t.is_punct(text, b',');
                // "04 / 32": a slash joins even with spaces around it.
                let is_slash = t.is_punct(text, b'/');
                let next_glued = toks.get(j + 1).is_some_and(|n| !n.gap_before);
                if !is_comma && !is_slash && t.gap_before && !next_glued {
                    break;
                }
                if t.is_punct(text, b'.') && toks.get(j + 1).is_some_and(|n| n.gap_before) {
                    break;
                }
            }
            // Written numbers next to each other ("02 50 75") are a phone, not a date,
            // unless a month name holds them together ("september 26 1964").
            if matches!(k, K::Num | K::Year) && !has_month && j > i {
                let pk = kind(text, toks, j - 1);
                if matches!(pk, Some(K::Num) | Some(K::Year)) {
                    break;
                }
            }
            // Digits then spoken numbers ("1-00 four one one …") are not one date: the
            // words start something else (often a spoken card number). Stopping here
            // keeps the date the same whether or not what follows is later masked.
            if k == K::Word && !has_month && toks[i..j].iter().any(|t| t.class == Class::Digits) {
                break;
            }
            match k {
                K::Month => {
                    if has_month {
                        break;
                    }
                    has_month = true;
                    last_content = j;
                    words_run = 0;
                }
                K::Num | K::Ord => {
                    parts += 1;
                    last_content = j;
                    words_run = 0;
                }
                K::Year => {
                    parts += 1;
                    has_year = true;
                    last_content = j;
                    words_run = 0;
                }
                K::Word => {
                    words_run += 1;
                    if words_run == 1 {
                        parts += 1;
                    }
                    let w = toks[j].bytes(text);
                    if eq_any(w, &["nineteen", "twenty"]) {
                        has_year = true;
                    }
                    // A new part starts at a word after a complete pair ("two | twenty two").
                    if words_run > 1 {
                        let prev = toks[j - 1].bytes(text);
                        let pv = number_word(prev).unwrap_or(0);
                        let cv = number_word(w).unwrap_or(0);
                        // Same part: "twenty five", "nineteen eighty", "twenty twenty".
                        let same = (pv >= 20 && pv.is_multiple_of(10) && cv < 10)
                            || ((pv == 19 || pv == 20) && cv >= 10);
                        if !same {
                            parts += 1;
                        }
                    }
                    last_content = j;
                }
                K::Sep | K::Glue => {
                    words_run = 0;
                }
            }
            j += 1;
            if j - i > 14 {
                break;
            }
        }
        // Numeric parts must make a calendar date (month <= 12, day <= 31).
        let mut nums = [0u32; 4];
        let mut nn = 0;
        for t in &toks[i..=last_content] {
            if t.class == Class::Digits && nn < 4 {
                nums[nn] = t
                    .bytes(text)
                    .iter()
                    .fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
                nn += 1;
            }
        }
        // A month name with one two-digit number past 31 has a year ("Jun 33", "Feb 32").
        let two_digit_year = has_month
            && nn == 1
            && nums[0] > 31
            && toks[i..=last_content]
                .iter()
                .any(|t| t.class == Class::Digits && t.len() == 2);
        let plausible = match (has_month, nn) {
            (true, _) => {
                two_digit_year
                    || nums[..nn]
                        .iter()
                        .all(|&v| v <= 31 || (1900..=2100).contains(&v))
            }
            (false, 2) => {
                (1..=12).contains(&nums[0]) || (1..=12).contains(&nums[1]) && nums[0] >= 1900
            }
            (false, 3) => {
                let (a, b, c) = (nums[0], nums[1], nums[2]);
                (a >= 1000 && (1..=12).contains(&b) && (1..=31).contains(&c))
                    || ((1..=31).contains(&a)
                        && (1..=31).contains(&b)
                        && (a <= 12 || b <= 12)
                        && (c <= 99 || (1900..=2100).contains(&c)))
            }
            (false, n) => n <= 1,
        };
        if plausible && ((has_month && parts >= 1) || parts >= 2) {
            // Trim: leading glue other than "the" is dropped by the start rule.
            let slash = toks[i..=last_content]
                .iter()
                .any(|t| t.is_punct(text, b'/') || t.is_punct(text, b'-'));
            let month_year =
                (has_month && parts == 1 && (has_year || slash || two_digit_year) && nn <= 1)
                    || (!has_month
                        && nn == 2
                        && parts == 2
                        && slash
                        && (1..=12).contains(&nums[0])
                        && {
                            let ylen = toks[i..=last_content]
                                .iter()
                                .rev()
                                .find(|t| t.class == Class::Digits)
                                .map_or(0, |t| t.len());
                            ylen == 2 || (ylen == 4 && (2000..=2099).contains(&nums[1]))
                        });
            out.push(DateCand {
                start: toks[i].start as usize,
                end: toks[last_content].end as usize,
                tok_start: i,
                tok_end: last_content + 1,
                has_month,
                parts,
                has_year,
                month_year,
                has_ord: toks[i..=last_content].iter().any(|t| {
                    ordinal_word(t.bytes(text)).is_some() || is_ordinal_digits(t.bytes(text))
                }),
                year: nums[..nn]
                    .iter()
                    .copied()
                    .find(|&v| (1000..=2999).contains(&v))
                    .or_else(|| (!has_month && nn == 3).then_some(nums[2])),
                full: (has_month && parts >= 2) || (!has_month && nn == 3),
            });
            i = last_content + 1;
        } else {
            // Not a date as a whole: a shorter date may start inside it
            // ("1111 ,1-00" holds "1-00").
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> Vec<&str> {
        let mut t = Vec::new();
        crate::text::tokenize(s, &mut t);
        let mut o = Vec::new();
        find(s.as_bytes(), &t, &mut o);
        o.iter().map(|c| &s[c.start..c.end]).collect()
    }

    #[test]
    fn shapes() {
        assert_eq!(f("my date of birth is 9/28/49"), vec!["9/28/49"]);
        assert_eq!(
            f("born 26th of October 1961."),
            vec!["26th of October 1961"]
        );
        assert_eq!(
            f("it's the sixteenth of june nineteen ninety eight"),
            vec!["the sixteenth of june nineteen ninety eight"]
        );
        assert_eq!(
            f("expiry is oh eight twenty nine"),
            vec!["oh eight twenty nine"]
        );
        assert_eq!(f("It expires 05-27."), vec!["05-27"]);
        assert_eq!(f("January 27, 1940."), vec!["January 27, 1940"]);
        assert_eq!(
            f("zero five slash two eight"),
            vec!["zero five slash two eight"]
        );
        assert!(f("i may call you").is_empty());
        assert_eq!(f("good until may of 2030"), vec!["may of 2030"]);
        assert_eq!(f("valid till 04 / 32 thanks"), vec!["04 / 32"]);
    }
}
