//! Trend charts as SVG, drawn on the server: no script, no CDN, readable by a screen
//! reader (a `<title>` and a `<desc>` that states the last value and the band), and
//! printable. The page next to a chart always carries the same numbers as a table; the
//! chart is a picture of it, never the only place a figure appears.
//!
//! A point may be missing (`None`): a period with no data, or one withheld by
//! small-group suppression. The line breaks there instead of inventing a value.
//! A benchmark band (a public reference range such as a published median's
//! interquartile range) is shaded behind the line.

use crate::markdown::escape;
use std::fmt::Write;

/// One series over labelled periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend<'a> {
    /// What the chart shows, e.g. "Reports per 100 employees".
    pub title: &'a str,
    /// One label per period, oldest first ("2026-09").
    pub labels: &'a [String],
    /// One value per label; `None` where there is nothing to show.
    pub values: &'a [Option<f64>],
    /// A reference range drawn behind the line, with what it is ("NAVEX median 1.57").
    pub band: Option<Band<'a>>,
    /// Appended to values in the description ("%", " per 1,000").
    pub unit: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band<'a> {
    pub low: f64,
    pub high: f64,
    pub label: &'a str,
}

const W: f64 = 320.0;
const H: f64 = 120.0;
const PAD_L: f64 = 36.0;
const PAD_R: f64 = 8.0;
const PAD_T: f64 = 8.0;
const PAD_B: f64 = 22.0;

/// A number as a person reads it: at most one decimal, none when whole.
pub fn figure(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 {
        format!("{:.0}", v.round())
    } else {
        format!("{v:.1}")
    }
}

impl Trend<'_> {
    /// The chart as an inline `<svg>` element.
    ///
    /// The vertical axis starts at zero and ends at a round number above the largest
    /// value or band edge, so two charts of the same figure compare by eye.
    pub fn svg(&self) -> String {
        let n = self.labels.len().min(self.values.len());
        let shown: Vec<f64> = self.values[..n].iter().flatten().copied().collect();
        let top = shown
            .iter()
            .copied()
            .chain(self.band.map(|b| b.high))
            .fold(0.0_f64, f64::max);
        let top = nice_ceiling(top);
        let x = |i: usize| {
            if n <= 1 {
                PAD_L + (W - PAD_L - PAD_R) / 2.0
            } else {
                PAD_L + (W - PAD_L - PAD_R) * i as f64 / (n - 1) as f64
            }
        };
        let y = |v: f64| PAD_T + (H - PAD_T - PAD_B) * (1.0 - v / top);

        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
            id = self.id(),
            title = escape(self.title),
            desc = escape(&self.description()),
        );
        if let Some(b) = self.band {
            let (y1, y2) = (y(b.high.min(top)), y(b.low.max(0.0)));
            let _ = write!(
                s,
                r#"<rect class="band" x="{PAD_L}" y="{y1:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
                W - PAD_L - PAD_R,
                (y2 - y1).max(1.0),
                escape(b.label)
            );
        }
        // Axis: zero and top, with their values.
        let _ = write!(
            s,
            r#"<line class="axis" x1="{PAD_L}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}"/><text class="tick" x="{tx:.1}" y="{yb:.1}" text-anchor="end">0</text><text class="tick" x="{tx:.1}" y="{yt:.1}" text-anchor="end">{top}</text>"#,
            b = y(0.0),
            r = W - PAD_R,
            tx = PAD_L - 4.0,
            yb = y(0.0) + 4.0,
            yt = y(top) + 4.0,
            top = figure(top),
        );
        // The line, broken at missing points; a dot on every shown point.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, s: &mut String| {
            if run.len() > 1 {
                let pts: Vec<String> = run.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
                let _ = write!(s, r#"<polyline class="line" points="{}"/>"#, pts.join(" "));
            }
            run.clear();
        };
        for i in 0..n {
            match self.values[i] {
                Some(v) => run.push((x(i), y(v))),
                None => flush(&mut run, &mut s),
            }
        }
        flush(&mut run, &mut s);
        for i in 0..n {
            if let Some(v) = self.values[i] {
                let _ = write!(
                    s,
                    r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="2.5"><title>{}: {}{}</title></circle>"#,
                    x(i),
                    y(v),
                    escape(&self.labels[i]),
                    figure(v),
                    escape(self.unit)
                );
            }
        }
        // First and last period labels under the axis.
        if n > 0 {
            let _ = write!(
                s,
                r#"<text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
                PAD_L,
                H - 6.0,
                escape(&self.labels[0])
            );
        }
        if n > 1 {
            let _ = write!(
                s,
                r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - PAD_R,
                H - 6.0,
                escape(&self.labels[n - 1])
            );
        }
        s.push_str("</svg>");
        s
    }

    /// What a screen reader hears: the latest shown value and the band.
    pub fn description(&self) -> String {
        let n = self.labels.len().min(self.values.len());
        let last = (0..n).rev().find_map(|i| self.values[i].map(|v| (i, v)));
        let mut d = match last {
            Some((i, v)) => format!(
                "{} in {}: {}{}.",
                self.title,
                self.labels[i],
                figure(v),
                self.unit
            ),
            None => format!("{}: nothing to show yet.", self.title),
        };
        if let Some(b) = self.band {
            let _ = write!(
                d,
                " Reference band {}–{}{} ({}).",
                figure(b.low),
                figure(b.high),
                self.unit,
                b.label
            );
        }
        d
    }

    /// A stable element id from the title (letters and digits only).
    fn id(&self) -> String {
        let mut id: String = self
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        id.insert_str(0, "chart-");
        id
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v` (1 for nothing positive).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * mag >= v - 1e-9 {
            return step * mag;
        }
    }
    10.0 * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|m| format!("2026-{m:02}")).collect()
    }

    #[test]
    fn a_missing_point_breaks_the_line_and_is_not_drawn() {
        let l = labels(5);
        let v = [Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)];
        let svg = Trend {
            title: "Reports per 100 employees",
            labels: &l,
            values: &v,
            band: None,
            unit: "",
        }
        .svg();
        assert_eq!(svg.matches("<polyline").count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(!svg.contains("2026-03:"), "the withheld period has no dot");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn the_description_states_the_last_shown_value_and_the_band() {
        let l = labels(3);
        let v = [Some(1.2), Some(1.44), None];
        let t = Trend {
            title: "Reports per 100 employees",
            labels: &l,
            values: &v,
            band: Some(Band {
                low: 1.0,
                high: 2.0,
                label: "NAVEX median 1.57",
            }),
            unit: "",
        };
        assert_eq!(
            t.description(),
            "Reports per 100 employees in 2026-02: 1.4. Reference band 1–2 (NAVEX median 1.57)."
        );
        let svg = t.svg();
        assert!(svg.contains(r#"class="band""#));
        assert!(svg.contains(">2</text>"), "axis top covers the band: {svg}");
    }

    #[test]
    fn labels_are_escaped_and_an_empty_series_says_so() {
        let l = vec!["<script>".to_owned()];
        let svg = Trend {
            title: "A & B",
            labels: &l,
            values: &[None],
            band: None,
            unit: "%",
        }
        .svg();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("A &amp; B: nothing to show yet."));
    }

    #[test]
    fn values_scale_against_a_round_top() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(21.0), 25.0);
        assert_eq!(nice_ceiling(100.0), 100.0);
        assert_eq!(nice_ceiling(0.07), 0.1);
        assert_eq!(figure(12.0), "12");
        assert_eq!(figure(1.57), "1.6");
        // The top value sits on the top edge, zero on the axis.
        let l = labels(2);
        let svg = Trend {
            title: "t",
            labels: &l,
            values: &[Some(0.0), Some(100.0)],
            band: None,
            unit: "",
        }
        .svg();
        assert!(
            svg.contains(&format!("points=\"{PAD_L:.1},{:.1} ", H - PAD_B)),
            "{svg}"
        );
        assert!(
            svg.contains(&format!("{:.1},{PAD_T:.1}\"", W - PAD_R)),
            "{svg}"
        );
    }
}

/// Box plots of several groups on one 0–100 % axis: whiskers from minimum to maximum,
/// a box from the first to the third quartile, a bar at the median. One row per group;
/// the page shows the same five numbers in a table.
pub fn box_plots(title: &str, rows: &[(String, crate::fairness::Quartiles)]) -> String {
    const ROW: f64 = 22.0;
    const LEFT: f64 = 150.0;
    const RIGHT: f64 = 12.0;
    const WIDTH: f64 = 520.0;
    let h = ROW * rows.len() as f64 + 24.0;
    let x = |v: f64| LEFT + (WIDTH - LEFT - RIGHT) * v.clamp(0.0, 100.0) / 100.0;
    let mut s = String::new();
    let desc = rows
        .iter()
        .map(|(l, q)| format!("{l}: median {}", figure(q.median)))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = write!(
        s,
        r#"<svg class="chart boxplot" viewBox="0 0 {WIDTH} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title><desc>{d}</desc>"#,
        t = escape(title),
        d = escape(&desc),
    );
    for (i, (label, q)) in rows.iter().enumerate() {
        let cy = ROW * i as f64 + ROW / 2.0;
        let _ = write!(
            s,
            r#"<text class="tick" x="{lx:.1}" y="{ty:.1}" text-anchor="end">{l}</text><line class="whisker" x1="{a:.1}" y1="{cy:.1}" x2="{b:.1}" y2="{cy:.1}"/><rect class="box" x="{c:.1}" y="{by:.1}" width="{w:.1}" height="{bh:.1}"/><line class="median" x1="{m:.1}" y1="{by:.1}" x2="{m:.1}" y2="{my:.1}"/>"#,
            lx = LEFT - 6.0,
            ty = cy + 4.0,
            l = escape(label),
            a = x(q.min),
            b = x(q.max),
            c = x(q.q1),
            w = (x(q.q3) - x(q.q1)).max(1.0),
            by = cy - 7.0,
            bh = 14.0,
            m = x(q.median),
            my = cy + 7.0,
        );
    }
    let base = ROW * rows.len() as f64 + 4.0;
    for v in [0.0, 50.0, 80.0, 100.0] {
        let _ = write!(
            s,
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}%</text>"#,
            x(v),
            base + 14.0,
            figure(v)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod box_tests {
    use super::*;
    use crate::fairness::Quartiles;

    #[test]
    fn box_plots_place_the_quartiles_on_the_percent_axis_and_escape_labels() {
        let q = Quartiles {
            n: 9,
            min: 0.0,
            q1: 50.0,
            median: 75.0,
            q3: 90.0,
            max: 100.0,
        };
        let svg = box_plots("Scores <by team>", &[("A&B".into(), q)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title>Scores &lt;by team&gt;</title>"));
        assert!(svg.contains(">A&amp;B</text>"));
        assert!(svg.contains("A&amp;B: median 75"));
        // 0 % at x = 150, 100 % at x = 508; the median bar at 75 %.
        assert!(svg.contains(r#"x1="150.0" y1="11.0" x2="508.0""#), "{svg}");
        assert!(svg.contains(r#"<line class="median" x1="418.5""#), "{svg}");
    }
}
