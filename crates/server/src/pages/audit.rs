//! The audit trail pages: the entries, filtered, and the chain verified on request.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use serde::Deserialize;
use store::audit::{AuditFilter, AuditNames, AuditRecord};

use crate::i18n::Tr;

mod describe;
use describe::{Describer, named_text};

use crate::AppState;
use crate::web::{Chrome, Ctx, OnPage, PageResult, render, urlencode};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(audit))
        .route("/audit/chain", get(audit_chain))
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
    "phone_call",
    "household_phone_unmask",
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

async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> PageResult {
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let filter = AuditFilter {
        action: nonempty(&q.action),
        account_name: nonempty(&q.account),
        object_id: nonempty(&q.object_id),
        before_seq: q.before,
        ..Default::default()
    };
    const PAGE: u32 = 100;
    let records = ctx
        .app
        .audit_trail(&ctx.actor, &filter, PAGE)
        .await
        .on_page(&ctx)?;
    let next = if records.len() == PAGE as usize {
        records.last().map(|r| r.seq)
    } else {
        None
    };
    let names = ctx
        .app
        .audit_names(&ctx.actor, &records)
        .await
        .on_page(&ctx)?;
    let entries = records
        .into_iter()
        .map(|r| {
            let d = Describer {
                app: &ctx.app,
                t: &ctx.t,
                names: &names,
                action: &r.action,
            };
            let mut details = String::new();
            if let Some(b) = &r.before {
                details.push_str(&format!(
                    "{}: {} ",
                    ctx.t.get("audit.before"),
                    d.describe(b)
                ));
            }
            if let Some(a) = &r.after {
                details.push_str(&format!("{}: {} ", ctx.t.get("audit.after"), d.describe(a)));
            }
            if let Some(reason) = &r.reason {
                details.push_str(&format!("{}: {reason}", ctx.t.get("audit.reason")));
            }
            AuditRow {
                seq: r.seq,
                at: super::registry_time(&ctx.app, r.at),
                account: who(&ctx.t, &names, &r),
                role: ctx.t.of("role", &r.role),
                action: ctx.t.of("action", &r.action),
                object: object_name(&ctx.t, &names, &r),
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
async fn audit_chain(ctx: Ctx) -> PageResult {
    let verification = ctx.app.verify_audit(&ctx.actor).await.on_page(&ctx)?;
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

/// Who acted, as the reader knows them: an account's display name, or "the system" for what
/// runs on its own.
fn who(t: &Tr, names: &AuditNames, r: &AuditRecord) -> String {
    if r.role == app::audit::SYSTEM_ROLE {
        return t.get("audit.system").to_owned();
    }
    r.account_id
        .and_then(|id| names.accounts.get(&id))
        .cloned()
        .unwrap_or_else(|| r.account_name.clone())
}

/// What an entry is about: its kind and its name (a person's masked, with their household's
/// address), or its kind and number when it has no name.
fn object_name(t: &Tr, names: &AuditNames, r: &AuditRecord) -> String {
    let kind = t.of("object", &r.object_type);
    match names
        .objects
        .get(&(r.object_type.clone(), r.object_id.clone()))
    {
        Some(named) => format!("{kind} {}", named_text(named)),
        None => t
            .get("audit.object_number")
            .replace("{kind}", &kind)
            .replace("{n}", &r.object_id),
    }
}

/// One audit entry as the page of the record it is about shows it, in its history table: who,
/// what and when in the reader's language.
pub(crate) struct HistoryEntry {
    pub(crate) at: String,
    pub(crate) who: String,
    pub(crate) action: String,
    pub(crate) after: String,
    pub(crate) reason: String,
}

/// A record's history as its page shows it; without the names (should looking them up fail)
/// it still shows, with logins for names.
pub(crate) async fn history_of(
    ctx: &crate::web::Ctx,
    records: Vec<AuditRecord>,
) -> Vec<HistoryEntry> {
    let names = ctx
        .app
        .audit_names(&ctx.actor, &records)
        .await
        .unwrap_or_default();
    records
        .into_iter()
        .map(|r| HistoryEntry::of(ctx, &names, r))
        .collect()
}

impl HistoryEntry {
    fn of(ctx: &crate::web::Ctx, names: &AuditNames, r: AuditRecord) -> HistoryEntry {
        let d = Describer {
            app: &ctx.app,
            t: &ctx.t,
            names,
            action: &r.action,
        };
        HistoryEntry {
            at: super::registry_time(&ctx.app, r.at),
            who: who(&ctx.t, names, &r),
            action: ctx.t.of("action", &r.action),
            after: r
                .after
                .as_deref()
                .map(|a| d.describe(a))
                .unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        }
    }
}
