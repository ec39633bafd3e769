//! Pages of households and residents: browse, search, add, edit, unmask, export.

use app::registry::{ExportFormat, ResidentQuery};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::document::DocumentKind;
use domain::page::PageRequest;
use domain::registry::{Hukou, Tenure, TravelStatus, Vulnerabilities, Vulnerability};
use domain::resident::RawResident;
use serde::Deserialize;
use store::registry::{Household, Resident};

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{Chrome, Ctx, FormErrors, PageError, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/residents", get(residents).post(private_search))
        .route("/residents/{id}", get(resident))
        .route("/residents/{id}/unmask", post(unmask))
        .route("/residents/{id}/edit", get(edit_form).post(edit))
        .route("/households/{id}", get(household).post(edit_household))
        .route("/residents/{id}/delete", post(delete_resident))
        .route("/households/{id}/residents/new", get(new_form))
        .route("/households/{id}/residents", post(create))
        .route("/export/residents", get(export))
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    grid: Option<i64>,
    building: Option<i64>,
    travel: Option<String>,
    after: Option<i64>,
    format: Option<String>,
}

impl ListQuery {
    fn to_query(&self) -> ResidentQuery {
        ResidentQuery {
            grid_id: self.grid,
            building_id: self.building,
            household_id: None,
            travel_status: self.travel.clone().filter(|s| !s.is_empty()),
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
        }
    }

    /// The filter as a query string, for paging and export links.
    fn filter_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(q) = self.q.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("q={}", urlencode(q)));
        }
        if let Some(g) = self.grid {
            parts.push(format!("grid={g}"));
        }
        if let Some(b) = self.building {
            parts.push(format!("building={b}"));
        }
        if let Some(t) = self.travel.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("travel={}", urlencode(t)));
        }
        parts.join("&")
    }
}

#[derive(Template)]
#[template(path = "residents.html")]
struct ResidentsPage {
    c: Chrome,
    residents: Vec<Resident>,
    q: String,
    travel: String,
    grid: Option<i64>,
    building: Option<i64>,
    travel_options: Vec<&'static str>,
    filter_query: String,
    after: Option<i64>,
    next: Option<i64>,
    can_export: bool,
}

async fn residents(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let filter_query = q.filter_query();
    residents_page(&s, &ctx, &q, filter_query).await
}

#[derive(Deserialize, Default)]
struct SearchForm {
    #[serde(default)]
    csrf: String,
    q: Option<String>,
    grid: Option<i64>,
    building: Option<i64>,
    travel: Option<String>,
}

/// A search by ID number or mobile number, posted so the number stays out of the address bar,
/// the browser's history and the server's logs; paging and export links leave it out too.
async fn private_search(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(form): Form<SearchForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&form.csrf)?;
    let q = ListQuery {
        q: form.q,
        grid: form.grid,
        building: form.building,
        travel: form.travel,
        ..Default::default()
    };
    let text = q.q.as_deref().map(str::trim).unwrap_or("");
    let private = domain::citizen_id::CitizenId::parse(text).is_ok()
        || domain::phone::MobilePhone::parse(text).is_ok();
    let filter_query = if private {
        ListQuery {
            q: None,
            grid: q.grid,
            building: q.building,
            travel: q.travel.clone(),
            ..Default::default()
        }
        .filter_query()
    } else {
        q.filter_query()
    };
    let mut res = residents_page(&s, &ctx, &q, filter_query).await?;
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

async fn residents_page(
    s: &AppState,
    ctx: &Ctx,
    q: &ListQuery,
    filter_query: String,
) -> Result<Response, PageError> {
    let page = s
        .app
        .residents(&ctx.actor, &q.to_query(), PageRequest::new(q.after, None))
        .await
        .map_err(|e| ctx.err(e))?;
    Ok(render(&ResidentsPage {
        c: ctx.chrome(ctx.t.get("resident.list")),
        residents: page.items,
        q: q.q.clone().unwrap_or_default(),
        travel: q.travel.clone().unwrap_or_default(),
        grid: q.grid,
        building: q.building,
        travel_options: TravelStatus::ALL.iter().map(|s| s.code()).collect(),
        filter_query,
        after: q.after,
        next: page.next,
        can_export: ctx.actor.role.can_export(),
    }))
}

async fn export(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let format = match q.format.as_deref() {
        Some("csv") => ExportFormat::Csv,
        _ => ExportFormat::Xlsx,
    };
    let bytes = s
        .app
        .export_residents(&ctx.actor, &q.to_query(), format, false)
        .await
        .map_err(|e| ctx.err(e))?;
    Ok(download(bytes, format))
}

pub(crate) fn download(bytes: Vec<u8>, format: ExportFormat) -> Response {
    let mime = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let disposition = format!("attachment; filename=\"residents.{}\"", format.extension());
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "resident.html")]
struct ResidentPage {
    c: Chrome,
    r: Resident,
    vulnerabilities: Vec<&'static str>,
    merges: Vec<(String, String, String)>,
    can_unmask: bool,
    can_edit: bool,
    notice: String,
}

pub(crate) fn local_time(s: &AppState, ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(s.app.settings.time_zone.clone())
                .strftime("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

#[derive(Deserialize)]
struct NoticeQuery {
    saved: Option<String>,
}

async fn resident(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(nq): Query<NoticeQuery>,
) -> Result<Response, PageError> {
    let (r, merges) = s
        .app
        .resident(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let vulnerabilities = Vulnerabilities(u8::try_from(r.vulnerabilities).unwrap_or(0))
        .list()
        .iter()
        .map(|v| v.code())
        .collect();
    let merges = merges
        .into_iter()
        .map(|m| (local_time(&s, m.at), m.source, m.changes))
        .collect();
    Ok(render(&ResidentPage {
        c: ctx.chrome(&r.name),
        r,
        vulnerabilities,
        merges,
        can_unmask: ctx.actor.role.can_unmask(),
        can_edit: ctx.actor.role.can_edit_registry(),
        notice: if nq.saved.is_some() {
            ctx.t.get("form.saved").to_owned()
        } else {
            String::new()
        },
    }))
}

#[derive(Template)]
#[template(path = "unmask_form.html")]
struct UnmaskAgain {
    c: Chrome,
    r: Resident,
    unmask_error: String,
}

#[derive(Template)]
#[template(path = "unmasked.html")]
struct UnmaskedFragment {
    t: Tr,
    number: String,
    phone: String,
}

#[derive(Deserialize)]
struct UnmaskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn unmask(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<UnmaskForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&f.csrf)?;
    let u = s
        .app
        .unmask_resident(&ctx.actor, id, &f.reason)
        .await
        .map_err(|e| ctx.err(e))?;
    let mut res = render(&UnmaskedFragment {
        t: ctx.t,
        number: u.document_number,
        phone: u.phone.unwrap_or_default(),
    });
    // Unmasked numbers must not linger in caches.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    c: Chrome,
    household: Household,
    members: Vec<Resident>,
    can_edit: bool,
    error: String,
}

impl HouseholdPage {
    fn is_head(&self, id: &i64) -> bool {
        self.household.head_resident_id == Some(*id)
    }
}

async fn household(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    household_page(&s, &ctx, id, String::new()).await
}

async fn household_page(
    s: &AppState,
    ctx: &Ctx,
    id: i64,
    error: String,
) -> Result<Response, PageError> {
    let (household, members) = s
        .app
        .household(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = render(&HouseholdPage {
        c: ctx.chrome(&household.room),
        household,
        members,
        can_edit: ctx.actor.role.can_edit_registry(),
        error,
    });
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Deserialize)]
struct HouseholdEditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    head_resident_id: String,
}

/// Changes the household's phone (blank keeps it) and head.
async fn edit_household(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HouseholdEditForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&f.csrf)?;
    let head = f.head_resident_id.trim().parse::<i64>().ok();
    let phone = if f.phone.trim().is_empty() {
        s.app
            .household_phone(&ctx.actor, id)
            .await
            .map_err(|e| ctx.err(e))?
            .unwrap_or_default()
    } else {
        f.phone.clone()
    };
    match s.app.update_household(&ctx.actor, id, &phone, head).await {
        Ok(()) => Ok(Redirect::to(&format!("/households/{id}")).into_response()),
        Err(e @ app::AppError::Validation(_)) => {
            let msg = FormErrors::from_app(&e, ctx.t)
                .items
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; ");
            household_page(&s, &ctx, id, msg).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn delete_resident(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&f.csrf)?;
    let (r, _) = s
        .app
        .resident(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    s.app
        .delete_resident(&ctx.actor, id, &f.reason)
        .await
        .map_err(|e| ctx.err(e))?;
    Ok(Redirect::to(&format!("/households/{}", r.household_id)).into_response())
}

/// The resident form's values, as typed.
#[derive(Default, Clone)]
struct ResidentFields {
    name: String,
    document_kind: String,
    document_number: String,
    sex: String,
    birth_date: String,
    phone: String,
    hukou: String,
    tenure: String,
    travel_status: String,
    travel_origin: String,
    returned_on: String,
    vulnerabilities: Vec<String>,
    notes: String,
}

impl ResidentFields {
    /// Reads a posted form; checkboxes repeat their name, so the body is read as pairs.
    fn from_pairs(pairs: &[(String, String)]) -> (ResidentFields, String, i64) {
        let mut f = ResidentFields::default();
        let (mut csrf, mut version) = (String::new(), 0);
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "name" => f.name = v,
                "document_kind" => f.document_kind = v,
                "document_number" => f.document_number = v,
                "sex" => f.sex = v,
                "birth_date" => f.birth_date = v,
                "phone" => f.phone = v,
                "hukou" => f.hukou = v,
                "tenure" => f.tenure = v,
                "travel_status" => f.travel_status = v,
                "travel_origin" => f.travel_origin = v,
                "returned_on" => f.returned_on = v,
                "vulnerability" => f.vulnerabilities.push(v),
                "notes" => f.notes = v,
                "csrf" => csrf = v,
                "version" => version = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        (f, csrf, version)
    }

    fn raw(&self) -> RawResident {
        RawResident {
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

    fn of(r: &Resident) -> ResidentFields {
        ResidentFields {
            name: r.name.clone(),
            document_kind: r.document_kind.clone(),
            // The number is never put back into a form unmasked; editing keeps it unless retyped.
            document_number: String::new(),
            sex: r.sex.clone().unwrap_or_default(),
            birth_date: r.birth_date.clone().unwrap_or_default(),
            phone: String::new(),
            hukou: r.hukou.clone(),
            tenure: r.tenure.clone(),
            travel_status: r.travel_status.clone(),
            travel_origin: r.travel_origin.clone().unwrap_or_default(),
            returned_on: r.returned_on.clone().unwrap_or_default(),
            vulnerabilities: Vulnerabilities(u8::try_from(r.vulnerabilities).unwrap_or(0))
                .list()
                .iter()
                .map(|v| v.code().to_owned())
                .collect(),
            notes: r.notes.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "resident_form.html")]
struct ResidentForm {
    c: Chrome,
    heading: String,
    address: String,
    action: String,
    cancel: String,
    version: i64,
    f: ResidentFields,
    errors: FormErrors,
    document_kinds: Vec<&'static str>,
    hukou_options: Vec<&'static str>,
    tenure_options: Vec<&'static str>,
    travel_options: Vec<&'static str>,
    vulnerability_options: Vec<&'static str>,
}

impl ResidentFields {
    fn contains_vulnerability(&self, v: &str) -> bool {
        self.vulnerabilities.iter().any(|x| x == v)
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the form's frame: heading, address, target, cancel link, version, values, errors"
)]
fn form_page(
    ctx: &Ctx,
    heading: &str,
    address: String,
    action: String,
    cancel: String,
    version: i64,
    f: ResidentFields,
    errors: FormErrors,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let f = ResidentFields {
        vulnerabilities: f.vulnerabilities.clone(),
        ..f
    };
    let mut res = render(&ResidentForm {
        c: ctx.chrome(heading),
        heading: heading.to_owned(),
        address,
        action,
        cancel,
        version,
        f,
        errors,
        document_kinds: DocumentKind::ALL.iter().map(|k| k.code()).collect(),
        hukou_options: Hukou::ALL.iter().map(|k| k.code()).collect(),
        tenure_options: Tenure::ALL.iter().map(|k| k.code()).collect(),
        travel_options: TravelStatus::ALL.iter().map(|k| k.code()).collect(),
        vulnerability_options: Vulnerability::ALL.iter().map(|k| k.code()).collect(),
    });
    *res.status_mut() = status;
    res
}

fn address_of(h: &Household) -> String {
    format!("{} {} {}", h.building_name, h.unit_name, h.room)
}

async fn new_form(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (h, _) = s
        .app
        .household(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let f = ResidentFields {
        document_kind: "citizen_id".into(),
        hukou: "registered".into(),
        tenure: "owner".into(),
        travel_status: "stayed_in_city".into(),
        ..Default::default()
    };
    Ok(form_page(
        &ctx,
        ctx.t.get("resident.create"),
        address_of(&h),
        format!("/households/{id}/residents"),
        format!("/households/{id}"),
        0,
        f,
        FormErrors::default(),
    ))
}

async fn create(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (f, csrf, _) = ResidentFields::from_pairs(&pairs);
    ctx.check_csrf(&csrf)?;
    match s.app.create_resident(&ctx.actor, id, &f.raw()).await {
        Ok(rid) => Ok(Redirect::to(&format!("/residents/{rid}?saved=1")).into_response()),
        Err(e @ (app::AppError::Validation(_) | app::AppError::Conflict { .. })) => {
            let (h, _) = s
                .app
                .household(&ctx.actor, id)
                .await
                .map_err(|e| ctx.err(e))?;
            let errors = FormErrors::from_app(&e, ctx.t);
            Ok(form_page(
                &ctx,
                ctx.t.get("resident.create"),
                address_of(&h),
                format!("/households/{id}/residents"),
                format!("/households/{id}"),
                0,
                f,
                errors,
            ))
        }
        Err(e) => Err(ctx.err(e)),
    }
}

async fn edit_form(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (r, _) = s
        .app
        .resident(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let address = format!("{} {} {}", r.building_name, r.unit_name, r.room);
    Ok(form_page(
        &ctx,
        ctx.t.get("resident.edit"),
        address,
        format!("/residents/{id}/edit"),
        format!("/residents/{id}"),
        r.version,
        ResidentFields::of(&r),
        FormErrors::default(),
    ))
}

async fn edit(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (mut f, csrf, version) = ResidentFields::from_pairs(&pairs);
    ctx.check_csrf(&csrf)?;
    let (r, _) = s
        .app
        .resident(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let mut raw = f.raw();
    // Blank number or phone on the edit form means "unchanged": the stored values are kept.
    let unmask_needed = raw.document_number.trim().is_empty() || raw.phone.trim().is_empty();
    if unmask_needed {
        let current = s
            .app
            .current_contact(&ctx.actor, id)
            .await
            .map_err(|e| ctx.err(e))?;
        if raw.document_number.trim().is_empty() {
            raw.document_number = current.document_number;
        }
        if raw.phone.trim().is_empty() {
            raw.phone = current.phone.unwrap_or_default();
        }
    }
    match s
        .app
        .update_resident(&ctx.actor, id, version, r.household_id, &raw)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/residents/{id}?saved=1")).into_response()),
        Err(e @ (app::AppError::Validation(_) | app::AppError::Conflict { .. })) => {
            let errors = FormErrors::from_app(&e, ctx.t);
            if f.document_number.is_empty() {
                f.document_number = String::new();
            }
            let address = format!("{} {} {}", r.building_name, r.unit_name, r.room);
            Ok(form_page(
                &ctx,
                ctx.t.get("resident.edit"),
                address,
                format!("/residents/{id}/edit"),
                format!("/residents/{id}"),
                r.version,
                f,
                errors,
            ))
        }
        Err(e) => Err(ctx.err(e)),
    }
}
