//! Residents' complaints (C12): filed on the public page or through the hotline, given an
//! owner and a due time by category, answered to the resident through their personal link, and
//! closed by the resident's satisfaction or by staff with a reason. Nothing is deleted; every
//! step is audited.

use domain::complaints::{self as d, Category, Satisfaction, Source, State, Step};
use domain::hotline::{TextError, parse_text};
use domain::page::{Page, PageRequest};
use domain::phone::Phone;
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::WriteTx;
use store::audit::{self, AuditRecord};
use store::complaints::{
    self as cs, Complaint, ComplaintUpdate, Figures, NewComplaint, Reach, Reply, View,
};
use store::hotline::Owner;

use crate::crypto::{new_token, plausible_token, token_hash};
use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The audit object type of a complaint.
pub const COMPLAINT_OBJECT: &str = "complaint";
/// The audit action of a resident's number revealed for a call back.
pub const CONTACT_ACTION: &str = "complaint_contact";

/// A complaint as a resident or the hotline gives it.
#[derive(Debug, Clone, Default)]
pub struct ComplaintInput {
    pub category: String,
    pub what: String,
    pub place: String,
    /// A building of the community, picked; none when the resident did not say.
    pub building_id: Option<i64>,
    /// Or the building's name as typed, when none was picked.
    pub building: String,
    /// A phone to reach the resident; optional.
    pub contact: String,
}

/// A complaint just filed, with its personal link's token, shown this once.
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: i64,
    pub token: String,
}

/// The lead's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComplaintFigures {
    pub open: i64,
    pub overdue: i64,
    pub closed: i64,
    /// The mean time from filing to closing, ms; `None` with nothing closed.
    pub average_close_ms: Option<i64>,
}

/// What the resident reads behind their link.
#[derive(Debug, Clone)]
pub struct ResidentView {
    pub complaint: Complaint,
    pub replies: Vec<Reply>,
}

pub(crate) struct Parsed {
    pub(crate) category: Category,
    pub(crate) what: String,
    pub(crate) place: String,
    pub(crate) contact: Option<Phone>,
    pub(crate) building_id: Option<i64>,
}

pub(crate) fn parse_complaint(input: &ComplaintInput, e: &mut FieldErrors) -> Option<Parsed> {
    let category = match Category::from_code(input.category.trim()) {
        Some(c) => Some(c),
        None => {
            e.add("category", "unknown_category", input.category.trim());
            None
        }
    };
    let what = e.check("what", parse_text(&input.what, d::WHAT_MAX, true));
    let place = e.check("place", parse_text(&input.place, d::PLACE_MAX, true));
    let contact = if input.contact.trim().is_empty() {
        Some(None)
    } else {
        e.check("contact", Phone::parse(&input.contact)).map(Some)
    };
    Some(Parsed {
        category: category?,
        what: what?,
        place: place?,
        contact: contact?,
        building_id: input.building_id,
    })
}

/// The audit view of a complaint's state.
fn view(u: &ComplaintUpdate) -> serde_json::Value {
    serde_json::json!({
        "state": u.state.code(), "owner_id": u.owner_id,
        "satisfaction": u.satisfaction.map(Satisfaction::code), "reopened": u.reopened,
    })
}

/// The name under which a resident's steps on the public page and their link are audited.
fn resident_actor(name: String) -> Actor {
    Actor {
        account_id: 0,
        username: name,
        display_name: String::new(),
        role: domain::access::Role::Admin,
        jurisdiction: domain::access::Jurisdiction::ALL,
        language: String::new(),
    }
}

fn resident_audit(name: String, action: &str, id: i64) -> store::audit::AuditEntry {
    let mut a = resident_actor(name).audit(action, COMPLAINT_OBJECT, id);
    a.role = "resident".to_owned();
    a
}

fn reach_of(actor: &Actor) -> Reach {
    match d::reach(actor.role) {
        d::Reach::Jurisdiction => Reach::Jurisdiction,
        d::Reach::Owned => Reach::Owned(actor.account_id),
    }
}

fn step_refused(_: d::StepError) -> AppError {
    AppError::Conflict(ErrorCode::ComplaintStepNotAllowed)
}

impl App {
    /// Writes a complaint of `community_id` filed at `now` with a new personal link, inside
    /// `tx`; the caller audits it.
    pub(crate) async fn insert_complaint_in(
        &self,
        tx: &mut WriteTx,
        community_id: i64,
        p: &Parsed,
        source: Source,
        call_id: Option<i64>,
        now: i64,
    ) -> AppResult<Filed> {
        let place = match p.building_id {
            Some(b) => Some(
                cs::building_in(tx.conn(), community_id, b)
                    .await?
                    .ok_or_else(|| AppError::field("building_id", "unknown_building"))?,
            ),
            None => None,
        };
        let token = new_token();
        let contact = p.contact.as_ref().map(|c| c.as_str().to_owned());
        let masked = p.contact.as_ref().map(Phone::masked);
        let id = cs::insert_complaint(
            tx.conn(),
            &NewComplaint {
                community_id,
                grid_id: place.as_ref().map(|x| x.grid_id),
                building_id: place.as_ref().map(|x| x.id),
                source,
                call_id,
                category: p.category,
                what: &p.what,
                place: &p.place,
                contact: contact.as_deref(),
                contact_masked: masked.as_deref(),
                filed_at: now,
                due_at: self.settings.complaint_due_hours.due_at(p.category, now),
                link_hash: &token_hash(&token),
            },
        )
        .await?;
        Ok(Filed { id, token })
    }

    /// The audit entry of a complaint filed.
    pub(crate) fn filed_audit(
        a: &mut store::audit::AuditEntry,
        community_id: i64,
        p: &Parsed,
        source: Source,
    ) {
        a.community_id = Some(community_id);
        a.after = Some(serde_json::json!({
            "source": source.code(), "category": p.category.code(), "place": p.place,
            "building_id": p.building_id,
            "contact": p.contact.as_ref().map(Phone::masked), "state": State::Filed.code(),
        }));
    }

    /// The name of the community a resident's public page files into.
    pub async fn complaint_place(&self, community_id: i64) -> AppResult<String> {
        let mut conn = self.db.conn().await?;
        cs::community_name(&mut conn, community_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Files a resident's complaint from the public page, from client address `client`:
    /// refused past the per-client limit of an hour. Returns the personal link's token.
    pub async fn file_public_complaint(
        &self,
        community_id: i64,
        input: &ComplaintInput,
        client: &str,
        now: Timestamp,
    ) -> AppResult<Filed> {
        let mut e = FieldErrors::new();
        let mut parsed = parse_complaint(input, &mut e);
        if input.building_id.is_none() && !input.building.trim().is_empty() {
            let mut conn = self.db.conn().await?;
            let named = crate::structure::building_named(
                &mut conn,
                community_id,
                &input.building,
                "building",
                &mut e,
            )
            .await?;
            if let Some(p) = parsed.as_mut() {
                p.building_id = named;
            }
        }
        let mut tx = self.db.write().await?;
        cs::community_name(tx.conn(), community_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = now.as_millisecond();
        if cs::submissions_since(tx.conn(), client, now - 3_600_000).await?
            >= d::FILED_PER_CLIENT_PER_HOUR
        {
            return Err(AppError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        e.into_result()?;
        let p = parsed.ok_or_else(|| AppError::Internal("parse state".to_owned()))?;
        let filed = self
            .insert_complaint_in(&mut tx, community_id, &p, Source::Public, None, now)
            .await?;
        cs::record_submission(tx.conn(), client, now).await?;
        let mut a = resident_audit("complaint_page".to_owned(), "complaint_file", filed.id);
        App::filed_audit(&mut a, community_id, &p, Source::Public);
        tx.commit_audited(a).await?;
        Ok(filed)
    }

    /// The complaints of the actor's reach: open, overdue or closed.
    pub async fn complaints(
        &self,
        actor: &Actor,
        view: View,
        page: PageRequest,
    ) -> AppResult<Page<Complaint>> {
        let mut conn = self.read_as(actor, d::can_read(actor.role)).await?;
        Ok(cs::complaints(
            &mut conn,
            &actor.jurisdiction,
            reach_of(actor),
            view,
            store::now_ms(),
            page,
        )
        .await?)
    }

    /// One complaint with its replies and its history from the audit trail, newest first.
    pub async fn complaint(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(Complaint, Vec<Reply>, Vec<AuditRecord>)> {
        let mut conn = self.read_as(actor, d::can_read(actor.role)).await?;
        let c = cs::complaint(&mut conn, &actor.jurisdiction, reach_of(actor), id).await?;
        let replies = cs::replies(&mut conn, id).await?;
        let history = audit::history(&mut conn, COMPLAINT_OBJECT, id, 100).await?;
        Ok((c, replies, history))
    }

    /// Open, overdue and closed complaints of the actor's jurisdiction and the average time to
    /// close, for the lead.
    pub async fn complaint_figures(&self, actor: &Actor) -> AppResult<ComplaintFigures> {
        let mut conn = self
            .read_as(
                actor,
                d::can_manage(actor.role) || actor.role == domain::access::Role::Official,
            )
            .await?;
        let Figures {
            open,
            overdue,
            closed,
            close_ms,
        } = cs::figures(&mut conn, &actor.jurisdiction, store::now_ms()).await?;
        Ok(ComplaintFigures {
            open,
            overdue,
            closed,
            average_close_ms: d::average_ms(close_ms, closed),
        })
    }

    /// The accounts a complaint may be given to: staff and grid workers of its community.
    pub async fn complaint_owners(&self, actor: &Actor, id: i64) -> AppResult<Vec<Owner>> {
        let mut conn = self.read_as(actor, d::can_manage(actor.role)).await?;
        let c = cs::complaint(&mut conn, &actor.jurisdiction, Reach::Jurisdiction, id).await?;
        Ok(store::hotline::owners_in(
            &mut conn,
            c.community_id,
            &["community_staff", "grid_worker"],
        )
        .await?)
    }

    /// Applies one staff step to a complaint found in the actor's reach, in one transaction,
    /// audited: `allowed` decides from the complaint whether the actor may take it.
    async fn complaint_step(
        &self,
        actor: &Actor,
        id: i64,
        step: Step,
        reason: Option<String>,
        allowed: impl FnOnce(&Complaint) -> bool,
        change: impl AsyncFnOnce(&mut WriteTx, &Complaint, &mut ComplaintUpdate) -> AppResult<()>,
    ) -> AppResult<State> {
        let mut tx = self.write_as(actor, d::can_read(actor.role)).await?;
        let c = cs::complaint(tx.conn(), &actor.jurisdiction, reach_of(actor), id).await?;
        if !allowed(&c) {
            return Err(AppError::Forbidden);
        }
        let to = d::advance(c.state, step).map_err(step_refused)?;
        let before = ComplaintUpdate::from(&c);
        let mut u = before.clone();
        u.state = to;
        change(&mut tx, &c, &mut u).await?;
        if !cs::update_complaint(tx.conn(), id, c.state, &u).await? {
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let mut a = actor.audit(&format!("complaint_{}", step.code()), COMPLAINT_OBJECT, id);
        a.community_id = Some(c.community_id);
        a.before = Some(view(&before));
        a.after = Some(view(&u));
        a.reason = reason;
        tx.audit(a).await?;
        if let Some(owner_id) = u.owner_id.filter(|o| Some(*o) != before.owner_id) {
            let assigned = Event::ComplaintAssigned {
                complaint_id: id,
                owner_id,
            };
            self.raise(&mut tx, actor, assigned).await?;
        }
        tx.commit().await?;
        Ok(to)
    }

    /// Gives a complaint an owner (or another one): a staff member or grid worker of its
    /// community.
    pub async fn assign_complaint(&self, actor: &Actor, id: i64, owner_id: i64) -> AppResult<()> {
        actor.require(d::can_manage(actor.role))?;
        self.complaint_step(
            actor,
            id,
            Step::Assign,
            None,
            |_| true,
            async |tx, c, u| {
                let owners = store::hotline::owners_in(
                    tx.conn(),
                    c.community_id,
                    &["community_staff", "grid_worker"],
                )
                .await?;
                if !owners.iter().any(|o| o.id == owner_id) {
                    return Err(AppError::field("owner_id", "not_an_owner_here"));
                }
                u.owner_id = Some(owner_id);
                u.assigned_at = Some(store::now_ms());
                Ok(())
            },
        )
        .await
        .map(|_| ())
    }

    /// Answers the resident: the reply is kept with the others and shown on their link.
    pub async fn reply_complaint(&self, actor: &Actor, id: i64, body: &str) -> AppResult<()> {
        actor.require(d::may_own(actor.role))?;
        let body = parse_text(body, d::REPLY_MAX, true).map_err(|e| field_error("body", e))?;
        let (role, me) = (actor.role, actor.account_id);
        self.complaint_step(
            actor,
            id,
            Step::Reply,
            None,
            |c| d::may_reply(role, me, c.owner_id),
            async |tx, c, u| {
                let now = store::now_ms();
                cs::insert_reply(tx.conn(), c.id, &body, me, now).await?;
                u.replied_at = Some(now);
                Ok(())
            },
        )
        .await
        .map(|_| ())
    }

    /// The resident's number in full, for a call back by the complaint's owner (or staff)
    /// while it is open: one audited read. Returns the `tel:` address to dial.
    pub async fn complaint_contact(&self, actor: &Actor, id: i64) -> AppResult<String> {
        let mut tx = self.write_as(actor, d::may_own(actor.role)).await?;
        let c = cs::complaint(tx.conn(), &actor.jurisdiction, reach_of(actor), id).await?;
        if c.state == State::Closed || !d::may_reply(actor.role, actor.account_id, c.owner_id) {
            return Err(AppError::Forbidden);
        }
        let phone = cs::contact_of(tx.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        let tel = domain::calls::tel_uri(&phone).ok_or(AppError::NotFound)?;
        let mut a = actor.audit(CONTACT_ACTION, COMPLAINT_OBJECT, id);
        a.community_id = Some(c.community_id);
        a.after = Some(serde_json::json!({ "phone": c.contact_masked }));
        tx.commit_audited(a).await?;
        Ok(tel)
    }

    /// Closes a complaint without the resident's answer (a duplicate, no answer for days),
    /// with a reason.
    pub async fn close_complaint(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
        actor.require(d::can_manage(actor.role))?;
        let reason =
            parse_text(reason, d::REPLY_MAX, true).map_err(|e| field_error("reason", e))?;
        let me = actor.account_id;
        let stored = reason.clone();
        self.complaint_step(
            actor,
            id,
            Step::Close,
            Some(reason),
            |_| true,
            async |_tx, _c, u| {
                u.closed_at = Some(store::now_ms());
                u.closed_by = Some(me);
                u.close_reason = Some(stored);
                Ok(())
            },
        )
        .await
        .map(|_| ())
    }

    /// The complaint of a personal link, with the replies the resident reads.
    pub async fn complaint_of_link(&self, token: &str) -> AppResult<ResidentView> {
        let token = token.trim();
        if !plausible_token(token) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let complaint = cs::complaint_by_link(&mut conn, &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let replies = cs::replies(&mut conn, complaint.id).await?;
        Ok(ResidentView { complaint, replies })
    }

    /// The resident's satisfaction with the reply, on their link: closes the complaint, or
    /// sends it back to its owner when they are not satisfied.
    pub async fn rate_complaint(
        &self,
        token: &str,
        satisfaction: &str,
        note: &str,
    ) -> AppResult<State> {
        let token = token.trim();
        if !plausible_token(token) {
            return Err(AppError::NotFound);
        }
        let satisfaction = Satisfaction::from_code(satisfaction.trim())
            .ok_or_else(|| AppError::field("satisfaction", "required"))?;
        let note = parse_text(note, d::SATISFACTION_NOTE_MAX, false)
            .map_err(|e| field_error("note", e))?;
        let mut tx = self.db.write().await?;
        let c = cs::complaint_by_link(tx.conn(), &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        let to = d::advance(c.state, Step::Rate(satisfaction)).map_err(step_refused)?;
        let before = ComplaintUpdate::from(&c);
        let mut u = before.clone();
        let now = store::now_ms();
        u.state = to;
        u.satisfaction = Some(satisfaction);
        u.satisfaction_note = (!note.is_empty()).then_some(note);
        u.satisfaction_at = Some(now);
        if to == State::Closed {
            u.closed_at = Some(now);
        } else {
            u.reopened += 1;
        }
        if !cs::update_complaint(tx.conn(), c.id, c.state, &u).await? {
            return Err(AppError::Conflict(ErrorCode::TaskChanged));
        }
        let mut a = resident_audit(format!("complaint_link:{}", c.id), "complaint_rate", c.id);
        a.community_id = Some(c.community_id);
        a.before = Some(view(&before));
        a.after = Some(view(&u));
        tx.commit_audited(a).await?;
        Ok(to)
    }
}

pub(crate) fn field_error(field: &str, e: TextError) -> AppError {
    let mut f = FieldErrors::new();
    f.check::<(), _>(field, Err(e));
    AppError::Validation(f)
}
