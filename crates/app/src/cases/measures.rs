//! Ending what a case set up: the lead ends a seal or the zone with a reason, the quiet-days
//! rule ends them as the system, and the zone's buildings are marked disinfected.

use domain::access::Jurisdiction;
use domain::cases::{self as dc, EndReason};
use store::WriteTx;
use store::cases as cs;

use super::OBJECT_TYPE;
use crate::jobs::{Job, daily_periods};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

impl App {
    /// Ends a case's seal of a building, or its zones, before the rule would: the lead's
    /// decision, with a note. `building_id` `None` ends the zones and every seal of the case.
    pub async fn end_case_measures(
        &self,
        actor: &Actor,
        case_id: i64,
        building_id: Option<i64>,
        note: &str,
    ) -> AppResult<usize> {
        let mut tx = self.write_as(actor, dc::can_decide(actor.role)).await?;
        let case = cs::case(tx.conn(), &actor.jurisdiction, case_id).await?;
        let note = note.trim();
        if note.is_empty() {
            return Err(AppError::field("note", "reason_required"));
        }
        let mut ended = self
            .end_case_seals(&mut tx, actor, &case, building_id, EndReason::Lead, note)
            .await?;
        if building_id.is_none() {
            let now = store::now_ms();
            let zones = cs::end_zones(
                tx.conn(),
                case.id,
                EndReason::Lead,
                note,
                actor.account_id,
                now,
            )
            .await?;
            if zones > 0 {
                let mut a = actor.audit("zone_end", OBJECT_TYPE, case.id);
                a.community_id = Some(case.community_id);
                a.after = Some(serde_json::json!({ "reason": "lead", "note": note }));
                tx.audit(a).await?;
            }
            ended += zones as usize;
        }
        tx.commit().await?;
        Ok(ended)
    }

    /// Marks a zone building's disinfection done.
    pub async fn finish_disinfection(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self.write_as(actor, dc::can_disinfect(actor.role)).await?;
        let d = cs::disinfection(tx.conn(), &actor.jurisdiction, id).await?;
        if !cs::finish_disinfection(tx.conn(), id, actor.account_id, store::now_ms()).await? {
            return Err(AppError::Conflict(ErrorCode::TaskClosed));
        }
        let mut a = actor.audit("disinfection_done", "disinfection_task", id);
        a.community_id = Some(
            cs::case(tx.conn(), &Jurisdiction::ALL, d.case_id)
                .await?
                .community_id,
        );
        a.after = Some(serde_json::json!({ "case_id": d.case_id, "building_id": d.building_id }));
        tx.commit_audited(a).await?;
        Ok(())
    }
}

pub const JOBS: &[Job] = &[Job {
    name: "end_quiet_zones",
    due_periods: daily_periods,
    run: |app, tx, period| Box::pin(end_quiet_zones(app, tx, period)),
}];

/// Ends, as the system, the zones and seals of confirmed cases whose buildings have seen no new
/// case for the configured quiet days.
async fn end_quiet_zones(app: &App, tx: &mut WriteTx, _period: &str) -> AppResult<String> {
    let now = store::now_ms();
    let before = now - app.settings.cases.quiet_days * 86_400_000;
    let quiet = cs::quiet_cases(tx.conn(), before).await?;
    let actor = Actor::system();
    for id in &quiet {
        let case = cs::case(tx.conn(), &Jurisdiction::ALL, *id).await?;
        app.end_case_seals(tx, &actor, &case, None, EndReason::Rule, "")
            .await?;
        cs::end_zones(tx.conn(), *id, EndReason::Rule, "", 0, now).await?;
        let mut a = actor.audit("zone_end", OBJECT_TYPE, *id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({ "reason": "rule" }));
        tx.audit(a).await?;
    }
    Ok(format!("{} cases' zones ended", quiet.len()))
}
