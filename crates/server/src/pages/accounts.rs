//! The account management pages: the list, and the form that creates or edits an account.

use app::accounts::AccountInput;
use app::registry::mask_phone;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;
use domain::access::{Level, Role};
use serde::Deserialize;
use store::accounts::Account;

use crate::AppState;
use crate::web::{
    Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, after_submit, invalid, render,
    render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts", get(accounts))
        .route("/accounts/new", get(new_account).post(create_account))
        .route("/accounts/{id}", get(edit_account).post(update_account))
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    /// Each account with the name of the place it works at (empty for the whole system).
    accounts: Vec<(Account, String)>,
}

impl AccountsPage {
    fn phone_of(&self, a: &Account) -> String {
        masked_phone(a)
    }
}

async fn accounts(ctx: Ctx) -> PageResult {
    let accounts = ctx.app.list_accounts(&ctx.actor).await.on_page(&ctx)?;
    // Each jurisdiction by its name, not its number.
    let mut places: std::collections::HashMap<(&'static str, i64), String> = Default::default();
    let (districts, streets) = ctx.app.districts().await.on_page(&ctx)?;
    places.extend(districts.into_iter().map(|d| (("district", d.id), d.name)));
    places.extend(streets.into_iter().map(|s| (("street", s.id), s.name)));
    let communities = ctx.app.communities(&ctx.actor).await.on_page(&ctx)?;
    for community in communities {
        let grids = ctx
            .app
            .grids(&ctx.actor, community.id)
            .await
            .on_page(&ctx)?;
        places.extend(grids.into_iter().map(|g| (("grid", g.id), g.name)));
        places.insert(("community", community.id), community.name);
    }
    let accounts = accounts
        .into_iter()
        .map(|a| {
            let place = places
                .get(&(a.level.code(), a.scope_id))
                .cloned()
                .unwrap_or_default();
            (a, place)
        })
        .collect();
    Ok(render(&AccountsPage {
        c: ctx.chrome(ctx.t.get("account.title")),
        accounts,
    }))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AccountForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    level: String,
    scope_id: String,
    active: Option<String>,
    phone: String,
    phone_clear: Option<String>,
}

struct AccountFields {
    username: String,
    display_name: String,
    role: String,
    level: String,
    scope_id: String,
    active: bool,
    /// The number as typed: empty on an account's form, whose number is never shown in full.
    phone: String,
    /// The number recorded, masked; empty when none.
    phone_now: String,
    phone_clear: bool,
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct AccountFormPage {
    c: Chrome,
    heading: String,
    action: String,
    is_new: bool,
    f: AccountFields,
    errors: FormErrors,
    roles: Vec<&'static str>,
    levels: Vec<&'static str>,
}

fn account_form(
    ctx: &Ctx,
    is_new: bool,
    action: String,
    f: AccountFields,
    errors: FormErrors,
) -> Response {
    let heading = if is_new {
        ctx.t.get("account.create")
    } else {
        ctx.t.get("account.edit")
    };
    let refused = !errors.is_empty();
    render_form(
        &AccountFormPage {
            c: ctx.chrome(heading),
            heading: heading.to_owned(),
            action,
            is_new,
            f,
            errors,
            roles: Role::ALL.iter().map(|r| r.code()).collect(),
            levels: Level::ALL.iter().map(|l| l.code()).collect(),
        },
        refused,
    )
}

fn input_of(f: &AccountForm) -> AccountInput {
    // An empty phone field keeps the number recorded (the form cannot show it in full); the
    // box beside it clears it.
    let phone = if f.phone_clear.is_some() {
        Some(String::new())
    } else if f.phone.trim().is_empty() {
        None
    } else {
        Some(f.phone.clone())
    };
    AccountInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        role: f.role.clone(),
        level: f.level.clone(),
        scope_id: f.scope_id.trim().parse().unwrap_or(0),
        active: f.active.is_some(),
        phone,
    }
}

fn fields_of(f: &AccountForm, phone_now: String) -> AccountFields {
    AccountFields {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        level: f.level.clone(),
        scope_id: f.scope_id.clone(),
        active: f.active.is_some(),
        phone: f.phone.clone(),
        phone_now,
        phone_clear: f.phone_clear.is_some(),
    }
}

/// An account's number as lists and forms show it: masked, empty when none.
fn masked_phone(a: &Account) -> String {
    a.phone.as_deref().map(mask_phone).unwrap_or_default()
}

async fn new_account(ctx: Ctx) -> PageResult {
    ctx.actor.require_manage_accounts().on_page(&ctx)?;
    let f = AccountFields {
        username: String::new(),
        display_name: String::new(),
        role: "grid_worker".into(),
        level: "grid".into(),
        scope_id: String::new(),
        active: true,
        phone: String::new(),
        phone_now: String::new(),
        phone_clear: false,
    };
    Ok(account_form(
        &ctx,
        true,
        "/accounts/new".into(),
        f,
        FormErrors::default(),
    ))
}

async fn create_account(ctx: Ctx, Form(f): Form<AccountForm>) -> PageResult {
    let mut input = input_of(&f);
    input.active = true;
    let outcome = ctx.app.create_account(&ctx.actor, &input).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |_| "/accounts".to_owned(),
        |errors| async {
            Ok(account_form(
                &ctx,
                true,
                "/accounts/new".into(),
                fields_of(&f, String::new()),
                errors,
            ))
        },
    )
    .await
}

async fn edit_account(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let a = ctx.app.account(&ctx.actor, id).await.on_page(&ctx)?;
    let phone_now = masked_phone(&a);
    let f = AccountFields {
        phone: String::new(),
        phone_now,
        phone_clear: false,
        username: a.username,
        display_name: a.display_name,
        role: a.role.code().to_owned(),
        level: a.level.code().to_owned(),
        scope_id: a.scope_id.to_string(),
        active: a.active,
    };
    Ok(account_form(
        &ctx,
        false,
        format!("/accounts/{id}"),
        f,
        FormErrors::default(),
    ))
}

async fn update_account(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AccountForm>) -> PageResult {
    let outcome = ctx.app.update_account(&ctx.actor, id, &input_of(&f)).await;
    after_submit(
        &ctx,
        outcome,
        invalid,
        |()| "/accounts".to_owned(),
        |errors| async {
            let a = ctx.app.account(&ctx.actor, id).await.on_page(&ctx)?;
            Ok(account_form(
                &ctx,
                false,
                format!("/accounts/{id}"),
                fields_of(&f, masked_phone(&a)),
                errors,
            ))
        },
    )
    .await
}
