//! Phrase rules: conduct and disclosure.
//!
//! Matching is word-level on a normalised token stream: ASCII lower case,
//! apostrophes dropped (`I'll`, `I’ll` and ASR `ill` meet as `ill`), pack
//! fillers removed ("uh", "um"), ASR spelling variants mapped to their canonical
//! word by the pack's `aliases`. Each phrase is indexed by its first word in a
//! hash map, so a turn costs one lookup per word plus the verification of the
//! few phrases starting with that word, whatever the pack size.
//!
//! Rule semantics (who speaks, first N turns, before another rule, absence,
//! negation, `unless`) are evaluated per interaction on the list of hits.

use crate::conduct::{self, Found, Function, Lexicon, TurnScratch};
use crate::model::{Channel, Event, Interaction, Speaker};
use crate::pack::{PackError, RulePack};
use crate::text::{self, Class, Token};
use crate::words::FnvBuild;
use std::collections::HashMap;

/// One phrase element.
#[derive(Debug, Clone)]
enum El {
    Any,
    Words(Vec<String>),
}

#[derive(Debug, Clone)]
struct Phrase {
    rule: usize,
    unless: bool,
    els: Vec<El>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Id.
    pub id: String,
    /// Event kind.
    pub kind: String,
    speaker: Option<Speaker>,
    channels: Vec<Channel>,
    first_turns: Option<usize>,
    negatable: bool,
    absent: bool,
    before: Option<usize>,
    after: Option<usize>,
    detector: Option<Function>,
    /// Emits events.
    pub emit: bool,
}

/// A phrase hit in a turn.
#[derive(Debug, Clone, Copy)]
pub struct RuleHit {
    /// Rule index.
    pub rule: usize,
    /// Turn.
    pub turn: usize,
    /// Start byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
}

/// Normalised words of a turn (reused buffers).
#[derive(Debug, Default)]
pub struct Norm {
    buf: String,
    /// (start in buf, end in buf, orig start, orig end, sentence)
    words: Vec<(u32, u32, u32, u32, u32)>,
    /// Packed key of each word ([`crate::words::key`], 0 when it has none),
    /// computed once here for the phrase index and the conduct lexicons.
    keys: Vec<u128>,
    conduct: TurnScratch,
    empathy: crate::empathy::Scratch,
    found: Vec<Found>,
}

impl Norm {
    fn word(&self, i: usize) -> &str {
        let w = self.words[i];
        self.buf.get(w.0 as usize..w.1 as usize).unwrap_or("")
    }
    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }
    /// No words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
    /// Normalised word `i`.
    pub fn word_at(&self, i: usize) -> &str {
        self.word(i)
    }
    /// Sentence number of word `i`.
    pub fn sentence(&self, i: usize) -> u32 {
        self.words[i].4
    }
    /// Packed keys of the words (0 for a word too long to pack).
    pub(crate) fn keys(&self) -> &[u128] {
        &self.keys
    }
    /// Original start byte of word `i`.
    pub fn orig_start(&self, i: usize) -> usize {
        self.words[i].2 as usize
    }
    /// Original end byte of word `i`.
    pub fn orig_end(&self, i: usize) -> usize {
        self.words[i].3 as usize
    }
    /// Original byte range of sentence `s`.
    pub fn sentence_bounds(&self, s: u32) -> (usize, usize) {
        let mut it = self.words.iter().filter(|w| w.4 == s);
        let first = it.next().map_or(0, |w| w.2 as usize);
        let last = self
            .words
            .iter()
            .rev()
            .find(|w| w.4 == s)
            .map_or(first, |w| w.3 as usize);
        (first, last)
    }
}

/// Compiled rule set.
#[derive(Debug, Clone)]
pub struct RuleSet {
    /// Rules in pack order.
    pub rules: Vec<Rule>,
    phrases: Vec<Phrase>,
    /// Phrases by their first word (packed key; see [`crate::words::key`]).
    first: HashMap<u128, Vec<usize>, FnvBuild>,
    /// First words longer than 16 bytes (rare).
    first_long: HashMap<String, Vec<usize>, FnvBuild>,
    aliases: HashMap<String, String, FnvBuild>,
    /// `aliases` by packed key (words of at most 16 bytes): one multiply-hash
    /// per word of text instead of hashing its bytes.
    alias_keys: HashMap<u128, String, FnvBuild>,
    negations: Vec<String>,
    /// Lexicons of the function detectors (when a rule uses one).
    lexicon: Option<Lexicon>,
    /// Lexicons of the empathy detectors (when a rule uses one).
    empathy: Option<crate::empathy::Lexicon>,
    /// Some phrase applies to the agent's / the customer's turns.
    phrases_for: [bool; 2],
}

fn norm_word(w: &str) -> String {
    let mut s = String::with_capacity(w.len());
    for c in w.chars() {
        if c == '\'' || c == '\u{2019}' {
            continue;
        }
        s.push(c.to_ascii_lowercase());
    }
    s
}

impl RuleSet {
    /// Compile the rules of a pack.
    pub fn new(pack: &RulePack) -> Result<Self, PackError> {
        let mut aliases: HashMap<String, String, FnvBuild> = HashMap::default();
        for (canon, vars) in &pack.aliases {
            for v in vars {
                aliases.insert(norm_word(v), norm_word(canon));
            }
        }
        let ids: HashMap<&str, usize> = pack
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut rules = Vec::new();
        let mut phrases = Vec::new();
        for (ri, r) in pack.rules.iter().enumerate() {
            let speaker = match r.speaker.as_deref() {
                Some("agent") => Some(Speaker::Agent),
                Some("customer") => Some(Speaker::Customer),
                _ => None,
            };
            let channels = r
                .channels
                .iter()
                .filter_map(|c| match c.as_str() {
                    "voice" => Some(Channel::Voice),
                    "chat" => Some(Channel::Chat),
                    "email" => Some(Channel::Email),
                    _ => None,
                })
                .collect();
            rules.push(Rule {
                id: r.id.clone(),
                kind: r.kind.clone(),
                speaker,
                channels,
                first_turns: r.first_turns,
                negatable: r.negatable,
                absent: r.absent,
                before: r.before.as_deref().and_then(|b| ids.get(b).copied()),
                after: r.after.as_deref().and_then(|b| ids.get(b).copied()),
                detector: r.detector.as_deref().and_then(Function::parse),
                emit: r.emit,
            });
            for (p, unless) in r
                .phrases
                .iter()
                .map(|p| (p, false))
                .chain(r.unless.iter().map(|p| (p, true)))
            {
                let mut els = Vec::new();
                // Tokenize phrase like text so "100%" and "i'll" split the same way.
                let mut toks = Vec::new();
                for part in p.split_whitespace() {
                    if part == "*" {
                        els.push(El::Any);
                        continue;
                    }
                    let alts: Vec<String> = part
                        .split('|')
                        .flat_map(|a| {
                            text::tokenize(a, &mut toks);
                            toks.iter()
                                .filter(|t| {
                                    t.class != Class::Punct
                                        || a.as_bytes().get(t.start as usize) == Some(&b'%')
                                })
                                .map(|t| {
                                    let w = norm_word(t.text(a));
                                    aliases.get(&w).cloned().unwrap_or(w)
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    // A part that tokenizes into several words ("100%") becomes a sequence.
                    if !part.contains('|') && alts.len() > 1 {
                        for a in alts {
                            els.push(El::Words(vec![a]));
                        }
                    } else if !alts.is_empty() {
                        els.push(El::Words(alts));
                    }
                }
                if els.is_empty() {
                    return Err(PackError::Rule {
                        rule: r.id.clone(),
                        field: "phrases",
                        message: format!("phrase `{p}` has no words"),
                    });
                }
                phrases.push(Phrase {
                    rule: ri,
                    unless,
                    els,
                });
            }
        }
        let mut first: HashMap<u128, Vec<usize>, FnvBuild> = HashMap::default();
        let mut first_long: HashMap<String, Vec<usize>, FnvBuild> = HashMap::default();
        for (pi, p) in phrases.iter().enumerate() {
            if let Some(El::Words(ws)) = p.els.first() {
                for w in ws {
                    match crate::words::key(w.as_bytes()) {
                        Some(k) => first.entry(k).or_default().push(pi),
                        None => first_long.entry(w.clone()).or_default().push(pi),
                    }
                }
            }
        }
        for f in &pack.fillers {
            aliases.insert(norm_word(f), String::new());
        }
        let lex_norm = |w: &str| {
            let w = norm_word(w);
            match aliases.get(&w) {
                Some(a) if a.is_empty() => None,
                Some(a) => Some(a.clone()),
                None => Some(w),
            }
        };
        let lexicon = rules
            .iter()
            .any(|r| {
                r.detector
                    .is_some_and(|f| !matches!(f, Function::Empathy(_)))
            })
            .then(|| Lexicon::new(&lex_norm));
        let empathy = rules
            .iter()
            .any(|r| matches!(r.detector, Some(Function::Empathy(_))))
            .then(|| crate::empathy::Lexicon::new(&lex_norm));
        let mut phrases_for = [false; 2];
        for p in &phrases {
            match rules[p.rule].speaker {
                Some(Speaker::Agent) => phrases_for[0] = true,
                Some(Speaker::Customer) => phrases_for[1] = true,
                None => phrases_for = [true, true],
            }
        }
        Ok(RuleSet {
            phrases_for,
            rules,
            phrases,
            first,
            first_long,
            alias_keys: aliases
                .iter()
                .filter_map(|(w, a)| Some((crate::words::key(w.as_bytes())?, a.clone())))
                .collect(),
            aliases,
            negations: pack.negations.iter().map(|w| norm_word(w)).collect(),
            lexicon,
            empathy,
        })
    }

    /// Normalise a turn into `n` from its tokens.
    pub fn normalize(&self, text: &str, toks: &[Token], n: &mut Norm) {
        n.buf.clear();
        n.words.clear();
        n.keys.clear();
        let b = text.as_bytes();
        let mut sentence = 0u32;
        for t in toks {
            if t.class == Class::Punct {
                let c = b[t.start as usize];
                if matches!(c, b'.' | b'?' | b'!' | b';' | b'\n') {
                    sentence += 1;
                } else if c == b'%' {
                    // "%" meets its alias ("percent") as any word does.
                    let s = n.buf.len() as u32;
                    n.buf
                        .push_str(self.aliases.get("%").map_or("%", String::as_str));
                    n.words
                        .push((s, n.buf.len() as u32, t.start, t.end, sentence));
                    n.keys
                        .push(crate::words::key(&n.buf.as_bytes()[s as usize..]).unwrap_or(0));
                } else if c == b',' {
                    // commas end a clause for negation scope purposes only loosely
                }
                continue;
            }
            let s = n.buf.len();
            let tt = t.text(text);
            // Most words hold no apostrophe (ASCII `'`, or U+2019 whose UTF-8
            // starts with 0xE2): copy and lower-case them in bulk instead of one
            // char at a time.
            if tt.bytes().any(|c| c == b'\'' || c == 0xE2) {
                for c in tt.chars() {
                    if c == '\'' || c == '\u{2019}' {
                        continue;
                    }
                    n.buf.push(c.to_ascii_lowercase());
                }
            } else {
                n.buf.push_str(tt);
                n.buf[s..].make_ascii_lowercase();
            }
            let w = &n.buf[s..];
            let mut k = crate::words::key(w.as_bytes());
            // Fillers are stored as aliases to "" (one lookup per word).
            let alias = match k {
                Some(k) => self.alias_keys.get(&k),
                None => self.aliases.get(w),
            };
            if let Some(a) = alias {
                n.buf.truncate(s);
                if a.is_empty() {
                    continue;
                }
                n.buf.push_str(a);
                k = crate::words::key(a.as_bytes());
            }
            n.words
                .push((s as u32, n.buf.len() as u32, t.start, t.end, sentence));
            n.keys.push(k.unwrap_or(0));
        }
    }

    /// Run the function detectors of the rules that apply to `speaker` on a
    /// normalised turn (see [`crate::conduct`]); their hits join the phrase hits.
    pub fn detect(
        &self,
        turn: usize,
        speaker: Speaker,
        text: &str,
        n: &mut Norm,
        out: &mut Vec<RuleHit>,
    ) {
        let applies = |r: &Rule| r.detector.is_some() && r.speaker.is_none_or(|s| s == speaker);
        if n.words.is_empty() || !self.rules.iter().any(applies) {
            return;
        }
        let mut found = std::mem::take(&mut n.found);
        if let Some(lex) = &self.lexicon {
            let conduct =
                |r: &Rule| applies(r) && !matches!(r.detector, Some(Function::Empathy(_)));
            if self.rules.iter().any(conduct) {
                let mut sc = std::mem::take(&mut n.conduct);
                lex.categorise(n, text, &mut sc);
                for (ri, r) in self.rules.iter().enumerate() {
                    let Some(f) = r.detector.filter(|_| conduct(r)) else {
                        continue;
                    };
                    found.clear();
                    conduct::detect(f, n, text, &sc, &mut found);
                    out.extend(found.iter().map(|x| RuleHit {
                        rule: ri,
                        turn,
                        start: x.start,
                        end: x.end,
                    }));
                }
                n.conduct = sc;
            }
        }
        if let Some(lex) = &self.empathy {
            let empathy = |r: &Rule| applies(r) && matches!(r.detector, Some(Function::Empathy(_)));
            if self.rules.iter().any(empathy) {
                let mut sc = std::mem::take(&mut n.empathy);
                lex.categorise(n, &mut sc);
                for (ri, r) in self.rules.iter().enumerate() {
                    let Some(Function::Empathy(f)) = r.detector.filter(|_| empathy(r)) else {
                        continue;
                    };
                    found.clear();
                    crate::empathy::detect(f, lex, n, text, &sc, &mut found);
                    out.extend(found.iter().map(|x| RuleHit {
                        rule: ri,
                        turn,
                        start: x.start,
                        end: x.end,
                    }));
                }
                n.empathy = sc;
            }
        }
        n.found = found;
    }

    fn match_at(&self, n: &Norm, i: usize, p: &Phrase) -> Option<usize> {
        let mut j = i;
        for el in &p.els {
            if j >= n.words.len() {
                return None;
            }
            match el {
                El::Any => {}
                El::Words(ws) => {
                    let w = n.word(j);
                    if !ws.iter().any(|x| x == w) {
                        return None;
                    }
                }
            }
            j += 1;
        }
        Some(j)
    }

    /// Find rule hits in a normalised turn spoken by `speaker` (a turn no phrase
    /// applies to is skipped).
    pub fn find_for(&self, turn: usize, speaker: Speaker, n: &Norm, out: &mut Vec<RuleHit>) {
        let i = usize::from(speaker == Speaker::Customer);
        if self.phrases_for[i] {
            self.find(turn, n, out);
        }
    }

    /// Find rule hits in a normalised turn.
    pub fn find(&self, turn: usize, n: &Norm, out: &mut Vec<RuleHit>) {
        let base = out.len();
        let mut unless_hits: Vec<(usize, u32)> = Vec::new();
        for i in 0..n.words.len() {
            let w = n.word(i);
            let ps = match n.keys[i] {
                0 => self.first_long.get(w),
                k => self.first.get(&k),
            };
            let Some(ps) = ps else {
                continue;
            };
            for &pi in ps {
                let p = &self.phrases[pi];
                let Some(j) = self.match_at(n, i, p) else {
                    continue;
                };
                if p.unless {
                    unless_hits.push((p.rule, n.words[i].4));
                    continue;
                }
                let r = &self.rules[p.rule];
                if r.negatable {
                    let sent = n.words[i].4;
                    let from = i.saturating_sub(4);
                    let neg = (from..i).any(|k| {
                        n.words[k].4 == sent && self.negations.iter().any(|x| x == n.word(k))
                    });
                    if neg {
                        continue;
                    }
                }
                out.push(RuleHit {
                    rule: p.rule,
                    turn,
                    start: n.words[i].2 as usize,
                    end: n.words[j - 1].3 as usize,
                });
            }
        }
        if !unless_hits.is_empty() {
            // Drop hits whose sentence holds an `unless` phrase of the same rule.
            let mut k = base;
            while k < out.len() {
                let h = out[k];
                let sent = n
                    .words
                    .iter()
                    .find(|w| w.2 as usize == h.start)
                    .map(|w| w.4);
                if unless_hits
                    .iter()
                    .any(|&(r, s)| r == h.rule && Some(s) == sent)
                {
                    out.remove(k);
                } else {
                    k += 1;
                }
            }
        }
    }

    /// The hits of each rule (by index) that are in the rule's scope (speaker,
    /// first turns, channels), sorted by position, into `out` (one list per rule).
    /// The scorecard reads them: a required behaviour is looked for after its trigger.
    pub fn hits_in_scope(
        &self,
        inter: &Interaction,
        hits: &[RuleHit],
        out: &mut Vec<Vec<crate::score::Occurrence>>,
    ) {
        out.resize_with(self.rules.len(), Vec::new);
        for o in out.iter_mut() {
            o.clear();
        }
        let mut rank = vec![0usize; inter.turns.len()];
        let (mut a, mut c) = (0usize, 0usize);
        for (k, t) in inter.turns.iter().enumerate() {
            let n = if t.speaker == Speaker::Agent {
                &mut a
            } else {
                &mut c
            };
            rank[k] = *n;
            *n += 1;
        }
        for h in hits {
            let r = &self.rules[h.rule];
            let Some(t) = inter.turns.get(h.turn) else {
                continue;
            };
            if r.speaker.is_some_and(|s| s != t.speaker)
                || r.first_turns.is_some_and(|n| rank[h.turn] >= n)
                || (!r.channels.is_empty() && !r.channels.contains(&inter.channel))
            {
                continue;
            }
            if let Some(o) = out.get_mut(h.rule) {
                o.push(crate::score::Occurrence {
                    turn: h.turn,
                    start: h.start,
                    end: h.end,
                });
            }
        }
        for o in out.iter_mut() {
            o.sort_by_key(|x| (x.turn, x.start));
        }
    }

    /// Evaluate rule semantics on all hits of an interaction into events.
    /// Also returns, via `matched`, which rules had any raw hit.
    pub fn evaluate(
        &self,
        inter: &Interaction,
        hits: &[RuleHit],
        matched: &mut Vec<bool>,
        events: &mut Vec<Event>,
    ) {
        matched.clear();
        matched.resize(self.rules.len(), false);
        // Turn rank per speaker (0 = speaker's first turn).
        let mut rank = Vec::with_capacity(inter.turns.len());
        let (mut a, mut c) = (0usize, 0usize);
        for t in &inter.turns {
            match t.speaker {
                Speaker::Agent => {
                    rank.push(a);
                    a += 1;
                }
                Speaker::Customer => {
                    rank.push(c);
                    c += 1;
                }
            }
        }
        let in_scope = |r: &Rule, turn: usize| -> bool {
            let sp = inter.turns[turn].speaker;
            r.speaker.is_none_or(|s| s == sp) && r.first_turns.is_none_or(|n| rank[turn] < n)
        };
        // First valid hit per rule (for `before`).
        let mut first_hit: Vec<Option<(usize, usize)>> = vec![None; self.rules.len()];
        for h in hits {
            let r = &self.rules[h.rule];
            if !in_scope(r, h.turn) {
                continue;
            }
            matched[h.rule] = true;
            let k = (h.turn, h.start);
            if first_hit[h.rule].is_none_or(|f| k < f) {
                first_hit[h.rule] = Some(k);
            }
        }
        for (ri, r) in self.rules.iter().enumerate() {
            if !r.emit {
                continue;
            }
            if !r.channels.is_empty() && !r.channels.contains(&inter.channel) {
                continue;
            }
            if r.absent {
                let scope_turns: Vec<usize> =
                    (0..inter.turns.len()).filter(|&t| in_scope(r, t)).collect();
                if !matched[ri] {
                    if let Some(&last) = scope_turns.last() {
                        let who = r.speaker.map_or("any speaker", |s| {
                            if s == Speaker::Agent {
                                "the agent"
                            } else {
                                "the customer"
                            }
                        });
                        let scope = r.first_turns.map_or(String::new(), |n| {
                            format!(" in the first {n} turns of {who}")
                        });
                        events.push(Event {
                            turn: last,
                            kind: r.kind.clone(),
                            rule: r.id.clone(),
                            evidence: format!("no phrase of `{}` found{scope}", r.id),
                        });
                    }
                }
                continue;
            }
            let mut last_turn = usize::MAX;
            for h in hits.iter().filter(|h| h.rule == ri) {
                if !in_scope(r, h.turn) || h.turn == last_turn {
                    continue;
                }
                if let Some(b) = r.before {
                    if first_hit[b].is_some_and(|f| f <= (h.turn, h.start)) {
                        continue;
                    }
                }
                if let Some(a) = r.after {
                    if first_hit[a].is_none_or(|f| f >= (h.turn, h.start)) {
                        continue;
                    }
                }
                last_turn = h.turn;
                let text = &inter.turns[h.turn].text;
                let ev = text.get(h.start..h.end).unwrap_or("").to_string();
                events.push(Event {
                    turn: h.turn,
                    kind: r.kind.clone(),
                    rule: r.id.clone(),
                    evidence: ev,
                });
            }
        }
    }
}
