//! A small Markdown renderer that is safe by construction, for policy documents.
//!
//! Officers write policies in Markdown; employees read them as HTML. We render a fixed
//! subset ourselves instead of adding a CommonMark crate: headings (`#` becomes `<h2>`,
//! since the page's `<h1>` is the policy title), paragraphs, bulleted and numbered
//! lists, block quotes, fenced code, `**strong**`, `*emphasis*`, `` `code` `` and
//! `[links](https://…)`. The output is assembled only from fixed tags and escaped text,
//! so nothing the author types can become markup: raw HTML is shown as text, and a link
//! becomes an `<a>` only when its target is `http:`, `https:` or `mailto:` (anything
//! else, `javascript:` included, keeps its text and loses the link). A CommonMark crate
//! would cover more syntax, but its safety would rest on filtering its events for raw
//! HTML and unsafe URLs; here there is no path from input to markup to filter.
//!
//! Pure: no I/O.

/// Escapes text for an HTML text node or a double-quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Is `url` a link target we render (`http:`, `https:`, `mailto:`)? Control characters
/// and whitespace inside the scheme are refused, as browsers would ignore them.
pub fn safe_url(url: &str) -> bool {
    let u = url.trim();
    if u.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let lower = u.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p) && lower.len() > p.len())
}

/// A block of a Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Heading(usize, String),
    Paragraph(String),
    Bullets(Vec<String>),
    Numbered(Vec<String>),
    Quote(String),
    Code(String),
}

/// The heading level and text of a line such as `## Respect`, if it is one.
pub fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let level = t.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&level) {
        let rest = &t[level..];
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((level, rest.trim().trim_end_matches('#').trim()));
        }
    }
    None
}

fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    ["- ", "* ", "+ "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map(str::trim)
}

fn numbered(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let rest = &t[digits..];
    rest.strip_prefix(". ")
        .or_else(|| rest.strip_prefix(") "))
        .map(str::trim)
}

/// The items of a list that starts with `first`: the following lines that are items
/// too (`item` finds one), each continued by indented lines after it.
fn list_items<'a>(
    first: &str,
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
    item: fn(&str) -> Option<&str>,
) -> Vec<String> {
    let mut items = vec![first.to_owned()];
    while let Some(next) = lines.peek() {
        if let Some(i) = item(next) {
            items.push(i.to_owned());
        } else if next.starts_with("  ") && !next.trim().is_empty() {
            if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(next.trim());
            }
        } else {
            break;
        }
        lines.next();
    }
    items
}

fn blocks(src: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut lines = src.lines().peekable();
    let flush = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(para.join(" ")));
            para.clear();
        }
    };
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t.is_empty() {
            flush(&mut para, &mut out);
        } else if t.starts_with("```") || t.starts_with("~~~") {
            flush(&mut para, &mut out);
            let fence = &t[..3];
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim().starts_with(fence) {
                    break;
                }
                code.push(l);
            }
            out.push(Block::Code(code.join("\n")));
        } else if let Some((level, text)) = heading(line) {
            flush(&mut para, &mut out);
            out.push(Block::Heading(level, text.to_owned()));
        } else if let Some(item) = bullet(line) {
            flush(&mut para, &mut out);
            out.push(Block::Bullets(list_items(item, &mut lines, bullet)));
        } else if let Some(item) = numbered(line) {
            flush(&mut para, &mut out);
            out.push(Block::Numbered(list_items(item, &mut lines, numbered)));
        } else if let Some(q) = t.strip_prefix('>') {
            flush(&mut para, &mut out);
            let mut text = vec![q.trim().to_owned()];
            while let Some(next) = lines.peek() {
                match next.trim().strip_prefix('>') {
                    Some(q) => text.push(q.trim().to_owned()),
                    None => break,
                }
                lines.next();
            }
            out.push(Block::Quote(text.join(" ")));
        } else {
            para.push(t);
        }
    }
    flush(&mut para, &mut out);
    out
}

/// Renders a Markdown document as safe HTML (see the module docs).
pub fn render(src: &str) -> String {
    let mut html = String::new();
    for b in blocks(src) {
        match b {
            Block::Heading(level, text) => {
                let h = (level + 1).min(6);
                html.push_str(&format!("<h{h}>{}</h{h}>\n", inline(&text)));
            }
            Block::Paragraph(t) => html.push_str(&format!("<p>{}</p>\n", inline(&t))),
            Block::Quote(t) => {
                html.push_str(&format!("<blockquote><p>{}</p></blockquote>\n", inline(&t)))
            }
            Block::Code(c) => html.push_str(&format!("<pre><code>{}</code></pre>\n", escape(&c))),
            Block::Bullets(items) => html.push_str(&list("ul", &items)),
            Block::Numbered(items) => html.push_str(&list("ol", &items)),
        }
    }
    html
}

fn list(tag: &str, items: &[String]) -> String {
    let mut s = format!("<{tag}>");
    for i in items {
        s.push_str(&format!("<li>{}</li>", inline(i)));
    }
    s.push_str(&format!("</{tag}>\n"));
    s
}

/// Renders one line of inline Markdown as safe HTML.
pub fn inline(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    render_span(&chars, &mut out, 0);
    out
}

fn find(chars: &[char], from: usize, pat: &[char]) -> Option<usize> {
    if pat.is_empty() || chars.len() < pat.len() {
        return None;
    }
    (from..=chars.len() - pat.len()).find(|&i| chars[i..i + pat.len()] == *pat)
}

fn render_span(c: &[char], out: &mut String, depth: usize) {
    let mut i = 0;
    let mut text = String::new();
    let push_text = |text: &mut String, out: &mut String| {
        out.push_str(&escape(text));
        text.clear();
    };
    'outer: while i < c.len() {
        // Backslash escapes a punctuation character.
        if c[i] == '\\' && i + 1 < c.len() && c[i + 1].is_ascii_punctuation() {
            text.push(c[i + 1]);
            i += 2;
            continue;
        }
        if c[i] == '`' {
            if let Some(end) = find(c, i + 1, &['`']) {
                push_text(&mut text, out);
                let code: String = c[i + 1..end].iter().collect();
                out.push_str(&format!("<code>{}</code>", escape(&code)));
                i = end + 1;
                continue;
            }
        }
        if depth < 8 {
            if c[i] == '[' {
                if let Some(close) = find(c, i + 1, &[']', '(']) {
                    if let Some(end) = find(c, close + 2, &[')']) {
                        let label = &c[i + 1..close];
                        let url: String = c[close + 2..end].iter().collect();
                        push_text(&mut text, out);
                        if safe_url(&url) {
                            out.push_str(&format!(
                                "<a href=\"{}\" rel=\"noopener noreferrer\">",
                                escape(url.trim())
                            ));
                            render_span(label, out, depth + 1);
                            out.push_str("</a>");
                        } else {
                            render_span(label, out, depth + 1);
                        }
                        i = end + 1;
                        continue;
                    }
                }
            }
            let delims: [(&[char], &str); 4] = [
                (&['*', '*'], "strong"),
                (&['_', '_'], "strong"),
                (&['*'], "em"),
                (&['_'], "em"),
            ];
            for (delim, tag) in delims {
                let n = delim.len();
                // `_` inside a word (snake_case) is not emphasis.
                let opens = c[i..].starts_with(delim)
                    && i + n < c.len()
                    && !c[i + n].is_whitespace()
                    && (delim[0] == '*' || i == 0 || !c[i - 1].is_alphanumeric());
                if !opens {
                    continue;
                }
                if let Some(end) = find(c, i + n, delim) {
                    if end > i + n && !c[end - 1].is_whitespace() {
                        push_text(&mut text, out);
                        out.push_str(&format!("<{tag}>"));
                        render_span(&c[i + n..end], out, depth + 1);
                        out.push_str(&format!("</{tag}>"));
                        i = end + n;
                        continue 'outer;
                    }
                }
            }
        }
        text.push(c[i]);
        i += 1;
    }
    push_text(&mut text, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subset_renders() {
        let html = render(
            "# Code\n\nWe are **honest** and *fair*.\nSecond line.\n\n- one\n- two\n\n1. first\n2. second\n\n> quoted\n\n```\na < b\n```\n",
        );
        assert_eq!(
            html,
            "<h2>Code</h2>\n<p>We are <strong>honest</strong> and <em>fair</em>. Second line.</p>\n\
             <ul><li>one</li><li>two</li></ul>\n<ol><li>first</li><li>second</li></ol>\n\
             <blockquote><p>quoted</p></blockquote>\n<pre><code>a &lt; b</code></pre>\n"
        );
    }

    #[test]
    fn raw_html_is_text_never_markup() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "**<b>bold</b>**",
            "`<i>`",
            "[x](https://a.example/\"onmouseover=\"alert(1))",
        ] {
            let html = render(evil);
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            assert!(!html.contains("<b>"), "{html}");
            assert!(!html.contains("<i>"), "{html}");
            assert!(!html.contains("href=\"javascript"), "{html}");
            assert!(!html.contains("\"onmouseover"), "{html}");
        }
    }

    #[test]
    fn links_only_for_http_https_and_mailto() {
        assert_eq!(
            inline("[site](https://example.com/a?b=1&c=2)"),
            "<a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">site</a>"
        );
        assert!(inline("[mail](mailto:ethics@example.com)").contains("href=\"mailto:"));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>x</b>",
            "/relative",
            "java\tscript:alert(1)",
            "vbscript:x",
            "https://",
        ] {
            let html = inline(&format!("[click]({bad})"));
            assert!(!html.contains("<a"), "{bad}: {html}");
            assert!(html.contains("click"), "{bad}: {html}");
        }
    }

    #[test]
    fn snake_case_and_unclosed_markers_stay_text() {
        assert_eq!(inline("a_b_c and 2 * 3"), "a_b_c and 2 * 3");
        assert_eq!(inline("**open"), "**open");
        assert_eq!(inline("\\*not em\\*"), "*not em*");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "[".repeat(200) + &"](https://x.example)".repeat(200);
        let _ = render(&deep);
        let stars = "*a ".repeat(5000);
        let _ = render(&stars);
    }

    /// Every `<` in the output opens one of our own tags; every `href` is safe.
    fn only_our_markup(html: &str) {
        const TAGS: &[&str] = &[
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "p",
            "ul",
            "ol",
            "li",
            "blockquote",
            "pre",
            "code",
            "strong",
            "em",
            "a",
        ];
        for (i, _) in html.match_indices('<') {
            let rest = &html[i + 1..];
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(
                TAGS.contains(&name.as_str()),
                "unexpected tag {name:?} in {html}"
            );
        }
        for (i, _) in html.match_indices("href=\"") {
            let url = &html[i + 6..];
            assert!(
                url.starts_with("http://")
                    || url.starts_with("https://")
                    || url.starts_with("mailto:"),
                "unsafe link in {html}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_renders_to_our_markup_only(src in "(?s)[<>\\[\\]()*_`#>\\-+ 0-9a-zA-Z:/\"'=&.\n]{0,300}") {
            only_our_markup(&render(&src));
            let _ = crate::policies::clauses(&src);
            let _ = crate::policies::diff(Some(&src), "## a\nb");
            let _ = crate::policies::parse_quiz(&src);
        }

        #[test]
        fn links_in_any_label_and_url_stay_safe(label in "[^\\]]{0,20}", url in "[^)]{0,40}") {
            only_our_markup(&render(&format!("[{label}]({url})")));
        }
    }
}
