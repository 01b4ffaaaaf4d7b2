//! Rule packs: the versioned TOML that says what counts as misconduct, which
//! disclosures are required and how the scorecard is built.
//!
//! A pack is data, compiled once by [`crate::Engine::new`]. Parsing is strict
//! (`deny_unknown_fields`): a typo in a field name is an error naming the line,
//! not a silently ignored rule. Semantic errors (unknown speaker, a `before`
//! pointing at a rule that does not exist, a rule without examples) name the
//! rule id and the field. The default pack lives in `packs/default.toml` and
//! is embedded with `include_str!`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The default pack source.
pub const DEFAULT_PACK: &str = include_str!("../packs/default.toml");

/// Errors loading a pack.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// TOML syntax or shape error (message names line and column).
    #[error("rule pack is not valid TOML: {0}")]
    Toml(String),
    /// A rule is inconsistent.
    #[error("rule `{rule}`: field `{field}`: {message}")]
    Rule {
        /// Rule id (or `#index` when the id is missing).
        rule: String,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A scorecard item is inconsistent.
    #[error("score item `{item}`: field `{field}`: {message}")]
    Score {
        /// Item id.
        item: String,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Pack-level problem.
    #[error("rule pack: field `{field}`: {message}")]
    Pack {
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Detector settings of a pack.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DetectorsDef {
    /// ISO 3166 regions tried for phone numbers without a country code.
    #[serde(default)]
    pub phone_regions: Vec<String>,
    /// Span kinds to leave out (e.g. `["pii.person_name"]`).
    #[serde(default)]
    pub disabled_kinds: Vec<String>,
}

/// One rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id (`honesty.guarantee`).
    pub id: String,
    /// Event kind emitted (`conduct.guarantee`).
    pub kind: String,
    /// Human description.
    #[serde(default)]
    pub description: String,
    /// `agent`, `customer` or absent for both.
    #[serde(default)]
    pub speaker: Option<String>,
    /// Channels the rule applies to (all when empty).
    #[serde(default)]
    pub channels: Vec<String>,
    /// Only the speaker's first N turns are inspected.
    #[serde(default)]
    pub first_turns: Option<usize>,
    /// Phrases (words; `a|b` alternatives; `*` any one word).
    #[serde(default)]
    pub phrases: Vec<String>,
    /// A built-in detector that recognises the rule's function in any wording
    /// (`guarantee`, `pressure`, `abuse`, `recording_notice`, `verification`,
    /// `account_detail`; see
    /// [`crate::conduct`]); its hits count like phrase hits.
    #[serde(default)]
    pub detector: Option<String>,
    /// Phrases that cancel a hit in the same sentence ("no pressure").
    #[serde(default)]
    pub unless: Vec<String>,
    /// A negation word just before the phrase cancels it ("I can't guarantee").
    #[serde(default)]
    pub negatable: bool,
    /// Fire when *no* phrase is found in scope.
    #[serde(default)]
    pub absent: bool,
    /// Only hits before the first hit of this other rule count.
    #[serde(default)]
    pub before: Option<String>,
    /// Only hits after the first hit of this other rule count (none if it never matched).
    #[serde(default)]
    pub after: Option<String>,
    /// Emit events (false for helper rules used by `before`/`applies_if`).
    #[serde(default = "yes")]
    pub emit: bool,
    /// Examples that must fire.
    #[serde(default)]
    pub positive: Vec<String>,
    /// Examples that must not fire.
    #[serde(default)]
    pub negative: Vec<String>,
}

fn yes() -> bool {
    true
}

/// One scorecard item.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreDef {
    /// Item id.
    pub id: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Weight.
    pub points: u32,
    /// Event kinds or rule ids that fail the item.
    pub fails_on: Vec<String>,
    /// A failure fails the interaction (score 0).
    #[serde(default)]
    pub critical: bool,
    /// Channels where the item applies (N/A elsewhere; all when empty).
    #[serde(default)]
    pub channels: Vec<String>,
    /// N/A unless this rule (often a helper) matched somewhere.
    #[serde(default)]
    pub applies_if: Option<String>,
    /// A behaviour the agent owes after each hit of `applies_if` (a rule id): the
    /// item fails when it is not shown in the agent's next `within_turns` turns.
    #[serde(default)]
    pub requires: Option<String>,
    /// Agent turns after a trigger in which `requires` must show (default 2).
    #[serde(default)]
    pub within_turns: Option<usize>,
    /// A rule whose hit in a customer turn excuses the agent there: a trigger in
    /// that turn obliges nothing and talking over it does not count.
    #[serde(default)]
    pub excused_by: Option<String>,
    /// Fail on an agent turn starting more than this many milliseconds before the
    /// customer's turn ends (back-channels aside); N/A without turn timings.
    #[serde(default)]
    pub talk_over_ms: Option<u64>,
}

impl ScoreDef {
    /// Agent turns after a trigger in which the required behaviour must show.
    pub fn within(&self) -> usize {
        self.within_turns.unwrap_or(2)
    }
}

/// A parsed rule pack (not yet compiled).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    /// Pack name.
    pub name: String,
    /// Pack version, recorded in every scorecard.
    pub version: String,
    /// Detector settings.
    #[serde(default)]
    pub detectors: DetectorsDef,
    /// Words dropped before phrase matching (ASR hesitations).
    #[serde(default)]
    pub fillers: Vec<String>,
    /// Negation words for `negatable` rules.
    #[serde(default)]
    pub negations: Vec<String>,
    /// ASR spelling variants: canonical word → variants.
    #[serde(default)]
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
    /// Scorecard items.
    #[serde(default, rename = "score")]
    pub score: Vec<ScoreDef>,
}

const KINDS: &[&str] = &[
    "conduct.guarantee",
    "conduct.pressure",
    "conduct.abusive",
    "disclosure.recording_missing",
    "disclosure.verification_missing",
];

impl RulePack {
    /// The embedded default pack.
    pub fn default_pack() -> Result<RulePack, PackError> {
        RulePack::from_toml(DEFAULT_PACK)
    }

    /// Parse and validate a pack.
    pub fn from_toml(src: &str) -> Result<RulePack, PackError> {
        let p: RulePack = toml::from_str(src).map_err(|e| PackError::Toml(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), PackError> {
        if self.version.trim().is_empty() {
            return Err(PackError::Pack {
                field: "version",
                message: "must not be empty".into(),
            });
        }
        let mut ids = std::collections::HashSet::new();
        for (i, r) in self.rules.iter().enumerate() {
            let rid = if r.id.is_empty() {
                format!("#{i}")
            } else {
                r.id.clone()
            };
            let err = |field: &'static str, message: String| PackError::Rule {
                rule: rid.clone(),
                field,
                message,
            };
            if r.id.is_empty() {
                return Err(err("id", "must not be empty".into()));
            }
            if !ids.insert(r.id.as_str()) {
                return Err(err("id", "duplicate rule id".into()));
            }
            if r.emit && !KINDS.contains(&r.kind.as_str()) && !r.kind.contains('.') {
                return Err(err(
                    "kind",
                    format!(
                        "unknown kind `{}` (use e.g. conduct.guarantee or a dotted new kind)",
                        r.kind
                    ),
                ));
            }
            if let Some(s) = &r.speaker {
                if s != "agent" && s != "customer" {
                    return Err(err("speaker", format!("`{s}` is not agent or customer")));
                }
            }
            for c in &r.channels {
                if !matches!(c.as_str(), "voice" | "chat" | "email") {
                    return Err(err(
                        "channels",
                        format!("`{c}` is not voice, chat or email"),
                    ));
                }
            }
            if let Some(d) = &r.detector {
                if crate::conduct::Function::parse(d).is_none() {
                    return Err(err(
                        "detector",
                        format!(
                            "`{d}` is not one of {}",
                            crate::conduct::Function::NAMES.join(", ")
                        ),
                    ));
                }
            }
            if r.phrases.is_empty() && r.detector.is_none() {
                return Err(err(
                    "phrases",
                    "at least one phrase (or a detector) is required".into(),
                ));
            }
            for ph in r.phrases.iter().chain(&r.unless) {
                if ph.split_whitespace().next().is_none_or(|w| w == "*") {
                    return Err(err(
                        "phrases",
                        format!("phrase `{ph}` must start with a word"),
                    ));
                }
            }
            if r.positive.is_empty() || r.negative.is_empty() {
                return Err(err(
                    "positive/negative",
                    "every rule needs positive and negative examples".into(),
                ));
            }
        }
        for r in &self.rules {
            for (field, target) in [("before", &r.before), ("after", &r.after)] {
                if let Some(b) = target {
                    if !ids.contains(b.as_str()) {
                        return Err(PackError::Rule {
                            rule: r.id.clone(),
                            field,
                            message: format!("no rule `{b}`"),
                        });
                    }
                }
            }
        }
        for s in &self.score {
            let err = |field: &'static str, message: String| PackError::Score {
                item: s.id.clone(),
                field,
                message,
            };
            if s.fails_on.is_empty() && s.requires.is_none() && s.talk_over_ms.is_none() {
                return Err(err(
                    "fails_on",
                    "must name at least one event kind or rule id (or the item needs `requires` or `talk_over_ms`)".into(),
                ));
            }
            for (field, rule) in [
                ("applies_if", &s.applies_if),
                ("requires", &s.requires),
                ("excused_by", &s.excused_by),
            ] {
                if let Some(a) = rule {
                    if !ids.contains(a.as_str()) {
                        return Err(err(field, format!("no rule `{a}`")));
                    }
                }
            }
            if s.requires.is_some() && s.applies_if.is_none() {
                return Err(err(
                    "requires",
                    "needs `applies_if`: the rule whose hits make the behaviour due".into(),
                ));
            }
            match s.within_turns {
                Some(_) if s.requires.is_none() => {
                    return Err(err("within_turns", "only applies with `requires`".into()))
                }
                Some(0) => return Err(err("within_turns", "must be at least 1".into())),
                _ => {}
            }
        }
        for r in &self.detectors.phone_regions {
            if r.parse::<phonenumber::country::Id>().is_err() {
                return Err(PackError::Pack {
                    field: "detectors.phone_regions",
                    message: format!("unknown region `{r}`"),
                });
            }
        }
        Ok(())
    }
}
