//! Logging a call: the caller picked or typed, the household it is about, and what it leads
//! to (a follow-up, a complaint, a delivery), all in one transaction.

use domain::complaints::Source;
use domain::hotline::{self as h, Topic};
use domain::page::PageRequest;
use domain::validation::FieldErrors;
use store::hotline::{self as hs, NewCall};

use super::CALL_OBJECT;
use crate::complaints::{ComplaintInput, Filed, Parsed, parse_complaint};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

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
pub(super) struct Answered<'a> {
    pub(super) id: i64,
    pub(super) community_id: i64,
    pub(super) home: Option<&'a Home>,
}

/// A household the call is about, with its place.
pub(super) struct Home {
    pub(super) household_id: i64,
    pub(super) resident_id: Option<i64>,
    pub(super) grid_id: i64,
    pub(super) building_id: i64,
}

impl App {
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
                home: r.address.to_string(),
                phone_masked: r
                    .particulars
                    .phone
                    .as_deref()
                    .map(h::mask_number)
                    .unwrap_or_default(),
                name: r.particulars.name,
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
            if r.address.community_id != community_id {
                return Err(AppError::field("resident_id", "outside_community"));
            }
            return Ok(Some(Home {
                household_id: r.address.household_id,
                resident_id: Some(r.id),
                grid_id: r.address.grid_id,
                building_id: r.address.building_id,
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
            complaint_of_call(input, &mut e)
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
}

/// The complaint a call on that topic files: its category and place from the form, what was
/// said as its text; the complaint's field errors named as the call form's fields.
fn complaint_of_call(input: &CallInput, e: &mut FieldErrors) -> Option<Parsed> {
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
}
