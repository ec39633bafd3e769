//! What an audit entry is about, by name: the trail stores an object's type and number and the
//! acting account's login; a reader wants the resident, the household's address, the gate, the
//! person's name. One query per kind of object named on a page of entries.

use std::collections::{HashMap, HashSet};

use sqlx::Row;

use super::AuditRecord;
use crate::{Conn, Result, sql};

/// The names of the objects and accounts that a page of entries mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditNames {
    /// `(object_type, object_id)` → a name a reader knows it by. A resident's name is masked
    /// (first character, the rest `*`) and followed by the household's address.
    pub objects: HashMap<(String, String), NamedObject>,
    /// An account's number → its display name.
    pub accounts: HashMap<i64, String>,
}

/// An object's name, and for a person the address of their household.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedObject {
    pub name: String,
    /// Building, unit and room, when the object is a household or someone in one.
    pub address: Option<(String, String, String)>,
    /// Whether `name` is a person's, to be masked before it is shown.
    pub person: bool,
}

/// The query naming each kind of object: its columns are `id`, `name`, and for a household or a
/// person `building`, `unit` and `room`.
fn query_of(object_type: &str) -> Option<(&'static str, bool)> {
    Some(match object_type {
        "resident" => (
            "SELECT x.id AS id, x.name AS name, b.name AS building, u.name AS unit, h.room AS room \
             FROM residents x JOIN households h ON h.id = x.household_id \
             JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
             WHERE x.id IN",
            true,
        ),
        "quarantine_order" => (
            "SELECT x.id AS id, r.name AS name, b.name AS building, u.name AS unit, h.room AS room \
             FROM quarantine_orders x JOIN residents r ON r.id = x.resident_id \
             JOIN households h ON h.id = x.household_id \
             JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
             WHERE x.id IN",
            true,
        ),
        "household" | "pass" | "delivery_task" => (
            match object_type {
                "household" => {
                    "SELECT x.id AS id, '' AS name, b.name AS building, u.name AS unit, x.room AS room \
                     FROM households x JOIN units u ON u.id = x.unit_id \
                     JOIN buildings b ON b.id = x.building_id WHERE x.id IN"
                }
                "pass" => {
                    "SELECT x.id AS id, '' AS name, b.name AS building, u.name AS unit, h.room AS room \
                     FROM passes x JOIN households h ON h.id = x.household_id \
                     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
                     WHERE x.id IN"
                }
                _ => {
                    "SELECT x.id AS id, '' AS name, b.name AS building, u.name AS unit, h.room AS room \
                     FROM delivery_tasks x JOIN households h ON h.id = x.household_id \
                     JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = h.building_id \
                     WHERE x.id IN"
                }
            },
            false,
        ),
        "case" => (
            "SELECT id, person_name AS name FROM cases WHERE id IN",
            true,
        ),
        "account" => (
            "SELECT id, display_name AS name FROM accounts WHERE id IN",
            false,
        ),
        "unit" => (
            "SELECT x.id AS id, '' AS name, b.name AS building, x.name AS unit, '' AS room \
             FROM units x JOIN buildings b ON b.id = x.building_id WHERE x.id IN",
            false,
        ),
        "screening_team" => ("SELECT id, name FROM screening_teams WHERE id IN", false),
        "district" => ("SELECT id, name FROM districts WHERE id IN", false),
        "street" => ("SELECT id, name FROM streets WHERE id IN", false),
        "community" => ("SELECT id, name FROM communities WHERE id IN", false),
        "grid" => ("SELECT id, name FROM grids WHERE id IN", false),
        "building" => ("SELECT id, name FROM buildings WHERE id IN", false),
        "gate" => ("SELECT id, name FROM gates WHERE id IN", false),
        "screening_campaign" => (
            "SELECT id, name FROM screening_campaigns WHERE id IN",
            false,
        ),
        _ => return None,
    })
}

/// The kind of record a field of an entry's before or after holds the number (or numbers) of,
/// named as entries' object types are: `household_id` a household, `doctor_id` an account. An
/// account's `scope_id` is the record its `level` names.
pub fn field_kind(
    fields: &serde_json::Map<String, serde_json::Value>,
    field: &str,
) -> Option<&'static str> {
    Some(match field {
        "household_id" => "household",
        "resident_id" | "head_resident_id" => "resident",
        "building_id" | "building_ids" | "outbreak_building_id" | "zone_buildings" => "building",
        "outbreak_unit_id" => "unit",
        "grid_id" | "grid_ids" => "grid",
        "community_id" => "community",
        "street_id" => "street",
        "district_id" => "district",
        "order_id" => "quarantine_order",
        "campaign_id" => "screening_campaign",
        "team_id" => "screening_team",
        "delivery_id" => "delivery_task",
        "case_id" | "traced_from_id" => "case",
        "gate_id" => "gate",
        "pass_id" | "replaces_id" => "pass",
        "account_id" | "doctor_id" | "grid_worker_id" | "volunteer_id" | "owner_id" | "members"
        | "recipients" => ACCOUNT,
        "scope_id" => match fields.get("level").and_then(serde_json::Value::as_str)? {
            "district" => "district",
            "street" => "street",
            "community" => "community",
            "grid" => "grid",
            "building" => "building",
            _ => return None,
        },
        _ => return None,
    })
}

/// The kind [`field_kind`] gives a field that holds an account.
pub const ACCOUNT: &str = "account";

/// The records an entry's before or after names by number: `(kind, id)` for each number (or
/// number in a list) of a field [`field_kind`] knows.
pub fn referenced(stored: Option<&str>) -> Vec<(&'static str, i64)> {
    let Some(serde_json::Value::Object(fields)) =
        stored.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, value) in &fields {
        let Some(kind) = field_kind(&fields, field) else {
            continue;
        };
        match value {
            serde_json::Value::Number(n) => out.extend(n.as_i64().map(|id| (kind, id))),
            serde_json::Value::Array(items) => {
                out.extend(items.iter().filter_map(|i| i.as_i64().map(|id| (kind, id))));
            }
            _ => {}
        }
    }
    out
}

/// Names the objects and accounts of `records`, and the records their before and after name by
/// number; one query per kind. An object gone since (or of a kind with no name) is left out, and
/// the page shows its kind and number.
pub async fn names(conn: &mut Conn, records: &[AuditRecord]) -> Result<AuditNames> {
    let mut by_type: HashMap<&str, HashSet<i64>> = HashMap::new();
    let mut accounts: HashSet<i64> = records.iter().filter_map(|r| r.account_id).collect();
    for r in records {
        if let Ok(id) = r.object_id.parse::<i64>() {
            by_type
                .entry(r.object_type.as_str())
                .or_default()
                .insert(id);
        }
        for (kind, id) in [r.before.as_deref(), r.after.as_deref()]
            .into_iter()
            .flat_map(referenced)
        {
            if kind == ACCOUNT {
                accounts.insert(id);
            } else {
                by_type.entry(kind).or_default().insert(id);
            }
        }
    }
    let mut out = AuditNames::default();
    for (object_type, ids) in by_type {
        let Some((select, person)) = query_of(object_type) else {
            continue;
        };
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        // The numbers are parsed integers: nothing typed reaches the statement.
        let rows =
            sql::fetch_all(conn, sqlx::AssertSqlSafe(format!("{select} ({list})")), ()).await?;
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let name: String = row.try_get("name")?;
            let address = match row.try_get::<String, _>("building") {
                Ok(building) => Some((building, row.try_get("unit")?, row.try_get("room")?)),
                Err(_) => None,
            };
            out.objects.insert(
                (object_type.to_owned(), id.to_string()),
                NamedObject {
                    name,
                    address,
                    person,
                },
            );
        }
    }
    if !accounts.is_empty() {
        let list = accounts
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sql::fetch_all(
            conn,
            sqlx::AssertSqlSafe(format!(
                "SELECT id, display_name FROM accounts WHERE id IN ({list})"
            )),
            (),
        )
        .await?;
        for row in rows {
            out.accounts
                .insert(row.try_get("id")?, row.try_get("display_name")?);
        }
    }
    Ok(out)
}
