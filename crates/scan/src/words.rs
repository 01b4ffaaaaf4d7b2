//! Small closed word lists: spoken numbers, months, fillers, and the common words
//! that can never be part of a person's name or a street name.
//!
//! Lookups are linear over short static slices with ASCII case folding; they
//! run only on candidate tokens next to a trigger, never on every token.

use crate::text::eq;
use crate::wordlists::{
    AMBIGUOUS_NAME_WORDS, CENSUS_FIRST_NAMES, CENSUS_SURNAMES, NAME_EXTRA_STOP, PLACE_HEADS,
    STREET_SUFFIXES, TITLES,
};

/// Value of a spoken digit word ("oh" is zero in digit strings).
fn digit_word_slow(w: &[u8]) -> Option<u8> {
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
fn repeat_word_slow(w: &[u8]) -> Option<usize> {
    if eq(w, "double") {
        Some(2)
    } else if eq(w, "triple") {
        Some(3)
    } else {
        None
    }
}

/// Hesitations that ASR keeps inside spoken numbers.
fn is_filler_slow(w: &[u8]) -> bool {
    crate::text::eq_any(w, &["uh", "um", "er", "erm", "ah", "hmm", "uhm"])
}

/// 10..=19 and the tens, as spoken.
fn number_word_slow(w: &[u8]) -> Option<u32> {
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
    if let Some(d) = digit_word_slow(w) {
        if !eq(w, "o") {
            return Some(u32::from(d));
        }
    }
    W.iter().find(|(s, _)| eq(w, s)).map(|&(_, v)| v)
}

/// Ordinal words ("first" … "thirtieth") and their values.
fn ordinal_word_slow(w: &[u8]) -> Option<u32> {
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
fn month_slow(w: &[u8]) -> Option<u32> {
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
    fn lexicon_is_case_blind() {
        assert_eq!(digit_word(b"FIVE"), Some(5));
        assert_eq!(month(b"Oct"), Some(10));
        assert_eq!(repeat_word(b"Triple"), Some(3));
        assert!(is_filler(b"Um"));
        assert!(digit_word(b"fivefivefivefivefive").is_none());
        assert_eq!(
            ascii_lower_u64(u64::from_le_bytes(*b"AZaz@[`{")),
            u64::from_le_bytes(*b"azaz@[`{")
        );
    }

    #[test]
    fn spoken_numbers() {
        assert_eq!(digit_word(b"Oh"), Some(0));
        assert_eq!(number_word(b"twenty"), Some(20));
        assert_eq!(month(b"Sept"), Some(9));
        assert_eq!(ordinal_word(b"sixteenth"), Some(16));
    }
}

/// FNV-1a: tokens are short, so a simple multiplicative hash beats SipHash.
#[derive(Default, Clone, Copy)]
pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write_u128(&mut self, v: u128) {
        // One multiply-fold for packed words (the lexicon's keys).
        let x = (v as u64) ^ ((v >> 64) as u64).rotate_left(29);
        let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15u128;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Build hasher for [`Fnv`].
pub type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// Lexical flags of a token (computed once per token, read by every detector).
pub mod lex {
    /// Spoken digit; value in bits 0..4.
    pub const DIGIT: u32 = 1 << 8;
    /// "double"/"triple"; count in bits 0..4.
    pub const REPEAT: u32 = 1 << 9;
    /// Number word (10..90 or a digit word other than "o").
    pub const NUMBER: u32 = 1 << 10;
    /// Ordinal word.
    pub const ORDINAL: u32 = 1 << 11;
    /// Month name; month in bits 4..8.
    pub const MONTH: u32 = 1 << 12;
    /// ASR hesitation.
    pub const FILLER: u32 = 1 << 13;
    /// Date glue word ("of", "the", "slash", "thousand").
    pub const GLUE: u32 = 1 << 14;
    /// Common word (never part of a name).
    pub const COMMON: u32 = 1 << 15;
    /// First word of a name trigger.
    pub const NAME_TRIGGER: u32 = 1 << 16;
    /// Street suffix / street type ("road", "gasse", "calle").
    pub const SUFFIX: u32 = 1 << 17;
    /// Word that ends a name capture.
    pub const NAME_STOP: u32 = 1 << 18;
    /// Common given name (small multicultural list; used in cased text only).
    pub const FIRST_NAME: u32 = 1 << 19;
    /// Given name of the census lists (evidence only with context).
    pub const CENSUS_FIRST: u32 = 1 << 20;
    /// Surname of the census lists (evidence only with context).
    pub const SURNAME: u32 = 1 << 21;
    /// Name that is also an ordinary word, a place or a product: needs stronger evidence.
    pub const AMBIGUOUS_NAME: u32 = 1 << 22;
    /// Head noun of a place or organisation name ("Park", "Station", "Bank").
    pub const PLACE_HEAD: u32 = 1 << 23;
}

/// Token → flags map for the closed vocabulary of the detectors.
#[derive(Debug, Clone)]
pub struct Lexicon {
    map: std::collections::HashMap<u128, u32, FnvBuild>,
}

impl Lexicon {
    /// Build the lexicon from the word lists of this module.
    pub fn new(name_triggers: &[&str], stops: &[&str]) -> Self {
        let mut l = Lexicon {
            map: Default::default(),
        };
        let words: &[&str] = &[
            "zero",
            "oh",
            "o",
            "nought",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "double",
            "triple",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
            "thirty",
            "forty",
            "fifty",
            "sixty",
            "seventy",
            "eighty",
            "ninety",
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
            "thirtieth",
            "january",
            "jan",
            "february",
            "feb",
            "march",
            "mar",
            "april",
            "apr",
            "may",
            "june",
            "jun",
            "july",
            "jul",
            "august",
            "aug",
            "september",
            "sep",
            "sept",
            "october",
            "oct",
            "november",
            "nov",
            "december",
            "dec",
            "uh",
            "um",
            "er",
            "erm",
            "ah",
            "hmm",
            "uhm",
            "of",
            "the",
            "slash",
            "thousand",
        ];
        for w in words {
            let b = w.as_bytes();
            let mut f = 0u32;
            if let Some(d) = digit_word_slow(b) {
                f |= lex::DIGIT | u32::from(d);
            }
            if let Some(k) = repeat_word_slow(b) {
                f |= lex::REPEAT | k as u32;
            }
            if number_word_slow(b).is_some() {
                f |= lex::NUMBER;
            }
            if ordinal_word_slow(b).is_some() {
                f |= lex::ORDINAL;
            }
            if let Some(m) = month_slow(b) {
                f |= lex::MONTH | (m << 4);
            }
            if is_filler_slow(b) {
                f |= lex::FILLER;
            }
            if matches!(*w, "of" | "the" | "slash" | "thousand") {
                f |= lex::GLUE;
            }
            l.add(w, f);
        }
        for w in COMMON.iter().chain(stops) {
            l.add(w, lex::COMMON);
        }
        for w in name_triggers {
            l.add(w, lex::NAME_TRIGGER);
        }
        l
    }

    /// Add flags to a word.
    pub fn add(&mut self, w: &str, f: u32) {
        if let Some(k) = key(w.as_bytes()) {
            *self.map.entry(k).or_insert(0) |= f;
        }
    }

    /// Flags of a word (0 when unknown).
    #[inline]
    pub fn get(&self, w: &[u8]) -> u32 {
        key(w).and_then(|k| self.map.get(&k).copied()).unwrap_or(0)
    }
}

/// Lower-cased word packed into a u128 (words longer than 16 bytes have no key).
/// Also the key of the phrase index of [`crate::rules`].
#[inline]
pub fn key(w: &[u8]) -> Option<u128> {
    if w.is_empty() || w.len() > 16 {
        return None;
    }
    // Packing by fixed-size loads rather than `copy_from_slice` into a zeroed
    // array: a variable-length copy compiles to a `memcpy` call, which cost about
    // 5 % of a scan (this runs several times for every token).
    let (a, b) = w.split_at(w.len().min(8));
    // ASCII lower-casing of all 16 bytes at once: set bit 5 of A..Z only.
    let lo = ascii_lower_u64(load_le(a));
    let hi = ascii_lower_u64(load_le(b));
    Some(u128::from(lo) | (u128::from(hi) << 64))
}

/// Up to 8 bytes as a little-endian u64 (zero-padded), with at most two
/// overlapping fixed-size loads: a byte read twice lands at the same place.
#[inline]
fn load_le(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let head = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let t = n.min(8) - 4;
        let tail = u32::from_le_bytes([b[t], b[t + 1], b[t + 2], b[t + 3]]);
        u64::from(head) | (u64::from(tail) << (8 * t))
    } else if n > 0 {
        u64::from(b[0])
            | (u64::from(b[n / 2]) << (8 * (n / 2)))
            | (u64::from(b[n - 1]) << (8 * (n - 1)))
    } else {
        0
    }
}

#[cfg(test)]
mod key_tests {
    /// The packed key is the zero-padded, ASCII-lowercased bytes, for every length.
    #[test]
    fn key_is_padded_lowercase_bytes() {
        let src = "AbCdEfGhIjKlMnOpQ\u{e9}Z'x";
        for from in 0..4 {
            for len in 0..=18 {
                let w = &src.as_bytes()[from..(from + len).min(src.len())];
                let want = (!w.is_empty() && w.len() <= 16).then(|| {
                    let mut k = [0u8; 16];
                    k[..w.len()].copy_from_slice(w);
                    k.make_ascii_lowercase();
                    u128::from_le_bytes(k)
                });
                assert_eq!(super::key(w), want, "{w:?}");
            }
        }
    }
}

#[inline]
fn ascii_lower_u64(x: u64) -> u64 {
    // SWAR: bytes in 0x41..=0x5A get 0x20 added.
    const H: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let heptets = x & !H;
    let ge_a = heptets.wrapping_add(ONES * (0x80 - 0x41)) & H;
    let gt_z = heptets.wrapping_add(ONES * (0x80 - 0x5B)) & H;
    let is_upper = ge_a & !gt_z & !x;
    x | (is_upper >> 2)
}

/// First words of the name triggers of [`crate::pii::names`]; the titles ("mr",
/// "señora", ...) are triggers too and come from [`crate::wordlists::TITLES`].
pub const NAME_TRIGGERS: &[&str] = &[
    "my",
    "holder",
    "bye",
    "this",
    "i'm",
    "i",
    "it's",
    "its",
    "through",
    "chatting",
    "speaking",
    "speak",
    "name",
    "add",
    "here",
    "dear",
    "hello",
    "hi",
    "hey",
    "kind",
    "best",
    "warm",
    "many",
    "thank",
    "regards",
    "sincerely",
    "thanks",
    "cheers",
    "cordially",
    "mi",
    "me",
    "je",
    "ich",
    "mein",
    "meu",
];

fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let mut l = Lexicon::new(NAME_TRIGGERS, &[]);
        for w in TITLES {
            l.add(w, lex::NAME_TRIGGER);
        }
        for w in FIRST_NAMES {
            l.add(w, lex::FIRST_NAME);
        }
        for w in STREET_SUFFIXES {
            l.add(w, lex::SUFFIX);
        }
        for w in NAME_EXTRA_STOP.iter().chain(COMMON) {
            l.add(w, lex::NAME_STOP);
        }
        for w in AMBIGUOUS_NAME_WORDS {
            l.add(w, lex::AMBIGUOUS_NAME);
        }
        for w in PLACE_HEADS {
            l.add(w, lex::PLACE_HEAD);
        }
        l
    })
}

/// Census name knowledge (about 7,500 words), kept apart from [`lexicon`] so that
/// the lookups every detector makes for every token stay in a small, cache-resident
/// table; only capitalised candidates in cased text consult this one. Built once per
/// process on first use, like the lexicon (one hash insert per name, well under a
/// millisecond).
fn census() -> &'static std::collections::HashMap<u128, u32, FnvBuild> {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<u128, u32, FnvBuild>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut m = std::collections::HashMap::<u128, u32, FnvBuild>::default();
        for (list, f) in [
            (CENSUS_FIRST_NAMES, lex::CENSUS_FIRST),
            (CENSUS_SURNAMES, lex::SURNAME),
        ] {
            for w in list.lines() {
                if let Some(k) = key(w.as_bytes()) {
                    *m.entry(k).or_insert(0) |= f;
                }
            }
        }
        m
    })
}

/// Census flags of a word ([`lex::CENSUS_FIRST`], [`lex::SURNAME`]; 0 when unknown).
#[inline]
pub fn name_flags(w: &[u8]) -> u32 {
    key(w).and_then(|k| census().get(&k).copied()).unwrap_or(0)
}

/// Value of a spoken digit word ("oh" is zero in digit strings).
#[inline]
pub fn digit_word(w: &[u8]) -> Option<u8> {
    let f = lexicon().get(w);
    (f & lex::DIGIT != 0).then_some((f & 0xF) as u8)
}

/// "double" → 2, "triple" → 3.
#[inline]
pub fn repeat_word(w: &[u8]) -> Option<usize> {
    let f = lexicon().get(w);
    (f & lex::REPEAT != 0).then_some((f & 0xF) as usize)
}

/// Hesitations that ASR keeps inside spoken numbers.
#[inline]
pub fn is_filler(w: &[u8]) -> bool {
    lexicon().get(w) & lex::FILLER != 0
}

/// 0..=19 and the tens, as spoken.
#[inline]
pub fn number_word(w: &[u8]) -> Option<u32> {
    if lexicon().get(w) & lex::NUMBER == 0 {
        return None;
    }
    number_word_slow(w)
}

/// Ordinal words ("first" … "thirtieth") and their values.
#[inline]
pub fn ordinal_word(w: &[u8]) -> Option<u32> {
    if lexicon().get(w) & lex::ORDINAL == 0 {
        return None;
    }
    ordinal_word_slow(w)
}

/// Month number for a month name or abbreviation.
#[inline]
pub fn month(w: &[u8]) -> Option<u32> {
    let f = lexicon().get(w);
    (f & lex::MONTH != 0).then_some((f >> 4) & 0xF)
}

/// Is the word the first word of a name trigger?
#[inline]
pub fn is_name_trigger(w: &[u8]) -> bool {
    lexicon().get(w) & lex::NAME_TRIGGER != 0
}

/// All lexical flags of a word.
#[inline]
pub fn flags(w: &[u8]) -> u32 {
    lexicon().get(w)
}

/// Common given names across the regions the default pack serves. Ambiguous
/// words (may, june, april, will, grace, mark, bill…) are left out on purpose.
pub const FIRST_NAMES: &[&str] = &[
    "jane",
    "kate",
    "tom",
    "tim",
    "sam",
    "ben",
    "dan",
    "alex",
    "chris",
    "nick",
    "mike",
    "jim",
    "tony",
    "lucy",
    "ella",
    "mia",
    "zoe",
    "ava",
    "leo",
    "oscar",
    "hugo",
    "liam",
    "jack",
    "harry",
    "sophie",
    "chloe",
    "james",
    "john",
    "robert",
    "michael",
    "william",
    "david",
    "richard",
    "joseph",
    "thomas",
    "charles",
    "christopher",
    "daniel",
    "matthew",
    "anthony",
    "donald",
    "steven",
    "paul",
    "andrew",
    "joshua",
    "kenneth",
    "kevin",
    "brian",
    "george",
    "timothy",
    "ronald",
    "edward",
    "jason",
    "jeffrey",
    "ryan",
    "jacob",
    "gary",
    "nicholas",
    "eric",
    "jonathan",
    "stephen",
    "larry",
    "justin",
    "scott",
    "brandon",
    "benjamin",
    "samuel",
    "gregory",
    "alexander",
    "frank",
    "patrick",
    "raymond",
    "jack",
    "dennis",
    "jerry",
    "tyler",
    "aaron",
    "jose",
    "adam",
    "nathan",
    "henry",
    "douglas",
    "zachary",
    "peter",
    "kyle",
    "ethan",
    "walter",
    "noah",
    "jeremy",
    "christian",
    "keith",
    "roger",
    "terry",
    "gerald",
    "harold",
    "sean",
    "austin",
    "carl",
    "arthur",
    "lawrence",
    "dylan",
    "jesse",
    "jordan",
    "bryan",
    "billy",
    "joe",
    "bruce",
    "gabriel",
    "logan",
    "albert",
    "willie",
    "alan",
    "juan",
    "wayne",
    "elijah",
    "randy",
    "roy",
    "vincent",
    "ralph",
    "eugene",
    "russell",
    "bobby",
    "mason",
    "philip",
    "louis",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "elizabeth",
    "barbara",
    "susan",
    "jessica",
    "sarah",
    "karen",
    "lisa",
    "nancy",
    "betty",
    "margaret",
    "sandra",
    "ashley",
    "kimberly",
    "emily",
    "donna",
    "michelle",
    "carol",
    "amanda",
    "dorothy",
    "melissa",
    "deborah",
    "stephanie",
    "rebecca",
    "sharon",
    "laura",
    "cynthia",
    "kathleen",
    "amy",
    "angela",
    "shirley",
    "anna",
    "brenda",
    "pamela",
    "emma",
    "nicole",
    "helen",
    "samantha",
    "katherine",
    "christine",
    "debra",
    "rachel",
    "carolyn",
    "janet",
    "catherine",
    "maria",
    "heather",
    "diane",
    "ruth",
    "julie",
    "olivia",
    "joyce",
    "virginia",
    "victoria",
    "kelly",
    "lauren",
    "christina",
    "joan",
    "evelyn",
    "judith",
    "megan",
    "andrea",
    "cheryl",
    "hannah",
    "jacqueline",
    "martha",
    "gloria",
    "teresa",
    "ann",
    "sara",
    "madison",
    "frances",
    "kathryn",
    "janice",
    "jean",
    "abigail",
    "alice",
    "judy",
    "sophia",
    "denise",
    "amber",
    "doris",
    "marilyn",
    "danielle",
    "beverly",
    "isabella",
    "theresa",
    "diana",
    "natalie",
    "brittany",
    "charlotte",
    "marie",
    "kayla",
    "alexis",
    "lori",
    "carlos",
    "luis",
    "miguel",
    "jorge",
    "pedro",
    "alejandro",
    "fernando",
    "javier",
    "manuel",
    "francisco",
    "antonio",
    "rafael",
    "sergio",
    "diego",
    "pablo",
    "andres",
    "ricardo",
    "eduardo",
    "roberto",
    "mateo",
    "santiago",
    "lucia",
    "sofia",
    "valentina",
    "camila",
    "isabel",
    "carmen",
    "elena",
    "rosa",
    "ana",
    "pilar",
    "mercedes",
    "dolores",
    "marta",
    "beatriz",
    "raquel",
    "alba",
    "hans",
    "klaus",
    "jurgen",
    "wolfgang",
    "helmut",
    "stefan",
    "andreas",
    "thomas",
    "markus",
    "matthias",
    "uwe",
    "dieter",
    "lukas",
    "felix",
    "maximilian",
    "leon",
    "jonas",
    "anja",
    "petra",
    "sabine",
    "ursula",
    "monika",
    "ingrid",
    "heike",
    "katrin",
    "birgit",
    "julia",
    "lena",
    "greta",
    "jean",
    "pierre",
    "michel",
    "philippe",
    "alain",
    "nicolas",
    "francois",
    "laurent",
    "julien",
    "antoine",
    "camille",
    "chloe",
    "manon",
    "ines",
    "mathilde",
    "amelie",
    "aurelie",
    "sylvie",
    "nathalie",
    "isabelle",
    "rahul",
    "amit",
    "vikram",
    "arjun",
    "rohan",
    "sanjay",
    "rajesh",
    "suresh",
    "ramesh",
    "anil",
    "sunil",
    "deepak",
    "ashok",
    "vijay",
    "ravi",
    "arun",
    "kiran",
    "priya",
    "pooja",
    "neha",
    "anjali",
    "divya",
    "kavya",
    "sneha",
    "ananya",
    "lakshmi",
    "meera",
    "sunita",
    "anita",
    "rekha",
    "aisha",
    "fatima",
    "mohammed",
    "ahmed",
    "ali",
    "omar",
    "hassan",
    "yusuf",
    "ibrahim",
    "mustafa",
    "wei",
    "li",
    "ming",
    "hui",
    "yan",
    "jun",
    "hiroshi",
    "takashi",
    "yuki",
    "haruto",
    "sakura",
    "kenji",
    "akira",
    "minh",
    "anh",
    "olga",
    "ivan",
    "dmitri",
    "sergei",
    "natasha",
    "tatiana",
    "svetlana",
    "igor",
    "giovanni",
    "giuseppe",
    "marco",
    "luca",
    "francesca",
    "giulia",
    "chiara",
    "paolo",
];
