//! The binary's configuration: built-in defaults, then an optional TOML file, then `GRIDWATCH_*`
//! environment variables, then command-line flags. One typed struct, passed down; secrets are
//! redacted in `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

mod layers;

pub use layers::Layer;
use layers::{ENV_PREFIX, Resolver, Sourced};

pub const DEFAULT_DATABASE: &str = "sqlite://gridwatch.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "gridwatch.toml";
pub const DEFAULT_KEY_FILE: &str = "gridwatch.key";
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 50;
pub const DEFAULT_LOG: &str = "info";
/// Uploads above this are refused by configuration, whatever the file says.
pub(crate) const MAX_UPLOAD_MB_LIMIT: u64 = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    ParseFile { path: PathBuf, message: String },
    #[error("{source_name}: {message}")]
    Invalid {
        /// Where the bad value came from: a flag, a variable or a file key.
        source_name: String,
        message: String,
    },
    #[error("secret key file {path}: {message}")]
    Key { path: PathBuf, message: String },
}

pub(crate) fn invalid(source_name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        source_name: source_name.to_owned(),
        message: message.into(),
    }
}

/// The master key, 64 hex characters. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    fn parse(source_name: &str, raw: &str) -> Result<SecretKey, ConfigError> {
        let k = raw.trim();
        if k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(SecretKey(k.to_ascii_lowercase()))
        } else {
            Err(invalid(
                source_name,
                "the secret key must be 64 hexadecimal characters (32 bytes)",
            ))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://FILE` or `postgres://...`.
    pub database: String,
    pub listen: SocketAddr,
    /// The master key given directly (`GRIDWATCH_SECRET_KEY`); otherwise the key file is used.
    pub secret_key: Option<SecretKey>,
    /// Where the master key is kept when not given directly.
    pub key_file: PathBuf,
    /// IANA name of the community's time zone.
    pub time_zone: String,
    /// Largest accepted upload, in MiB (imports, attachments).
    pub max_upload_mb: u64,
    /// `tracing` filter directives, e.g. `info` or `info,gridwatch_store=debug`.
    pub log: String,
    /// Mark cookies Secure: set when users reach the server over HTTPS (a reverse proxy).
    pub secure_cookies: bool,
    /// Send alerts and suspected cases to their recipients' phones through the message sender
    /// too, not only to the notification centre.
    pub notify_outbound: bool,
    pub session_hours: i64,
    pub login_failures_per_user: i64,
    pub login_failures_per_client: i64,
    pub login_window_minutes: i64,
    /// Days an API token lives.
    pub api_token_days: i64,
    /// The header a trusted reverse proxy sets to the client's address (e.g. `X-Forwarded-For`);
    /// unset, the socket's peer address is the client. Set it only behind such a proxy.
    pub trusted_proxy_header: Option<String>,
    /// Default length of a quarantine order, in days (the plan's 14).
    pub quarantine_days: u16,
    /// The two daily check windows, local time: `07:00-10:00,17:00-20:00`.
    pub check_windows: String,
    /// GB/T 2260 codes of the risk regions a returnee's itinerary is checked against
    /// (`42,4403`); none by default.
    pub risk_regions: Vec<String>,
    /// Hours to answer a complaint by category: `medical=4,supplies=12,...`.
    pub complaint_due_hours: String,
    /// Days before symptom onset (or the test) in which a case's contacts are looked for.
    pub trace_days: i64,
    /// How close in minutes a passage at the same gate counts as a contact.
    pub trace_gate_minutes: i64,
    /// Days without a new case after which zones and seals end by rule.
    pub case_quiet_days: i64,
    /// Bounds of an uploaded register, checked before and while it is read.
    pub import_max_rows: i64,
    pub import_max_columns: i64,
    pub import_max_cell_kb: i64,
    /// All parts of a zipped workbook together, once unzipped.
    pub import_max_unpacked_mb: i64,
    /// Rejected rows after which an import stops.
    pub import_max_rejected_rows: i64,
    /// The configuration file that was read, if any.
    pub file: Option<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("database", &redact_url(&self.database))
            .field("listen", &self.listen)
            .field("secret_key", &self.secret_key)
            .field("key_file", &self.key_file)
            .field("time_zone", &self.time_zone)
            .field("max_upload_mb", &self.max_upload_mb)
            .field("log", &self.log)
            .field("secure_cookies", &self.secure_cookies)
            .field("notify_outbound", &self.notify_outbound)
            .field("session_hours", &self.session_hours)
            .field("login_failures_per_user", &self.login_failures_per_user)
            .field("login_failures_per_client", &self.login_failures_per_client)
            .field("login_window_minutes", &self.login_window_minutes)
            .field("api_token_days", &self.api_token_days)
            .field("trusted_proxy_header", &self.trusted_proxy_header)
            .field("quarantine_days", &self.quarantine_days)
            .field("check_windows", &self.check_windows)
            .field("risk_regions", &self.risk_regions)
            .field("complaint_due_hours", &self.complaint_due_hours)
            .field("trace_days", &self.trace_days)
            .field("trace_gate_minutes", &self.trace_gate_minutes)
            .field("case_quiet_days", &self.case_quiet_days)
            .field("import_max_rows", &self.import_max_rows)
            .field("import_max_columns", &self.import_max_columns)
            .field("import_max_cell_kb", &self.import_max_cell_kb)
            .field("import_max_unpacked_mb", &self.import_max_unpacked_mb)
            .field("import_max_rejected_rows", &self.import_max_rejected_rows)
            .field("file", &self.file)
            .finish()
    }
}

/// A database URL with any password replaced, for logs and `Debug`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:<redacted>@{host}{tail}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}

/// The file path of an SQLite URL (`sqlite://gridwatch.db`, `sqlite:///var/lib/g.db`), or
/// `None` for PostgreSQL and in-memory databases.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

/// Where the configuration comes from, besides the built-in defaults.
pub struct Sources<'a> {
    /// `--config FILE`; when absent, `gridwatch.toml` in `working_dir` is read if it exists.
    pub file: Option<PathBuf>,
    pub working_dir: PathBuf,
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Command-line flags, the highest layer.
    pub flags: Layer,
}

impl Config {
    /// Resolves the configuration from its layers and checks every value.
    pub fn load(sources: Sources<'_>) -> Result<Config, ConfigError> {
        let file = match sources.file {
            Some(f) => Some(f),
            None => {
                let default = sources.working_dir.join(DEFAULT_CONFIG_FILE);
                default.is_file().then_some(default)
            }
        };
        let file_layer = match &file {
            Some(path) => Layer::from_file(path)?,
            None => Layer::default(),
        };
        let file_name = file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let from_file = |key: &str| format!("{key} in {file_name}");
        let from_env = |key: &str| format!("{ENV_PREFIX}{}", key.to_ascii_uppercase());
        let from_flag = |key: &str| format!("--{}", key.replace('_', "-"));
        // Lowest first: each later layer overrides the ones before.
        let layers = [
            Sourced {
                layer: file_layer,
                name: &from_file,
            },
            Sourced {
                layer: Layer::from_env(sources.env)?,
                name: &from_env,
            },
            Sourced {
                layer: sources.flags,
                name: &from_flag,
            },
        ];
        let mut c = Resolver::default();
        for s in &layers {
            c.apply(s)?;
        }
        c.finish(file, &sources.working_dir)
    }

    /// The settings the use cases need.
    pub fn settings(&self) -> Result<app::Settings, ConfigError> {
        let mut s = app::Settings {
            session_hours: self.session_hours,
            login_failures_per_user: self.login_failures_per_user,
            login_failures_per_client: self.login_failures_per_client,
            login_window_minutes: self.login_window_minutes,
            api_token_days: self.api_token_days,
            quarantine_days: self.quarantine_days,
            check_windows: domain::quarantine::Windows::parse(&self.check_windows)
                .map_err(|e| invalid("check_windows", e.to_string()))?,
            complaint_due_hours: domain::complaints::DueHours::parse(&self.complaint_due_hours)
                .map_err(|e| invalid("complaint_due_hours", e.to_string()))?,
            imports: self.import_limits(),
            notify_outbound: self.notify_outbound,
            ..app::Settings::default()
        };
        s.returns.verification.risk_regions = self.risk_regions.clone();
        s.cases = app::cases::CaseRules {
            trace_days: self.trace_days,
            gate_minutes: self.trace_gate_minutes,
            quiet_days: self.case_quiet_days,
        };
        set_time_zone(&mut s, &self.time_zone)?;
        Ok(s)
    }

    /// The bounds of an import, from the configured ones (all checked positive).
    pub fn import_limits(&self) -> app::import::ImportLimits {
        let n = |v: i64| usize::try_from(v).unwrap_or(usize::MAX);
        app::import::ImportLimits {
            sheet: sheets::Limits {
                max_rows: n(self.import_max_rows),
                max_columns: n(self.import_max_columns),
                max_cell_bytes: n(self.import_max_cell_kb).saturating_mul(1024),
                max_unpacked_bytes: u64::try_from(self.import_max_unpacked_mb)
                    .unwrap_or(u64::MAX)
                    .saturating_mul(1024 * 1024),
                ..sheets::Limits::default()
            },
            max_rejected_rows: n(self.import_max_rejected_rows),
            ..app::import::ImportLimits::default()
        }
    }

    /// The upload limit in bytes, for the server's body limit.
    pub fn max_upload_bytes(&self) -> usize {
        usize::try_from(self.max_upload_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
    }
}

/// Sets the settings' time zone from an IANA name.
///
/// `jiff` is not a direct dependency of the binary, so the zone is looked up through a civil
/// date of the domain crate (`Date::in_tz`), which uses the same bundled time zone database.
pub(crate) fn set_time_zone(settings: &mut app::Settings, name: &str) -> Result<(), ConfigError> {
    let anchor = domain::resident::date_from_text("2020-01-01")
        .ok_or_else(|| invalid("time_zone", "internal: no anchor date"))?;
    let zoned = anchor
        .in_tz(name)
        .map_err(|e| invalid("time_zone", format!("unknown time zone {name:?}: {e}")))?;
    settings.time_zone = zoned.time_zone().clone();
    Ok(())
}

#[cfg(test)]
mod tests;
