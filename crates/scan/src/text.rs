//! Byte-level tokenizer shared by every detector.
//!
//! Design: detectors work on tokens, not on regexes over the whole turn. A token
//! is a maximal run of "word" bytes (ASCII alphanumerics, apostrophes inside a
//! word, and every non-ASCII byte, so `Müller` and `weiß` stay one word and
//! offsets always land on char boundaries) or a single ASCII punctuation byte.
//! Whitespace is not a token; `gap_before` records it. Classification is ASCII
//! only, which keeps the hot path free of Unicode tables (the bench README shows
//! Unicode `\b`/`\d` dropping regex from 285 MB/s to under 10 MB/s).
//!
//! Tokens are written into a caller-owned `Vec` that is cleared and reused for
//! every turn, so tokenizing allocates nothing once the vector has grown.

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Only ASCII digits.
    Digits,
    /// Letters (ASCII or any non-ASCII), possibly apostrophes.
    Alpha,
    /// Letters and digits mixed (`inc40379215`, `tf1e`).
    Mixed,
    /// One ASCII punctuation byte.
    Punct,
}

/// A token with its byte range in the turn text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// Class.
    pub class: Class,
    /// Whitespace precedes the token.
    pub gap_before: bool,
    /// Lexical flags of the word ([`crate::words::flags`]), looked up once here
    /// so that the detectors read them instead of hashing the word again (each
    /// used to, several times per token). 0 for digit and punctuation tokens:
    /// no lexicon word is either (checked in debug builds).
    pub flags: u32,
}

impl Token {
    /// The token text.
    #[inline]
    pub fn text<'a>(&self, s: &'a str) -> &'a str {
        s.get(self.start as usize..self.end as usize).unwrap_or("")
    }
    /// The token bytes.
    #[inline]
    pub fn bytes<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        s.get(self.start as usize..self.end as usize).unwrap_or(&[])
    }
    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }
    /// Never true; tokens are non-empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
    /// Is this the punctuation byte `c`?
    #[inline]
    pub fn is_punct(&self, s: &[u8], c: u8) -> bool {
        self.class == Class::Punct && s.get(self.start as usize) == Some(&c)
    }
}

#[inline]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Tokenize `text` into `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut gap = true;
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            gap = true;
            i += 1;
            continue;
        }
        if c >= 0x80 {
            let sym = symbol_len(b, i);
            if sym > 0 {
                // Currency signs, typographic punctuation, emoji: punctuation, not letters.
                out.push(Token {
                    start: i as u32,
                    end: (i + sym) as u32,
                    class: Class::Punct,
                    gap_before: gap,
                    flags: 0,
                });
                debug_assert_eq!(crate::words::flags(&b[i..i + sym]), 0);
                i += sym;
                gap = false;
                continue;
            }
        }
        if is_word_byte(c) {
            let start = i;
            let mut has_digit = false;
            let mut has_alpha = false;
            while i < n {
                let c = b[i];
                if c >= 0x80 && symbol_len(b, i) > 0 && !(is_apostrophe(b, i) && has_alpha) {
                    break;
                }
                if c.is_ascii_digit() {
                    has_digit = true;
                } else if c.is_ascii_alphabetic() || c >= 0x80 {
                    has_alpha = true;
                } else if (c == b'\'') && i + 1 < n && b[i + 1].is_ascii_alphabetic() && has_alpha {
                    // apostrophe inside a word: "i'll", "it's", "o'brien"
                } else {
                    break;
                }
                i += 1;
            }
            let class = match (has_digit, has_alpha) {
                (true, false) => Class::Digits,
                (false, _) => Class::Alpha,
                (true, true) => Class::Mixed,
            };
            let flags = if class == Class::Digits {
                debug_assert_eq!(crate::words::flags(&b[start..i]), 0);
                0
            } else {
                crate::words::flags(&b[start..i])
            };
            out.push(Token {
                start: start as u32,
                end: i as u32,
                class,
                gap_before: gap,
                flags,
            });
        } else {
            // U+2019 is non-ASCII and therefore a word byte; plain ASCII punct here.
            out.push(Token {
                start: i as u32,
                end: (i + 1) as u32,
                class: Class::Punct,
                gap_before: gap,
                flags: 0,
            });
            debug_assert_eq!(crate::words::flags(&b[i..i + 1]), 0);
            i += 1;
        }
        gap = false;
    }
}

/// Right single quote U+2019 (used as an apostrophe: "I’m").
#[inline]
fn is_apostrophe(b: &[u8], i: usize) -> bool {
    b.get(i..i + 3) == Some(&[0xE2, 0x80, 0x99])
}

/// Byte length of a non-letter character starting at `i` (0 if a letter or
/// not a symbol): Latin-1 signs U+00A0–U+00BF and U+00D7/U+00F7, general
/// punctuation U+2000–U+206F, currency signs U+20A0–U+20CF, arrows, maths and
/// other symbols U+2100–U+2BFF, and 4-byte characters (emoji).
#[inline]
fn symbol_len(b: &[u8], i: usize) -> usize {
    let c = b[i];
    let n1 = b.get(i + 1).copied().unwrap_or(0);
    match c {
        0xC2 if (0xA0..=0xBF).contains(&n1) => 2,
        0xC3 if n1 == 0x97 || n1 == 0xB7 => 2,
        0xE2 if (0x80..=0xAF).contains(&n1) => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// ASCII-lowercase equality of a token with a lowercase literal.
#[inline]
pub fn eq(tok: &[u8], lit: &str) -> bool {
    tok.eq_ignore_ascii_case(lit.as_bytes())
}

/// Is the token one of the lowercase literals?
#[inline]
pub fn eq_any(tok: &[u8], lits: &[&str]) -> bool {
    lits.iter().any(|l| eq(tok, l))
}

/// Does the token start with an ASCII upper-case letter?
#[inline]
pub fn is_capitalized(tok: &[u8]) -> bool {
    tok.first().is_some_and(|c| c.is_ascii_uppercase())
}

/// Round a byte offset down to a char boundary of `s`.
pub fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_punctuation() {
        let mut v = Vec::new();
        let s = "£25, 50€ and I’m fine 🙂 — ok";
        tokenize(s, &mut v);
        let texts: Vec<&str> = v.iter().map(|t| t.text(s)).collect();
        assert_eq!(
            texts,
            vec!["£", "25", ",", "50", "€", "and", "I’m", "fine", "🙂", "—", "ok"]
        );
        assert_eq!(v[0].class, Class::Punct);
    }

    #[test]
    fn tokens_keep_words_and_offsets() {
        let mut v = Vec::new();
        let s = "Hi, I'm Müller-Lüdenscheidt: 4111-1111 inc4037!";
        tokenize(s, &mut v);
        let texts: Vec<&str> = v.iter().map(|t| t.text(s)).collect();
        assert_eq!(
            texts,
            vec![
                "Hi",
                ",",
                "I'm",
                "Müller",
                "-",
                "Lüdenscheidt",
                ":",
                "4111",
                "-",
                "1111",
                "inc4037",
                "!"
            ]
        );
        assert_eq!(v[7].class, Class::Digits);
        assert_eq!(v[10].class, Class::Mixed);
    }
}
