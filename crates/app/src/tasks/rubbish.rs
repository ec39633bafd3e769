//! Rubbish rounds: from 17:00 each grid's sealed doors are visited in building, unit and room
//! order; the volunteer marks each door and then the round done.

use std::collections::{BTreeMap, HashMap};

use domain::access::{Jurisdiction, Role};
use domain::page::{Page, PageRequest};
use domain::tasks::{self as t, RoundState, StopState};
use jiff::civil::Date;
use store::WriteTx;
use store::structure::Node;
use store::tasks::{self as ts, Round, RoundFilter, Stop, TaskReach};

use super::{
    CoverCache, Reassigned, check_volunteer, days_before, pick_volunteer, reach_of,
    require_recorder,
};
use crate::error::code_in;
use crate::events::Event;
use crate::jobs::hourly_periods;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The audit object type of a rubbish round.
pub const ROUND_OBJECT: &str = "rubbish_round";

/// What one opening run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Opened {
    pub rounds: usize,
    pub stops: usize,
}

/// Which rounds a list shows.
#[derive(Debug, Clone, Default)]
pub struct RoundQuery {
    /// An ISO date; today when empty.
    pub date: Option<String>,
    /// Only the actor's own rounds.
    pub mine: bool,
    pub grid_id: Option<i64>,
}

/// The hours whose rounds are due at `now` (see [`hourly_periods`]): from 17:00 local time, so
/// doors sealed during the evening join the day's round within the hour.
pub fn rubbish_periods(now: jiff::Timestamp, settings: &crate::Settings) -> Vec<String> {
    hourly_periods(now, settings)
        .into_iter()
        .filter(|p| {
            p.get(11..13)
                .and_then(|h| h.parse::<i8>().ok())
                .is_some_and(|h| h >= t::RUBBISH_ROUND_OPENS.hour())
        })
        .collect()
}

/// The job's work for one hour: the rounds of its date for every grid in the system, as the
/// system actor.
pub(crate) async fn rubbish_job(app: &App, tx: &mut WriteTx, period: &str) -> AppResult<String> {
    let date = super::period_date(period)?;
    let done = app
        .open_rubbish_round_in(tx, &Actor::system(), &Jurisdiction::ALL, date)
        .await?;
    Ok(format!("rounds {}, doors {}", done.rounds, done.stops))
}

fn round_conflict(e: t::RoundError) -> AppError {
    AppError::Conflict(match e {
        t::RoundError::AlreadyDone => ErrorCode::RoundDone,
        t::RoundError::StopsPending => ErrorCode::StopsPending,
    })
}

impl App {
    /// Opens the rubbish round of `date` for every grid in `j` with a sealed door under active
    /// home quarantine, inside `tx`, and adds doors sealed since a round was opened. Running it
    /// again changes nothing. The caller decides that it is 17:00 or later.
    pub async fn open_rubbish_round_in(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        j: &Jurisdiction,
        date: Date,
    ) -> AppResult<Opened> {
        let orders = ts::active_home_orders(tx.conn(), j).await?;
        // Sealed households per grid; a household with several members appears once.
        let mut grids: BTreeMap<i64, (i64, BTreeMap<i64, String>)> = BTreeMap::new();
        for o in orders.iter().filter(|o| o.door_sealed) {
            grids
                .entry(o.address.grid_id)
                .or_insert_with(|| (o.address.community_id, BTreeMap::new()))
                .1
                .insert(
                    o.address.household_id,
                    t::place_key(
                        &o.address.building_name,
                        &o.address.unit_name,
                        &o.address.room,
                    ),
                );
        }
        let date_text = date.to_string();
        let yesterday = days_before(date, 1).to_string();
        let mut cover = CoverCache::default();
        let no_loads = HashMap::new();
        let mut done = Opened::default();
        for (grid_id, (community_id, households)) in grids {
            let previous = ts::round_volunteer(tx.conn(), grid_id, &yesterday).await?;
            let covering = cover.grid(tx.conn(), grid_id).await?;
            let volunteer = pick_volunteer(covering, previous, &no_loads);
            let (round_id, created) =
                ts::round_or_insert(tx.conn(), grid_id, community_id, &date_text, volunteer)
                    .await?;
            let mut added = 0;
            for (household_id, key) in &households {
                if ts::insert_stop(tx.conn(), round_id, *household_id, key).await? {
                    added += 1;
                }
            }
            if !created && added == 0 {
                continue;
            }
            let action = if created {
                "rubbish_round_open"
            } else {
                "rubbish_round_extend"
            };
            let mut a = actor.audit(action, ROUND_OBJECT, round_id);
            a.community_id = Some(community_id);
            a.after = Some(serde_json::json!({
                "grid_id": grid_id, "round_date": date_text, "stops_added": added,
                "volunteer_id": volunteer,
            }));
            tx.audit(a).await?;
            done.rounds += usize::from(created);
            done.stops += added;
        }
        Ok(done)
    }

    /// Opens today's (or a past day's) rounds in the actor's jurisdiction by hand, from 17:00.
    pub async fn open_rubbish_rounds(&self, actor: &Actor, date: Date) -> AppResult<Opened> {
        actor.require(t::can_assign(actor.role) || actor.role == Role::Admin)?;
        let now = jiff::Timestamp::now()
            .to_zoned_datetime(self.settings.time_zone.clone())
            .datetime();
        if !t::rubbish_round_available(date, now) {
            return Err(AppError::Conflict(ErrorCode::RoundNotYetOpen));
        }
        self.by_hand(actor, async |tx, j| {
            self.open_rubbish_round_in(tx, actor, j, date).await
        })
        .await
    }

    /// Rounds of a day in the actor's jurisdiction; a volunteer sees their own.
    pub async fn rubbish_rounds(
        &self,
        actor: &Actor,
        q: &RoundQuery,
        page: PageRequest,
    ) -> AppResult<Page<Round>> {
        actor.require(t::can_read(actor.role))?;
        let date = match q.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => self.today(),
            Some(s) => domain::resident::date_from_text(s)
                .ok_or_else(|| AppError::field("date", "date_format"))?,
        };
        let mine = q.mine || actor.role == Role::Volunteer;
        let filter = RoundFilter {
            date: Some(date.to_string()),
            volunteer_id: mine.then_some(actor.account_id),
            grid_id: q.grid_id,
        };
        let mut conn = self.db.conn().await?;
        Ok(ts::list_rounds(&mut conn, &actor.jurisdiction, &filter, page).await?)
    }

    /// One round and a page of its doors in address order.
    pub async fn rubbish_round(
        &self,
        actor: &Actor,
        id: i64,
        page: PageRequest,
    ) -> AppResult<(Round, Page<Stop>)> {
        let mut conn = self.read_as(actor, t::can_read(actor.role)).await?;
        let round = ts::round(&mut conn, &actor.jurisdiction, reach_of(actor), id).await?;
        let stops = ts::list_stops(&mut conn, id, page).await?;
        Ok((round, stops))
    }

    /// Records what the volunteer found at one door: `collected` or `no_rubbish`.
    pub async fn record_rubbish_stop(
        &self,
        actor: &Actor,
        round_id: i64,
        stop_id: i64,
        outcome: &str,
    ) -> AppResult<Stop> {
        actor.require(t::can_work(actor.role))?;
        let outcome = code_in(
            "outcome",
            "unknown_outcome",
            outcome,
            StopState::outcome_from_code,
        )?;
        let mut tx = self.db.write().await?;
        let round = ts::round(tx.conn(), &actor.jurisdiction, reach_of(actor), round_id).await?;
        require_recorder(actor, round.volunteer_id)?;
        if round.state != RoundState::Open {
            return Err(AppError::Conflict(ErrorCode::RoundDone));
        }
        let stop = ts::stop(tx.conn(), round_id, stop_id).await?;
        ts::set_stop(
            tx.conn(),
            round_id,
            stop_id,
            stop.state,
            outcome,
            actor.account_id,
        )
        .await?;
        if actor.role == Role::Volunteer && round.volunteer_id.is_none() {
            ts::set_round_volunteer(tx.conn(), round_id, Some(actor.account_id)).await?;
        }
        let mut a = actor.audit("rubbish_stop", ROUND_OBJECT, round_id);
        a.community_id = Some(round.community_id);
        a.before = Some(serde_json::json!({ "stop_id": stop_id, "state": stop.state }));
        a.after = Some(serde_json::json!({
            "stop_id": stop_id, "household_id": stop.household_id, "state": outcome.code(),
        }));
        tx.audit(a).await?;
        let stop = ts::stop(tx.conn(), round_id, stop_id).await?;
        tx.commit().await?;
        Ok(stop)
    }

    /// Marks a round done once every door was visited.
    pub async fn finish_rubbish_round(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self.write_as(actor, t::can_work(actor.role)).await?;
        let round = ts::round(tx.conn(), &actor.jurisdiction, reach_of(actor), id).await?;
        require_recorder(actor, round.volunteer_id)?;
        t::finish_round(round.state, round.pending).map_err(round_conflict)?;
        if !ts::set_round_done(tx.conn(), id, actor.account_id).await? {
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let mut a = actor.audit("rubbish_round_done", ROUND_OBJECT, id);
        a.community_id = Some(round.community_id);
        a.before = Some(serde_json::json!({ "state": round.state }));
        a.after = Some(serde_json::json!({ "state": "done", "stops": round.stops }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Gives a round to another volunteer covering its grid, or to nobody.
    pub async fn assign_rubbish_round(
        &self,
        actor: &Actor,
        id: i64,
        volunteer_id: Option<i64>,
    ) -> AppResult<()> {
        let mut tx = self.write_as(actor, t::can_assign(actor.role)).await?;
        let round = ts::round(tx.conn(), &actor.jurisdiction, TaskReach::Jurisdiction, id).await?;
        if round.state != RoundState::Open {
            return Err(AppError::Conflict(ErrorCode::RoundDone));
        }
        if let Some(v) = volunteer_id {
            check_volunteer(tx.conn(), v, Node::Grid(round.grid_id)).await?;
        }
        ts::set_round_volunteer(tx.conn(), id, volunteer_id).await?;
        let assigned = Reassigned {
            action: "rubbish_round_assign",
            object_type: ROUND_OBJECT,
            id,
            community_id: round.community_id,
            from: round.volunteer_id,
            to: volunteer_id,
        };
        self.commit_reassigned(tx, actor, assigned, |v| Event::RoundAssigned {
            round_id: id,
            volunteer_id: v,
        })
        .await
    }
}
