//! Small charts drawn on the server as SVG: no script, no chart library, nothing fetched. Each
//! scales to its container (a `viewBox` and `width="100%"`), so a 390 px phone shows the whole
//! chart; the page puts the same numbers in a table beside it for those who read, not look.

use std::fmt::Write as _;

/// One coloured series of a chart: a value per label.
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'static str,
    pub values: Vec<i64>,
}

const WIDTH: i64 = 360;
const LEFT: i64 = 30;
const TOP: i64 = 24;
const PLOT_H: i64 = 120;
const BOTTOM: i64 = 18;

/// Columns side by side per label (a day), one per series, with a legend above.
pub fn columns(title: &str, testid: &str, labels: &[String], series: &[Series<'_>]) -> String {
    let n = i64::try_from(labels.len()).unwrap_or(1).max(1);
    let max = max_of(series.iter().flat_map(|s| s.values.iter().copied()));
    let height = TOP + PLOT_H + BOTTOM;
    let mut s = open(title, testid, height);
    legend(&mut s, series);
    axis(&mut s, max);
    let slot = (WIDTH - LEFT) / n;
    let k = i64::try_from(series.len()).unwrap_or(1).max(1);
    let bar = ((slot - 2) / k).max(1);
    for (i, label) in (0_i64..).zip(labels) {
        let x0 = LEFT + i * slot + 1;
        for (j, se) in (0_i64..).zip(series) {
            let v = se
                .values
                .get(usize::try_from(i).unwrap_or(0))
                .copied()
                .unwrap_or(0);
            let h = v * PLOT_H / max;
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{bar}\" height=\"{h}\" fill=\"{}\">\
                 <title>{} {}: {v}</title></rect>",
                x0 + j * bar,
                TOP + PLOT_H - h,
                se.colour,
                esc(label),
                esc(se.name)
            );
        }
        // Every label when few fit, every other one when they would touch.
        if n <= 7 || i % 2 == (n - 1) % 2 {
            let _ = write!(
                s,
                "<text x=\"{x0}\" y=\"{}\" font-size=\"9\" fill=\"#444\">{}</text>",
                TOP + PLOT_H + 12,
                esc(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One horizontal bar per label (a grid), its series stacked left to right, with a legend
/// above: parts of a whole, such as households done, unreachable and still open.
pub fn stacked_rows(title: &str, testid: &str, labels: &[String], series: &[Series<'_>]) -> String {
    const ROW: i64 = 18;
    const NAME_W: i64 = 80;
    let rows = i64::try_from(labels.len()).unwrap_or(0);
    let total = |i: usize| {
        series
            .iter()
            .map(|s| s.values.get(i).copied().unwrap_or(0))
            .sum()
    };
    let max = max_of((0..labels.len()).map(total));
    let height = TOP + rows * ROW + 4;
    let mut s = open(title, testid, height);
    legend(&mut s, series);
    let plot_w = WIDTH - NAME_W - 30;
    for (i, label) in labels.iter().enumerate() {
        let y = TOP + i64::try_from(i).unwrap_or(0) * ROW;
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"10\" fill=\"#222\">{}</text>",
            y + 12,
            esc(&shorten(label, 8))
        );
        let mut x = NAME_W;
        for se in series {
            let v = se.values.get(i).copied().unwrap_or(0);
            let w = v * plot_w / max;
            let _ = write!(
                s,
                "<rect x=\"{x}\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"{}\">\
                 <title>{} {}: {v}</title></rect>",
                y + 2,
                ROW - 5,
                se.colour,
                esc(label),
                esc(se.name)
            );
            x += w;
        }
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"9\" fill=\"#444\">{}</text>",
            x + 3,
            y + 12,
            total(i)
        );
    }
    s.push_str("</svg>");
    s
}

fn open(title: &str, testid: &str, height: i64) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-label=\"{}\" class=\"chart\" data-testid=\"{}\">",
        esc(title),
        esc(testid)
    )
}

fn legend(s: &mut String, series: &[Series<'_>]) {
    let mut x = 0;
    for se in series {
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"13\" font-size=\"10\" fill=\"#222\">{}</text>",
            se.colour,
            x + 13,
            esc(se.name)
        );
        // Chinese names are a glyph of about 10 units each, English ones half that.
        let chars = i64::try_from(se.name.chars().count()).unwrap_or(0);
        x += 24 + chars * if se.name.is_ascii() { 6 } else { 10 };
    }
}

fn axis(s: &mut String, max: i64) {
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{WIDTH}\" y2=\"{}\" stroke=\"#888\"/>\
         <text x=\"0\" y=\"{}\" font-size=\"9\" fill=\"#444\">{max}</text>",
        TOP + PLOT_H,
        TOP + PLOT_H,
        TOP + 8
    );
}

/// The largest value, at least one (a chart of nothing draws empty, not divides by zero).
fn max_of(values: impl Iterator<Item = i64>) -> i64 {
    values.max().unwrap_or(0).max(1)
}

/// A long name cut to `n` characters with an ellipsis (the full one is in the table below).
fn shorten(name: &str, n: usize) -> String {
    if name.chars().count() <= n {
        name.to_owned()
    } else {
        let mut s: String = name.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}

/// Text safe inside SVG markup.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_scale_to_the_largest_value_and_escape_names() {
        let svg = columns(
            "A & B",
            "t",
            &["12-01".to_owned(), "12-02".to_owned()],
            &[Series {
                name: "<x>",
                colour: "#000",
                values: vec![2, 4],
            }],
        );
        assert!(svg.contains("viewBox=\"0 0 360"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains("&lt;x&gt;"));
        assert!(
            svg.contains(&format!("height=\"{PLOT_H}\"")),
            "the largest bar is full height"
        );
    }

    #[test]
    fn rows_of_nothing_draw_without_dividing_by_zero() {
        let svg = stacked_rows("g", "t", &["第1网格".to_owned()], &[]);
        assert!(svg.contains("第1网格"));
    }
}
