//! One batch of rows: what it would do (the plan, the same for a preview and an import) and,
//! when importing, the writes of that plan in the batch's transaction.

use std::collections::{HashMap, HashSet};

use domain::access::Placement;
use domain::registry::ImportStatus;
use store::imports::{self, BatchCounts, Existing, HouseholdKey, Reject};
use store::registry::{self as reg, Home, ResidentData};
use store::structure::{self, Building, Node};
use store::{Conn, WriteTx};

use super::merge::merge;
use super::skip::SkipReason;
use super::{Column, PreparedImport};
use crate::registry::changed_fields;
use crate::{AppError, AppResult};

/// What parsing made of one row.
pub(super) struct RowOutcome {
    pub(super) row_number: usize,
    pub(super) parsed: Parsed,
}

pub(super) enum Parsed {
    Good(Box<Good>),
    Bad(Vec<(Column, String, String)>),
    Skipped(SkipReason),
}

pub(super) struct Good {
    pub(super) data: ResidentData,
    pub(super) grid: String,
    pub(super) building: String,
    pub(super) unit: String,
    pub(super) room: String,
    pub(super) present: HashSet<Column>,
}

/// Where a batch is planned: inside an import's write transaction, which creates the
/// buildings, units and households the rows need, or on a read connection for a preview,
/// which only counts what would be created.
pub(super) enum Target<'a> {
    Write(&'a mut WriteTx),
    Preview(&'a mut Conn),
}

impl Target<'_> {
    fn conn(&mut self) -> &mut Conn {
        match self {
            Target::Write(tx) => tx.conn(),
            Target::Preview(conn) => conn,
        }
    }
}

/// A resident already registered that a row changes.
pub(super) struct Update {
    row_number: usize,
    old: Existing,
    home: Home,
    merged: ResidentData,
    changes: Vec<&'static str>,
}

/// What a batch does.
#[derive(Default)]
pub(super) struct BatchPlan {
    pub(super) rejects: Vec<Reject>,
    pub(super) rejected_rows: usize,
    pub(super) skipped: Vec<(usize, SkipReason)>,
    pub(super) inserts: Vec<(Home, ResidentData)>,
    pub(super) updates: Vec<Update>,
    pub(super) unchanged: usize,
}

/// Look-ups an import repeats for many rows, made once, and what it has seen so far.
#[derive(Default)]
pub(super) struct RunState {
    buildings: HashMap<String, Option<Building>>,
    /// The community's grids the actor reaches, read when a row first names one.
    grids: Option<Vec<structure::Grid>>,
    units: HashMap<(i64, String), i64>,
    /// Where the community sits in the tree, read with the first buildings looked up.
    community: Option<Placement>,
    /// Document index → the first row that named it, to refuse a second row for one person.
    seen: HashMap<Vec<u8>, usize>,
    /// True while the residents table holds nothing but this import's own rows, which `seen`
    /// knows: a batch then need not look its ID numbers up among the stored residents (to
    /// merge, or to refuse a person registered elsewhere).
    pub(super) stored_are_own: bool,
    /// Rows rejected by the batches so far.
    pub(super) rejected_rows: usize,
    /// A preview's stand-in ids for the buildings and units it would create (negative, so they
    /// match nothing stored), and their names.
    next_new_id: i64,
    pub(super) new_buildings: Vec<String>,
    pub(super) new_units: usize,
}

impl PreparedImport {
    fn header_of(&self, c: Column) -> String {
        self.columns
            .iter()
            .position(|x| *x == Some(c))
            .and_then(|i| self.headers.get(i).cloned())
            .unwrap_or_else(|| c.code().to_owned())
    }
}

impl BatchPlan {
    /// A bad row is kept once, with its cells on its first problem only; every problem of the
    /// row is its own small record after it.
    fn reject(
        &mut self,
        p: &PreparedImport,
        row: &sheets::Row,
        errs: Vec<(Column, String, String)>,
    ) {
        let mut cells = Some(serde_json::to_string(&row.cells).unwrap_or_default());
        self.rejected_rows += 1;
        for (col, code, detail) in errs {
            self.rejects.push(Reject {
                row_number: row.number as i64,
                column_name: p.header_of(col),
                code,
                detail,
                cells: cells.take().unwrap_or_default(),
            });
        }
    }

    fn reject_one(
        &mut self,
        p: &PreparedImport,
        row: &sheets::Row,
        col: Column,
        code: &str,
        detail: String,
    ) {
        self.reject(p, row, vec![(col, code.to_owned(), detail)]);
    }

    pub(super) fn counts(&self, processed: usize) -> BatchCounts {
        let n = |v: usize| i64::try_from(v).unwrap_or(i64::MAX);
        BatchCounts {
            processed: n(processed),
            inserted: n(self.inserts.len()),
            merged: n(self.updates.len()),
            unchanged: n(self.unchanged),
            rejected: n(self.rejected_rows),
            skipped: n(self.skipped.len()),
        }
    }
}

/// Plans a batch: resolves every good row's home (creating what an import creates), refuses
/// what cannot be imported, and sorts the rest into inserts, merges and unchanged rows.
pub(super) async fn plan_batch(
    target: &mut Target<'_>,
    p: &PreparedImport,
    rows: &[sheets::Row],
    outcomes: Vec<RowOutcome>,
    state: &mut RunState,
) -> AppResult<BatchPlan> {
    let mut plan = BatchPlan::default();
    let by_number: HashMap<usize, &sheets::Row> = rows.iter().map(|r| (r.number, r)).collect();
    let row_of = |n: usize| -> &sheets::Row { by_number.get(&n).copied().unwrap_or(&rows[0]) };
    let mut pending: Vec<(usize, Good, HouseholdKey, Home)> = Vec::new();
    state.look_up_homes(target, p, &outcomes).await?;
    for o in outcomes {
        let row = row_of(o.row_number);
        let g = match o.parsed {
            Parsed::Good(g) => *g,
            Parsed::Bad(errs) => {
                plan.reject(p, row, errs);
                continue;
            }
            Parsed::Skipped(reason) => {
                plan.skipped.push((o.row_number, reason));
                continue;
            }
        };
        let building = match state.building(target, p, &g.building, &g.grid).await? {
            Ok(b) => b,
            Err(refusal) => {
                plan.reject(p, row, vec![refusal]);
                continue;
            }
        };
        let unit_id = state.unit(target, building.id, &g.unit).await?;
        // Counted only once the row is otherwise good, so a rejected first row does not make a
        // corrected later row for the same person a duplicate.
        if let Some(first) = state.seen.get(&g.data.document_index) {
            plan.reject_one(
                p,
                row,
                Column::DocumentNumber,
                "duplicate_in_file",
                first.to_string(),
            );
            continue;
        }
        state
            .seen
            .insert(g.data.document_index.clone(), o.row_number);
        let key = HouseholdKey {
            unit_id,
            room: g.room.clone(),
        };
        let home = Home {
            household_id: 0,
            building_id: building.id,
            grid_id: building.grid_id,
            community_id: building.community_id,
        };
        pending.push((o.row_number, g, key, home));
    }
    let stored = if state.stored_are_own {
        Vec::new()
    } else {
        let indexes: Vec<Vec<u8>> = pending
            .iter()
            .map(|(_, g, _, _)| g.data.document_index.clone())
            .collect();
        imports::residents_by_indexes(target.conn(), &indexes).await?
    };
    let mut existing: HashMap<Vec<u8>, Existing> = stored
        .into_iter()
        .map(|e| (e.data.document_index.clone(), e))
        .collect();
    // A person registered in another community is not moved or overwritten by an import; the
    // row is refused so staff of both communities can settle where the person lives.
    pending.retain(|(n, g, _, _)| match existing.get(&g.data.document_index) {
        Some(old) if old.community_id != p.community_id => {
            plan.reject_one(
                p,
                row_of(*n),
                Column::DocumentNumber,
                "registered_elsewhere",
                String::new(),
            );
            false
        }
        _ => true,
    });
    let keys: Vec<(HouseholdKey, Home)> = pending
        .iter()
        .map(|(_, _, key, home)| (key.clone(), *home))
        .collect();
    let households = match target {
        Target::Write(tx) => imports::households_for(tx.conn(), &keys).await?,
        Target::Preview(conn) => imports::existing_households(conn, &keys).await?,
    };
    for (n, g, key, mut home) in pending {
        // A household the preview would create has no id yet: 0 matches no resident's.
        home.household_id = match (households.get(&key), &target) {
            (Some(id), _) => *id,
            (None, Target::Preview(_)) => 0,
            (None, Target::Write(_)) => {
                return Err(AppError::Internal("household not created".to_owned()));
            }
        };
        match existing.remove(&g.data.document_index) {
            None => plan.inserts.push((home, g.data)),
            Some(old) => {
                let merged = merge(&old.data, g.data, &g.present);
                let mut changes: Vec<&'static str> = changed_fields(&old.data, &merged);
                if old.household_id != home.household_id {
                    changes.push("household");
                }
                if changes.is_empty() {
                    plan.unchanged += 1;
                } else {
                    plan.updates.push(Update {
                        row_number: n,
                        old,
                        home,
                        merged,
                        changes,
                    });
                }
            }
        }
    }
    Ok(plan)
}

/// Writes a planned batch in its transaction, with its progress and its audit entry.
pub(super) async fn write_plan(
    tx: &mut WriteTx,
    p: &PreparedImport,
    rows: &[sheets::Row],
    plan: BatchPlan,
) -> AppResult<()> {
    let counts = plan.counts(rows.len());
    for u in &plan.updates {
        reg::update_resident(tx.conn(), u.old.id, u.old.version, &u.home, &u.merged).await?;
        let record =
            serde_json::json!({ "row": u.row_number, "file": p.file_name, "fields": u.changes })
                .to_string();
        reg::insert_merge(
            tx.conn(),
            u.old.id,
            Some(p.import_id),
            &p.file_name,
            &record,
        )
        .await?;
    }
    imports::insert_residents_bulk(tx.conn(), &plan.inserts).await?;
    let mut recorded = plan.rejects;
    recorded.extend(plan.skipped.iter().map(|(n, reason)| Reject {
        row_number: *n as i64,
        column_name: String::new(),
        code: reason.code().to_owned(),
        detail: String::new(),
        cells: String::new(),
    }));
    imports::insert_rejects(tx.conn(), p.import_id, &recorded).await?;
    imports::add_progress(tx.conn(), p.import_id, &counts).await?;
    let mut a = p.actor.audit("import_batch", "import", p.import_id);
    a.community_id = Some(p.community_id);
    a.after = Some(serde_json::json!({
        "first_row": rows.first().map(|r| r.number), "last_row": rows.last().map(|r| r.number),
        "inserted": counts.inserted, "merged": counts.merged, "unchanged": counts.unchanged,
        "rejected": counts.rejected, "skipped": counts.skipped,
    }));
    tx.audit(a).await?;
    Ok(())
}

/// Ends an import whose rejected rows went past the limit: the batch that went past writes its
/// rejected rows up to the limit, so they can be read and fixed, and nothing else.
pub(super) async fn stop_for_rejects(
    tx: &mut WriteTx,
    p: &PreparedImport,
    rows: &[sheets::Row],
    mut rejects: Vec<Reject>,
    state: &RunState,
) -> AppResult<()> {
    let allowed = p.max_rejected_rows.saturating_sub(state.rejected_rows);
    let mut numbers: Vec<i64> = rejects.iter().map(|r| r.row_number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let keep: HashSet<i64> = numbers.into_iter().take(allowed).collect();
    rejects.retain(|r| keep.contains(&r.row_number));
    let counts = BatchCounts {
        rejected: i64::try_from(keep.len()).unwrap_or(0),
        ..Default::default()
    };
    imports::insert_rejects(tx.conn(), p.import_id, &rejects).await?;
    imports::add_progress(tx.conn(), p.import_id, &counts).await?;
    let mut a = p.actor.audit("import_stopped", "import", p.import_id);
    a.community_id = Some(p.community_id);
    a.after = Some(serde_json::json!({
        "reason": ImportStatus::TooManyRejects.code(), "max_rejected_rows": p.max_rejected_rows,
        "first_row": rows.first().map(|r| r.number), "last_row": rows.last().map(|r| r.number),
    }));
    tx.audit(a).await?;
    Ok(())
}

impl RunState {
    /// Looks up, in a few statements, the buildings a batch names that this import has not
    /// seen yet, and their units: a county's register names ten thousand buildings, and one
    /// or two statements each cost its first load 0.4 s.
    async fn look_up_homes(
        &mut self,
        target: &mut Target<'_>,
        p: &PreparedImport,
        outcomes: &[RowOutcome],
    ) -> AppResult<()> {
        let mut names: Vec<String> = outcomes
            .iter()
            .filter_map(|o| match &o.parsed {
                Parsed::Good(g) if !self.buildings.contains_key(&g.building) => {
                    Some(g.building.clone())
                }
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            return Ok(());
        }
        let found = imports::buildings_named(target.conn(), p.community_id, &names).await?;
        if found.is_empty() {
            return Ok(());
        }
        let community = match self.community {
            Some(c) => c,
            None => {
                let c =
                    structure::placement(target.conn(), Node::Community(p.community_id)).await?;
                *self.community.insert(c)
            }
        };
        let mut reached = Vec::with_capacity(found.len());
        for b in found {
            let placement = Placement {
                grid_id: Some(b.grid_id),
                building_id: Some(b.id),
                ..community
            };
            let reach = p.actor.jurisdiction.covers(&placement);
            if reach {
                reached.push(b.id);
            }
            self.buildings.insert(b.name.clone(), reach.then_some(b));
        }
        for u in imports::units_of_buildings(target.conn(), &reached).await? {
            self.units.insert((u.building_id, u.name), u.id);
        }
        Ok(())
    }

    /// The building a row names: found in the community (and the actor's reach), or created
    /// when the import creates buildings, in the grid the row names or else the chosen one;
    /// otherwise the row's refusal.
    async fn building(
        &mut self,
        target: &mut Target<'_>,
        p: &PreparedImport,
        name: &str,
        grid_name: &str,
    ) -> AppResult<Result<Building, (Column, String, String)>> {
        let unknown = || {
            Err((
                Column::Building,
                "unknown_building".to_owned(),
                name.to_owned(),
            ))
        };
        if let Some(b) = self.buildings.get(name) {
            return Ok(b.clone().map_or_else(unknown, Ok));
        }
        let found = structure::building_by_name(target.conn(), p.community_id, name).await?;
        let found = match found {
            Some(b) => {
                let placement: Placement =
                    structure::placement(target.conn(), Node::Building(b.id)).await?;
                p.actor.jurisdiction.covers(&placement).then_some(b)
            }
            None => match &p.create_buildings_in {
                Some(chosen) => {
                    let grid = match self.grid_named(target, p, grid_name).await? {
                        Some(g) => g,
                        None if grid_name.is_empty() => chosen.clone(),
                        None => {
                            return Ok(Err((
                                Column::Grid,
                                "unknown_grid".to_owned(),
                                grid_name.to_owned(),
                            )));
                        }
                    };
                    Some(self.create_building(target, p, &grid, name).await?)
                }
                // The preview names the buildings the community lacks, so that staff can
                // choose to create them; their rows are refused until then.
                None => {
                    if matches!(target, Target::Preview(_)) {
                        self.new_buildings.push(name.to_owned());
                    }
                    None
                }
            },
        };
        self.buildings.insert(name.to_owned(), found.clone());
        Ok(found.map_or_else(unknown, Ok))
    }

    /// The grid of the community a row names, by its name or its number (`3` for 第3网格),
    /// among the grids the actor reaches.
    async fn grid_named(
        &mut self,
        target: &mut Target<'_>,
        p: &PreparedImport,
        name: &str,
    ) -> AppResult<Option<structure::Grid>> {
        if name.is_empty() {
            return Ok(None);
        }
        if self.grids.is_none() {
            let grids =
                structure::list_grids(target.conn(), &p.actor.jurisdiction, p.community_id).await?;
            self.grids = Some(grids);
        }
        let grids = self.grids.as_deref().unwrap_or_default();
        Ok(grid_matching(grids, name).cloned())
    }

    async fn create_building(
        &mut self,
        target: &mut Target<'_>,
        p: &PreparedImport,
        grid: &structure::Grid,
        name: &str,
    ) -> AppResult<Building> {
        let id = match target {
            Target::Write(tx) => {
                let id = structure::insert_building(tx.conn(), grid, name).await?;
                let mut e = p.actor.audit("building_create", "building", id);
                e.community_id = Some(p.community_id);
                e.after = Some(serde_json::json!({
                    "grid_id": grid.id, "name": name, "import_id": p.import_id,
                }));
                tx.audit(e).await?;
                id
            }
            Target::Preview(_) => {
                self.new_buildings.push(name.to_owned());
                self.new_id()
            }
        };
        Ok(Building {
            id,
            grid_id: grid.id,
            community_id: grid.community_id,
            name: name.to_owned(),
        })
    }

    /// The unit of a building by name, created by an import when missing (a preview counts it).
    async fn unit(
        &mut self,
        target: &mut Target<'_>,
        building_id: i64,
        name: &str,
    ) -> AppResult<i64> {
        let key = (building_id, name.to_owned());
        if let Some(id) = self.units.get(&key) {
            return Ok(*id);
        }
        let id = match target {
            Target::Write(tx) => {
                structure::unit_by_name_or_insert(tx.conn(), building_id, name).await?
            }
            Target::Preview(conn) => {
                let found = if building_id > 0 {
                    structure::unit_by_name(conn, building_id, name).await?
                } else {
                    None
                };
                match found {
                    Some(id) => id,
                    None => {
                        self.new_units += 1;
                        self.new_id()
                    }
                }
            }
        };
        self.units.insert(key, id);
        Ok(id)
    }

    fn new_id(&mut self) -> i64 {
        self.next_new_id -= 1;
        self.next_new_id
    }
}

/// The grid a register or roster names, by its name or by its number alone (`3` for 第3网格).
pub(super) fn grid_matching<'g>(
    grids: &'g [structure::Grid],
    name: &str,
) -> Option<&'g structure::Grid> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    grids.iter().find(|g| g.name == name).or_else(|| {
        let wanted = digits(name);
        if wanted.is_empty() || wanted.len() != name.chars().count() {
            return None;
        }
        grids.iter().find(|g| digits(&g.name) == wanted)
    })
}
