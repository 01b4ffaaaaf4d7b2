//! `righttrack rules export-examples`: the "should not fire" examples QA analysts added
//! when accepting disputes, written into a copy of the rule pack so that
//! `righttrack rules test FILE` runs them with every other example.
//!
//! The output is the pack (the embedded default, or `--pack`) with each stored example
//! appended to its rule's `negative` list, as a script (`[chat]` first when it came from
//! a chat or e-mail, then the redacted text). Examples of rules the pack does not have
//! are counted and left out; an example already in the list is not added twice.

use anyhow::{bail, Context, Result};
use righttrack_store::disputes::RuleExample;

/// What an export did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub added: usize,
    pub duplicates: usize,
    /// Rule ids with stored examples that the pack does not define.
    pub unknown_rules: Vec<String>,
}

/// The example as a `rules test` script.
fn script(e: &RuleExample) -> String {
    let text = e.text.split_whitespace().collect::<Vec<_>>().join(" ");
    match e.channel.as_str() {
        "chat" | "email" => format!("[{}]\n{text}", e.channel),
        _ => text,
    }
}

/// Merges `examples` into the pack source `pack_src`; returns the new pack text.
pub fn merge(pack_src: &str, examples: &[RuleExample]) -> Result<(String, Exported)> {
    let mut pack: toml::Table =
        toml::from_str(pack_src).context("the rule pack is not valid TOML")?;
    let mut done = Exported::default();
    let Some(toml::Value::Array(rules)) = pack.get_mut("rule") else {
        bail!("the rule pack has no [[rule]] entries");
    };
    for e in examples {
        let rule = rules.iter_mut().find_map(|r| match r {
            toml::Value::Table(t) if t.get("id").and_then(|v| v.as_str()) == Some(&e.rule) => {
                Some(t)
            }
            _ => None,
        });
        let Some(rule) = rule else {
            if !done.unknown_rules.contains(&e.rule) {
                done.unknown_rules.push(e.rule.clone());
            }
            continue;
        };
        let list = rule
            .entry("negative")
            .or_insert_with(|| toml::Value::Array(Vec::new()));
        let Some(list) = list.as_array_mut() else {
            bail!("rule `{}`: field `negative` is not a list", e.rule);
        };
        let s = script(e);
        if list.iter().any(|v| v.as_str() == Some(s.as_str())) {
            done.duplicates += 1;
        } else {
            list.push(toml::Value::String(s));
            done.added += 1;
        }
    }
    let text = toml::to_string_pretty(&pack).context("writing the rule pack")?;
    // The result must still be a pack `rules test` accepts.
    righttrack_scan::RulePack::from_toml(&text).context("the exported rule pack")?;
    Ok((text, done))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(rule: &str, text: &str, channel: &str) -> RuleExample {
        RuleExample {
            rule: rule.into(),
            text: text.into(),
            channel: channel.into(),
            dispute: None,
            added_by: "quinn".into(),
            at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn examples_join_their_rule_once_and_unknown_rules_are_reported() {
        let src = righttrack_scan::pack::DEFAULT_PACK;
        let (out, done) = merge(
            src,
            &[
                ex("honesty.guarantee", "I guarantee  it\nis fixed", "chat"),
                ex("honesty.guarantee", "I guarantee it is fixed", "chat"),
                ex("no.such.rule", "whatever", "voice"),
            ],
        )
        .unwrap();
        assert_eq!(
            done,
            Exported {
                added: 1,
                duplicates: 1,
                unknown_rules: vec!["no.such.rule".into()]
            }
        );
        let pack = righttrack_scan::RulePack::from_toml(&out).unwrap();
        let rule = pack
            .rules
            .iter()
            .find(|r| r.id == "honesty.guarantee")
            .unwrap();
        assert_eq!(
            rule.negative.last().unwrap(),
            "[chat]\nI guarantee it is fixed"
        );
    }
}
