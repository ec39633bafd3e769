//! The throughput chart, drawn on the server as SVG: bars of arrivals, verified and refused per
//! day, and the median wait from arrival to decision as a line. No script, no chart library.

use std::fmt::Write as _;

use app::returns::Throughput;

use crate::chart::esc;
use crate::i18n::Tr;

const WIDTH: i64 = 640;
const HEIGHT: i64 = 240;
const LEFT: i64 = 36;
const BOTTOM: i64 = 28;
const TOP: i64 = 12;

/// The chart of a period, with its legend; escaped text only (dates and translated words).
pub(super) fn svg(t: Tr, tp: &Throughput) -> String {
    let n = i64::try_from(tp.days.len()).unwrap_or(1).max(1);
    let max_count = tp
        .days
        .iter()
        .map(|d| d.applications.max(d.arrivals).max(d.verified + d.refused))
        .max()
        .unwrap_or(0)
        .max(1);
    let max_wait = tp
        .days
        .iter()
        .filter_map(|d| d.median_minutes)
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = (WIDTH - LEFT) / n;
    let bar = (slot / 4).max(2);
    let y = |v: i64, max: i64| TOP + plot_h - v * plot_h / max;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-label=\"{}\" class=\"chart\" data-testid=\"returns-chart\">",
        esc(t.get("returns.throughput"))
    );
    let _ = write!(
        s,
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{WIDTH}\" y2=\"{}\" stroke=\"#888\"/>\
         <text x=\"2\" y=\"{}\" font-size=\"10\">{max_count}</text>",
        TOP + plot_h,
        TOP + plot_h,
        TOP + 8
    );
    let mut line = Vec::new();
    for (i, d) in (0_i64..).zip(&tp.days) {
        let x0 = LEFT + i * slot + slot / 8;
        for (k, (v, colour)) in [
            (d.arrivals, "#4a78b5"),
            (d.verified, "#3a9a5b"),
            (d.refused, "#c0392b"),
        ]
        .into_iter()
        .enumerate()
        {
            let k = i64::try_from(k).unwrap_or(0);
            let top = y(v, max_count);
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{top}\" width=\"{bar}\" height=\"{}\" fill=\"{colour}\"><title>{v}</title></rect>",
                x0 + k * bar,
                TOP + plot_h - top
            );
        }
        if let Some(m) = d.median_minutes {
            line.push(format!("{},{}", x0 + bar * 3 / 2, y(m, max_wait)));
        }
        // Every date when few, every seventh when many.
        if n <= 14 || i % 7 == 0 {
            let _ = write!(
                s,
                "<text x=\"{x0}\" y=\"{}\" font-size=\"9\">{}</text>",
                HEIGHT - 10,
                esc(d.date.get(5..).unwrap_or(&d.date))
            );
        }
    }
    if line.len() > 1 {
        let _ = write!(
            s,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#e08e0b\" stroke-width=\"2\"/>",
            line.join(" ")
        );
    }
    s.push_str("</svg>");
    s
}
