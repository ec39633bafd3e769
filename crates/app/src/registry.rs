//! Households and residents: create, edit, browse, search, unmask and export.

use domain::citizen_id::CitizenId;
use domain::page::{Page, PageRequest};
use domain::phone::Phone;
use domain::region::Language;
use domain::registry::{Label, ROOM_MAX, ResidentDraft};
use domain::resident::RawResident;
use domain::validation::FieldErrors;
use serde::Serialize;
use store::StoreError;
use store::registry::{
    self as reg, Home, Household, HouseholdFilter, NewHousehold, Particulars, Resident,
    ResidentData, ResidentFilter,
};
use store::structure::{self, Node};

use crate::error::conflict_as;
use crate::{Actor, App, AppError, AppResult};

pub(crate) mod export;
mod summary;

pub use export::{EXPORT_HEADERS, ExportFormat};
pub use summary::Summary;

/// The field a sealed document number belongs to, bound into its ciphertext and index.
pub(crate) const DOCUMENT_CONTEXT: &str = "resident.document";

/// A stored travel origin for files: a GB/T 2260 code with its name (`420106 湖北省 武汉市
/// 武昌区`), other text as written.
pub fn origin_label(origin: Option<&str>) -> String {
    stored_region(origin).map_or_else(|| origin.unwrap_or_default().to_owned(), |c| c.label())
}

/// A stored travel origin for pages in the reader's language: the region's name with the
/// levels above it (`湖北省 武汉市 武昌区`, `Wuchang District, Wuhan, Hubei`), never its code;
/// other text as written.
pub fn origin_name(origin: Option<&str>, language: Language) -> String {
    match stored_region(origin) {
        Some(code) => domain::region::region_name_in(code.as_str(), language)
            .unwrap_or_else(|| code.name_in(language)),
        None => origin.unwrap_or_default().to_owned(),
    }
}

/// A stored travel origin as a region picker's field holds it in the reader's language
/// (`420106 武昌区 (湖北省 武汉市)`, `420106 Wuchang District (Hubei, Wuhan)`), other text as
/// written.
pub fn origin_field(origin: Option<&str>, language: Language) -> String {
    stored_region(origin).map_or_else(
        || origin.unwrap_or_default().to_owned(),
        |c| c.picked_in(language),
    )
}

/// The region of a stored origin, when it is a code (names typed before codes stay text).
fn stored_region(origin: Option<&str>) -> Option<domain::screening::RegionCode> {
    let origin = origin.unwrap_or_default();
    if origin.is_empty() || !origin.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    domain::screening::RegionCode::parse(origin).ok()
}

/// Masks a stored phone for display: `138****5678`, or stars for anything unexpected.
pub fn mask_phone(phone: &str) -> String {
    match Phone::parse(phone) {
        Ok(p) => p.masked(),
        Err(_) => "*".repeat(phone.chars().count().min(11)),
    }
}

/// A household as entered.
#[derive(Debug, Clone, Default)]
pub struct HouseholdInput {
    pub building_id: i64,
    pub unit: String,
    pub room: String,
    pub phone: String,
}

/// What a search box or API query asks for.
#[derive(Debug, Clone, Default)]
pub struct ResidentQuery {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub household_id: Option<i64>,
    pub travel_status: Option<String>,
    /// Free text: an ID number, a phone number, a room or the start of a name.
    pub q: Option<String>,
}

/// What a full ID number and phone look like when a permitted role unmasks them.
#[derive(Debug, Clone, Serialize)]
pub struct Unmasked {
    pub resident_id: i64,
    pub document_number: String,
    pub phone: Option<String>,
}

fn masked_resident(mut r: Resident) -> Resident {
    r.particulars.phone = r.particulars.phone.as_deref().map(mask_phone);
    r
}

/// The audit view of a resident: every field, with the document and phone masked. A change
/// records it before and after.
fn audit_view(p: &Particulars, household_id: i64) -> serde_json::Value {
    serde_json::json!({
        "household_id": household_id,
        "name": p.name,
        "document_kind": p.document_kind,
        "document": p.document_masked,
        "sex": p.sex,
        "birth_date": p.birth_date,
        "phone": p.phone.as_deref().map(mask_phone),
        "hukou": p.hukou,
        "tenure": p.tenure,
        "travel_status": p.travel_status,
        "travel_origin": p.travel_origin,
        "returned_on": p.returned_on,
        "vulnerabilities": p.vulnerabilities,
        "notes": p.notes,
    })
}

/// Which fields differ between two versions of a resident, by name, with masked values.
pub(crate) fn changed_fields(before: &ResidentData, after: &ResidentData) -> Vec<&'static str> {
    let mut out = Vec::new();
    let (b, a) = (&before.particulars, &after.particulars);
    let pairs: [(&'static str, bool); 14] = [
        ("name", b.name != a.name),
        ("document", before.document_index != after.document_index),
        ("sex", b.sex != a.sex),
        ("birth_date", b.birth_date != a.birth_date),
        ("phone", b.phone != a.phone),
        ("hukou", b.hukou != a.hukou),
        ("tenure", b.tenure != a.tenure),
        ("travel_status", b.travel_status != a.travel_status),
        ("travel_origin", b.travel_origin != a.travel_origin),
        ("returned_on", b.returned_on != a.returned_on),
        ("vulnerabilities", b.vulnerabilities != a.vulnerabilities),
        ("notes", b.notes != a.notes),
        ("document_kind", b.document_kind != a.document_kind),
        ("document_masked", false),
    ];
    for (name, differs) in pairs {
        if differs {
            out.push(name);
        }
    }
    out
}

impl App {
    /// The stored form of a parsed resident: the document sealed, indexed and masked.
    pub fn resident_data(&self, d: &ResidentDraft) -> ResidentData {
        let kind = d.document.kind();
        let number = d.document.number();
        ResidentData {
            particulars: Particulars {
                name: d.name.as_str().to_owned(),
                document_kind: kind,
                document_masked: d.document.masked(),
                sex: d.sex,
                birth_date: d.birth_date.map(|b| b.to_string()),
                phone: d.phone.as_ref().map(|p| p.as_str().to_owned()),
                hukou: d.hukou,
                tenure: d.tenure,
                travel_status: d.travel.status,
                travel_origin: d.travel.origin.clone(),
                returned_on: d.travel.returned_on.map(|x| x.to_string()),
                vulnerabilities: i64::from(d.vulnerabilities.0),
                notes: d.notes.clone(),
            },
            document_sealed: self.crypto.seal(DOCUMENT_CONTEXT, number),
            document_index: self.document_index(kind.code(), number),
        }
    }

    pub(crate) fn document_index(&self, kind: &str, number: &str) -> Vec<u8> {
        self.crypto
            .index(DOCUMENT_CONTEXT, &format!("{kind}:{number}"))
    }

    pub async fn households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
        page: PageRequest,
    ) -> AppResult<Page<Household>> {
        let mut conn = self.read_as(actor, actor.role.can_view_registry()).await?;
        Ok(reg::list_households(&mut conn, &actor.jurisdiction, filter, page).await?)
    }

    pub async fn household(&self, actor: &Actor, id: i64) -> AppResult<(Household, Vec<Resident>)> {
        let mut conn = self.read_as(actor, actor.role.can_view_registry()).await?;
        let h = reg::household(&mut conn, &actor.jurisdiction, id).await?;
        let members = reg::list_residents(
            &mut conn,
            &actor.jurisdiction,
            &ResidentFilter {
                household_id: Some(id),
                ..Default::default()
            },
            PageRequest::new(None, Some(200)),
        )
        .await?;
        let phone = h.phone.as_deref().map(mask_phone);
        Ok((
            Household { phone, ..h },
            members.items.into_iter().map(masked_resident).collect(),
        ))
    }

    /// Creates a household in a unit of a building (the unit is created when new).
    pub async fn create_household(&self, actor: &Actor, input: &HouseholdInput) -> AppResult<i64> {
        actor.require(actor.role.can_edit_registry())?;
        let mut e = FieldErrors::new();
        let unit = e.check("unit", Label::parse(&input.unit, ROOM_MAX));
        let room = e.check("room", Label::parse(&input.room, ROOM_MAX));
        let phone = if input.phone.trim().is_empty() {
            None
        } else {
            e.check("phone", Phone::parse(&input.phone))
        };
        let placement = match self
            .placement_in_scope(actor, Node::Building(input.building_id))
            .await
        {
            Ok(p) => Some(p),
            Err(AppError::NotFound) => {
                e.add("building_id", "unknown_building", "");
                None
            }
            Err(other) => return Err(other),
        };
        e.into_result()?;
        let (Some(unit), Some(room), Some(placement)) = (unit, room, placement) else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let mut tx = self.db.write().await?;
        let unit_id =
            structure::unit_by_name_or_insert(tx.conn(), input.building_id, unit.as_str()).await?;
        let id = reg::insert_household(
            tx.conn(),
            &NewHousehold {
                unit_id,
                placement,
                room: room.as_str(),
                phone: phone.as_ref().map(|p| p.as_str()),
            },
        )
        .await
        .map_err(conflict_as("room", "duplicate_household"))?;
        self.enrol_in_screening(&mut tx, placement.community_id)
            .await?;
        let mut a = actor.audit("household_create", "household", id);
        a.community_id = Some(placement.community_id);
        a.after = Some(serde_json::json!({
            "building_id": input.building_id, "unit": unit.as_str(), "room": room.as_str(),
            "phone": phone.as_ref().map(|p| p.masked()),
        }));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    pub async fn update_household(
        &self,
        actor: &Actor,
        id: i64,
        phone: &str,
        head_resident_id: Option<i64>,
    ) -> AppResult<()> {
        self.patch_household(actor, id, Some(phone), Some(head_resident_id))
            .await
    }

    /// Changes the details a request carries: `None` leaves the phone or the head as it is; an
    /// empty phone or `Some(None)` clears it.
    pub async fn patch_household(
        &self,
        actor: &Actor,
        id: i64,
        phone: Option<&str>,
        head_resident_id: Option<Option<i64>>,
    ) -> AppResult<()> {
        actor.require(actor.role.can_edit_registry())?;
        let new_phone = match phone.map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(text) => Some(Some(Phone::parse(text).map_err(|e| {
                let mut f = FieldErrors::new();
                f.check::<(), _>("phone", Err(e));
                AppError::Validation(f)
            })?)),
        };
        let mut tx = self.db.write().await?;
        let before = reg::household(tx.conn(), &actor.jurisdiction, id).await?;
        let head_resident_id = head_resident_id.unwrap_or(before.head_resident_id);
        if let Some(head) = head_resident_id.filter(|h| Some(*h) != before.head_resident_id) {
            let r = reg::resident(tx.conn(), &actor.jurisdiction, head).await?;
            if r.address.household_id != id {
                return Err(AppError::field("head_resident_id", "not_a_member"));
            }
        }
        let phone = match &new_phone {
            Some(p) => p.as_ref().map(|p| p.as_str().to_owned()),
            None => before.phone.clone(),
        };
        reg::update_household(tx.conn(), id, phone.as_deref(), head_resident_id).await?;
        let mut a = actor.audit("household_update", "household", id);
        a.community_id = Some(before.community_id);
        a.before = Some(
            serde_json::json!({ "phone": before.phone.as_deref().map(mask_phone), "head_resident_id": before.head_resident_id }),
        );
        a.after = Some(
            serde_json::json!({ "phone": phone.as_deref().map(mask_phone), "head_resident_id": head_resident_id }),
        );
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Turns a search box into a filter: an ID number is looked up by its keyed index, a mobile
    /// number by phone, a short token with digits as a room, anything else as a name prefix.
    fn resident_filter(&self, q: &ResidentQuery) -> ResidentFilter {
        let mut f = ResidentFilter {
            grid_id: q.grid_id,
            building_id: q.building_id,
            household_id: q.household_id,
            travel_status: q.travel_status.clone().filter(|s| !s.is_empty()),
            ..Default::default()
        };
        let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
            return f;
        };
        if let Ok(id) = CitizenId::parse(text) {
            f.document_index = Some(self.document_index("citizen_id", id.as_str()));
        } else if let Ok(p) = Phone::parse(text) {
            f.phone = Some(p.as_str().to_owned());
        } else if text.len() <= ROOM_MAX
            && text.chars().any(|c| c.is_ascii_digit())
            && text.is_ascii()
        {
            f.room = Some(text.to_owned());
        } else {
            f.name_prefix = Some(text.to_owned());
        }
        f
    }

    pub async fn residents(
        &self,
        actor: &Actor,
        q: &ResidentQuery,
        page: PageRequest,
    ) -> AppResult<Page<Resident>> {
        actor.require(actor.role.can_view_registry())?;
        let filter = self.resident_filter(q);
        let mut conn = self.db.conn().await?;
        let p = reg::list_residents(&mut conn, &actor.jurisdiction, &filter, page).await?;
        Ok(p.map(masked_resident))
    }

    pub async fn resident(&self, actor: &Actor, id: i64) -> AppResult<(Resident, Vec<reg::Merge>)> {
        let mut conn = self.read_as(actor, actor.role.can_view_registry()).await?;
        let r = reg::resident(&mut conn, &actor.jurisdiction, id).await?;
        let merges = reg::merges_of(&mut conn, id).await?;
        Ok((masked_resident(r), merges))
    }

    async fn home_in_scope(&self, actor: &Actor, household_id: i64) -> AppResult<Home> {
        let mut conn = self.db.conn().await?;
        match reg::household(&mut conn, &actor.jurisdiction, household_id).await {
            Ok(_) => Ok(reg::home_of_household(&mut conn, household_id).await?),
            Err(StoreError::NotFound) => Err(AppError::field("household_id", "unknown_household")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_resident(
        &self,
        actor: &Actor,
        household_id: i64,
        raw: &RawResident,
    ) -> AppResult<i64> {
        actor.require(actor.role.can_edit_registry())?;
        let home = self.home_in_scope(actor, household_id).await;
        let draft = raw.parse(self.today());
        let (home, draft) = match (home, draft) {
            (Ok(h), Ok(d)) => (h, d),
            (Err(AppError::Validation(mut a)), Err(b)) => {
                a.0.extend(b.0);
                return Err(AppError::Validation(a));
            }
            (Err(e), _) => return Err(e),
            (_, Err(e)) => return Err(AppError::Validation(e)),
        };
        let data = self.resident_data(&draft);
        let mut tx = self.db.write().await?;
        if reg::resident_by_document_index(tx.conn(), &data.document_index)
            .await?
            .is_some()
        {
            return Err(AppError::field("document_number", "duplicate_document"));
        }
        let id = reg::insert_resident(tx.conn(), &home, &data)
            .await
            .map_err(duplicate_document)?;
        let mut a = actor.audit("resident_create", "resident", id);
        a.community_id = Some(home.community_id);
        a.after = Some(audit_view(&data.particulars, home.household_id));
        tx.commit_audited(a).await?;
        Ok(id)
    }

    /// Edits a resident if nobody changed it since `version` was read.
    pub async fn update_resident(
        &self,
        actor: &Actor,
        id: i64,
        version: i64,
        household_id: i64,
        raw: &RawResident,
    ) -> AppResult<()> {
        actor.require(actor.role.can_edit_registry())?;
        {
            // The resident in the path first: outside the jurisdiction it does not exist.
            let mut conn = self.db.conn().await?;
            reg::resident(&mut conn, &actor.jurisdiction, id).await?;
        }
        let home = self.home_in_scope(actor, household_id).await?;
        let draft = raw.parse(self.today())?;
        let after = self.resident_data(&draft);
        let mut tx = self.db.write().await?;
        let current = reg::resident(tx.conn(), &actor.jurisdiction, id).await?;
        if let Some((other, _)) =
            reg::resident_by_document_index(tx.conn(), &after.document_index).await?
            && other != id
        {
            return Err(AppError::field("document_number", "duplicate_document"));
        }
        reg::update_resident(tx.conn(), id, version, &home, &after)
            .await
            .map_err(duplicate_document)?;
        let mut a = actor.audit("resident_update", "resident", id);
        a.community_id = Some(home.community_id);
        a.before = Some(audit_view(
            &current.particulars,
            current.address.household_id,
        ));
        a.after = Some(audit_view(&after.particulars, home.household_id));
        tx.commit_audited(a).await?;
        Ok(())
    }

    pub async fn delete_resident(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<()> {
        actor.require(actor.role.can_edit_registry())?;
        let reason =
            Label::parse(reason, 500).map_err(|_| AppError::field("reason", "required"))?;
        let mut tx = self.db.write().await?;
        let r = reg::resident(tx.conn(), &actor.jurisdiction, id).await?;
        reg::delete_resident(tx.conn(), id).await?;
        let mut a = actor.audit("resident_delete", "resident", id);
        a.community_id = Some(r.address.community_id);
        a.before = Some(
            serde_json::json!({ "name": r.particulars.name, "document": r.particulars.document_masked, "household_id": r.address.household_id }),
        );
        a.reason = Some(reason.into_string());
        tx.commit_audited(a).await?;
        Ok(())
    }

    /// Shows a resident's full document number and phone to a role that needs them, and records
    /// who looked, when and why.
    pub async fn unmask_resident(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> AppResult<Unmasked> {
        actor.require(actor.role.can_unmask())?;
        // Accountability: whoever reads a full number says why.
        let reason =
            Label::parse(reason, 500).map_err(|_| AppError::field("reason", "required"))?;
        let mut tx = self.db.write().await?;
        let r = reg::resident(tx.conn(), &actor.jurisdiction, id).await?;
        let sealed = reg::sealed_document(tx.conn(), &actor.jurisdiction, id).await?;
        let number = self.crypto.open(DOCUMENT_CONTEXT, &sealed)?;
        let mut a = actor.audit("resident_unmask", "resident", id);
        a.community_id = Some(r.address.community_id);
        a.after = Some(
            serde_json::json!({ "fields": ["document", "phone"], "document": r.particulars.document_masked }),
        );
        a.reason = Some(reason.into_string());
        tx.commit_audited(a).await?;
        Ok(Unmasked {
            resident_id: id,
            document_number: number,
            phone: r.particulars.phone,
        })
    }
}

impl App {
    /// The stored number and phone, for an edit that leaves them as they are. Nothing is shown
    /// to the user, so this is not an unmasking.
    pub async fn current_contact(&self, actor: &Actor, id: i64) -> AppResult<Unmasked> {
        let mut conn = self.read_as(actor, actor.role.can_edit_registry()).await?;
        let r = reg::resident(&mut conn, &actor.jurisdiction, id).await?;
        let sealed = reg::sealed_document(&mut conn, &actor.jurisdiction, id).await?;
        let number = self.crypto.open(DOCUMENT_CONTEXT, &sealed)?;
        Ok(Unmasked {
            resident_id: id,
            document_number: number,
            phone: r.particulars.phone,
        })
    }
}

impl App {
    /// The household's stored phone, for an edit that keeps it.
    pub async fn household_phone(&self, actor: &Actor, id: i64) -> AppResult<Option<String>> {
        let mut conn = self.read_as(actor, actor.role.can_edit_registry()).await?;
        Ok(reg::household(&mut conn, &actor.jurisdiction, id)
            .await?
            .phone)
    }
}

/// The one unique rule of residents besides their id is the document: a writer that got in
/// between the check above and the write made the same person.
fn duplicate_document(e: StoreError) -> AppError {
    conflict_as("document_number", "duplicate_document")(e)
}
