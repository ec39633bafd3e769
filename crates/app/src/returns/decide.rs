//! The staff's side of return to work: the arrivals expected at the gates, finding an
//! applicant, recording the arrival and the verification, and the decision. Approval makes the
//! travellers' quarantine orders (through the quarantine capability, with their checks and
//! deliveries; the household's pass follows its seal), registers or updates them as returned
//! from elsewhere, all in one transaction, audited.

use domain::access::Jurisdiction;
use domain::checkpoint::HealthCode;
use domain::health::Temperature;
use domain::quarantine::Reason;
use domain::registry::TravelStatus;
use domain::resident::{RawResident, date_from_text};
use domain::returns::{
    self as rt, Household, NucleicTest, State, TestResult, Transition, Verification,
};
use domain::validation::FieldErrors;
use store::WriteTx;
use store::audit::AuditRecord;
use store::registry::{self as reg, Resident};
use store::returns::{
    self as rs, Application, NewVerification, Search, Traveller, VerificationRecord,
};

use super::OBJECT_TYPE;
use crate::quarantine::OrderInput;
use crate::registry::DOCUMENT_CONTEXT;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// A verification as entered at the desk or the gate, and the decision asked for.
#[derive(Debug, Clone, Default)]
pub struct VerificationInput {
    pub health_code: String,
    pub itinerary_code: String,
    /// Regions the itinerary code lists: codes or names, separated by commas, 、 or lines.
    pub visited_regions: String,
    pub certificate_seen: bool,
    /// Empty when no test report was shown.
    pub test_taken_on: String,
    pub test_institution: String,
    /// `negative` or `positive`; empty when no report was shown.
    pub test_result: String,
    pub temperature: String,
    /// `approve` or `refuse`.
    pub decision: String,
    /// Required for a decision against the rule, and for a refusal the rule does not make.
    pub reason: String,
    /// The doctor of the quarantine orders; the first doctor covering the building if none.
    pub doctor_id: Option<i64>,
}

/// What the verifier decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Refuse,
}

/// What a verification did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub state: State,
    /// The rule's refusal codes (an approval against them is an override).
    pub refusals: Vec<String>,
    pub is_override: bool,
    /// The travellers' quarantine orders, when approved.
    pub order_ids: Vec<i64>,
    pub quarantine_until: Option<String>,
}

/// The rule's input and the parts stored beside it.
struct Parsed {
    verification: Verification,
    decision: Decision,
}

fn colour(field: &str, text: &str, e: &mut FieldErrors) -> Option<HealthCode> {
    let c = HealthCode::from_code(text.trim());
    if c.is_none() {
        e.add(field, "invalid_choice", text.trim());
    }
    c
}

fn parse(input: &VerificationInput, e: &mut FieldErrors) -> Option<Parsed> {
    let health_code = colour("health_code", &input.health_code, e);
    let itinerary_code = colour("itinerary_code", &input.itinerary_code, e);
    let mut visited = Vec::new();
    for word in input
        .visited_regions
        .split([',', '，', '、', ';', '；', '\n'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        match domain::region::code_of_input(word) {
            Some(code) => visited.push(code),
            None => e.add("visited_regions", "unknown_region", word),
        }
    }
    let test = if input.test_result.trim().is_empty() && input.test_taken_on.trim().is_empty() {
        Some(None)
    } else {
        let result = TestResult::from_code(input.test_result.trim());
        if result.is_none() {
            e.add("test_result", "invalid_choice", input.test_result.trim());
        }
        let taken_on = date_from_text(&input.test_taken_on);
        if taken_on.is_none() {
            e.add("test_taken_on", "date_format", input.test_taken_on.trim());
        }
        match (result, taken_on) {
            (Some(result), Some(taken_on)) => Some(Some(NucleicTest {
                taken_on,
                institution: input.test_institution.trim().to_owned(),
                result,
            })),
            _ => None,
        }
    };
    let temperature = e.check("temperature", Temperature::parse(&input.temperature));
    let decision = match input.decision.trim() {
        "approve" => Some(Decision::Approve),
        "refuse" => Some(Decision::Refuse),
        other => {
            e.add("decision", "invalid_choice", other);
            None
        }
    };
    Some(Parsed {
        verification: Verification {
            health_code: health_code?,
            itinerary_code: itinerary_code?,
            visited_regions: visited,
            certificate_seen: input.certificate_seen,
            test: test?,
            temperature: temperature?,
        },
        decision: decision?,
    })
}

/// What a search box holds: an application's number or its QR (`/returns/12`), an ID
/// number, or the start of a name.
fn search_of(app: &App, q: &str) -> Search {
    let q = q.trim();
    let number = q
        .rsplit('/')
        .next()
        .unwrap_or(q)
        .trim_start_matches(['R', 'r', '#']);
    if !number.is_empty() && number.len() <= 12 && number.bytes().all(|b| b.is_ascii_digit()) {
        return Search {
            id: number.parse().ok(),
            ..Search::default()
        };
    }
    if let Ok(id) = domain::citizen_id::CitizenId::parse(q) {
        return Search {
            document_index: Some(app.document_index(
                domain::document::DocumentKind::CitizenId.code(),
                id.as_str(),
            )),
            ..Search::default()
        };
    }
    Search {
        name_prefix: Some(q.to_owned()),
        ..Search::default()
    }
}

/// Applications a search returns at most.
const SEARCH_LIMIT: i64 = 50;

impl App {
    /// Applications expected at the gates on `days` days from `from` (local dates), not yet
    /// decided, by gate and arrival time; one gate's when `gate_id` is given.
    pub async fn expected_returns(
        &self,
        actor: &Actor,
        from: jiff::civil::Date,
        days: i64,
        gate_id: Option<i64>,
    ) -> AppResult<Vec<Application>> {
        let mut conn = self.read_as(actor, rt::can_read(actor.role)).await?;
        let start = self.day_start(from);
        let end = self.day_start(from.saturating_add(jiff::Span::new().days(days.clamp(1, 31))));
        Ok(rs::expected(&mut conn, &actor.jurisdiction, start, end, gate_id).await?)
    }

    /// The first moment of a local date (ms).
    pub(crate) fn day_start(&self, d: jiff::civil::Date) -> i64 {
        d.to_zoned_datetime(self.settings.time_zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .unwrap_or_default()
    }

    /// Applications by number, QR, ID number or name, newest first.
    pub async fn search_returns(&self, actor: &Actor, q: &str) -> AppResult<Vec<Application>> {
        let mut conn = self.read_as(actor, rt::can_read(actor.role)).await?;
        if q.trim().is_empty() {
            return Ok(Vec::new());
        }
        let s = search_of(self, q);
        Ok(rs::search(&mut conn, &actor.jurisdiction, &s, SEARCH_LIMIT).await?)
    }

    /// One application with its travellers (masked), its verifications and its history.
    pub async fn return_application(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<(
        Application,
        Vec<Traveller>,
        Vec<VerificationRecord>,
        Vec<AuditRecord>,
    )> {
        let mut conn = self.read_as(actor, rt::can_read(actor.role)).await?;
        let mut a = rs::application(&mut conn, &actor.jurisdiction, id).await?;
        a.phone = crate::registry::mask_phone(&a.phone);
        let travellers = rs::travellers(&mut conn, id).await?;
        let verifications = rs::verifications(&mut conn, id).await?;
        let history = store::audit::history(&mut conn, OBJECT_TYPE, id, 100).await?;
        Ok((a, travellers, verifications, history))
    }

    /// Moves an application one step (expect, arrive, or refuse before the verification with a
    /// reason), audited. Returns the new state.
    pub async fn transition_return(
        &self,
        actor: &Actor,
        id: i64,
        transition: Transition,
        reason: &str,
    ) -> AppResult<State> {
        let allowed = match transition {
            Transition::Expect | Transition::Arrive => rt::can_verify(actor.role),
            Transition::Refuse => rt::can_decide(actor.role),
            // Approval goes through the verification; withdrawal through the applicant's link.
            Transition::Approve | Transition::Quarantine | Transition::Withdraw => false,
        };
        let mut tx = self.write_as(actor, allowed).await?;
        let a = rs::application(tx.conn(), &actor.jurisdiction, id).await?;
        let to = step(tx.conn(), &a, a.state, transition, reason).await?;
        let now = store::now_ms();
        match transition {
            Transition::Arrive => rs::set_arrived(tx.conn(), id, now).await?,
            Transition::Refuse => {
                rs::set_decided(
                    tx.conn(),
                    id,
                    actor.account_id,
                    now,
                    Some(reason.trim()),
                    None,
                )
                .await?;
            }
            _ => {}
        }
        let mut entry = actor.audit(&format!("return_{}", transition.code()), OBJECT_TYPE, id);
        entry.community_id = Some(a.address.community_id);
        entry.before = Some(serde_json::json!({ "state": a.state.code() }));
        entry.after = Some(serde_json::json!({ "state": to.code() }));
        entry.reason = (!reason.trim().is_empty()).then(|| reason.trim().to_owned());
        tx.commit_audited(entry).await?;
        Ok(to)
    }

    /// Records the verification of an applicant at the gate or the desk and decides: the rule
    /// names every reason it refuses for; a decision against it is an override with a reason.
    /// An approval places every traveller in quarantine and registers them as returned, in
    /// the same transaction.
    pub async fn verify_return(
        &self,
        actor: &Actor,
        id: i64,
        input: &VerificationInput,
    ) -> AppResult<Verified> {
        actor.require(rt::can_decide(actor.role))?;
        let mut e = FieldErrors::new();
        let parsed = parse(input, &mut e);
        e.into_result()?;
        let Some(p) = parsed else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let mut tx = self.db.write().await?;
        let a = rs::application(tx.conn(), &actor.jurisdiction, id).await?;
        let now = store::now_ms();
        let mut state = a.state;
        let mut arrived_at = a.arrived_at;
        if state.is_pending() {
            // Verified as they arrive: the arrival is recorded with the verification.
            state = step(tx.conn(), &a, state, Transition::Arrive, "").await?;
            rs::set_arrived(tx.conn(), id, now).await?;
            arrived_at = Some(now);
        }
        let arrival = self.local_date(arrived_at.unwrap_or(now));
        let refusals = self
            .settings
            .returns
            .verification
            .refusals(&p.verification, arrival);
        let codes: Vec<String> = refusals.iter().map(|r| r.code().to_owned()).collect();
        let approve = p.decision == Decision::Approve;
        let is_override = approve != refusals.is_empty();
        let reason = input.reason.trim();
        if is_override && reason.is_empty() {
            return Err(AppError::field("reason", "reason_required"));
        }
        let v = &p.verification;
        let visited = v.visited_regions.join(" ");
        let taken_on = v.test.as_ref().map(|t| t.taken_on.to_string());
        let refusal_text = codes.join(" ");
        rs::insert_verification(
            tx.conn(),
            &NewVerification {
                application_id: id,
                community_id: a.address.community_id,
                health_code: v.health_code.code(),
                itinerary_code: v.itinerary_code.code(),
                visited_regions: &visited,
                certificate_seen: v.certificate_seen,
                test_taken_on: taken_on.as_deref(),
                test_institution: v.test.as_ref().map(|t| t.institution.as_str()),
                test_result: v.test.as_ref().map(|t| t.result.code()),
                temperature_tenths: i64::from(v.temperature.tenths()),
                refusals: &refusal_text,
                decision: if approve { "approved" } else { "refused" },
                is_override,
                reason: (!reason.is_empty()).then_some(reason),
                verified_by: actor.account_id,
                verified_at: now,
            },
        )
        .await?;
        let mut outcome = Verified {
            state,
            refusals: codes.clone(),
            is_override,
            order_ids: Vec::new(),
            quarantine_until: None,
        };
        if approve {
            step(tx.conn(), &a, state, Transition::Approve, "").await?;
            let (orders, until) = self
                .admit(&mut tx, actor, &a, input.doctor_id, arrival)
                .await?;
            outcome.state =
                step(tx.conn(), &a, State::Approved, Transition::Quarantine, "").await?;
            rs::set_decided(tx.conn(), id, actor.account_id, now, None, Some(&until)).await?;
            outcome.order_ids = orders;
            outcome.quarantine_until = Some(until);
        } else {
            // The rule's reasons are the verification's codes, shown translated; the
            // application keeps only what the verifier wrote.
            let why = if reason.is_empty() {
                refusal_text.as_str()
            } else {
                reason
            };
            outcome.state = step(tx.conn(), &a, state, Transition::Refuse, why).await?;
            let written = (!reason.is_empty()).then_some(reason);
            rs::set_decided(tx.conn(), id, actor.account_id, now, written, None).await?;
        }
        let mut entry = actor.audit(
            if approve {
                "return_approve"
            } else {
                "return_refuse"
            },
            OBJECT_TYPE,
            id,
        );
        entry.community_id = Some(a.address.community_id);
        entry.before = Some(serde_json::json!({ "state": a.state.code() }));
        entry.after = Some(serde_json::json!({
            "state": outcome.state.code(), "refusals": codes, "is_override": is_override,
            "health_code": v.health_code.code(), "itinerary_code": v.itinerary_code.code(),
            "visited_regions": visited, "certificate_seen": v.certificate_seen,
            "test_taken_on": taken_on, "test_result": v.test.as_ref().map(|t| t.result.code()),
            "temperature": v.temperature.to_string(), "order_ids": outcome.order_ids,
            "quarantine_until": outcome.quarantine_until,
        }));
        entry.reason = (!reason.is_empty()).then(|| reason.to_owned());
        tx.commit_audited(entry).await?;
        Ok(outcome)
    }

    /// Registers or updates each traveller as returned from the application's origin on
    /// `arrival`, and places them all in quarantine from today (home or centralised by the
    /// household's situation). Returns the orders and the quarantine's last day.
    async fn admit(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        a: &Application,
        doctor_id: Option<i64>,
        arrival: jiff::civil::Date,
    ) -> AppResult<(Vec<i64>, String)> {
        let travellers = rs::travellers(tx.conn(), a.id).await?;
        // The household as it is before the returnees join it.
        let situation = household_situation(tx, a.address.household_id).await?;
        let mut residents: Vec<Resident> = Vec::with_capacity(travellers.len());
        for t in &travellers {
            let resident_id = self.register_returnee(tx, actor, a, t, arrival).await?;
            residents.push(reg::resident(tx.conn(), &Jurisdiction::ALL, resident_id).await?);
        }
        let kind = rt::quarantine_kind(situation);
        let doctor_id = match doctor_id {
            Some(d) => Some(d),
            None => {
                let place = store::structure::placement(
                    tx.conn(),
                    store::structure::Node::Building(a.address.building_id),
                )
                .await?;
                store::accounts::covering(tx.conn(), domain::access::Role::Doctor.code(), &place)
                    .await?
                    .first()
                    .map(|d| d.id)
            }
        };
        let input = OrderInput {
            reason: Reason::ReturnToWork.code().to_owned(),
            kind: kind.code().to_owned(),
            start_date: self.today().to_string(),
            days: String::new(),
            doctor_id,
            grid_worker_id: None,
            door_sealed: false,
            camera_installed: false,
        };
        let orders = self.create_orders_in(tx, actor, &residents, &input).await?;
        // The orders are made in the residents' order, and the residents in the travellers'.
        for ((t, r), order) in travellers.iter().zip(&residents).zip(&orders) {
            rs::set_traveller_outcome(tx.conn(), a.id, t.position, r.id, Some(*order)).await?;
        }
        let until = domain::quarantine::end_date(self.today(), self.settings.quarantine_days);
        Ok((orders, until.to_string()))
    }

    /// The resident a traveller is: updated as returned when registered, otherwise registered
    /// in the destination household. Audited either way.
    async fn register_returnee(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        a: &Application,
        t: &Traveller,
        arrival: jiff::civil::Date,
    ) -> AppResult<i64> {
        let returned_on = arrival.to_string();
        if let Some((id, _)) = reg::resident_by_document_index(tx.conn(), &t.document_index).await?
        {
            let before = reg::resident(tx.conn(), &Jurisdiction::ALL, id).await?;
            reg::set_travel(
                tx.conn(),
                id,
                TravelStatus::Returned,
                Some(&a.origin),
                Some(&returned_on),
            )
            .await?;
            let mut entry = actor.audit("resident_update", "resident", id);
            entry.community_id = Some(before.address.community_id);
            entry.before = Some(serde_json::json!({
                "travel_status": before.particulars.travel_status, "travel_origin": before.particulars.travel_origin,
                "returned_on": before.particulars.returned_on,
            }));
            entry.after = Some(serde_json::json!({
                "travel_status": TravelStatus::Returned, "travel_origin": a.origin,
                "returned_on": returned_on, "return_application_id": a.id,
            }));
            tx.audit(entry).await?;
            return Ok(id);
        }
        let number = self.crypto.open(DOCUMENT_CONTEXT, &t.document_sealed)?;
        let raw = RawResident {
            name: t.name.clone(),
            document_kind: t.document_kind.code().to_owned(),
            document_number: number,
            phone: if t.position == 0 {
                a.phone.clone()
            } else {
                String::new()
            },
            hukou: "resident_only".to_owned(),
            tenure: "tenant".to_owned(),
            travel_status: TravelStatus::Returned.code().to_owned(),
            travel_origin: a.origin.clone(),
            returned_on: returned_on.clone(),
            ..RawResident::default()
        };
        let draft = raw.parse(self.today())?;
        let data = self.resident_data(&draft);
        let home = reg::home_of_household(tx.conn(), a.address.household_id).await?;
        let id = reg::insert_resident(tx.conn(), &home, &data).await?;
        let mut entry = actor.audit("resident_create", "resident", id);
        entry.community_id = Some(home.community_id);
        entry.after = Some(serde_json::json!({
            "household_id": home.household_id, "name": data.particulars.name,
            "document": data.particulars.document_masked, "travel_status": TravelStatus::Returned,
            "travel_origin": a.origin, "returned_on": returned_on,
            "return_application_id": a.id,
        }));
        tx.audit(entry).await?;
        Ok(id)
    }
}

/// The household's members, vulnerable members and seal, before the returnees join it.
async fn household_situation(tx: &mut WriteTx, household_id: i64) -> AppResult<Household> {
    let (members, vulnerable_members, sealed) =
        rs::household_situation(tx.conn(), household_id).await?;
    Ok(Household {
        members: u32::try_from(members).unwrap_or(u32::MAX),
        vulnerable_members: u32::try_from(vulnerable_members).unwrap_or(u32::MAX),
        sealed: sealed > 0,
    })
}

/// Moves `a` from `from` by `t` if the domain allows it and nobody moved it since.
async fn step(
    conn: &mut store::Conn,
    a: &Application,
    from: State,
    t: Transition,
    reason: &str,
) -> AppResult<State> {
    let to = rt::transition(from, t, reason).map_err(|e| match e {
        rt::TransitionError::NotAllowed => AppError::Conflict(ErrorCode::TransitionNotAllowed),
        rt::TransitionError::ReasonRequired => AppError::field("reason", e.code()),
    })?;
    if !rs::move_state(conn, a.id, from, to).await? {
        return Err(AppError::Conflict(ErrorCode::TransitionNotAllowed));
    }
    Ok(to)
}
