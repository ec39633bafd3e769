//! The public application page under a flood: many clients, each from its own loopback
//! address, posting complete applications (each with its own person, phone and one-time code)
//! faster than the per-client limit allows. Every answer must be an accepted application (a
//! redirect to its status link) or the limit's refusal (429), and every accepted one stored.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use tokio::io::BufReader;
use tokio::net::TcpSocket;

use super::super::http::{self, Conn};
use super::super::load::Setup;
use super::super::report::{Figure, Goal, Report};
use super::{Kept, id_number};
use crate::error::CliError;
use store::registry::Household;

/// Issue 12 §5: at least 500 submissions a second answered correctly.
const GOAL_PER_SECOND: f64 = 500.0;
/// Clients of the flood, each a connection from an address of its own.
const CLIENTS: usize = 48;
/// Submissions each client sends: more than the per-client limit lets through in an hour.
const PER_CLIENT: usize = 40;
/// Where the flood's people are numbered from, past the month's applicants.
const FIRST_PERSON: usize = 10_000;
/// The double-submit token the flood's form and cookie carry (any equal pair passes).
const CSRF: &str = "bench-flood-csrf";

/// What the flood's answers were.
#[derive(Default)]
struct Answers {
    accepted: usize,
    limited: usize,
    other: Vec<String>,
}

/// Floods the page and reports the rate, the split and whether every accepted one is stored.
pub(super) async fn run(
    s: &Setup,
    log: &Arc<Kept>,
    homes: &[Household],
    report: &mut Report,
) -> Result<(), CliError> {
    let app = s.app.clone().with_sender(log.clone());
    let today = app.today();
    let stored_before = stored_today(s).await?;
    let mut bodies: Vec<Vec<String>> = (0..CLIENTS)
        .map(|_| Vec::with_capacity(PER_CLIENT))
        .collect();
    for n in 0..CLIENTS * PER_CLIENT {
        let person = FIRST_PERSON + n;
        let home = &homes[n % homes.len()];
        let phone = format!("137{person:08}");
        // Each code is asked for by a client of its own: the flood is of applications.
        app.request_return_code(&phone, &format!("flood-code-{n}"), jiff::Timestamp::now())
            .await?;
        let arrival = format!("{today}T{:02}:15", 8 + n % 12);
        let fields = [
            ("csrf", CSRF.to_owned()),
            ("name", format!("返岗{person}")),
            ("document_number", id_number(person)?),
            ("phone", phone.clone()),
            ("code", log.code(&phone)),
            ("employer", "西安某科技有限公司".to_owned()),
            ("employer_address", "西安市高新区科技路1号".to_owned()),
            ("origin", "610113".to_owned()),
            ("means", "train".to_owned()),
            ("trip", format!("G{}", 5000 + n % 4000)),
            ("arrival", arrival),
            ("building", home.building_name.clone()),
            ("unit", home.unit_name.clone()),
            ("room", home.room.clone()),
        ];
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        bodies[n % CLIENTS].push(body);
    }
    let community = homes.first().map_or(0, |h| h.community_id);
    let (answers, seconds, cpu) = http::serve(s, async |addr| {
        let started = Instant::now();
        let cpu_before = process_cpu_seconds();
        let mut tasks = Vec::with_capacity(CLIENTS);
        for (client, bodies) in bodies.into_iter().enumerate() {
            tasks.push(tokio::spawn(submit_all(addr, client, community, bodies)));
        }
        let mut all = Answers::default();
        for t in tasks {
            let a = t
                .await
                .map_err(|e| CliError::message(format!("a flood client failed: {e}")))??;
            all.accepted += a.accepted;
            all.limited += a.limited;
            all.other.extend(a.other);
        }
        let cpu = process_cpu_seconds()
            .zip(cpu_before)
            .map(|(after, before)| after - before);
        Ok((all, started.elapsed().as_secs_f64(), cpu))
    })
    .await?;
    let sent = CLIENTS * PER_CLIENT;
    let limit = usize::try_from(app.settings.returns.attempts_per_client_per_hour).unwrap_or(0);
    let mut figure = Figure::new(
        format!("the public application page flooded by {CLIENTS} clients ({sent} submissions)"),
        "rate",
        sent as f64 / seconds.max(1e-9),
        "/s",
    )
    .goal(Goal::AtLeast(GOAL_PER_SECOND))
    .extra("accepted", answers.accepted as f64)
    .extra("limited", answers.limited as f64)
    .note("over HTTP: each client from its own address, each submission a new person with a valid code; CPU of the whole process, server and clients");
    // CPU per submission does not depend on what else the machine runs, the rate does.
    if let Some(cpu) = cpu {
        figure = figure.extra("cpu_ms_per_submission", cpu * 1000.0 / sent as f64);
    }
    report.add(figure);
    let stored = stored_today(s).await? - stored_before;
    report.check(
        "the flood: each client is let through up to its limit and refused with 429 after it",
        answers.other.is_empty()
            && answers.accepted == CLIENTS * PER_CLIENT.min(limit)
            && answers.limited == sent - answers.accepted,
        format!(
            "{} accepted, {} limited, other answers: {:?}",
            answers.accepted,
            answers.limited,
            answers.other.iter().take(3).collect::<Vec<_>>()
        ),
    );
    report.check(
        "the flood: every accepted application is stored, none lost",
        usize::try_from(stored).ok() == Some(answers.accepted),
        format!("{stored} stored for {} accepted", answers.accepted),
    );
    Ok(())
}

/// CPU seconds this process has used, user and system (Linux: /proc/self/stat, in the
/// kernel's clock ticks of 1/100 s).
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's name, which is in parentheses and may hold spaces.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split_whitespace();
    let utime: f64 = fields.nth(11)?.parse().ok()?;
    let stime: f64 = fields.next()?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Applications counted in today's throughput.
async fn stored_today(s: &Setup) -> Result<i64, CliError> {
    let today = s.app.today();
    let tp = s.app.return_throughput(&s.staff, today, 1).await?;
    Ok(tp.days.last().map_or(0, |d| d.applications))
}

/// One client's submissions, one after the other on a connection from its own address.
async fn submit_all(
    addr: SocketAddr,
    client: usize,
    community: i64,
    bodies: Vec<String>,
) -> Result<Answers, CliError> {
    let mut conn = connect_from(addr, client).await?;
    let mut answers = Answers::default();
    for body in bodies {
        let request = format!(
            "POST /return/{community} HTTP/1.1\r\nHost: {addr}\r\n\
             Cookie: gw_return_csrf={CSRF}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let (status, _) = http::exchange(&mut conn, request.as_bytes())
            .await
            .map_err(|e| CliError::message(format!("flood client {client}: {e}")))?;
        match status {
            303 => answers.accepted += 1,
            429 => answers.limited += 1,
            other => answers.other.push(format!("client {client}: {other}")),
        }
    }
    Ok(answers)
}

/// A connection from 127.1.x.y: loopback answers for all of 127.0.0.0/8, so each client has
/// an address of its own, as the per-client limit sees clients.
async fn connect_from(addr: SocketAddr, client: usize) -> Result<Conn, CliError> {
    let [hi, lo] = u16::try_from(client + 1).unwrap_or(1).to_be_bytes();
    let local = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 1, hi, lo)), 0);
    let socket = TcpSocket::new_v4()
        .and_then(|s| s.bind(local).map(|()| s))
        .map_err(|e| CliError::message(format!("cannot bind {local}: {e}")))?;
    let stream = socket
        .connect(addr)
        .await
        .map_err(|e| CliError::message(format!("cannot connect from {local} to {addr}: {e}")))?;
    stream
        .set_nodelay(true)
        .map_err(|e| CliError::message(format!("cannot set TCP_NODELAY: {e}")))?;
    Ok(BufReader::with_capacity(64 * 1024, stream))
}
