//! Twice-daily checks of people in quarantine: records by staff and self-reports by residents
//! through a personal link, corrections with a reason, and the fever alert raised in the same
//! transaction as the record that caused it. Alerts and their worklists are in [`alerts`].

mod alerts;
mod links;
mod missed;
mod sheet;

pub use alerts::{AlertQuery, Worklist};
pub use links::{NewLink, SelfReportInput, SelfReportView};
pub use missed::JOBS;
pub use sheet::SelfReportSheet;

use domain::health::{self, Finding, MAX_OTHER_SYMPTOM, Method, Temperature};
use domain::page::{Page, PageRequest};
use domain::quarantine::{Slot, State};
use domain::resident::date_from_text;
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::WriteTx;
use store::audit::AuditEntry;
use store::checks::{self as cs, Check, NewAlert, NewCheck};
use store::quarantine::{self as qs, Order};

use crate::events::Event;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The audit object types of this module.
pub const CHECK_OBJECT: &str = "check";
pub const ALERT_OBJECT: &str = "check_alert";
pub const LINK_OBJECT: &str = "self_report_link";

/// A check as entered on a form or in the API.
#[derive(Debug, Clone, Default)]
pub struct CheckInput {
    /// "36.8"; 35.0–42.0 °C, one decimal.
    pub temperature: String,
    /// Symptom codes.
    pub symptoms: Vec<String>,
    pub other_symptom: String,
    /// `doctor_call` or `on_site`.
    pub method: String,
    /// A slot key (`2020-02-01/morning`); empty for the slot of the moment.
    pub slot: String,
    /// Required when the slot already has a record: the new one replaces it.
    pub correction_reason: String,
}

/// What recording a check did.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub check_id: i64,
    pub slot: Slot,
    pub febrile: bool,
    /// The fever alert this record raised; `None` when not febrile or already raised.
    pub fever_alert_id: Option<i64>,
    /// The record this one corrected.
    pub replaced: Option<i64>,
}

/// A check's values once parsed.
pub(crate) struct Parsed {
    finding: Finding,
    correction_reason: Option<String>,
}

/// Parses temperature, symptoms and the correction reason, collecting every field's error.
pub(crate) fn parse_finding(
    temperature: &str,
    symptoms: &[String],
    other_symptom: &str,
    correction_reason: &str,
    e: &mut FieldErrors,
) -> Option<Parsed> {
    let t = e.check("temperature", Temperature::parse(temperature));
    let s = match health::parse_symptoms(symptoms) {
        Ok(s) => Some(s),
        Err(code) => {
            e.add("symptoms", "unknown_symptom", code);
            None
        }
    };
    let other = other_symptom.trim();
    if other.chars().count() > MAX_OTHER_SYMPTOM {
        e.add("other_symptom", "too_long", MAX_OTHER_SYMPTOM.to_string());
    }
    let reason = correction_reason.trim();
    if reason.chars().count() > MAX_OTHER_SYMPTOM {
        e.add(
            "correction_reason",
            "too_long",
            MAX_OTHER_SYMPTOM.to_string(),
        );
    }
    Some(Parsed {
        finding: Finding {
            temperature: t?,
            symptoms: s?,
            other_symptom: other.to_owned(),
        },
        correction_reason: (!reason.is_empty()).then(|| reason.to_owned()),
    })
}

/// Who made a record.
pub(crate) struct Recorder<'a> {
    pub method: Method,
    pub account_id: Option<i64>,
    pub name: &'a str,
    pub link_id: Option<i64>,
}

impl App {
    /// The community's local date and time of an instant.
    pub fn local(&self, at: Timestamp) -> jiff::civil::DateTime {
        at.to_zoned_datetime(self.settings.time_zone.clone())
            .datetime()
    }

    /// The instant of a local date and time in the community's time zone.
    pub fn instant_ms(&self, at: jiff::civil::DateTime) -> AppResult<i64> {
        at.to_zoned_datetime(self.settings.time_zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| AppError::Internal(format!("local time {at}: {e}")))
    }

    /// The slot being checked at `now`.
    pub fn current_slot(&self, now: Timestamp) -> Slot {
        self.settings.check_windows.slot_of(self.local(now))
    }

    /// Records a check by staff for the slot of the moment (or the one the input names).
    pub async fn record_check(
        &self,
        actor: &Actor,
        order_id: i64,
        input: &CheckInput,
    ) -> AppResult<Recorded> {
        self.record_check_at(actor, order_id, input, Timestamp::now())
            .await
    }

    /// [`App::record_check`] at a given instant, for tests and replays.
    pub async fn record_check_at(
        &self,
        actor: &Actor,
        order_id: i64,
        input: &CheckInput,
        now: Timestamp,
    ) -> AppResult<Recorded> {
        actor.require(health::can_record_checks(actor.role))?;
        let mut e = FieldErrors::new();
        let method = Method::from_code(input.method.trim()).filter(|m| Method::STAFF.contains(m));
        if method.is_none() {
            e.add(
                "method",
                "invalid_choice",
                Method::STAFF.map(Method::code).join(", "),
            );
        }
        let slot_text = input.slot.trim();
        let current = self.current_slot(now);
        let slot = if slot_text.is_empty() {
            Some(current)
        } else {
            let s = Slot::from_key(slot_text);
            match s {
                None => e.add("slot", "slot_format", slot_text),
                Some(s) if s > current => e.add("slot", "slot_in_future", ""),
                Some(_) => {}
            }
            s.filter(|s| *s <= current)
        };
        let parsed = parse_finding(
            &input.temperature,
            &input.symptoms,
            &input.other_symptom,
            &input.correction_reason,
            &mut e,
        );
        let mut tx = self.db.write().await?;
        let order = qs::order(tx.conn(), &actor.jurisdiction, order_id).await?;
        if let Some(s) = slot
            && s != current
            && !slot_in_order(&order, s)
        {
            e.add("slot", "slot_outside_order", "");
        }
        e.into_result()?;
        let (Some(method), Some(slot), Some(parsed)) = (method, slot, parsed) else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let recorder = Recorder {
            method,
            account_id: Some(actor.account_id),
            name: &actor.display_name,
            link_id: None,
        };
        let (recorded, audit) = store_check(
            &mut tx,
            &order,
            slot,
            &parsed,
            &recorder,
            now.as_millisecond(),
        )
        .await?;
        let a = actor.audit(audit.action, CHECK_OBJECT, recorded.check_id);
        let a = audit.entry(a, &order, &parsed);
        self.commit_check(tx, actor, a, &recorded).await?;
        Ok(recorded)
    }

    /// The records of an order, newest first, corrected ones included.
    pub async fn order_checks(
        &self,
        actor: &Actor,
        order_id: i64,
        page: PageRequest,
    ) -> AppResult<Page<Check>> {
        let mut conn = self
            .read_as(actor, health::can_read_checks(actor.role))
            .await?;
        qs::order(&mut conn, &actor.jurisdiction, order_id).await?;
        Ok(cs::order_checks(&mut conn, &actor.jurisdiction, order_id, page).await?)
    }

    /// The current record of one slot of an order, if it is filled.
    pub async fn slot_check(
        &self,
        actor: &Actor,
        order_id: i64,
        slot: Slot,
    ) -> AppResult<Option<Check>> {
        let mut conn = self
            .read_as(actor, health::can_read_checks(actor.role))
            .await?;
        qs::order(&mut conn, &actor.jurisdiction, order_id).await?;
        Ok(cs::current_check(&mut conn, order_id, &slot.date.to_string(), slot.part).await?)
    }
}

/// Whether a slot lies within the order's days.
fn slot_in_order(order: &Order, slot: Slot) -> bool {
    match (
        date_from_text(&order.start_date),
        date_from_text(&order.end_date),
    ) {
        (Some(start), Some(end)) => slot.within(start, end),
        _ => false,
    }
}

/// What the caller audits for a stored record.
pub(crate) struct CheckAudit {
    pub action: &'static str,
    pub before: Option<serde_json::Value>,
    pub after: serde_json::Value,
}

impl CheckAudit {
    /// The recorder's entry `a` for the record stored of `parsed` in `order`.
    pub(crate) fn entry(self, mut a: AuditEntry, order: &Order, parsed: &Parsed) -> AuditEntry {
        a.community_id = Some(order.address.community_id);
        a.before = self.before;
        a.after = Some(self.after);
        a.reason = parsed.correction_reason.clone();
        a
    }
}

impl App {
    /// Writes `a`, the audit entry of a record just stored in `tx`, raises the record's fever
    /// alert, if any, as `by`, and commits.
    pub(crate) async fn commit_check(
        &self,
        mut tx: WriteTx,
        by: &Actor,
        a: AuditEntry,
        recorded: &Recorded,
    ) -> AppResult<()> {
        tx.audit(a).await?;
        if let Some(alert_id) = recorded.fever_alert_id {
            let raised = Event::CheckAlertsRaised {
                alert_ids: vec![alert_id],
            };
            self.raise(&mut tx, by, raised).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Stores a record in an open transaction: refuses a filled slot without a correction reason,
/// supersedes the slot's record when correcting, and raises a fever alert when the finding is
/// febrile. The caller writes the audit entry.
pub(crate) async fn store_check(
    tx: &mut WriteTx,
    order: &Order,
    slot: Slot,
    parsed: &Parsed,
    recorder: &Recorder<'_>,
    now_ms: i64,
) -> AppResult<(Recorded, CheckAudit)> {
    if order.state != State::Active {
        return Err(AppError::Conflict(ErrorCode::OrderNotActive));
    }
    let date = slot.date.to_string();
    let part = slot.part;
    let existing = cs::current_check(tx.conn(), order.id, &date, part).await?;
    if let Some(first) = &existing {
        if parsed.correction_reason.is_none() {
            return Err(AppError::Conflict(ErrorCode::SlotFilled));
        }
        cs::supersede(tx.conn(), first.id, now_ms)
            .await
            .map_err(|_| AppError::Conflict(ErrorCode::SlotFilled))?;
    }
    let f = &parsed.finding;
    let febrile = f.raises_fever_alert();
    let check_id = cs::insert_check(
        tx.conn(),
        &NewCheck {
            order_id: order.id,
            community_id: order.address.community_id,
            grid_id: order.address.grid_id,
            building_id: order.address.building_id,
            slot_date: &date,
            slot_part: part,
            temperature: i64::from(f.temperature.tenths()),
            symptoms: &f.symptoms,
            other_symptom: &f.other_symptom,
            febrile,
            method: recorder.method,
            recorded_by: recorder.account_id,
            recorder_name: recorder.name,
            link_id: recorder.link_id,
            checked_at: now_ms,
            replaces_id: existing.as_ref().map(|c| c.id),
            correction_reason: existing.as_ref().and(parsed.correction_reason.as_deref()),
        },
    )
    .await
    .map_err(|e| match e {
        // Another record for the slot was committed meanwhile.
        store::StoreError::Conflict(_) => AppError::Conflict(ErrorCode::SlotFilled),
        other => other.into(),
    })?;
    let fever_alert_id = if febrile {
        let raised = cs::raise_alert(
            tx.conn(),
            &NewAlert {
                kind: health::AlertKind::Fever,
                order_id: order.id,
                check_id: Some(check_id),
                community_id: order.address.community_id,
                grid_id: order.address.grid_id,
                building_id: order.address.building_id,
                slot_date: &date,
                slot_part: part,
                raised_at: now_ms,
            },
        )
        .await?;
        if raised.is_none() {
            cs::refresh_alert_check(
                tx.conn(),
                order.id,
                &date,
                part,
                health::AlertKind::Fever,
                check_id,
            )
            .await?;
        }
        raised
    } else {
        None
    };
    let recorded = Recorded {
        check_id,
        slot,
        febrile,
        fever_alert_id,
        replaced: existing.as_ref().map(|c| c.id),
    };
    // Health values stay in the records; the trail names them and what they caused.
    let after = serde_json::json!({
        "order_id": order.id, "slot": slot.key(), "method": recorder.method.code(),
        "febrile": febrile, "fever_alert_id": fever_alert_id, "link_id": recorder.link_id,
    });
    let audit = match &existing {
        Some(first) => CheckAudit {
            action: "check_correct",
            before: Some(serde_json::json!({
                "check_id": first.id, "febrile": first.febrile, "method": first.method,
                "recorder_name": first.recorder_name,
            })),
            after,
        },
        None => CheckAudit {
            action: "check_record",
            before: None,
            after,
        },
    };
    Ok((recorded, audit))
}
