//! The read phase (P2, P3, HTTP, P6) in a process of its own: the bench runs its own binary
//! again with `--handoff FILE`. The child opens the imported database, signs in, measures, and
//! writes its figures back; its peak memory is then the server's alone, not what generating
//! the register and importing it twice left in the allocator of the parent.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use super::load::{self, Setup};
use super::report::{Report, field};
use super::{Facts, Sample};
use crate::demo::Ids;
use crate::error::CliError;

/// The master key and the accounts' password travel in the environment, not on the command
/// line where other users of the machine could read them.
const KEY_ENV: &str = "GRIDWATCH_BENCH_KEY";
const PASSWORD_ENV: &str = "GRIDWATCH_BENCH_PASSWORD";

/// What the child needs besides the key and password.
struct Handoff {
    url: String,
    community: i64,
    grid1: i64,
    facts: Facts,
}

impl Handoff {
    fn text(&self) -> String {
        let mut out = String::new();
        let f = &self.facts;
        let _ = writeln!(out, "url\t{}", field(&self.url));
        let _ = writeln!(out, "ids\t{}\t{}", self.community, self.grid1);
        let _ = writeln!(
            out,
            "facts\t{}\t{}\t{}",
            f.residents, f.households, f.grid1_residents
        );
        for s in &f.samples {
            let _ = writeln!(
                out,
                "sample\t{}\t{}\t{}\t{}",
                field(&s.id_number),
                field(&s.name),
                field(s.phone.as_deref().unwrap_or_default()),
                field(&s.room)
            );
        }
        out
    }

    fn parse(text: &str) -> Option<Handoff> {
        let mut h = Handoff {
            url: String::new(),
            community: 0,
            grid1: 0,
            facts: Facts {
                residents: 0,
                households: 0,
                grid1_residents: 0,
                samples: Vec::new(),
            },
        };
        for line in text.lines().filter(|l| !l.is_empty()) {
            let cells: Vec<&str> = line.split('\t').collect();
            match cells.as_slice() {
                ["url", url] => h.url = (*url).to_owned(),
                ["ids", community, grid1] => {
                    h.community = community.parse().ok()?;
                    h.grid1 = grid1.parse().ok()?;
                }
                ["facts", residents, households, grid1] => {
                    h.facts.residents = residents.parse().ok()?;
                    h.facts.households = households.parse().ok()?;
                    h.facts.grid1_residents = grid1.parse().ok()?;
                }
                ["sample", id, name, phone, room] => h.facts.samples.push(Sample {
                    id_number: (*id).to_owned(),
                    name: (*name).to_owned(),
                    phone: (!phone.is_empty()).then(|| (*phone).to_owned()),
                    room: (*room).to_owned(),
                }),
                _ => return None,
            }
        }
        (!h.url.is_empty()).then_some(h)
    }
}

/// Runs the read phase in a child process and adds its figures and checks to `report`.
/// `Ok(false)` when no child could be started, so the caller measures in this process.
pub async fn run(
    main: &Setup,
    url: &str,
    facts: &Facts,
    http_seconds: f64,
    report: &mut Report,
) -> Result<bool, CliError> {
    let Ok(exe) = std::env::current_exe() else {
        return Ok(false);
    };
    let handoff = std::env::temp_dir().join(format!(
        "gridwatch-bench-{}-handoff.txt",
        std::process::id()
    ));
    let out = out_path(&handoff);
    let text = Handoff {
        url: url.to_owned(),
        community: main.ids.community,
        grid1: main.ids.grid1,
        facts: facts.clone(),
    }
    .text();
    std::fs::write(&handoff, text).map_err(CliError::file("cannot write", &handoff))?;
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new(exe);
    command
        .arg("bench")
        .arg("--handoff")
        .arg(&handoff)
        .arg("--http-seconds")
        .arg(http_seconds.to_string())
        .env(KEY_ENV, &main.key_hex)
        .env(PASSWORD_ENV, &main.staff_password)
        .stdin(Stdio::null());
    let status = tokio::task::spawn_blocking(move || command.status())
        .await
        .map_err(|e| CliError::message(format!("the read phase's process: {e}")))?;
    let _ = std::fs::remove_file(&handoff);
    let status = match status {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bench: cannot start the read phase's process ({e}): reading in this one");
            return Ok(false);
        }
    };
    let lines = std::fs::read_to_string(&out);
    let _ = std::fs::remove_file(&out);
    let lines = lines.map_err(|e| {
        CliError::message(format!(
            "the read phase's process ended ({status}) without results: {e}"
        ))
    })?;
    report
        .add_lines(&lines)
        .ok_or_else(|| CliError::message("the read phase's results are garbled"))?;
    if !status.success() {
        return Err(CliError::message(format!(
            "the read phase's process failed ({status})"
        )));
    }
    Ok(true)
}

fn out_path(handoff: &Path) -> PathBuf {
    let mut p = handoff.as_os_str().to_owned();
    p.push(".out");
    PathBuf::from(p)
}

/// The child: `gridwatch bench --handoff FILE`.
pub async fn child(
    handoff: &Path,
    http_seconds: f64,
    settings: &app::Settings,
) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(handoff).map_err(CliError::file("cannot read", handoff))?;
    let h = Handoff::parse(&text)
        .ok_or_else(|| CliError::message(format!("{} is not a handoff", handoff.display())))?;
    let env = |k: &str| std::env::var(k).map_err(|_| CliError::message(format!("{k} is not set")));
    let ids = Ids {
        district: 0,
        street: 0,
        community: h.community,
        grid1: h.grid1,
    };
    let s = load::attach(&h.url, &env(KEY_ENV)?, settings, ids, &env(PASSWORD_ENV)?).await?;
    let mut report = Report::default();
    let result = super::read_phase(&s, &h.facts, http_seconds, &mut report).await;
    s.app.db.close().await;
    super::memory_figure(
        &mut report,
        "peak RSS (VmHWM) of a process of its own that opened the imported database, ran P2, \
         P3 and the HTTP load (the served router and the load generator), from its start",
    );
    let out = out_path(handoff);
    std::fs::write(&out, report.to_lines()).map_err(CliError::file("cannot write", &out))?;
    result?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handoff_round_trips() {
        let h = Handoff {
            url: "sqlite:///tmp/x.db".to_owned(),
            community: 3,
            grid1: 4,
            facts: Facts {
                residents: 10,
                households: 4,
                grid1_residents: 2,
                samples: vec![
                    Sample {
                        id_number: "61082519800101001X".to_owned(),
                        name: "王明".to_owned(),
                        phone: None,
                        room: "101".to_owned(),
                    },
                    Sample {
                        id_number: "610825198001010028".to_owned(),
                        name: "李红".to_owned(),
                        phone: Some("13800138000".to_owned()),
                        room: "202".to_owned(),
                    },
                ],
            },
        };
        let back = Handoff::parse(&h.text()).expect("parses");
        assert_eq!(back.url, h.url);
        assert_eq!((back.community, back.grid1), (3, 4));
        assert_eq!(back.facts.residents, 10);
        assert_eq!(back.facts.samples.len(), 2);
        assert_eq!(back.facts.samples[0].phone, None);
        assert_eq!(back.facts.samples[1].phone.as_deref(), Some("13800138000"));
        assert!(Handoff::parse("garbage").is_none());
    }
}
