//! An audit entry's before and after in the reader's language: field names translated, codes
//! named (a role, a level, a state of the record the entry is about), times in local time,
//! regions by name, other records by their names (a household's address, a resident's masked
//! name, an account's name), empty fields left out.

use serde_json::{Map, Number, Value};
use store::audit::{AuditNames, NamedObject};

use crate::i18n::Tr;

/// A named record as a reader knows it: a person's name masked, a household by its address.
pub(super) fn named_text(named: &NamedObject) -> String {
    let name = if named.person {
        domain::health::masked_name(&named.name)
    } else {
        named.name.clone()
    };
    let address = named
        .address
        .as_ref()
        .map(|(b, u, room)| format!("{b} {u} {room}").trim().to_owned());
    match (name.is_empty(), address) {
        (false, Some(a)) => format!("{name} · {a}"),
        (true, Some(a)) => a,
        (_, None) => name,
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
        "method" => &["screening_method"],
        "outcome" => &["screening_outcome"],
        "travel_status" => &["travel"],
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

/// The list the `state` of an action's record is named in, where states of several kinds of
/// record share their codes (`open`: a delivery to ask about, a household to screen, a campaign
/// under way).
fn state_list(action: &str) -> Option<&'static str> {
    Some(match action {
        "screening_attempt" => "sstate",
        "screening_campaign_state" => "cstate",
        a if a.starts_with("quarantine_") => "qstate",
        a if a.starts_with("delivery_") => "delivery_state",
        a if a.starts_with("pass_") => "pass_state",
        a if a.starts_with("alert_") => "alert_state",
        _ => return None,
    })
}

/// Fields that hold a GB/T 2260 region code.
const REGION_FIELDS: &[&str] = &["region", "origin", "travel_origin"];

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// Describes the entries of one action.
pub(super) struct Describer<'a> {
    pub(super) app: &'a app::App,
    pub(super) t: &'a Tr,
    pub(super) names: &'a AuditNames,
    pub(super) action: &'a str,
}

impl Describer<'_> {
    /// A stored before or after as the reader reads it.
    pub(super) fn describe(&self, stored: &str) -> String {
        let Ok(value) = serde_json::from_str::<Value>(stored) else {
            return stored.to_owned();
        };
        match &value {
            Value::Object(fields) => self.fields(fields, "; "),
            other => self.value(&Map::new(), "", other),
        }
    }

    /// `field = value` for each field with something in it, joined by `separator`.
    fn fields(&self, fields: &Map<String, Value>, separator: &str) -> String {
        fields
            .iter()
            .filter(|(_, v)| !empty(v) && !v.is_object())
            .map(|(k, v)| format!("{} = {}", self.t.of("field", k), self.value(fields, k, v)))
            .collect::<Vec<_>>()
            .join(separator)
    }

    /// The value of field `k` of `fields`.
    fn value(&self, fields: &Map<String, Value>, k: &str, v: &Value) -> String {
        if let Value::Number(n) = v
            && let Some(name) = self.referenced(fields, k, n)
        {
            return name;
        }
        match v {
            Value::String(s) => self.code_name(k, s),
            // Milliseconds since 1970 in a field that holds a time (`ends_at`, a window's
            // `from` and `to`): no count in the trail comes near 2001's.
            Value::Number(n) if n.as_i64().is_some_and(is_a_time) => {
                crate::pages::registry_time(self.app, n.as_i64().unwrap_or_default())
            }
            Value::Bool(b) => self
                .t
                .get(if *b { "audit.yes" } else { "audit.no" })
                .to_owned(),
            // A list of records (a person's answers, a campaign's questions): each in brackets.
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::Object(o) => format!("({})", self.fields(o, ", ")),
                    other => self.value(fields, k, other),
                })
                .collect::<Vec<_>>()
                .join("、"),
            other => other.to_string(),
        }
    }

    /// The name of the record a number of field `k` stands for, when the trail's names hold it.
    fn referenced(&self, fields: &Map<String, Value>, k: &str, n: &Number) -> Option<String> {
        let kind = store::audit::field_kind(fields, k)?;
        let id = n.as_i64()?;
        if kind == store::audit::ACCOUNT {
            return self.names.accounts.get(&id).cloned();
        }
        self.names
            .objects
            .get(&(kind.to_owned(), id.to_string()))
            .map(named_text)
    }

    /// A stored code in the reader's language when one of its field's lists names it (a role, a
    /// state), a region by its name; anything else (a name, a number typed by someone) as
    /// stored.
    fn code_name(&self, field: &str, code: &str) -> String {
        if REGION_FIELDS.contains(&field)
            && let Some(name) = domain::region::region_name(code)
        {
            return name;
        }
        let preferred = if field == "state" {
            state_list(self.action)
        } else {
            None
        };
        std::iter::once(field)
            .chain(preferred)
            .chain(code_lists(field).iter().copied())
            .map(|list| format!("{list}.{code}"))
            .find(|key| self.t.get(key) != key.as_str())
            .map(|key| self.t.get(&key).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}
