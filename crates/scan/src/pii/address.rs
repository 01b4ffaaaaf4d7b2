//! Postal addresses: house number, street, suffix, unit, town, state, postcode.
//!
//! Two entry points. With context (a trigger such as "address is", "send it to",
//! "I'm now at", or an agent question about the address answered in the next
//! turn) the address runs from the first content word after the trigger to the
//! postcode (and the town after a continental postcode), or to the end of the
//! clause. Without context, an address needs a house number followed within a
//! few words by a street suffix ("Walks", "Road", "Straße" …) and a postcode.
//! A lone city is never an address.

use crate::text::{eq, eq_any, Class, Token};
use crate::words::is_common;

const STOPS: &[&str] = &[
    "that's", "thats", "my", "i", "i'm", "and", "please", "thanks", "thank", "if", "is", "was",
    "it", "it's", "you", "which", "but", "so", "also", "for", "correct", "right", "yes", "yeah",
    "okay", "ok", "the", "can", "could", "would", "we", "they", "he", "she", "this", "since",
    "because", "now", "from", "on", "uh", "um", "like", "mm-hmm", "have", "what's", "whats",
    "hold", "where", "when", "how", "who", "why", "what", "there", "here", "then", "thanks",
];

fn suffix(w: &[u8]) -> bool {
    crate::words::flags(w) & crate::words::lex::SUFFIX != 0
        || w.len() > 6 && {
            // German compounds: "Stahrgasse", "klothilde-rädel-straße" (ASCII-case-blind tail).
            const TAILS: [&[u8]; 8] = [
                b"strasse",
                "straße".as_bytes(),
                b"gasse",
                b"weg",
                b"allee",
                b"platz",
                b"ring",
                b"damm",
            ];
            TAILS
                .iter()
                .any(|t| w.len() >= t.len() && w[w.len() - t.len()..].eq_ignore_ascii_case(t))
        }
}

/// Is token `i` a postcode (or the first half of a UK one)? Returns tokens used.
fn postcode(text: &[u8], toks: &[Token], i: usize) -> usize {
    let Some(t) = toks.get(i) else { return 0 };
    let w = t.bytes(text);
    let used = match t.class {
        Class::Digits if (4..=6).contains(&w.len()) => {
            // ZIP+4
            if toks
                .get(i + 1)
                .is_some_and(|d| d.is_punct(text, b'-') && !d.gap_before)
                && toks
                    .get(i + 2)
                    .is_some_and(|n| n.class == Class::Digits && n.len() == 4 && !n.gap_before)
            {
                3
            } else {
                1
            }
        }
        Class::Mixed | Class::Alpha if (2..=4).contains(&w.len()) && w[0].is_ascii_alphabetic() => {
            // UK outward code + inward code "NW6 3RX", "tf1e 0ny"
            let out_ok = w.iter().any(u8::is_ascii_digit);
            // Canadian "N1H 3T5": letter-digit-letter, then digit-letter-digit.
            let ca_out = w.len() == 3
                && w[0].is_ascii_alphabetic()
                && w[1].is_ascii_digit()
                && w[2].is_ascii_alphabetic();
            let inward = toks.get(i + 1).is_some_and(|n| {
                let b = n.bytes(text);
                n.class == Class::Mixed
                    && b.len() == 3
                    && b[0].is_ascii_digit()
                    && (b[1..].iter().all(u8::is_ascii_alphabetic)
                        || ca_out && b[1].is_ascii_alphabetic() && b[2].is_ascii_digit())
            });
            if out_ok && inward {
                2
            } else {
                0
            }
        }
        _ => 0,
    };
    // Next to masked output ("4111 11** **** 1111") digits are remnants, not a postcode.
    // Checked last: this runs for every token and most are no postcode anyway.
    let near = &text[t.end as usize..(t.end as usize + 8).min(text.len())];
    if used == 0 || near.contains(&b'*') || text[..t.start as usize].ends_with(b"*") {
        return 0;
    }
    used
}

fn is_state(w: &[u8]) -> bool {
    w.len() == 2 && w.iter().all(u8::is_ascii_alphabetic)
}

/// Scan an address starting at token `s` (first content token). Returns byte range.
pub fn extend(text: &[u8], toks: &[Token], s: usize, need_suffix: bool) -> Option<(usize, usize)> {
    let mut i = s;
    let mut last_content = None;
    let mut post_end: Option<usize> = None;
    let mut has_digit = false;
    let mut alpha = 0;
    let mut has_suffix = false;
    let mut n = 0;
    while let Some(t) = toks.get(i) {
        let w = t.bytes(text);
        n += 1;
        if n > 22 {
            break;
        }
        if t.class == Class::Punct {
            let c = w.first().copied().unwrap_or(b' ');
            // Only separators that occur inside addresses keep it going.
            if !matches!(c, b',' | b'.' | b'-' | b'/' | b'#' | b'&' | b'\'' | b'\n') {
                break;
            }
            if c == b'.' {
                // abbreviation dot ("Apt.", "H.No.", "St.") vs sentence end
                let prev_short =
                    i > 0 && toks[i - 1].class != Class::Punct && toks[i - 1].len() <= 4;
                let next_lower_or_num = toks
                    .get(i + 1)
                    .is_some_and(|x| !x.gap_before || x.class == Class::Digits);
                if !(prev_short || next_lower_or_num)
                    || (post_end.is_some() && toks.get(i + 1).is_none_or(|x| x.gap_before))
                {
                    break;
                }
            }
            if c == b'\n' {
                break;
            }
            i += 1;
            continue;
        }
        if i > s && text[toks[i - 1].end as usize..t.start as usize].contains(&b'\n') {
            break;
        }
        if t.class == Class::Alpha && eq_any(w, STOPS) && i > s {
            break;
        }
        let pc = postcode(text, toks, i);
        if pc > 0 && i > s && (t.class != Class::Digits || alpha > 0) {
            post_end = Some(i + pc - 1);
            last_content = Some(i + pc - 1);
            has_digit = true;
            // Town after a continental postcode ("95788 Prenzlau"), not after a US state.
            let prev_state = i > 0 && is_state(toks[i - 1].bytes(text));
            i += pc;
            if !prev_state {
                let mut k = i;
                let mut town = 0;
                while let Some(x) = toks.get(k) {
                    if x.class != Class::Alpha
                        || eq_any(x.bytes(text), STOPS)
                        || is_common(x.bytes(text))
                        || !town_word(text, x)
                        || town >= 2
                    {
                        break;
                    }
                    town += 1;
                    k += 1;
                }
                if town > 0 {
                    last_content = Some(k - 1);
                    post_end = last_content;
                }
            }
            break;
        }
        match t.class {
            Class::Digits | Class::Mixed => has_digit = true,
            _ => {
                alpha += 1;
                if suffix(w) {
                    has_suffix = true;
                }
            }
        }
        last_content = Some(i);
        i += 1;
    }
    // No postcode, but "12 Elm St, Dayton, OH": a street with its suffix, then the town
    // and a written (upper-case) state code end the address.
    let post_end = post_end.or_else(|| {
        let l = last_content?;
        let lw = toks[l].bytes(text);
        let state = is_state(lw) && lw.iter().all(u8::is_ascii_uppercase);
        let after_comma = l > s && toks[l - 1].class == Class::Punct
            || l > s + 1 && toks[l - 1].class == Class::Alpha;
        (state && has_suffix && after_comma && l >= s + 4).then_some(l)
    });
    let end_tok = post_end?;
    if !has_digit || alpha < 1 || (need_suffix && !has_suffix) {
        return None;
    }
    if end_tok < s + 2 {
        return None;
    }
    Some((toks[s].start as usize, toks[end_tok].end as usize))
}

/// In address context only: "42 Elm Street [Apt 3]" without town or postcode.
pub fn street_only(text: &[u8], toks: &[Token], s: usize) -> Option<(usize, usize)> {
    let t = toks.get(s)?;
    if t.class != Class::Digits || t.len() > 5 {
        return None;
    }
    let mut k = s + 1;
    let mut end = None;
    while let Some(x) = toks.get(k) {
        if x.class != Class::Alpha || k - s > 5 || eq_any(x.bytes(text), STOPS) {
            break;
        }
        if suffix(x.bytes(text)) && k > s + 1 {
            end = Some(k);
        }
        k += 1;
    }
    let mut e = end?;
    // unit: "apt 3", "suite 200", "flat 2b"
    if toks.get(e + 1).is_some_and(|u| {
        eq_any(
            u.bytes(text),
            &["apt", "apartment", "suite", "unit", "flat", "floor"],
        )
    }) && toks.get(e + 2).is_some_and(|n| n.class != Class::Punct)
    {
        e += 2;
    }
    Some((toks[s].start as usize, toks[e].end as usize))
}

/// "send it to Lauren at 12 Elm St": the address starts after the addressee's "at";
/// likewise "ship it to 12 Elm St" when the cue ended before the verb: the address
/// starts after the last "at"/"to" before its first number.
pub fn skip_addressee(text: &[u8], toks: &[Token], k: usize) -> usize {
    let mut start = k;
    for j in k..(k + 8).min(toks.len()) {
        let t = toks[j];
        if t.class != Class::Alpha && t.class != Class::Punct {
            break;
        }
        if eq_any(t.bytes(text), &["at", "to"])
            && toks
                .get(j + 1)
                .is_some_and(|n| n.class == Class::Digits || n.bytes(text)[0].is_ascii_uppercase())
        {
            start = j + 1;
        }
    }
    start
}

/// Town words after a postcode: in cased text a town is capitalised ("10115 Berlin",
/// not "20095 Hamburg last year").
/// Parts of a hyphenated town ("Rolland-sur-Langlois") may be lower-case.
fn town_word(text: &[u8], t: &Token) -> bool {
    let w = t.bytes(text);
    let cased = text.iter().any(u8::is_ascii_uppercase);
    !cased || !t.gap_before || w[0].is_ascii_uppercase() || w[0] >= 0x80
}

/// Does the line that ends at token `k` hold a number (a house number: "12 Elm St")?
fn line_has_number(text: &[u8], toks: &[Token], k: usize) -> bool {
    let mut j = k + 1;
    while j > 0 {
        let t = toks[j - 1];
        if t.class == Class::Digits || t.class == Class::Mixed {
            return true;
        }
        if j >= 2 && text[toks[j - 2].end as usize..t.start as usize].contains(&b'\n') {
            return false;
        }
        j -= 1;
    }
    false
}

/// Join address parts that only a line break or a comma separates (a street line found
/// by one pass, its town and postcode by another): one address, one span.
pub fn merge(text: &[u8], pairs: &mut Vec<(usize, usize)>) {
    if pairs.len() < 2 {
        return;
    }
    pairs.sort_unstable();
    let mut w = 0;
    for r in 1..pairs.len() {
        let (s, e) = pairs[r];
        let (_, pe) = pairs[w];
        // Overlapping candidates are left to the overlap resolution (the longest wins);
        // only separate pieces with nothing but a line break or comma between are joined.
        let joined = s >= pe
            && text[pe..s]
                .iter()
                .all(|&c| c == b'\n' || c == b' ' || c == b',' || c == b'\r');
        if joined {
            pairs[w].1 = pe.max(e);
        } else {
            w += 1;
            pairs[w] = (s, e);
        }
    }
    pairs.truncate(w + 1);
}

/// Context-free addresses: house number + street with suffix + postcode.
pub fn free(text: &[u8], toks: &[Token], out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if t.class == Class::Digits && t.len() <= 5 {
            // a street word with a suffix within the next 4 tokens
            let has = (i + 1..(i + 5).min(toks.len()))
                .any(|k| toks[k].class == Class::Alpha && suffix(toks[k].bytes(text)))
                && toks
                    .get(i + 1)
                    .is_some_and(|n| n.class == Class::Alpha && !is_common(n.bytes(text)));
            if has {
                if let Some((s, e)) = extend(text, toks, i, true) {
                    out.push((s, e));
                    while i < toks.len() && (toks[i].end as usize) <= e {
                        i += 1;
                    }
                    continue;
                }
            }
        }
        i += 1;
    }
}

/// First content token at or after `k` (skipping "is", "as", ":", "the", fillers).
pub fn content_start(text: &[u8], toks: &[Token], mut k: usize) -> usize {
    while let Some(t) = toks.get(k) {
        let w = t.bytes(text);
        let skip = t.class == Class::Punct && !t.is_punct(text, b'#')
            || eq_any(
                w,
                &[
                    "is",
                    "as",
                    "it's",
                    "its",
                    "it",
                    "the",
                    "at",
                    "to",
                    "on",
                    "file",
                    "sure",
                    "yeah",
                    "yes",
                    "okay",
                    "ok",
                    "so",
                    "well",
                    "uh",
                    "um",
                    "like",
                    "please",
                    "send",
                    "address",
                    "new",
                    "i'm",
                    "now",
                    "that",
                    "our",
                    "my",
                    "your",
                    "billing",
                    "home",
                    "shipping",
                    "mailing",
                    "postal",
                    "current",
                    "registered",
                    "you",
                    "know",
                    "let",
                    "me",
                    "see",
                    "there",
                ],
            );
        if !skip {
            break;
        }
        if eq(w, "at") || eq(w, "to") || eq(w, "is") || eq(w, "as") {
            // continue; the address starts after these
        }
        k += 1;
    }
    k
}

const BACK_STOPS: &[&str] = &[
    "at",
    "to",
    "is",
    "as",
    "address",
    "it's",
    "its",
    "hi",
    "hello",
    "there",
    "team",
    "send",
    "please",
    "moved",
    "live",
    "now",
    "that's",
    "my",
    "i",
    "i'm",
    "and",
    "the",
    "was",
    "yes",
    "yeah",
    "okay",
    "ok",
    "sure",
    "so",
    "well",
    "uh",
    "um",
    "like",
    "you",
    "know",
    "see",
    "let",
    "me",
    "file",
    "on",
    "of",
    "in",
    "currently",
    "new",
    "shows",
    "your",
    "our",
    "we",
    "have",
    "number",
    "says",
    "order",
    "tracking",
    "parcel",
    "reference",
    "ticket",
    "case",
    "item",
    "model",
    "invoice",
    "placed",
    "delivered",
    "scanned",
    "account",
    "phone",
    "call",
    "reach",
];

/// Postcode-anchored addresses: every postcode in the turn is walked back to
/// the start of its clause. `strict` (no context) also needs a street suffix
/// or a leading house number at a line start.
pub fn anchored(text: &[u8], toks: &[Token], strict: bool, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < toks.len() {
        let pc = postcode(text, toks, i);
        let date_part = toks
            .get(i + 1)
            .is_some_and(|n| (n.is_punct(text, b'-') || n.is_punct(text, b'/')) && !n.gap_before)
            && toks
                .get(i + 2)
                .is_some_and(|n| n.class == Class::Digits && !n.gap_before);
        if pc == 0 || i == 0 || date_part {
            i += 1;
            continue;
        }
        // walk back
        let mut s = i;
        let mut alpha = 0;
        let mut has_suffix = false;
        let mut crossings = 0;
        while s > 0 && i - s < 16 {
            let p = toks[s - 1];
            let w = p.bytes(text);
            if text[p.end as usize..toks[s].start as usize].contains(&b'\n') {
                // Multi-line addresses: cross a line break when the line above ends in a
                // street word ("9 Poplar Place\nLeeds LS6 2AB") or the line below holds
                // only the town ("…\nLeeds\nLS6 2AB").
                let town_line = i - s <= 4
                    && toks[s..i].iter().all(|x| {
                        x.is_punct(text, b',')
                            || x.class == Class::Alpha && x.bytes(text)[0].is_ascii_uppercase()
                    });
                // The line above ends in a street word ("Elm St", "Elm St.") or a unit
                // ("…, Apt 4B", "Suite 210").
                let before = if s >= 2 { toks[s - 2].bytes(text) } else { b"" };
                let street_above = line_has_number(text, toks, s - 1)
                    && (p.class == Class::Alpha && suffix(w)
                        || p.is_punct(text, b'.') && suffix(before)
                        || p.class != Class::Punct
                            && p.class != Class::Alpha
                            && eq_any(
                                before,
                                &["apt", "apartment", "suite", "unit", "flat", "floor"],
                            ));
                let salutation = p.is_punct(text, b',') || p.is_punct(text, b':');
                if crossings < 2
                    && (street_above || town_line)
                    && !salutation
                    && !eq_any(w, BACK_STOPS)
                {
                    crossings += 1;
                } else {
                    break;
                }
            }
            if p.class == Class::Punct {
                let c = w.first().copied().unwrap_or(b' ');
                if c == b'.' {
                    // abbreviation ("Apt.", "H.No.", "Str.") vs sentence end
                    let short = s >= 2 && toks[s - 2].class != Class::Punct && {
                        let pw = toks[s - 2].bytes(text);
                        pw.len() <= 4 || pw.ends_with(b"str") || pw.ends_with(b"Str")
                    };
                    if !short {
                        break;
                    }
                } else if !matches!(c, b',' | b'-' | b'/' | b'#' | b'&' | b'\'') {
                    break;
                }
                s -= 1;
                continue;
            }
            // A state code before the postcode; in cased text written in capitals ("VIC
            // 3065"), so that "ship it to 3270 Elm St" does not read "to" as a state.
            let state_slot = s == i
                && is_state(w)
                && (w.iter().all(u8::is_ascii_uppercase)
                    || !text.iter().any(u8::is_ascii_uppercase));
            if p.class == Class::Alpha
                && !state_slot
                && eq_any(w, BACK_STOPS)
                && !(s < i && eq_any(w, &["de", "del", "la", "le", "des", "du", "van", "von"]))
            {
                break;
            }
            if p.class == Class::Alpha {
                alpha += 1;
                has_suffix |= suffix(w);
            }
            s -= 1;
        }
        while s < i && toks[s].class == Class::Punct {
            s += 1;
        }
        // "the old flat, 71 Sycamore Lane, …": words before a comma that holds no number,
        // followed by a house number, describe the address and are not part of it.
        if let Some(c) = (s..i).find(|&c| toks[c].is_punct(text, b',')) {
            let no_digit = toks[s..c]
                .iter()
                .all(|x| x.class == Class::Alpha || x.class == Class::Punct);
            let flat = eq_any(
                toks[s].bytes(text),
                &["flat", "apt", "unit", "suite", "apartment"],
            );
            if no_digit && !flat && toks.get(c + 1).is_some_and(|n| n.class == Class::Digits) {
                alpha -= toks[s..c]
                    .iter()
                    .filter(|x| x.class == Class::Alpha)
                    .count();
                s = c + 1;
            }
        }
        let mut e = i + pc - 1;
        let prev_state = is_state(toks[i - 1].bytes(text));
        if !prev_state {
            let mut k = e + 1;
            let mut town = 0;
            while let Some(x) = toks.get(k) {
                let ok_gap = !text[toks[k - 1].end as usize..x.start as usize].contains(&b'\n');
                if x.class == Class::Punct && x.is_punct(text, b'-') && !x.gap_before && town > 0 {
                    k += 1;
                    continue;
                }
                if !ok_gap
                    || x.class != Class::Alpha
                    || eq_any(x.bytes(text), STOPS)
                    || is_common(x.bytes(text))
                    || !town_word(text, x)
                    || town >= 3
                {
                    break;
                }
                town += 1;
                alpha += 1;
                e = k;
                k += 1;
            }
        }
        let line_start = s == 0
            || text[..toks[s].start as usize].ends_with(b"\n")
            || text[toks[s - 1].end as usize..toks[s].start as usize].contains(&b'\n');
        let starts_num = toks[s].class == Class::Digits
            || eq_any(
                toks[s].bytes(text),
                &["flat", "apt", "unit", "h", "studio", "suite", "house", "no"],
            );
        let commas = toks[s..i].iter().filter(|t| t.is_punct(text, b',')).count();
        // Several lines are one address only with a street line in them.
        let ok = alpha >= 2
            && i - s >= 2
            && (crossings == 0
                || toks[s..i]
                    .iter()
                    .any(|x| x.class == Class::Digits || x.class == Class::Mixed))
            && (!strict
                || (has_suffix && (starts_num || line_start || commas >= 1))
                || (starts_num && alpha >= 2 && (line_start || commas >= 1)));
        if ok {
            out.push((toks[s].start as usize, toks[e].end as usize));
            i = e + 1;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str, strict: bool) -> Vec<&str> {
        let mut t = Vec::new();
        crate::text::tokenize(s, &mut t);
        let mut o = Vec::new();
        anchored(s.as_bytes(), &t, strict, &mut o);
        o.iter().map(|&(x, y)| &s[x..y]).collect()
    }

    #[test]
    fn anchored_addresses() {
        assert_eq!(
            a(
                "Thank you,\nNuria Larrea\nAcceso de Lara Cañellas 11, Huesca, 01167",
                true
            ),
            vec!["Acceso de Lara Cañellas 11, Huesca, 01167"]
        );
        assert_eq!(
            a("please send it to Stahrgasse 3165, 95788 Prenzlau.", false),
            vec!["Stahrgasse 3165, 95788 Prenzlau"]
        );
        assert_eq!(
            a("it's 7971 hayes plain suite 553 codyburgh ok 17941", false),
            vec!["7971 hayes plain suite 553 codyburgh ok 17941"]
        );
        assert_eq!(
            a("Regards, Ann Lee\n12 Baker Street, London NW1 6XE", true),
            vec!["12 Baker Street, London NW1 6XE"]
        );
        assert!(a("I was charged 1250 dollars on 12345", true).is_empty());
    }
}
