//! The binary's configuration: built-in defaults, then an optional TOML file, then `GRIDWATCH_*`
//! environment variables, then command-line flags. One typed struct, passed down; secrets are
//! redacted in `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub const DEFAULT_DATABASE: &str = "sqlite://gridwatch.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "gridwatch.toml";
pub const DEFAULT_KEY_FILE: &str = "gridwatch.key";
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 50;
pub const DEFAULT_LOG: &str = "info";
/// Uploads above this are refused by configuration, whatever the file says.
const MAX_UPLOAD_MB_LIMIT: u64 = 4096;

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

fn invalid(source_name: &str, message: impl Into<String>) -> ConfigError {
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
    pub session_hours: i64,
    pub login_failures_per_user: i64,
    pub login_failures_per_client: i64,
    pub login_window_minutes: i64,
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
            .field("session_hours", &self.session_hours)
            .field("login_failures_per_user", &self.login_failures_per_user)
            .field("login_failures_per_client", &self.login_failures_per_client)
            .field("login_window_minutes", &self.login_window_minutes)
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
    pub session_hours: Option<i64>,
    pub login_failures_per_user: Option<i64>,
    pub login_failures_per_client: Option<i64>,
    pub login_window_minutes: Option<i64>,
}

/// Values of a layer with the name of where each came from, for error messages.
struct Sourced<'a> {
    layer: Layer,
    name: &'a dyn Fn(&str) -> String,
}

const ENV_PREFIX: &str = "GRIDWATCH_";

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
        Ok(Layer {
            database: get("DATABASE"),
            listen: get("LISTEN"),
            secret_key: get("SECRET_KEY"),
            key_file: get("KEY_FILE").map(PathBuf::from),
            time_zone: get("TIME_ZONE"),
            max_upload_mb,
            log: get("LOG"),
            session_hours: number("SESSION_HOURS")?,
            login_failures_per_user: number("LOGIN_FAILURES_PER_USER")?,
            login_failures_per_client: number("LOGIN_FAILURES_PER_CLIENT")?,
            login_window_minutes: number("LOGIN_WINDOW_MINUTES")?,
        })
    }

    fn from_file(path: &Path) -> Result<Layer, ConfigError> {
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
            ..app::Settings::default()
        };
        set_time_zone(&mut s, &self.time_zone)?;
        Ok(s)
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
fn set_time_zone(settings: &mut app::Settings, name: &str) -> Result<(), ConfigError> {
    let anchor = domain::resident::date_from_text("2020-01-01")
        .ok_or_else(|| invalid("time_zone", "internal: no anchor date"))?;
    let zoned = anchor
        .in_tz(name)
        .map_err(|e| invalid("time_zone", format!("unknown time zone {name:?}: {e}")))?;
    settings.time_zone = zoned.time_zone().clone();
    Ok(())
}

#[derive(Default)]
struct Resolver {
    database: Option<String>,
    listen: Option<SocketAddr>,
    secret_key: Option<SecretKey>,
    key_file: Option<PathBuf>,
    time_zone: Option<String>,
    max_upload_mb: Option<u64>,
    log: Option<String>,
    session_hours: Option<i64>,
    login_failures_per_user: Option<i64>,
    login_failures_per_client: Option<i64>,
    login_window_minutes: Option<i64>,
}

fn positive(name: &str, v: Option<i64>, max: i64) -> Result<Option<i64>, ConfigError> {
    match v {
        Some(n) if !(1..=max).contains(&n) => {
            Err(invalid(name, format!("must be between 1 and {max}")))
        }
        other => Ok(other),
    }
}

impl Resolver {
    fn apply(&mut self, s: &Sourced<'_>) -> Result<(), ConfigError> {
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
        Ok(())
    }

    fn finish(self, file: Option<PathBuf>, working_dir: &Path) -> Result<Config, ConfigError> {
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
            file,
        })
    }
}

#[cfg(test)]
mod tests;
