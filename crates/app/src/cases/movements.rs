//! The places and times a case was, as the tracer enters them: a building or a household of
//! the jurisdiction, a gate of the case's community, or a place outside.

use domain::cases::{self as dc, MovementKind};
use domain::validation::FieldErrors;
use store::cases::{self as cs, NewMovement};
use store::registry as reg;

use super::OBJECT_TYPE;
use crate::{Actor, App, AppError, AppResult};

/// A movement as entered.
#[derive(Debug, Clone, Default)]
pub struct MovementInput {
    pub kind: String,
    pub building_id: Option<i64>,
    pub gate_id: Option<i64>,
    pub household_id: Option<i64>,
    pub place: String,
    pub from_at: i64,
    pub to_at: i64,
}

impl App {
    /// Adds a place and time the case was.
    pub async fn add_case_movement(
        &self,
        actor: &Actor,
        case_id: i64,
        input: &MovementInput,
    ) -> AppResult<i64> {
        let mut tx = self.write_as(actor, dc::can_record(actor.role)).await?;
        let case = cs::case(tx.conn(), &actor.jurisdiction, case_id).await?;
        let mut e = FieldErrors::new();
        let kind = MovementKind::from_code(input.kind.trim());
        if let Err(code) = dc::check_movement_times(input.from_at, input.to_at, store::now_ms()) {
            e.add("to_at", code, "");
        }
        let (mut building_id, mut gate_id, mut household_id) = (None, None, None);
        match kind {
            None => e.add("kind", "unknown_kind", input.kind.trim()),
            Some(MovementKind::Building) => {
                let b = input.building_id.unwrap_or(0);
                match self.building_in(&mut tx, &actor.jurisdiction, b).await? {
                    Some(b) => building_id = Some(b.id),
                    None => e.add("building_id", "unknown_building", ""),
                }
            }
            Some(MovementKind::Gate) => {
                let g = input.gate_id.unwrap_or(0);
                if cs::gate_community(tx.conn(), g).await? == Some(case.community_id) {
                    gate_id = Some(g);
                } else {
                    e.add("gate_id", "unknown_gate", "");
                }
            }
            Some(MovementKind::Household) => {
                let h = input.household_id.unwrap_or(0);
                match reg::household(tx.conn(), &actor.jurisdiction, h).await {
                    Ok(h) => {
                        household_id = Some(h.id);
                        building_id = Some(h.building_id);
                    }
                    Err(_) => e.add("household_id", "unknown_household", ""),
                }
            }
            Some(MovementKind::Outside) => {
                if input.place.trim().is_empty() {
                    e.add("place", "required", "");
                }
            }
        }
        if input.place.chars().count() > 200 {
            e.add("place", "too_long", "");
        }
        e.into_result()?;
        let Some(kind) = kind else {
            return Err(AppError::Internal("movement kind".to_owned()));
        };
        let now = store::now_ms();
        let id = cs::insert_movement(
            tx.conn(),
            &NewMovement {
                case_id,
                kind,
                building_id,
                gate_id,
                household_id,
                place: input.place.trim(),
                from_at: input.from_at,
                to_at: input.to_at,
                created_by: actor.account_id,
                at: now,
            },
        )
        .await?;
        let mut a = actor.audit("case_movement_add", OBJECT_TYPE, case_id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({
            "movement_id": id, "kind": kind.code(), "building_id": building_id,
            "gate_id": gate_id, "household_id": household_id, "place": input.place.trim(),
            "from_at": input.from_at, "to_at": input.to_at,
        }));
        tx.audit(a).await?;
        tx.commit().await?;
        Ok(id)
    }
}
