//! A small Markdown renderer for course content that cannot emit anything unsafe.
//!
//! It understands what course text needs: headings (`#` to `####`), paragraphs, bullet
//! and numbered lists, block quotes, horizontal rules, `**bold**`, `*italic*`,
//! `` `code` `` and `[links](https://…)`. Everything else is text. Safety is by
//! construction: every character of the input is HTML-escaped, the only tags are the
//! ones written here, and a link's target must start with `http://`, `https://` or
//! `mailto:` (anything else, such as `javascript:`, is shown as plain text). Raw HTML in
//! the input is shown, escaped, as typed.
//!
//! We chose this over pulldown-cmark: the subset is about 200 lines we can read in one
//! sitting, there is no raw-HTML switch to forget, and no new dependency.

pub use crate::markdown::escape;

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Renders inline markup of one block's text.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let find = |from: usize, pat: &[char]| -> Option<usize> {
        (from..chars.len().saturating_sub(pat.len() - 1)).find(|&j| chars[j..].starts_with(pat))
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            if let Some(end) = find(i + 1, &['`']) {
                let code: String = chars[i + 1..end].iter().collect();
                out.push_str(&format!("<code>{}</code>", escape(&code)));
                i = end + 1;
                continue;
            }
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            if let Some(end) = find(i + 2, &['*', '*']) {
                if end > i + 2 {
                    let inner: String = chars[i + 2..end].iter().collect();
                    out.push_str(&format!("<strong>{}</strong>", inline(&inner)));
                    i = end + 2;
                    continue;
                }
            }
        }
        if c == '*' || c == '_' {
            if let Some(end) = find(i + 1, &[c]) {
                if end > i + 1 && !chars[i + 1].is_whitespace() {
                    let inner: String = chars[i + 1..end].iter().collect();
                    out.push_str(&format!("<em>{}</em>", inline(&inner)));
                    i = end + 1;
                    continue;
                }
            }
        }
        if c == '[' {
            if let Some(close) = find(i + 1, &[']', '(']) {
                if let Some(end) = find(close + 2, &[')']) {
                    let label: String = chars[i + 1..close].iter().collect();
                    let url: String = chars[close + 2..end].iter().collect();
                    if safe_url(&url) {
                        out.push_str(&format!(
                            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
                            escape(url.trim()),
                            inline(&label)
                        ));
                    } else {
                        // An unsafe target: the label stays, the link does not.
                        out.push_str(&inline(&label));
                    }
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push_str(&escape(&c.to_string()));
        i += 1;
    }
    out
}

enum Block {
    None,
    Para(Vec<String>),
    List(bool, Vec<String>),
    Quote(Vec<String>),
}

fn flush(block: &mut Block, out: &mut String) {
    match std::mem::replace(block, Block::None) {
        Block::None => {}
        Block::Para(lines) => out.push_str(&format!("<p>{}</p>\n", inline(&lines.join(" ")))),
        Block::Quote(lines) => out.push_str(&format!(
            "<blockquote><p>{}</p></blockquote>\n",
            inline(&lines.join(" "))
        )),
        Block::List(ordered, items) => {
            let tag = if ordered { "ol" } else { "ul" };
            out.push_str(&format!("<{tag}>\n"));
            for it in items {
                out.push_str(&format!("<li>{}</li>\n", inline(&it)));
            }
            out.push_str(&format!("</{tag}>\n"));
        }
    }
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Some((true, rest));
        }
    }
    None
}

/// Renders course Markdown to HTML that is safe to embed as is.
pub fn render(md: &str) -> String {
    let mut out = String::new();
    let mut block = Block::None;
    for raw in md.lines() {
        let line = raw.trim_end();
        let t = line.trim_start();
        if t.is_empty() {
            flush(&mut block, &mut out);
            continue;
        }
        let hashes = t.bytes().take_while(|&b| b == b'#').count();
        if (1..=4).contains(&hashes) && t[hashes..].starts_with(' ') {
            flush(&mut block, &mut out);
            // Course pages put the title in <h1>; content headings start at <h2>.
            let level = hashes + 1;
            out.push_str(&format!(
                "<h{level}>{}</h{level}>\n",
                inline(t[hashes..].trim())
            ));
            continue;
        }
        if t == "---" || t == "***" {
            flush(&mut block, &mut out);
            out.push_str("<hr>\n");
            continue;
        }
        if let Some(rest) = t.strip_prefix('>') {
            if !matches!(block, Block::Quote(_)) {
                flush(&mut block, &mut out);
                block = Block::Quote(Vec::new());
            }
            if let Block::Quote(lines) = &mut block {
                lines.push(rest.trim().to_owned());
            }
            continue;
        }
        if let Some((ordered, rest)) = list_item(t) {
            match &mut block {
                Block::List(o, items) if *o == ordered => items.push(rest.to_owned()),
                _ => {
                    flush(&mut block, &mut out);
                    block = Block::List(ordered, vec![rest.to_owned()]);
                }
            }
            continue;
        }
        match &mut block {
            Block::Para(lines) => lines.push(t.to_owned()),
            // An indented line continues the last list item.
            Block::List(_, items) if line.starts_with(' ') => {
                if let Some(last) = items.last_mut() {
                    last.push(' ');
                    last.push_str(t);
                }
            }
            _ => {
                flush(&mut block, &mut out);
                block = Block::Para(vec![t.to_owned()]);
            }
        }
    }
    flush(&mut block, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_the_course_subset() {
        let html = render("# Card data\n\nNever **write** it *down*.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\nUse `redact`.");
        assert!(html.contains("<h2>Card data</h2>"), "{html}");
        assert!(
            html.contains("<p>Never <strong>write</strong> it <em>down</em>.</p>"),
            "{html}"
        );
        assert!(
            html.contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
            "{html}"
        );
        assert!(html.contains("<ol>\n<li>first</li>"), "{html}");
        assert!(
            html.contains("<blockquote><p>quoted</p></blockquote>"),
            "{html}"
        );
        assert!(html.contains("<code>redact</code>"), "{html}");
    }

    #[test]
    fn raw_html_and_unsafe_links_never_come_through() {
        let html = render("<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.org/a?b=\"c\") [m](mailto:ethics@example.org) <img src=x onerror=y>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("<a href=\"https://example.org/a?b=&quot;c&quot;\" rel=\"noopener noreferrer\">ok</a>"), "{html}");
        assert!(
            html.contains("href=\"mailto:ethics@example.org\""),
            "{html}"
        );
    }

    #[test]
    fn no_input_panics_or_escapes() {
        for s in [
            "*", "**", "[", "[a](", "`", "# ", "1.", "> ", "***x***", "_", "[a]()", "é*é*",
        ] {
            let html = render(s);
            assert!(!html.contains("<script"));
        }
    }
}
