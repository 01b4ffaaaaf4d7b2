//! The engine: a compiled rule pack plus detectors, shared by all threads.
//!
//! `Engine` is immutable after [`Engine::new`] (`Send + Sync`); per-scan
//! buffers live in a [`Scratch`] that each thread owns and reuses, so scanning
//! allocates only for its output once the buffers have grown.

use crate::commit;
use crate::model::{Event, Findings, Interaction, Span};
use crate::pack::{PackError, RulePack, ScoreDef};
use crate::pii::{self, Detector, DetectorConfig, Kind};
use crate::rules::{Norm, RuleHit, RuleSet};

/// Engine construction errors.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The pack is invalid.
    #[error(transparent)]
    Pack(#[from] PackError),
    /// A keyword automaton could not be built.
    #[error("internal automaton build failed: {0}")]
    Build(String),
}

/// Reusable per-thread buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    pii: pii::Scratch,
    norm: Norm,
    hits: Vec<RuleHit>,
    matched: Vec<bool>,
    words: Vec<&'static str>,
    in_scope: Vec<Vec<crate::score::Occurrence>>,
}

/// The scorecard's view of the rules that ran on one interaction.
struct RuleMatches<'a> {
    rules: &'a RuleSet,
    matched: &'a [bool],
    hits: &'a [Vec<crate::score::Occurrence>],
}

impl RuleMatches<'_> {
    fn index(&self, id: &str) -> Option<usize> {
        self.rules.rules.iter().position(|r| r.id == id)
    }
}

impl crate::score::Matches for RuleMatches<'_> {
    fn matched(&self, rule: &str) -> bool {
        self.index(rule)
            .is_some_and(|i| self.matched.get(i).copied().unwrap_or(false))
    }
    fn hits(&self, rule: &str) -> &[crate::score::Occurrence] {
        self.index(rule)
            .and_then(|i| self.hits.get(i))
            .map_or(&[], Vec::as_slice)
    }
    fn is_helper(&self, rule: &str) -> bool {
        self.index(rule)
            .and_then(|i| self.rules.rules.get(i))
            .is_some_and(|r| !r.emit)
    }
}

/// A compiled engine.
#[derive(Debug, Clone)]
pub struct Engine {
    detector: Detector,
    rules: RuleSet,
    score: Vec<ScoreDef>,
    version: String,
    disabled: Vec<Kind>,
}

impl Engine {
    /// Compile a pack.
    pub fn new(pack: &RulePack) -> Result<Engine, EngineError> {
        let mut regions = Vec::new();
        for r in &pack.detectors.phone_regions {
            regions.push(
                r.parse::<phonenumber::country::Id>()
                    .map_err(|_| PackError::Pack {
                        field: "detectors.phone_regions",
                        message: format!("unknown region `{r}`"),
                    })?,
            );
        }
        if regions.is_empty() {
            regions.push(phonenumber::country::Id::US);
        }
        let mut disabled = Vec::new();
        for k in &pack.detectors.disabled_kinds {
            disabled.push(Kind::parse(k).ok_or_else(|| PackError::Pack {
                field: "detectors.disabled_kinds",
                message: format!("unknown span kind `{k}`"),
            })?);
        }
        let detector = Detector::new(DetectorConfig {
            phone_regions: regions,
        })
        .map_err(|e| EngineError::Build(e.to_string()))?;
        Ok(Engine {
            detector,
            rules: RuleSet::new(pack)?,
            score: pack.score.clone(),
            version: pack.version.clone(),
            disabled,
        })
    }

    /// Compile the embedded default pack.
    pub fn default_engine() -> Result<Engine, EngineError> {
        Engine::new(&RulePack::default_pack()?)
    }

    /// Scan one interaction.
    pub fn scan(&self, inter: &Interaction) -> Findings {
        self.scan_with(inter, &mut Scratch::default())
    }

    /// Scan one interaction reusing `sc` (one per thread).
    pub fn scan_with(&self, inter: &Interaction, sc: &mut Scratch) -> Findings {
        let tz = commit::zone(inter.timezone.as_deref());
        let start = inter.started_at.to_zoned(tz);
        sc.hits.clear();
        let mut commitments = Vec::new();
        {
            let Scratch {
                pii,
                norm,
                hits,
                words,
                ..
            } = sc;
            let rules = &self.rules;
            self.detector.detect_with(inter, pii, |ti, toks| {
                let text = &inter.turns[ti].text;
                rules.normalize(text, toks, norm);
                rules.find_for(ti, inter.turns[ti].speaker, norm, hits);
                rules.detect(ti, inter.turns[ti].speaker, text, norm, hits);
                commit::extract(inter, ti, norm, words, &mut commitments, &start);
            });
        }
        let spans: Vec<Span> = sc
            .pii
            .cands
            .iter()
            .filter(|c| !self.disabled.contains(&c.kind))
            .map(|c| Span {
                turn: c.turn,
                start: c.start,
                end: c.end,
                kind: c.kind.as_str().to_string(),
                rule: c.rule.to_string(),
            })
            .collect();

        let mut events: Vec<Event> = Vec::new();
        self.rules
            .evaluate(inter, &sc.hits, &mut sc.matched, &mut events);
        for c in &commitments {
            events.push(Event {
                turn: c.turn,
                kind: "commitment".into(),
                rule: "commitment.deadline".into(),
                evidence: c.due_phrase.clone(),
            });
        }
        events.sort_by_key(|e| e.turn);
        let (context, events): (Vec<Event>, Vec<Event>) = events
            .into_iter()
            .partition(|e| e.kind.starts_with("context."));
        self.rules.hits_in_scope(inter, &sc.hits, &mut sc.in_scope);
        let m = RuleMatches {
            rules: &self.rules,
            matched: &sc.matched,
            hits: &sc.in_scope,
        };
        let (score, scorecard) =
            crate::score::score(&self.score, &self.version, inter, &events, &m);
        Findings {
            id: inter.id.clone(),
            spans,
            events,
            commitments,
            score,
            scorecard,
            context,
        }
    }

    /// Pack version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Rule ids and whether each matched the interaction in raw phrase hits
    /// (used by `rules test` for helper rules).
    pub fn raw_matches(&self, inter: &Interaction) -> Vec<(String, bool)> {
        let mut sc = Scratch::default();
        let _ = self.scan_with(inter, &mut sc);
        self.rules
            .rules
            .iter()
            .zip(sc.matched.iter())
            .map(|(r, &m)| (r.id.clone(), m))
            .collect()
    }
}
