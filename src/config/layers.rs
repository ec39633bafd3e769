//! The layers of the configuration (file, environment, flags) and how they are merged.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{
    Config, ConfigError, DEFAULT_DATABASE, DEFAULT_KEY_FILE, DEFAULT_LISTEN, DEFAULT_LOG,
    DEFAULT_MAX_UPLOAD_MB, DEFAULT_TIME_ZONE, MAX_UPLOAD_MB_LIMIT, SecretKey, invalid,
    set_time_zone, sqlite_path,
};

/// One source of settings; absent values leave the layer below in place.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub database: Option<String>,
    pub listen: Option<String>,
    pub secret_key: Option<String>,
    pub key_file: Option<PathBuf>,
    pub time_zone: Option<String>,
    pub max_upload_mb: Option<u64>,
    pub log: Option<String>,
    pub secure_cookies: Option<bool>,
    pub notify_outbound: Option<bool>,
    pub session_hours: Option<i64>,
    pub login_failures_per_user: Option<i64>,
    pub login_failures_per_client: Option<i64>,
    pub login_window_minutes: Option<i64>,
    pub api_token_days: Option<i64>,
    pub trusted_proxy_header: Option<String>,
    pub quarantine_days: Option<i64>,
    pub check_windows: Option<String>,
    pub risk_regions: Option<String>,
    pub complaint_due_hours: Option<String>,
    pub trace_days: Option<i64>,
    pub trace_gate_minutes: Option<i64>,
    pub case_quiet_days: Option<i64>,
    pub import_max_rows: Option<i64>,
    pub import_max_columns: Option<i64>,
    pub import_max_cell_kb: Option<i64>,
    pub import_max_unpacked_mb: Option<i64>,
    pub import_max_rejected_rows: Option<i64>,
}

/// Values of a layer with the name of where each came from, for error messages.
pub(super) struct Sourced<'a> {
    pub(super) layer: Layer,
    pub(super) name: &'a dyn Fn(&str) -> String,
}

pub(super) const ENV_PREFIX: &str = "GRIDWATCH_";

impl Layer {
    /// Reads the `GRIDWATCH_*` variables through `var` (the process environment in `main`).
    /// Empty values count as unset.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<Layer, ConfigError> {
        let get = |key: &str| {
            var(&format!("{ENV_PREFIX}{key}"))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let number = |key: &str| -> Result<Option<i64>, ConfigError> {
            get(key)
                .map(|v| {
                    v.parse::<i64>().map_err(|_| {
                        invalid(&format!("{ENV_PREFIX}{key}"), format!("not a number: {v}"))
                    })
                })
                .transpose()
        };
        let max_upload_mb = number("MAX_UPLOAD_MB")?
            .map(|v| {
                u64::try_from(v)
                    .map_err(|_| invalid("GRIDWATCH_MAX_UPLOAD_MB", "must not be negative"))
            })
            .transpose()?;
        let flag = |key: &str| -> Result<Option<bool>, ConfigError> {
            get(key)
                .map(|v| match v.to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => Ok(true),
                    "0" | "false" | "no" | "off" => Ok(false),
                    _ => Err(invalid(
                        &format!("{ENV_PREFIX}{key}"),
                        format!("use true or false, not {v:?}"),
                    )),
                })
                .transpose()
        };
        let secure_cookies = flag("SECURE_COOKIES")?;
        Ok(Layer {
            database: get("DATABASE"),
            listen: get("LISTEN"),
            secret_key: get("SECRET_KEY"),
            key_file: get("KEY_FILE").map(PathBuf::from),
            time_zone: get("TIME_ZONE"),
            max_upload_mb,
            log: get("LOG"),
            secure_cookies,
            notify_outbound: flag("NOTIFY_OUTBOUND")?,
            session_hours: number("SESSION_HOURS")?,
            login_failures_per_user: number("LOGIN_FAILURES_PER_USER")?,
            login_failures_per_client: number("LOGIN_FAILURES_PER_CLIENT")?,
            login_window_minutes: number("LOGIN_WINDOW_MINUTES")?,
            api_token_days: number("API_TOKEN_DAYS")?,
            trusted_proxy_header: get("TRUSTED_PROXY_HEADER"),
            quarantine_days: number("QUARANTINE_DAYS")?,
            check_windows: get("CHECK_WINDOWS"),
            risk_regions: get("RISK_REGIONS"),
            complaint_due_hours: get("COMPLAINT_DUE_HOURS"),
            trace_days: number("TRACE_DAYS")?,
            trace_gate_minutes: number("TRACE_GATE_MINUTES")?,
            case_quiet_days: number("CASE_QUIET_DAYS")?,
            import_max_rows: number("IMPORT_MAX_ROWS")?,
            import_max_columns: number("IMPORT_MAX_COLUMNS")?,
            import_max_cell_kb: number("IMPORT_MAX_CELL_KB")?,
            import_max_unpacked_mb: number("IMPORT_MAX_UNPACKED_MB")?,
            import_max_rejected_rows: number("IMPORT_MAX_REJECTED_ROWS")?,
        })
    }

    pub(super) fn from_file(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::ParseFile {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }
}

#[derive(Default)]
pub(super) struct Resolver {
    database: Option<String>,
    listen: Option<SocketAddr>,
    secret_key: Option<SecretKey>,
    key_file: Option<PathBuf>,
    time_zone: Option<String>,
    max_upload_mb: Option<u64>,
    log: Option<String>,
    secure_cookies: Option<bool>,
    notify_outbound: Option<bool>,
    session_hours: Option<i64>,
    login_failures_per_user: Option<i64>,
    login_failures_per_client: Option<i64>,
    login_window_minutes: Option<i64>,
    api_token_days: Option<i64>,
    trusted_proxy_header: Option<String>,
    quarantine_days: Option<i64>,
    check_windows: Option<String>,
    risk_regions: Option<String>,
    complaint_due_hours: Option<String>,
    trace_days: Option<i64>,
    trace_gate_minutes: Option<i64>,
    case_quiet_days: Option<i64>,
    import_max_rows: Option<i64>,
    import_max_columns: Option<i64>,
    import_max_cell_kb: Option<i64>,
    import_max_unpacked_mb: Option<i64>,
    import_max_rejected_rows: Option<i64>,
}

fn limit(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn positive(name: &str, v: Option<i64>, max: i64) -> Result<Option<i64>, ConfigError> {
    match v {
        Some(n) if !(1..=max).contains(&n) => {
            Err(invalid(name, format!("must be between 1 and {max}")))
        }
        other => Ok(other),
    }
}

/// A header name: letters, digits and `-` only.
fn axum_header_name_ok(h: &str) -> bool {
    let h = h.trim();
    !h.is_empty() && h.len() <= 64 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Resolver {
    pub(super) fn apply(&mut self, s: &Sourced<'_>) -> Result<(), ConfigError> {
        let l = &s.layer;
        let name = s.name;
        if let Some(d) = &l.database {
            if !(d.starts_with("sqlite:")
                || d.starts_with("postgres:")
                || d.starts_with("postgresql:"))
            {
                return Err(invalid(
                    &name("database"),
                    "use sqlite://FILE or postgres://USER@HOST/DB",
                ));
            }
            self.database = Some(d.clone());
        }
        if let Some(a) = &l.listen {
            let addr = a.trim().parse::<SocketAddr>().map_err(|_| {
                invalid(
                    &name("listen"),
                    format!("{a:?} is not an address and port such as 127.0.0.1:8080"),
                )
            })?;
            self.listen = Some(addr);
        }
        if let Some(k) = &l.secret_key {
            self.secret_key = Some(SecretKey::parse(&name("secret_key"), k)?);
        }
        if let Some(f) = &l.key_file {
            self.key_file = Some(f.clone());
        }
        if let Some(tz) = &l.time_zone {
            set_time_zone(&mut app::Settings::default(), tz).map_err(|e| match e {
                ConfigError::Invalid { message, .. } => invalid(&name("time_zone"), message),
                other => other,
            })?;
            self.time_zone = Some(tz.clone());
        }
        if let Some(mb) = l.max_upload_mb {
            if !(1..=MAX_UPLOAD_MB_LIMIT).contains(&mb) {
                return Err(invalid(
                    &name("max_upload_mb"),
                    format!("must be between 1 and {MAX_UPLOAD_MB_LIMIT}"),
                ));
            }
            self.max_upload_mb = Some(mb);
        }
        if let Some(log) = &l.log {
            self.log = Some(log.clone());
        }
        if let Some(secure) = l.secure_cookies {
            self.secure_cookies = Some(secure);
        }
        if let Some(outbound) = l.notify_outbound {
            self.notify_outbound = Some(outbound);
        }
        let or = |new: Option<i64>, old: Option<i64>| new.or(old);
        self.session_hours = or(
            positive(&name("session_hours"), l.session_hours, 24 * 90)?,
            self.session_hours,
        );
        self.login_failures_per_user = or(
            positive(
                &name("login_failures_per_user"),
                l.login_failures_per_user,
                10_000,
            )?,
            self.login_failures_per_user,
        );
        self.login_failures_per_client = or(
            positive(
                &name("login_failures_per_client"),
                l.login_failures_per_client,
                100_000,
            )?,
            self.login_failures_per_client,
        );
        self.login_window_minutes = or(
            positive(
                &name("login_window_minutes"),
                l.login_window_minutes,
                24 * 60,
            )?,
            self.login_window_minutes,
        );
        self.api_token_days = or(
            positive(&name("api_token_days"), l.api_token_days, 3650)?,
            self.api_token_days,
        );
        if let Some(h) = &l.trusted_proxy_header {
            if axum_header_name_ok(h) {
                self.trusted_proxy_header = Some(h.trim().to_ascii_lowercase());
            } else {
                return Err(invalid(
                    &name("trusted_proxy_header"),
                    format!("{h:?} is not a header name such as X-Forwarded-For"),
                ));
            }
        }
        self.quarantine_days = or(
            positive(&name("quarantine_days"), l.quarantine_days, 365)?,
            self.quarantine_days,
        );
        // Tracing looks back at most two months; a zone is quiet after at most three.
        for (key, new, old, max) in [
            ("trace_days", l.trace_days, &mut self.trace_days, 60),
            (
                "trace_gate_minutes",
                l.trace_gate_minutes,
                &mut self.trace_gate_minutes,
                120,
            ),
            (
                "case_quiet_days",
                l.case_quiet_days,
                &mut self.case_quiet_days,
                90,
            ),
        ] {
            *old = or(positive(&name(key), new, max)?, *old);
        }
        // Upper bounds: what a worksheet can hold at all (rows, columns, Excel's 32,767
        // characters a cell), and sizes a server could still unzip.
        for (key, new, old, max) in [
            (
                "import_max_rows",
                l.import_max_rows,
                &mut self.import_max_rows,
                100_000_000,
            ),
            (
                "import_max_columns",
                l.import_max_columns,
                &mut self.import_max_columns,
                16_384,
            ),
            (
                "import_max_cell_kb",
                l.import_max_cell_kb,
                &mut self.import_max_cell_kb,
                128,
            ),
            (
                "import_max_unpacked_mb",
                l.import_max_unpacked_mb,
                &mut self.import_max_unpacked_mb,
                64 * 1024,
            ),
            (
                "import_max_rejected_rows",
                l.import_max_rejected_rows,
                &mut self.import_max_rejected_rows,
                100_000_000,
            ),
        ] {
            if let Some(v) = positive(&name(key), new, max)? {
                *old = Some(v);
            }
        }
        if let Some(w) = &l.check_windows {
            let parsed = domain::quarantine::Windows::parse(w)
                .map_err(|e| invalid(&name("check_windows"), format!("{w:?}: {e}")))?;
            self.check_windows = Some(parsed.to_string());
        }
        if let Some(r) = &l.risk_regions {
            let codes = parse_regions(r).map_err(|bad| {
                invalid(
                    &name("risk_regions"),
                    format!("{bad:?} is not a GB/T 2260 code"),
                )
            })?;
            self.risk_regions = Some(codes.join(","));
        }
        if let Some(d) = &l.complaint_due_hours {
            let parsed = domain::complaints::DueHours::parse(d)
                .map_err(|e| invalid(&name("complaint_due_hours"), format!("{d:?}: {e}")))?;
            self.complaint_due_hours = Some(parsed.to_string());
        }
        Ok(())
    }

    pub(super) fn finish(
        self,
        file: Option<PathBuf>,
        working_dir: &Path,
    ) -> Result<Config, ConfigError> {
        let defaults = app::Settings::default();
        let database = self.database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let listen = match self.listen {
            Some(a) => a,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|_| invalid("listen", "internal: bad default"))?,
        };
        let key_file = self.key_file.unwrap_or_else(|| {
            let dir = sqlite_path(&database)
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .filter(|p| !p.as_os_str().is_empty());
            match dir {
                Some(dir) => dir.join(DEFAULT_KEY_FILE),
                None => working_dir.join(DEFAULT_KEY_FILE),
            }
        });
        Ok(Config {
            database,
            listen,
            secret_key: self.secret_key,
            key_file,
            time_zone: self
                .time_zone
                .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
            max_upload_mb: self.max_upload_mb.unwrap_or(DEFAULT_MAX_UPLOAD_MB),
            log: self.log.unwrap_or_else(|| DEFAULT_LOG.to_owned()),
            secure_cookies: self.secure_cookies.unwrap_or(false),
            notify_outbound: self.notify_outbound.unwrap_or(false),
            session_hours: self.session_hours.unwrap_or(defaults.session_hours),
            login_failures_per_user: self
                .login_failures_per_user
                .unwrap_or(defaults.login_failures_per_user),
            login_failures_per_client: self
                .login_failures_per_client
                .unwrap_or(defaults.login_failures_per_client),
            login_window_minutes: self
                .login_window_minutes
                .unwrap_or(defaults.login_window_minutes),
            api_token_days: self.api_token_days.unwrap_or(defaults.api_token_days),
            trusted_proxy_header: self.trusted_proxy_header,
            quarantine_days: self
                .quarantine_days
                .and_then(|d| u16::try_from(d).ok())
                .unwrap_or(defaults.quarantine_days),
            check_windows: self
                .check_windows
                .unwrap_or_else(|| defaults.check_windows.to_string()),
            risk_regions: self
                .risk_regions
                .map(|r| r.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            complaint_due_hours: self
                .complaint_due_hours
                .unwrap_or_else(|| defaults.complaint_due_hours.to_string()),
            trace_days: self.trace_days.unwrap_or(defaults.cases.trace_days),
            trace_gate_minutes: self
                .trace_gate_minutes
                .unwrap_or(defaults.cases.gate_minutes),
            case_quiet_days: self.case_quiet_days.unwrap_or(defaults.cases.quiet_days),
            import_max_rows: self
                .import_max_rows
                .unwrap_or(limit(defaults.imports.sheet.max_rows)),
            import_max_columns: self
                .import_max_columns
                .unwrap_or(limit(defaults.imports.sheet.max_columns)),
            import_max_cell_kb: self
                .import_max_cell_kb
                .unwrap_or(limit(defaults.imports.sheet.max_cell_bytes / 1024)),
            import_max_unpacked_mb: self.import_max_unpacked_mb.unwrap_or(
                i64::try_from(defaults.imports.sheet.max_unpacked_bytes / (1024 * 1024))
                    .unwrap_or(i64::MAX),
            ),
            import_max_rejected_rows: self
                .import_max_rejected_rows
                .unwrap_or(limit(defaults.imports.max_rejected_rows)),
            file,
        })
    }
}

/// Risk regions as configured: GB/T 2260 codes of 2, 4 or 6 digits (a province, a city, a
/// county), separated by commas or spaces; the first that is not one is returned as the error.
pub(super) fn parse_regions(text: &str) -> Result<Vec<String>, String> {
    text.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            if [2, 4, 6].contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()) {
                Ok(c.to_owned())
            } else {
                Err(c.to_owned())
            }
        })
        .collect()
}
