//! A community's "today": the figures a lead starts the day with, each shown only to a role
//! that may open the list behind it. Read from the kept counts and bounded indexes (see
//! `store::home_counts`), never by counting the big tables.

use domain::home::{CHART_DAYS, last_days, missing_checks};
use domain::quarantine::Part;
use store::home_counts::{self as hc, Day, GridScreening};
use store::structure::Community;

use domain::access::Level;

use crate::{Actor, App, AppError, AppResult};

/// Checks of the slot of the moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksNow {
    pub slot_date: String,
    pub part: Part,
    pub recorded: i64,
    pub missing: i64,
    /// Whether the slot's window has opened: before it, an unchecked order is due, not late.
    pub open: bool,
}

/// The open screening campaign's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningNow {
    pub campaign_id: i64,
    pub campaign_name: String,
    pub grids: Vec<GridScreening>,
}

/// One import of the community, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentImport {
    pub id: i64,
    pub file_name: String,
    pub status: domain::registry::ImportStatus,
    pub processed_rows: i64,
    pub total_rows: i64,
}

/// Residents in quarantine now, and those whose order ends today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuarantineNow {
    pub in_quarantine: i64,
    pub ending_today: i64,
}

/// Unresolved alerts of the community, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpenAlerts {
    pub fever: i64,
    pub missed_check: i64,
}

/// Today's rubbish rounds and the doors they have not collected from yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundsToday {
    pub rounds: i64,
    pub doors_left: i64,
}

/// What a community's home shows; `None` where the role may not read the list behind a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Today {
    pub community: Community,
    pub today: String,
    pub quarantine: Option<QuarantineNow>,
    pub checks: Option<ChecksNow>,
    pub open_alerts: Option<OpenAlerts>,
    pub screening: Option<ScreeningNow>,
    pub deliveries_due: Option<i64>,
    pub rounds: Option<RoundsToday>,
    pub imports: Option<Vec<RecentImport>>,
    /// The last [`CHART_DAYS`] days, oldest first (empty when the role reads no quarantine).
    pub days: Vec<Day>,
}

/// Imports a home lists: the running ones and the latest finished.
const RECENT_IMPORTS: usize = 3;

impl App {
    /// The today of a community in the actor's jurisdiction.
    pub async fn community_today(&self, actor: &Actor, community_id: i64) -> AppResult<Today> {
        // The figures are the whole community's: a grid's or a building's worker reads their own.
        actor.require(matches!(
            actor.jurisdiction.level,
            Level::All | Level::District | Level::Street | Level::Community
        ))?;
        let community = self.community(actor, community_id).await?;
        let r = actor.role;
        let today = self.today();
        let today_text = today.to_string();
        let mut conn = self.db.conn().await?;
        let quarantine = if domain::quarantine::can_read(r) {
            let (in_quarantine, ending_today) =
                hc::in_quarantine(&mut conn, community_id, &today_text).await?;
            Some(QuarantineNow {
                in_quarantine,
                ending_today,
            })
        } else {
            None
        };
        let mut days = Vec::new();
        let (mut checks, mut open_alerts) = (None, None);
        if domain::health::can_read_checks(r) {
            let dates: Vec<String> = last_days(today, CHART_DAYS)
                .iter()
                .map(ToString::to_string)
                .collect();
            days = hc::days(&mut conn, community_id, &dates).await?;
            let now = self.local(jiff::Timestamp::now());
            let windows = self.settings.check_windows;
            let slot = windows.slot_of(now);
            let recorded = days
                .last()
                .map(|d| match slot.part {
                    Part::Morning => d.checks_morning,
                    Part::Evening => d.checks_evening,
                })
                .unwrap_or(0);
            // Every active order is due in the slot of the moment; one started after the slot
            // opened is counted too, which errs towards a call too many.
            let active = quarantine.map_or(0, |q| q.in_quarantine);
            checks = Some(ChecksNow {
                slot_date: slot.date.to_string(),
                part: slot.part,
                recorded,
                missing: missing_checks(active, recorded),
                open: now >= windows.opens_at(slot),
            });
            let (fever, missed_check) = hc::open_alerts(&mut conn, community_id).await?;
            open_alerts = Some(OpenAlerts {
                fever,
                missed_check,
            });
        }
        let screening = if domain::screening::can_read(r) {
            match hc::open_campaign(&mut conn, community_id).await? {
                Some((campaign_id, campaign_name)) => Some(ScreeningNow {
                    grids: hc::screening_by_grid(&mut conn, campaign_id).await?,
                    campaign_id,
                    campaign_name,
                }),
                None => None,
            }
        } else {
            None
        };
        let (deliveries_due, rounds) = if domain::tasks::can_oversee(r) {
            (
                Some(hc::deliveries_due(&mut conn, community_id, &today_text).await?),
                Some(
                    hc::rounds_on(&mut conn, community_id, &today_text)
                        .await
                        .map(|(rounds, doors_left)| RoundsToday { rounds, doors_left })?,
                ),
            )
        } else {
            (None, None)
        };
        let imports = if r.can_import() {
            let all = store::imports::list_imports(&mut conn, community_id).await?;
            Some(
                all.into_iter()
                    .take(RECENT_IMPORTS)
                    .map(|i| RecentImport {
                        id: i.id,
                        file_name: i.file_name,
                        status: i.status,
                        processed_rows: i.processed_rows,
                        total_rows: i.total_rows,
                    })
                    .collect(),
            )
        } else {
            None
        };
        Ok(Today {
            community,
            today: today_text,
            quarantine,
            checks,
            open_alerts,
            screening,
            deliveries_due,
            rounds,
            imports,
            days,
        })
    }
}

/// A grid worker's grid and the open screening households in it.
#[derive(Debug, Clone, PartialEq)]
pub struct GridToday {
    pub grid: store::structure::Grid,
    /// The community's open campaign and this grid's households in it.
    pub screening: Option<(i64, String, GridScreening)>,
}

impl App {
    /// The grid of a grid worker's jurisdiction, with its screening.
    pub async fn grid_today(&self, actor: &Actor) -> AppResult<GridToday> {
        if actor.jurisdiction.level != Level::Grid {
            return Err(AppError::Forbidden);
        }
        let grid = self.grid(actor, actor.jurisdiction.id).await?;
        let mut conn = self.db.conn().await?;
        let screening = if domain::screening::can_read(actor.role) {
            match hc::open_campaign(&mut conn, grid.community_id).await? {
                Some((id, name)) => {
                    let mine = hc::screening_by_grid(&mut conn, id)
                        .await?
                        .into_iter()
                        .find(|g| g.grid_id == grid.id)
                        .unwrap_or_else(|| GridScreening {
                            grid_id: grid.id,
                            grid_name: grid.name.clone(),
                            ..GridScreening::default()
                        });
                    Some((id, name, mine))
                }
                None => None,
            }
        } else {
            None
        };
        Ok(GridToday { grid, screening })
    }
}
