//! E-mail addresses, written (`a.b@c.de`) or spoken ("john dot smith at gmail dot com").
//!
//! Written: expand left and right of each `@` over address bytes (memchr finds
//! the `@`, so turns without one cost one scan). Spoken: an "at" followed by a
//! domain word and one or more "dot `label`" where the last label is a known
//! top-level domain; the local part is taken backwards over words joined by
//! "dot", "underscore", "dash" and trailing spoken digits.

use crate::text::{eq, eq_any, Class, Token};
use crate::words::digit_word;

fn local_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

fn domain_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}

/// Written addresses: pushes (start, end).
pub fn written(text: &[u8], out: &mut Vec<(usize, usize)>) {
    let mut from = 0;
    while let Some(p) = memchr(b'@', &text[from..]) {
        let at = from + p;
        from = at + 1;
        let mut s = at;
        while s > 0 && local_byte(text[s - 1]) {
            s -= 1;
        }
        while s < at && matches!(text[s], b'.' | b'-' | b'\'') {
            s += 1;
        }
        let mut e = at + 1;
        while e < text.len() && domain_byte(text[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(text[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let dom = &text[at + 1..e];
        let Some(dot) = dom.iter().rposition(|&c| c == b'.') else {
            continue;
        };
        let tld = &dom[dot + 1..];
        if s < at && dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) {
            out.push((s, e));
        }
    }
}

fn memchr(c: u8, h: &[u8]) -> Option<usize> {
    h.iter().position(|&x| x == c)
}

const TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "io", "co", "uk", "de", "fr", "es", "it", "nl", "be", "ch",
    "at", "in", "ca", "au", "us", "ie", "mx", "br", "info", "biz", "me", "pt", "pl", "se", "no",
    "dk", "fi", "jp", "cn", "ru", "eu", "nz", "za", "sg", "hk",
];

fn connector(w: &[u8]) -> bool {
    eq_any(w, &["dot", "underscore", "dash", "hyphen", "point"])
}

/// Spoken addresses: "x dot y at domain dot tld".
pub fn spoken(text: &[u8], toks: &[Token], out: &mut Vec<(usize, usize)>) {
    for i in 1..toks.len() {
        let t = toks[i];
        if t.class != Class::Alpha || !eq(t.bytes(text), "at") {
            continue;
        }
        // Domain: word (dot word)+ with a known TLD at the end.
        let mut j = i + 1;
        let Some(d) = toks.get(j) else { continue };
        if d.class == Class::Punct {
            continue;
        }
        j += 1;
        // "club-internet": hyphenated domain labels
        while toks
            .get(j)
            .is_some_and(|h| h.is_punct(text, b'-') && !h.gap_before)
            && toks
                .get(j + 1)
                .is_some_and(|x| x.class != Class::Punct && !x.gap_before)
        {
            j += 2;
        }
        let mut end_tok = None;
        while let (Some(dt), Some(lab)) = (toks.get(j), toks.get(j + 1)) {
            let dw = dt.bytes(text);
            // "dot", or a glued "." in "gmail.com" (not "h.no": the domain needs 3+ letters)
            let glued_dot =
                dt.is_punct(text, b'.') && !dt.gap_before && !lab.gap_before && d.len() >= 3;
            if !(eq(dw, "dot") || glued_dot) || lab.class != Class::Alpha {
                break;
            }
            if eq_any(lab.bytes(text), TLDS) {
                end_tok = Some(j + 1);
            }
            j += 2;
        }
        let Some(end_tok) = end_tok else { continue };
        // Local part, backwards.
        let mut k = i - 1;
        let mut start_tok = i;
        // trailing spoken digits ("jonathanbaird 2 4")
        loop {
            let w = toks[k].bytes(text);
            let is_digit = toks[k].class == Class::Digits
                || (toks[k].class == Class::Alpha && digit_word(w).is_some() && w.len() > 1);
            if !is_digit || k == 0 {
                break;
            }
            start_tok = k;
            k -= 1;
        }
        let w = toks[k].bytes(text);
        if toks[k].class == Class::Punct
            || eq_any(
                w,
                &[
                    "me", "is", "use", "it's", "its", "email", "address", "to", "on", "be",
                ],
            )
        {
            if start_tok == i {
                continue;
            }
        } else {
            start_tok = k;
            // connectors
            while k >= 2 && connector(toks[k - 1].bytes(text)) && toks[k - 2].class != Class::Punct
            {
                let pw = toks[k - 2].bytes(text);
                if eq_any(pw, &["is", "it's", "me", "use"]) {
                    break;
                }
                k -= 2;
                start_tok = k;
            }
        }
        out.push((toks[start_tok].start as usize, toks[end_tok].end as usize));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: &str) -> Vec<&str> {
        let mut t = Vec::new();
        crate::text::tokenize(s, &mut t);
        let mut o = Vec::new();
        spoken(s.as_bytes(), &t, &mut o);
        written(s.as_bytes(), &mut o);
        o.iter().map(|&(a, b)| &s[a..b]).collect()
    }

    #[test]
    fn emails() {
        assert_eq!(
            sp("email me at jonathanbaird 2 4 at yahoo dot com"),
            vec!["jonathanbaird 2 4 at yahoo dot com"]
        );
        assert_eq!(
            sp("it's b dot stiffel at aol dot de"),
            vec!["b dot stiffel at aol dot de"]
        );
        assert_eq!(
            sp("you can use benton underscore christopher at gmail dot com."),
            vec!["benton underscore christopher at gmail dot com"]
        );
        assert_eq!(
            sp("Email me at r.delmas@live.com."),
            vec!["r.delmas@live.com"]
        );
        assert_eq!(
            sp("bethanyoung 4 4 at hotmail dot co dot uk"),
            vec!["bethanyoung 4 4 at hotmail dot co dot uk"]
        );
        assert!(sp("we met at noon").is_empty());
    }
}
