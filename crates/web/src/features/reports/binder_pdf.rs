//! A small PDF typesetter for the evidence binder: blocks of text laid out on A4 pages
//! with word wrapping and "Page n of m" footers, written with `pdf-writer`.
//!
//! The text uses two of the standard fourteen fonts, Helvetica and Helvetica-Bold, with
//! WinAnsiEncoding, so nothing is embedded and every reader has them. Wrapping needs the
//! glyph widths: [`REGULAR`] and [`BOLD`] are Adobe's published metrics (AFM, in 1/1000
//! em) for ASCII 32..126 as WinAnsiEncoding maps them (code 39 is `quotesingle`, 96 is
//! `grave`). A character outside WinAnsi is written as its nearest ASCII spelling
//! (`→` as `->`) or `?`. Content streams are not compressed, so the text can be
//! checked in tests and found by simple tools.
//!
//! It stays in the web shell, beside the JSON, CSV and printable HTML exports, although
//! it writes a file format rather than HTML: a PDF is one more representation of the
//! same [`righttrack_app::reports::binder::Binder`], chosen by the URL a person asks
//! for, and the app layer returns that data without knowing how it will be shown. A use
//! case that needs a PDF without a request (none does yet) would move this typesetter
//! to `core`, which is pure, rather than to `app`.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// Text stops above the footer.
const BOTTOM: f32 = MARGIN + 18.0;
/// Room kept for a value in a figure row.
const VALUE_W: f32 = 150.0;

/// Helvetica widths, codes 32..=126.
pub const REGULAR: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 48-63
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 80-95
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 96-111
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 112-126
];

/// Helvetica-Bold widths, codes 32..=126.
pub const BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, // 32-47
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 48-63
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 64-79
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 80-95
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 96-111
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, // 112-126
];

/// One piece of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(String),
    Heading(String),
    Question(String),
    /// A bold line introducing what follows.
    Label(String),
    /// A figure: label on the left, value on the right.
    Row(String, String),
    Para(String),
    /// Small grey text: formulas, notes.
    Small(String),
}

/// WinAnsi bytes of `s`.
pub fn encode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' '..='~' => out.push(c as u8),
            '\t' | '\n' => out.push(b' '),
            '\u{a0}'..='\u{ff}' => out.push(u32::from(c) as u8),
            '€' => out.push(0x80),
            '…' => out.push(0x85),
            '‘' => out.push(0x91),
            '’' => out.push(0x92),
            '“' => out.push(0x93),
            '”' => out.push(0x94),
            '•' => out.push(0x95),
            '–' => out.push(0x96),
            '—' => out.push(0x97),
            '−' => out.push(b'-'),
            '→' => out.extend_from_slice(b"->"),
            '←' => out.extend_from_slice(b"<-"),
            '≥' => out.extend_from_slice(b">="),
            '≤' => out.extend_from_slice(b"<="),
            '≠' => out.extend_from_slice(b"!="),
            '◆' => out.push(0x95),
            c if c.is_control() => {}
            _ => out.push(b'?'),
        }
    }
    out
}

/// Width of one WinAnsi code in 1/1000 em.
fn glyph(code: u8, bold: bool) -> u16 {
    match code {
        32..=126 => {
            let i = usize::from(code - 32);
            if bold {
                BOLD[i]
            } else {
                REGULAR[i]
            }
        }
        0x85 | 0x97 => 1000,
        0x91 | 0x92 => {
            if bold {
                278
            } else {
                222
            }
        }
        0x93 | 0x94 => {
            if bold {
                500
            } else {
                333
            }
        }
        0x95 => 350,
        0x96 => 556,
        0xa0 => 278,
        0xd7 | 0xf7 => 584,
        // Accented letters and the rest: about the widest capitals, so a line never
        // overflows.
        _ => {
            if bold {
                778
            } else {
                722
            }
        }
    }
}

/// Width of WinAnsi text at `size` points.
pub fn width(text: &[u8], bold: bool, size: f32) -> f32 {
    text.iter().map(|c| f32::from(glyph(*c, bold))).sum::<f32>() / 1000.0 * size
}

/// Greedy word wrapping of `text` (already WinAnsi) into lines no wider than `max`.
/// Explicit line breaks (`\n`) are kept; a word wider than a line is cut.
pub fn wrap(text: &str, bold: bool, size: f32, max: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let space = width(b" ", bold, size);
    for para in text.split('\n') {
        let mut line: Vec<u8> = Vec::new();
        let mut w = 0.0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let mut word = encode(word);
            let mut ww = width(&word, bold, size);
            if !line.is_empty() && w + space + ww <= max {
                line.push(b' ');
                line.extend_from_slice(&word);
                w += space + ww;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // Cut a word that does not fit on a line of its own.
            while ww > max {
                let mut cut = 0;
                let mut cw = 0.0;
                while cut < word.len() {
                    let g = width(&word[cut..=cut], bold, size);
                    if cw + g > max && cut > 0 {
                        break;
                    }
                    cw += g;
                    cut += 1;
                }
                lines.push(word[..cut].to_vec());
                word = word[cut..].to_vec();
                ww = width(&word, bold, size);
            }
            w = ww;
            line = word;
        }
        lines.push(line);
    }
    lines
}

#[derive(Debug, Clone)]
struct Run {
    bold: bool,
    size: f32,
    grey: bool,
    x: f32,
    y: f32,
    text: Vec<u8>,
}

struct Layout {
    pages: Vec<Vec<Run>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: PAGE_H - MARGIN,
        }
    }

    fn break_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN;
    }

    /// Moves down by `h`, starting a new page when the line would not fit.
    fn down(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.break_page();
        }
        self.y -= h;
    }

    fn run(&mut self, bold: bool, size: f32, grey: bool, x: f32, text: Vec<u8>) {
        let y = self.y;
        if let Some(p) = self.pages.last_mut() {
            p.push(Run {
                bold,
                size,
                grey,
                x,
                y,
                text,
            });
        }
    }

    fn lines(&mut self, text: &str, bold: bool, size: f32, grey: bool, leading: f32) {
        for l in wrap(text, bold, size, TEXT_W) {
            self.down(leading);
            self.run(bold, size, grey, MARGIN, l);
        }
    }

    fn gap(&mut self, h: f32) {
        if self.y - h >= BOTTOM {
            self.y -= h;
        }
    }

    /// Starts a new page unless `h` points remain (keeps a heading with what follows).
    fn keep(&mut self, h: f32) {
        if self.y - h < BOTTOM {
            self.break_page();
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Title(t) => {
                self.lines(t, true, 18.0, false, 22.0);
                self.gap(6.0);
            }
            Block::Heading(t) => {
                self.gap(12.0);
                self.keep(80.0);
                self.lines(t, true, 14.0, false, 18.0);
                self.gap(2.0);
            }
            Block::Question(t) => {
                self.gap(8.0);
                self.keep(60.0);
                self.lines(t, true, 11.0, false, 14.0);
                self.gap(2.0);
            }
            Block::Label(t) => {
                self.gap(3.0);
                self.keep(30.0);
                self.lines(t, true, 9.5, false, 12.0);
            }
            Block::Row(label, value) => {
                let v = encode(value);
                let vw = width(&v, true, 10.0).min(VALUE_W);
                let lines = wrap(label, false, 10.0, TEXT_W - VALUE_W - 12.0);
                for (i, l) in lines.into_iter().enumerate() {
                    self.down(13.0);
                    self.run(false, 10.0, false, MARGIN, l);
                    if i == 0 {
                        self.run(true, 10.0, false, PAGE_W - MARGIN - vw, v.clone());
                    }
                }
            }
            Block::Para(t) => {
                self.lines(t, false, 10.0, false, 13.0);
                self.gap(4.0);
            }
            Block::Small(t) => {
                self.lines(t, false, 8.0, true, 10.0);
                self.gap(2.0);
            }
        }
    }
}

/// The PDF of `blocks`, titled `title`.
pub fn render(blocks: &[Block], title: &str) -> Vec<u8> {
    let mut layout = Layout::new();
    for b in blocks {
        layout.block(b);
    }
    let total = layout.pages.len();
    for (i, p) in layout.pages.iter_mut().enumerate() {
        let text = encode(&format!("Page {} of {total}", i + 1));
        let x = (PAGE_W - width(&text, false, 8.0)) / 2.0;
        p.push(Run {
            bold: false,
            size: 8.0,
            grey: true,
            x,
            y: MARGIN - 20.0,
            text,
        });
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let page_ref = |i: usize| Ref::new(6 + 2 * i32::try_from(i).unwrap_or(0));
    let content_ref = |i: usize| Ref::new(7 + 2 * i32::try_from(i).unwrap_or(0));

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..total).map(page_ref))
        .count(i32::try_from(total).unwrap_or(i32::MAX));
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("RightTrack"));
    for (i, runs) in layout.pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref(i));
        page.resources()
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        page.finish();
        let mut c = Content::new();
        for r in runs {
            let grey = if r.grey { 0.35 } else { 0.0 };
            c.set_fill_gray(grey);
            c.begin_text();
            c.set_font(Name(if r.bold { b"F2" } else { b"F1" }), r.size);
            c.next_line(r.x, r.y);
            c.show(Str(&r.text));
            c.end_text();
        }
        pdf.stream(content_ref(i), &c.finish());
    }
    pdf.finish()
}

/// The number of page objects in a PDF (`/Type /Page`, not `/Pages`): for tests and
/// checks of an export.
pub fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_adobes() {
        let w = |c: u8| REGULAR[usize::from(c - 32)];
        assert_eq!(w(b' '), 278);
        assert_eq!(w(b'a'), 556);
        assert_eq!(w(b'W'), 944);
        assert_eq!(w(b'i'), 222);
        assert_eq!(w(b'@'), 1015);
        assert_eq!(w(b'~'), 584);
        assert_eq!(BOLD[usize::from(b'i' - 32)], 278);
        assert_eq!(BOLD[usize::from(b'W' - 32)], 944);
        assert!((width(b"aa", false, 10.0) - 11.12).abs() < 1e-4);
    }

    #[test]
    fn text_outside_winansi_is_mapped_or_replaced() {
        assert_eq!(
            encode("a – b — “q” ‘s’ … • 2×3 6÷2 é"),
            b"a \x96 b \x97 \x93q\x94 \x91s\x92 \x85 \x95 2\xd73 6\xf72 \xe9".to_vec()
        );
        assert_eq!(encode("→ 日本"), b"-> ??".to_vec());
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "The ethics officer writes a narrative for each question, with the evidence the figures do not show, and the auditor reads it beside them.";
        for max in [60.0, 120.0, 300.0] {
            let lines = wrap(text, false, 10.0, max);
            for l in &lines {
                assert!(width(l, false, 10.0) <= max + 1e-3, "{max}: {:?}", l);
            }
            let joined: Vec<String> = lines
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect();
            assert_eq!(joined.join(" "), text);
        }
        assert_eq!(wrap("one\ntwo", false, 10.0, 300.0).len(), 2);
    }

    #[test]
    fn a_word_wider_than_a_line_is_cut() {
        let word = "W".repeat(40);
        let lines = wrap(&word, true, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, true, 10.0) <= 100.0 + 1e-3));
        assert_eq!(lines.concat(), word.as_bytes());
    }

    #[test]
    fn a_long_document_runs_over_numbered_pages() {
        let mut blocks = vec![Block::Title("Binder".into())];
        blocks.push(Block::Para("word ".repeat(2000)));
        blocks.push(Block::Row("Figure".into(), "42%".into()));
        let pdf = render(&blocks, "t");
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(text.trim_end().ends_with("%%EOF"));
        let n = page_count(&pdf);
        assert!(n >= 2, "{n} pages");
        assert_eq!(text.matches("(Page ").count(), n, "one footer per page");
        assert!(text.contains(&format!("(Page {n} of {n})")));
        assert!(text.contains(&format!("/Count {n}")));
        assert!(text.contains("/BaseFont /Helvetica-Bold"));
        assert!(text.contains("/WinAnsiEncoding"));
        assert!(text.contains("(42%)"));
    }
}
