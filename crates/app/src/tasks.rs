//! Work volunteers do at the doors of home quarantine: supply deliveries ([`deliveries`]) and
//! rubbish rounds ([`rubbish`]). Here are the rules both kinds of task share: who a task goes to
//! by default, who may be given or record one, which tasks a reader sees, and the hourly jobs.

pub mod deliveries;
pub mod rubbish;

use std::collections::HashMap;

use domain::access::{Jurisdiction, Role};
use domain::tasks as t;
use jiff::civil::Date;
use store::structure::{self, Node};
use store::tasks::{self as ts, TaskReach, Volunteer};
use store::{Conn, StoreError, WriteTx};

use crate::events::Event;
use crate::jobs::{Job, hourly_periods};
use crate::{Actor, App, AppError, AppResult};

pub use deliveries::{BoardQuery, DELIVERY_OBJECT, Generated, MyList};

/// The date of `days` days before `date`.
pub(crate) fn days_before(date: Date, days: i64) -> Date {
    date.saturating_sub(jiff::Span::new().days(days))
}

/// Picks the default volunteer of a place: the one who served it last time while they still
/// cover it; otherwise, among the narrowest level of volunteers covering it, the one with the
/// fewest pending tasks (then the lowest id).
pub(crate) fn pick_volunteer(
    covering: &[Volunteer],
    previous: Option<i64>,
    loads: &HashMap<i64, i64>,
) -> Option<i64> {
    if let Some(p) = previous
        && covering.iter().any(|v| v.id == p)
    {
        return Some(p);
    }
    let narrowest = covering.first()?.level;
    covering
        .iter()
        .filter(|v| v.level == narrowest)
        .min_by_key(|v| (loads.get(&v.id).copied().unwrap_or(0), v.id))
        .map(|v| v.id)
}

/// Volunteers covering each place, read once per generation run.
#[derive(Default)]
pub(crate) struct CoverCache {
    by_node: HashMap<(u8, i64), Vec<Volunteer>>,
}

impl CoverCache {
    pub(crate) async fn building(&mut self, conn: &mut Conn, id: i64) -> AppResult<&[Volunteer]> {
        self.node(conn, Node::Building(id), (0, id)).await
    }

    pub(crate) async fn grid(&mut self, conn: &mut Conn, id: i64) -> AppResult<&[Volunteer]> {
        self.node(conn, Node::Grid(id), (1, id)).await
    }

    async fn node(
        &mut self,
        conn: &mut Conn,
        node: Node,
        key: (u8, i64),
    ) -> AppResult<&[Volunteer]> {
        match self.by_node.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => Ok(e.into_mut().as_slice()),
            std::collections::hash_map::Entry::Vacant(e) => {
                let place = structure::placement(conn, node).await?;
                let list = ts::volunteers_covering(conn, &place).await?;
                Ok(e.insert(list).as_slice())
            }
        }
    }
}

/// Refuses an account that is not an active volunteer covering the place `node`.
pub(crate) async fn check_volunteer(conn: &mut Conn, id: i64, node: Node) -> AppResult<()> {
    let place = structure::placement(conn, node).await?;
    let account = match store::accounts::account(conn, id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            return Err(AppError::field("volunteer_id", "unknown_account"));
        }
        Err(other) => return Err(other.into()),
    };
    let covers = Jurisdiction::new(account.level, account.scope_id).covers(&place);
    let code = if !account.active {
        "account_inactive"
    } else if account.role != Role::Volunteer {
        "wrong_role"
    } else if !covers {
        "outside_jurisdiction"
    } else {
        return Ok(());
    };
    Err(AppError::field("volunteer_id", code))
}

/// The date of an hourly period.
pub(crate) fn period_date(period: &str) -> AppResult<Date> {
    period
        .get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| AppError::Internal(format!("bad task period {period}")))
}

/// The deliveries and rubbish rounds capability's scheduled jobs, each run for every hour of
/// the look-back: generation is idempotent, so running it every hour gives a household placed
/// in quarantine during the day its day-0 delivery within the hour.
pub const JOBS: &[Job] = &[
    Job {
        name: "delivery_tasks",
        due_periods: hourly_periods,
        run: |app, tx, period| Box::pin(deliveries::delivery_job(app, tx, period)),
    },
    Job {
        name: "rubbish_rounds",
        due_periods: rubbish::rubbish_periods,
        run: |app, tx, period| Box::pin(rubbish::rubbish_job(app, tx, period)),
    },
];

/// Which tasks the actor reads, by the domain's rule, as the store binds it.
pub(crate) fn reach_of(actor: &Actor) -> TaskReach {
    match t::task_reach(actor.role) {
        t::TaskReach::Jurisdiction => TaskReach::Jurisdiction,
        t::TaskReach::OwnOrUnassigned => TaskReach::OwnOrUnassigned(actor.account_id),
    }
}

/// Refuses a volunteer recording on another volunteer's task.
pub(crate) fn require_recorder(actor: &Actor, volunteer_id: Option<i64>) -> AppResult<()> {
    if t::may_record(actor.role, actor.account_id, volunteer_id) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// A task given to another volunteer, or to nobody, as its audit entry tells it.
pub(crate) struct Reassigned {
    pub action: &'static str,
    pub object_type: &'static str,
    pub id: i64,
    pub community_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl App {
    /// A generation staff run by hand (deliveries, rubbish rounds) over the actor's whole
    /// jurisdiction, in a transaction of its own; the hourly jobs run the same work for
    /// everything inside theirs.
    pub(crate) async fn by_hand<T>(
        &self,
        actor: &Actor,
        work: impl AsyncFnOnce(&mut WriteTx, &Jurisdiction) -> AppResult<T>,
    ) -> AppResult<T> {
        let mut tx = self.db.write().await?;
        let done = work(&mut tx, &actor.jurisdiction).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Active volunteers working inside the actor's jurisdiction.
    pub async fn task_volunteers(&self, actor: &Actor) -> AppResult<Vec<Volunteer>> {
        let mut conn = self.read_as(actor, t::can_oversee(actor.role)).await?;
        Ok(ts::volunteers_within(&mut conn, &actor.jurisdiction).await?)
    }

    /// Audits a reassignment stored in `tx`, tells the volunteer newly given the task (the
    /// event `told` makes of their id), and commits.
    pub(crate) async fn commit_reassigned(
        &self,
        mut tx: WriteTx,
        actor: &Actor,
        r: Reassigned,
        told: impl FnOnce(i64) -> Event,
    ) -> AppResult<()> {
        let mut a = actor.audit(r.action, r.object_type, r.id);
        a.community_id = Some(r.community_id);
        a.before = Some(serde_json::json!({ "volunteer_id": r.from }));
        a.after = Some(serde_json::json!({ "volunteer_id": r.to }));
        tx.audit(a).await?;
        if let Some(v) = r.to.filter(|v| Some(*v) != r.from) {
            self.raise(&mut tx, actor, told(v)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::access::Level;

    fn v(id: i64, level: Level) -> Volunteer {
        Volunteer {
            id,
            display_name: format!("v{id}"),
            level,
            scope_id: 1,
        }
    }

    #[test]
    fn default_volunteer_keeps_the_household_then_balances_the_narrowest() {
        let covering = [
            v(3, Level::Building),
            v(2, Level::Building),
            v(1, Level::Grid),
        ];
        let mut loads = HashMap::new();
        assert_eq!(pick_volunteer(&covering, None, &loads), Some(2));
        loads.insert(2, 5);
        assert_eq!(pick_volunteer(&covering, None, &loads), Some(3));
        assert_eq!(pick_volunteer(&covering, Some(1), &loads), Some(1));
        assert_eq!(pick_volunteer(&covering, Some(9), &loads), Some(3));
        assert_eq!(pick_volunteer(&[], Some(9), &loads), None);
    }
}
