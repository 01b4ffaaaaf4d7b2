//! Test helpers from the user's point of view: build interactions from short
//! scripts and run every example of a rule pack (`righttrack rules test`).
//!
//! A script is one turn per line, `agent: …` or `customer: …` (a line without
//! a prefix continues with the rule's speaker, agent by default). A first line
//! `[chat]` or `[email]` sets the channel (voice by default).

use crate::model::{Channel, Interaction, Speaker, Turn};
use crate::pack::RulePack;
use crate::Engine;
use std::sync::OnceLock;

/// The engine of the built-in pack, compiled once and shared by a test binary's tests.
#[expect(
    clippy::expect_used,
    reason = "a test helper: the built-in pack not compiling fails the test"
)]
pub fn default_engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::default_engine().expect("default pack compiles"))
}

/// `kind: text` of every span `engine` finds in `i`, in order (`pii.` left off the kind).
pub fn span_texts(engine: &Engine, i: &Interaction) -> Vec<String> {
    engine
        .scan(i)
        .spans
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s.kind.trim_start_matches("pii."),
                &i.turns[s.turn].text[s.start..s.end]
            )
        })
        .collect()
}

/// Build an interaction from a script.
pub fn script(id: &str, src: &str, default: Speaker) -> Interaction {
    let mut channel = Channel::Voice;
    let mut turns = Vec::new();
    for line in src.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        match l {
            "[chat]" => {
                channel = Channel::Chat;
                continue;
            }
            "[email]" => {
                channel = Channel::Email;
                continue;
            }
            "[voice]" => continue,
            _ => {}
        }
        let (speaker, text) = if let Some(t) = l.strip_prefix("agent:") {
            (Speaker::Agent, t.trim())
        } else if let Some(t) = l.strip_prefix("customer:") {
            (Speaker::Customer, t.trim())
        } else {
            (default, l)
        };
        turns.push(Turn {
            speaker,
            text: text.to_string(),
            start_ms: None,
            end_ms: None,
            extra: Default::default(),
        });
    }
    Interaction {
        id: id.to_string(),
        channel,
        agent_id: "test-agent".into(),
        started_at: jiff::Timestamp::UNIX_EPOCH,
        turns,
        customer_ref: None,
        queue: None,
        team: None,
        language: None,
        timezone: None,
        extra: Default::default(),
    }
}

/// One example outcome.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    /// Rule id.
    pub rule: String,
    /// Positive (must fire) or negative (must not).
    pub positive: bool,
    /// Example index within its list.
    pub index: usize,
    /// The example text.
    pub example: String,
    /// Passed?
    pub passed: bool,
}

/// Run every example of every rule in the pack.
pub fn run_examples(pack: &RulePack, engine: &Engine) -> Vec<ExampleResult> {
    let mut out = Vec::new();
    for r in &pack.rules {
        let default = if r.speaker.as_deref() == Some("customer") {
            Speaker::Customer
        } else {
            Speaker::Agent
        };
        for (positive, list) in [(true, &r.positive), (false, &r.negative)] {
            for (i, ex) in list.iter().enumerate() {
                let inter = script(&format!("{}#{}", r.id, i), ex, default);
                let fired = if r.emit {
                    let f = engine.scan(&inter);
                    f.events.iter().chain(&f.context).any(|e| e.rule == r.id)
                } else {
                    engine
                        .raw_matches(&inter)
                        .iter()
                        .any(|(id, m)| *id == r.id && *m)
                };
                out.push(ExampleResult {
                    rule: r.id.clone(),
                    positive,
                    index: i,
                    example: ex.clone(),
                    passed: fired == positive,
                });
            }
        }
    }
    out
}
