//! The demo community's month of quarantine work: orders of returnees, their twice-daily checks
//! and the alerts those raised, so the worklists, tasks and rubbish rounds have something real
//! to show.

use app::seeding::Activity;
use app::{Actor, App};

use crate::error::CliError;

/// About one resident in this many was placed under quarantine during the month: 24,000 of a
/// county's 674,278, of whom about 12,000 are still in quarantine today.
pub const RESIDENTS_PER_ORDER: usize = 28;

/// Seeds the month for `residents` residents unless the community already has orders; the
/// demo's doctor and grid worker are responsible.
pub async fn seed(app: &App, community_id: i64, residents: usize) -> Result<(), CliError> {
    let orders = residents / RESIDENTS_PER_ORDER;
    if orders == 0 {
        return Ok(());
    }
    let accounts = app.list_accounts(&Actor::system()).await?;
    let id_of = |name: &str| {
        accounts
            .iter()
            .filter(|a| a.username == name)
            .map(|a| a.id)
            .collect::<Vec<_>>()
    };
    let activity = Activity {
        community_id,
        orders,
        doctors: id_of("doctor"),
        grid_workers: id_of("gridworker"),
    };
    match app.seed_activity(&activity, jiff::Timestamp::now()).await? {
        Some(s) => println!(
            "a month of quarantine work: {} orders ({} active), {} checks, {} fever and {} \
             missed-check alerts ({} still open)",
            s.orders, s.active_orders, s.checks, s.fever_alerts, s.missed_alerts, s.open_alerts
        ),
        None => println!("quarantine orders already recorded; the month was not seeded again"),
    }
    Ok(())
}
