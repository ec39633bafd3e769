//! Recording a call, visit or notice, with the answers that update the travel register.

use domain::screening::{self as sc, Answer, Contact, HouseholdState, RawAnswer, RegionCode};
use domain::validation::FieldErrors;
use serde::Serialize;
use store::WriteTx;
use store::audit::AuditEntry;
use store::registry::Resident;
use store::screening::{
    self as ss, Campaign, CampaignHousehold, CountDelta, HouseholdUpdate, NewAttempt, StoredAnswer,
};

use crate::{Actor, App, AppError, AppResult, ErrorCode};

use super::{OBJECT_TYPE, conflict, stored_questions};

/// An attempt as entered.
#[derive(Debug, Clone, Default)]
pub struct AttemptInput {
    pub method: String,
    pub outcome: String,
    /// Local time `YYYY-MM-DDTHH:MM`; empty for now.
    pub at: String,
    pub notes: String,
    /// Generated when the form was rendered (or sent by an API client); the same key twice
    /// records once.
    pub idempotency_key: String,
    /// One per member of the household when someone answered.
    pub answers: Vec<RawAnswer>,
}

/// What recording an attempt did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AttemptResult {
    pub attempt_id: i64,
    pub state: HouseholdState,
    /// True when the key had been used: nothing new was recorded.
    pub duplicate: bool,
}

impl App {
    /// Records a call, visit or notice for a household of an open campaign; when someone
    /// answered, each member's answer goes into their travel register in the same transaction.
    /// A key already used by the actor records nothing and returns the first result.
    pub async fn record_screening_attempt(
        &self,
        actor: &Actor,
        campaign_id: i64,
        household_id: i64,
        input: &AttemptInput,
    ) -> AppResult<AttemptResult> {
        actor.require(sc::can_record(actor.role))?;
        let key = idempotency_key(input)?;
        let mut tx = self.db.write().await?;
        if let Some(first) = ss::attempt_by_key(tx.conn(), actor.account_id, key).await? {
            if first.campaign_id != campaign_id || first.household_id != household_id {
                return Err(AppError::Conflict(ErrorCode::IdempotencyKeyReused));
            }
            return Ok(AttemptResult {
                attempt_id: first.id,
                state: first.state_after,
                duplicate: true,
            });
        }
        let c = ss::campaign(tx.conn(), &actor.jurisdiction, campaign_id).await?;
        c.state.check_recording().map_err(conflict)?;
        let h = self
            .household_to_record(tx.conn(), actor, campaign_id, household_id)
            .await?;
        let attempt = self.check_attempt(tx.conn(), &c, &h, input).await?;
        let (attempt_id, next) =
            change_household_state(tx.conn(), actor, &c, &h, &attempt, key).await?;
        let answer_log = record_answers(&mut tx, actor, &h, attempt_id, &attempt).await?;
        let entry = attempt_audit(actor, &h, attempt_id, &attempt, next, answer_log);
        tx.commit_audited(entry).await?;
        Ok(AttemptResult {
            attempt_id,
            state: next,
            duplicate: false,
        })
    }

    /// The attempt's fields and, when someone answered, one answer per member of the household
    /// and none for anyone else: all refusals at once.
    async fn check_attempt(
        &self,
        conn: &mut store::Conn,
        c: &Campaign,
        h: &CampaignHousehold,
        input: &AttemptInput,
    ) -> AppResult<CheckedAttempt> {
        let questions = stored_questions(&c.questions)?;
        let tz = self.settings.time_zone.clone();
        let now_local = jiff::Timestamp::now()
            .to_zoned_datetime(tz.clone())
            .datetime();
        let mut e = FieldErrors::new();
        let contact = Contact::parse(&input.method, &input.outcome, &mut e);
        let at = sc::parse_attempt_time(&input.at, now_local, &mut e);
        let notes = domain::registry::parse_notes(&input.notes, &mut e);
        let members = self.members_of(conn, h.address.household_id).await?;
        let mut answers = Vec::new();
        if contact.is_some_and(Contact::is_answer) {
            for raw in &input.answers {
                if !members.iter().any(|m| m.id == raw.resident_id) {
                    e.add(
                        &format!("answers[{}].resident_id", raw.resident_id),
                        "not_a_member",
                        "",
                    );
                }
            }
            for m in members {
                match input.answers.iter().find(|a| a.resident_id == m.id) {
                    Some(raw) => {
                        if let Some(a) = sc::parse_answer(raw, &questions, self.today(), &mut e) {
                            answers.push((m, a));
                        }
                    }
                    None => e.add(
                        &format!("answers[{}].travel_status", m.id),
                        "answer_required",
                        m.particulars.name.as_str(),
                    ),
                }
            }
        }
        e.into_result()?;
        let (Some(contact), Some(at)) = (contact, at) else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let at_ms = at
            .to_zoned_datetime(tz)
            .map_err(|e| AppError::Internal(format!("local time: {e}")))?
            .timestamp()
            .as_millisecond();
        Ok(CheckedAttempt {
            contact,
            at_ms,
            notes,
            answers,
        })
    }
}

/// An attempt whose fields and answers passed the checks.
struct CheckedAttempt {
    contact: Contact,
    /// When it happened, in milliseconds since the epoch.
    at_ms: i64,
    notes: String,
    /// Each member's answer, when someone answered.
    answers: Vec<(Resident, Answer)>,
}

/// The key must be short plain text: it is stored and compared as it is.
fn idempotency_key(input: &AttemptInput) -> AppResult<&str> {
    let key = input.idempotency_key.trim();
    if key.is_empty() || key.len() > 100 || key.chars().any(char::is_control) {
        return Err(AppError::field(
            "idempotency_key",
            "idempotency_key_invalid",
        ));
    }
    Ok(key)
}

/// Stores the attempt and moves the household to its next state, with the campaign's counts;
/// returns the attempt's id and that state.
async fn change_household_state(
    conn: &mut store::Conn,
    actor: &Actor,
    c: &Campaign,
    h: &CampaignHousehold,
    attempt: &CheckedAttempt,
    key: &str,
) -> AppResult<(i64, HouseholdState)> {
    let contact = attempt.contact;
    let failed = h.failed_attempts + i64::from(!contact.is_answer());
    let unreachable_after = u8::try_from(c.unreachable_after).unwrap_or(u8::MAX);
    let next = sc::next_state(h.state, contact, failed, unreachable_after);
    let matched = if contact.is_answer() {
        i64::try_from(attempt.answers.iter().filter(|(_, a)| a.matched).count()).unwrap_or(0)
    } else {
        h.matched
    };
    let attempt_id = ss::insert_attempt(
        conn,
        &NewAttempt {
            household: h,
            method: contact.method,
            outcome: contact.outcome,
            at: attempt.at_ms,
            account_id: actor.account_id,
            account_name: &actor.username,
            idempotency_key: key,
            state_after: next,
            notes: &attempt.notes,
        },
    )
    .await?;
    ss::update_household(
        conn,
        h.campaign_id,
        h.address.household_id,
        &HouseholdUpdate {
            state: next,
            list_rank: sc::list_rank(next, h.position),
            attempts: h.attempts + 1,
            failed_attempts: failed,
            matched,
            last_contact: &contact.code(),
            last_attempt_at: attempt.at_ms,
        },
    )
    .await?;
    let mut delta = CountDelta::moved(h.state, next);
    delta.matched = matched - h.matched;
    ss::adjust_counts(conn, h.campaign_id, h.team_id, h.address.grid_id, delta).await?;
    Ok((attempt_id, next))
}

/// Stores each answer and writes it into the member's travel register, audited per resident;
/// returns the answers as the attempt's audit entry lists them.
async fn record_answers(
    tx: &mut WriteTx,
    actor: &Actor,
    h: &CampaignHousehold,
    attempt_id: i64,
    attempt: &CheckedAttempt,
) -> AppResult<Vec<serde_json::Value>> {
    let mut answer_log = Vec::new();
    for (m, a) in &attempt.answers {
        let returned_on = a.travel.returned_on.map(|d| d.to_string());
        ss::insert_answer(
            tx.conn(),
            h.campaign_id,
            h.address.household_id,
            &StoredAnswer {
                attempt_id,
                resident_id: m.id,
                travel_status: a.travel.status,
                origin_code: a.origin.as_ref().map(RegionCode::full_code),
                returned_on: returned_on.clone(),
                matched: a.matched,
            },
        )
        .await?;
        let before = ss::set_travel(
            tx.conn(),
            m.id,
            a.travel.status,
            a.travel.origin.as_deref(),
            returned_on.as_deref(),
        )
        .await?;
        // The campaign is named by its number, shown by its name in the reader's language.
        let after = serde_json::json!({
            "travel_status": a.travel.status.code(), "travel_origin": a.travel.origin,
            "returned_on": returned_on, "campaign_id": h.campaign_id,
        });
        let mut ra = actor.audit("resident_travel_screening", "resident", m.id);
        ra.community_id = Some(m.address.community_id);
        ra.before = Some(serde_json::json!(before));
        ra.after = Some(after.clone());
        tx.audit(ra).await?;
        answer_log.push(serde_json::json!({
            "resident_id": m.id, "travel_status": a.travel.status.code(),
            "origin": a.origin.as_ref().map(RegionCode::as_str), "returned_on": returned_on,
            "matched": a.matched,
        }));
    }
    Ok(answer_log)
}

/// The attempt's audit entry: the household's state before and after, and the answers.
fn attempt_audit(
    actor: &Actor,
    h: &CampaignHousehold,
    attempt_id: i64,
    attempt: &CheckedAttempt,
    next: HouseholdState,
    answer_log: Vec<serde_json::Value>,
) -> AuditEntry {
    let (campaign_id, household_id) = (h.campaign_id, h.address.household_id);
    let contact = attempt.contact;
    let mut a = actor.audit("screening_attempt", OBJECT_TYPE, campaign_id);
    a.community_id = Some(h.address.community_id);
    a.before = Some(serde_json::json!({ "household_id": household_id, "state": h.state.code() }));
    a.after = Some(serde_json::json!({
        "attempt_id": attempt_id, "household_id": household_id,
        "method": contact.method.code(), "outcome": contact.outcome.code(), "at": attempt.at_ms,
        "state": next.code(), "answers": answer_log,
    }));
    a
}
