use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::{Result, StoreError};

/// One connection of either backend; every store function runs on one.
pub type Conn = AnyConnection;

/// A connection taken from the pool, returned to it when dropped.
pub type PooledConn = sqlx::pool::PoolConnection<sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite page cache of each reading connection, in KiB. Reads touch a few pages per list page
/// or search; the operating system's file cache holds the rest, so a small cache per pooled
/// connection keeps the server's memory bounded (8 readers: 64 MiB at most). At 16 MiB each,
/// the county's read phase peaked at 303 MB (goal < 300) with every list and search far
/// inside its goal.
const SQLITE_READ_CACHE_KIB: i64 = 8 * 1024;
/// SQLite page cache of the one writing connection, in KiB. An import's batch dirties pages all
/// over the residents' keyed indexes (document, name, phone); a cache that holds those indexes
/// for a county's register makes each batch rewrite them in memory instead of reading them
/// again from the file.
const SQLITE_WRITE_CACHE_KIB: i64 = 256 * 1024;
/// WAL pages after which a commit copies the log back into the database file itself. The
/// checkpointer below normally does it first, on its own connection; this is the backstop
/// when it falls behind. SQLite's default (1,000 pages, 4 MiB) is smaller than one import
/// batch, so every batch would be copied back by the commit that wrote it.
const SQLITE_WAL_AUTOCHECKPOINT_PAGES: i64 = 16_384;
/// How often the checkpointer copies the WAL back into the database file. A commit that
/// crosses the auto-checkpoint threshold copies the whole log (up to 64 MiB) and syncs the
/// file before it returns, and every write queued behind the one writer waits for it. Copied
/// by another connection on its own thread, the log costs the writer no more than the second
/// core's share (a passive checkpoint never blocks a writer or a reader).
const SQLITE_CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The database: a pool of the backend named by the URL.
///
/// On SQLite, writes go through a pool of one connection of their own (SQLite has one writer
/// at a time anyway): writers queue for it instead of retrying on a busy database, and it alone
/// keeps the large page cache bulk writes need, while reading connections keep small ones.
/// On PostgreSQL both are the same pool; the cache lives in the database server.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
    /// SQLite's WAL copied back by a task of its own while any clone of this `Db` lives.
    checkpointer: Option<Arc<Checkpointer>>,
    /// Whether a load has the residents' secondary indexes set aside: one at a time.
    indexes_aside: Arc<AtomicBool>,
}

/// The task that copies SQLite's WAL back into the database file; stopped when dropped.
#[derive(Debug)]
struct Checkpointer {
    task: tokio::task::AbortHandle,
    /// Bulk loads under way, during which the writer copies the log back itself.
    held: Arc<AtomicUsize>,
}

impl Checkpointer {
    fn start(pool: AnyPool) -> Arc<Checkpointer> {
        let held = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let held = held.clone();
            async move {
                let mut every = tokio::time::interval(SQLITE_CHECKPOINT_EVERY);
                every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                while !pool.is_closed() {
                    every.tick().await;
                    if held.load(Ordering::Relaxed) > 0 {
                        continue;
                    }
                    if let Err(e) = checkpoint(&pool).await {
                        if pool.is_closed() {
                            return;
                        }
                        tracing::warn!(error = %e, "copying the WAL back failed; the writer will");
                    }
                }
            }
        });
        Arc::new(Checkpointer {
            task: task.abort_handle(),
            held,
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// While it lives, SQLite's WAL is copied back by the writer's own commits only (see
/// [`Db::bulk_load`]).
#[derive(Debug)]
pub struct BulkLoad(Option<Arc<AtomicUsize>>);

impl Drop for BulkLoad {
    fn drop(&mut self) {
        if let Some(held) = &self.0 {
            held.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// Copies what the WAL holds beyond the last checkpoint back into the database file, without
/// waiting for readers or the writer: (frames in the log, frames copied back).
async fn checkpoint(pool: &AnyPool) -> Result<(i64, i64)> {
    let mut conn = pool.acquire().await?;
    let (_busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *conn)
        .await?;
    Ok((log, copied))
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Moves the row `id` of `table` to the state `code` and stamps the change: how orders and
/// campaigns change state once their rule has allowed it.
pub(crate) async fn set_state(
    conn: &mut Conn,
    table: &'static str,
    id: i64,
    code: &str,
) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET state = $1, updated_at = $2 WHERE id = $3"
    )))
    .bind(code)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The pragmas of every SQLite connection, with its page cache.
fn sqlite_pragmas(cache_kib: i64, writer: bool) -> String {
    // WAL lets readers work beside the one writer; `synchronous = NORMAL` in WAL mode cannot
    // corrupt the database, a power cut may only lose the last commits (docs/decisions/0004); the
    // busy timeout makes a writer outside the writing pool wait instead of failing.
    let mut p = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -{cache_kib}; PRAGMA temp_store = MEMORY;"
    );
    if writer {
        // Helper threads for the sorts of an index build (after a large import), which use
        // the second core while nothing else does.
        p.push_str(&format!(
            " PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT_PAGES}; PRAGMA threads = 2;"
        ));
    }
    p
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
        match backend {
            Backend::Postgres => {
                let pool = pool(&options, backend, 16, None).await?;
                Ok(Db {
                    writer: pool.clone(),
                    pool,
                    backend,
                    checkpointer: None,
                    indexes_aside: Arc::default(),
                })
            }
            // An in-memory database exists once per connection: one pool must serve both.
            Backend::Sqlite if url.contains(":memory:") || url.contains("mode=memory") => {
                let pool = pool(
                    &options,
                    backend,
                    1,
                    Some(sqlite_pragmas(SQLITE_WRITE_CACHE_KIB, true)),
                )
                .await?;
                Ok(Db {
                    writer: pool.clone(),
                    pool,
                    backend,
                    checkpointer: None,
                    indexes_aside: Arc::default(),
                })
            }
            Backend::Sqlite => {
                let writer = pool(
                    &options,
                    backend,
                    1,
                    Some(sqlite_pragmas(SQLITE_WRITE_CACHE_KIB, true)),
                )
                .await?;
                let pool = pool(
                    &options,
                    backend,
                    8,
                    Some(sqlite_pragmas(SQLITE_READ_CACHE_KIB, false)),
                )
                .await?;
                Ok(Db {
                    checkpointer: Some(Checkpointer::start(pool.clone())),
                    pool,
                    writer,
                    backend,
                    indexes_aside: Arc::default(),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Marks a bulk load (an import, the bench's raw baseline) until the guard is dropped.
    /// Batch after batch rewrites the same pages of the table and its indexes: copied back by
    /// the checkpointer every quarter second (as first tried), they were copied several times
    /// over and a county import cost a third more CPU, where the writer's threshold copies
    /// each page about once.
    pub fn bulk_load(&self) -> BulkLoad {
        BulkLoad(self.checkpointer.as_ref().map(|c| {
            c.held.fetch_add(1, Ordering::Relaxed);
            c.held.clone()
        }))
    }

    /// Claims the setting aside of the residents' indexes for one load; false while another
    /// load of this database has them aside (it then keeps them up to date as it goes).
    pub fn claim_indexes_aside(&self) -> bool {
        !self.indexes_aside.swap(true, Ordering::SeqCst)
    }

    /// Ends the claim of [`Db::claim_indexes_aside`], once the indexes are built again.
    pub fn release_indexes_aside(&self) {
        self.indexes_aside.store(false, Ordering::SeqCst);
    }

    pub async fn conn(&self) -> Result<PooledConn> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write: a transaction that holds the audit chain's head from its first statement,
    /// so SQLite takes its write lock up front and concurrent PostgreSQL writers queue on one
    /// row instead of forking the chain.
    pub async fn write(&self) -> Result<WriteTx> {
        Ok(WriteTx(WriteOn::begin(self.writer.begin().await?).await?))
    }

    /// A connection of the writing pool, held by a writer that runs one write after another
    /// (the gates' scans): it begins each on [`Db::write_on`] without going back to the pool
    /// between them. On SQLite every other write waits while it is held.
    pub async fn writer_conn(&self) -> Result<PooledConn> {
        Ok(self.writer.acquire().await?)
    }

    /// Starts a write, as [`Db::write`], on a connection of the writing pool held by the caller.
    pub async fn write_on<'c>(&self, conn: &'c mut PooledConn) -> Result<WriteOn<'c>> {
        WriteOn::begin(sqlx::Connection::begin(&mut **conn).await?).await
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Brings the schema up to date; safe to run on every start.
    pub async fn migrate(&self) -> Result<Vec<String>> {
        let applied = crate::db::migrations::run(self).await?;
        // An import killed while it loaded without them leaves indexes to build again.
        let mut conn = self.writer.acquire().await?;
        crate::deferred_indexes::restore(&mut conn).await?;
        Ok(applied)
    }

    /// The pool schema changes and other writes run on.
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
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

/// A pool of at most `max` connections, each set up with `pragmas` (SQLite).
async fn pool(
    options: &AnyConnectOptions,
    backend: Backend,
    max: u32,
    pragmas: Option<String>,
) -> Result<AnyPool> {
    // A PostgreSQL connection can be cut while idle, so it is tried before use. A SQLite
    // connection is a file this process opened: the try would only be one more round trip to
    // the connection's thread before every transaction, which on the one writer every other
    // write waits behind.
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .test_before_acquire(backend == Backend::Postgres)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |conn, _| {
            let pragmas = pragmas.clone();
            Box::pin(async move {
                if let Some(p) = pragmas {
                    conn.execute(sqlx::AssertSqlSafe(p)).await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await?;
    Ok(pool)
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

mod write;

pub use write::{Mark, WriteOn, WriteTx};

pub(crate) mod migrations {
    use super::*;

    struct Migration {
        version: i64,
        name: &'static str,
        sql: &'static str,
    }

    /// The list of migrations, each written once as (version, file prefix, name): the file is
    /// `migrations/{prefix}_{name}.sql`.
    macro_rules! migrations {
        ($(($version:literal, $prefix:literal, $name:ident),)*) => {
            &[$(Migration {
                version: $version,
                name: stringify!($name),
                sql: include_str!(concat!("../migrations/", $prefix, "_", stringify!($name), ".sql")),
            },)*]
        };
    }

    const MIGRATIONS: &[Migration] = migrations![
        (1, "0001", foundation),
        (2, "0002", registry_counts),
        (3, "0003", quarantine),
        (4, "0004", checks),
        (5, "0005", screening),
        (6, "0006", tasks),
        (8, "0008", auth_limits),
        (11, "0011", region_codes),
        (12, "0012", forget_login_failures),
        (13, "0013", import_skipped_rows),
        (14, "0014", pass_keys),
        (15, "0015", checkpoints),
        (16, "0016", cases),
        (17, "0017", returns),
        (18, "0018", hotline),
        (19, "0019", home_counts),
        (20, "0020", notifications),
        (21, "0021", household_exits),
        (23, "0023", one_open_case),
        (24, "0024", passages_by_household),
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
        let mut conn = db.writer().acquire().await?;
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations \
             (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What the writer commits reaches the database file while the writer goes on: the
    /// checkpointer, not the next commit past the threshold, copies the WAL back.
    #[tokio::test]
    async fn the_wal_is_copied_back_beside_the_writer() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let file = std::env::temp_dir().join(format!(
            "gridwatch-checkpoint-{}-{nanos}.db",
            std::process::id()
        ));
        let db = Db::connect(&format!("sqlite://{}", file.display()))
            .await
            .expect("connect");
        let mut conn = db.writer().acquire().await.expect("writer");
        conn.execute("CREATE TABLE filler (b BLOB)")
            .await
            .expect("table");
        // 4 MiB: far below the writer's own threshold (64 MiB), so only the checkpointer
        // copies it into the file.
        conn.execute("INSERT INTO filler VALUES (randomblob(4194304))")
            .await
            .expect("insert");
        let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        let waited = std::time::Instant::now();
        while size() < 4_194_304 && waited.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let copied = size();
        drop(conn);
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
        }
        assert!(
            copied >= 4_194_304,
            "the database file holds {copied} bytes: the WAL was not copied back"
        );
    }
}
