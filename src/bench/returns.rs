//! Issue 12 at county scale: a month of about 1,500 return-to-work applications made through
//! the public page's path (one-time code, ID check, limits, duplicate check), the peak day's
//! 290 verifications each admitting a returnee into quarantine (orders, deliveries, the
//! household's seal), and the staff's reads: the expected arrivals and the throughput.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::returns::{ApplicationInput, Applied, Message, MessageSender, VerificationInput};
use domain::page::PageRequest;
use store::registry::{Household, HouseholdFilter};

use super::load::Setup;
use super::report::{Figure, Report, Timings};
use crate::error::CliError;

mod flood;

/// Issue 12 §5: the expected arrivals, a verification and the throughput chart each < 50 ms p95.
const GOAL_MS: f64 = 50.0;
/// A month of applications, and the peak day's verifications.
const APPLICATIONS: usize = 1_500;
const PEAK_DAY: usize = 290;

/// Keeps each phone's last code without logging it: 1,500 log lines would bury the report.
#[derive(Default)]
struct Kept(Mutex<HashMap<String, String>>);

impl MessageSender for Kept {
    fn send(&self, m: &Message) -> Result<(), String> {
        let code = m.params.first().cloned().unwrap_or_default();
        self.0
            .lock()
            .map_err(|_| "poisoned".to_owned())?
            .insert(m.phone.clone(), code);
        Ok(())
    }
}

impl Kept {
    fn code(&self, phone: &str) -> String {
        self.0
            .lock()
            .ok()
            .and_then(|m| m.get(phone).cloned())
            .unwrap_or_default()
    }
}

/// A citizen ID number of a returnee from Xi'an's Yanta district, unique per `n`.
fn id_number(n: usize) -> Result<String, CliError> {
    let day = i16::try_from(n % 28 + 1).unwrap_or(1);
    let year = 1960 + i16::try_from(n / 28 / 999 % 40).unwrap_or(0);
    let birth = jiff::civil::date(year, 3, i8::try_from(day).unwrap_or(1));
    let sequence = u16::try_from(n / 28 % 999 + 1).unwrap_or(1);
    domain::citizen_id::CitizenId::compose("610113", birth, sequence)
        .map(|id| id.as_str().to_owned())
        .map_err(|e| CliError::Message(format!("bench id {n}: {e:?}")))
}

/// Households spread over the county, one for each application.
async fn destinations(s: &Setup, count: usize) -> Result<Vec<Household>, CliError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .app
            .households(
                &s.staff,
                &HouseholdFilter::default(),
                PageRequest::new(after, Some(500)),
            )
            .await?;
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let step = (all.len() / count.max(1)).max(1);
    Ok(all.into_iter().step_by(step).take(count).collect())
}

pub async fn run(s: &Setup, runs: usize, report: &mut Report) -> Result<(), CliError> {
    let log = Arc::new(Kept::default());
    let app = s.app.clone().with_sender(log.clone());
    let homes = destinations(s, APPLICATIONS).await?;
    let today = app.today();
    let mut ids = Vec::with_capacity(homes.len());
    let mut times = Timings::default();
    let started = Instant::now();
    for (n, h) in homes.iter().enumerate() {
        // The peak day's arrivals today, the rest over the month ahead.
        let day = if n < PEAK_DAY { 0 } else { (n % 30) as i64 };
        let arrival = today.saturating_add(jiff::Span::new().days(day));
        let hour = 8 + n % 12;
        let phone = format!("139{n:08}");
        let client = format!("bench-{n}");
        let t = Instant::now();
        app.request_return_code(&phone, &client, jiff::Timestamp::now())
            .await?;
        let code = log.code(&phone);
        let input = ApplicationInput {
            community_id: h.community_id,
            name: format!("返岗{n}"),
            document_number: id_number(n)?,
            phone,
            code,
            employer: "西安某科技有限公司".to_owned(),
            employer_address: "西安市高新区科技路1号".to_owned(),
            origin: "610113".to_owned(),
            means: "train".to_owned(),
            trip: format!("G{}", 1000 + n),
            arrival: format!("{arrival}T{hour:02}:30"),
            building_id: Some(h.building_id),
            building: String::new(),
            unit: h.unit_name.clone(),
            room: h.room.clone(),
            companions: Vec::new(),
        };
        match app
            .apply_for_return(&input, &client, jiff::Timestamp::now())
            .await?
        {
            Applied::New { id, .. } => ids.push(id),
            Applied::Duplicate { id, .. } => {
                return Err(CliError::Message(format!(
                    "application {n} found a duplicate {id}"
                )));
            }
        }
        times.push(t.elapsed());
    }
    let elapsed = started.elapsed().as_secs_f64();
    report.add(
        Figure::latency(
            format!(
                "{} return applications (code sent, then applied)",
                ids.len()
            ),
            &times,
            GOAL_MS,
        )
        .extra("per_second", ids.len() as f64 / elapsed.max(1e-9))
        .note("the public page's path: limits, ID check, code, duplicate check, audit"),
    );
    report.check(
        "every return application is stored",
        ids.len() == homes.len(),
        format!("{} of {}", ids.len(), homes.len()),
    );

    let mut expected = Timings::default();
    let mut listed = 0;
    for _ in 0..runs {
        let t = Instant::now();
        listed = app.expected_returns(&s.staff, today, 2, None).await?.len();
        expected.push(t.elapsed());
    }
    report.add(Figure::latency(
        format!("expected arrivals today and tomorrow ({listed} of them)"),
        &expected,
        GOAL_MS,
    ));

    let mut verified = Timings::default();
    let mut admitted = 0;
    let test_day = today.saturating_sub(jiff::Span::new().days(1)).to_string();
    for id in ids.iter().take(PEAK_DAY) {
        let input = VerificationInput {
            health_code: "green".to_owned(),
            itinerary_code: "green".to_owned(),
            visited_regions: "610113".to_owned(),
            certificate_seen: true,
            test_taken_on: test_day.clone(),
            test_institution: "西安市第一医院".to_owned(),
            test_result: "negative".to_owned(),
            temperature: "36.5".to_owned(),
            decision: "approve".to_owned(),
            ..VerificationInput::default()
        };
        let t = Instant::now();
        let v = app.verify_return(&s.staff, *id, &input).await?;
        verified.push(t.elapsed());
        admitted += usize::from(!v.order_ids.is_empty());
    }
    report.add(
        Figure::latency(
            format!("a verification admitting a returnee ({PEAK_DAY} in the peak day)"),
            &verified,
            GOAL_MS,
        )
        .note("one transaction: the record, the resident registered, the order, the day's delivery, the seal"),
    );
    report.check(
        "every peak-day verification places its returnee in quarantine",
        admitted == PEAK_DAY.min(ids.len()),
        format!("{admitted} orders"),
    );

    let mut chart = Timings::default();
    for _ in 0..runs {
        let t = Instant::now();
        app.return_throughput(&s.staff, today, 31).await?;
        chart.push(t.elapsed());
    }
    // Up to the day it is now: a run that crosses midnight counts on two days.
    let tp = app.return_throughput(&s.staff, app.today(), 31).await?;
    let since_today = tp.days.iter().filter(|d| d.date >= today.to_string());
    let (applications, verified) =
        since_today.fold((0, 0), |(a, v), d| (a + d.applications, v + d.verified));
    report.add(Figure::latency(
        "the throughput of 31 days (the chart's figures)".to_owned(),
        &chart,
        GOAL_MS,
    ));
    report.check(
        "the throughput counts today's applications and verifications",
        applications == i64::try_from(ids.len()).unwrap_or(-1)
            && verified == i64::try_from(admitted).unwrap_or(-1),
        format!("{applications} applications, {verified} verified since {today}"),
    );
    flood::run(s, &log, &homes, report).await
}
