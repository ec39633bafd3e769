//! A household's page: its members, and changing its phone or head.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/households/{id}", get(household).post(edit_household))
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
