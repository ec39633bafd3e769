//! Issuing passes: one household pass per household (one at a time or for a whole building,
//! grid or community at once), commuter passes on the employer's proof, vehicle passes by
//! number plate; reissue after a loss revokes the old pass at once. One person, one pass: the
//! store's unique indexes refuse a second pass of a kind, whatever the application checks.

use domain::checkpoint::{self as cp, CommuterHours, PassKind, PassState, Plate, StateReason};
use domain::validation::FieldErrors;
use store::passes::{self as pst, NewPass, Pass};
use store::registry as reg;

use super::OBJECT_TYPE;
use crate::error::conflict_as;
use crate::{Actor, App, AppError, AppResult};

/// Which households a bulk issue covers: the actor's whole jurisdiction, narrowed to a grid or
/// a building.
#[derive(Debug, Clone, Copy, Default)]
pub struct IssueScope {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
}

/// A commuter pass as staff fill it in from the employer's proof.
#[derive(Debug, Clone, Default)]
pub struct CommuterInput {
    pub resident_id: i64,
    pub employer: String,
    /// The date on the employer's stamp (ISO).
    pub proof_stamped_on: String,
    /// Staff confirm they saw the stamped proof.
    pub proof_checked: bool,
    /// Weekday digits, `12345` for Monday to Friday.
    pub valid_days: String,
    /// `07:00-19:00`.
    pub valid_hours: String,
}

const EMPLOYER_MAX: usize = 100;

fn invalid(field: &str, code: &str) -> AppError {
    AppError::field(field, code)
}

impl App {
    fn pass_validity(&self) -> (i64, i64) {
        let now = store::now_ms();
        (now, now + self.settings.gates.pass_days * 86_400_000)
    }

    /// Issues the household's pass (suspended at once when the household is sealed).
    pub async fn issue_household_pass(&self, actor: &Actor, household_id: i64) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let h = reg::household(tx.conn(), &actor.jurisdiction, household_id).await?;
        let (issued_at, expires_at) = self.pass_validity();
        let q = self.settings.gates.household_quota;
        let new = NewPass {
            kind: PassKind::Household,
            home: h.home(),
            resident_id: None,
            plate: None,
            employer: None,
            proof_stamped_on: None,
            proof_checked_by: None,
            valid_days: None,
            valid_hours: None,
            quota_exits: i64::from(q.exits),
            quota_days: i64::from(q.days),
            issued_at,
            expires_at,
            replaces_id: None,
            created_by: actor.account_id,
        };
        self.store_new_pass(tx, actor, &new, "household_id").await
    }

    /// Issues a household pass to every household in the scope that has none; one audit entry
    /// for the batch. Returns how many were issued.
    pub async fn issue_household_passes(&self, actor: &Actor, scope: IssueScope) -> AppResult<u64> {
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        if let Some(g) = scope.grid_id {
            self.placement_in_scope(actor, store::structure::Node::Grid(g))
                .await?;
        }
        if let Some(b) = scope.building_id {
            self.placement_in_scope(actor, store::structure::Node::Building(b))
                .await?;
        }
        let (issued_at, expires_at) = self.pass_validity();
        let q = self.settings.gates.household_quota;
        let batch = pst::HouseholdBatch {
            grid_id: scope.grid_id,
            building_id: scope.building_id,
            quota_exits: i64::from(q.exits),
            quota_days: i64::from(q.days),
            issued_at,
            expires_at,
            created_by: actor.account_id,
        };
        let issued = pst::issue_household_passes(tx.conn(), &actor.jurisdiction, &batch).await?;
        let mut a = actor.audit("pass_issue_households", OBJECT_TYPE, 0);
        a.after = Some(serde_json::json!({
            "grid_id": scope.grid_id, "building_id": scope.building_id, "issued": issued,
            "expires_at": expires_at,
        }));
        tx.commit_audited(a).await?;
        Ok(issued)
    }

    /// Issues a commuter pass on the employer's proof, which staff must have seen.
    pub async fn issue_commuter_pass(
        &self,
        actor: &Actor,
        input: &CommuterInput,
    ) -> AppResult<i64> {
        let mut e = FieldErrors::new();
        let employer = e
            .check(
                "employer",
                domain::registry::Label::parse(&input.employer, EMPLOYER_MAX),
            )
            .map(domain::registry::Label::into_string)
            .unwrap_or_default();
        let stamped = match input.proof_stamped_on.trim().parse::<jiff::civil::Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                e.add(
                    "proof_stamped_on",
                    "date_format",
                    input.proof_stamped_on.trim(),
                );
                None
            }
        };
        if !input.proof_checked {
            e.add("proof_checked", "proof_not_checked", "");
        }
        let hours = match CommuterHours::parse(&input.valid_days, &input.valid_hours) {
            Ok(h) => Some(h),
            Err(err) => {
                let field = match err {
                    cp::HoursError::Days => "valid_days",
                    cp::HoursError::Hours => "valid_hours",
                };
                e.add(field, err.code(), "");
                None
            }
        };
        if let Some(s) = stamped
            && s > self.today()
        {
            e.add("proof_stamped_on", "date_in_future", s.to_string());
        }
        e.into_result()?;
        let (Some(stamped), Some(hours)) = (stamped, hours) else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let r = reg::resident(tx.conn(), &actor.jurisdiction, input.resident_id).await?;
        let (issued_at, expires_at) = self.pass_validity();
        let (stamped, days, hours_text) =
            (stamped.to_string(), hours.days_text(), hours.hours_text());
        let new = NewPass {
            kind: PassKind::Commuter,
            home: r.address.home(),
            resident_id: Some(r.id),
            plate: None,
            employer: Some(&employer),
            proof_stamped_on: Some(&stamped),
            proof_checked_by: Some(actor.account_id),
            valid_days: Some(&days),
            valid_hours: Some(&hours_text),
            quota_exits: 0,
            quota_days: 1,
            issued_at,
            expires_at,
            replaces_id: None,
            created_by: actor.account_id,
        };
        self.store_new_pass(tx, actor, &new, "resident_id").await
    }

    /// Issues a vehicle pass for a household's car by its number plate.
    pub async fn issue_vehicle_pass(
        &self,
        actor: &Actor,
        household_id: i64,
        plate: &str,
    ) -> AppResult<i64> {
        let plate = Plate::parse(plate).map_err(|e| invalid("plate", e.code()))?;
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let h = reg::household(tx.conn(), &actor.jurisdiction, household_id).await?;
        let (issued_at, expires_at) = self.pass_validity();
        let new = NewPass {
            kind: PassKind::Vehicle,
            home: h.home(),
            resident_id: None,
            plate: Some(plate.as_str()),
            employer: None,
            proof_stamped_on: None,
            proof_checked_by: None,
            valid_days: None,
            valid_hours: None,
            quota_exits: 0,
            quota_days: 1,
            issued_at,
            expires_at,
            replaces_id: None,
            created_by: actor.account_id,
        };
        self.store_new_pass(tx, actor, &new, "plate").await
    }

    /// Stores a new pass, suspended at once when its household is sealed, audited; a second
    /// pass of the kind is refused on `field` (`pass_exists`).
    async fn store_new_pass(
        &self,
        mut tx: store::WriteTx,
        actor: &Actor,
        new: &NewPass<'_>,
        field: &'static str,
    ) -> AppResult<i64> {
        let id = pst::insert_pass(tx.conn(), new)
            .await
            .map_err(conflict_as(field, "pass_exists"))?;
        let sealed = pst::seal_reason(tx.conn(), new.home.household_id).await?;
        if let Some(reason) = sealed {
            pst::set_state(
                tx.conn(),
                id,
                PassState::Suspended,
                Some(reason),
                new.issued_at,
            )
            .await?;
        }
        let mut a = actor.audit("pass_issue", OBJECT_TYPE, id);
        a.community_id = Some(new.home.community_id);
        a.after = Some(serde_json::json!({
            "kind": new.kind.code(), "household_id": new.home.household_id,
            "resident_id": new.resident_id, "plate": new.plate, "employer": new.employer,
            "proof_stamped_on": new.proof_stamped_on, "valid_days": new.valid_days,
            "valid_hours": new.valid_hours, "expires_at": new.expires_at,
            "replaces_id": new.replaces_id, "suspended": sealed.is_some(),
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Revokes a pass for good (lost or withdrawn), with a reason; audited.
    pub async fn revoke_pass(
        &self,
        actor: &Actor,
        id: i64,
        why: StateReason,
        note: &str,
    ) -> AppResult<()> {
        if !matches!(why, StateReason::Lost | StateReason::Withdrawn) {
            return Err(invalid("reason", "unknown_reason"));
        }
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let p = pst::pass(tx.conn(), &actor.jurisdiction, id).await?;
        if p.state == PassState::Revoked {
            return Err(AppError::Conflict(crate::ErrorCode::PassRevoked));
        }
        pst::set_state(
            tx.conn(),
            id,
            PassState::Revoked,
            Some(why),
            store::now_ms(),
        )
        .await?;
        let mut a = actor.audit("pass_revoke", OBJECT_TYPE, id);
        a.community_id = Some(p.address.community_id);
        a.before = Some(serde_json::json!({ "state": p.state.code() }));
        a.after = Some(serde_json::json!({ "state": "revoked", "reason": why.code() }));
        let note = note.trim();
        a.reason = (!note.is_empty()).then(|| note.chars().take(300).collect());
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Replaces a lost pass: the old one is revoked at once and a new one, with a new id (so
    /// the old code is refused), is issued with the same holder and terms.
    pub async fn reissue_pass(&self, actor: &Actor, id: i64) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let old: Pass = pst::pass(tx.conn(), &actor.jurisdiction, id).await?;
        if old.state == PassState::Revoked {
            return Err(AppError::Conflict(crate::ErrorCode::PassRevoked));
        }
        let now = store::now_ms();
        pst::set_state(
            tx.conn(),
            id,
            PassState::Revoked,
            Some(StateReason::Reissued),
            now,
        )
        .await?;
        let mut a = actor.audit("pass_revoke", OBJECT_TYPE, id);
        a.community_id = Some(old.address.community_id);
        a.before = Some(serde_json::json!({ "state": old.state.code() }));
        a.after = Some(serde_json::json!({ "state": "revoked", "reason": "reissued" }));
        tx.audit(a).await?;
        let (issued_at, expires_at) = self.pass_validity();
        let new = NewPass {
            kind: old.kind,
            home: old.address.home(),
            resident_id: old.resident_id,
            plate: old.plate.as_deref(),
            employer: old.employer.as_deref(),
            proof_stamped_on: old.proof_stamped_on.as_deref(),
            proof_checked_by: old.proof_checked_by,
            valid_days: old.valid_days.as_deref(),
            valid_hours: old.valid_hours.as_deref(),
            quota_exits: old.quota_exits,
            quota_days: old.quota_days,
            issued_at,
            expires_at,
            replaces_id: Some(old.id),
            created_by: actor.account_id,
        };
        self.store_new_pass(tx, actor, &new, "pass_id").await
    }
}
