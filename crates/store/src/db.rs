use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Transaction};

use crate::audit::{self, AuditEntry};
use crate::{Result, StoreError};

/// One connection of either backend; every store function runs on one.
pub type Conn = AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database: a pool of the backend named by the URL.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

impl Db {
    /// Connects to `sqlite://FILE` (created if missing) or `postgres://...`.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Unavailable(format!(
                "unsupported database URL scheme (use sqlite:// or postgres://): {}",
                url.split(':').next().unwrap_or_default()
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options: AnyConnectOptions = url.parse()?;
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers work beside the one writer; the busy timeout makes a
                        // second writer wait instead of failing.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write: a transaction that holds the audit chain's head from its first statement,
    /// so SQLite takes its write lock up front and concurrent PostgreSQL writers queue on one
    /// row instead of forking the chain.
    pub async fn write(&self) -> Result<WriteTx> {
        let mut tx = self.pool.begin().await?;
        let head = audit::lock_head(&mut tx).await?;
        Ok(WriteTx {
            tx,
            head,
            appended: false,
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Brings the schema up to date; safe to run on every start.
    pub async fn migrate(&self) -> Result<Vec<String>> {
        crate::db::migrations::run(self).await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Creates an empty PostgreSQL database on this server (for tools that need a fresh one,
    /// such as `gridwatch bench`). `name` must be lowercase ASCII letters, digits and `_`.
    pub async fn create_database(&self, name: &str) -> Result<()> {
        let name = database_name(self.backend, name)?;
        self.pool
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .await?;
        Ok(())
    }

    /// Drops a PostgreSQL database of this server, closing its connections; no error when it
    /// does not exist.
    pub async fn drop_database(&self, name: &str) -> Result<()> {
        let name = database_name(self.backend, name)?;
        self.pool
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .await?;
        Ok(())
    }
}

/// A database name safe to splice into `CREATE/DROP DATABASE` (PostgreSQL only).
fn database_name(backend: Backend, name: &str) -> Result<&str> {
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    match backend {
        Backend::Postgres if valid => Ok(name),
        Backend::Postgres => Err(StoreError::Unavailable(format!(
            "invalid database name {name:?}"
        ))),
        Backend::Sqlite => Err(StoreError::Unavailable(
            "SQLite has no databases to create: use a new file".to_owned(),
        )),
    }
}

/// A write transaction that appends its audit entries to the chain before it commits.
pub struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    head: audit::Head,
    appended: bool,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }

    /// Appends one entry to the audit chain inside this transaction.
    pub async fn audit(&mut self, entry: AuditEntry) -> Result<i64> {
        self.appended = true;
        audit::append(&mut self.tx, &mut self.head, entry).await
    }

    pub async fn commit(mut self) -> Result<()> {
        if self.appended {
            audit::store_head(&mut self.tx, &self.head).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

pub(crate) mod migrations {
    use super::*;
    use sqlx::Row;

    struct Migration {
        version: i64,
        name: &'static str,
        sql: &'static str,
    }

    const MIGRATIONS: &[Migration] = &[
        Migration {
            version: 1,
            name: "foundation",
            sql: include_str!("../migrations/0001_foundation.sql"),
        },
        Migration {
            version: 2,
            name: "registry_counts",
            sql: include_str!("../migrations/0002_registry_counts.sql"),
        },
        Migration {
            version: 3,
            name: "quarantine",
            sql: include_str!("../migrations/0003_quarantine.sql"),
        },
        Migration {
            version: 4,
            name: "checks",
            sql: include_str!("../migrations/0004_checks.sql"),
        },
        Migration {
            version: 5,
            name: "screening",
            sql: include_str!("../migrations/0005_screening.sql"),
        },
        Migration {
            version: 6,
            name: "tasks",
            sql: include_str!("../migrations/0006_tasks.sql"),
        },
    ];

    /// Renders the few column types the two dialects spell differently.
    fn render(sql: &str, backend: Backend) -> String {
        match backend {
            Backend::Sqlite => sql
                .replace("%ID%", "INTEGER PRIMARY KEY")
                .replace("%BLOB%", "BLOB"),
            Backend::Postgres => sql
                .replace(
                    "%ID%",
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                )
                .replace("%BLOB%", "BYTEA"),
        }
    }

    pub(crate) async fn run(db: &Db) -> Result<Vec<String>> {
        let mut conn = db.pool().acquire().await?;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let done: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>(0))
            .collect::<Result<_, _>>()?;
        let mut applied = Vec::new();
        for m in MIGRATIONS.iter().filter(|m| !done.contains(&m.version)) {
            let mut tx = conn.begin().await?;
            for stmt in render(m.sql, db.backend())
                .split(";\n")
                .map(str::trim)
                .filter(|s| {
                    s.lines()
                        .any(|l| !l.trim().is_empty() && !l.trim().starts_with("--"))
                })
            {
                tx.execute(sqlx::AssertSqlSafe(stmt.to_owned())).await?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            applied.push(format!("{:04}_{}", m.version, m.name));
        }
        Ok(applied)
    }
}
