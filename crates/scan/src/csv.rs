//! CSV cells that are safe to open in a spreadsheet: one function for every CSV writer
//! of the product (`righttrack scan --format csv` and every export of the web app).
//!
//! A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a
//! formula by spreadsheet programs (OWASP "CSV injection"); such a cell gets a leading
//! `'` so it shows as the text it is. Pure; lives here, the lowest crate, so that the
//! batch tool and the web exports share it.

use std::borrow::Cow;

/// The first characters a spreadsheet may read as the start of a formula.
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` with a leading `'` when it could be read as a formula.
pub fn defuse(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_START) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// One cell, defused and quoted only when it holds a comma, a quote or a line break.
pub fn cell(s: &str) -> String {
    let s = defuse(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// One cell, defused and always quoted.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", defuse(s).replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_defused() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1"] {
            assert!(cell(s).trim_start_matches('"').starts_with('\''), "{s:?}");
            assert!(quoted(s).starts_with("\"'"), "{s:?}");
        }
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
