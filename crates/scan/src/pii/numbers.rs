//! Digit strings, written or spoken, as one grammar.
//!
//! A *run* is a maximal sequence of digit items: digit groups ("4111", "575"),
//! spoken digits ("four", "oh", "zero"), repeats ("double five", "triple seven")
//! joined by spaces, dashes, dots, commas, parentheses or ASR hesitations
//! ("uh", "..."). The run keeps every item's byte range and digit offset, so a
//! detector can take a sub-run (a card number inside "25 4111 1111 ...") and
//! report exact offsets. Runs never cross a word that is not a digit word, so
//! "three hundred forty four dollars" is not a number string.

use crate::text::{Class, Token};
use crate::words::{digit_word, is_filler, lex};

/// Maximum digits kept per run (longer runs are truncated, still reported).
pub const MAX_DIGITS: usize = 48;

/// One item of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Item {
    /// Start byte.
    pub start: u32,
    /// End byte.
    pub end: u32,
    /// Offset of its first digit in `Run::digits`.
    pub dpos: u8,
    /// Number of digits it contributes.
    pub ndig: u8,
}

/// A digit run.
#[derive(Debug, Clone)]
pub struct Run {
    /// Digit values.
    pub digits: [u8; MAX_DIGITS],
    /// Number of digits.
    pub len: usize,
    /// Items.
    pub items: [Item; MAX_DIGITS],
    /// Number of items.
    pub nitems: usize,
    /// Starts with "+" / "plus".
    pub plus: bool,
    /// Has parentheses (phone style).
    pub paren: bool,
    /// Has spoken digits.
    pub spoken: bool,
    /// Separators seen between written groups: bit 0 space, 1 dash, 2 dot.
    pub seps: u8,
    /// First token index.
    pub tok_start: usize,
    /// One past last token index.
    pub tok_end: usize,
}

impl Run {
    fn new(tok_start: usize) -> Self {
        Run {
            digits: [0; MAX_DIGITS],
            len: 0,
            items: [Item::default(); MAX_DIGITS],
            nitems: 0,
            plus: false,
            paren: false,
            spoken: false,
            seps: 0,
            tok_start,
            tok_end: tok_start,
        }
    }
    /// Digits as a slice.
    pub fn digits(&self) -> &[u8] {
        &self.digits[..self.len]
    }
    /// Items as a slice.
    pub fn items(&self) -> &[Item] {
        &self.items[..self.nitems]
    }
    /// Byte start (including a leading "+" or "(").
    pub fn start(&self, toks: &[Token]) -> usize {
        toks.get(self.tok_start).map_or(0, |t| t.start as usize)
    }
    /// Byte end.
    pub fn end(&self) -> usize {
        self.items().last().map_or(0, |i| i.end as usize)
    }
    fn push(&mut self, start: u32, end: u32, ds: &[u8]) {
        if self.nitems >= MAX_DIGITS {
            return;
        }
        let dpos = self.len.min(MAX_DIGITS) as u8;
        let mut n = 0u8;
        for &d in ds {
            if self.len < MAX_DIGITS {
                self.digits[self.len] = d;
                self.len += 1;
                n += 1;
            }
        }
        self.items[self.nitems] = Item {
            start,
            end,
            dpos,
            ndig: n,
        };
        self.nitems += 1;
    }
    /// Group sizes of written items (e.g. `[3, 2, 4]` for 123-45-6789).
    pub fn group_sizes(&self, out: &mut [u8; 8]) -> usize {
        let mut n = 0;
        for it in self.items() {
            if n < 8 {
                out[n] = it.ndig;
                n += 1;
            }
        }
        n
    }
}

/// Parse one digit item at token `i`: returns (digits, tokens consumed).
fn item_at(
    text: &[u8],
    toks: &[Token],
    i: usize,
    buf: &mut [u8; 24],
) -> Option<(usize, usize, bool)> {
    let t = toks.get(i)?;
    let w = t.bytes(text);
    match t.class {
        Class::Digits => {
            let n = w.len().min(24);
            for (d, c) in buf.iter_mut().zip(w.iter().take(n)) {
                *d = c - b'0';
            }
            Some((n, 1, false))
        }
        Class::Alpha => {
            // The token's lexicon flags say whether it is a digit or repeat word
            // and its value (as `digit_word` / `repeat_word` would, without a lookup).
            let f = t.flags;
            if f & (lex::DIGIT | lex::REPEAT) == 0 {
                return None;
            }
            if let Some(d) = (f & lex::DIGIT != 0).then_some((f & 0xF) as u8) {
                if w.len() == 1 {
                    // A lone "o" is a digit only between other digits; checked by caller.
                    buf[0] = d;
                    return Some((1, 1, true));
                }
                buf[0] = d;
                return Some((1, 1, true));
            }
            if let Some(k) = (f & lex::REPEAT != 0).then_some((f & 0xF) as usize) {
                let nt = toks.get(i + 1)?;
                if nt.class == Class::Alpha {
                    let d = (nt.flags & lex::DIGIT != 0).then_some((nt.flags & 0xF) as u8)?;
                    for b in buf.iter_mut().take(k) {
                        *b = d;
                    }
                    return Some((k, 2, true));
                }
                if nt.class == Class::Digits && nt.len() == 1 {
                    let d = text[nt.start as usize] - b'0';
                    for b in buf.iter_mut().take(k) {
                        *b = d;
                    }
                    return Some((k, 2, true));
                }
            }
            None
        }
        _ => None,
    }
}

/// Find all digit runs of a turn into `out` (cleared).
pub fn runs(text: &[u8], toks: &[Token], out: &mut Vec<Run>) {
    out.clear();
    let mut i = 0;
    let mut buf = [0u8; 24];
    while i < toks.len() {
        // Leading "+", "plus" or "(".
        let mut j = i;
        let mut plus = false;
        let mut paren = false;
        if let Some(t) = toks.get(j) {
            if t.is_punct(text, b'+')
                || (t.class == Class::Alpha && crate::text::eq(t.bytes(text), "plus"))
            {
                plus = true;
                j += 1;
            } else if t.is_punct(text, b'(') {
                paren = true;
                j += 1;
            }
        }
        let Some((n, used, spoken)) = item_at(text, toks, j, &mut buf) else {
            i += 1;
            continue;
        };
        // "o"/"oh" starts a run only when another digit follows ("oh nine oh"),
        // otherwise it is an interjection ("oh, I see").
        let first = toks[j];
        if spoken
            && n == 1
            && first.len() <= 2
            && crate::text::eq_any(first.bytes(text), &["o", "oh"])
        {
            let next_digit = toks.get(j + 1).is_some_and(|t| {
                t.gap_before
                    && (t.class == Class::Digits
                        || (t.class == Class::Alpha
                            && digit_word(t.bytes(text)).is_some_and(|_| {
                                !crate::text::eq_any(t.bytes(text), &["o", "oh"])
                            })))
            });
            if !next_digit {
                i += 1;
                continue;
            }
        }
        let mut run = Run::new(i);
        run.plus = plus;
        run.paren = paren;
        run.spoken = spoken;
        let last = toks[j + used - 1];
        run.push(first.start, last.end, &buf[..n]);
        j += used;
        let mut prev_written = !spoken;
        // Extend.
        loop {
            let mut k = j;
            let mut sep = 0u8;
            let mut skipped_filler = false;
            // Separators and fillers between items.
            let mut steps = 0;
            while let Some(t) = toks.get(k) {
                if steps > 4 {
                    break;
                }
                let w = t.bytes(text);
                if t.class == Class::Punct {
                    match w.first() {
                        Some(b'-') => sep |= 2,
                        Some(b'.') => sep |= 4,
                        Some(b',') => sep |= 8,
                        Some(b'(') | Some(b')') => run.paren = true,
                        _ => break,
                    }
                } else if t.class == Class::Alpha && is_filler(w) {
                    skipped_filler = true;
                } else {
                    break;
                }
                k += 1;
                steps += 1;
            }
            let Some((n, used, sp)) = item_at(text, toks, k, &mut buf) else {
                break;
            };
            let t = toks[k];
            // Written groups: a dot or comma only joins digit groups with no space
            // around ("4111.1111") or ellipses in speech; a comma after a written
            // number ends it ("$25, 4111...").
            if !sp && prev_written && (sep & 8 != 0) {
                break;
            }
            if !sp && prev_written && (sep & 4 != 0) && !skipped_filler {
                // A dot joins written groups only glued on both sides ("4111.1111");
                // "05. 4111" ends a sentence, "8673 .06/27" starts something else.
                // Ellipses ("4111 ... 1111") are pauses and do join.
                let dots = toks[j..k].iter().filter(|x| x.is_punct(text, b'.')).count();
                let glued = toks[j..=k].iter().all(|x| !x.gap_before);
                if dots < 3 && !glued {
                    break;
                }
            }
            if sp && n == 1 && crate::text::eq(t.bytes(text), "o") && toks.get(k + 1).is_none() {
                break;
            }
            if t.gap_before || sep == 0 {
                run.seps |= 1;
            }
            run.seps |= sep & 6;
            let lt = toks[k + used - 1];
            run.push(t.start, lt.end, &buf[..n]);
            run.spoken |= sp;
            prev_written = !sp;
            j = k + used;
            // Trailing ")" of "(216)".
        }
        run.tok_end = j;
        out.push(run);
        i = j.max(i + 1);
    }
}

/// Spoken or written digits of a text fragment (for tests and helpers).
pub fn digits_of(text: &str, toks: &mut Vec<Token>) -> Vec<u8> {
    crate::text::tokenize(text, toks);
    let mut rs = Vec::new();
    runs(text.as_bytes(), toks, &mut rs);
    rs.iter().flat_map(|r| r.digits().to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        let mut t = Vec::new();
        digits_of(s, &mut t)
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    #[test]
    fn spoken_and_written() {
        assert_eq!(
            d("four one one one double five triple seven oh"),
            "4111557770"
        );
        assert_eq!(d("4111-1111.1111 1111"), "4111111111111111");
        assert_eq!(d("five three seven one ... two one five two"), "53712152");
        assert_eq!(d("seven six nine two, uh, nine four four nine"), "76929449");
        assert_eq!(d("(216) 252-2377"), "2162522377");
    }

    #[test]
    fn runs_stop_at_words() {
        let mut t = Vec::new();
        let s = "three hundred forty four dollars and 25, 4111 1111";
        crate::text::tokenize(s, &mut t);
        let mut rs = Vec::new();
        runs(s.as_bytes(), &t, &mut rs);
        let v: Vec<usize> = rs.iter().map(|r| r.len).collect();
        assert_eq!(v, vec![1, 1, 2, 8]);
    }
}
