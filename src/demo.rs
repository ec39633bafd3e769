//! `gridwatch demo`: the Minsheng Road community with generated residents and one account per
//! role, loaded through the same use cases and import path as real data.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use app::accounts::AccountInput;
use app::{Actor, App};
use domain::access::{Level, Role};
use indicatif::ProgressBar;

use crate::cli_import::{import_bytes, print_counts, rows_bar};
use crate::demo_data::{
    self, COMMUNITY_NAME, DISTRICT_CODE, DISTRICT_NAME, Plan, STREET_NAME, Ymd,
};
use crate::error::CliError;

/// The one password of every demo account. Demo data only: never on a real deployment.
pub const DEMO_PASSWORD: &str = "gridwatch-demo";

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub residents: usize,
    pub grids: usize,
    pub seed: u64,
    pub write_files: Option<PathBuf>,
    /// Also seed a month of quarantine work (see `activity`).
    pub activity: bool,
}

/// What the demo created or found, for the summary and the accounts table.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub community_id: i64,
    pub accounts: Vec<DemoAccount>,
}

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub role: Role,
    pub scope: String,
    pub created: bool,
}

/// The tree's ids the accounts are scoped to.
pub(crate) struct Ids {
    pub(crate) district: i64,
    pub(crate) street: i64,
    pub(crate) community: i64,
    pub(crate) grid1: i64,
}

pub async fn run(app: &App, o: &DemoOptions) -> Result<DemoSummary, CliError> {
    let started = Instant::now();
    let system = Actor::system();
    let t = app.today();
    let today = Ymd {
        year: i32::from(t.year()),
        month: u32::try_from(t.month()).unwrap_or(1),
        day: u32::try_from(t.day()).unwrap_or(1),
    };
    let plan = demo_data::generate(o.residents, o.grids, o.seed, today);
    tracing::info!(
        residents = plan.residents.len(),
        households = plan.households,
        buildings = plan.building_count(),
        grids = plan.grids.len(),
        seed = o.seed,
        "generated the demo community"
    );
    let phase = Instant::now();
    let ids = ensure_structure(app, &system, &plan).await?;
    tracing::info!(seconds = phase.elapsed().as_secs_f64(), "structure ready");
    let phase = Instant::now();
    let accounts = ensure_accounts(app, &ids).await?;
    tracing::info!(seconds = phase.elapsed().as_secs_f64(), "accounts ready");
    let csv = plan.csv();
    if let Some(dir) = &o.write_files {
        write_files(dir, &plan, &csv)?;
    }
    if !plan.residents.is_empty() {
        let phase = Instant::now();
        let import = import_bytes(
            app,
            &system,
            ids.community,
            "demo-residents.csv",
            &csv,
            &Default::default(),
        )
        .await?;
        println!(
            "residents of {COMMUNITY_NAME} (community {}): {} rows through import #{}",
            ids.community, import.total_rows, import.id
        );
        print_counts(&import);
        tracing::info!(
            seconds = phase.elapsed().as_secs_f64(),
            "residents imported"
        );
        gates::seed(app, ids.community).await?;
        if o.activity {
            let phase = Instant::now();
            activity::seed(app, ids.community, plan.residents.len()).await?;
            cases::seed(app, ids.community).await?;
            screening::seed(app, ids.community).await?;
            tracing::info!(
                seconds = phase.elapsed().as_secs_f64(),
                "month of activity seeded"
            );
        }
    }
    println!("demo ready in {:.1} s", started.elapsed().as_secs_f64());
    Ok(DemoSummary {
        community_id: ids.community,
        accounts,
    })
}

/// Writes the generated register as `residents.csv` and `residents.xlsx`, the files a
/// community would import.
fn write_files(dir: &Path, plan: &Plan, csv: &[u8]) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(CliError::file("cannot create", dir))?;
    let path = dir.join("residents.csv");
    std::fs::write(&path, csv).map_err(CliError::file("cannot write", &path))?;
    println!("wrote {}", path.display());
    let bar = ProgressBar::new_spinner().with_message("writing residents.xlsx");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let xlsx = register_xlsx(plan);
    bar.finish_and_clear();
    let path = dir.join("residents.xlsx");
    std::fs::write(&path, xlsx?).map_err(CliError::file("cannot write", &path))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The generated register as an .xlsx workbook: the same headers and cells as the CSV, every
/// cell text (so ID numbers stay whole).
pub fn register_xlsx(plan: &Plan) -> Result<Vec<u8>, CliError> {
    let headers: Vec<String> = demo_data::HEADERS.iter().map(|h| (*h).to_owned()).collect();
    let rows: Vec<Vec<String>> = plan
        .residents
        .iter()
        .map(|p| Vec::from(p.cells()))
        .collect();
    sheets::write_xlsx("居民", &headers, &rows)
        .map_err(|e| CliError::message(format!("cannot write the register as .xlsx: {e}")))
}

/// Creates the district, street, community, grids, buildings and units that are missing.
pub(crate) async fn ensure_structure(
    app: &App,
    system: &Actor,
    plan: &Plan,
) -> Result<Ids, CliError> {
    let street = app
        .ensure_street(system, DISTRICT_CODE, DISTRICT_NAME, STREET_NAME)
        .await?;
    let (districts, _) = app.districts().await?;
    let district = districts
        .iter()
        .find(|d| d.code == DISTRICT_CODE)
        .map(|d| d.id)
        .ok_or_else(|| CliError::message("the demo district was not created"))?;
    let existing = app
        .communities(system)
        .await?
        .into_iter()
        .find(|c| c.street_id == street && c.name == COMMUNITY_NAME);
    let community = match existing {
        Some(c) => {
            println!(
                "{COMMUNITY_NAME} already exists (community {}): its structure is kept, only \
                 missing grids and buildings are added",
                c.id
            );
            c.id
        }
        None => app.create_community(system, street, COMMUNITY_NAME).await?,
    };
    let grids = app.grids(system, community).await?;
    let mut known_buildings: HashSet<String> = HashSet::new();
    for g in &grids {
        for b in app.buildings(system, g.id).await? {
            known_buildings.insert(b.name);
        }
    }
    let to_create = plan
        .grids
        .iter()
        .flat_map(|g| &g.buildings)
        .filter(|b| !known_buildings.contains(*b))
        .count();
    let bar = if to_create > 0 {
        rows_bar(to_create, "buildings")
    } else {
        ProgressBar::hidden()
    };
    let mut grid1 = None;
    for (i, g) in plan.grids.iter().enumerate() {
        let grid_id = match grids.iter().find(|x| x.name == g.name) {
            Some(x) => x.id,
            None => app.create_grid(system, community, &g.name).await?,
        };
        if i == 0 {
            grid1 = Some(grid_id);
        }
        let missing: Vec<String> = g
            .buildings
            .iter()
            .filter(|b| !known_buildings.contains(*b))
            .cloned()
            .collect();
        if !missing.is_empty() {
            app.create_buildings(system, grid_id, &missing, &demo_data::UNITS)
                .await?;
            bar.inc(missing.len() as u64);
        }
    }
    bar.finish_and_clear();
    if to_create > 0 {
        println!(
            "{COMMUNITY_NAME}: {} grids, {to_create} buildings created",
            plan.grids.len()
        );
    }
    let grid1 = match grid1 {
        Some(g) => g,
        None => grids
            .first()
            .map(|g| g.id)
            .ok_or_else(|| CliError::message("the demo community has no grid"))?,
    };
    Ok(Ids {
        district,
        street,
        community,
        grid1,
    })
}

/// One account per role, with the scope each role works at.
fn account_plan(ids: &Ids) -> [(&'static str, &'static str, Role, Level, i64); 9] {
    [
        ("admin", "系统管理员", Role::Admin, Level::All, 0),
        (
            "official",
            "街道干部",
            Role::Official,
            Level::Street,
            ids.street,
        ),
        (
            "staff",
            "社区工作人员",
            Role::CommunityStaff,
            Level::Community,
            ids.community,
        ),
        (
            "gridworker",
            "网格员",
            Role::GridWorker,
            Level::Grid,
            ids.grid1,
        ),
        (
            "guard",
            "门岗值守",
            Role::Guard,
            Level::Community,
            ids.community,
        ),
        (
            "doctor",
            "社区医生",
            Role::Doctor,
            Level::Community,
            ids.community,
        ),
        (
            "volunteer",
            "志愿者",
            Role::Volunteer,
            Level::Community,
            ids.community,
        ),
        (
            "cdc",
            "疾控联络员",
            Role::CdcLiaison,
            Level::District,
            ids.district,
        ),
        ("auditor", "审计员", Role::Auditor, Level::All, 0),
    ]
}

/// The work mobile of a demo account that residents call: the grid worker's and the doctor's.
fn work_phone(username: &str) -> Option<&'static str> {
    match username {
        "gridworker" => Some("13912340001"),
        "doctor" => Some("13912340002"),
        _ => None,
    }
}

async fn ensure_accounts(app: &App, ids: &Ids) -> Result<Vec<DemoAccount>, CliError> {
    let system = Actor::system();
    let existing: HashSet<String> = app
        .list_accounts(&system)
        .await?
        .into_iter()
        .map(|a| a.username)
        .collect();
    let mut out = Vec::new();
    for (username, name, role, level, scope) in account_plan(ids) {
        let created = !existing.contains(username);
        if created {
            let id = app
                .create_account(
                    &system,
                    &AccountInput {
                        username: username.to_owned(),
                        display_name: name.to_owned(),
                        password: DEMO_PASSWORD.to_owned(),
                        role: role.code().to_owned(),
                        level: level.code().to_owned(),
                        scope_id: scope,
                        active: true,
                        phone: None,
                    },
                )
                .await?;
            // The numbers a resident's printed self-report sheet gives them to call.
            if let Some(phone) = work_phone(username) {
                app.set_account_phone(&system, id, phone).await?;
            }
        }
        out.push(DemoAccount {
            username,
            role,
            scope: match level {
                Level::All => "all".to_owned(),
                l => format!("{} {scope}", l.code()),
            },
            created,
        });
    }
    Ok(out)
}

/// The accounts table and the warning that goes with it.
pub fn print_accounts(accounts: &[DemoAccount]) {
    println!();
    println!("Demo accounts (password for all: {DEMO_PASSWORD})");
    println!("  {:<12} {:<16} {:<16} note", "username", "role", "scope");
    for a in accounts {
        println!(
            "  {:<12} {:<16} {:<16} {}",
            a.username,
            a.role.code(),
            a.scope,
            if a.created {
                "created"
            } else {
                "already existed (password unchanged)"
            }
        );
    }
    println!();
    println!(
        "WARNING: these are DEMO credentials with a published password. Never use this database \
         for real residents; disable the accounts with `gridwatch user disable NAME`."
    );
}

mod activity;
mod cases;
mod gates;
mod screening;
pub(crate) use activity::RESIDENTS_PER_ORDER;
#[cfg(test)]
mod tests;
