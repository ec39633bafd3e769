//! One resident's page, unmasking the ID number with a reason, and removal from the register.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/residents/{id}", get(resident))
        .route("/residents/{id}/unmask", post(unmask))
        .route("/residents/{id}/delete", post(delete_resident))
}

#[derive(Template)]
#[template(path = "resident.html")]
struct ResidentPage {
    c: Chrome,
    r: Resident,
    /// The travel origin by its region's name.
    origin: String,
    vulnerabilities: Vec<&'static str>,
    merges: Vec<(String, String, String)>,
    can_unmask: bool,
    can_edit: bool,
    notice: String,
    /// Where the resident stands in quarantine, if anywhere.
    standing: Option<crate::pages::quarantine::StandingLabel>,
    can_order: bool,
}

#[derive(Deserialize)]
struct NoticeQuery {
    saved: Option<String>,
}

async fn resident(ctx: Ctx, Path(id): Path<i64>, Query(nq): Query<NoticeQuery>) -> PageResult {
    let (r, merges) = ctx.app.resident(&ctx.actor, id).await.on_page(&ctx)?;
    let vulnerabilities = Vulnerabilities(u8::try_from(r.particulars.vulnerabilities).unwrap_or(0))
        .list()
        .iter()
        .map(|v| v.code())
        .collect();
    let merges = merges
        .into_iter()
        .map(|m| (local_time(&ctx.app, m.at), m.source, m.changes))
        .collect();
    let standing = crate::pages::quarantine::standings(&ctx, &[r.id])
        .await?
        .remove(&r.id);
    Ok(render(&ResidentPage {
        c: ctx.chrome(&r.particulars.name),
        standing,
        can_order: domain::quarantine::can_manage(ctx.actor.role),
        origin: app::registry::origin_name(
            r.particulars.travel_origin.as_deref(),
            ctx.t.lang.regions(),
        ),
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
    reason: String,
}

async fn unmask(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<UnmaskForm>) -> PageResult {
    let u = ctx
        .app
        .unmask_resident(&ctx.actor, id, &f.reason)
        .await
        .on_page(&ctx)?;
    // Unmasked numbers must not linger in caches.
    Ok(web::no_store(render(&UnmaskedFragment {
        t: ctx.t,
        number: u.document_number,
        phone: u.phone.unwrap_or_default(),
    })))
}

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    reason: String,
}

async fn delete_resident(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<DeleteForm>) -> PageResult {
    let (r, _) = ctx.app.resident(&ctx.actor, id).await.on_page(&ctx)?;
    let outcome = ctx.app.delete_resident(&ctx.actor, id, &f.reason).await;
    after_step(
        &ctx,
        outcome,
        &format!("/households/{}", r.address.household_id),
    )
}
