//! The quarantine roster: the list's filters and its bounded count, the export of what a filter
//! selects (a sensitive read, audited), the printable roster of a grid, and where residents
//! stand in quarantine as the registry shows it.

use std::collections::HashMap;

use domain::page::PageRequest;
use domain::quarantine::{self as q, EndsOn, Kind, Standing, State};
use domain::resident::date_from_text;
use domain::validation::FieldErrors;
use store::quarantine::{self as qs, OrderFilter, RosterLine};
use store::structure::Grid;

use super::OrderQuery;
use crate::{Actor, App, AppError, AppResult};

/// The count of a list stops here: beyond it a page says "more than".
const COUNT_CAP: i64 = 10_000;

/// The most lines an export or a printed roster holds.
pub const ROSTER_LIMIT: i64 = 50_000;

/// A grid's printed roster holds at most this many lines (a grid has a few hundred households).
const GRID_ROSTER_LIMIT: i64 = 2_000;

/// How many orders a list's filter selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListCount {
    /// The count, or the cap when `more` is set.
    pub n: i64,
    /// More than `n` orders match.
    pub more: bool,
}

fn text_filter(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl App {
    /// The store's filter for a list query: its codes checked, "ends today" or "tomorrow" made
    /// a date in the community's time zone.
    pub(super) fn order_filter(&self, query: &OrderQuery) -> AppResult<OrderFilter> {
        let state = text_filter(query.state.as_deref()).filter(|s| *s != "open");
        let one_state = state
            .filter(|s| *s != "all")
            .map(|s| State::from_code(s).ok_or_else(|| AppError::field("state", "unknown_state")))
            .transpose()?;
        let kind = text_filter(query.kind.as_deref())
            .map(|k| Kind::from_code(k).ok_or_else(|| AppError::field("kind", "unknown_kind")))
            .transpose()?;
        let end_date = text_filter(query.ends.as_deref())
            .map(|e| {
                EndsOn::from_code(e)
                    .map(|e| e.date(self.today()).to_string())
                    .ok_or_else(|| AppError::field("ends", "unknown_ends"))
            })
            .transpose()?;
        Ok(OrderFilter {
            state: one_state,
            open_only: state.is_none(),
            household_id: query.household_id,
            resident_id: query.resident_id,
            grid_id: query.grid_id,
            building_id: query.building_id,
            kind,
            end_date,
            by_end: query.sort.as_deref() == Some("end"),
        })
    }

    /// How many orders the list's filter selects, counted up to a cap.
    pub async fn count_quarantine_orders(
        &self,
        actor: &Actor,
        query: &OrderQuery,
    ) -> AppResult<ListCount> {
        actor.require(q::can_read(actor.role))?;
        let filter = self.order_filter(query)?;
        let mut conn = self.db.conn().await?;
        let n = qs::count_orders(&mut conn, &actor.jurisdiction, &filter, COUNT_CAP).await?;
        Ok(ListCount {
            n: n.min(COUNT_CAP),
            more: n > COUNT_CAP,
        })
    }

    /// The lines of every order the filter selects, for an export: ID numbers masked, the read
    /// audited with the filter and the number of lines, as any export of residents' data is.
    pub async fn export_quarantine_orders(
        &self,
        actor: &Actor,
        query: &OrderQuery,
        format: &str,
    ) -> AppResult<Vec<RosterLine>> {
        actor.require(q::can_read(actor.role) && actor.role.can_export())?;
        let filter = self.order_filter(query)?;
        let mut lines = Vec::new();
        let mut after = None;
        let mut conn = self.db.conn().await?;
        loop {
            let page = qs::roster_lines(
                &mut conn,
                &actor.jurisdiction,
                &filter,
                PageRequest::new(after, Some(500)),
            )
            .await?;
            lines.extend(page.items);
            if lines.len() > usize::try_from(ROSTER_LIMIT).unwrap_or(usize::MAX) {
                let mut e = FieldErrors::new();
                e.add("_form", "too_many_rows", ROSTER_LIMIT.to_string());
                return Err(AppError::Validation(e));
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        drop(conn);
        let j = &actor.jurisdiction;
        let mut a = actor.audit(
            "quarantine_export",
            "quarantine_orders",
            format!("{}:{}", j.level.code(), j.id),
        );
        a.after = Some(serde_json::json!({
            "rows": lines.len(), "format": format, "state": query.state, "kind": query.kind,
            "ends": query.ends, "grid_id": query.grid_id, "building_id": query.building_id,
        }));
        self.db.write().await?.commit_audited(a).await?;
        Ok(lines)
    }

    /// The printable roster of a grid: its planned and active orders by building, unit and room.
    pub async fn grid_quarantine_roster(
        &self,
        actor: &Actor,
        grid_id: i64,
    ) -> AppResult<(Grid, Vec<RosterLine>)> {
        actor.require(q::can_read(actor.role))?;
        let grid = self.grid(actor, grid_id).await?;
        let mut conn = self.db.conn().await?;
        let lines =
            qs::grid_roster(&mut conn, &actor.jurisdiction, grid_id, GRID_ROSTER_LIMIT).await?;
        Ok((grid, lines))
    }

    /// Where each of some residents stands in quarantine today, read in one statement; a
    /// resident with no open order is absent. Empty for a role that may not read orders.
    pub async fn quarantine_standings(
        &self,
        actor: &Actor,
        resident_ids: &[i64],
    ) -> AppResult<HashMap<i64, Standing>> {
        if !q::can_read(actor.role) {
            return Ok(HashMap::new());
        }
        let mut conn = self.db.conn().await?;
        let orders =
            qs::open_orders_of_residents(&mut conn, &actor.jurisdiction, resident_ids).await?;
        let today = self.today();
        Ok(orders
            .into_iter()
            .filter_map(|o| {
                let start = date_from_text(&o.start_date)?;
                let end = date_from_text(&o.end_date)?;
                Some((o.resident_id, q::standing(o.state, start, end, today)?))
            })
            .collect())
    }
}

/// A table as the file an export is downloaded as; in CSV a cell a spreadsheet would run as a
/// formula is written as text.
pub fn roster_file(
    format: crate::registry::ExportFormat,
    sheet_name: &str,
    headers: &[String],
    mut rows: Vec<Vec<String>>,
) -> AppResult<Vec<u8>> {
    match format {
        crate::registry::ExportFormat::Csv => {
            for cell in rows.iter_mut().flatten() {
                if cell.starts_with(['=', '+', '-', '@']) {
                    cell.insert(0, '\'');
                }
            }
            Ok(sheets::write_csv(headers, &rows))
        }
        crate::registry::ExportFormat::Xlsx => sheets::write_xlsx(sheet_name, headers, &rows)
            .map_err(|e| AppError::Internal(format!("xlsx export failed: {e}"))),
    }
}
