//! The lead's throughput of return to work: per day, the applications made, the arrivals, the
//! verified and the refused, and how long a returnee waited from arrival to decision.

use domain::returns::{self as rt, State};
use serde::Serialize;
use store::returns as rs;

use crate::{Actor, App, AppResult};

/// One day's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// The local date.
    pub date: String,
    pub applications: i64,
    pub arrivals: i64,
    pub verified: i64,
    pub refused: i64,
    /// Minutes from arrival to decision of the day's decisions: median and 90th percentile;
    /// `None` on a day without decisions.
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

/// The days of a period, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Throughput {
    pub days: Vec<Day>,
}

/// The value below which `q` of the sorted values lie (nearest rank).
fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a rank among at most a few thousand values"
    )]
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

impl App {
    /// The throughput of the `days` days ending with `last` (local dates), in the actor's
    /// jurisdiction.
    pub async fn return_throughput(
        &self,
        actor: &Actor,
        last: jiff::civil::Date,
        days: i64,
    ) -> AppResult<Throughput> {
        let mut conn = self.read_as(actor, rt::can_oversee(actor.role)).await?;
        let days = days.clamp(1, 92);
        let first = last.saturating_sub(jiff::Span::new().days(days - 1));
        let from = self.day_start(first);
        let to = self.day_start(last.saturating_add(jiff::Span::new().days(1)));
        let rows = rs::moments(&mut conn, &actor.jurisdiction, from, to).await?;
        let mut out: Vec<Day> = Vec::with_capacity(usize::try_from(days).unwrap_or(0));
        let mut waits: Vec<Vec<i64>> = Vec::new();
        let mut d = first;
        while d <= last {
            out.push(Day {
                date: d.to_string(),
                applications: 0,
                arrivals: 0,
                verified: 0,
                refused: 0,
                median_minutes: None,
                p90_minutes: None,
            });
            waits.push(Vec::new());
            d = d.saturating_add(jiff::Span::new().days(1));
        }
        let index = |ms: i64| -> Option<usize> {
            if ms < from || ms >= to {
                return None;
            }
            let day = self.local_date(ms);
            usize::try_from((day - first).get_days()).ok()
        };
        for m in rows {
            if let Some(i) = index(m.created_at) {
                out[i].applications += 1;
            }
            if let Some(i) = m.arrived_at.and_then(index) {
                out[i].arrivals += 1;
            }
            if let Some(decided) = m.decided_at
                && let Some(i) = index(decided)
            {
                match m.state {
                    State::Refused => out[i].refused += 1,
                    State::Approved | State::InQuarantine => out[i].verified += 1,
                    _ => {}
                }
                if let Some(arrived) = m.arrived_at {
                    waits[i].push((decided - arrived).max(0) / 60_000);
                }
            }
        }
        for (day, w) in out.iter_mut().zip(&mut waits) {
            w.sort_unstable();
            day.median_minutes = percentile(w, 0.5);
            day.p90_minutes = percentile(w, 0.9);
        }
        Ok(Throughput { days: out })
    }

    /// The throughput as CSV for the street office: one line per day.
    pub async fn return_throughput_csv(
        &self,
        actor: &Actor,
        last: jiff::civil::Date,
        days: i64,
    ) -> AppResult<String> {
        let t = self.return_throughput(actor, last, days).await?;
        let mut csv = String::from(
            "date,applications,arrivals,verified,refused,median_minutes,p90_minutes\r\n",
        );
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        for d in &t.days {
            csv.push_str(&format!(
                "{},{},{},{},{},{},{}\r\n",
                d.date,
                d.applications,
                d.arrivals,
                d.verified,
                d.refused,
                opt(d.median_minutes),
                opt(d.p90_minutes)
            ));
        }
        Ok(csv)
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.5), Some(5));
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&[1, 2, 3], 0.5), Some(2));
    }
}
