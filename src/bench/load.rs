//! P1: the register imported through the real path (validation, encryption, merge), and the
//! baseline: the same households and residents written raw by the same bulk statements.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use app::accounts::AccountInput;
use app::import::{BATCH_ROWS, FIRST_LOAD_GROUP_BATCHES, Progress};
use app::{Actor, App, AppError};
use domain::access::{Jurisdiction, Level, Role};
use store::imports::{self, HouseholdKey, Import};
use store::registry::{Home, ResidentData};

use super::{process_cpu_seconds, spinner};
use crate::cli_import::rows_bar;
use crate::demo::{self, Ids};
use crate::demo_data::Plan;
use crate::error::CliError;

/// A fresh database with the community's tree and the bench's two accounts.
pub struct Setup {
    pub app: App,
    pub ids: Ids,
    /// Community staff: imports, lists, searches and the community's summary.
    pub staff: Actor,
    pub staff_username: String,
    pub staff_password: String,
    /// A grid worker of the first grid (same password): the grid's summary.
    pub grid_worker: Actor,
    /// The master key, hex: a read phase in another process needs it to find ID numbers.
    pub key_hex: String,
    /// Creating the tree (grids, buildings, units), one use case call each.
    pub structure_time: Duration,
}

pub async fn setup(url: &str, settings: &app::Settings, plan: &Plan) -> Result<Setup, CliError> {
    // A throwaway key: the bench's databases hold generated people only.
    let key_hex = app::crypto::Crypto::generate_hex();
    let app = open(url, &key_hex, settings).await?;
    let system = Actor::system();
    let started = Instant::now();
    let ids = demo::ensure_structure(&app, &system, plan).await?;
    let structure_time = started.elapsed();
    let staff_password = app::crypto::Crypto::generate_hex();
    let staff = account(
        &app,
        STAFF,
        &staff_password,
        Role::CommunityStaff,
        Level::Community,
        ids.community,
    )
    .await?;
    let grid_worker = account(
        &app,
        GRID_WORKER,
        &staff_password,
        Role::GridWorker,
        Level::Grid,
        ids.grid1,
    )
    .await?;
    Ok(Setup {
        app,
        ids,
        staff,
        staff_username: STAFF.to_owned(),
        staff_password,
        grid_worker,
        key_hex,
        structure_time,
    })
}

const STAFF: &str = "bench-staff";
const GRID_WORKER: &str = "bench-grid";

async fn open(url: &str, key_hex: &str, settings: &app::Settings) -> Result<App, CliError> {
    let db = store::Db::connect(url).await?;
    db.migrate().await?;
    let crypto = app::crypto::Crypto::from_hex(key_hex)?;
    Ok(App::new(db, crypto, settings.clone()))
}

/// The same database opened again, in another process, signed in as the same accounts.
pub async fn attach(
    url: &str,
    key_hex: &str,
    settings: &app::Settings,
    ids: Ids,
    password: &str,
) -> Result<Setup, CliError> {
    let app = open(url, key_hex, settings).await?;
    let sign_in = async |username: &str| -> Result<Actor, CliError> {
        let session = app.login(username, password, "127.0.0.1").await?;
        app.logout(&session.token).await?;
        Ok(session.actor)
    };
    let staff = sign_in(STAFF).await?;
    let grid_worker = sign_in(GRID_WORKER).await?;
    Ok(Setup {
        app,
        ids,
        staff,
        staff_username: STAFF.to_owned(),
        staff_password: password.to_owned(),
        grid_worker,
        key_hex: key_hex.to_owned(),
        structure_time: Duration::ZERO,
    })
}

/// Creates an account and signs it in, so the bench acts as a real user does.
async fn account(
    app: &App,
    username: &str,
    password: &str,
    role: Role,
    level: Level,
    scope_id: i64,
) -> Result<Actor, CliError> {
    new_account(
        app,
        username,
        password,
        role,
        Jurisdiction::new(level, scope_id),
    )
    .await?;
    let session = app.login(username, password, "127.0.0.1").await?;
    app.logout(&session.token).await?;
    Ok(session.actor)
}

/// Creates an account of `role` over `jurisdiction` through the use case, as the system, with
/// its username for a display name; the actor it signs in as.
pub(super) async fn new_account(
    app: &App,
    username: &str,
    password: &str,
    role: Role,
    jurisdiction: Jurisdiction,
) -> Result<Actor, AppError> {
    let input = AccountInput {
        username: username.to_owned(),
        display_name: username.to_owned(),
        password: password.to_owned(),
        role: role.code().to_owned(),
        level: jurisdiction.level.code().to_owned(),
        scope_id: jurisdiction.id,
        active: true,
        phone: None,
    };
    let account_id = app.create_account(&Actor::system(), &input).await?;
    Ok(Actor {
        account_id,
        username: input.username,
        display_name: input.display_name,
        role,
        jurisdiction,
        language: "zh".to_owned(),
    })
}

/// One import through the real path, with its two phases timed.
pub struct ImportRun {
    /// `prepare_import`: reading and checking the file, recording the import.
    pub prepare: Duration,
    /// `run_import`: validation, encryption, merge and the batched writes.
    pub run: Duration,
    /// CPU seconds of this process over both phases (a PostgreSQL server's are not counted).
    pub cpu: Option<f64>,
    pub import: Import,
}

impl ImportRun {
    pub fn total(&self) -> Duration {
        self.prepare + self.run
    }
}

pub async fn import(
    s: &Setup,
    file_name: &str,
    bytes: &[u8],
    label: &'static str,
) -> Result<ImportRun, CliError> {
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    let bar = spinner(format!("reading {file_name} ({} MB)", bytes.len() >> 20));
    let prepared = s
        .app
        .prepare_import(&s.staff, s.ids.community, file_name, bytes.to_vec())
        .await;
    bar.finish_and_clear();
    let prepared = prepared?;
    let prepare = started.elapsed();
    let started = Instant::now();
    let bar = rows_bar(prepared.total_rows, label);
    let on_progress = |p: Progress| bar.set_position(u64::try_from(p.processed).unwrap_or(0));
    let result = s.app.run_import(prepared, &on_progress).await;
    bar.finish_and_clear();
    let import = result?;
    let run = started.elapsed();
    Ok(ImportRun {
        prepare,
        run,
        cpu: cpu_used(cpu_before),
        import,
    })
}

/// CPU seconds used since `before`.
fn cpu_used(before: Option<f64>) -> Option<f64> {
    Some(process_cpu_seconds()? - before?)
}

/// The raw baseline: rows and their stored values computed beforehand, then only the writes.
pub struct RawRun {
    /// Validation and encryption of every row, done before the clock starts.
    pub precompute: Duration,
    /// Households and residents written in batches of `BATCH_ROWS` rows, committed as the
    /// import commits them.
    pub write: Duration,
    /// CPU seconds of this process while writing.
    pub write_cpu: Option<f64>,
    pub rows: usize,
    /// Rows the validation refused (none for the generated register).
    pub refused: usize,
}

/// One row ready to write: its household's key, its place in the tree, its stored values.
struct RawRow {
    key: HouseholdKey,
    home: Home,
    data: ResidentData,
}

pub async fn raw_baseline(s: &Setup, plan: &Plan) -> Result<RawRun, CliError> {
    let app = &s.app;
    // Written as an import writes, the WAL copied back as during an import.
    let _bulk = app.db.bulk_load();
    let system = Actor::system();
    let started = Instant::now();
    // The tree's ids by name, as the import resolves them.
    let mut buildings: HashMap<String, store::structure::Building> = HashMap::new();
    for g in app.grids(&system, s.ids.community).await? {
        for b in app.buildings(&system, g.id).await? {
            buildings.insert(b.name.clone(), b);
        }
    }
    let bar = rows_bar(buildings.len(), "units");
    let mut units: HashMap<(i64, String), i64> = HashMap::new();
    for b in buildings.values() {
        for u in app.units(&system, b.id).await? {
            units.insert((b.id, u.name), u.id);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let today = app.today();
    let bar = rows_bar(plan.residents.len(), "precompute");
    let mut rows: Vec<RawRow> = Vec::with_capacity(plan.residents.len());
    let mut refused = 0;
    for (i, p) in plan.residents.iter().enumerate() {
        let (raw, [building, unit, room]) = p.raw_resident();
        let (Ok(draft), Some(b)) = (raw.parse(today), buildings.get(&building)) else {
            refused += 1;
            continue;
        };
        let Some(unit_id) = units.get(&(b.id, unit)).copied() else {
            refused += 1;
            continue;
        };
        rows.push(RawRow {
            key: HouseholdKey { unit_id, room },
            home: Home {
                household_id: 0,
                building_id: b.id,
                grid_id: b.grid_id,
                community_id: b.community_id,
            },
            data: app.resident_data(&draft),
        });
        if i % 1000 == 0 {
            bar.set_position(u64::try_from(i).unwrap_or(0));
        }
    }
    bar.finish_and_clear();
    let precompute = started.elapsed();

    let bar = rows_bar(rows.len(), "raw insert");
    let started = Instant::now();
    let cpu_before = process_cpu_seconds();
    // The same schema and path as a first load: the secondary indexes set aside during the
    // writes and built once at the end (see `deferred_indexes`), so that the ratio compares
    // the import with the machine's limit for such a load.
    let set_aside = rows.len() >= app.settings.imports.set_indexes_aside_from_rows;
    if set_aside {
        let mut tx = app.db.write().await?;
        store::deferred_indexes::set_aside(tx.conn()).await?;
        tx.commit().await?;
    }
    let mut written = 0usize;
    let mut batch: Vec<(Home, ResidentData)> = Vec::with_capacity(BATCH_ROWS);
    let mut rows = rows.into_iter().peekable();
    // Batches committed in groups, as a first load commits them.
    let group = if set_aside {
        FIRST_LOAD_GROUP_BATCHES
    } else {
        1
    };
    let mut open: Option<(store::WriteTx, usize)> = None;
    while rows.peek().is_some() {
        let chunk: Vec<RawRow> = rows.by_ref().take(BATCH_ROWS).collect();
        let keys: Vec<(HouseholdKey, Home)> =
            chunk.iter().map(|r| (r.key.clone(), r.home)).collect();
        let (tx, batches) = match &mut open {
            Some(o) => o,
            None => open.insert((app.db.write().await?, 0)),
        };
        let households = imports::households_for(tx.conn(), &keys).await?;
        batch.clear();
        for r in chunk {
            let household_id = households
                .get(&r.key)
                .copied()
                .ok_or_else(|| CliError::message("the baseline's household was not created"))?;
            batch.push((
                Home {
                    household_id,
                    ..r.home
                },
                r.data,
            ));
        }
        imports::insert_residents_bulk(tx.conn(), &batch).await?;
        *batches += 1;
        if *batches >= group
            && let Some((tx, _)) = open.take()
        {
            tx.commit().await?;
        }
        written += batch.len();
        bar.set_position(u64::try_from(written).unwrap_or(0));
    }
    if let Some((tx, _)) = open.take() {
        tx.commit().await?;
    }
    bar.finish_and_clear();
    if set_aside {
        let _building = spinner("building the residents' indexes".to_owned());
        let mut tx = app.db.write().await?;
        store::deferred_indexes::restore(tx.conn()).await?;
        tx.commit().await?;
    }
    Ok(RawRun {
        precompute,
        write: started.elapsed(),
        write_cpu: cpu_used(cpu_before),
        rows: written,
        refused,
    })
}
