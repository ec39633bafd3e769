use super::*;
use std::path::Path;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("gridwatch-config-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The configuration of `dir` with `env` set, and no file or flags.
fn from_env(dir: &Path, env: &[(&str, &str)]) -> Config {
    load(dir, None, env, Layer::default()).expect("config from the environment")
}

/// Why the configuration of `dir` refuses `key` set to `value` in the environment.
fn refusal(dir: &Path, key: &str, value: &str) -> String {
    match load(dir, None, &[(key, value)], Layer::default()) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{key}={value} is accepted"),
    }
}

fn load(
    dir: &Path,
    file: Option<PathBuf>,
    env: &[(&str, &str)],
    flags: Layer,
) -> Result<Config, ConfigError> {
    let vars: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let get = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Config::load(Sources {
        file,
        working_dir: dir.to_owned(),
        env: &get,
        flags,
    })
}

#[test]
fn defaults_apply_without_file_env_or_flags() {
    let dir = temp_dir("defaults");
    let c = from_env(&dir, &[]);
    assert_eq!(c.database, "sqlite://gridwatch.db");
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.key_file, dir.join("gridwatch.key"));
    assert_eq!(c.time_zone, "Asia/Shanghai");
    assert_eq!(c.max_upload_mb, 50);
    assert_eq!(c.max_upload_bytes(), 50 * 1024 * 1024);
    assert_eq!(c.log, "info");
    assert!(!c.secure_cookies);
    assert!(c.secret_key.is_none());
    assert!(c.file.is_none());
    assert!(c.settings().is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn file_then_env_then_flags() {
    let dir = temp_dir("layers");
    std::fs::write(
        dir.join("gridwatch.toml"),
        "database = \"sqlite://from-file.db\"\nlisten = \"0.0.0.0:9000\"\nmax_upload_mb = 10\n\
         time_zone = \"Europe/Berlin\"\nlog = \"debug\"\n",
    )
    .expect("write");
    let c = from_env(&dir, &[]);
    assert_eq!(c.database, "sqlite://from-file.db");
    assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(c.max_upload_mb, 10);
    assert_eq!(c.time_zone, "Europe/Berlin");
    assert_eq!(c.file, Some(dir.join("gridwatch.toml")));

    let env = [
        ("GRIDWATCH_SECURE_COOKIES", "true"),
        ("GRIDWATCH_LISTEN", "127.0.0.1:9001"),
        ("GRIDWATCH_MAX_UPLOAD_MB", "20"),
        ("GRIDWATCH_LOG", ""),
    ];
    let c = from_env(&dir, &env);
    assert_eq!(
        c.database, "sqlite://from-file.db",
        "env leaves the file's value"
    );
    assert_eq!(c.listen.to_string(), "127.0.0.1:9001");
    assert_eq!(c.max_upload_mb, 20);
    assert_eq!(c.log, "debug", "an empty variable counts as unset");
    assert!(c.secure_cookies);

    let flags = Layer {
        listen: Some("127.0.0.1:9002".to_owned()),
        database: Some("sqlite://data/flag.db".to_owned()),
        ..Layer::default()
    };
    let c = load(&dir, None, &env, flags).expect("flags");
    assert_eq!(c.listen.to_string(), "127.0.0.1:9002");
    assert_eq!(c.database, "sqlite://data/flag.db");
    assert_eq!(
        c.key_file,
        PathBuf::from("data/gridwatch.key"),
        "the key lives next to the database file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_values_name_their_source() {
    let dir = temp_dir("bad");
    let err = |env: &[(&str, &str)]| {
        load(&dir, None, env, Layer::default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(err(&[("GRIDWATCH_LISTEN", "localhost")]).contains("GRIDWATCH_LISTEN"));
    assert!(err(&[("GRIDWATCH_SECRET_KEY", "abc")]).contains("64 hexadecimal"));
    assert!(err(&[("GRIDWATCH_MAX_UPLOAD_MB", "lots")]).contains("GRIDWATCH_MAX_UPLOAD_MB"));
    assert!(err(&[("GRIDWATCH_MAX_UPLOAD_MB", "0")]).contains("between 1"));
    assert!(err(&[("GRIDWATCH_TIME_ZONE", "Mars/Olympus")]).contains("GRIDWATCH_TIME_ZONE"));
    assert!(err(&[("GRIDWATCH_DATABASE", "mysql://x")]).contains("sqlite://"));
    assert!(err(&[("GRIDWATCH_SECURE_COOKIES", "maybe")]).contains("true or false"));

    let bad_file = dir.join("bad.toml");
    std::fs::write(&bad_file, "listen_port = 80\n").expect("write");
    assert!(matches!(
        load(&dir, Some(bad_file), &[], Layer::default()),
        Err(ConfigError::ParseFile { .. })
    ));
    assert!(matches!(
        load(&dir, Some(dir.join("missing.toml")), &[], Layer::default()),
        Err(ConfigError::ReadFile { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn debug_redacts_secrets() {
    let dir = temp_dir("debug");
    let key = "0123456789abcdef".repeat(4);
    let env = [
        ("GRIDWATCH_SECRET_KEY", key.as_str()),
        ("GRIDWATCH_DATABASE", "postgres://gw:hunter2@db.local/gw"),
    ];
    let c = from_env(&dir, &env);
    let shown = format!("{c:?}");
    assert!(!shown.contains(&key), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("<redacted>"));
    assert_eq!(c.key_file, dir.join("gridwatch.key"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sqlite_paths_and_redaction() {
    assert_eq!(
        sqlite_path("sqlite://gridwatch.db"),
        Some(PathBuf::from("gridwatch.db"))
    );
    assert_eq!(
        sqlite_path("sqlite:///var/lib/g.db?mode=rwc"),
        Some(PathBuf::from("/var/lib/g.db"))
    );
    assert_eq!(sqlite_path("sqlite::memory:"), None);
    assert_eq!(sqlite_path("postgres://x/y"), None);
    assert_eq!(
        redact_url("postgres://u:p@h:5432/d"),
        "postgres://u:<redacted>@h:5432/d"
    );
    assert_eq!(redact_url("postgres://u@h/d"), "postgres://u@h/d");
    assert_eq!(redact_url("sqlite://a.db"), "sqlite://a.db");
}

#[test]
fn check_windows_come_from_the_environment_and_bad_ones_are_refused() {
    let dir = temp_dir("windows");
    let c = from_env(&dir, &[]);
    assert_eq!(
        c.settings().expect("settings").check_windows,
        domain::quarantine::Windows::default()
    );
    let c = from_env(
        &dir,
        &[("GRIDWATCH_CHECK_WINDOWS", "06:30-09:00,18:00-21:30")],
    );
    let w = c.settings().expect("settings").check_windows;
    assert_eq!(
        w,
        domain::quarantine::Windows::parse("06:30-09:00,18:00-21:30").expect("windows")
    );
    assert_ne!(w, domain::quarantine::Windows::default());
    let refused = load(
        &dir,
        None,
        &[("GRIDWATCH_CHECK_WINDOWS", "17:00-20:00,07:00-10:00")],
        Layer::default(),
    );
    let message = match refused {
        Err(e) => e.to_string(),
        Ok(c) => match c.settings() {
            Err(e) => e.to_string(),
            Ok(_) => panic!("evening before morning is accepted"),
        },
    };
    assert!(
        message.contains("GRIDWATCH_CHECK_WINDOWS"),
        "names the setting: {message}"
    );
    assert!(message.contains("morning window"), "says why: {message}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn import_limits_default_to_the_readers_and_are_configurable() {
    let dir = temp_dir("import-limits");
    let c = from_env(&dir, &[]);
    let defaults = app::import::ImportLimits::default();
    assert_eq!(c.import_limits(), defaults);
    let env = [
        ("GRIDWATCH_IMPORT_MAX_ROWS", "1000"),
        ("GRIDWATCH_IMPORT_MAX_COLUMNS", "20"),
        ("GRIDWATCH_IMPORT_MAX_CELL_KB", "4"),
        ("GRIDWATCH_IMPORT_MAX_UNPACKED_MB", "100"),
        ("GRIDWATCH_IMPORT_MAX_REJECTED_ROWS", "50"),
    ];
    let c = from_env(&dir, &env);
    let s = c.settings().expect("settings").imports;
    assert_eq!(s.sheet.max_rows, 1000);
    assert_eq!(s.sheet.max_columns, 20);
    assert_eq!(s.sheet.max_cell_bytes, 4096);
    assert_eq!(s.sheet.max_unpacked_bytes, 100 * 1024 * 1024);
    assert_eq!(s.max_rejected_rows, 50);
    let err = refusal(&dir, "GRIDWATCH_IMPORT_MAX_COLUMNS", "0");
    assert!(err.contains("GRIDWATCH_IMPORT_MAX_COLUMNS"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn risk_regions_come_from_the_environment_into_the_return_rule_and_bad_ones_are_refused() {
    let dir = temp_dir("risk");
    let c = from_env(&dir, &[]);
    assert!(
        c.settings()
            .expect("settings")
            .returns
            .verification
            .risk_regions
            .is_empty()
    );
    let c = from_env(&dir, &[("GRIDWATCH_RISK_REGIONS", "42, 4403 110105")]);
    assert_eq!(
        c.settings()
            .expect("settings")
            .returns
            .verification
            .risk_regions,
        vec!["42", "4403", "110105"]
    );
    let message = refusal(&dir, "GRIDWATCH_RISK_REGIONS", "42,Wuhan");
    assert!(
        message.contains("GRIDWATCH_RISK_REGIONS") && message.contains("Wuhan"),
        "names the setting and the value: {message}"
    );
}

#[test]
fn complaint_due_hours_come_from_the_environment_and_bad_ones_are_refused() {
    use domain::complaints::{Category, DueHours};
    let dir = temp_dir("complaints");
    let c = from_env(&dir, &[]);
    assert_eq!(
        c.settings().expect("settings").complaint_due_hours,
        DueHours::default()
    );
    let c = from_env(
        &dir,
        &[("GRIDWATCH_COMPLAINT_DUE_HOURS", "medical=2, conduct=24")],
    );
    let d = c.settings().expect("settings").complaint_due_hours;
    assert_eq!(d.hours(Category::Medical), 2);
    assert_eq!(d.hours(Category::Conduct), 24);
    assert_eq!(
        d.hours(Category::Supplies),
        12,
        "the others keep their defaults"
    );
    let message = refusal(&dir, "GRIDWATCH_COMPLAINT_DUE_HOURS", "noise=3");
    assert!(
        message.contains("GRIDWATCH_COMPLAINT_DUE_HOURS"),
        "{message}"
    );
}

#[test]
fn tracing_and_quiet_days_come_from_the_environment_within_their_bounds() {
    let dir = temp_dir("cases");
    let c = from_env(&dir, &[]);
    let rules = c.settings().expect("settings").cases;
    assert_eq!(
        (rules.trace_days, rules.gate_minutes, rules.quiet_days),
        (14, 5, 14)
    );
    let c = from_env(
        &dir,
        &[
            ("GRIDWATCH_TRACE_DAYS", "21"),
            ("GRIDWATCH_TRACE_GATE_MINUTES", "10"),
            ("GRIDWATCH_CASE_QUIET_DAYS", "28"),
        ],
    );
    let rules = c.settings().expect("settings").cases;
    assert_eq!(
        (rules.trace_days, rules.gate_minutes, rules.quiet_days),
        (21, 10, 28)
    );
    let message = refusal(&dir, "GRIDWATCH_TRACE_DAYS", "365");
    assert!(
        message.contains("GRIDWATCH_TRACE_DAYS") && message.contains("60"),
        "names the setting and its bound: {message}"
    );
}

#[test]
fn notifications_stay_in_the_app_unless_outbound_is_switched_on() {
    let dir = temp_dir("notify_outbound");
    let c = from_env(&dir, &[]);
    assert!(!c.settings().expect("settings").notify_outbound);
    let c = from_env(&dir, &[("GRIDWATCH_NOTIFY_OUTBOUND", "on")]);
    assert!(c.settings().expect("settings").notify_outbound);
    let message = refusal(&dir, "GRIDWATCH_NOTIFY_OUTBOUND", "sometimes");
    assert!(message.contains("GRIDWATCH_NOTIFY_OUTBOUND"), "{message}");
}
