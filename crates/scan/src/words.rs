//! Small closed word lists: spoken numbers, months, fillers, and the common words
//! that can never be part of a person's name or a street name.
//!
//! Lookups are linear over short static slices with ASCII case folding; they
//! run only on candidate tokens next to a trigger, never on every token.

use crate::text::eq;

/// Value of a spoken digit word ("oh" is zero in digit strings).
pub fn digit_word(w: &[u8]) -> Option<u8> {
    const W: [(&str, u8); 12] = [
        ("zero", 0),
        ("oh", 0),
        ("o", 0),
        ("nought", 0),
        ("one", 1),
        ("two", 2),
        ("three", 3),
        ("four", 4),
        ("five", 5),
        ("six", 6),
        ("seven", 7),
        ("eight", 8),
    ];
    if eq(w, "nine") {
        return Some(9);
    }
    W.iter().find(|(s, _)| eq(w, s)).map(|&(_, v)| v)
}

/// "double" → 2, "triple" → 3.
pub fn repeat_word(w: &[u8]) -> Option<usize> {
    if eq(w, "double") {
        Some(2)
    } else if eq(w, "triple") {
        Some(3)
    } else {
        None
    }
}

/// Hesitations that ASR keeps inside spoken numbers.
pub fn is_filler(w: &[u8]) -> bool {
    crate::text::eq_any(w, &["uh", "um", "er", "erm", "ah", "hmm", "uhm"])
}

/// 10..=19 and the tens, as spoken.
pub fn number_word(w: &[u8]) -> Option<u32> {
    const W: [(&str, u32); 18] = [
        ("ten", 10),
        ("eleven", 11),
        ("twelve", 12),
        ("thirteen", 13),
        ("fourteen", 14),
        ("fifteen", 15),
        ("sixteen", 16),
        ("seventeen", 17),
        ("eighteen", 18),
        ("nineteen", 19),
        ("twenty", 20),
        ("thirty", 30),
        ("forty", 40),
        ("fifty", 50),
        ("sixty", 60),
        ("seventy", 70),
        ("eighty", 80),
        ("ninety", 90),
    ];
    if let Some(d) = digit_word(w) {
        if !eq(w, "o") {
            return Some(u32::from(d));
        }
    }
    W.iter().find(|(s, _)| eq(w, s)).map(|&(_, v)| v)
}

/// Ordinal words ("first" … "thirtieth") and their values.
pub fn ordinal_word(w: &[u8]) -> Option<u32> {
    const W: [(&str, u32); 21] = [
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("fourth", 4),
        ("fifth", 5),
        ("sixth", 6),
        ("seventh", 7),
        ("eighth", 8),
        ("ninth", 9),
        ("tenth", 10),
        ("eleventh", 11),
        ("twelfth", 12),
        ("thirteenth", 13),
        ("fourteenth", 14),
        ("fifteenth", 15),
        ("sixteenth", 16),
        ("seventeenth", 17),
        ("eighteenth", 18),
        ("nineteenth", 19),
        ("twentieth", 20),
        ("thirtieth", 30),
    ];
    W.iter().find(|(s, _)| eq(w, s)).map(|&(_, v)| v)
}

/// Month number for a month name or abbreviation.
pub fn month(w: &[u8]) -> Option<u32> {
    const M: [(&str, &str); 12] = [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may", "may"),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ];
    for (i, (full, abbr)) in M.iter().enumerate() {
        if eq(w, full) || eq(w, abbr) || (i == 8 && eq(w, "sept")) {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// Common words that are never (part of) a person's name in our triggers.
/// Used to stop name capture ("hi i'm george lee I need ..." stops at "i").
pub fn is_common(w: &[u8]) -> bool {
    if w.len() > 12 {
        return false;
    }
    let mut buf = [0u8; 12];
    let n = w.len();
    for (d, s) in buf.iter_mut().zip(w) {
        *d = s.to_ascii_lowercase();
    }
    let lw = &buf[..n];
    COMMON.binary_search_by(|c| c.as_bytes().cmp(lw)).is_ok()
}

/// Sorted (byte order) list used by [`is_common`].
static COMMON: &[&str] = &[
    "a",
    "about",
    "account",
    "actually",
    "add",
    "after",
    "again",
    "ago",
    "alright",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anyone",
    "anything",
    "are",
    "as",
    "at",
    "back",
    "bank",
    "be",
    "because",
    "been",
    "before",
    "being",
    "best",
    "billing",
    "born",
    "but",
    "by",
    "calling",
    "can",
    "card",
    "cards",
    "charged",
    "checking",
    "close",
    "code",
    "could",
    "customer",
    "date",
    "dear",
    "did",
    "do",
    "doing",
    "done",
    "email",
    "fine",
    "for",
    "from",
    "get",
    "go",
    "going",
    "good",
    "got",
    "great",
    "had",
    "has",
    "have",
    "having",
    "he",
    "hello",
    "help",
    "her",
    "here",
    "hey",
    "hi",
    "him",
    "his",
    "how",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "if",
    "in",
    "interested",
    "is",
    "it",
    "it's",
    "just",
    "know",
    "like",
    "looking",
    "made",
    "make",
    "many",
    "may",
    "me",
    "mine",
    "more",
    "moved",
    "much",
    "my",
    "need",
    "new",
    "no",
    "not",
    "now",
    "number",
    "of",
    "off",
    "oh",
    "ok",
    "okay",
    "on",
    "one",
    "only",
    "or",
    "our",
    "out",
    "over",
    "phone",
    "please",
    "pleased",
    "really",
    "regards",
    "right",
    "said",
    "same",
    "see",
    "she",
    "should",
    "sincerely",
    "so",
    "someone",
    "sorry",
    "speaking",
    "still",
    "sure",
    "team",
    "tell",
    "thank",
    "thanks",
    "that",
    "that's",
    "the",
    "their",
    "them",
    "then",
    "there",
    "they",
    "this",
    "through",
    "to",
    "today",
    "too",
    "trying",
    "uh",
    "um",
    "up",
    "us",
    "very",
    "wait",
    "want",
    "wanted",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "who",
    "why",
    "wife",
    "will",
    "with",
    "would",
    "yeah",
    "yes",
    "yet",
    "you",
    "your",
    "yours",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_list_is_sorted() {
        let mut v = COMMON.to_vec();
        v.sort_unstable();
        assert_eq!(v, COMMON);
        assert!(is_common(b"The"));
        assert!(!is_common(b"baird"));
    }

    #[test]
    fn spoken_numbers() {
        assert_eq!(digit_word(b"Oh"), Some(0));
        assert_eq!(number_word(b"twenty"), Some(20));
        assert_eq!(month(b"Sept"), Some(9));
        assert_eq!(ordinal_word(b"sixteenth"), Some(16));
    }
}
