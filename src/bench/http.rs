//! HTTP: the real router served in-process on 127.0.0.1, and a small load generator of
//! keep-alive HTTP/1.1 connections, each sending its next request when the answer is read, on
//! threads of its own.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::load::Setup;
use super::report::{Figure, Goal, Report, Timings};
use crate::error::CliError;

/// Concurrent connections of the load generator.
pub const CONNECTIONS: usize = 48;
/// Connections that write while the readers' load runs, in the mixed measurement: each
/// unmasks a resident's ID number over and over, an audited read that appends to the chain.
pub const WRITERS: usize = 2;

/// What one endpoint sustained.
pub(super) struct Load {
    ok: usize,
    pub(super) errors: usize,
    /// Writes answered 200 by the writing connections (mixed load only).
    writes: usize,
    seconds: f64,
    pub(super) latency: Timings,
    /// CPU time of this whole process (server and load generator) while the load ran.
    cpu_seconds: Option<f64>,
}

impl Load {
    pub(super) fn rate(&self) -> f64 {
        self.ok as f64 / self.seconds.max(f64::EPSILON)
    }

    /// The process's CPU time per answer, in ms: a figure other sessions on the machine
    /// disturb less than the rate. The load generator's share is in it.
    pub(super) fn cpu_ms_per_answer(&self) -> Option<f64> {
        self.cpu_seconds
            .map(|s| s * 1000.0 / (self.ok + self.errors).max(1) as f64)
    }
}

/// Clock ticks a second of the times in /proc/PID/stat (`USER_HZ`, 100 on Linux).
const USER_HZ: f64 = 100.0;

/// The CPU time this process has used (user and system), in seconds, where /proc is readable.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command's name, which may hold spaces, start with the third.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / USER_HZ)
}

pub async fn run(
    s: &Setup,
    name_prefixes: &[String],
    seconds: f64,
    report: &mut Report,
) -> Result<(), CliError> {
    serve(s, async |addr| {
        measure(s, addr, name_prefixes, seconds, report).await
    })
    .await
}

/// Serves the real router on 127.0.0.1 while `work` runs against its address.
pub(super) async fn serve<T>(
    s: &Setup,
    work: impl AsyncFnOnce(SocketAddr) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| CliError::message(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| CliError::message(format!("cannot read the listen address: {e}")))?;
    let router = server::router_with(s.app.clone(), server::Options::default());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await
    });
    let result = work(addr).await;
    let _ = stop.send(());
    match tokio::time::timeout(Duration::from_secs(10), serving).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => eprintln!("bench: the server stopped with an error: {e}"),
        Ok(Err(e)) => eprintln!("bench: the server task failed: {e}"),
        Err(_) => eprintln!("bench: the server did not stop within 10 s"),
    }
    result
}

async fn measure(
    s: &Setup,
    addr: SocketAddr,
    name_prefixes: &[String],
    seconds: f64,
    report: &mut Report,
) -> Result<(), CliError> {
    let token = token(addr, &s.staff_username, &s.staff_password).await?;
    let get = |path: &str| -> Vec<u8> {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
             Accept: application/json\r\n\r\n"
        )
        .into_bytes()
    };
    let healthz = vec![get("/healthz")];
    let list = vec![get("/api/v1/residents?limit=50")];
    let search: Vec<Vec<u8>> = name_prefixes
        .iter()
        .map(|p| get(&format!("/api/v1/residents?q={}", percent_encode(p))))
        .collect();

    // One request of each first: the answers must be right before they are timed.
    let probe_ok = probe(addr, &healthz, |b| b == b"ok").await?
        && probe(addr, &list, |b| contains(b, b"\"items\":[{")).await?
        && probe(addr, &search, |b| contains(b, b"\"items\":[{")).await?;
    report.check(
        "the API answers /healthz, the list and a search over HTTP",
        probe_ok,
        "status 200 with residents",
    );
    let unmask = vec![unmask(
        addr,
        &token,
        first_resident_id(addr, &list[0]).await?,
    )];

    let duration = Duration::from_secs_f64(seconds.max(0.1));
    let base = load(addr, healthz, Vec::new(), duration).await?;
    let list_load = load(addr, list.clone(), Vec::new(), duration).await?;
    let search_load = load(addr, search, Vec::new(), duration).await?;
    let mixed_load = load(addr, list, unmask, duration).await?;
    let mixed_name = format!("HTTP GET /api/v1/residents?limit=50 beside {WRITERS} writers");
    load_figure(
        report,
        "HTTP GET /healthz (the stack's limit)",
        &base,
        seconds,
        None,
    );
    for (name, l) in [
        ("HTTP GET /api/v1/residents?limit=50", &list_load),
        ("HTTP GET /api/v1/residents?q=<name prefix>", &search_load),
        (mixed_name.as_str(), &mixed_load),
    ] {
        load_figure(report, name, l, seconds, Some(base.rate()));
    }
    Ok(())
}

/// The write beside the readers: unmasking resident `id`'s ID number, an audited read.
fn unmask(addr: SocketAddr, token: &str, id: i64) -> Vec<u8> {
    let body = "{\"reason\":\"bench: a write beside the readers\"}";
    post_json(addr, token, &format!("/api/v1/residents/{id}/unmask"), body)
}

/// The bytes of a `POST` of the JSON `body` to `path`, with the bearer `token`.
pub(super) fn post_json(addr: SocketAddr, token: &str, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The figures of one load: its rate (against `/healthz`'s, `base_rate`, unless it is that
/// one) and its errors.
pub(super) fn load_figure(
    report: &mut Report,
    name: &str,
    l: &Load,
    seconds: f64,
    base_rate: Option<f64>,
) {
    let mut f = Figure::new(name, "rate", l.rate(), "req/s")
        .extra("p50 ms", l.latency.ms(50.0))
        .extra("p99 ms", l.latency.ms(99.0))
        .note(format!(
            "{CONNECTIONS} connections for {seconds} s: {} answers, {} errors{}",
            l.ok,
            l.errors,
            if l.writes > 0 {
                format!(
                    ", {} audited writes ({:.0}/s)",
                    l.writes,
                    l.writes as f64 / l.seconds
                )
            } else {
                String::new()
            }
        ));
    if let Some(base_rate) = base_rate {
        f = f.extra("ratio to /healthz", l.rate() / base_rate.max(f64::EPSILON));
    }
    report.add(f);
    report.add(
        Figure::new(format!("{name}: errors"), "count", l.errors as f64, "")
            .goal(Goal::AtMost(0.0)),
    );
}

/// Signs in over the API and returns the bearer token.
pub(super) async fn token(
    addr: SocketAddr,
    username: &str,
    password: &str,
) -> Result<String, CliError> {
    // Both are ASCII without quotes: the username is ours, the password hex.
    let body =
        format!("{{\"username\":\"{username}\",\"password\":\"{password}\",\"label\":\"bench\"}}");
    let request = format!(
        "POST /api/v1/tokens HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut conn = connect(addr).await?;
    let (status, body) = exchange(&mut conn, request.as_bytes())
        .await
        .map_err(|e| CliError::message(format!("POST /api/v1/tokens: {e}")))?;
    let text = String::from_utf8_lossy(&body);
    let token = text
        .split_once("\"token\":\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(t, _)| t.to_owned());
    match (status, token) {
        (201, Some(t)) => Ok(t),
        _ => Err(CliError::message(format!(
            "POST /api/v1/tokens answered {status}: {text}"
        ))),
    }
}

async fn probe(
    addr: SocketAddr,
    requests: &[Vec<u8>],
    good: impl Fn(&[u8]) -> bool,
) -> Result<bool, CliError> {
    let mut conn = connect(addr).await?;
    let mut ok = true;
    for r in requests.iter().take(5) {
        let (status, body) = exchange(&mut conn, r)
            .await
            .map_err(|e| CliError::message(format!("probe request: {e}")))?;
        if status != 200 || !good(&body) {
            eprintln!(
                "bench: probe got {status}: {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
            ok = false;
        }
    }
    Ok(ok)
}

/// Runs `CONNECTIONS` connections for `duration`, each cycling through `requests`; with
/// `writes`, `WRITERS` more connections send those beside them, counted apart.
///
/// The connections run on a runtime of their own, on threads of their own, as a client
/// process such as `wrk` would: on the server's runtime a client's task waited for its turn
/// behind the server's tasks before it read each answer, and that wait counted in the
/// latency.
pub(super) async fn load(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    writes: Vec<Vec<u8>>,
    duration: Duration,
) -> Result<Load, CliError> {
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("load-generator")
            .enable_all()
            .build()
            .map_err(|e| CliError::message(format!("cannot start the load generator: {e}")))?
            .block_on(load_here(addr, requests, writes, duration))
    })
    .await
    .map_err(|e| CliError::message(format!("the load generator failed: {e}")))?
}

/// [`load`] on the runtime it runs on.
async fn load_here(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    writes: Vec<Vec<u8>>,
    duration: Duration,
) -> Result<Load, CliError> {
    let requests = Arc::new(requests);
    let mut conns = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        conns.push(connect(addr).await?);
    }
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let deadline = started + duration;
    let mut writers = Vec::new();
    if !writes.is_empty() {
        let writes = Arc::new(writes);
        for _ in 0..WRITERS {
            let conn = connect(addr).await?;
            writers.push(tokio::spawn(write_until(conn, writes.clone(), deadline)));
        }
    }
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for (k, conn) in conns.into_iter().enumerate() {
        tasks.push(tokio::spawn(read_until(
            addr,
            conn,
            requests.clone(),
            k,
            deadline,
        )));
    }
    let mut total = Load {
        ok: 0,
        errors: 0,
        writes: 0,
        seconds: 0.0,
        latency: Timings::default(),
        cpu_seconds: None,
    };
    for t in tasks {
        let (ok, errors, latency) = t
            .await
            .map_err(|e| CliError::message(format!("a load connection failed: {e}")))?;
        total.ok += ok;
        total.errors += errors;
        total.latency.extend(latency);
    }
    for w in writers {
        total.writes += w
            .await
            .map_err(|e| CliError::message(format!("a writing connection failed: {e}")))?;
    }
    total.seconds = started.elapsed().as_secs_f64();
    total.cpu_seconds = cpu_before
        .zip(process_cpu_seconds())
        .map(|(before, after)| after - before);
    Ok(total)
}

/// One reading connection: from request `first`, every `CONNECTIONS`th request in turn until
/// `deadline`, reconnecting after a failed exchange; its answers, errors and latencies.
async fn read_until(
    addr: SocketAddr,
    mut conn: Conn,
    requests: Arc<Vec<Vec<u8>>>,
    first: usize,
    deadline: Instant,
) -> (usize, usize, Timings) {
    let mut latency = Timings::default();
    let (mut ok, mut errors) = (0usize, 0usize);
    let mut i = first;
    while Instant::now() < deadline {
        let Some(r) = requests.get(i % requests.len().max(1)) else {
            break;
        };
        i += CONNECTIONS;
        let t = Instant::now();
        match exchange(&mut conn, r).await {
            // 201: a passage written at the gate.
            Ok((200 | 201, _)) => {
                latency.push(t.elapsed());
                ok += 1;
            }
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                match connect(addr).await {
                    Ok(c) => conn = c,
                    Err(_) => break,
                }
            }
        }
    }
    (ok, errors, latency)
}

/// One writing connection: `writes` in turn until `deadline` or a failed exchange; the writes
/// answered 200.
async fn write_until(mut conn: Conn, writes: Arc<Vec<Vec<u8>>>, deadline: Instant) -> usize {
    let mut done = 0usize;
    let mut i = 0usize;
    while Instant::now() < deadline {
        let Some(w) = writes.get(i % writes.len()) else {
            break;
        };
        i += 1;
        match exchange(&mut conn, w).await {
            Ok((200, _)) => done += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    done
}

/// The id of the first resident the list request answers with.
async fn first_resident_id(addr: SocketAddr, list: &[u8]) -> Result<i64, CliError> {
    let mut conn = connect(addr).await?;
    let (_, body) = exchange(&mut conn, list)
        .await
        .map_err(|e| CliError::message(format!("list request: {e}")))?;
    let text = String::from_utf8_lossy(&body);
    text.split_once("\"items\":[{\"id\":")
        .and_then(|(_, rest)| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .ok_or_else(|| CliError::message("the list answered no resident id".to_owned()))
}

pub(super) type Conn = BufReader<TcpStream>;

pub(super) async fn connect(addr: SocketAddr) -> Result<Conn, CliError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| CliError::message(format!("cannot connect to {addr}: {e}")))?;
    stream
        .set_nodelay(true)
        .map_err(|e| CliError::message(format!("cannot set TCP_NODELAY: {e}")))?;
    Ok(BufReader::with_capacity(64 * 1024, stream))
}

/// Sends one request and reads its answer: the status and the body (Content-Length or chunked).
pub(super) async fn exchange(conn: &mut Conn, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    conn.get_mut().write_all(request).await?;
    let mut line = Vec::with_capacity(128);
    read_line(conn, &mut line).await?;
    let status = std::str::from_utf8(&line)
        .ok()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| bad("no HTTP status line"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        read_line(conn, &mut line).await?;
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        let text = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if let Some(v) = text.strip_prefix("content-length:") {
            length = v.trim().parse().ok();
        } else if let Some(v) = text.strip_prefix("transfer-encoding:") {
            chunked = v.contains("chunked");
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            read_line(conn, &mut line).await?;
            let size_text = String::from_utf8_lossy(&line);
            let size_text = size_text.trim().split(';').next().unwrap_or_default();
            let size = usize::from_str_radix(size_text, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                loop {
                    read_line(conn, &mut line).await?;
                    if line == b"\r\n" || line == b"\n" {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..]).await?;
            read_line(conn, &mut line).await?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        conn.read_exact(&mut body).await?;
    } else if status != 204 && status != 304 {
        return Err(bad("an answer without length on a kept-alive connection"));
    }
    Ok((status, body))
}

async fn read_line(conn: &mut Conn, line: &mut Vec<u8>) -> std::io::Result<()> {
    line.clear();
    let n = conn.read_until(b'\n', line).await?;
    if n == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "connection closed",
        ));
    }
    Ok(())
}

fn bad(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Percent-encodes a query value (UTF-8 bytes; unreserved characters stay).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(percent_encode("王明"), "%E7%8E%8B%E6%98%8E");
        assert_eq!(percent_encode("a b&c"), "a%20b%26c");
        assert_eq!(percent_encode("101"), "101");
    }

    #[tokio::test]
    async fn answers_with_length_and_chunked_bodies_are_read() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .await
                .expect("write");
            let _ = s.read(&mut buf).await;
            s.write_all(
                b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            )
            .await
            .expect("write");
        });
        let mut c = connect(addr).await.expect("connect");
        let (status, body) = exchange(&mut c, b"GET / HTTP/1.1\r\n\r\n")
            .await
            .expect("first");
        assert_eq!((status, body.as_slice()), (200, &b"ok"[..]));
        let (status, body) = exchange(&mut c, b"GET / HTTP/1.1\r\n\r\n")
            .await
            .expect("second");
        assert_eq!((status, body.as_slice()), (404, &b"abcde"[..]));
        server.await.expect("server");
    }
}
