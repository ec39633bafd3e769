//! The audit trail pages: the entries, filtered, and the chain verified on request.

use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use serde::Deserialize;
use store::audit::{AuditFilter, AuditNames, AuditRecord};

use crate::i18n::Tr;

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
            let mut details = String::new();
            if let Some(b) = &r.before {
                details.push_str(&format!(
                    "{}: {} ",
                    ctx.t.get("audit.before"),
                    describe(&ctx.app, &ctx.t, &names, b)
                ));
            }
            if let Some(a) = &r.after {
                details.push_str(&format!(
                    "{}: {} ",
                    ctx.t.get("audit.after"),
                    describe(&ctx.app, &ctx.t, &names, a)
                ));
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
    let Some(named) = names
        .objects
        .get(&(r.object_type.clone(), r.object_id.clone()))
    else {
        return t
            .get("audit.object_number")
            .replace("{kind}", &kind)
            .replace("{n}", &r.object_id);
    };
    let name = if named.person {
        domain::health::masked_name(&named.name)
    } else {
        named.name.clone()
    };
    let address = named
        .address
        .as_ref()
        .map(|(b, u, room)| format!("{b} {u} {room}"));
    match (name.is_empty(), address) {
        (false, Some(a)) => format!("{kind} {name} · {a}"),
        (true, Some(a)) => format!("{kind} {a}"),
        (_, None) => format!("{kind} {name}"),
    }
}

/// Whether a number stored in an entry is a time: milliseconds between 2001 and 2100.
fn is_a_time(n: i64) -> bool {
    (1_000_000_000_000..4_102_444_800_000).contains(&n)
}

/// The lists a field's codes are named in, most likely first: a field called `state` holds the
/// state of whichever record the entry is about.
fn code_lists(field: &str) -> &'static [&'static str] {
    match field {
        "purpose" => &["purpose"],
        "level" => &["level", "control_level"],
        "status" => &["case_status"],
        "source" => &["case_source"],
        "reason" => &["pass_reason"],
        "kind" => &["pass_kind", "kind", "notification_kind"],
        "state" => &[
            "delivery_state",
            "pass_state",
            "alert_state",
            "qstate",
            "sstate",
            "cstate",
            "round_state",
            "stop_state",
            "disinfection_state",
            "follow_up_state",
        ],
        _ => &[],
    }
}

/// A stored code in the reader's language when one of its field's lists names it (a role, a
/// state); anything else (a name, a number typed by someone) as stored.
fn code_name(t: &Tr, field: &str, code: &str) -> String {
    std::iter::once(field)
        .chain(code_lists(field).iter().copied())
        .map(|list| format!("{list}.{code}"))
        .find(|key| t.get(key) != key.as_str())
        .map(|key| t.get(&key).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// An audit entry's before or after in the reader's language: field names translated, codes
/// named (a role, a level, a state), times in local time, empty fields left out.
fn describe(app: &app::App, t: &Tr, names: &AuditNames, stored: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(stored) else {
        return stored.to_owned();
    };
    let plain = |k: &str, v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::String(s) => code_name(t, k, s),
            // Milliseconds since 1970 in a field that holds a time (`ends_at`, a window's
            // `from` and `to`): no count in the trail comes near 2001's.
            serde_json::Value::Number(n) if n.as_i64().is_some_and(is_a_time) => {
                super::registry_time(app, n.as_i64().unwrap_or_default())
            }
            serde_json::Value::Bool(b) => {
                t.get(if *b { "audit.yes" } else { "audit.no" }).to_owned()
            }
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    serde_json::Value::String(s) => code_name(t, k, s),
                    // The people a notification told, by name.
                    serde_json::Value::Number(n) if k == "recipients" => n
                        .as_i64()
                        .and_then(|id| names.accounts.get(&id).cloned())
                        .unwrap_or_else(|| n.to_string()),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("、"),
            other => other.to_string(),
        }
    };
    let empty = |v: &serde_json::Value| match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::String(s) => s.is_empty(),
        _ => false,
    };
    match &value {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(_, v)| !empty(v))
            .filter(|(_, v)| !v.is_object())
            .map(|(k, v)| format!("{} = {}", t.of("field", k), plain(k, v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => plain("", other),
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
        HistoryEntry {
            at: super::registry_time(&ctx.app, r.at),
            who: who(&ctx.t, names, &r),
            action: ctx.t.of("action", &r.action),
            after: r
                .after
                .map(|a| describe(&ctx.app, &ctx.t, names, &a))
                .unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
        }
    }
}
