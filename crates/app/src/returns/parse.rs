//! An application's fields as the public page and the API give them, parsed: the travellers'
//! ID numbers checked as the registry checks them, the origin a region, the arrival a moment,
//! and the destination household found.

use domain::document::{Document, DocumentKind};
use domain::registry::{Label, NAME_MAX, ROOM_MAX};
use domain::returns::{self as rt, Means};
use domain::validation::FieldErrors;
use store::returns::{self as rs, NewTraveller};

use super::ApplicationInput;
use crate::registry::DOCUMENT_CONTEXT;
use crate::{App, AppResult};

/// An application's fields, parsed.
pub(super) struct Parsed {
    pub(super) phone: String,
    pub(super) employer: String,
    pub(super) employer_address: String,
    pub(super) origin: String,
    pub(super) means: Means,
    pub(super) trip: String,
    pub(super) arrival_at: i64,
    pub(super) travellers: Vec<NewTraveller>,
}

/// How long a free-text field (an employer, an address, a trip number) may be.
const TEXT_MAX: usize = 200;

impl App {
    /// A traveller from a name and an ID number, checked as the registry checks them.
    fn traveller(
        &self,
        name: &str,
        number: &str,
        (name_field, number_field): (&str, &str),
        e: &mut FieldErrors,
    ) -> Option<NewTraveller> {
        let name = e.check(name_field, Label::parse(name, NAME_MAX));
        let document = e.check(
            number_field,
            Document::parse(DocumentKind::CitizenId, number),
        );
        if document
            .as_ref()
            .and_then(Document::citizen_id)
            .is_some_and(|id| id.birth_date() > self.today())
        {
            e.add(number_field, "citizen_id_birth_in_future", "");
            return None;
        }
        let (name, document) = (name?, document?);
        let number = document.number();
        Some(NewTraveller {
            name: name.into_string(),
            document_kind: DocumentKind::CitizenId,
            document_sealed: self.crypto.seal(DOCUMENT_CONTEXT, number),
            document_index: self.document_index(DocumentKind::CitizenId.code(), number),
            document_masked: document.masked(),
        })
    }

    pub(super) fn parse_application(
        &self,
        input: &ApplicationInput,
        e: &mut FieldErrors,
    ) -> Option<Parsed> {
        let applicant = self.traveller(
            &input.name,
            &input.document_number,
            ("name", "document_number"),
            e,
        );
        let phone = e.check("phone", domain::phone::MobilePhone::parse(&input.phone));
        let text = |field: &str, value: &str, e: &mut FieldErrors| {
            e.check(field, Label::parse(value, TEXT_MAX))
                .map(Label::into_string)
        };
        let employer = text("employer", &input.employer, e);
        let employer_address = text("employer_address", &input.employer_address, e);
        let origin = domain::region::code_of_input(&input.origin);
        if origin.is_none() {
            e.add("origin", "unknown_region", input.origin.trim());
        }
        let means = Means::from_code(input.means.trim());
        if means.is_none() {
            e.add("means", "invalid_choice", input.means.trim());
        }
        let trip = text("trip", &input.trip, e);
        let arrival_at = self.local_moment(&input.arrival);
        match arrival_at {
            None => e.add("arrival", "date_time_format", input.arrival.trim()),
            // An arrival already past by more than a day is a typo, not a plan.
            Some(at) if at < store::now_ms() - 86_400_000 => e.add("arrival", "date_in_past", ""),
            Some(_) => {}
        }
        if input.companions.len() > rt::MAX_COMPANIONS {
            e.add("companions", "too_many", rt::MAX_COMPANIONS.to_string());
        }
        let mut travellers = vec![applicant];
        for (i, (name, number)) in input.companions.iter().enumerate() {
            if name.trim().is_empty() && number.trim().is_empty() {
                continue;
            }
            let fields = (
                format!("companion_name_{i}"),
                format!("companion_document_{i}"),
            );
            travellers.push(self.traveller(name, number, (&fields.0, &fields.1), e));
        }
        let travellers: Option<Vec<NewTraveller>> = travellers.into_iter().collect();
        let travellers = travellers?;
        let mut seen = std::collections::HashSet::new();
        if !travellers
            .iter()
            .all(|t| seen.insert(t.document_index.clone()))
        {
            e.add("companions", "duplicate_document", "");
            return None;
        }
        Some(Parsed {
            phone: phone?.as_str().to_owned(),
            employer: employer?,
            employer_address: employer_address?,
            origin: origin?,
            means: means?,
            trip: trip?,
            arrival_at: arrival_at?,
            travellers,
        })
    }

    /// The destination household: the applicant's own when registered in the community,
    /// otherwise the one at the building, unit and room given.
    pub(super) async fn destination(
        &self,
        conn: &mut store::Conn,
        input: &ApplicationInput,
        p: &Parsed,
        e: &mut FieldErrors,
    ) -> AppResult<Option<store::registry::Home>> {
        use store::registry as reg;
        if let Some((resident_id, _)) =
            reg::resident_by_document_index(conn, &p.travellers[0].document_index).await?
        {
            let r = reg::resident(conn, &domain::access::Jurisdiction::ALL, resident_id).await?;
            if r.address.community_id == input.community_id {
                return Ok(Some(
                    reg::home_of_household(conn, r.address.household_id).await?,
                ));
            }
        }
        let building_id = match input.building_id {
            Some(id) => Some(id),
            None if input.building.trim().is_empty() => {
                e.add("building", "required", "");
                None
            }
            None => {
                crate::structure::building_named(
                    conn,
                    input.community_id,
                    &input.building,
                    "building",
                    e,
                )
                .await?
            }
        };
        let Some(building_id) = building_id else {
            return Ok(None);
        };
        let unit = e.check("unit", Label::parse(&input.unit, NAME_MAX));
        let room = e.check("room", Label::parse(&input.room, ROOM_MAX));
        let (Some(unit), Some(room)) = (unit, room) else {
            return Ok(None);
        };
        match rs::household_in(
            conn,
            input.community_id,
            building_id,
            unit.as_str(),
            room.as_str(),
        )
        .await?
        {
            Some(h) => Ok(Some(reg::home_of_household(conn, h).await?)),
            None => {
                e.add("room", "unknown_household", "");
                Ok(None)
            }
        }
    }
}
