//! The demo's checkpoint: a gate open day and night, the demo guard on shift there from now for
//! a day, and a household pass for every household, so a newcomer can open the gate page
//! (`/gates/scan` as `guard`) and scan a pass (its code on the pass's page as `staff`).

use app::gates::GateInput;
use app::passes::issue::IssueScope;
use app::{Actor, App};
use domain::access::{Jurisdiction, Role};

use crate::error::CliError;

/// The demo gate's name.
pub const GATE_NAME: &str = "北门";
/// The longest shift the application allows.
const SHIFT_MS: i64 = 24 * 3_600_000;

/// Adds what is missing: the gate, the guard's shift now, the households' passes.
pub async fn seed(app: &App, community_id: i64) -> Result<(), CliError> {
    let system = Actor::system();
    let gate_id = match app
        .gates(&system, Some(community_id))
        .await?
        .into_iter()
        .find(|g| g.name == GATE_NAME)
    {
        Some(g) => g.id,
        None => {
            let input = GateInput {
                name: GATE_NAME.to_owned(),
                ..GateInput::default()
            };
            app.create_gate(&system, community_id, &input).await?
        }
    };
    let accounts = app.list_accounts(&system).await?;
    let account = |username: &str| accounts.iter().find(|a| a.username == username);
    if let Some(guard) = account("guard").filter(|a| a.role == Role::Guard) {
        let now = store::now_ms();
        let on_shift = app
            .gate(&system, gate_id)
            .await?
            .shifts
            .iter()
            .any(|s| s.account_id == guard.id && s.starts_at <= now && now < s.ends_at);
        if !on_shift {
            app.add_gate_shift(&system, gate_id, guard.id, now, now + SHIFT_MS)
                .await?;
        }
    }
    if let Some(staff) = account("staff").filter(|a| a.role == Role::CommunityStaff) {
        // Passes are issued by community staff, in their name, as on a real day.
        let issuer = Actor {
            account_id: staff.id,
            username: staff.username.clone(),
            display_name: staff.display_name.clone(),
            role: staff.role,
            jurisdiction: Jurisdiction::new(staff.level, staff.scope_id),
            language: staff.language.clone(),
        };
        let issued = app
            .issue_household_passes(&issuer, IssueScope::default())
            .await?;
        println!(
            "checkpoint: gate {GATE_NAME} (gate {gate_id}), guard on shift, {issued} household passes issued"
        );
    }
    Ok(())
}
