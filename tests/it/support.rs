//! The harness: a fresh database per test (a SQLite file, or a PostgreSQL schema when
//! `GRIDWATCH_TEST_DATABASE` names a server), the application on it, and a small community.

use std::fmt::Debug;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use app::accounts::AccountInput;
use app::crypto::Crypto;
use app::import::PreparedImport;
use app::registry::ResidentQuery;
use app::tasks::BoardQuery;
use app::{Actor, App, AppError, AppResult, Db, ErrorCode, Settings};
use domain::access::{Jurisdiction, Level, Role};
use domain::page::{Page, PageRequest};
use sqlx::{Connection, Executor};
use store::audit::{AuditFilter, AuditRecord};
use store::imports::Reject;
use store::registry::Resident;
use store::tasks::Delivery;

mod homes;

pub use homes::{
    citizen_id, family_and_neighbour, home_order, household, household_input, raw_resident,
    resident, resident_in_quarantine, returnee_order, with_bad_check_char, zhang_san,
};

/// The environment variable naming a PostgreSQL server to test against instead of SQLite.
pub const DATABASE_ENV: &str = "GRIDWATCH_TEST_DATABASE";

/// The password of every fixture account.
pub const PASSWORD: &str = "correct-horse-42";

/// The master key of every test application.
const KEY: [u8; 32] = [42; 32];

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test of this or another concurrent run uses: process id, a counter and the
/// clock.
fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("{}_{n}_{nanos}", std::process::id())
}

enum Backing {
    Sqlite(PathBuf),
    Postgres { server_url: String, schema: String },
}

/// A database of its own for one test, with the migrations run and an [`App`] on it. Dropping
/// it deletes the SQLite file or drops the PostgreSQL schema.
pub struct TestDb {
    pub app: App,
    backing: Backing,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let (url, backing) = match std::env::var(DATABASE_ENV) {
            Ok(server_url) if !server_url.trim().is_empty() => {
                let server_url = server_url.trim().to_owned();
                let schema = format!("gw_t_{}", unique());
                sqlx::any::install_default_drivers();
                let mut admin = sqlx::AnyConnection::connect(&server_url)
                    .await
                    .expect("connect to the PostgreSQL server of GRIDWATCH_TEST_DATABASE");
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .await
                    .expect("create the test schema");
                admin.close().await.expect("close the admin connection");
                let sep = if server_url.contains('?') { '&' } else { '?' };
                // The application name lets the clean-up end this test's own sessions before dropping.
                let url = format!(
                    "{server_url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}"
                );
                (url, Backing::Postgres { server_url, schema })
            }
            _ => {
                let path = std::env::temp_dir().join(format!("gridwatch_it_{}.db", unique()));
                let url = format!("sqlite://{}", path.display());
                (url, Backing::Sqlite(path))
            }
        };
        // From here on the guard cleans up even if connecting or migrating fails.
        let mut guard = Cleanup(Some(backing));
        let db = Db::connect(&url)
            .await
            .expect("connect to the test database");
        db.migrate().await.expect("run the migrations");
        let app = App::new(db, Crypto::new(KEY), Settings::default());
        TestDb {
            app,
            backing: guard.0.take().expect("backing set above"),
        }
    }

    /// A database of its own with the fixture community built on it: where most tests start.
    pub async fn with_fixture() -> (TestDb, Fixture) {
        let db = TestDb::new().await;
        let f = fixture(&db.app).await;
        (db, f)
    }

    /// The PostgreSQL schema of this test, when running on PostgreSQL.
    pub fn schema(&self) -> Option<&str> {
        match &self.backing {
            Backing::Postgres { schema, .. } => Some(schema),
            Backing::Sqlite(_) => None,
        }
    }

    /// A second application on this test's database with a pool of its own, as a second
    /// server would have.
    pub async fn second_app(&self) -> App {
        let url = match &self.backing {
            Backing::Sqlite(path) => format!("sqlite://{}", path.display()),
            Backing::Postgres { server_url, schema } => {
                let sep = if server_url.contains('?') { '&' } else { '?' };
                format!(
                    "{server_url}{sep}options=-c%20search_path%3D{schema}&application_name={schema}"
                )
            }
        };
        let db = Db::connect(&url).await.expect("connect a second pool");
        App::new(db, Crypto::new(KEY), Settings::default())
    }

    /// The SQLite file of this test, when running on SQLite.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &self.backing {
            Backing::Sqlite(path) => Some(path),
            Backing::Postgres { .. } => None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let backing = std::mem::replace(&mut self.backing, Backing::Sqlite(PathBuf::new()));
        drop(Cleanup(Some(backing)));
    }
}

/// Removes what a test database left behind.
struct Cleanup(Option<Backing>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        match self.0.take() {
            None => {}
            Some(Backing::Sqlite(path)) => {
                if path.as_os_str().is_empty() {
                    return;
                }
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    // Missing side files are normal; nothing else to do on failure.
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            Some(Backing::Postgres { server_url, schema }) => {
                // Drop is synchronous and runs inside the test's runtime, so the schema is
                // dropped on a thread with a runtime of its own; a failure only leaks a schema.
                let cleanup = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    rt.block_on(async move {
                        if let Ok(mut c) = sqlx::AnyConnection::connect(&server_url).await {
                            // A transaction dropped by a failed write is rolled back by the test's
                            // runtime, which this join blocks: end those sessions first.
                            let _ = c
                                .execute(sqlx::AssertSqlSafe(format!(
                                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                                     WHERE application_name = '{schema}'"
                                )))
                                .await;
                            let _ = c
                                .execute(sqlx::AssertSqlSafe(format!(
                                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                                )))
                                .await;
                            let _ = c.close().await;
                        }
                    });
                });
                let _ = cleanup.join();
            }
        }
    }
}

/// The places and people of the test community.
pub struct Fixture {
    pub district_id: i64,
    pub street_id: i64,
    /// Minsheng Road Community.
    pub community_id: i64,
    pub other_community_id: i64,
    pub grid1_id: i64,
    pub grid2_id: i64,
    pub other_grid_id: i64,
    /// 1号楼 and 2号楼 in grid 1, 3号楼 in grid 2.
    pub building1_id: i64,
    pub building2_id: i64,
    pub building3_id: i64,
    /// 1号楼 of the other community.
    pub other_building_id: i64,
    pub admin: Actor,
    pub official: Actor,
    pub staff: Actor,
    pub grid_worker: Actor,
    pub doctor: Actor,
    pub guard: Actor,
    pub volunteer: Actor,
    pub cdc: Actor,
    pub auditor: Actor,
}

impl Fixture {
    /// Every fixture account, one per role, in the order of [`Role::ALL`].
    pub fn actors(&self) -> [&Actor; 9] {
        [
            &self.admin,
            &self.official,
            &self.staff,
            &self.grid_worker,
            &self.guard,
            &self.doctor,
            &self.volunteer,
            &self.cdc,
            &self.auditor,
        ]
    }
}

/// Builds the fixture community through the use cases, as the system actor.
pub async fn fixture(app: &App) -> Fixture {
    let sys = Actor::system();
    let street_id = app
        .ensure_street(&sys, "610825", "S County", "Minsheng Road Street")
        .await
        .expect("district and street");
    let (districts, _) = app.districts().await.expect("list districts");
    let district_id = districts
        .iter()
        .find(|d| d.code == "610825")
        .map(|d| d.id)
        .expect("district 610825 exists");
    let community_id = app
        .create_community(&sys, street_id, "Minsheng Road Community")
        .await
        .expect("community");
    let other_community_id = app
        .create_community(&sys, street_id, "Other Community")
        .await
        .expect("other community");
    let grid1_id = app
        .create_grid(&sys, community_id, "Grid 1")
        .await
        .expect("grid 1");
    let grid2_id = app
        .create_grid(&sys, community_id, "Grid 2")
        .await
        .expect("grid 2");
    let other_grid_id = app
        .create_grid(&sys, other_community_id, "Grid 1")
        .await
        .expect("grid of the other community");
    let building1_id = app
        .create_building(&sys, grid1_id, "1号楼")
        .await
        .expect("1号楼");
    let building2_id = app
        .create_building(&sys, grid1_id, "2号楼")
        .await
        .expect("2号楼");
    let building3_id = app
        .create_building(&sys, grid2_id, "3号楼")
        .await
        .expect("3号楼");
    let other_building_id = app
        .create_building(&sys, other_grid_id, "1号楼")
        .await
        .expect("building of the other community");

    let community = Jurisdiction::new(Level::Community, community_id);
    let street = Jurisdiction::new(Level::Street, street_id);
    let grid1 = Jurisdiction::new(Level::Grid, grid1_id);
    let district = Jurisdiction::new(Level::District, district_id);
    let admin = account(app, "admin", Role::Admin, Jurisdiction::ALL).await;
    let official = account(app, "official", Role::Official, street).await;
    let staff = account(app, "staff", Role::CommunityStaff, community).await;
    let grid_worker = account(app, "gridworker", Role::GridWorker, grid1).await;
    let doctor = account(app, "doctor", Role::Doctor, community).await;
    let guard = account(app, "guard", Role::Guard, community).await;
    let volunteer = account(app, "volunteer", Role::Volunteer, community).await;
    let cdc = account(app, "cdc", Role::CdcLiaison, district).await;
    let auditor = account(app, "auditor", Role::Auditor, Jurisdiction::ALL).await;
    Fixture {
        district_id,
        street_id,
        community_id,
        other_community_id,
        grid1_id,
        grid2_id,
        other_grid_id,
        building1_id,
        building2_id,
        building3_id,
        other_building_id,
        admin,
        official,
        staff,
        grid_worker,
        doctor,
        guard,
        volunteer,
        cdc,
        auditor,
    }
}

/// A new account of `role` over `jurisdiction` with the fixture password, made by the system
/// actor, and the actor it signs in as.
pub async fn account(app: &App, username: &str, role: Role, jurisdiction: Jurisdiction) -> Actor {
    let input = AccountInput {
        username: username.to_owned(),
        display_name: format!("Test {}", role.code()),
        password: PASSWORD.to_owned(),
        role: role.code().to_owned(),
        level: jurisdiction.level.code().to_owned(),
        scope_id: jurisdiction.id,
        active: true,
        phone: None,
    };
    let account_id = app
        .create_account(&Actor::system(), &input)
        .await
        .expect("create account");
    Actor {
        account_id,
        username: username.to_owned(),
        display_name: input.display_name,
        role,
        jurisdiction,
        language: "zh".to_owned(),
    }
}

/// The first page of the residents `actor` finds by `q`: a name, an ID number, a phone or a room.
pub async fn search_residents(app: &App, actor: &Actor, q: &str) -> Page<Resident> {
    let query = ResidentQuery {
        q: Some(q.to_owned()),
        ..Default::default()
    };
    app.residents(actor, &query, PageRequest::first())
        .await
        .expect("search residents")
}

/// A file read for import into the fixture community by its staff, ready to run.
pub async fn prepare_staff_import(
    app: &App,
    f: &Fixture,
    file_name: &str,
    bytes: impl Into<Vec<u8>>,
) -> AppResult<PreparedImport> {
    app.prepare_import(&f.staff, f.community_id, file_name, bytes.into())
        .await
}

/// The rejected rows of an import, as the fixture's staff reads them.
pub async fn rejects_of(app: &App, f: &Fixture, import_id: i64) -> Vec<Reject> {
    app.import_rejects(&f.staff, import_id, 1000)
        .await
        .expect("rejects")
}

/// The first page of a list paged by key, `limit` items long.
pub fn first_page(limit: u32) -> PageRequest {
    PageRequest::new(None, Some(limit))
}

/// Every page of a list paged by key, `limit` items at a time, from the first page to the one
/// with no next key; `read` reads the page a request asks for.
pub async fn every_page<T>(
    limit: u32,
    mut read: impl AsyncFnMut(PageRequest) -> AppResult<Page<T>>,
) -> Vec<Page<T>> {
    let mut pages = Vec::new();
    let mut after = None;
    loop {
        let page = read(PageRequest::new(after, Some(limit)))
            .await
            .expect("a page");
        after = page.next;
        pages.push(page);
        if after.is_none() {
            return pages;
        }
        assert!(pages.len() < 1000, "paging does not end");
    }
}

/// The audit entries of one action.
pub fn audit_action(name: &str) -> AuditFilter {
    AuditFilter {
        action: Some(name.to_owned()),
        ..Default::default()
    }
}

/// The audit entries of one object.
pub fn audit_object(object_type: &str, object_id: i64) -> AuditFilter {
    AuditFilter {
        object_type: Some(object_type.to_owned()),
        object_id: Some(object_id.to_string()),
        ..Default::default()
    }
}

/// The audit trail as `actor` reads it, as `filter` narrows it, newest first.
pub async fn audit_trail(app: &App, actor: &Actor, filter: AuditFilter) -> Vec<AuditRecord> {
    app.audit_trail(actor, &filter, 1000)
        .await
        .expect("audit trail")
}

/// Asserts that the whole audit chain verifies, as `auditor` reads it.
pub async fn assert_chain_intact(app: &App, auditor: &Actor) {
    let verification = app.verify_audit(auditor).await.expect("verify");
    assert_eq!(verification.broken_at, None);
}

/// The first page of `actor`'s delivery board, as `query` filters it.
pub async fn board(app: &App, actor: &Actor, query: BoardQuery) -> Page<Delivery> {
    app.delivery_board(actor, &query, PageRequest::first())
        .await
        .expect("board")
}

/// The first page of the deliveries `volunteer` has still to make.
pub async fn to_do(app: &App, volunteer: &Actor) -> Vec<Delivery> {
    app.my_deliveries(volunteer, app::tasks::MyList::ToDo, PageRequest::first())
        .await
        .expect("the volunteer's deliveries to do")
        .items
}

/// The deliveries on `actor`'s board in `state` (`all` for every state).
pub async fn board_in_state(app: &App, actor: &Actor, state: &str) -> Page<Delivery> {
    board(app, actor, deliveries_in_state(state)).await
}

/// The deliveries in `state` (`all` for every state).
pub fn deliveries_in_state(state: &str) -> BoardQuery {
    BoardQuery {
        state: Some(state.to_owned()),
        ..Default::default()
    }
}

/// Asserts that a use case refused its input with `code` on `field`.
#[track_caller]
pub fn assert_field_error<T: Debug>(result: AppResult<T>, field: &str, code: &str) {
    match result {
        Err(AppError::Validation(errors)) => {
            assert!(
                errors.0.iter().any(|e| e.field == field && e.code == code),
                "expected {field}: {code}, got {errors:?}"
            );
        }
        other => panic!("expected a validation error {field}: {code}, got {other:?}"),
    }
}

/// Asserts that a use case refused with the conflict `code`.
#[track_caller]
pub fn assert_conflict<T: Debug>(result: AppResult<T>, code: ErrorCode) {
    assert!(
        matches!(result, Err(AppError::Conflict(c)) if c == code),
        "expected the conflict {code:?}, got {result:?}"
    );
}

#[track_caller]
pub fn assert_forbidden<T: Debug>(result: AppResult<T>) {
    assert!(
        matches!(result, Err(AppError::Forbidden)),
        "expected Forbidden, got {result:?}"
    );
}

#[track_caller]
pub fn assert_not_found<T: Debug>(result: AppResult<T>) {
    assert!(
        matches!(result, Err(AppError::NotFound)),
        "expected NotFound, got {result:?}"
    );
}
