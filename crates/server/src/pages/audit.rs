//! The audit trail pages: the entries, filtered, and the chain verified on request.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use serde::Deserialize;
use store::audit::{AuditFilter, AuditRecord};

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
                at: super::registry_time(&ctx.app, r.at),
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
            .map(|(k, v)| match (k.as_str(), v) {
                // A call's purpose is a task's kind: named in the reader's language.
                ("purpose", serde_json::Value::String(p)) => {
                    format!("{} = {}", t.of("field", k), t.of("purpose", p))
                }
                _ => format!("{} = {}", t.of("field", k), plain(v)),
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => plain(other),
    }
}

/// One audit entry as the page of the record it is about shows it, in its history table.
pub(crate) struct HistoryEntry {
    pub(crate) at: String,
    pub(crate) who: String,
    pub(crate) action: String,
    pub(crate) after: String,
    pub(crate) reason: String,
}

impl HistoryEntry {
    pub(crate) fn of(app: &app::App, r: AuditRecord) -> HistoryEntry {
        HistoryEntry {
            at: super::registry_time(app, r.at),
            who: r.account_name,
            action: r.action,
            after: r.after.unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        }
    }
}
