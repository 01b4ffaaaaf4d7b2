//! Person names, found from the speaker's role and the words around them.
//!
//! There is no name dictionary big enough for a global customer base, so names
//! are captured *after a trigger* ("my name is", "this is … here", "am I speaking
//! with", "Dear", a title, an e-mail sign-off, "my wife …", the answer to "what's
//! your full name") as 1–3 words that are not common words. In cased text
//! (chat, e-mail) the words must be capitalised; in lower-case ASR text the
//! common-word stop list and the position near the start of the turn do the work.
//! The agent introducing themselves ("you're through to Amber") yields the
//! agent's name, which is then excluded everywhere: it is not customer PII.
//!
//! Names without a trigger (`by_knowledge`, cased text only) use name knowledge, the
//! 1990 US Census given-name and surname lists ([`crate::wordlists`]), but never alone:
//! a known name must come with a second name word, a word of addressing, a verb that
//! makes it a person, or a greeting, and names that are also ordinary words, places or
//! products need more. The lists widen what context can confirm; they decide nothing.

use crate::model::Speaker;
use crate::text::{eq, eq_any, is_capitalized, Class, Token};
use crate::wordlists::TITLES;
use crate::words::is_filler;

/// A name found: (start, end, is_agent_own_name).
pub type NameHit = (usize, usize, bool);

/// Words allowed right after a weakly triggered name ("my partner X …").
fn after_ok(text: &[u8], toks: &[Token], e: usize) -> bool {
    match toks.get(e) {
        None => true,
        Some(t) if t.class == Class::Punct => true,
        Some(t) => eq_any(
            t.bytes(text),
            &[
                "and", "i", "i'm", "here", "speaking", "calling", "born", "my", "is", "was", "who",
                "also", "as", "from", "on", "to", "date", "dob", "birthday", "the", "but", "so",
                "please", "thanks", "thank", "will", "has", "had", "would", "can", "could", "i'd",
                "i'll", "i've", "we", "you", "uh", "um", "er", "like",
            ],
        ),
    }
}

fn stop(w: &[u8]) -> bool {
    crate::words::flags(w) & crate::words::lex::NAME_STOP != 0
        || w.len() < 2 && !w.first().is_some_and(u8::is_ascii_uppercase)
}

/// Capture a name starting at token `k`: returns token range.
fn capture(
    text: &[u8],
    toks: &[Token],
    mut k: usize,
    cased: bool,
    max: usize,
) -> Option<(usize, usize)> {
    // skip fillers and commas
    while let Some(t) = toks.get(k) {
        let w = t.bytes(text);
        if t.is_punct(text, b',') || (t.class == Class::Alpha && is_filler(w)) {
            k += 1;
        } else {
            break;
        }
    }
    let s = k;
    let mut e = k;
    let mut words = 0;
    while let Some(t) = toks.get(e) {
        let w = t.bytes(text);
        // A middle initial between two name words ("Orla G. Kristiansen", "zubair e
        // hutchinson").
        if words > 0 && t.class == Class::Alpha && w.len() == 1 && w[0].is_ascii_alphabetic() {
            let mut n = e + 1;
            let dot = toks
                .get(n)
                .is_some_and(|p| p.is_punct(text, b'.') && !p.gap_before);
            if dot {
                n += 1;
            }
            // "i" and "a" are words unless written as initials ("I.").
            let word_letter = matches!(w[0].to_ascii_lowercase(), b'i' | b'a');
            let name_after = toks.get(n).is_some_and(|x| {
                let xb = x.bytes(text);
                x.class == Class::Alpha
                    && xb.len() > 1
                    && !stop(xb)
                    && (!cased || is_capitalized(xb) || xb[0] >= 0x80)
            });
            if name_after && words < max && (dot || !word_letter) {
                e = n;
                continue;
            }
        }
        if t.class != Class::Alpha || stop(w) || eq_any(w, TITLES) {
            break;
        }
        if e > s && text[toks[e - 1].end as usize..t.start as usize].contains(&b'\n') {
            break;
        }
        if cased && !(is_capitalized(w) || w.first().is_some_and(|&c| c >= 0x80)) {
            // particles inside a name ("de la", "van") are allowed after a first word
            if !(words > 0
                && eq_any(
                    w,
                    &[
                        "de", "del", "la", "van", "von", "der", "da", "di", "le", "bin", "al",
                    ],
                ))
            {
                break;
            }
        }
        words += 1;
        e += 1;
        // hyphenated parts: Anne-Marie
        while let (Some(h), Some(n)) = (toks.get(e), toks.get(e + 1)) {
            if (h.is_punct(text, b'-')) && !h.gap_before && !n.gap_before && n.class == Class::Alpha
            {
                e += 2;
            } else {
                break;
            }
        }
        if words >= max {
            break;
        }
    }
    // trailing particles are not part of a name
    while e > s
        && eq_any(
            toks[e - 1].bytes(text),
            &["de", "del", "la", "van", "von", "der", "da", "di", "le"],
        )
    {
        e -= 1;
    }
    (e > s).then_some((s, e))
}

/// Token `i` opens the turn, after at most a greeting or a filler ("hi i'm …",
/// "hello this is …").
fn turn_opening(text: &[u8], toks: &[Token], i: usize) -> bool {
    toks[..i].iter().all(|t| {
        let w = t.bytes(text);
        t.class == Class::Punct
            || is_filler(w)
            || eq_any(
                w,
                &[
                    "hi",
                    "hello",
                    "hey",
                    "there",
                    "yes",
                    "yeah",
                    "oh",
                    "good",
                    "morning",
                    "afternoon",
                    "evening",
                ],
            )
    }) && i <= 3
}

fn seq(text: &[u8], toks: &[Token], i: usize, words: &[&str]) -> bool {
    words
        .iter()
        .enumerate()
        .all(|(o, w)| toks.get(i + o).is_some_and(|t| eq(t.bytes(text), w)))
}

const SIGNOFFS: &[&[&str]] = &[
    &["kind", "regards"],
    &["best", "regards"],
    &["warm", "regards"],
    &["best", "wishes"],
    &["many", "thanks"],
    &["thanks", "again"],
    &["thank", "you"],
    &["regards"],
    &["sincerely"],
    &["thanks"],
    &["best"],
    &["cheers"],
    &["cordially"],
];

const RELATIONS: &[&str] = &[
    "wife",
    "husband",
    "son",
    "daughter",
    "partner",
    "mother",
    "father",
    "mom",
    "mum",
    "dad",
    "brother",
    "sister",
    "spouse",
    "boyfriend",
    "girlfriend",
    "fiance",
    "fiancee",
    "friend",
    "colleague",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "niece",
    "nephew",
    "cousin",
    "grandson",
    "granddaughter",
    "stepson",
    "stepdaughter",
    "neighbour",
    "neighbor",
    "landlord",
    "landlady",
    "flatmate",
    "roommate",
    "housemate",
    "carer",
    "caregiver",
    "manager",
    "boss",
    "lodger",
    "tenant",
    "accountant",
    "solicitor",
    "lawyer",
];

/// Find names in one turn.
pub fn find(
    text: &[u8],
    toks: &[Token],
    speaker: Speaker,
    name_prompt: bool,
    early: bool,
    out: &mut Vec<NameHit>,
) {
    let cased = text.iter().any(u8::is_ascii_uppercase);
    let push = |out: &mut Vec<NameHit>, r: Option<(usize, usize)>, agent: bool| {
        if let Some((s, e)) = r {
            out.push((toks[s].start as usize, toks[e - 1].end as usize, agent));
        }
    };
    let agent = speaker == Speaker::Agent;
    // Answer to "what's your full name": name at the start of the turn.
    if name_prompt && !agent {
        let mut k = 0;
        while let Some(t) = toks.get(k) {
            let w = t.bytes(text);
            if t.class == Class::Punct
                || is_filler(w)
                || eq_any(
                    w,
                    &[
                        "yeah", "yes", "sure", "it's", "its", "it", "is", "okay", "ok", "so",
                        "well", "um", "uh", "like", "you", "know", "hi", "hello", "name", "my",
                        "name's", "the", "this", "i'm", "oh", "right", "should", "say", "says",
                        "that's", "thats", "under", "it'll", "be", "surname", "last", "full",
                    ],
                )
            {
                k += 1;
                if k > 8 {
                    break;
                }
            } else {
                break;
            }
        }
        if k <= 8 {
            let r = capture(text, toks, k, cased, 3);
            // A single lower-case word is too weak without a trigger.
            if let Some((s, e)) = r {
                let ing = toks[s..e]
                    .iter()
                    .any(|t| t.bytes(text).ends_with(b"ing") && !is_capitalized(t.bytes(text)));
                // A one-word answer ("it's okafor") when that is all the turn says.
                let short = toks.len() <= k + 3;
                if (e - s >= 2 || cased || short) && after_ok(text, toks, e) && !ing {
                    push(out, r, false);
                }
            }
        }
    }
    for i in 0..toks.len() {
        let t = toks[i];
        // A chat or e-mail signature after a dash at the end of a line: "Great, bye. - Kwame".
        if !agent && t.is_punct(text, b'-') && (i == 0 || t.gap_before) {
            let r = capture(text, toks, i + 1, cased, 3)
                .filter(|&(_, e)| cased || toks[e..].iter().all(|t| t.class == Class::Punct));
            if let Some((s, e)) = r {
                let line_end = toks.get(e).is_none_or(|n| {
                    n.is_punct(text, b'.')
                        || text[toks[e - 1].end as usize..n.start as usize].contains(&b'\n')
                }) && toks
                    .get(e + 1)
                    .is_none_or(|n| text[toks[e].end as usize..n.start as usize].contains(&b'\n'));
                if line_end {
                    push(out, Some((s, e)), false);
                }
            }
            continue;
        }
        if t.class != Class::Alpha {
            continue;
        }
        let w = t.bytes(text);
        // Known given name + capitalised surname in cased text ("… and Jennifer
        // Okafor said …"): no trigger needed. Sentence-initial too; a following
        // common or stop word ("Maria said") is not enough on its own.
        if cased && is_capitalized(w) && t.flags & crate::words::lex::FIRST_NAME != 0 {
            if let Some(n) = toks.get(i + 1) {
                let nb = n.bytes(text);
                let same_line = !text[t.end as usize..n.start as usize].contains(&b'\n');
                if n.class == Class::Alpha
                    && same_line
                    && is_capitalized(nb)
                    && !stop(nb)
                    && !eq_any(nb, TITLES)
                    && !crate::words::is_name_trigger(nb)
                    && crate::words::flags(nb) & crate::words::lex::PLACE_HEAD == 0
                {
                    if let Some((s, e)) = capture(text, toks, i, true, 3) {
                        let own = agent
                            && i > 0
                            && eq_any(toks[i - 1].bytes(text), &["is", "I'm", "it's"]);
                        if e - s >= 2
                            && !out
                                .iter()
                                .any(|&(a, b, _)| a <= t.start as usize && (t.start as usize) < b)
                        {
                            out.push((toks[s].start as usize, toks[e - 1].end as usize, own));
                        }
                    }
                }
            }
        }
        // Fast path: most words start no trigger (one hash lookup per word).
        if t.flags & crate::words::lex::NAME_TRIGGER == 0
            && !toks.get(i + 1).is_some_and(|n| eq(n.bytes(text), "here"))
        {
            continue;
        }
        let near_start = i < 10;
        // Self-introductions in other languages the default pack meets.
        let intro = [
            &["mi", "nombre", "es"][..],
            &["me", "llamo"][..],
            &["je", "m'appelle"][..],
            &["ich", "heiße"][..],
            &["ich", "heisse"][..],
            &["mein", "name", "ist"][..],
            &["meu", "nome", "é"][..],
            &["mi", "chiamo"][..],
        ]
        .iter()
        .find(|p| seq(text, toks, i, p))
        .map(|p| p.len());
        if let Some(k) = intro {
            push(out, capture(text, toks, i + k, cased, 3), agent);
        } else if seq(text, toks, i, &["my", "name", "is"]) {
            push(out, capture(text, toks, i + 3, cased, 3), agent);
        } else if seq(text, toks, i, &["my", "name's"]) || seq(text, toks, i, &["my", "names"]) {
            push(out, capture(text, toks, i + 2, cased, 3), agent);
        } else if seq(text, toks, i, &["this", "is"]) && (near_start || agent) {
            if !agent && !early && !cased && !turn_opening(text, toks, i) {
                continue;
            }
            let r = capture(text, toks, i + 2, cased, 3);
            // Agent: "this is X speaking/who/how" is the agent's own name.
            push(out, r, agent);
        } else if (eq(w, "i'm") || seq(text, toks, i, &["i", "am"])) && (near_start || agent) {
            if !agent && !early && !cased && !turn_opening(text, toks, i) {
                continue;
            }
            let k = if eq(w, "i'm") { i + 1 } else { i + 2 };
            if let Some((s, e)) = capture(text, toks, k, cased, 3) {
                let ing = toks[s..e]
                    .iter()
                    .any(|t| t.bytes(text).ends_with(b"ing") && !is_capitalized(t.bytes(text)));
                if !ing && (agent || after_ok(text, toks, e)) {
                    push(out, Some((s, e)), agent);
                }
            }
        } else if (eq(w, "it's") || eq(w, "its")) && !agent {
            // "it's X here"
            if let Some((s, e)) = capture(text, toks, i + 1, cased, 3) {
                if toks
                    .get(e)
                    .is_some_and(|n| eq_any(n.bytes(text), &["here", "speaking", "calling"]))
                {
                    push(out, Some((s, e)), false);
                }
            }
        } else if agent
            && (seq(text, toks, i, &["through", "to"]) || seq(text, toks, i, &["chatting", "with"]))
        {
            push(out, capture(text, toks, i + 2, cased, 2), true);
        } else if agent
            && (seq(text, toks, i, &["speaking", "with"])
                || seq(text, toks, i, &["speak", "with"])
                || seq(text, toks, i, &["speaking", "to"]))
        {
            // "you're speaking with Priya" is the agent introducing themselves.
            let own = i > 0 && eq_any(toks[i - 1].bytes(text), &["you're", "youre", "are"]);
            if let Some((s, e)) = capture(text, toks, i + 2, cased, 3) {
                let next_ok = toks
                    .get(e)
                    .is_some_and(|n| eq_any(n.bytes(text), &["today", "please"]));
                if own || after_ok(text, toks, e) || next_ok {
                    push(out, Some((s, e)), own);
                }
            }
        } else if !agent
            && (eq(w, "holder") || eq(w, "name"))
            && (1..=3).any(|o| toks.get(i + o).is_some_and(|n| n.is_punct(text, b':')))
        {
            // "Name: Kiri Montgomery", "Full name: …", "Account holder: …", "Name on
            // account: …"
            if let Some(o) =
                (1..=3).find(|&o| toks.get(i + o).is_some_and(|n| n.is_punct(text, b':')))
            {
                if toks[i + 1..i + o].iter().all(|t| t.class == Class::Alpha) {
                    push(out, capture(text, toks, i + o + 1, cased, 3), false);
                }
            }
        } else if !agent
            && i == 0
            && eq(w, "name")
            && toks.get(1).is_some_and(|n| eq(n.bytes(text), "is"))
        {
            // "name is Cormac Villanueva"
            push(out, capture(text, toks, 2, cased, 3), false);
        } else if !agent
            && (seq(text, toks, i, &["speaking", "with"])
                || seq(text, toks, i, &["speaking", "to"]))
        {
            // The customer: "hi, you're speaking with Halima Esposito".
            if let Some((s, e)) = capture(text, toks, i + 2, cased, 3) {
                if after_ok(text, toks, e)
                    || toks.get(e).is_some_and(|n| eq(n.bytes(text), "calling"))
                {
                    push(out, Some((s, e)), false);
                }
            }
        } else if eq(w, "name") && i > 0 && !eq(toks[i - 1].bytes(text), "my") && !agent {
            // "the account is in my husband's name, X" / "in the name of X"
            let mut k = i + 1;
            if toks.get(k).is_some_and(|n| {
                n.is_punct(text, b',')
                    || n.is_punct(text, b':')
                    || eq_any(n.bytes(text), &["is", "of"])
            }) {
                k += 1;
            }
            if let Some((s, e)) = capture(text, toks, k, cased, 3) {
                if after_ok(text, toks, e) {
                    push(out, Some((s, e)), false);
                }
            }
        } else if eq_any(w, TITLES) && (cased || !eq(w, "sir")) {
            let mut k = i + 1;
            if toks.get(k).is_some_and(|p| p.is_punct(text, b'.')) {
                k += 1;
            }
            if let Some(n) = toks.get(k) {
                if n.class == Class::Alpha && !stop(n.bytes(text)) {
                    push(out, capture(text, toks, k, cased, 2), false);
                }
            }
        } else if eq(w, "my")
            && toks
                .get(i + 1)
                .is_some_and(|n| eq_any(n.bytes(text), RELATIONS))
        {
            push(out, capture(text, toks, i + 2, cased, 3), false);
        } else if eq(w, "add") && !agent {
            if let Some((s, e)) = capture(text, toks, i + 1, cased, 3) {
                if toks.get(e).is_some_and(|n| eq(n.bytes(text), "as")) {
                    push(out, Some((s, e)), false);
                }
            }
        } else if (eq(w, "speaking") || eq(w, "here")) && i > 0 && !agent {
            // "Yolanda Johnston speaking" after a greeting
            let mut s = i;
            while s > 0 && i - s < 4 {
                let p = toks[s - 1];
                if p.class == Class::Alpha && !stop(p.bytes(text)) {
                    s -= 1;
                } else if s >= 2
                    && p.is_punct(text, b'-')
                    && !p.gap_before
                    && toks[s - 2].class == Class::Alpha
                    && s < i
                {
                    s -= 2;
                } else {
                    break;
                }
            }
            let mut g = s;
            while g > 0
                && (is_filler(toks[g - 1].bytes(text))
                    || eq_any(toks[g - 1].bytes(text), &["you", "know", "like"]))
            {
                g -= 1;
            }
            let before = if g > 0 { Some(toks[g - 1]) } else { None };
            let greeted = before.is_some_and(|b| {
                b.is_punct(text, b',')
                    || eq_any(b.bytes(text), &["hi", "hello", "yes", "hey", "yeah"])
            });
            if s < i
                && greeted
                && (!cased || is_capitalized(toks[s].bytes(text)))
                && eq(w, "speaking")
            {
                out.push((toks[s].start as usize, toks[i - 1].end as usize, false));
            }
        } else if agent && (i <= 2) && eq_any(w, &["dear", "hello", "hi", "hey"]) && cased {
            // E-mail / chat greeting of the customer: "Dear Timothy Cook,"
            if let Some((s, e)) = capture(text, toks, i + 1, cased, 3) {
                if toks.get(e).is_some_and(|n| n.is_punct(text, b','))
                    && !eq_any(toks[s].bytes(text), &["mr", "mrs", "ms", "miss", "dr"])
                {
                    push(out, Some((s, e)), false);
                }
            }
        } else if agent
            && (i <= 4)
            && toks.get(i + 1).is_some_and(|n| eq(n.bytes(text), "here"))
            && !stop(w)
        {
            // "Kurt here from …", "stacey here"
            out.push((t.start as usize, t.end as usize, true));
        }
        // Sign-offs: "Regards,\nMandy Hall".
        for so in SIGNOFFS {
            if seq(text, toks, i, so) {
                let prev_ok = i == 0 || {
                    let p = toks[i - 1];
                    p.class == Class::Punct
                        || text[t.start as usize - 1] == b'\n'
                        || text[..t.start as usize].ends_with(b"  ")
                };
                let mut k = i + so.len();
                let comma = toks.get(k).is_some_and(|c| c.is_punct(text, b','));
                // "Cheers\nNiamh Eriksen": a line break does the comma's work.
                let newline = toks.get(k).is_some_and(|c| {
                    c.class == Class::Alpha
                        && text[toks[k - 1].end as usize..c.start as usize].contains(&b'\n')
                });
                if !(comma || newline) {
                    break;
                }
                if comma {
                    k += 1;
                }
                if prev_ok && cased {
                    push(out, capture(text, toks, k, true, 3), agent);
                }
                break;
            }
        }
        // Uncased sign-offs that end the turn: "cheers hana okonkwo", "thanks again amara".
        if !cased && !agent && eq_any(w, &["cheers", "thanks", "bye", "regards"]) {
            for so in &[
                &["cheers"][..],
                &["thanks", "again"][..],
                &["bye"][..],
                &["regards"][..],
            ] {
                if seq(text, toks, i, so) {
                    if let Some((s, e)) = capture(text, toks, i + so.len(), false, 3) {
                        let end = toks[e..].iter().all(|t| t.class == Class::Punct);
                        if end {
                            push(out, Some((s, e)), false);
                        }
                    }
                }
            }
        }
    }
    if cased {
        by_knowledge(text, toks, agent, out);
    }
}

/// Words after which a capitalised known given name is someone being addressed or
/// spoken of: "ask Maria", "spoke with John", "according to Amina", "Dear Kofi".
const ADDRESSING: &[&str] = &[
    "to",
    "with",
    "ask",
    "asked",
    "tell",
    "told",
    "thank",
    "thanks",
    "cc",
    "contact",
    "contacted",
    "call",
    "called",
    "email",
    "emailed",
    "text",
    "texted",
    "met",
    "meet",
    "by",
    "for",
    "from",
    "and",
    "dear",
    "hi",
    "hello",
    "hey",
    "cheers",
    "regards",
    "sincerely",
    "via",
    "attn",
    "attention",
    "per",
    "is",
    "was",
    "tell",
    "remind",
    "let",
    "about",
    "behalf",
    "include",
    "add",
    "see",
    "saw",
    "visit",
    "visited",
    "help",
    "helped",
    "paid",
    "pay",
    "told",
    "cheers",
];

/// Greetings and sign-offs: addressing even an ambiguous name ("Dear Rose", "Thanks, Bill").
const GREETINGS: &[&str] = &[
    "dear",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "cheers",
    "regards",
    "sincerely",
    "attn",
];

/// Lower-case words after which a capitalised known given name acts as a person:
/// "Anh called", "Camila was helpful", "Tomasz told me".
const PERSON_VERBS: &[&str] = &[
    "called",
    "was",
    "is",
    "said",
    "says",
    "told",
    "asked",
    "wants",
    "needs",
    "will",
    "has",
    "had",
    "and",
    "here",
    "emailed",
    "phoned",
    "rang",
    "wrote",
    "came",
    "left",
    "opened",
    "signed",
    "paid",
    "ordered",
    "renewed",
    "booked",
    "helped",
    "mentioned",
    "explained",
    "promised",
    "would",
    "can",
    "could",
    "should",
    "did",
    "does",
    "thinks",
    "knows",
    "sent",
    "gave",
    "got",
    "moved",
    "lives",
    "works",
    "tried",
];

/// "X is my husband", "X was our landlord": the words before name a person.
fn related(text: &[u8], toks: &[Token], e: usize) -> bool {
    let w = |k: usize| toks.get(k).map_or(&b""[..], |t| t.bytes(text));
    eq_any(w(e), &["is", "was", "'s"])
        && eq_any(w(e + 1), &["my", "our", "his", "her", "their"])
        && eq_any(w(e + 2), RELATIONS)
}

/// Is token `i` addressed without doubt: after a greeting or a verb of addressing
/// ("ask", "tell", "contact", "Dear"), or after "spoke with", "signed by", "on behalf of"?
fn strongly_addressed(text: &[u8], toks: &[Token], i: usize) -> bool {
    let w = |k: usize| toks.get(k).map_or(&b""[..], |t| t.bytes(text));
    let mut k = i;
    if k > 0 && toks[k - 1].is_punct(text, b',') {
        k -= 1;
    }
    if k == 0 {
        return false;
    }
    let p = w(k - 1);
    let pp = if k >= 2 { w(k - 2) } else { b"" };
    eq_any(
        p,
        &[
            "ask",
            "asked",
            "tell",
            "told",
            "contact",
            "contacted",
            "email",
            "emailed",
            "cc",
            "dear",
            "hi",
            "hello",
            "hey",
            "thanks",
            "cheers",
            "regards",
            "attn",
            "remind",
            "met",
            "phoned",
        ],
    ) || eq(p, "with")
        && eq_any(
            pp,
            &[
                "spoke", "speak", "spoken", "talk", "talked", "dealt", "meeting", "chatted",
            ],
        )
        || eq(p, "by") && eq_any(pp, &["signed", "sent", "approved", "opened", "written"])
        || eq(p, "of") && eq(pp, "behalf")
        || eq(p, "for")
            && eq_any(
                pp,
                &["subscription", "account", "order", "booking", "policy"],
            )
        || eq(p, "under") && eq_any(pp, &["order", "booking", "reservation", "account"])
        || eq(p, "is") && eq_any(pp, &["holder", "owner", "name", "contact", "beneficiary"])
}

/// Lexicon flags and census name flags of a word.
fn lexf(w: &[u8]) -> u32 {
    crate::words::flags(w) | crate::words::name_flags(w)
}

/// Names that come without a trigger, in cased text only, from name knowledge (the
/// census given-name and surname lists, [`crate::wordlists`]) combined with context:
///
/// * two or three capitalised words whose first is a known given name or whose last
///   is a known surname ("Derek Watanabe", "Pieter P. Patel"), unless the words are
///   ordinary words, places or products on both sides, or the last is the head noun
///   of a place ("Lincoln Park", "Victoria Station");
/// * a single known given name after a word of addressing ("ask Maria", "to Derek",
///   "Dear Kofi") or before a verb that makes it a person ("Anh called").
///
/// Ambiguous name words (Will, May, Rose, Bill, Summer, Denver …) count only after a
/// greeting or with an unambiguous partner word. Lower-case (ASR) text never reaches
/// here: without capitals the lists would match ordinary words.
fn by_knowledge(text: &[u8], toks: &[Token], agent: bool, out: &mut Vec<NameHit>) {
    use crate::words::lex;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let w = t.bytes(text);
        if t.class != Class::Alpha || !is_capitalized(w) || w.len() < 2 {
            i += 1;
            continue;
        }
        let start = t.start as usize;
        if out.iter().any(|&(a, b, _)| a <= start && start < b) {
            i += 1;
            continue;
        }
        // Common words ("The", "Thanks", "Hi") start no name: one lookup rejects most
        // capitalised tokens.
        let f = crate::words::flags(w);
        if f & lex::NAME_STOP != 0 {
            i += 1;
            continue;
        }
        let f = f | crate::words::name_flags(w);
        // Every way to a name needs a known given name or a second name word next to
        // this one (a capitalised word or an initial): check that before anything else.
        let next_name_like = toks.get(i + 1).is_some_and(|n| {
            n.class == Class::Alpha
                && n.bytes(text)
                    .first()
                    .is_some_and(|&c| c.is_ascii_uppercase() || c >= 0x80)
                // "Seo-yeon Park": a hyphenated given name
                || n.is_punct(text, b'-') && !n.gap_before
        });
        if f & (lex::CENSUS_FIRST | lex::FIRST_NAME) == 0 && !next_name_like {
            i += 1;
            continue;
        }
        let prev = (i > 0).then(|| toks[i - 1]);
        let prev_w = prev.map(|p| p.bytes(text)).unwrap_or(b"");
        let prev_alpha = prev.is_some_and(|p| p.class == Class::Alpha);
        // A capitalised word right before belongs to the same proper noun ("North
        // Denver", "Wells Fargo"): that phrase is judged from its own first word.
        // A sentence-initial adverb before it does not count ("Yesterday Emily told me").
        let prev_opens = i == 1 || i >= 2 && toks[i - 2].is_punct(text, b'.');
        if prev_alpha
            && is_capitalized(prev_w)
            && lexf(prev_w) & lex::NAME_STOP == 0
            && !(prev_opens
                && lexf(prev_w) & (lex::CENSUS_FIRST | lex::FIRST_NAME | lex::SURNAME) == 0)
        {
            i += 1;
            continue;
        }
        let Some((s, e)) = capture(text, toks, i, true, 3) else {
            i += 1;
            continue;
        };
        // "Johnson & Johnson", "Marks & Spencer": an ampersand joins the names of a firm;
        // "Hi Fabrikam Mobile team", "Apple support": a group noun after it makes it one;
        // "Rolland-sur-Langlois": the middle of a hyphenated word is no start.
        let amp = |k: Option<&Token>| k.is_some_and(|x| x.is_punct(text, b'&'));
        let group = toks.get(e).is_some_and(|n| {
            eq_any(
                n.bytes(text),
                &[
                    "team",
                    "support",
                    "department",
                    "staff",
                    "desk",
                    "office",
                    "service",
                    "services",
                    "customer",
                    "group",
                    "folks",
                    "crew",
                    "helpdesk",
                    "billing",
                    "store",
                    "branch",
                    "app",
                    "website",
                    "account",
                    "plan",
                    "card",
                    "bank",
                ],
            )
        });
        let glued = prev.is_some_and(|p| p.class == Class::Punct && !t.gap_before)
            || toks
                .get(i + 1)
                .is_some_and(|n| n.is_punct(text, b'-') && !n.gap_before)
                && toks.get(i + 2).is_some_and(|n| n.class != Class::Alpha);
        // "WM-2100", "USA": capitals only are codes and acronyms, not names.
        let acronym = !w[1..].iter().any(|&c| c.is_ascii_lowercase() || c >= 0x80);
        if amp(prev.as_ref()) || amp(toks.get(e)) || group || glued || acronym {
            i = e;
            continue;
        }
        // The words of the capture (initials and hyphen parts left out).
        // (At most three name words: no allocation.)
        let mut buf: [&[u8]; 4] = [b""; 4];
        let mut nw = 0;
        for x in &toks[s..e] {
            if x.class == Class::Alpha && x.len() > 1 && nw < buf.len() {
                buf[nw] = x.bytes(text);
                nw += 1;
            }
        }
        let words = &buf[..nw];
        // "Yesterday Aroha M. Iyer", "Contact Jason S. Kuznetsov": an unknown capitalised
        // word that opens the sentence before two more name words is the sentence's.
        let opens =
            i == 0 || prev.is_some_and(|p| p.class == Class::Punct && !p.is_punct(text, b','));
        let known = |x: &[u8]| lexf(x) & (lex::CENSUS_FIRST | lex::FIRST_NAME | lex::SURNAME) != 0;
        if opens && words.len() >= 3 && !known(w) {
            i += 1;
            continue;
        }
        let initial = toks[s..e]
            .iter()
            .any(|x| x.class == Class::Alpha && x.len() == 1);
        let addressed = prev_alpha && eq_any(prev_w, ADDRESSING)
            || prev.is_some_and(|p| p.is_punct(text, b','))
                && i >= 2
                && eq_any(toks[i - 2].bytes(text), GREETINGS);
        let greeted = prev_alpha && eq_any(prev_w, GREETINGS)
            || prev.is_some_and(|p| p.is_punct(text, b','))
                && i >= 2
                && eq_any(toks[i - 2].bytes(text), GREETINGS);
        let amb = |x: &[u8]| {
            let g = lexf(x);
            g & (lex::AMBIGUOUS_NAME | lex::COMMON | lex::MONTH | lex::SUFFIX) != 0
        };
        let known_first = f & (lex::CENSUS_FIRST | lex::FIRST_NAME) != 0;
        let ok = if words.len() >= 2 {
            let last = words[words.len() - 1];
            let lf = lexf(last);
            let known_last = lf & lex::SURNAME != 0;
            let place = lf & (lex::PLACE_HEAD | lex::SUFFIX) != 0
                || toks.get(e).is_some_and(|n| {
                    // "Lincoln Park Zoo": the phrase goes on with more capitals.
                    n.class == Class::Alpha
                        && is_capitalized(n.bytes(text))
                        && lexf(n.bytes(text)) & lex::NAME_STOP == 0
                });
            let both_amb = amb(w) && amb(last);
            // Unknown words too, after an unmistakable act of addressing ("spoke with
            // Anouk Novák", "Dear Chinedu Tesfaye"), when none of them is an ordinary word.
            // Ordinary words (not street words: "Brooks", "Mills" are surnames too).
            let plain = |x: &[u8]| {
                lexf(x) & (lex::AMBIGUOUS_NAME | lex::COMMON | lex::MONTH | lex::NAME_STOP) == 0
            };
            let unknown_ok = words.iter().all(|x| plain(x));
            let strong = strongly_addressed(text, toks, i) && unknown_ok;
            // "First I. Last": a dotted middle initial between two name words marks a
            // person whatever the lists say ("Pieter P. Sharma").
            let dotted = initial
                && toks[s..e].windows(2).any(|p| {
                    p[0].class == Class::Alpha && p[0].len() == 1 && p[1].is_punct(text, b'.')
                });
            // "… and Aroha Bakker" right after a name found, "Ayşe Nasser is my husband".
            let coordinated = eq(prev_w, "and")
                && i >= 2
                && out.iter().any(|&(_, b, _)| b == toks[i - 2].end as usize);
            !place
                && (strong
                    || (dotted || coordinated || related(text, toks, e)) && unknown_ok
                    || !both_amb
                        && ((known_first && (!amb(w) || known_last && !amb(last)))
                            || (known_last && !amb(last) && (known_first || initial || addressed))
                            || (addressed && (known_first || known_last)))
                    // "Rose N. Strong": a middle initial marks a person.
                    || initial && (known_first || known_last))
        } else {
            let next = toks.get(e);
            let verb = next.is_some_and(|n| {
                let nb = n.bytes(text);
                n.class == Class::Alpha
                    && !is_capitalized(nb)
                    && (eq_any(nb, PERSON_VERBS) || nb.len() > 4 && nb.ends_with(b"ed"))
            }) || next.is_some_and(|n| n.is_punct(text, b','))
                && (i == 0 || prev.is_some_and(|p| p.is_punct(text, b'.')));
            known_first && (greeted || !amb(w) && (addressed || verb))
        };
        if ok {
            // The agent's own name ("…billing, Daniel here", "Daniel speaking") is not
            // customer data; marked so the caller excludes it in every turn.
            let own = agent
                && (toks
                    .get(e)
                    .is_some_and(|n| eq_any(n.bytes(text), &["here", "speaking"]))
                    || eq_any(prev_w, &["I'm", "is", "am"]));
            out.push((start, toks[e - 1].end as usize, own));
            i = e;
        } else {
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str, sp: Speaker) -> Vec<String> {
        let mut t = Vec::new();
        crate::text::tokenize(s, &mut t);
        let mut o = Vec::new();
        find(s.as_bytes(), &t, sp, false, true, &mut o);
        o.iter()
            .map(|&(a, b, own)| format!("{}{}", if own { "agent:" } else { "" }, &s[a..b]))
            .collect()
    }

    #[test]
    fn triggers() {
        assert_eq!(
            names(
                "Hi, I'm Alfred Raynaud. I'd like to close my account",
                Speaker::Customer
            ),
            vec!["Alfred Raynaud"]
        );
        assert_eq!(
            names(
                "yeah hi uh eileen thomson speaking i can't log in",
                Speaker::Customer
            ),
            vec!["eileen thomson"]
        );
        assert_eq!(
            names("you're through to Amber. How may I help?", Speaker::Agent),
            vec!["agent:Amber"]
        );
        assert_eq!(names("Dear Mrs. McLean,", Speaker::Agent), vec!["McLean"]);
        assert_eq!(
            names(
                "my partner usually deals with this stuff",
                Speaker::Customer
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            names("am i speaking with priya natarajan", Speaker::Agent),
            vec!["priya natarajan"]
        );
        assert_eq!(
            names("Kind regards,\nSiobhán O'Neill", Speaker::Customer),
            vec!["Siobhán O'Neill"]
        );
    }
}
