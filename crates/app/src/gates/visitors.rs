//! Visitors at the gate: registered with their ID (sealed and masked like a resident's),
//! admitted or refused by the visitor rule with the rule that decided, found again by ID on
//! their next visit.

use domain::checkpoint::{self as cp, Destination, Direction, GateRefusal, HealthCode};
use domain::document::{Document, DocumentKind};
use domain::health::Temperature;
use domain::phone::Phone;
use domain::registry::Label;
use domain::validation::FieldErrors;
use store::passages::{self as ps, NewPassage, NewVisitor, Passage, Visitor};

use super::scan::{GateDecision, OverrideInput, outcome, parse_common};
use crate::{Actor, App, AppError, AppResult};

const VISITOR_NAME_MAX: usize = 64;
const PURPOSE_MAX: usize = 200;

/// A visitor as the guard registers them.
#[derive(Debug, Clone, Default)]
pub struct VisitorInput {
    pub name: String,
    /// `citizen_id` when empty.
    pub document_kind: String,
    pub document_number: String,
    pub phone: String,
    /// GB/T 2260 code of where they come from.
    pub origin: String,
    /// The household visited, by id, or by its building, unit and room as the guard types them.
    pub household_id: Option<i64>,
    pub building: String,
    pub unit: String,
    pub room: String,
    pub purpose: String,
    /// `green`, `yellow` or `red`.
    pub health_code: String,
    pub temperature: String,
    pub client_id: String,
    pub at: Option<i64>,
    pub decided_offline: String,
    pub overriding: Option<OverrideInput>,
}

struct ParsedVisitor {
    name: String,
    document: Document,
    phone: Phone,
    origin: String,
    purpose: String,
    health_code: HealthCode,
    temperature: Temperature,
}

fn parse_visitor(v: &VisitorInput) -> AppResult<ParsedVisitor> {
    let mut e = FieldErrors::new();
    let name = e.check(
        "name",
        Label::parse(&v.name, VISITOR_NAME_MAX).map(Label::into_string),
    );
    let kind = match v.document_kind.trim() {
        "" => Some(DocumentKind::CitizenId),
        k => DocumentKind::from_code(k).or_else(|| {
            e.add("document_kind", "unknown_document_kind", k);
            None
        }),
    };
    let document =
        kind.and_then(|k| e.check("document_number", Document::parse(k, &v.document_number)));
    let phone = e.check("phone", Phone::parse(&v.phone));
    let origin = match domain::region::code_of_input(&v.origin) {
        Some(code) => Some(code),
        None => {
            e.add("origin", "unknown_region", v.origin.trim());
            None
        }
    };
    let purpose: String = v.purpose.trim().chars().take(PURPOSE_MAX).collect();
    if purpose.chars().any(char::is_control) {
        e.add("purpose", "control_character", "");
    }
    let health_code = HealthCode::from_code(v.health_code.trim()).or_else(|| {
        e.add("health_code", "unknown_health_code", v.health_code.trim());
        None
    });
    let temperature = if v.temperature.trim().is_empty() {
        e.add("temperature", "required", "");
        None
    } else {
        e.check("temperature", Temperature::parse(&v.temperature))
    };
    if v.household_id.is_none() && v.room.trim().is_empty() {
        e.add("room", "required", "");
    }
    e.into_result()?;
    match (name, document, phone, origin, health_code, temperature) {
        (Some(name), Some(document), Some(phone), Some(origin), Some(health_code), Some(t)) => {
            Ok(ParsedVisitor {
                name,
                document,
                phone,
                origin,
                purpose,
                health_code,
                temperature: t,
            })
        }
        _ => Err(AppError::Internal("parse state".to_owned())),
    }
}

impl App {
    /// A visitor at a gate the actor keeps: the visitor rule admits or names the rule that
    /// refuses; the visitor is recorded (or found again by ID) and the passage logged.
    pub async fn admit_visitor(
        &self,
        actor: &Actor,
        gate_id: i64,
        input: &VisitorInput,
    ) -> AppResult<GateDecision> {
        let c = parse_common(
            Direction::In.code(),
            &input.temperature,
            Some(1),
            &input.client_id,
            input.at,
            &input.decided_offline,
            input.overriding.as_ref(),
        )?;
        let v = parse_visitor(input)?;
        let mut tx = self.db.write().await?;
        let gate = self
            .gate_kept_by(tx.conn(), actor, gate_id, store::now_ms())
            .await?;
        if let Some(id) = &c.client_id
            && let Some(p) = ps::passage_by_client_id(tx.conn(), id).await?
        {
            tx.rollback().await?;
            if p.gate_id != gate_id {
                return Err(AppError::field("client_id", "client_id_reused"));
            }
            return Ok(GateDecision {
                refusal: p.reason.as_deref().and_then(GateRefusal::from_code),
                passage: p,
                pass: None,
                repeated: true,
            });
        }
        let household_id = match input.household_id {
            Some(id) => id,
            None => store::gates::household_at(
                tx.conn(),
                gate.community_id,
                input.building.trim(),
                input.unit.trim(),
                input.room.trim(),
            )
            .await?
            .unwrap_or_default(),
        };
        let destination = match store::registry::household(
            tx.conn(),
            &domain::access::Jurisdiction::new(domain::access::Level::Community, gate.community_id),
            household_id,
        )
        .await
        {
            Ok(h) => Some(Destination {
                household_id: h.id,
                sealed: store::passes::household_sealed(tx.conn(), h.id).await?,
            }),
            Err(store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let rule = self.settings.gates.visitor_rule.admit(&cp::Visitor {
            health_code: v.health_code,
            temperature: v.temperature,
            origin: v.origin.clone(),
            destination,
        });
        let (_, minute) = self.local_weekday_minute(c.at)?;
        let refusal = match super::scan::gate_now(&gate).open_to(Direction::In, minute) {
            Err(closed) => Some(closed),
            Ok(()) => rule.as_ref().err().map(GateRefusal::from),
        };
        let number = v.document.number();
        let kind = v.document.kind();
        let visitor_id = ps::save_visitor(
            tx.conn(),
            &NewVisitor {
                community_id: gate.community_id,
                name: &v.name,
                document_kind: kind.code(),
                document_sealed: &self.crypto.seal(crate::registry::DOCUMENT_CONTEXT, number),
                document_index: &self.document_index(kind.code(), number),
                document_masked: &v.document.masked(),
                phone: v.phone.as_str(),
                origin: &v.origin,
                at: c.at,
            },
        )
        .await?;
        let (result, conflict) = outcome(refusal, &c);
        let new = NewPassage {
            gate_id: gate.id,
            community_id: gate.community_id,
            at: c.at,
            direction: Direction::In,
            pass_id: None,
            visitor_id: Some(visitor_id),
            household_id: destination.map(|d| d.household_id),
            plate: None,
            persons: 1,
            temperature_tenths: Some(i64::from(v.temperature.tenths())),
            result,
            reason: refusal.map(GateRefusal::code),
            next_exit_at: None,
            purpose: Some(v.purpose.as_str()).filter(|p| !p.is_empty()),
            guard_id: actor.account_id,
            overridden: c.override_fields(result),
            conflict,
            client_id: c.client_id.as_deref(),
        };
        let id = super::scan::insert_passage(&mut tx, actor, &new).await?;
        let passage: Passage =
            super::scan::logged(id, &new, &gate, actor, None, Some(v.name.clone()));
        tx.commit().await?;
        Ok(GateDecision {
            passage,
            refusal,
            pass: None,
            repeated: false,
        })
    }

    /// A visitor known at the gate's community, found by ID number for their next visit.
    pub async fn find_visitor(
        &self,
        actor: &Actor,
        gate_id: i64,
        document_kind: &str,
        document_number: &str,
    ) -> AppResult<Option<Visitor>> {
        let mut conn = self.db.conn().await?;
        let gate = self
            .gate_kept_by(&mut conn, actor, gate_id, store::now_ms())
            .await?;
        let kind = match document_kind.trim() {
            "" => DocumentKind::CitizenId,
            k => DocumentKind::from_code(k)
                .ok_or_else(|| AppError::field("document_kind", "unknown_document_kind"))?,
        };
        let document = Document::parse(kind, document_number).map_err(|e| {
            let mut f = FieldErrors::new();
            f.check::<(), _>("document_number", Err(e));
            AppError::Validation(f)
        })?;
        let index = self.document_index(kind.code(), document.number());
        let found = ps::visitor_by_document(&mut conn, gate.community_id, &index).await?;
        if let Some(v) = &found {
            let mut a = actor.audit("visitor_find", "visitor", v.id);
            a.community_id = Some(gate.community_id);
            drop(conn);
            let mut tx = self.db.write().await?;
            tx.audit(a).await?;
            tx.commit().await?;
        }
        Ok(found)
    }
}
