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
    can_order: bool,
    /// What was typed in the edit form, shown again when it was refused.
    f: HouseholdEditForm,
    errors: FormErrors,
}

impl HouseholdPage {
    fn is_head(&self, id: &i64) -> bool {
        self.household.head_resident_id == Some(*id)
    }
}

async fn household(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    household_page(
        &ctx,
        id,
        HouseholdEditForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn household_page(
    ctx: &Ctx,
    id: i64,
    f: HouseholdEditForm,
    errors: FormErrors,
) -> PageResult {
    let (household, members) = ctx.app.household(&ctx.actor, id).await.on_page(ctx)?;
    let refused = !errors.is_empty();
    Ok(render_form(
        &HouseholdPage {
            c: ctx.chrome(&household.room),
            household,
            members,
            can_edit: ctx.actor.role.can_edit_registry(),
            can_order: domain::quarantine::can_manage(ctx.actor.role),
            f,
            errors,
        },
        refused,
    ))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct HouseholdEditForm {
    phone: String,
    head_resident_id: String,
}

/// Changes the household's phone (blank keeps it) and head.
async fn edit_household(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<HouseholdEditForm>,
) -> PageResult {
    let head = f.head_resident_id.trim().parse::<i64>().ok();
    let phone = if f.phone.trim().is_empty() {
        ctx.app
            .household_phone(&ctx.actor, id)
            .await
            .on_page(&ctx)?
            .unwrap_or_default()
    } else {
        f.phone.clone()
    };
    let outcome = ctx.app.update_household(&ctx.actor, id, &phone, head).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |()| format!("/households/{id}"),
        |errors| household_page(&ctx, id, f, errors),
    )
    .await
}
