//! The bench's results: figures with their goals, correctness checks, the plain table and the
//! JSON document.

use std::fmt::Write as _;
use std::time::Duration;

/// What a figure must be to meet its goal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Shown for information only.
    None,
    /// Strictly below the bound.
    Below(f64),
    /// At most the bound.
    AtMost(f64),
    /// At least the bound.
    AtLeast(f64),
}

impl Goal {
    fn met(self, value: f64) -> Option<bool> {
        match self {
            Goal::None => None,
            Goal::Below(b) => Some(value < b),
            Goal::AtMost(b) => Some(value <= b),
            Goal::AtLeast(b) => Some(value >= b),
        }
    }

    fn text(self, unit: &str) -> String {
        let sep = if unit.is_empty() { "" } else { " " };
        match self {
            Goal::None => String::new(),
            Goal::Below(b) => format!("< {}{sep}{unit}", number(b)),
            Goal::AtMost(b) => format!("<= {}{sep}{unit}", number(b)),
            Goal::AtLeast(b) => format!(">= {}{sep}{unit}", number(b)),
        }
    }

    /// How far a missed figure is from the goal, in words.
    fn shortfall(self, value: f64) -> String {
        match self {
            Goal::Below(b) | Goal::AtMost(b) if b > 0.0 => format!("{:.1}x the goal", value / b),
            Goal::AtLeast(b) if value > 0.0 => format!("{:.0}% of the goal", value / b * 100.0),
            _ => String::new(),
        }
    }
}

/// One measured figure: `stat` says which statistic `value` is (p95, total, rate...).
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub stat: String,
    pub value: f64,
    pub unit: String,
    pub goal: Goal,
    /// Further statistics shown beside the value, such as the median.
    pub extra: Vec<(String, f64)>,
    pub note: String,
}

impl Figure {
    pub fn new(name: impl Into<String>, stat: &str, value: f64, unit: &str) -> Self {
        Figure {
            name: name.into(),
            stat: stat.to_owned(),
            value,
            unit: unit.to_owned(),
            goal: Goal::None,
            extra: Vec::new(),
            note: String::new(),
        }
    }

    pub fn goal(mut self, goal: Goal) -> Self {
        self.goal = goal;
        self
    }

    pub fn extra(mut self, name: &str, value: f64) -> Self {
        self.extra.push((name.to_owned(), value));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// Median and p95 of repeated timings, in milliseconds, the goal on the p95.
    pub fn latency(name: impl Into<String>, t: &Timings, goal_ms: f64) -> Self {
        Figure::new(name, "p95", t.ms(95.0), "ms")
            .goal(Goal::Below(goal_ms))
            .extra("p50", t.ms(50.0))
            .extra("runs", t.len() as f64)
    }

    pub fn met(&self) -> Option<bool> {
        self.goal.met(self.value)
    }

    fn figure_text(&self) -> String {
        let sep = if self.unit.is_empty() { "" } else { " " };
        let mut s = format!("{} {}{sep}{}", self.stat, number(self.value), self.unit);
        let extras: Vec<String> = self
            .extra
            .iter()
            .filter(|(k, _)| k != "runs")
            .map(|(k, v)| format!("{k} {}", number(*v)))
            .collect();
        if !extras.is_empty() {
            let _ = write!(s, " ({})", extras.join(", "));
        }
        s
    }

    fn result_text(&self) -> String {
        match self.met() {
            None => "info".to_owned(),
            Some(true) => "met".to_owned(),
            Some(false) => {
                let by = self.goal.shortfall(self.value);
                if by.is_empty() {
                    "MISSED".to_owned()
                } else {
                    format!("MISSED ({by})")
                }
            }
        }
    }
}

/// A correctness check: the bench exits non-zero when one fails. Never about time.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct Report {
    /// What was measured where: backend, sizes, machine.
    pub meta: Vec<(&'static str, String)>,
    pub figures: Vec<Figure>,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn meta(&mut self, key: &'static str, value: impl ToString) {
        self.meta.push((key, value.to_string()));
    }

    pub fn add(&mut self, f: Figure) {
        // Said at once as well, so that a long county run can be followed while it goes on.
        eprintln!("{}: {} ({})", f.name, f.figure_text(), f.result_text());
        self.figures.push(f);
    }

    /// Records a check; a failure is also reported at once on standard error.
    pub fn check(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        let c = Check {
            name: name.into(),
            ok,
            detail: detail.into(),
        };
        if !c.ok {
            eprintln!("CHECK FAILED: {}: {}", c.name, c.detail);
        }
        self.checks.push(c);
    }

    pub fn all_correct(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The plain table: name, figure, goal, met/missed; then the checks.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.meta {
            let _ = writeln!(out, "{k:>10}: {v}");
        }
        let rows: Vec<[String; 4]> = self
            .figures
            .iter()
            .map(|f| {
                [
                    f.name.clone(),
                    f.figure_text(),
                    f.goal.text(&f.unit),
                    f.result_text(),
                ]
            })
            .collect();
        let header = [
            "name".to_owned(),
            "figure".to_owned(),
            "goal".to_owned(),
            "result".to_owned(),
        ];
        let mut widths = [0usize; 3];
        for r in rows.iter().chain(std::iter::once(&header)) {
            for (w, cell) in widths.iter_mut().zip(r.iter()) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |out: &mut String, r: &[String; 4]| {
            let _ = writeln!(
                out,
                "{:<w0$}  {:<w1$}  {:<w2$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        };
        out.push('\n');
        line(&mut out, &header);
        for r in &rows {
            line(&mut out, r);
        }
        for f in self.figures.iter().filter(|f| !f.note.is_empty()) {
            let _ = writeln!(out, "  note on {}: {}", f.name, f.note);
        }
        out.push('\n');
        let failed = self.checks.iter().filter(|c| !c.ok).count();
        let _ = writeln!(
            out,
            "correctness: {} checks, {}",
            self.checks.len(),
            if failed == 0 {
                "all passed".to_owned()
            } else {
                format!("{failed} FAILED")
            }
        );
        for c in &self.checks {
            let _ = writeln!(
                out,
                "  {} {}{}",
                if c.ok { "ok    " } else { "FAILED" },
                c.name,
                if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.detail)
                }
            );
        }
        out
    }

    /// The same as JSON: `meta`, `figures` (with `met`: true, false or null) and `checks`.
    pub fn json(&self) -> String {
        let mut out = String::from("{\n  \"meta\": {");
        for (i, (k, v)) in self.meta.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(out, "{sep}\n    {}: {}", json_str(k), json_str(v));
        }
        out.push_str("\n  },\n  \"figures\": [");
        for (i, f) in self.figures.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let (goal_op, goal_value) = match f.goal {
                Goal::None => ("null".to_owned(), "null".to_owned()),
                Goal::Below(b) => (json_str("<"), json_num(b)),
                Goal::AtMost(b) => (json_str("<="), json_num(b)),
                Goal::AtLeast(b) => (json_str(">="), json_num(b)),
            };
            let met = match f.met() {
                None => "null",
                Some(true) => "true",
                Some(false) => "false",
            };
            let _ = write!(
                out,
                "{sep}\n    {{\"name\": {}, \"stat\": {}, \"value\": {}, \"unit\": {}, \
                 \"goal_op\": {goal_op}, \"goal\": {goal_value}, \"met\": {met}",
                json_str(&f.name),
                json_str(&f.stat),
                json_num(f.value),
                json_str(&f.unit),
            );
            for (k, v) in &f.extra {
                let _ = write!(out, ", {}: {}", json_str(k), json_num(*v));
            }
            if !f.note.is_empty() {
                let _ = write!(out, ", \"note\": {}", json_str(&f.note));
            }
            out.push('}');
        }
        out.push_str("\n  ],\n  \"checks\": [");
        for (i, c) in self.checks.iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            let _ = write!(
                out,
                "{sep}\n    {{\"name\": {}, \"ok\": {}, \"detail\": {}}}",
                json_str(&c.name),
                c.ok,
                json_str(&c.detail)
            );
        }
        let _ = write!(out, "\n  ],\n  \"correct\": {}\n}}\n", self.all_correct());
        out
    }
}

impl Report {
    /// Figures and checks as tab-separated lines, for a child process to hand back.
    pub fn to_lines(&self) -> String {
        let mut out = String::new();
        for f in &self.figures {
            let (op, bound) = match f.goal {
                Goal::None => ("-", 0.0),
                Goal::Below(b) => ("<", b),
                Goal::AtMost(b) => ("<=", b),
                Goal::AtLeast(b) => (">=", b),
            };
            let _ = writeln!(
                out,
                "figure\t{}\t{}\t{:?}\t{}\t{op}\t{bound:?}\t{}",
                field(&f.name),
                field(&f.stat),
                f.value,
                field(&f.unit),
                field(&f.note)
            );
            for (k, v) in &f.extra {
                let _ = writeln!(out, "extra\t{}\t{v:?}", field(k));
            }
        }
        for c in &self.checks {
            let _ = writeln!(
                out,
                "check\t{}\t{}\t{}",
                field(&c.name),
                u8::from(c.ok),
                field(&c.detail)
            );
        }
        out
    }

    /// Adds the figures and checks of [`Report::to_lines`]; `None` when a line is not one.
    pub fn add_lines(&mut self, text: &str) -> Option<()> {
        for line in text.lines().filter(|l| !l.is_empty()) {
            let cells: Vec<&str> = line.split('\t').collect();
            match cells.as_slice() {
                ["figure", name, stat, value, unit, op, bound, note] => {
                    let bound: f64 = bound.parse().ok()?;
                    let goal = match *op {
                        "-" => Goal::None,
                        "<" => Goal::Below(bound),
                        "<=" => Goal::AtMost(bound),
                        ">=" => Goal::AtLeast(bound),
                        _ => return None,
                    };
                    self.figures.push(
                        Figure::new(*name, stat, value.parse().ok()?, unit)
                            .goal(goal)
                            .note(*note),
                    );
                }
                ["extra", key, value] => {
                    let v: f64 = value.parse().ok()?;
                    self.figures.last_mut()?.extra.push(((*key).to_owned(), v));
                }
                ["check", name, ok, detail] => self.checks.push(Check {
                    name: (*name).to_owned(),
                    ok: *ok == "1",
                    detail: (*detail).to_owned(),
                }),
                _ => return None,
            }
        }
        Some(())
    }
}

/// Text without the tabs and line ends that separate cells and lines.
pub fn field(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

/// Repeated timings of one operation.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    sorted: Vec<f64>,
    unsorted: Vec<f64>,
}

impl Timings {
    pub fn push(&mut self, d: Duration) {
        self.unsorted.push(d.as_secs_f64() * 1000.0);
    }

    pub fn extend(&mut self, other: Timings) {
        self.unsorted.extend(other.unsorted);
        self.unsorted.extend(other.sorted);
    }

    pub fn len(&self) -> usize {
        self.sorted.len() + self.unsorted.len()
    }

    fn settle(&mut self) {
        if !self.unsorted.is_empty() {
            self.sorted.append(&mut self.unsorted);
            self.sorted.sort_by(f64::total_cmp);
        }
    }

    /// The `p`th percentile in milliseconds (nearest rank); 0 with no timings.
    pub fn ms(&self, p: f64) -> f64 {
        let mut t = self.clone();
        t.settle();
        percentile(&t.sorted, p)
    }
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len()) - 1)
        .copied()
        .unwrap_or_default()
}

/// A number as people read it: whole above 100, else three significant digits.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_owned();
    }
    let a = v.abs();
    if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn json_num(v: f64) -> String {
    if v.is_finite() {
        // Enough precision for milliseconds, and no exponent for ordinary figures.
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s.is_empty() || s == "-" {
            "0".to_owned()
        } else {
            s.to_owned()
        }
    } else {
        "null".to_owned()
    }
}

pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
        let mut t = Timings::default();
        for ms in [3, 1, 2] {
            t.push(Duration::from_millis(ms));
        }
        assert_eq!(t.ms(50.0), 2.0);
        assert_eq!(t.len(), 3);
    }

    #[test]
    fn goals_are_met_or_missed_with_the_shortfall() {
        let f = Figure::new("csv", "total", 25.0, "s").goal(Goal::Below(10.0));
        assert_eq!(f.met(), Some(false));
        assert_eq!(f.result_text(), "MISSED (2.5x the goal)");
        let r = Figure::new("ratio", "ratio", 0.2, "").goal(Goal::AtLeast(0.25));
        assert_eq!(r.result_text(), "MISSED (80% of the goal)");
        assert_eq!(Figure::new("x", "p95", 1.0, "ms").result_text(), "info");
        let ok = Figure::new("x", "p95", 1.0, "ms").goal(Goal::Below(20.0));
        assert_eq!(ok.result_text(), "met");
    }

    #[test]
    fn figures_and_checks_survive_the_trip_through_lines() {
        let mut r = Report::default();
        r.add(
            Figure::new("P2 a\tb", "p95", 1.25, "ms")
                .goal(Goal::Below(20.0))
                .extra("p50", 0.5)
                .note("n"),
        );
        r.add(Figure::new("info", "total", 3.0, "s"));
        r.check("count", false, "3 of 4");
        let mut back = Report::default();
        assert_eq!(back.add_lines(&r.to_lines()), Some(()));
        assert_eq!(back.figures.len(), 2);
        let f = &back.figures[0];
        assert_eq!(
            (f.name.as_str(), f.stat.as_str(), f.value, f.unit.as_str()),
            ("P2 a b", "p95", 1.25, "ms")
        );
        assert_eq!(f.goal, Goal::Below(20.0));
        assert_eq!(f.extra, vec![("p50".to_owned(), 0.5)]);
        assert_eq!(back.figures[1].goal, Goal::None);
        assert!(!back.checks[0].ok);
        assert_eq!(back.checks[0].detail, "3 of 4");
        assert_eq!(back.add_lines("nonsense"), None);
    }

    #[test]
    fn json_is_escaped_and_numbers_are_plain() {
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(json_num(1.5), "1.5");
        assert_eq!(json_num(2.0), "2");
        assert_eq!(json_num(f64::NAN), "null");
        let mut r = Report::default();
        r.meta("backend", "SQLite");
        r.add(Figure::latency("first page", &Timings::default(), 20.0));
        r.check("count", true, "");
        let j = r.json();
        assert!(j.contains("\"backend\": \"SQLite\""));
        assert!(j.contains("\"goal_op\": \"<\", \"goal\": 20, \"met\": true"));
        assert!(j.contains("\"correct\": true"));
        assert!(r.table().contains("all passed"));
    }
}
