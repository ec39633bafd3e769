//! The 24-hour hotline (C5): staff put on duty shifts answer calls; each call is logged with
//! who called, about what and what came of it, and may leave a follow-up with an owner and a
//! due time, file a complaint, or ask for the household's supply delivery. The lead reads
//! calls per hour and topic.

use domain::access::Jurisdiction;
use domain::complaints::Source;
use domain::hotline::{self as h, FollowUpState, Topic};
use domain::page::{Page, PageRequest};
use domain::validation::FieldErrors;
use store::hotline::{
    self as hs, Call, CallFilter, FollowUp, FollowUpFilter, HourCount, NewCall, NewFollowUp, Owner,
    Shift,
};

use crate::complaints::{ComplaintInput, Filed, field_error, parse_complaint};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The audit object types of the hotline.
pub const SHIFT_OBJECT: &str = "hotline_shift";
pub const CALL_OBJECT: &str = "hotline_call";
pub const FOLLOW_UP_OBJECT: &str = "hotline_follow_up";
/// The audit action of a caller's number revealed for a call back.
pub const CALL_BACK_ACTION: &str = "hotline_call_back";

/// The roles a follow-up may be given to, as stored.
const OWNER_ROLES: [&str; 3] = ["community_staff", "grid_worker", "doctor"];

/// A call as the form gives it.
#[derive(Debug, Clone, Default)]
pub struct CallInput {
    pub caller_name: String,
    pub caller_number: String,
    /// The resident who called or was spoken of, picked from a search.
    pub resident_id: Option<i64>,
    /// The household, picked by its building, unit and room when no resident was: the
    /// building by id, or by its name as typed.
    pub building_id: Option<i64>,
    pub building: String,
    pub unit: String,
    pub room: String,
    /// A topic code.
    pub topic: String,
    pub said: String,
    pub outcome: String,
    /// A follow-up was asked for.
    pub follow_up: bool,
    /// Its owner, picked; the household's grid worker when empty on a topic that needs one.
    pub owner_id: Option<i64>,
    /// Hours until it is due; a day when empty.
    pub due_hours: Option<i64>,
    /// What the owner is to do; what was said when empty.
    pub follow_up_what: String,
    /// For a complaint: its category and place.
    pub complaint_category: String,
    pub complaint_place: String,
}

/// What a logged call started.
#[derive(Debug, Clone)]
pub struct Logged {
    pub call_id: i64,
    pub follow_up_id: Option<i64>,
    /// The complaint filed, with its personal link's token, shown this once to read out.
    pub complaint: Option<Filed>,
    pub delivery_id: Option<i64>,
}

/// A resident found by name or number for the call form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerMatch {
    pub resident_id: i64,
    pub name: String,
    pub home: String,
    pub phone_masked: String,
}

/// A call just written, as its follow-up needs it.
struct Answered<'a> {
    id: i64,
    community_id: i64,
    home: Option<&'a Home>,
}

/// A household the call is about, with its place.
struct Home {
    household_id: i64,
    resident_id: Option<i64>,
    grid_id: i64,
    building_id: i64,
}

impl App {
    /// Puts a staff member of the community on a hotline duty shift (ms, at most a day).
    pub async fn add_hotline_shift(
        &self,
        actor: &Actor,
        community_id: i64,
        account_id: i64,
        starts_at: i64,
        ends_at: i64,
    ) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        store::structure::community(tx.conn(), &actor.jurisdiction, community_id).await?;
        if !h::shift_length_ok(starts_at, ends_at) {
            return Err(AppError::field("ends_at", "shift_length"));
        }
        let staff = hs::owners_in(tx.conn(), community_id, &["community_staff"]).await?;
        if !staff.iter().any(|s| s.id == account_id) {
            return Err(AppError::field("account_id", "not_staff_here"));
        }
        let id = hs::insert_shift(
            tx.conn(),
            community_id,
            account_id,
            starts_at,
            ends_at,
            actor.account_id,
        )
        .await?;
        let mut a = actor.audit("hotline_shift_create", SHIFT_OBJECT, id);
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({
            "account_id": account_id, "starts_at": starts_at, "ends_at": ends_at,
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Ends a duty shift now, or calls off one not yet begun.
    pub async fn end_hotline_shift(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self
            .write_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        let s = hs::shift(tx.conn(), &actor.jurisdiction, id).await?;
        let now = store::now_ms();
        hs::end_shift(tx.conn(), id, now).await?;
        let mut a = actor.audit("hotline_shift_end", SHIFT_OBJECT, id);
        a.community_id = Some(s.community_id);
        a.before = Some(serde_json::json!({ "ends_at": s.ends_at }));
        a.after = Some(serde_json::json!({ "ends_at": now.max(s.starts_at) }));
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// The duty shifts of the actor's jurisdiction not yet over.
    pub async fn hotline_shifts(&self, actor: &Actor) -> AppResult<Vec<Shift>> {
        let mut conn = self
            .read_as(actor, h::can_read(actor.role) || h::can_answer(actor.role))
            .await?;
        Ok(hs::shifts(&mut conn, &actor.jurisdiction, store::now_ms()).await?)
    }

    /// The actor's duty shift under way, if any.
    pub async fn my_hotline_duty(&self, actor: &Actor) -> AppResult<Option<Shift>> {
        let mut conn = self.read_as(actor, h::can_answer(actor.role)).await?;
        Ok(hs::duty_shift(&mut conn, actor.account_id, store::now_ms()).await?)
    }

    /// The staff of a community who may be put on duty.
    pub async fn hotline_staff(&self, actor: &Actor, community_id: i64) -> AppResult<Vec<Owner>> {
        let mut conn = self
            .read_as(actor, h::can_manage_shifts(actor.role))
            .await?;
        store::structure::community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(hs::owners_in(&mut conn, community_id, &["community_staff"]).await?)
    }

    /// The accounts a follow-up may be given to in the community of the actor's shift.
    pub async fn follow_up_owners(
        &self,
        actor: &Actor,
        community_id: i64,
    ) -> AppResult<Vec<Owner>> {
        let mut conn = self.read_as(actor, h::can_answer(actor.role)).await?;
        store::structure::community(&mut conn, &actor.jurisdiction, community_id).await?;
        Ok(hs::owners_in(&mut conn, community_id, &OWNER_ROLES).await?)
    }

    /// Residents of the actor's jurisdiction whose name starts with `q` or whose phone is `q`:
    /// whom the form offers to pick as the caller.
    pub async fn find_callers(&self, actor: &Actor, q: &str) -> AppResult<Vec<CallerMatch>> {
        let mut conn = self.read_as(actor, h::can_answer(actor.role)).await?;
        let q = q.trim();
        if q.is_empty() {
            return Ok(Vec::new());
        }
        let phone = domain::phone::Phone::parse(q).ok();
        let filter = store::registry::ResidentFilter {
            phone: phone.as_ref().map(|p| p.as_str().to_owned()),
            name_prefix: phone.is_none().then(|| q.to_owned()),
            ..Default::default()
        };
        let page = store::registry::list_residents(
            &mut conn,
            &actor.jurisdiction,
            &filter,
            PageRequest::new(None, Some(10)),
        )
        .await?;
        Ok(page
            .items
            .into_iter()
            .map(|r| CallerMatch {
                resident_id: r.id,
                home: format!("{} {} {}", r.building_name, r.unit_name, r.room),
                phone_masked: r.phone.as_deref().map(h::mask_number).unwrap_or_default(),
                name: r.name,
            })
            .collect())
    }

    /// The household a call is about, picked in the shift's community.
    async fn home_of_call(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        community_id: i64,
        input: &CallInput,
    ) -> AppResult<Option<Home>> {
        if let Some(r) = input.resident_id {
            let r = store::registry::resident(conn, &actor.jurisdiction, r)
                .await
                .map_err(|_| AppError::field("resident_id", "unknown_resident"))?;
            if r.community_id != community_id {
                return Err(AppError::field("resident_id", "outside_community"));
            }
            return Ok(Some(Home {
                household_id: r.household_id,
                resident_id: Some(r.id),
                grid_id: r.grid_id,
                building_id: r.building_id,
            }));
        }
        if input.room.trim().is_empty() {
            return Ok(None);
        }
        let building_id = match input.building_id {
            Some(id) => id,
            None if input.building.trim().is_empty() => return Ok(None),
            None => {
                let mut e = FieldErrors::new();
                let named = crate::structure::building_named(
                    conn,
                    community_id,
                    &input.building,
                    "building",
                    &mut e,
                )
                .await?;
                named.ok_or(AppError::Validation(e))?
            }
        };
        let b = store::structure::building(conn, building_id).await?;
        let found = store::gates::household_at(
            conn,
            community_id,
            &b.name,
            input.unit.trim(),
            input.room.trim(),
        )
        .await?
        .ok_or_else(|| AppError::field("room", "unknown_household"))?;
        let hh = store::registry::household(conn, &actor.jurisdiction, found).await?;
        Ok(Some(Home {
            household_id: hh.id,
            resident_id: None,
            grid_id: hh.grid_id,
            building_id: hh.building_id,
        }))
    }

    /// Logs a call the actor answered on their duty shift, with what it leads to, in one
    /// transaction: the follow-up, the complaint, the delivery asked for, each audited.
    pub async fn log_call(&self, actor: &Actor, input: &CallInput) -> AppResult<Logged> {
        let mut e = FieldErrors::new();
        let topic = Topic::from_code(input.topic.trim());
        if topic.is_none() {
            e.add("topic", "unknown_topic", input.topic.trim());
        }
        let caller_name = e.check(
            "caller_name",
            h::parse_text(&input.caller_name, h::CALLER_NAME_MAX, false),
        );
        let number = e.check("caller_number", h::parse_number(&input.caller_number));
        let said = e.check("said", h::parse_text(&input.said, h::SAID_MAX, true));
        let outcome = e.check("outcome", h::parse_text(&input.outcome, h::NOTE_MAX, false));
        let what = e.check(
            "follow_up_what",
            h::parse_text(&input.follow_up_what, h::NOTE_MAX, false),
        );
        let complaint = if topic == Some(Topic::Complaint) {
            let c = ComplaintInput {
                category: input.complaint_category.clone(),
                what: input.said.clone(),
                place: input.complaint_place.clone(),
                building_id: None,
                building: String::new(),
                contact: String::new(),
            };
            let mut ce = FieldErrors::new();
            let parsed = parse_complaint(&c, &mut ce);
            for f in ce.0 {
                let field = match f.field.as_str() {
                    "category" => "complaint_category",
                    "place" => "complaint_place",
                    _ => "said",
                };
                e.add(field, &f.code, f.detail);
            }
            parsed
        } else {
            None
        };
        let now = store::now_ms();
        let due = e.check("due_hours", h::follow_up_due(now, input.due_hours));
        let mut tx = self.write_as(actor, h::can_answer(actor.role)).await?;
        let shift = hs::duty_shift(tx.conn(), actor.account_id, now)
            .await?
            .ok_or(AppError::Conflict(ErrorCode::NotOnDuty))?;
        let home = self
            .home_of_call(tx.conn(), actor, shift.community_id, input)
            .await?;
        e.into_result()?;
        let (Some(topic), Some(caller_name), Some(number), Some(said), Some(outcome)) =
            (topic, caller_name, number, said, outcome)
        else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let quarantined = match &home {
            Some(hm) => hs::in_home_quarantine(tx.conn(), hm.household_id).await?,
            None => false,
        };
        let leads = h::leads(topic, quarantined);
        let masked = h::mask_number(&number);
        let call_id = hs::insert_call(
            tx.conn(),
            &NewCall {
                community_id: shift.community_id,
                grid_id: home.as_ref().map(|x| x.grid_id),
                building_id: home.as_ref().map(|x| x.building_id),
                at: now,
                answered_by: actor.account_id,
                shift_id: shift.id,
                caller_name: &caller_name,
                caller_number: &number,
                caller_number_masked: &masked,
                household_id: home.as_ref().map(|x| x.household_id),
                resident_id: home.as_ref().and_then(|x| x.resident_id),
                topic,
                said: &said,
                outcome: &outcome,
            },
        )
        .await?;
        let mut a = actor.audit("hotline_call_log", CALL_OBJECT, call_id);
        a.community_id = Some(shift.community_id);
        a.after = Some(serde_json::json!({
            "topic": topic.code(), "caller_number": masked,
            "household_id": home.as_ref().map(|x| x.household_id),
            "resident_id": home.as_ref().and_then(|x| x.resident_id), "shift_id": shift.id,
        }));
        tx.audit(a).await?;

        let filed = match complaint {
            Some(p) => {
                let filed = self
                    .insert_complaint_in(
                        &mut tx,
                        shift.community_id,
                        &p,
                        Source::Hotline,
                        Some(call_id),
                        now,
                    )
                    .await?;
                let mut a = actor.audit(
                    "complaint_file",
                    crate::complaints::COMPLAINT_OBJECT,
                    filed.id,
                );
                App::filed_audit(&mut a, shift.community_id, &p, Source::Hotline);
                tx.audit(a).await?;
                Some(filed)
            }
            None => None,
        };
        let delivery_id = match (&home, leads.delivery) {
            (Some(hm), true) => {
                self.delivery_asked_in(&mut tx, actor, hm.household_id, hm.building_id, &said)
                    .await?
            }
            _ => None,
        };
        let follow_up_id = if input.follow_up
            || leads.follow_up
            || (topic == Topic::Help && delivery_id.is_none())
        {
            let what = what
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| said.clone());
            let due_at = due.unwrap_or(now + h::FOLLOW_UP_DEFAULT_HOURS * 3_600_000);
            let call = Answered {
                id: call_id,
                community_id: shift.community_id,
                home: home.as_ref(),
            };
            Some(
                self.follow_up_in(&mut tx, actor, &call, input.owner_id, &what, due_at)
                    .await?,
            )
        } else {
            None
        };
        if filed.is_some() || delivery_id.is_some() {
            hs::set_call_started(
                tx.conn(),
                call_id,
                filed.as_ref().map(|f| f.id),
                delivery_id,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Logged {
            call_id,
            follow_up_id,
            complaint: filed,
            delivery_id,
        })
    }

    /// The follow-up a call leaves, inside its transaction: given to `owner`, or to the
    /// household's grid worker; refused when there is neither, or the owner does not work in
    /// the community.
    async fn follow_up_in(
        &self,
        tx: &mut store::WriteTx,
        actor: &Actor,
        call: &Answered<'_>,
        owner: Option<i64>,
        what: &str,
        due_at: i64,
    ) -> AppResult<i64> {
        let owner = match (owner, call.home) {
            (Some(o), _) => Some(o),
            (None, Some(hm)) => hs::grid_worker_of(tx.conn(), hm.grid_id, hm.building_id).await?,
            (None, None) => None,
        };
        let owner = owner.ok_or_else(|| AppError::field("owner_id", "required"))?;
        let owners = hs::owners_in(tx.conn(), call.community_id, &OWNER_ROLES).await?;
        if !owners.iter().any(|o| o.id == owner) {
            return Err(AppError::field("owner_id", "not_an_owner_here"));
        }
        let id = hs::insert_follow_up(
            tx.conn(),
            &NewFollowUp {
                call_id: call.id,
                community_id: call.community_id,
                grid_id: call.home.map(|x| x.grid_id),
                building_id: call.home.map(|x| x.building_id),
                owner_id: owner,
                what,
                due_at,
                by: actor.account_id,
            },
        )
        .await?;
        let mut a = actor.audit("hotline_follow_up_create", FOLLOW_UP_OBJECT, id);
        a.community_id = Some(call.community_id);
        a.after = Some(serde_json::json!({
            "call_id": call.id, "owner_id": owner, "due_at": due_at, "state": "open",
        }));
        tx.audit(a).await?;
        let assigned = crate::events::Event::FollowUpAssigned {
            follow_up_id: id,
            owner_id: owner,
        };
        self.raise(tx, actor, assigned).await?;
        Ok(id)
    }

    /// The calls of the actor's jurisdiction, newest first.
    pub async fn hotline_calls(
        &self,
        actor: &Actor,
        filter: &CallFilter,
        page: PageRequest,
    ) -> AppResult<Page<Call>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        Ok(hs::calls(&mut conn, &actor.jurisdiction, filter, page).await?)
    }

    /// One call with its follow-ups.
    pub async fn hotline_call(&self, actor: &Actor, id: i64) -> AppResult<(Call, Vec<FollowUp>)> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        let call = hs::call(&mut conn, &actor.jurisdiction, id).await?;
        let follow_ups = hs::follow_ups(
            &mut conn,
            &Jurisdiction::ALL,
            FollowUpFilter {
                call_id: Some(id),
                ..Default::default()
            },
        )
        .await?;
        Ok((call, follow_ups))
    }

    /// Calls by hour of the day and topic over the `days` days up to now, in the community's
    /// time.
    pub async fn calls_per_hour(&self, actor: &Actor, days: i64) -> AppResult<Vec<HourCount>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        let days = days.clamp(1, 90);
        let now = jiff::Timestamp::now();
        let offset = i64::from(self.settings.time_zone.to_offset(now).seconds()) * 1000;
        let to = now.as_millisecond();
        Ok(hs::calls_per_hour(
            &mut conn,
            &actor.jurisdiction,
            to - days * 86_400_000,
            to + 1,
            offset,
        )
        .await?)
    }

    /// The actor's own open follow-ups, soonest due first.
    pub async fn my_follow_ups(&self, actor: &Actor) -> AppResult<Vec<FollowUp>> {
        let mut conn = self
            .read_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        Ok(hs::follow_ups(
            &mut conn,
            &actor.jurisdiction,
            FollowUpFilter {
                owner_id: Some(actor.account_id),
                state: Some(FollowUpState::Open),
                ..Default::default()
            },
        )
        .await?)
    }

    /// The open follow-ups of the actor's jurisdiction, for staff.
    pub async fn open_follow_ups(&self, actor: &Actor) -> AppResult<Vec<FollowUp>> {
        let mut conn = self.read_as(actor, h::can_read(actor.role)).await?;
        Ok(hs::follow_ups(
            &mut conn,
            &actor.jurisdiction,
            FollowUpFilter {
                state: Some(FollowUpState::Open),
                ..Default::default()
            },
        )
        .await?)
    }

    /// The caller's number in full, for a call back by the follow-up's owner (or staff) while
    /// it is open: one audited read. Returns the `tel:` address to dial.
    pub async fn call_back(&self, actor: &Actor, follow_up_id: i64) -> AppResult<String> {
        let mut tx = self
            .write_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        let f = hs::follow_up(
            tx.conn(),
            &actor.jurisdiction,
            actor.account_id,
            follow_up_id,
        )
        .await?;
        if f.state != FollowUpState::Open
            || !h::may_finish_follow_up(actor.role, actor.account_id, f.owner_id)
        {
            return Err(AppError::Forbidden);
        }
        let number = hs::caller_number(tx.conn(), f.call_id).await?;
        let tel = domain::calls::tel_uri(&number).ok_or(AppError::NotFound)?;
        let mut a = actor.audit(CALL_BACK_ACTION, CALL_OBJECT, f.call_id);
        a.community_id = Some(f.community_id);
        a.after = Some(serde_json::json!({
            "follow_up_id": follow_up_id, "caller_number": h::mask_number(&number),
        }));
        tx.commit_audited(a).await?;
        Ok(tel)
    }

    /// Marks a follow-up done with a note: its owner, or staff.
    pub async fn finish_follow_up(&self, actor: &Actor, id: i64, note: &str) -> AppResult<()> {
        let note = h::parse_text(note, h::NOTE_MAX, true).map_err(|e| field_error("note", e))?;
        let mut tx = self
            .write_as(actor, h::may_own_follow_up(actor.role))
            .await?;
        let f = hs::follow_up(tx.conn(), &actor.jurisdiction, actor.account_id, id).await?;
        if !h::may_finish_follow_up(actor.role, actor.account_id, f.owner_id) {
            return Err(AppError::Forbidden);
        }
        let now = store::now_ms();
        if !hs::finish_follow_up(tx.conn(), id, actor.account_id, &note, now).await? {
            return Err(AppError::Conflict(ErrorCode::FollowUpDone));
        }
        let mut a = actor.audit("hotline_follow_up_done", FOLLOW_UP_OBJECT, id);
        a.community_id = Some(f.community_id);
        a.before = Some(serde_json::json!({ "state": "open" }));
        a.after = Some(serde_json::json!({ "state": "done" }));
        a.reason = Some(note);
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// The communities whose hotline the actor reads or answers, for the shift form.
    pub async fn hotline_communities(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<store::structure::Community>> {
        actor.require(h::can_read(actor.role) || h::can_answer(actor.role))?;
        let mut conn = self.db.conn().await?;
        Ok(store::structure::list_communities(&mut conn, &actor.jurisdiction).await?)
    }
}
