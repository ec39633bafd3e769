//! The audit trail and account management pages.

use app::accounts::AccountInput;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::access::{Level, Role};
use serde::Deserialize;
use store::accounts::Account;
use store::audit::AuditFilter;

use crate::AppState;
use crate::web::{Chrome, Ctx, FormErrors, PageError, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit))
        .route("/audit/chain", get(audit_chain))
        .route("/accounts", get(accounts))
        .route("/accounts/new", get(new_account).post(create_account))
        .route("/accounts/{id}", get(edit_account).post(update_account))
}

/// Actions offered in the audit filter.
pub const ACTIONS: &[&str] = &[
    "login",
    "login_failed",
    "account_create",
    "account_update",
    "login_rate_limited",
    "api_token_issue",
    "api_token_revoke",
    "api_token_revoke_all",
    "community_create",
    "grid_create",
    "building_create",
    "unit_create",
    "household_create",
    "household_update",
    "resident_create",
    "resident_update",
    "resident_delete",
    "resident_unmask",
    "resident_export",
    "resident_export_unmasked",
    "import_start",
    "import_batch",
];

#[derive(Deserialize, Default)]
struct AuditQuery {
    action: Option<String>,
    account: Option<String>,
    object_id: Option<String>,
    before: Option<i64>,
}

struct AuditRow {
    seq: i64,
    at: String,
    account: String,
    role: String,
    action: String,
    object: String,
    details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    entries: Vec<AuditRow>,
    actions: Vec<&'static str>,
    filter_action: String,
    filter_account: String,
    filter_object: String,
    filter_query: String,
    next: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit_chain.html")]
struct AuditChain {
    c: Chrome,
    ok: bool,
    entries: i64,
    message: String,
}

async fn audit(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = AuditFilter {
        action: nonempty(&q.action),
        account_name: nonempty(&q.account),
        object_id: nonempty(&q.object_id),
        before_seq: q.before,
        ..Default::default()
    };
    const PAGE: u32 = 100;
    let records = s
        .app
        .audit_trail(&ctx.actor, &filter, PAGE)
        .await
        .map_err(|e| ctx.err(e))?;
    let next = if records.len() == PAGE as usize {
        records.last().map(|r| r.seq)
    } else {
        None
    };
    let entries = records
        .into_iter()
        .map(|r| {
            let mut details = String::new();
            if let Some(b) = &r.before {
                details.push_str(&format!(
                    "{}: {} ",
                    ctx.t.get("audit.before"),
                    describe(&ctx.t, b)
                ));
            }
            if let Some(a) = &r.after {
                details.push_str(&format!(
                    "{}: {} ",
                    ctx.t.get("audit.after"),
                    describe(&ctx.t, a)
                ));
            }
            if let Some(reason) = &r.reason {
                details.push_str(&format!("{}: {reason}", ctx.t.get("audit.reason")));
            }
            AuditRow {
                seq: r.seq,
                at: super::registry_time(&s, r.at),
                account: r.account_name,
                role: ctx.t.of("role", &r.role),
                action: ctx.t.of("action", &r.action),
                object: format!("{} #{}", ctx.t.of("object", &r.object_type), r.object_id),
                details,
            }
        })
        .collect();
    let mut fq = Vec::new();
    for (k, v) in [
        ("action", &filter.action),
        ("account", &filter.account_name),
        ("object_id", &filter.object_id),
    ] {
        if let Some(v) = v {
            fq.push(format!("{k}={}", urlencode(v)));
        }
    }
    Ok(render(&AuditPage {
        c: ctx.chrome(ctx.t.get("audit.title")),
        entries,
        actions: ACTIONS.to_vec(),
        filter_action: filter.action.clone().unwrap_or_default(),
        filter_account: filter.account_name.clone().unwrap_or_default(),
        filter_object: filter.object_id.clone().unwrap_or_default(),
        filter_query: fq.join("&"),
        next,
    }))
}

/// The whole chain recomputed, on the auditor's request: a long trail takes seconds, so the
/// list of entries never waits for it.
async fn audit_chain(State(s): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let verification = s
        .app
        .verify_audit(&ctx.actor)
        .await
        .map_err(|e| ctx.err(e))?;
    let message = match &verification.broken_at {
        None => String::new(),
        Some((seq, why)) => ctx
            .t
            .get("audit.chain_broken")
            .replace("{seq}", &seq.to_string())
            .replace("{why}", why),
    };
    Ok(render(&AuditChain {
        c: ctx.chrome(ctx.t.get("audit.title")),
        ok: verification.broken_at.is_none(),
        entries: verification.entries,
        message,
    }))
}

/// An audit entry's before or after, with field names in the reader's language.
fn describe(t: &crate::i18n::Tr, stored: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(stored) else {
        return stored.to_owned();
    };
    let plain = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match &value {
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| format!("{} = {}", t.of("field", k), plain(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => plain(other),
    }
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    accounts: Vec<Account>,
}

async fn accounts(State(s): State<AppState>, ctx: Ctx) -> Result<Response, PageError> {
    let accounts = s
        .app
        .list_accounts(&ctx.actor)
        .await
        .map_err(|e| ctx.err(e))?;
    Ok(render(&AccountsPage {
        c: ctx.chrome(ctx.t.get("account.title")),
        accounts,
    }))
}

#[derive(Deserialize, Default, Clone)]
struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    scope_id: String,
    #[serde(default)]
    active: Option<String>,
}

struct AccountFields {
    username: String,
    display_name: String,
    role: String,
    level: String,
    scope_id: String,
    active: bool,
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
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = render(&AccountFormPage {
        c: ctx.chrome(heading),
        heading: heading.to_owned(),
        action,
        is_new,
        f,
        errors,
        roles: Role::ALL.iter().map(|r| r.code()).collect(),
        levels: Level::ALL.iter().map(|l| l.code()).collect(),
    });
    *res.status_mut() = status;
    res
}

fn input_of(f: &AccountForm) -> AccountInput {
    AccountInput {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: f.password.clone(),
        role: f.role.clone(),
        level: f.level.clone(),
        scope_id: f.scope_id.trim().parse().unwrap_or(0),
        active: f.active.is_some(),
    }
}

fn fields_of(f: &AccountForm) -> AccountFields {
    AccountFields {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        level: f.level.clone(),
        scope_id: f.scope_id.clone(),
        active: f.active.is_some(),
    }
}

async fn new_account(ctx: Ctx) -> Result<Response, PageError> {
    ctx.actor
        .require_manage_accounts()
        .map_err(|e| ctx.err(e))?;
    let f = AccountFields {
        username: String::new(),
        display_name: String::new(),
        role: "grid_worker".into(),
        level: "grid".into(),
        scope_id: String::new(),
        active: true,
    };
    Ok(account_form(
        &ctx,
        true,
        "/accounts/new".into(),
        f,
        FormErrors::default(),
    ))
}

async fn create_account(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AccountForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&f.csrf)?;
    let mut input = input_of(&f);
    input.active = true;
    match s.app.create_account(&ctx.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/accounts").into_response()),
        Err(e @ app::AppError::Validation(_)) => Ok(account_form(
            &ctx,
            true,
            "/accounts/new".into(),
            fields_of(&f),
            FormErrors::from_app(&e, ctx.t),
        )),
        Err(e) => Err(ctx.err(e)),
    }
}

async fn edit_account(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let a = s
        .app
        .account(&ctx.actor, id)
        .await
        .map_err(|e| ctx.err(e))?;
    let f = AccountFields {
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

async fn update_account(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<AccountForm>,
) -> Result<Response, PageError> {
    ctx.check_csrf(&f.csrf)?;
    match s.app.update_account(&ctx.actor, id, &input_of(&f)).await {
        Ok(()) => Ok(Redirect::to("/accounts").into_response()),
        Err(e @ app::AppError::Validation(_)) => Ok(account_form(
            &ctx,
            false,
            format!("/accounts/{id}"),
            fields_of(&f),
            FormErrors::from_app(&e, ctx.t),
        )),
        Err(e) => Err(ctx.err(e)),
    }
}
