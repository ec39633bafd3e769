//! `gridwatch`: the one binary of the platform. Serves the web application and runs the
//! maintenance commands (migrations, demo data, imports, exports, accounts, audit checks).

mod bench;
mod cli_import;
mod cli_user;
mod config;
mod demo;
mod demo_data;
mod error;
mod key;
mod serve;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use domain::access::{Level, Role};

use crate::config::{Config, Layer, Sources};
use crate::error::{CliError, EXIT_ERROR};

/// mimalloc instead of glibc's malloc for this program's own allocations: an import allocates
/// and frees millions of small strings a batch, and glibc's malloc spent about a third of a
/// county import's CPU on them (BENCHMARKS.md, issue 10). SQLite keeps glibc's malloc: with its
/// page caches in mimalloc too (`override`), a gate scan cost a third more CPU at county scale.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "gridwatch",
    version,
    about = "Gridwatch: the information platform of a community epidemic-management team",
    after_help = "Start here: `gridwatch demo --serve` loads a demo community and serves it on \
                  http://127.0.0.1:8080/."
)]
struct Cli {
    /// Database URL: sqlite://FILE (created if missing) or postgres://USER@HOST/DB
    /// [default: sqlite://gridwatch.db]
    #[arg(long, global = true, value_name = "URL")]
    database: Option<String>,
    /// Configuration file [default: gridwatch.toml in the working directory, if present]
    #[arg(long, global = true, value_name = "FILE", env = "GRIDWATCH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8080]
        #[arg(long, value_name = "ADDR:PORT")]
        listen: Option<String>,
    },
    /// Bring the database schema up to date
    Migrate,
    /// Load the demo community (Minsheng Road, S County) with residents and demo accounts
    Demo(DemoArgs),
    /// Import data from a spreadsheet
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export data to a spreadsheet (ID and phone numbers masked)
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Manage accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit trail
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Scheduled jobs (starting planned quarantine orders, missed-check alerts)
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Measure import, registry reads, summaries, HTTP and memory at county scale on fresh
    /// databases; exit code 1 if a result is wrong (never because of a time)
    #[command(
        after_help = "--database names where the fresh databases go: none for temporary \
                            SQLite files, sqlite://NEW_FILE, or postgres://USER@HOST/DB to create \
                            (and drop at the end) new databases on that server; the named \
                            database itself is not touched. See BENCHMARKS.md."
    )]
    Bench(BenchArgs),
}

#[derive(Args)]
struct DemoArgs {
    /// Number of residents to generate
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(0..=2_000_000))]
    residents: u32,
    /// Number of grids the buildings are spread over
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=500))]
    grids: u32,
    /// Seed of the generator: the same seed gives the same residents
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the generated register as residents.csv and residents.xlsx into this
    /// directory
    #[arg(long, value_name = "DIR")]
    write_files: Option<PathBuf>,
    /// Load the register only, without the month of quarantine orders, checks and alerts
    #[arg(long)]
    no_activity: bool,
    /// Serve the application after loading
    #[arg(long)]
    serve: bool,
    /// Address and port to listen on with --serve [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<String>,
}

#[derive(Args)]
struct BenchArgs {
    /// Residents of the generated register
    #[arg(long, default_value_t = 674_278, value_parser = clap::value_parser!(u32).range(1..=2_000_000))]
    residents: u32,
    /// Grids the buildings are spread over
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=500))]
    grids: u32,
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Also write the results as JSON to this file
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Skip the .xlsx import (reading a county-size workbook alone takes about 15 s)
    #[arg(long)]
    skip_xlsx: bool,
    /// Skip the gates: the passes, the month of passages and the scans (P4, P5), which take
    /// about 10 minutes at county scale
    #[arg(long)]
    skip_gates: bool,
    /// Seconds of load on each HTTP endpoint
    #[arg(long, default_value_t = 5.0, value_name = "S")]
    http_seconds: f64,
    /// Run only this part: `import` (P1: the imports and the raw baseline)
    #[arg(long, value_name = "PART", value_parser = ["import"])]
    only: Option<String>,
    /// Internal: run the read phase of a bench started by `gridwatch bench`
    #[arg(long, hide = true, value_name = "FILE")]
    handoff: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Import a resident register (.xlsx, .xls, .ods or .csv) into a community
    Residents {
        #[command(flatten)]
        into: ImportInto,
        /// Read the file and print what importing it would do; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Read the column headed HEADER as FIELD (name, document_number, building, unit,
        /// room, phone, …), or not at all with `HEADER=ignore`; may be repeated
        #[arg(long = "map", value_name = "HEADER=FIELD", value_parser = parse_mapping)]
        mapping: Vec<(String, Option<app::import::Column>)>,
        /// Create the buildings the file names and the community lacks, in this grid
        #[arg(long, value_name = "GRID_ID")]
        create_buildings_in_grid: Option<i64>,
        /// The header's row as Excel numbers it, when the importer finds another
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
        header_row: Option<u32>,
    },
    /// Import a roster of grids, buildings and units (columns 网格, 楼栋, 单元) into a
    /// community, creating what it lacks
    Structure {
        #[command(flatten)]
        into: ImportInto,
        /// Print what would be created; write nothing
        #[arg(long)]
        dry_run: bool,
    },
}

/// What every import names: the file, the community it goes into and who imports it.
#[derive(Args)]
struct ImportInto {
    file: PathBuf,
    /// Id of the community
    #[arg(long, value_name = "ID")]
    community: i64,
    /// Act as this account (its role and jurisdiction apply) instead of the system
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
}

fn parse_mapping(given: &str) -> Result<(String, Option<app::import::Column>), String> {
    app::import::ImportOptions::parse_mapping(given).map_err(|e| {
        let fields: Vec<&str> = app::import::Column::ALL.iter().map(|c| c.code()).collect();
        format!(
            "{:?} is not HEADER=FIELD with FIELD one of {} or ignore",
            e.given,
            fields.join(", ")
        )
    })
}

#[derive(Subcommand)]
enum ExportWhat {
    /// Export the residents of a community
    Residents {
        /// Id of the community
        #[arg(long, value_name = "ID")]
        community: i64,
        /// File format [default: from the extension of --out, else csv]
        #[arg(long, value_parser = ["csv", "xlsx"])]
        format: Option<String>,
        /// File to write
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Act as this account (its role and jurisdiction apply) instead of the system
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
}

fn role_codes() -> Vec<&'static str> {
    Role::ALL.iter().map(|r| r.code()).collect()
}

fn level_codes() -> Vec<&'static str> {
    Level::ALL.iter().map(|l| l.code()).collect()
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password comes from GRIDWATCH_PASSWORD or standard input
    Add(cli_user::NewUser),
    /// List the accounts
    List,
    /// Set a new password (from GRIDWATCH_PASSWORD or standard input); signs out its sessions
    Passwd { username: String },
    /// Disable an account and sign out its sessions
    Disable { username: String },
    /// Enable a disabled account
    Enable { username: String },
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Handle every due period that no server has handled yet, then exit (servers do this every
    /// 30 seconds on their own)
    RunDue {
        /// Act as of this local time of the community (e.g. 2020-02-01T10:05) instead of now, to
        /// rehearse; the periods it handles are not handled again
        #[arg(long, value_name = "YYYY-MM-DDTHH:MM")]
        at: Option<String>,
        /// Accept an --at in the future: slots that have not closed yet would raise missed-check
        /// alerts and never be handled again at their real time, so only on a rehearsal database
        #[arg(long)]
        allow_future: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit code 1 when it is broken
    Verify,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gridwatch: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn load_config(cli: &Cli) -> Result<Config, CliError> {
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo(DemoArgs { listen, .. }) => listen.clone(),
        _ => None,
    };
    let working_dir = std::env::current_dir()
        .map_err(|e| CliError::message(format!("cannot read the working directory: {e}")))?;
    let env = |k: &str| std::env::var(k).ok();
    Ok(Config::load(Sources {
        file: cli.config.clone(),
        working_dir,
        env: &env,
        flags: Layer {
            database: cli.database.clone(),
            listen,
            ..Layer::default()
        },
    })?)
}

fn init_logging(config: &Config) -> Result<(), CliError> {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .map_err(|e| CliError::message(format!("log filter {:?}: {e}", config.log)))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    Ok(())
}

/// Connects and migrates; `with_key` resolves (and on first start creates) the master key.
async fn open(config: &Config, with_key: bool) -> Result<app::App, CliError> {
    let crypto = if with_key {
        let (crypto, origin) = key::load_or_create(config)?;
        tracing::debug!(?origin, "secret key loaded");
        crypto
    } else {
        // Migrations touch no sealed value; a throwaway key keeps `migrate` free of side effects.
        app::crypto::Crypto::new(app::crypto::random_bytes::<32>())
    };
    let settings = config.settings()?;
    let db = store::Db::connect(&config.database).await?;
    for m in db.migrate().await? {
        tracing::info!(migration = %m, "applied migration");
    }
    Ok(app::App::new(db, crypto, settings))
}

async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let config = load_config(&cli)?;
    init_logging(&config)?;
    tracing::debug!(?config, "configuration");
    if let Command::Bench(args) = cli.command {
        // Only the flag counts: a configured database is never used for a benchmark.
        let options = args.options(cli.database);
        return bench::run(&options, &config.settings()?).await;
    }
    let with_key = !matches!(cli.command, Command::Migrate);
    let app = open(&config, with_key).await?;
    match cli.command {
        Command::Serve { .. } => {
            let n = app.mark_interrupted_imports().await?;
            if n > 0 {
                tracing::warn!(imports = n, "marked imports interrupted by the last stop");
            }
            let listener = serve::bind(&config).await?;
            serve::serve(&config, app, listener).await?;
        }
        Command::Migrate => {
            tracing::info!(database = %config::redact_url(&config.database), "schema up to date");
            app.db.close().await;
        }
        Command::Demo(args) => load_demo(&config, app, args).await?,
        Command::Import { what } => return import(&app, what).await,
        Command::Export {
            what:
                ExportWhat::Residents {
                    community,
                    format,
                    out,
                    as_user,
                },
        } => {
            let format = cli_import::format_for(format.as_deref(), &out)?;
            return cli_import::export_residents(&app, community, format, &out, as_user.as_deref())
                .await;
        }
        Command::User { command } => return manage_user(&app, command).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => return cli_user::audit_verify(&app).await,
        Command::Jobs {
            command: JobsCommand::RunDue { at, allow_future },
        } => run_due_jobs(&app, at, allow_future).await?,
        Command::Bench(_) => {}
    }
    Ok(ExitCode::SUCCESS)
}

impl BenchArgs {
    /// The bench's options; `database` is the `--database` flag alone.
    fn options(self, database: Option<String>) -> bench::BenchOptions {
        bench::BenchOptions {
            database,
            residents: usize::try_from(self.residents).unwrap_or(usize::MAX),
            grids: usize::try_from(self.grids).unwrap_or(1),
            seed: self.seed,
            json: self.json,
            skip_xlsx: self.skip_xlsx,
            skip_gates: self.skip_gates,
            only_import: self.only.as_deref() == Some("import"),
            http_seconds: if self.http_seconds.is_finite() {
                self.http_seconds.clamp(0.1, 3600.0)
            } else {
                5.0
            },
            handoff: self.handoff,
        }
    }
}

/// `gridwatch demo`: loads the demo community, then serves it or says how to.
async fn load_demo(config: &Config, app: app::App, args: DemoArgs) -> Result<(), CliError> {
    let options = demo::DemoOptions {
        residents: usize::try_from(args.residents).unwrap_or(usize::MAX),
        grids: usize::try_from(args.grids).unwrap_or(1),
        seed: args.seed,
        write_files: args.write_files,
        activity: !args.no_activity,
    };
    // Bind first, so a busy port fails before minutes of loading.
    let listener = if args.serve {
        Some(serve::bind(config).await?)
    } else {
        None
    };
    if args.serve {
        app.mark_interrupted_imports().await?;
    }
    let summary = demo::run(&app, &options).await?;
    demo::print_accounts(&summary.accounts);
    println!(
        "Community id {0}: `gridwatch import residents FILE --community {0}` adds more.",
        summary.community_id
    );
    match listener {
        Some(listener) => {
            let url = listener
                .local_addr()
                .map(serve::browser_url)
                .unwrap_or_default();
            println!();
            println!("Open {url}login and sign in as one of the accounts above.");
            println!("Press Ctrl-C to stop.");
            serve::serve(config, app, listener).await?;
        }
        None => {
            println!();
            println!("Start the server with `gridwatch serve` (or `gridwatch demo --serve`).");
            app.db.close().await;
        }
    }
    Ok(())
}

/// `gridwatch import residents` and `gridwatch import structure`.
async fn import(app: &app::App, what: ImportWhat) -> Result<ExitCode, CliError> {
    match what {
        ImportWhat::Residents {
            into,
            dry_run,
            mapping,
            create_buildings_in_grid,
            header_row,
        } => {
            let options = app::import::ImportOptions {
                mapping,
                create_buildings_in_grid,
                header_row: header_row.map(|n| n as usize),
            };
            cli_import::import_residents(
                app,
                &into.file,
                into.community,
                into.as_user.as_deref(),
                &options,
                dry_run,
            )
            .await
        }
        ImportWhat::Structure { into, dry_run } => {
            cli_import::import_structure(
                app,
                &into.file,
                into.community,
                into.as_user.as_deref(),
                dry_run,
            )
            .await
        }
    }
}

/// `gridwatch user …`: accounts from the command line.
async fn manage_user(app: &app::App, command: UserCommand) -> Result<ExitCode, CliError> {
    match command {
        UserCommand::Add(user) => cli_user::add(app, user).await,
        UserCommand::List => cli_user::list(app).await,
        UserCommand::Passwd { username } => cli_user::passwd(app, &username).await,
        UserCommand::Disable { username } => cli_user::set_active(app, &username, false).await,
        UserCommand::Enable { username } => cli_user::set_active(app, &username, true).await,
    }
}

/// `gridwatch jobs run-due`: the due periods as of now, or of `--at` on a rehearsal.
async fn run_due_jobs(
    app: &app::App,
    at: Option<String>,
    allow_future: bool,
) -> Result<(), CliError> {
    let now = match at {
        None => jiff::Timestamp::now(),
        Some(text) => text
            .trim()
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|d| d.to_zoned_datetime(app.settings.time_zone.clone()).ok())
            .map(|z| z.timestamp())
            .ok_or_else(|| {
                CliError::message(format!("--at {text:?} is not a time like 2020-02-01T10:05"))
            })?,
    };
    if now > jiff::Timestamp::now() && !allow_future {
        return Err(CliError::message(
            "--at is in the future: its periods would be handled before they happen and \
             never again; add --allow-future only on a rehearsal database",
        ));
    }
    let runs = app.run_due_jobs(now).await?;
    for r in &runs {
        println!("{} {}: {}", r.job, r.period, r.outcome);
    }
    println!("{} period(s) handled", runs.len());
    app.db.close().await;
    Ok(())
}
