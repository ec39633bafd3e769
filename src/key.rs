//! The master key that seals ID numbers: given directly (`GRIDWATCH_SECRET_KEY`), read from the
//! key file, or created in the key file on first start.

use std::io::Write;
use std::path::Path;

use app::crypto::Crypto;

use crate::config::{Config, ConfigError, sqlite_path};

/// Where the key came from, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    Given,
    File,
    Created,
}

fn key_error(path: &Path, message: impl Into<String>) -> ConfigError {
    ConfigError::Key {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn parse(path: &Path, text: &str) -> Result<Crypto, ConfigError> {
    let t = text.trim();
    if t.len() != 64 || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(key_error(
            path,
            "does not hold a key of 64 hexadecimal characters",
        ));
    }
    Crypto::from_hex(t).map_err(|e| key_error(path, e.to_string()))
}

/// Resolves the key, creating the key file (mode 0600) when there is none.
pub fn load_or_create(config: &Config) -> Result<(Crypto, KeyOrigin), ConfigError> {
    if let Some(k) = &config.secret_key {
        let c = Crypto::from_hex(k.expose()).map_err(|e| ConfigError::Invalid {
            source_name: "secret_key".to_owned(),
            message: e.to_string(),
        })?;
        return Ok((c, KeyOrigin::Given));
    }
    let path = config.key_file.as_path();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            warn_if_readable_by_others(path);
            return Ok((parse(path, &text)?, KeyOrigin::File));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(key_error(path, format!("cannot be read: {e}"))),
    }
    let database_existed = sqlite_path(&config.database).is_some_and(|p| p.exists());
    let hex = Crypto::generate_hex();
    write_new(path, &hex)?;
    tracing::info!(key_file = %path.display(), "created a new secret key");
    tracing::warn!(
        key_file = %path.display(),
        "back this file up and keep it secret: without it the ID numbers stored in the database \
         cannot be read, and anyone holding it with the database can read them"
    );
    if database_existed {
        tracing::warn!(
            database = %crate::config::redact_url(&config.database),
            "the database already existed without this key file: ID numbers sealed under an \
             earlier key cannot be opened with the new one; restore the old key file if you have it"
        );
    }
    Ok((parse(path, &hex)?, KeyOrigin::Created))
}

fn write_new(path: &Path, hex: &str) -> Result<(), ConfigError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| key_error(path, format!("cannot create its directory: {e}")))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .map_err(|e| key_error(path, format!("cannot be created: {e}")))?;
    f.write_all(format!("{hex}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| key_error(path, format!("cannot be written: {e}")))
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            key_file = %path.display(),
            "the key file is readable by other users; restrict it with chmod 600"
        );
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_path: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Layer, Sources};

    fn config_in(dir: &Path, env: &[(&str, &str)]) -> Config {
        let vars: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let get = move |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let db = format!("sqlite://{}", dir.join("g.db").display());
        Config::load(Sources {
            file: None,
            working_dir: dir.to_owned(),
            env: &get,
            flags: Layer {
                database: Some(db),
                ..Layer::default()
            },
        })
        .expect("config")
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("gridwatch-key-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn a_key_file_is_created_once_with_mode_600_then_reused() {
        let dir = temp_dir("create");
        let config = config_in(&dir, &[]);
        assert_eq!(config.key_file, dir.join("gridwatch.key"));
        let (a, origin) = load_or_create(&config).expect("create");
        assert_eq!(origin, KeyOrigin::Created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&config.key_file)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (b, origin) = load_or_create(&config).expect("reuse");
        assert_eq!(origin, KeyOrigin::File);
        assert_eq!(a.index("x", "y"), b.index("x", "y"), "same key reused");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_given_key_wins_and_a_bad_file_is_refused() {
        let dir = temp_dir("given");
        let key = "ab".repeat(32);
        let config = config_in(&dir, &[("GRIDWATCH_SECRET_KEY", &key)]);
        let (_, origin) = load_or_create(&config).expect("given");
        assert_eq!(origin, KeyOrigin::Given);
        assert!(!config.key_file.exists(), "no file written for a given key");
        std::fs::write(dir.join("gridwatch.key"), "not a key").expect("write");
        let config = config_in(&dir, &[]);
        assert!(matches!(
            load_or_create(&config),
            Err(ConfigError::Key { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
