//! The JSON shapes of the API, documented in the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// What the token is for, shown in the audit trail.
    #[serde(default)]
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub level: String,
    pub scope_id: i64,
    pub language: String,
}

// One shape for grids, buildings and units, each stored with its own parent's name.
#[derive(Serialize, ToSchema)]
pub struct NodeDto {
    pub id: i64,
    pub parent_id: i64,
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameRequest {
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityRequest {
    pub street_id: i64,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdPage {
    pub items: Vec<store::registry::Household>,
    /// Pass as `after` for the next page.
    pub next: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct HouseholdDetail {
    pub household: store::registry::Household,
    pub members: Vec<ResidentDto>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdRequest {
    pub building_id: i64,
    pub unit: String,
    pub room: String,
    #[serde(default)]
    pub phone: String,
}

/// The details to change; an absent field stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdUpdate {
    /// A mobile number; empty or `null` to clear.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// A member of the household; `null` for nobody.
    #[serde(default, deserialize_with = "super::patch::double_option")]
    #[schema(value_type = Option<i64>)]
    pub head_resident_id: Option<Option<i64>>,
}

// Not the stored row: vulnerabilities as a list of codes, and no time of the last change.
#[derive(Serialize, ToSchema)]
pub struct ResidentDto {
    pub id: i64,
    pub household_id: i64,
    pub building_id: i64,
    pub grid_id: i64,
    pub community_id: i64,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    pub name: String,
    pub document_kind: domain::document::DocumentKind,
    /// Masked, e.g. `610825********123X`; see the unmask endpoint.
    pub document_masked: String,
    pub sex: Option<domain::citizen_id::Sex>,
    pub birth_date: Option<String>,
    /// Masked.
    pub phone: Option<String>,
    pub hukou: domain::registry::Hukou,
    pub tenure: domain::registry::Tenure,
    pub travel_status: domain::registry::TravelStatus,
    pub travel_origin: Option<String>,
    pub returned_on: Option<String>,
    pub vulnerabilities: Vec<String>,
    pub notes: String,
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ResidentPage {
    pub items: Vec<ResidentDto>,
    pub next: Option<i64>,
}

// Not the stored merge: its id is not shown.
#[derive(Serialize, ToSchema)]
pub struct MergeDto {
    pub at: i64,
    pub import_id: Option<i64>,
    pub source: String,
    pub changes: String,
}

#[derive(Serialize, ToSchema)]
pub struct ResidentDetail {
    pub resident: ResidentDto,
    pub merges: Vec<MergeDto>,
}

/// A resident as written; values are codes (`registered`) or the register words (`户籍`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ResidentRequest {
    pub household_id: i64,
    pub name: String,
    #[serde(default)]
    pub document_kind: String,
    pub document_number: String,
    #[serde(default)]
    pub sex: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub hukou: String,
    #[serde(default)]
    pub tenure: String,
    #[serde(default)]
    pub travel_status: String,
    #[serde(default)]
    pub travel_origin: String,
    #[serde(default)]
    pub returned_on: String,
    #[serde(default)]
    pub vulnerabilities: Vec<String>,
    #[serde(default)]
    pub notes: String,
    /// For updates: the version read; a stale one is refused with `stale_version`.
    #[serde(default)]
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why; written to the audit trail. Required.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnmaskedDto {
    pub resident_id: i64,
    pub document_number: String,
    pub phone: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct ResidentParams {
    /// An ID number, a mobile number, a room or the start of a name.
    pub q: Option<String>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub household_id: Option<i64>,
    /// `stayed_in_city`, `returned` or `not_yet_returned`.
    pub travel_status: Option<String>,
    pub after: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::extract::page_limit")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    pub q: Option<String>,
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub travel_status: Option<String>,
    /// `csv` or `xlsx` (default).
    pub format: Option<String>,
    /// Full numbers, for roles that may unmask; audited.
    #[serde(default)]
    pub unmasked: bool,
}

#[derive(Deserialize, IntoParams)]
pub struct HouseholdParams {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub room: Option<String>,
    pub after: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::extract::page_limit")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    pub community_id: i64,
    /// The file's name, used in reports and merge records.
    pub file_name: String,
}

// Not the stored import: who ran it, the file's hash, its headers and times are not shown.
#[derive(Serialize, ToSchema)]
pub struct ImportDto {
    pub id: i64,
    pub community_id: i64,
    pub file_name: String,
    pub status: domain::registry::ImportStatus,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

// Not the stored reject: the message is explained in words, and the row's cells are not shown.
#[derive(Serialize, ToSchema)]
pub struct RejectDto {
    pub row: i64,
    pub column: String,
    pub code: String,
    pub message: String,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    pub action: Option<String>,
    pub account: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Newest first: continue before this sequence number.
    pub before: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::extract::audit_limit")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

// Not the stored record: the account id, community and previous hash stay out of the API.
#[derive(Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    pub at: i64,
    pub account_name: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct VerificationDto {
    pub entries: i64,
    pub intact: bool,
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

// Not the stored account: the language (and the password hash) stay out of the API.
#[derive(Serialize, ToSchema)]
pub struct AccountDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: domain::access::Role,
    pub level: domain::access::Level,
    pub scope_id: i64,
    pub active: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountRequest {
    #[serde(default)]
    pub username: String,
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    pub role: String,
    pub level: String,
    #[serde(default)]
    pub scope_id: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl From<store::registry::Resident> for ResidentDto {
    fn from(r: store::registry::Resident) -> Self {
        ResidentDto {
            vulnerabilities: domain::registry::Vulnerabilities(
                u8::try_from(r.vulnerabilities).unwrap_or(0),
            )
            .list()
            .iter()
            .map(|v| v.code().to_owned())
            .collect(),
            id: r.id,
            household_id: r.household_id,
            building_id: r.building_id,
            grid_id: r.grid_id,
            community_id: r.community_id,
            building_name: r.building_name,
            unit_name: r.unit_name,
            room: r.room,
            name: r.name,
            document_kind: r.document_kind,
            document_masked: r.document_masked,
            sex: r.sex,
            birth_date: r.birth_date,
            phone: r.phone,
            hukou: r.hukou,
            tenure: r.tenure,
            travel_status: r.travel_status,
            travel_origin: r.travel_origin,
            returned_on: r.returned_on,
            notes: r.notes,
            version: r.version,
        }
    }
}

impl From<store::imports::Import> for ImportDto {
    fn from(i: store::imports::Import) -> Self {
        ImportDto {
            id: i.id,
            community_id: i.community_id,
            file_name: i.file_name,
            status: i.status,
            total_rows: i.total_rows,
            processed_rows: i.processed_rows,
            inserted: i.inserted,
            merged: i.merged,
            unchanged: i.unchanged,
            rejected: i.rejected,
        }
    }
}

impl From<store::accounts::Account> for AccountDto {
    fn from(a: store::accounts::Account) -> Self {
        AccountDto {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            role: a.role,
            level: a.level,
            scope_id: a.scope_id,
            active: a.active,
        }
    }
}

impl From<store::audit::AuditRecord> for AuditEntryDto {
    fn from(r: store::audit::AuditRecord) -> Self {
        AuditEntryDto {
            seq: r.seq,
            at: r.at,
            account_name: r.account_name,
            role: r.role,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before: r.before,
            after: r.after,
            reason: r.reason,
            hash: r.hash,
        }
    }
}

impl ResidentRequest {
    pub fn raw(&self) -> domain::resident::RawResident {
        domain::resident::RawResident {
            name: self.name.clone(),
            document_kind: self.document_kind.clone(),
            document_number: self.document_number.clone(),
            sex: self.sex.clone(),
            birth_date: self.birth_date.clone(),
            phone: self.phone.clone(),
            hukou: self.hukou.clone(),
            tenure: self.tenure.clone(),
            travel_status: self.travel_status.clone(),
            travel_origin: self.travel_origin.clone(),
            returned_on: self.returned_on.clone(),
            vulnerabilities: self.vulnerabilities.join(","),
            notes: self.notes.clone(),
        }
    }
}

// The stored figures with the grid's name beside them.
#[derive(Serialize, ToSchema)]
pub struct GridFigures {
    pub grid_id: i64,
    pub grid_name: String,
    pub residents: i64,
    pub households: i64,
    pub stayed_in_city: i64,
    pub returned: i64,
    pub not_yet_returned: i64,
    pub registered: i64,
    pub resident_only: i64,
    pub vulnerable: i64,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryDto {
    pub grids: Vec<GridFigures>,
    pub total: GridFigures,
}

impl GridFigures {
    pub fn of(name: String, f: &store::counts::GridSummary) -> GridFigures {
        GridFigures {
            grid_id: f.grid_id,
            grid_name: name,
            residents: f.residents,
            households: f.households,
            stayed_in_city: f.stayed_in_city,
            returned: f.returned,
            not_yet_returned: f.not_yet_returned,
            registered: f.registered,
            resident_only: f.resident_only,
            vulnerable: f.vulnerable,
        }
    }
}
