//! Fresh databases for the bench, so nothing that exists is touched: new SQLite files in a
//! temporary directory, or new PostgreSQL databases on the server named by `--database`,
//! dropped at the end.

use std::path::{Path, PathBuf};

use crate::config::redact_url;
use crate::error::CliError;

pub enum Targets {
    Sqlite {
        dir: PathBuf,
        /// The file named by `--database sqlite://FILE`: used for the CSV import and kept.
        keep: Option<PathBuf>,
    },
    Postgres {
        admin: store::Db,
        url: String,
        created: Vec<String>,
    },
}

impl Targets {
    /// `database` is the `--database` flag: none for temporary SQLite files.
    pub async fn new(database: Option<&str>) -> Result<Targets, CliError> {
        let dir = std::env::temp_dir().join(format!("gridwatch-bench-{}", std::process::id()));
        match database {
            None => Ok(Targets::Sqlite { dir, keep: None }),
            Some(url) if url.starts_with("sqlite:") => {
                let path = sqlite_path(url);
                if path
                    .metadata()
                    .map(|m| m.len() > 0 || m.is_dir())
                    .unwrap_or(false)
                {
                    return Err(CliError::message(format!(
                        "{} exists: the bench needs a fresh database, name a new file",
                        path.display()
                    )));
                }
                Ok(Targets::Sqlite {
                    dir,
                    keep: Some(path),
                })
            }
            Some(url) if url.starts_with("postgres:") || url.starts_with("postgresql:") => {
                let admin = store::Db::connect(url).await?;
                Ok(Targets::Postgres {
                    admin,
                    url: url.to_owned(),
                    created: Vec::new(),
                })
            }
            Some(url) => Err(CliError::message(format!(
                "unsupported database URL {}: use sqlite://FILE or postgres://...",
                redact_url(url)
            ))),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Targets::Sqlite { .. } => "SQLite",
            Targets::Postgres { .. } => "PostgreSQL",
        }
    }

    /// Where the databases are, for the report (password redacted).
    pub fn location(&self) -> String {
        match self {
            Targets::Sqlite { dir, keep } => match keep {
                Some(k) => format!("{} (and {})", k.display(), dir.display()),
                None => dir.display().to_string(),
            },
            Targets::Postgres { url, .. } => redact_url(url),
        }
    }

    /// The URL of a new, empty database for `label` (lowercase letters).
    pub async fn fresh(&mut self, label: &str) -> Result<String, CliError> {
        match self {
            Targets::Sqlite { dir, keep } => {
                let path = match keep {
                    Some(k) if label == "csv" => k.clone(),
                    _ => {
                        std::fs::create_dir_all(&*dir)
                            .map_err(CliError::file("cannot create", dir))?;
                        let p = dir.join(format!("{label}.db"));
                        remove_sqlite(&p);
                        p
                    }
                };
                Ok(format!("sqlite://{}", path.display()))
            }
            Targets::Postgres {
                admin,
                url,
                created,
            } => {
                let name = format!("gw_bench_{}_{label}", std::process::id());
                admin.create_database(&name).await?;
                created.push(name.clone());
                Ok(with_database(url, &name))
            }
        }
    }

    /// Removes the database of `label` now (its pool must be closed), to free disk and memory.
    pub async fn release(&mut self, label: &str) {
        match self {
            Targets::Sqlite { dir, keep } => {
                if !(keep.is_some() && label == "csv") {
                    remove_sqlite(&dir.join(format!("{label}.db")));
                }
            }
            Targets::Postgres { admin, created, .. } => {
                let name = format!("gw_bench_{}_{label}", std::process::id());
                if let Err(e) = admin.drop_database(&name).await {
                    eprintln!("bench: cannot drop database {name}: {e}");
                }
                created.retain(|c| *c != name);
            }
        }
    }

    /// Removes every database the bench created, except a file named by `--database`.
    pub async fn cleanup(self) {
        match self {
            Targets::Sqlite { dir, .. } => {
                if dir.exists()
                    && let Err(e) = std::fs::remove_dir_all(&dir)
                {
                    eprintln!("bench: cannot remove {}: {e}", dir.display());
                }
            }
            Targets::Postgres { admin, created, .. } => {
                for name in created {
                    if let Err(e) = admin.drop_database(&name).await {
                        eprintln!("bench: cannot drop database {name}: {e}");
                    }
                }
                admin.close().await;
            }
        }
    }
}

fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// The file of `sqlite://FILE?options` or `sqlite:FILE`.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

/// The same server URL naming another database: `postgres://u@h:5432/x?o` → `.../name?o`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_database_on_the_same_server() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "gw_x"),
            "postgres://postgres@127.0.0.1:5432/gw_x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "gw_x"),
            "postgres://u:p@h/gw_x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "gw_x"),
            "postgres://h:5432/gw_x"
        );
    }

    #[test]
    fn sqlite_file_of_a_url() {
        assert_eq!(sqlite_path("sqlite://a/b.db"), PathBuf::from("a/b.db"));
        assert_eq!(
            sqlite_path("sqlite:///tmp/b.db?mode=rwc"),
            PathBuf::from("/tmp/b.db")
        );
        assert_eq!(sqlite_path("sqlite:b.db"), PathBuf::from("b.db"));
    }
}
