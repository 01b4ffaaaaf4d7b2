//! Error messages for malformed input lines that never echo the line
//! (shared by `righttrack scan`, `righttrack import` and HTTP ingestion).
//!
//! serde_json's own messages quote offending values ("invalid type: string
//! \"4111 …\""), which may be card numbers, so they are never shown. Instead a
//! syntax error reports its category and column, and a shape error is located
//! by re-reading the line as a `Value` and checking each field of the
//! Interaction contract ourselves, reporting the field path (`turns[3].speaker`).

use serde_json::Value;

/// Describe why `line` is not an Interaction, without quoting it.
pub fn describe(line: &str, err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof => {
            format!("invalid JSON (syntax error at column {})", err.column())
        }
        Category::Io => "read error".to_string(),
        Category::Data => match serde_json::from_str::<Value>(line) {
            Ok(v) => field_error(&v)
                .unwrap_or_else(|| "does not match the Interaction format".to_string()),
            Err(_) => format!("invalid JSON at column {}", err.column()),
        },
    }
}

fn need_str(o: &serde_json::Map<String, Value>, k: &str) -> Option<String> {
    match o.get(k) {
        None => Some(format!("field `{k}`: missing")),
        Some(Value::String(_)) => None,
        Some(_) => Some(format!("field `{k}`: expected a string")),
    }
}

fn opt_str(o: &serde_json::Map<String, Value>, k: &str) -> Option<String> {
    match o.get(k) {
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(_) => Some(format!("field `{k}`: expected a string")),
    }
}

fn field_error(v: &Value) -> Option<String> {
    let Some(o) = v.as_object() else {
        return Some("expected a JSON object".into());
    };
    if let Some(e) = need_str(o, "id") {
        return Some(e);
    }
    if let Some(e) = need_str(o, "channel") {
        return Some(e);
    }
    if !matches!(
        o.get("channel").and_then(Value::as_str),
        Some("voice" | "chat" | "email")
    ) {
        return Some("field `channel`: expected voice, chat or email".into());
    }
    if let Some(e) = need_str(o, "agent_id") {
        return Some(e);
    }
    if let Some(e) = need_str(o, "started_at") {
        return Some(e);
    }
    if o.get("started_at")
        .and_then(Value::as_str)
        .is_some_and(|s| s.parse::<jiff::Timestamp>().is_err())
    {
        return Some("field `started_at`: expected an RFC 3339 instant with offset".into());
    }
    for k in ["customer_ref", "queue", "team", "language", "timezone"] {
        if let Some(e) = opt_str(o, k) {
            return Some(e);
        }
    }
    let Some(turns) = o.get("turns") else {
        return Some("field `turns`: missing".into());
    };
    let Some(turns) = turns.as_array() else {
        return Some("field `turns`: expected an array".into());
    };
    for (i, t) in turns.iter().enumerate() {
        let Some(t) = t.as_object() else {
            return Some(format!("field `turns[{i}]`: expected an object"));
        };
        match t.get("speaker").and_then(Value::as_str) {
            Some("agent" | "customer") => {}
            None if t.get("speaker").is_none() => {
                return Some(format!("field `turns[{i}].speaker`: missing"))
            }
            _ => {
                return Some(format!(
                    "field `turns[{i}].speaker`: expected agent or customer"
                ))
            }
        }
        match t.get("text") {
            Some(Value::String(_)) => {}
            None => return Some(format!("field `turns[{i}].text`: missing")),
            _ => return Some(format!("field `turns[{i}].text`: expected a string")),
        }
        for k in ["start_ms", "end_ms"] {
            if let Some(x) = t.get(k) {
                if !(x.is_null() || x.is_u64()) {
                    return Some(format!(
                        "field `turns[{i}].{k}`: expected a non-negative integer"
                    ));
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(line: &str) -> String {
        let e = serde_json::from_str::<crate::Interaction>(line).expect_err("invalid");
        describe(line, &e)
    }

    #[test]
    fn names_the_field_never_the_content() {
        let ok = r#""id":"x","channel":"chat","agent_id":"a","started_at":"2026-11-20T14:03:00Z""#;
        assert_eq!(
            why(&format!(
                "{{{ok},\"turns\":[{{\"speaker\":\"customer\",\"text\":4111111111111111}}]}}"
            )),
            "field `turns[0].text`: expected a string"
        );
        assert_eq!(
            why(&format!(
                "{{{ok},\"turns\":[{{\"speaker\":\"bot\",\"text\":\"4111 1111 1111 1111\"}}]}}"
            )),
            "field `turns[0].speaker`: expected agent or customer"
        );
        assert_eq!(
            why(r#"{"id":"x","channel":"fax"}"#),
            "field `channel`: expected voice, chat or email"
        );
        let s = why("{\"id\": \"4111 1111 1111 1111\"");
        assert!(s.starts_with("invalid JSON") && !s.contains("4111"), "{s}");
    }
}
