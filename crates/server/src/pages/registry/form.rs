//! The resident form: adding a resident to a household and editing one, with field errors kept.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/residents/{id}/edit", get(edit_form).post(edit))
        .route("/households/{id}/residents/new", get(new_form))
        .route("/households/{id}/residents", post(create))
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
    fn from_pairs(pairs: &[(String, String)]) -> (ResidentFields, i64) {
        let mut f = ResidentFields::default();
        let mut version = 0;
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
                "version" => version = v.parse().unwrap_or(0),
                _ => {}
            }
        }
        (f, version)
    }

    fn raw(&self) -> RawResident {
        raw_resident!(self)
    }

    fn of(r: &Resident, language: domain::region::Language) -> ResidentFields {
        let p = &r.particulars;
        ResidentFields {
            name: p.name.clone(),
            document_kind: p.document_kind.code().to_owned(),
            // The number is never put back into a form unmasked; editing keeps it unless retyped.
            document_number: String::new(),
            sex: p.sex.map(|s| s.code().to_owned()).unwrap_or_default(),
            birth_date: p.birth_date.clone().unwrap_or_default(),
            phone: String::new(),
            hukou: p.hukou.code().to_owned(),
            tenure: p.tenure.code().to_owned(),
            travel_status: p.travel_status.code().to_owned(),
            travel_origin: app::registry::origin_field(p.travel_origin.as_deref(), language),
            returned_on: p.returned_on.clone().unwrap_or_default(),
            vulnerabilities: Vulnerabilities(u8::try_from(p.vulnerabilities).unwrap_or(0))
                .list()
                .iter()
                .map(|v| v.code().to_owned())
                .collect(),
            notes: p.notes.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "resident_form.html")]
struct ResidentForm {
    c: Chrome,
    frame: Frame,
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

/// What sets the adding and the editing form apart: the heading, the home, where the form posts,
/// where cancel leads, and the version it edits (none for a new resident).
struct Frame {
    heading: String,
    address: String,
    action: String,
    cancel: String,
    version: i64,
}

fn form_page(ctx: &Ctx, frame: Frame, f: ResidentFields, errors: FormErrors) -> Response {
    let refused = !errors.is_empty();
    let f = ResidentFields {
        vulnerabilities: f.vulnerabilities.clone(),
        ..f
    };
    render_form(
        &ResidentForm {
            c: ctx.chrome(&frame.heading),
            frame,
            f,
            errors,
            document_kinds: DocumentKind::ALL.iter().map(|k| k.code()).collect(),
            hukou_options: Hukou::ALL.iter().map(|k| k.code()).collect(),
            tenure_options: Tenure::ALL.iter().map(|k| k.code()).collect(),
            travel_options: TravelStatus::ALL.iter().map(|k| k.code()).collect(),
            vulnerability_options: Vulnerability::ALL.iter().map(|k| k.code()).collect(),
        },
        refused,
    )
}

fn address_of(h: &Household) -> String {
    format!("{} {} {}", h.building_name, h.unit_name, h.room)
}

/// The form that adds a resident to household `id`, blank or as typed.
fn new_resident_form(
    ctx: &Ctx,
    id: i64,
    h: &Household,
    f: ResidentFields,
    errors: FormErrors,
) -> Response {
    let frame = Frame {
        heading: ctx.t.get("resident.create").to_owned(),
        address: address_of(h),
        action: format!("/households/{id}/residents"),
        cancel: format!("/households/{id}"),
        version: 0,
    };
    form_page(ctx, frame, f, errors)
}

/// The form that edits resident `r`, with its values or as typed.
fn edit_resident_form(ctx: &Ctx, r: &Resident, f: ResidentFields, errors: FormErrors) -> Response {
    let id = r.id;
    let frame = Frame {
        heading: ctx.t.get("resident.edit").to_owned(),
        address: r.address.to_string(),
        action: format!("/residents/{id}/edit"),
        cancel: format!("/residents/{id}"),
        version: r.version,
    };
    form_page(ctx, frame, f, errors)
}

async fn new_form(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (h, _) = ctx.app.household(&ctx.actor, id).await.on_page(&ctx)?;
    let f = ResidentFields {
        document_kind: "citizen_id".into(),
        hukou: "registered".into(),
        tenure: "owner".into(),
        travel_status: "stayed_in_city".into(),
        ..Default::default()
    };
    Ok(new_resident_form(&ctx, id, &h, f, FormErrors::default()))
}

async fn create(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (f, _) = ResidentFields::from_pairs(&pairs);
    let outcome = ctx.app.create_resident(&ctx.actor, id, &f.raw()).await;
    after_submit(
        &ctx,
        outcome,
        invalid_or_conflicting,
        |resident| format!("/residents/{resident}?saved=1"),
        |errors| async {
            let (h, _) = ctx.app.household(&ctx.actor, id).await.on_page(&ctx)?;
            Ok(new_resident_form(&ctx, id, &h, f, errors))
        },
    )
    .await
}

async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let (r, _) = ctx.app.resident(&ctx.actor, id).await.on_page(&ctx)?;
    let f = ResidentFields::of(&r, ctx.t.lang.regions());
    Ok(edit_resident_form(&ctx, &r, f, FormErrors::default()))
}

async fn edit(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let (f, version) = ResidentFields::from_pairs(&pairs);
    let (r, _) = ctx.app.resident(&ctx.actor, id).await.on_page(&ctx)?;
    let mut raw = f.raw();
    // Blank number or phone on the edit form means "unchanged": the stored values are kept.
    let unmask_needed = raw.document_number.trim().is_empty() || raw.phone.trim().is_empty();
    if unmask_needed {
        let current = ctx
            .app
            .current_contact(&ctx.actor, id)
            .await
            .on_page(&ctx)?;
        if raw.document_number.trim().is_empty() {
            raw.document_number = current.document_number;
        }
        if raw.phone.trim().is_empty() {
            raw.phone = current.phone.unwrap_or_default();
        }
    }
    let outcome = ctx
        .app
        .update_resident(&ctx.actor, id, version, r.address.household_id, &raw)
        .await;
    after_submit(
        &ctx,
        outcome,
        invalid_or_conflicting,
        |()| format!("/residents/{id}?saved=1"),
        |errors| async { Ok(edit_resident_form(&ctx, &r, f, errors)) },
    )
    .await
}
