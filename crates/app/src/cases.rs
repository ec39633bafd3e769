//! Cases (C6): recording a suspected case seals its building at once; confirming it makes its
//! unit the outbreak point with an alert zone and disinfection; excluding it lifts its seal.
//! The lead sets the community's control level. Tracing and follow-up are in [`tracing`];
//! the risk map and the transmission chain in [`map`].

use domain::access::Jurisdiction;
use domain::cases::{self as dc, Decision, EndReason, Source, Status};
use domain::page::{Page, PageRequest};
use domain::resident::date_from_text;
use domain::validation::FieldErrors;
use serde::Serialize;
use store::WriteTx;
use store::cases::{self as cs, Case, CaseFilter, Movement, NewCase};
use store::registry as reg;
use store::structure::{self, Node};

use crate::error::conflict_as;
use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

mod level;
pub(crate) use level::LevelCache;
pub mod map;
mod measures;
mod movements;
mod places;
pub mod tracing;

pub use measures::JOBS;
pub use movements::MovementInput;

/// The audit object type of a case.
pub const OBJECT_TYPE: &str = "case";

/// The tracing and zone rules, from configuration.
#[derive(Debug, Clone, Copy)]
pub struct CaseRules {
    /// Days before symptom onset (or the test) in which contacts are looked for.
    pub trace_days: i64,
    /// How close in minutes a passage at the same gate counts.
    pub gate_minutes: i64,
    /// Days without a new case after which zones and seals end by rule.
    pub quiet_days: i64,
}

impl Default for CaseRules {
    fn default() -> Self {
        CaseRules {
            trace_days: 14,
            gate_minutes: 5,
            quiet_days: dc::QUIET_DAYS_DEFAULT,
        }
    }
}

/// A case as entered: the person is a resident, a visitor from the gate log, or someone
/// registered nowhere (a name and the building they stay in).
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub resident_id: Option<i64>,
    pub visitor_id: Option<i64>,
    pub person_name: String,
    /// Where an unregistered person or a visitor stays: a household, or else a building.
    pub household_id: Option<i64>,
    pub building_id: Option<i64>,
    pub source: String,
    pub onset_on: String,
    pub tested_on: String,
    pub reference: String,
    pub note: String,
    pub traced_from_id: Option<i64>,
}

/// A decision on a suspected case: confirmed (with the alert zone's other buildings) or
/// excluded.
#[derive(Debug, Clone, Default)]
pub struct DecisionInput {
    pub decision: String,
    /// Buildings the lead adds to the alert zone around the case's own.
    pub zone_buildings: Vec<i64>,
    pub note: String,
}

/// Everything the case's page shows.
#[derive(Debug, Clone, Serialize)]
pub struct CaseFile {
    pub case: Case,
    pub movements: Vec<Movement>,
    pub seals: Vec<cs::Seal>,
    pub zones: Vec<cs::Zone>,
    pub disinfections: Vec<cs::Disinfection>,
}

/// Where a case is counted: its community, grid, building and, when known, unit and household.
struct Place {
    community_id: i64,
    grid_id: i64,
    building_id: i64,
    unit_id: Option<i64>,
    household_id: Option<i64>,
}

impl App {
    /// Records a suspected case and seals its building at once: every household in it is
    /// sealed, their passes suspended, the gate refuses them. Returns the case's id.
    pub async fn record_case(&self, actor: &Actor, input: &CaseInput) -> AppResult<i64> {
        let mut tx = self.write_as(actor, dc::can_record(actor.role)).await?;
        let mut e = FieldErrors::new();
        let source = Source::from_code(input.source.trim());
        if source.is_none() {
            e.add("source", "unknown_source", input.source.trim());
        }
        let onset = optional_date(&input.onset_on, "onset_on", &mut e);
        let tested = optional_date(&input.tested_on, "tested_on", &mut e);
        let (name, place) = self.case_person(&mut tx, actor, input, &mut e).await?;
        if let Some(from) = input.traced_from_id {
            let from = cs::case(tx.conn(), &actor.jurisdiction, from).await;
            if from.is_err() {
                e.add("traced_from_id", "unknown_case", "");
            }
        }
        e.into_result()?;
        let (Some(source), Some(place)) = (source, place) else {
            return Err(AppError::Internal("case input".to_owned()));
        };
        let now = store::now_ms();
        let new = NewCase {
            community_id: place.community_id,
            grid_id: place.grid_id,
            building_id: place.building_id,
            unit_id: place.unit_id,
            household_id: place.household_id,
            resident_id: input.resident_id,
            visitor_id: input.visitor_id,
            person_name: &name,
            source,
            onset_on: onset.as_deref(),
            tested_on: tested.as_deref(),
            reference: input.reference.trim(),
            note: input.note.trim(),
            traced_from_id: input.traced_from_id,
            at: now,
            created_by: actor.account_id,
        };
        // The field the person was named by carries the refusal.
        let person_field = match (input.resident_id, input.visitor_id) {
            (Some(_), _) => "resident_id",
            (None, Some(_)) => "visitor_id",
            (None, None) => "person_name",
        };
        if let Some(existing) = cs::open_case_of(tx.conn(), &new).await? {
            let mut e = FieldErrors::new();
            e.add(person_field, "already_a_case", existing.to_string());
            return Err(e.into());
        }
        let id = cs::insert_case(tx.conn(), &new)
            .await
            .map_err(conflict_as(person_field, "already_a_case"))?;
        let mut a = actor.audit("case_record", OBJECT_TYPE, id);
        a.community_id = Some(place.community_id);
        a.after = Some(serde_json::json!({
            "status": "suspected", "source": source.code(), "resident_id": input.resident_id,
            "visitor_id": input.visitor_id, "building_id": place.building_id,
            "household_id": place.household_id, "onset_on": onset, "tested_on": tested,
            "traced_from_id": input.traced_from_id,
        }));
        tx.audit(a).await?;
        self.seal_building(
            &mut tx,
            actor,
            id,
            place.community_id,
            place.building_id,
            now,
        )
        .await?;
        self.raise(&mut tx, actor, Event::CaseSuspected { case_id: id })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Who the case is and where they are counted; errors are added to `e`.
    async fn case_person(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        input: &CaseInput,
        e: &mut FieldErrors,
    ) -> AppResult<(String, Option<Place>)> {
        let j = &actor.jurisdiction;
        // A person or a place outside the jurisdiction does not exist, as everywhere else.
        if let Some(rid) = input.resident_id {
            let r = reg::resident(tx.conn(), j, rid).await?;
            let h = reg::household(tx.conn(), &Jurisdiction::ALL, r.address.household_id).await?;
            let place = Place {
                community_id: r.address.community_id,
                grid_id: r.address.grid_id,
                building_id: r.address.building_id,
                unit_id: Some(h.unit_id),
                household_id: Some(h.id),
            };
            return Ok((r.particulars.name, Some(place)));
        }
        let mut name = input.person_name.trim().to_owned();
        if let Some(vid) = input.visitor_id {
            match cs::visitor_name(tx.conn(), vid).await? {
                Some(n) => name = n,
                None => e.add("visitor_id", "unknown_visitor", ""),
            }
        }
        if name.is_empty() {
            e.add("person_name", "required", "");
        } else if name.chars().count() > 100 {
            e.add("person_name", "too_long", "");
        }
        let place = if let Some(hid) = input.household_id {
            let h = reg::household(tx.conn(), j, hid).await?;
            Some(Place {
                community_id: h.community_id,
                grid_id: h.grid_id,
                building_id: h.building_id,
                unit_id: Some(h.unit_id),
                household_id: Some(h.id),
            })
        } else if let Some(bid) = input.building_id {
            let b = self
                .building_in(tx, j, bid)
                .await?
                .ok_or(AppError::NotFound)?;
            Some(Place {
                community_id: b.community_id,
                grid_id: b.grid_id,
                building_id: b.id,
                unit_id: None,
                household_id: None,
            })
        } else {
            e.add("building_id", "required", "");
            None
        };
        Ok((name, place))
    }

    /// A building in the jurisdiction, or `None`.
    pub(crate) async fn building_in(
        &self,
        tx: &mut WriteTx,
        j: &Jurisdiction,
        building_id: i64,
    ) -> AppResult<Option<structure::Building>> {
        let Ok(b) = structure::building(tx.conn(), building_id).await else {
            return Ok(None);
        };
        let p = structure::placement(tx.conn(), Node::Building(b.id)).await?;
        Ok(j.covers(&p).then_some(b))
    }

    async fn seal_building(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        case_id: i64,
        community_id: i64,
        building_id: i64,
        now: i64,
    ) -> AppResult<()> {
        if !cs::insert_seal(tx.conn(), case_id, building_id, now).await? {
            return Ok(());
        }
        let mut a = actor.audit("seal_start", "building", building_id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({ "case_id": case_id }));
        tx.audit(a).await?;
        self.raise(
            tx,
            actor,
            Event::BuildingSealed {
                case_id,
                building_id,
            },
        )
        .await
    }

    /// Ends a case's seals (all, or one building's), raising a release for each building so
    /// its households' passes come back where nothing else holds them.
    async fn end_case_seals(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        case: &Case,
        building_id: Option<i64>,
        reason: EndReason,
        note: &str,
    ) -> AppResult<usize> {
        let now = store::now_ms();
        let ended = cs::end_seals(
            tx.conn(),
            case.id,
            building_id,
            reason,
            note,
            actor.account_id,
            now,
        )
        .await?;
        for b in &ended {
            let mut a = actor.audit("seal_end", "building", *b);
            a.community_id = Some(case.community_id);
            a.after = Some(serde_json::json!({
                "case_id": case.id, "reason": reason.code(), "note": note,
            }));
            tx.audit(a).await?;
            let released = Event::BuildingReleased {
                case_id: case.id,
                building_id: *b,
            };
            self.raise(tx, actor, released).await?;
        }
        Ok(ended.len())
    }

    /// Confirms or excludes a suspected case. Confirmed: the case's unit becomes the outbreak
    /// point, its building and the buildings chosen the alert zone, each with a disinfection
    /// task due today. Excluded: the case's seals end, and with them the suspension of the
    /// passes no other seal or quarantine holds.
    pub async fn decide_case(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &DecisionInput,
    ) -> AppResult<Status> {
        let mut tx = self.write_as(actor, dc::can_decide(actor.role)).await?;
        let case = cs::case(tx.conn(), &actor.jurisdiction, case_id).await?;
        let Some(decision) = Decision::from_code(input.decision.trim()) else {
            return Err(AppError::field("decision", "unknown_decision"));
        };
        let status = dc::decide(case.status, decision)
            .map_err(|_| AppError::Conflict(ErrorCode::CaseNotSuspected))?;
        let now = store::now_ms();
        let mut zone = vec![case.building_id];
        if decision == Decision::Confirm {
            for b in &input.zone_buildings {
                match self.building_in(&mut tx, &actor.jurisdiction, *b).await? {
                    Some(b) if b.community_id == case.community_id => zone.push(b.id),
                    _ => return Err(AppError::field("zone_buildings", "unknown_building")),
                }
            }
            zone.sort_unstable();
            zone.dedup();
        }
        cs::set_status(tx.conn(), case.id, status, now).await?;
        let mut a = actor.audit("case_decide", OBJECT_TYPE, case.id);
        a.community_id = Some(case.community_id);
        a.before = Some(serde_json::json!({ "status": case.status.code() }));
        a.after = Some(serde_json::json!({
            "status": status.code(), "note": input.note.trim(),
            "zone_buildings": (decision == Decision::Confirm).then_some(&zone),
        }));
        tx.audit(a).await?;
        match decision {
            Decision::Confirm => self.draw_zone(&mut tx, actor, &case, &zone, now).await?,
            Decision::Exclude => {
                self.end_case_seals(&mut tx, actor, &case, None, EndReason::Excluded, "")
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(status)
    }

    async fn draw_zone(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        case: &Case,
        zone: &[i64],
        now: i64,
    ) -> AppResult<()> {
        use domain::cases::ZoneKind;
        cs::insert_zone(
            tx.conn(),
            case.id,
            ZoneKind::OutbreakPoint,
            case.building_id,
            case.unit_id,
            now,
        )
        .await?;
        for b in zone {
            cs::insert_zone(tx.conn(), case.id, ZoneKind::AlertZone, *b, None, now).await?;
        }
        let today = self.today().to_string();
        let tasks = cs::insert_disinfections(tx.conn(), case.id, &today, now).await?;
        let mut a = actor.audit("zone_draw", OBJECT_TYPE, case.id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({
            "outbreak_building_id": case.building_id, "outbreak_unit_id": case.unit_id,
            "alert_zone": zone, "disinfection_tasks": tasks,
        }));
        tx.audit(a).await?;
        Ok(())
    }

    /// Marks the case report sent to the CDC.
    pub async fn mark_case_report_sent(&self, actor: &Actor, case_id: i64) -> AppResult<()> {
        let mut tx = self.write_as(actor, dc::can_record(actor.role)).await?;
        let case = cs::case(tx.conn(), &actor.jurisdiction, case_id).await?;
        if case.status != Status::Confirmed {
            return Err(AppError::Conflict(ErrorCode::CaseNotConfirmed));
        }
        let now = store::now_ms();
        cs::set_report_sent(tx.conn(), case.id, now, actor.account_id).await?;
        let mut a = actor.audit("case_report_sent", OBJECT_TYPE, case.id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({ "sent_at": now }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Cases in the actor's jurisdiction, newest first.
    pub async fn cases(
        &self,
        actor: &Actor,
        filter: &CaseFilter,
        page: PageRequest,
    ) -> AppResult<Page<Case>> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        Ok(cs::list_cases(&mut conn, &actor.jurisdiction, filter, page).await?)
    }

    /// A case with its movements, seals, zones and disinfections: an audited read (a person's
    /// health and movements).
    pub async fn case_file(&self, actor: &Actor, id: i64) -> AppResult<CaseFile> {
        let mut conn = self.read_as(actor, dc::can_view(actor.role)).await?;
        let case = cs::case(&mut conn, &actor.jurisdiction, id).await?;
        let file = CaseFile {
            movements: cs::movements(&mut conn, id).await?,
            seals: cs::seals_of_case(&mut conn, id).await?,
            zones: cs::zones_of_case(&mut conn, id).await?,
            disinfections: cs::disinfections_of_case(&mut conn, id).await?,
            case,
        };
        drop(conn);
        let tx = self.db.write().await?;
        let mut a = actor.audit("case_read", OBJECT_TYPE, id);
        a.community_id = Some(file.case.community_id);
        tx.commit_audited(a).await?;
        Ok(file)
    }

    /// The contacts a case's follow-up has recorded, by key.
    pub async fn followed_contacts(
        &self,
        actor: &Actor,
        case_id: i64,
        page: PageRequest,
    ) -> AppResult<Page<cs::CaseContact>> {
        let allowed = dc::can_trace(actor.role) || actor.role == domain::access::Role::Auditor;
        let mut conn = self.read_as(actor, allowed).await?;
        cs::case(&mut conn, &actor.jurisdiction, case_id).await?;
        Ok(cs::contacts(&mut conn, case_id, page).await?)
    }
}

/// Whether the jurisdiction covers the community or lies within it (a grid's worker sees the
/// level of the community their grid belongs to).
pub(crate) async fn sees_community(
    conn: &mut store::Conn,
    j: &Jurisdiction,
    community_id: i64,
) -> AppResult<bool> {
    use domain::access::Level;
    let p = structure::placement(conn, Node::Community(community_id)).await?;
    if j.covers(&p) {
        return Ok(true);
    }
    let inner = match j.level {
        Level::Grid => structure::placement(conn, Node::Grid(j.id)).await?,
        Level::Building => structure::placement(conn, Node::Building(j.id)).await?,
        _ => return Ok(false),
    };
    Ok(inner.community_id == community_id)
}

/// [`sees_community`], or `NotFound`: a community outside the jurisdiction does not exist.
pub(crate) async fn require_community(
    conn: &mut store::Conn,
    j: &Jurisdiction,
    community_id: i64,
) -> AppResult<()> {
    if sees_community(conn, j, community_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

fn optional_date(text: &str, field: &str, e: &mut FieldErrors) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match date_from_text(text) {
        Some(d) => Some(d.to_string()),
        None => {
            e.add(field, "invalid_date", text);
            None
        }
    }
}
