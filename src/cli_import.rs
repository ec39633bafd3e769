//! `gridwatch import residents` and `gridwatch export residents`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use app::import::{ImportOptions, ImportPreview, Progress};
use app::registry::{ExportFormat, ResidentQuery};
use app::{Actor, App};
use domain::access::{Jurisdiction, Level};
use indicatif::{ProgressBar, ProgressStyle};
use store::imports::{Import, Reject};

use crate::cli_user::actor_for;
use crate::error::CliError;
use crate::text::pad;

/// A progress bar of rows, drawn on standard error (hidden when that is not a terminal).
pub fn rows_bar(total: usize, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>10} [{bar:40.cyan/blue}] {pos}/{len} rows ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

/// Prepares and runs an import with a progress bar; the import record at the end.
pub async fn import_bytes(
    app: &App,
    actor: &Actor,
    community_id: i64,
    file_name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<Import, CliError> {
    let started = Instant::now();
    let prepared = app
        .prepare_import_with(actor, community_id, file_name, bytes.to_vec(), options)
        .await?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        rows = prepared.total_rows,
        "file read and checked"
    );
    let bar = rows_bar(prepared.total_rows, "importing");
    let on_progress = |p: Progress| bar.set_position(u64::try_from(p.processed).unwrap_or(0));
    let result = app.run_import(prepared, &on_progress).await;
    bar.finish_and_clear();
    Ok(result?)
}

pub fn print_counts(i: &Import) {
    print_row_counts([i.inserted, i.merged, i.unchanged, i.rejected, i.skipped]);
}

/// Rows inserted, merged, unchanged, rejected and passed over, one a line.
fn print_row_counts(counts: [i64; 5]) {
    for (label, n) in ["inserted", "merged", "unchanged", "rejected", "skipped"]
        .into_iter()
        .zip(counts)
    {
        println!("  {label:<9} {n:>8}");
    }
}

/// Prints what importing the file would do.
fn print_preview(p: &ImportPreview) {
    println!(
        "{}: header in row {} ({} rows above it passed over), {} rows",
        p.file_name, p.header_row, p.rows_above_header, p.counts.rows
    );
    println!("columns:");
    for c in &p.columns {
        let read_as = c.column.map_or("(not read)", |c| c.code());
        println!("  {} {read_as}", pad(&c.header, 16));
    }
    if !p.missing.is_empty() {
        let missing: Vec<&str> = p.missing.iter().map(|c| c.code()).collect();
        println!(
            "missing columns: {} (map them with --map HEADER=FIELD)",
            missing.join(", ")
        );
        return;
    }
    println!("would import:");
    let c = p.counts;
    print_row_counts(
        [c.inserted, c.merged, c.unchanged, c.rejected, c.skipped]
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
    );
    if p.new_building_count > 0 {
        let verb = if p.create_buildings_in_grid.is_some() {
            "would create"
        } else {
            "lacks (add --create-buildings-in-grid ID to create them)"
        };
        println!(
            "buildings the community {verb}: {} ({}{})",
            p.new_building_count,
            p.new_buildings.join(", "),
            if p.new_building_count > p.new_buildings.len() {
                ", …"
            } else {
                ""
            }
        );
        if p.create_buildings_in_grid.is_some() {
            println!("units it would create: {}", p.new_units);
        }
    }
    for (row, reason) in &p.skipped {
        println!("  row {row:>6} passed over: {}", reason.code());
    }
    print_problems(p.problems.iter());
}

fn print_problems<'a>(rejects: impl ExactSizeIterator<Item = &'a Reject>) {
    if rejects.len() == 0 {
        return;
    }
    println!("why rows were rejected (first {} problems):", rejects.len());
    println!(
        "  {:>6}  {} {:<28} detail",
        "row",
        pad("column", 14),
        "code"
    );
    for r in rejects {
        println!(
            "  {:>6}  {} {:<28} {}",
            r.row_number,
            pad(&r.column_name, 14),
            r.code,
            r.detail
        );
    }
}

/// A file's name (as imports record it) and its bytes.
fn read_named(file: &Path) -> Result<(String, Vec<u8>), CliError> {
    let bytes = std::fs::read(file).map_err(CliError::file("cannot read", file))?;
    let name = file
        .file_name()
        .map_or_else(|| "upload".to_owned(), |n| n.to_string_lossy().into_owned());
    Ok((name, bytes))
}

pub async fn import_residents(
    app: &App,
    file: &Path,
    community_id: i64,
    as_user: Option<&str>,
    options: &ImportOptions,
    dry_run: bool,
) -> Result<ExitCode, CliError> {
    let actor = actor_for(app, as_user).await?;
    let community = app.community(&actor, community_id).await?;
    let (name, bytes) = read_named(file)?;
    if dry_run {
        let preview = app
            .preview_import(&actor, community_id, &name, bytes, options)
            .await?;
        print_preview(&preview);
        println!("dry run: nothing was written");
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let import = import_bytes(app, &actor, community_id, &name, &bytes, options).await?;
    println!(
        "import #{} of {name} into {} ({} rows, {:.1} s, {})",
        import.id,
        community.name,
        import.total_rows,
        started.elapsed().as_secs_f64(),
        import.status.code()
    );
    print_counts(&import);
    if import.rejected > 0 {
        let rejects = app.import_rejects(&actor, import.id, 20).await?;
        print_problems(rejects.iter());
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn import_structure(
    app: &App,
    file: &Path,
    community_id: i64,
    as_user: Option<&str>,
    dry_run: bool,
) -> Result<ExitCode, CliError> {
    let actor = actor_for(app, as_user).await?;
    let community = app.community(&actor, community_id).await?;
    let (name, bytes) = read_named(file)?;
    let out = app
        .import_structure(&actor, community_id, &name, bytes, !dry_run)
        .await?;
    let verb = if out.written {
        "created"
    } else {
        "would create"
    };
    println!("{name} into {} ({} rows): {verb}", community.name, out.rows);
    println!(
        "  grids     {:>8}  {}",
        out.grids_created.len(),
        out.grids_created.join(", ")
    );
    println!("  buildings {:>8}", out.buildings_created);
    println!("  units     {:>8}", out.units_created);
    println!("  unchanged {:>8} rows", out.unchanged_rows);
    println!("  rejected  {:>8} rows", out.rejected_rows);
    print_problems(out.problems.iter().take(20));
    if !out.written {
        println!("dry run: nothing was written");
    }
    Ok(ExitCode::SUCCESS)
}

/// Narrows an actor to one community, so an export holds that community only.
fn within_community(mut actor: Actor, community_id: i64) -> Actor {
    if actor.jurisdiction.level < Level::Community {
        actor.jurisdiction = Jurisdiction::new(Level::Community, community_id);
    }
    actor
}

pub fn format_for(format: Option<&str>, out: &Path) -> Result<ExportFormat, CliError> {
    let by_extension = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match format.or(by_extension.as_deref()) {
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        Some("csv") | None => Ok(ExportFormat::Csv),
        Some(other) => Err(CliError::message(format!(
            "unknown export format {other:?}: use csv or xlsx"
        ))),
    }
}

pub async fn export_residents(
    app: &App,
    community_id: i64,
    format: ExportFormat,
    out: &Path,
    as_user: Option<&str>,
) -> Result<ExitCode, CliError> {
    let actor = actor_for(app, as_user).await?;
    let community = app.community(&actor, community_id).await?;
    let actor = within_community(actor, community_id);
    let bytes = app
        .export_residents(&actor, &ResidentQuery::default(), format, false)
        .await?;
    std::fs::write(out, &bytes).map_err(CliError::file("cannot write", out))?;
    println!(
        "exported the residents of {} to {} ({} bytes, {}, ID and phone numbers masked)",
        community.name,
        out.display(),
        bytes.len(),
        format.extension()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_format_from_flag_or_extension() {
        let f = |flag: Option<&str>, out: &str| format_for(flag, Path::new(out)).ok();
        assert_eq!(f(None, "a.xlsx"), Some(ExportFormat::Xlsx));
        assert_eq!(f(None, "a.CSV"), Some(ExportFormat::Csv));
        assert_eq!(f(None, "a"), Some(ExportFormat::Csv));
        assert_eq!(f(Some("csv"), "a.xlsx"), Some(ExportFormat::Csv));
        assert_eq!(f(None, "a.txt"), None);
    }

    #[test]
    fn export_is_narrowed_to_the_community() {
        let a = within_community(Actor::system(), 7);
        assert_eq!(a.jurisdiction, Jurisdiction::new(Level::Community, 7));
        let mut grid = Actor::system();
        grid.jurisdiction = Jurisdiction::new(Level::Grid, 3);
        assert_eq!(within_community(grid, 7).jurisdiction.level, Level::Grid);
    }
}
