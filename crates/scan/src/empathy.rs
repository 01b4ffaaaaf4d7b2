//! Empathy recognised by what the words do: the agent acknowledging, apologising,
//! owning or deflecting, and the customer voicing a difficulty or reporting a
//! company error (the triggers that make the agent's behaviour due).
//!
//! Like [`crate::conduct`], each function is composed from word categories
//! (phrase lexicons on the normalised words, one hash lookup per word) inside a
//! sentence or a clause (a sentence cut at "but", "however", ...):
//!
//! * **acknowledgement** (agent): the agent shows they have taken in the
//!   customer's situation: understanding or perceiving it ("I understand", "I
//!   can see why", "I can imagine", "I hear you", "sorry to hear"), or an
//!   evaluation of it as hard ("that sounds stressful", "how frustrating", "what
//!   a week"), or solidarity ("anyone would be upset", "I'd feel the same").
//!   Not when it is negated ("I don't understand"), hollow ("I get that a lot",
//!   "calm down") or undercut by a deflection after a contrast in the same
//!   sentence ("I understand, but there's nothing I can do"). A back-channel ("I
//!   see", "okay") is not an acknowledgement.
//! * **apology** (agent): regret for what happened ("sorry", "apologies", "we
//!   regret", "my bad"). Not when negated or refused ("no need to apologise",
//!   "I won't apologise"), a non-apology that blames the customer's feelings
//!   ("sorry you feel that way", "sorry you're confused"), a repair request
//!   ("sorry, can you repeat that?", any apology in a question), or undercut by a
//!   deflection ("sorry, but that's policy").
//! * **ownership** (agent): the agent commits to act personally: a first-person
//!   actor ("I", "I'll", "let me", "we will") with an action on the problem (fix,
//!   sort, refund, chase, escalate, follow up, book, replace, ...) a few words
//!   later, not negated ("I can't fix that") and not asked ("shall I book it?");
//!   or a self-contained commitment ("leave it with me", "I'm on it").
//! * **deflection** (agent): the problem pushed away from the agent: not their
//!   department, job or problem; nothing they can do; the system did it; the
//!   customer sent to call someone else ("you'll have to ring the courier");
//!   blame on a third party or the customer ("you should have read the terms");
//!   hiding behind policy ("rules are rules"). Negated reassurance ("it's not your
//!   fault", "you don't need to call anyone else") is not deflection.
//! * **company error** (customer): something the company got wrong, reported:
//!   a failure to deliver, arrive, call back or fix ("never arrived", "nobody
//!   showed up", "still hasn't come through"), a charge with what makes it wrong
//!   ("charged twice", "billed after I cancelled"), broken promises ("I was
//!   told", "was supposed to"), long waits ("on hold for forty minutes"), wrong,
//!   damaged or missing goods, an outage. Not when the customer names the mistake
//!   as their own in the same sentence ("I typed the wrong number myself, my
//!   bad"), nor when negated ("nothing went wrong").
//! * **customer difficulty** (customer): a feeling in the first person ("I'm
//!   so stressed", "I feel ignored"), an evaluation of the situation ("this is a
//!   nightmare", "it's ridiculous"), or an impact or hardship ("I had to take a
//!   day off", "I can't afford", "my husband passed away", "no heating").
//! * **customer problem** (customer): a company error or a difficulty; what
//!   makes ownership due.
//!
//! Lexicons are short lists written for this engine from those definitions; no
//! list is copied from a corpus. They are English: other languages are missed.

use crate::rules::Norm;
use crate::words::{key, FnvBuild};
use std::collections::HashMap;

/// Word categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum E {
    Neg,
    Break,
    /// A complete acknowledgement ("I understand", "I can imagine").
    Ack,
    /// Understanding or perceiving ("understand", "imagine"), with a first-person subject.
    Perceive,
    /// A first-person subject.
    Me,
    /// A word that evaluates the situation ("sounds", "must be", "how", "what a").
    Eval,
    /// A word for a hard situation or feeling ("frustrating", "stressful").
    Emo,
    /// Empty or dismissive words that hollow out an acknowledgement.
    Hollow,
    Sorry,
    /// "sorry you feel that way": regret about the customer's reaction.
    Faux,
    /// "sorry, can you repeat that": asking to hear again.
    Repair,
    Actor,
    Action,
    /// A commitment that needs no action word ("leave it with me").
    OwnPhrase,
    Deflect,
    /// "you'll have to", "you need to": sending the customer on.
    Send,
    /// Who the customer is sent to call ("call", "ring", "take it up with").
    SendVerb,
    /// "us", "me" right after a contact verb: calling the agent's own team back.
    SendSelf,
    ErrStrong,
    Charge,
    ChargeWrong,
    OwnMistake,
    /// The customer's feeling in the first person ("im", "i feel").
    FeelSelf,
    Hardship,
}

impl E {
    fn bit(self) -> u32 {
        1u32 << (self as u8)
    }
}

const LEXICON: &[(E, &[&str])] = &[
    (
        E::Neg,
        &[
            "not",
            "no",
            "never",
            "cant",
            "cannot",
            "dont",
            "doesnt",
            "didnt",
            "wont",
            "wouldnt",
            "couldnt",
            "isnt",
            "arent",
            "wasnt",
            "havent",
            "hasnt",
            "nothing",
            "nobody",
            "no one",
            "unable",
            "not able",
            "refuse",
            "no need",
            "not going to",
            "never going to",
            "am not",
            "im not",
        ],
    ),
    (
        E::Break,
        &["but", "however", "although", "though", "except", "yet"],
    ),
    // --- acknowledgement --------------------------------------------------------
    (
        E::Ack,
        &[
            "understandable",
            "understandably",
            "can only imagine",
            "i hear you",
            "i can hear",
            "i get why",
            "i get how",
            "i get it",
            "i totally get",
            "i completely get",
            "i really get",
            "i get that",
            "i see why",
            "i see how",
            "i see what you mean",
            "i know how",
            "i know this has",
            "i know that has",
            "i know its been",
            "i can tell",
            "makes sense that you",
            "makes total sense",
            "makes complete sense",
            "no wonder",
            "sorry to hear",
            "sorry youve been",
            "sorry youre going",
            "sorry you are going",
            "sorry youve had",
            "sorry youre dealing",
            "sorry you went",
            "anyone would",
            "anybody would",
            "i would feel",
            "id feel",
            "id be",
            "i would be",
            "in your shoes",
            "in your position",
            "that must",
            "must be",
            "must have been",
            "sounds like",
        ],
    ),
    (
        E::Perceive,
        &[
            "understand",
            "imagine",
            "appreciate how",
            "appreciate that",
            "appreciate this",
            "appreciate what",
            "appreciate it",
            "see why",
            "see how",
            "see that",
            "see this",
            "realise how",
            "realize how",
            "recognise",
            "recognize",
            "get why",
            "get how",
            "hear how",
            "hear that",
        ],
    ),
    (
        E::Me,
        &[
            "i",
            "we",
            "id",
            "ill",
            "i can",
            "i do",
            "i really",
            "i totally",
            "i completely",
            "i fully",
        ],
    ),
    (
        E::Eval,
        &[
            "sounds", "that is", "thats", "how", "what a", "so", "really", "such", "oh no", "very",
            "quite", "been",
        ],
    ),
    (
        E::Emo,
        &[
            "frustrating",
            "frustrated",
            "stressful",
            "stressed",
            "difficult",
            "hard",
            "tough",
            "annoying",
            "annoyed",
            "awful",
            "terrible",
            "horrible",
            "horrendous",
            "upsetting",
            "upset",
            "worrying",
            "worried",
            "a nightmare",
            "nightmare",
            "a pain",
            "a hassle",
            "rough",
            "exhausting",
            "disappointing",
            "disappointed",
            "unfair",
            "scary",
            "painful",
            "inconvenient",
            "a lot to deal with",
            "not okay",
            "not ok",
            "not acceptable",
            "unacceptable",
            "distressing",
            "draining",
            "a worry",
            "awkward",
            "miserable",
            "a shock",
            "shocking",
            "a week",
            "a day",
            "trouble",
            "hurtful",
            "infuriating",
            "maddening",
            "fed up",
            "long process",
            "a long process",
        ],
    ),
    (
        E::Hollow,
        &[
            "get that a lot",
            "hear that a lot",
            "calm down",
            "whatever",
            "if you say so",
            "relax",
            "chill",
            "get over it",
            "busy too",
            "move on",
        ],
    ),
    // --- apology ----------------------------------------------------------------
    (
        E::Sorry,
        &[
            "sorry",
            "apologise",
            "apologize",
            "apologies",
            "apology",
            "apologising",
            "apologizing",
            "we regret",
            "i regret",
            "regret that",
            "regret the",
            "my bad",
            "our bad",
            "forgive us",
            "forgive me",
        ],
    ),
    (
        E::Faux,
        &[
            "sorry you feel",
            "sorry that you feel",
            "sorry if you feel",
            "sorry if you think",
            "sorry you think",
            "sorry that you think",
            "sorry if you",
            "sorry you see",
            "sorry youre confused",
            "sorry you are confused",
            "sorry youre offended",
            "sorry you were offended",
            "sorry you took",
            "sorry you believe",
            "sorry youre upset that",
            "sorry if that",
        ],
    ),
    (
        E::Repair,
        &[
            "repeat",
            "didnt catch",
            "didnt hear",
            "didnt get that",
            "come again",
            "say that again",
            "say again",
            "one more time",
            "thought you said",
            "what was",
            "whats the",
            "whats your",
            "what did you",
            "missed that",
            "misheard",
            "can you spell",
            "i thought you",
            "you said what",
            "pardon",
        ],
    ),
    // --- ownership --------------------------------------------------------------
    (
        E::Actor,
        &[
            "i",
            "ill",
            "ive",
            "im",
            "let me",
            "allow me",
            "we will",
            "weve",
            "we have",
            "we are going to",
            "i personally",
        ],
    ),
    (
        E::Action,
        &[
            "sort",
            "sorted",
            "sorting",
            "fix",
            "fixed",
            "fixing",
            "resolve",
            "resolved",
            "resolving",
            "correct",
            "corrected",
            "correcting",
            "refund",
            "refunded",
            "refunding",
            "credit",
            "credited",
            "reverse",
            "reversed",
            "cancel",
            "cancelled",
            "canceled",
            "chase",
            "chasing",
            "escalate",
            "escalated",
            "escalating",
            "follow up",
            "follow it up",
            "follow this up",
            "followed up",
            "look into",
            "looking into",
            "handle",
            "handling",
            "take care",
            "taking care",
            "deal with",
            "dealing with",
            "put right",
            "put it right",
            "put this right",
            "make sure",
            "ensure",
            "arrange",
            "arranged",
            "arranging",
            "book",
            "booked",
            "booking",
            "send",
            "sent",
            "sending",
            "replace",
            "replaced",
            "replacement",
            "reissue",
            "reissued",
            "reship",
            "raise",
            "raised",
            "raising",
            "call you back",
            "ring you back",
            "get back to you",
            "keep you posted",
            "keep you updated",
            "keep you informed",
            "investigate",
            "investigating",
            "track down",
            "find out",
            "remove",
            "removed",
            "waive",
            "waived",
            "rebook",
            "reschedule",
            "rescheduled",
            "take responsibility",
            "taking responsibility",
            "own this",
            "get this",
            "get that",
            "get it",
            "get a",
            "get the",
            "get your",
            "take it from here",
            "personally",
            "on your behalf",
            "process",
            "processed",
            "processing",
            "repair",
            "repaired",
        ],
    ),
    (
        E::OwnPhrase,
        &[
            "leave it with me",
            "leave this with me",
            "im on it",
            "i am on it",
            "ive got this",
            "ive got it from here",
            "consider it done",
            "ill take it from here",
            "i take responsibility",
            "thats on me",
            "ill own this",
            "ill take ownership",
            "i will take ownership",
            "taking ownership",
        ],
    ),
    // --- deflection -------------------------------------------------------------
    (
        E::Deflect,
        &[
            "not my department",
            "not our department",
            "not my job",
            "not my problem",
            "not our problem",
            "not my fault",
            "not our fault",
            "not my responsibility",
            "not our responsibility",
            "not my area",
            "not my team",
            "not my remit",
            "not my call",
            "not my decision",
            "not my issue",
            "not up to me",
            "not up to us",
            "nothing i can do",
            "nothing we can do",
            "nothing i can really do",
            "cant do anything",
            "cannot do anything",
            "i cant help you",
            "we cant help you",
            "out of my hands",
            "out of our hands",
            "above my pay grade",
            "i just work here",
            "dont make the rules",
            "rules are rules",
            "computer says no",
            "the system did",
            "the system does",
            "the system made",
            "the system wont",
            "the system messed",
            "its the system",
            "its the computer",
            "the computer did",
            "the computer does",
            "thats the system",
            "blame the",
            "blame them",
            "their fault",
            "couriers fault",
            "banks fault",
            "warehouses fault",
            "your fault",
            "your own fault",
            "nothing to do with me",
            "nothing to do with us",
            "someone elses",
            "somebody elses",
            "a different department",
            "another department",
            "different department",
            "a different team",
            "another team",
            "other department",
            "you should have",
            "you shouldve",
            "you should of",
            "take it up with",
            "thats our policy",
            "thats the policy",
            "its our policy",
            "its the policy",
            "company policy",
            "against policy",
            "not going to apologise",
            "not going to apologize",
            "wont apologise",
            "wont apologize",
        ],
    ),
    (
        E::Send,
        &[
            "youll have to",
            "you will have to",
            "you have to",
            "youd have to",
            "you need to",
            "youll need to",
            "you will need to",
            "youd need to",
            "you must",
            "you should",
            "youd better",
            "you better",
            "youd be better off",
            "try",
            "go and",
        ],
    ),
    (
        E::SendVerb,
        &[
            "call",
            "ring",
            "phone",
            "contact",
            "email",
            "write to",
            "speak to",
            "speak with",
            "talk to",
            "go to",
            "go back to",
            "complain to",
            "get in touch with",
            "chase",
        ],
    ),
    (E::SendSelf, &["us", "me", "back", "this number", "our"]),
    // --- company error (customer) -----------------------------------------------
    (
        E::ErrStrong,
        &[
            "never arrived",
            "never came",
            "never showed",
            "never turned up",
            "never got",
            "never received",
            "never called",
            "never rang",
            "never answered",
            "never replied",
            "never came through",
            "never fixed",
            "never delivered",
            "never sent",
            "didnt arrive",
            "hasnt arrived",
            "havent arrived",
            "didnt come",
            "hasnt come",
            "didnt show",
            "didnt turn up",
            "hasnt turned up",
            "didnt call",
            "didnt ring",
            "hasnt come through",
            "hasnt been fixed",
            "hasnt been refunded",
            "didnt work",
            "doesnt work",
            "not working",
            "stopped working",
            "isnt working",
            "wasnt delivered",
            "wasnt fixed",
            "nobody showed",
            "nobody came",
            "nobody turned up",
            "nobody rang",
            "nobody called",
            "nobody fixed",
            "nobody answered",
            "nobody replied",
            "no one showed",
            "no one came",
            "no one called",
            "no one rang",
            "no one answered",
            "nobody got back",
            "no one got back",
            "still waiting",
            "still havent",
            "still hasnt",
            "still not",
            "still no",
            "still billed",
            "still charged",
            "still being charged",
            "waiting since",
            "been waiting",
            "on hold for",
            "on hold",
            "waited for",
            "waited over",
            "supposed to",
            "promised",
            "i was told",
            "was told",
            "you said you would",
            "you said it would",
            "broken",
            "cracked",
            "damaged",
            "faulty",
            "missing",
            "lost my",
            "lost the",
            "by mistake",
            "in error",
            "mistake",
            "an error",
            "incorrect",
            "wrong",
            "cut off",
            "cut me off",
            "disconnected",
            "been down",
            "is down",
            "was down",
            "closed my account",
            "cancelled my",
            "disappeared",
            "overcharged",
            "over charged",
            "double charged",
            "charged twice",
            "charged me twice",
            "billed twice",
            "took it twice",
            "taken twice",
            "higher than",
            "more than you quoted",
            "more than quoted",
            "marked it delivered",
            "marked as delivered",
            "left my",
            "no show",
            "late again",
            "delayed",
            "nobody is answering",
            "ignored my",
        ],
    ),
    (
        E::Charge,
        &[
            "charged",
            "charge",
            "charging",
            "billed",
            "bill",
            "debited",
            "took",
            "taken",
            "invoice",
            "direct debit",
        ],
    ),
    (
        E::ChargeWrong,
        &[
            "twice",
            "double",
            "again",
            "even though",
            "although",
            "after i cancelled",
            "cancelled",
            "sent back",
            "returned",
            "extra",
            "too much",
            "more than",
            "still",
        ],
    ),
    (
        E::OwnMistake,
        &[
            "my bad",
            "my fault",
            "my mistake",
            "my own fault",
            "on me",
            "i typed",
            "i entered",
            "i put",
            "i ordered the wrong",
            "i booked the wrong",
            "i picked the wrong",
            "i chose the wrong",
            "i forgot",
            "i deleted",
            "i made a mistake",
            "i messed up",
            "myself",
            "i misread",
            "i selected the wrong",
            "i clicked the wrong",
        ],
    ),
    // --- customer difficulty ----------------------------------------------------
    (
        E::FeelSelf,
        &[
            "im",
            "i am",
            "i feel",
            "i felt",
            "i was",
            "ive been",
            "i have been",
            "i get",
            "im getting",
            "makes me",
            "making me",
            "made me",
            "leaves me",
            "left me",
            "im so",
            "i am so",
            "im really",
            "im very",
            "i am very",
            "i am really",
        ],
    ),
    (
        E::Hardship,
        &[
            "fed up",
            "sick of",
            "tired of",
            "wits end",
            "losing sleep",
            "nightmare",
            "ruined my",
            "ruining my",
            "take a day off",
            "took a day off",
            "day off work",
            "couldnt work",
            "cant work",
            "cant afford",
            "cannot afford",
            "lost my job",
            "passed away",
            "died",
            "bereavement",
            "funeral",
            "in hospital",
            "no heating",
            "no hot water",
            "no power",
            "no electricity",
            "nobody is listening",
            "nobody listens",
            "no one listens",
            "no one is listening",
            "third time",
            "fourth time",
            "fifth time",
            "so many times",
            "again and again",
            "back and forth",
            "treated like",
            "making my life",
            "my life difficult",
            "really difficult",
            "so difficult",
            "really hard",
            "so hard",
            "hard to deal",
            "hard time",
            "struggling",
            "stressful",
            "upsetting",
            "frustrating",
            "worrying",
            "unacceptable",
            "ridiculous",
            "disgrace",
            "disgraceful",
            "fuming",
            "devastated",
            "in tears",
            "crying",
            "desperate",
            "heartbroken",
            "at the end of my tether",
            "had enough",
            "cant cope",
            "cant sleep",
            "out of pocket",
            "every penny",
            "pay rent",
            "pay my rent",
            "no money",
            "pregnant",
            "disabled",
            "my kids",
            "my children",
            "my baby",
            "a joke",
        ],
    ),
];

/// Feelings after a first-person "I'm", "I feel" (the customer's own state).
const FEELINGS: &[&str] = &[
    "frustrated",
    "stressed",
    "worried",
    "upset",
    "angry",
    "annoyed",
    "anxious",
    "disappointed",
    "furious",
    "fuming",
    "exhausted",
    "scared",
    "devastated",
    "heartbroken",
    "desperate",
    "overwhelmed",
    "panicking",
    "gutted",
    "livid",
    "distressed",
    "ignored",
    "let down",
    "fed up",
    "sick",
    "tired",
    "losing",
    "struggling",
    "unhappy",
    "afraid",
    "terrified",
    "nervous",
    "embarrassed",
    "humiliated",
    "helpless",
    "hopeless",
    "miserable",
    "shocked",
    "appalled",
    "disgusted",
    "cross",
    "mad",
    "angry",
    "irritated",
    "concerned",
];

/// An empathy function a rule can detect (see [`crate::conduct::Function`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empathy {
    /// The agent acknowledges the customer's situation.
    Acknowledgement,
    /// The agent apologises.
    Apology,
    /// The agent commits to act personally.
    Ownership,
    /// The agent pushes the problem away.
    Deflection,
    /// The customer reports something the company got wrong.
    CompanyError,
    /// The customer voices a difficulty, a feeling or a problem's impact.
    Difficulty,
    /// A company error or a difficulty.
    Problem,
}

#[derive(Debug, Clone)]
struct Entry {
    els: Vec<Vec<u128>>,
    cat: E,
}

/// A category hit: words `i..j`.
#[derive(Debug, Clone, Copy)]
struct Hit {
    cat: E,
    i: u32,
    j: u32,
}

/// Per-turn buffers, reused.
#[derive(Debug, Default)]
pub struct Scratch {
    hits: Vec<Hit>,
    /// Clause number of each word.
    clause: Vec<u32>,
    /// Categories hit anywhere in the turn.
    present: u32,
}

/// The compiled empathy lexicons.
#[derive(Debug, Clone)]
pub struct Lexicon {
    entries: Vec<Entry>,
    first: HashMap<u128, Vec<u32>, FnvBuild>,
    feelings: Vec<u128>,
}

impl Lexicon {
    /// Compile, normalising each word with `norm` (the rule set's aliases; `None`
    /// for a filler, dropped as it is from text).
    pub fn new(norm: &dyn Fn(&str) -> Option<String>) -> Lexicon {
        let pack = |p: &str| -> Vec<Vec<u128>> {
            p.split_whitespace()
                .filter_map(|part| {
                    let alts: Vec<u128> = part
                        .split('|')
                        .filter_map(norm)
                        .filter_map(|w| key(w.as_bytes()))
                        .collect();
                    (!alts.is_empty()).then_some(alts)
                })
                .collect()
        };
        let mut entries = Vec::new();
        let mut first: HashMap<u128, Vec<u32>, FnvBuild> = HashMap::default();
        for (cat, phrases) in LEXICON {
            for p in *phrases {
                let els = pack(p);
                let Some(f) = els.first() else {
                    continue;
                };
                for &k in f {
                    first.entry(k).or_default().push(entries.len() as u32);
                }
                entries.push(Entry { els, cat: *cat });
            }
        }
        let feelings = FEELINGS
            .iter()
            .filter_map(|w| pack(w).first().and_then(|a| a.first().copied()))
            .collect();
        Lexicon {
            entries,
            first,
            feelings,
        }
    }

    /// Categorise the words of a turn into `sc`.
    pub fn categorise(&self, n: &Norm, sc: &mut Scratch) {
        sc.hits.clear();
        sc.present = 0;
        let keys = n.keys();
        for i in 0..n.len() {
            let Some(es) = self.first.get(&keys[i]) else {
                continue;
            };
            let sent = n.sentence(i);
            for &ei in es {
                let e = &self.entries[ei as usize];
                let mut j = i + 1;
                let ok = e.els.iter().skip(1).all(|alts| {
                    let m = j < n.len() && n.sentence(j) == sent && alts.contains(&keys[j]);
                    j += 1;
                    m
                });
                if ok {
                    sc.hits.push(Hit {
                        cat: e.cat,
                        i: i as u32,
                        j: j as u32,
                    });
                    sc.present |= e.cat.bit();
                }
            }
        }
        sc.clause.clear();
        let mut clause = 0u32;
        for i in 0..n.len() {
            let brk = sc
                .hits
                .iter()
                .any(|h| h.cat == E::Break && h.i as usize == i);
            if i > 0 && (n.sentence(i) != n.sentence(i - 1) || brk) {
                clause += 1;
            }
            sc.clause.push(clause);
        }
    }
}

/// A finding: byte range of the words that triggered it.
pub use crate::conduct::Found;

struct View<'a> {
    n: &'a Norm,
    text: &'a str,
    sc: &'a Scratch,
    lex: &'a Lexicon,
}

impl View<'_> {
    fn hits(&self, c: E) -> impl Iterator<Item = &Hit> + '_ {
        self.sc.hits.iter().filter(move |h| h.cat == c)
    }
    fn clause(&self, i: u32) -> u32 {
        self.sc.clause.get(i as usize).copied().unwrap_or(0)
    }
    fn sentence(&self, i: u32) -> u32 {
        self.n.sentence(i as usize)
    }
    /// A negation ends at most `window` words before `h`, in its clause. A hit
    /// that itself starts with a negation ("not my problem") is not negated by it.
    fn negated(&self, h: &Hit, window: u32) -> bool {
        let cl = self.clause(h.i);
        self.hits(E::Neg)
            .any(|x| x.j <= h.i && h.i - x.j <= window && self.clause(x.i) == cl)
    }
    /// A hit of `c` in the same clause as `h`, within `window` words either side.
    fn near(&self, c: E, h: &Hit, window: u32) -> bool {
        let cl = self.clause(h.i);
        self.hits(c).any(|x| {
            self.clause(x.i) == cl && (x.i.abs_diff(h.j) <= window || h.i.abs_diff(x.j) <= window)
        })
    }
    /// A hit of `c` anywhere in the sentence of `h`.
    fn in_sentence(&self, c: E, h: &Hit) -> bool {
        let s = self.sentence(h.i);
        self.hits(c).any(|x| self.sentence(x.i) == s)
    }
    /// After `h`, a contrast ("but") and then a deflection in the same sentence:
    /// the behaviour is taken back ("sorry, but that's policy").
    /// The contrast belongs to the nearest behaviour before it: in an unpunctuated
    /// voice turn "sorry to hear that, sorry but that's policy" takes back only the
    /// second "sorry".
    fn undercut(&self, h: &Hit) -> bool {
        let s = self.sentence(h.i);
        let behaviour = |x: &Hit| matches!(x.cat, E::Ack | E::Perceive | E::Sorry | E::Emo);
        self.hits(E::Break).any(|b| {
            b.i >= h.j
                && self.sentence(b.i) == s
                && !self
                    .sc
                    .hits
                    .iter()
                    .any(|x| behaviour(x) && x.i >= h.j && x.j <= b.i)
                && deflections(self).any(|d| d.i >= b.j && self.sentence(d.i) == s)
        })
    }
    /// The sentence of word `i` ends with a question mark.
    fn question(&self, i: u32) -> bool {
        let s = self.sentence(i);
        let mut last = i as usize;
        while last + 1 < self.n.len() && self.n.sentence(last + 1) == s {
            last += 1;
        }
        let end = self.n.orig_end(last);
        self.text
            .as_bytes()
            .get(end..)
            .unwrap_or(&[])
            .iter()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b')'))
            .is_some_and(|&b| b == b'?')
    }
    fn bytes(&self, i: u32, j: u32) -> Found {
        Found {
            start: self.n.orig_start(i as usize),
            end: self
                .n
                .orig_end((j as usize).saturating_sub(1).max(i as usize)),
        }
    }
}

/// Run the detector for `f` over a categorised turn; findings go to `out`.
pub fn detect(f: Empathy, lex: &Lexicon, n: &Norm, text: &str, sc: &Scratch, out: &mut Vec<Found>) {
    if sc.hits.is_empty() {
        return;
    }
    let v = View { n, text, sc, lex };
    match f {
        Empathy::Acknowledgement => acknowledgement(&v, out),
        Empathy::Apology => apology(&v, out),
        Empathy::Ownership => ownership(&v, out),
        Empathy::Deflection => out.extend(deflections(&v).map(|h| v.bytes(h.i, h.j))),
        Empathy::CompanyError => company_error(&v, out),
        Empathy::Difficulty => difficulty(&v, out),
        Empathy::Problem => {
            company_error(&v, out);
            difficulty(&v, out);
            out.sort_by_key(|f| f.start);
        }
    }
}

fn acknowledgement(v: &View<'_>, out: &mut Vec<Found>) {
    let ok = |h: &Hit| !v.undercut(h) && !v.in_sentence(E::Hollow, h);
    for h in v.hits(E::Ack) {
        if !v.negated(h, 2) && ok(h) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    // "I (can completely) understand", "we can imagine": the first person perceiving.
    for h in v.hits(E::Perceive) {
        let cl = v.clause(h.i);
        let me = v
            .hits(E::Me)
            .any(|m| m.i < h.i && h.i - m.i <= 4 && v.clause(m.i) == cl);
        let cant_imagine = v.n.word_at(h.i as usize) == "imagine";
        if me && (cant_imagine || !v.negated(h, 2)) && ok(h) && !v.question(h.i) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    // "that sounds stressful", "how frustrating", "what a week": an evaluation of
    // the situation, not the agent's own feeling ("I'm frustrated").
    for h in v.hits(E::Emo) {
        let cl = v.clause(h.i);
        let eval = v
            .hits(E::Eval)
            .find(|e| e.j <= h.i && h.i - e.j <= 3 && v.clause(e.i) == cl);
        let own =
            (h.i.saturating_sub(3)..h.i).any(|k| matches!(v.n.word_at(k as usize), "im" | "i"));
        if let Some(e) = eval {
            if !own && !v.negated(e, 2) && ok(h) {
                out.push(v.bytes(e.i, h.j));
                return;
            }
        }
    }
}

fn apology(v: &View<'_>, out: &mut Vec<Found>) {
    for h in v.hits(E::Sorry) {
        let faux = v
            .hits(E::Faux)
            .any(|x| x.i == h.i && !matches!(v.n.word_at(x.j as usize - 1), "but" | "however"));
        let repair = v
            .hits(E::Repair)
            .any(|r| r.i >= h.j && r.i - h.j <= 4 && v.sentence(r.i) == v.sentence(h.i));
        // Only a negation right before refuses the apology ("not sorry", "won't
        // apologise", "no need to apologise", "not going to apologise"): a wider
        // window would reach into the previous sentence of an unpunctuated voice
        // turn ("that's not okay really sorry").
        let refused = v
            .hits(E::Neg)
            .any(|x| x.j == h.i || (x.j + 1 == h.i && v.n.word_at(x.j as usize) == "to"));
        if refused || faux || repair || v.question(h.i) || v.undercut(h) {
            continue;
        }
        // "sorry, that's policy": a deflection right after the apology takes it back.
        let cl = v.clause(h.i);
        if deflections(v).any(|d| d.i >= h.j && d.i - h.j <= 1 && v.clause(d.i) == cl) {
            continue;
        }
        out.push(v.bytes(h.i, h.j));
        return;
    }
}

fn ownership(v: &View<'_>, out: &mut Vec<Found>) {
    for h in v.hits(E::OwnPhrase) {
        if !v.negated(h, 2) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    for a in v.hits(E::Actor) {
        let cl = v.clause(a.i);
        let Some(x) = v
            .hits(E::Action)
            .find(|x| x.i >= a.j && x.i - a.j <= 4 && v.clause(x.i) == cl)
        else {
            continue;
        };
        // "I can't fix that", "I'm not able to sort it": a refusal, not a commitment.
        let refused = v
            .hits(E::Neg)
            .any(|g| g.i >= a.i && g.j <= x.i && v.clause(g.i) == cl);
        if refused || v.question(a.i) {
            continue;
        }
        out.push(v.bytes(a.i, x.j));
        return;
    }
}

fn deflections<'v>(v: &'v View<'_>) -> impl Iterator<Item = &'v Hit> + 'v {
    let direct = v.hits(E::Deflect).filter(|h| {
        // "it's not your fault" reassures; "not my fault" deflects (its own "not").
        let self_neg = matches!(
            v.n.word_at(h.i as usize),
            "not" | "nothing" | "cant" | "cannot" | "wont"
        );
        self_neg || !v.negated(h, 2)
    });
    let sent = v.hits(E::Send).filter(|s| {
        let cl = v.clause(s.i);
        v.hits(E::SendVerb).any(|x| {
            x.i >= s.j
                && x.i - s.j <= 2
                && v.clause(x.i) == cl
                && !v.hits(E::SendSelf).any(|m| m.i == x.j)
        }) && !v.negated(s, 1)
    });
    direct.chain(sent)
}

fn company_error(v: &View<'_>, out: &mut Vec<Found>) {
    let own = |h: &Hit| v.in_sentence(E::OwnMistake, h);
    for h in v.hits(E::ErrStrong) {
        let self_neg = matches!(
            v.n.word_at(h.i as usize),
            "never"
                | "didnt"
                | "hasnt"
                | "havent"
                | "doesnt"
                | "isnt"
                | "wasnt"
                | "nobody"
                | "no"
                | "not"
        );
        if (self_neg || !v.negated(h, 2)) && !own(h) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    for h in v.hits(E::Charge) {
        if v.near(E::ChargeWrong, h, 6) && !own(h) && !v.negated(h, 1) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
}

fn difficulty(v: &View<'_>, out: &mut Vec<Found>) {
    for h in v.hits(E::Hardship) {
        if !v.negated(h, 2) {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
    // "I'm so stressed", "I feel ignored": a feeling within three words of the
    // first-person opener, not negated ("I'm not worried").
    let keys = v.n.keys();
    for h in v.hits(E::FeelSelf) {
        let end = (h.j + 3).min(v.n.len() as u32);
        for k in h.j..end {
            if v.sentence(k) != v.sentence(h.i) {
                break;
            }
            if matches!(v.n.word_at(k as usize), "not" | "never" | "no") {
                break;
            }
            if v.lex.feelings.contains(&keys[k as usize]) {
                out.push(v.bytes(h.i, k + 1));
                return;
            }
        }
    }
    for h in v.hits(E::Emo) {
        // "this is so frustrating", "what a nightmare" from the customer.
        if v.hits(E::Eval)
            .any(|e| e.j <= h.i && h.i - e.j <= 3 && v.clause(e.i) == v.clause(h.i))
            && !v.negated(h, 3)
        {
            out.push(v.bytes(h.i, h.j));
            return;
        }
    }
}
