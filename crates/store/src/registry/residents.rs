//! Residents: their particulars, the register's reads scoped by jurisdiction, and the writes
//! that keep the registry's counts.

use domain::access::Jurisdiction;
use domain::citizen_id::Sex;
use domain::document::DocumentKind;
use domain::page::{Page, PageRequest};
use domain::registry::{Hukou, Tenure, TravelStatus};
use serde::Serialize;
use sqlx::{FromRow, Row};

use std::collections::HashMap;

use super::{Home, HouseholdAddress};
use crate::counts::{self, CountKey};
use crate::rows::NullableCode;
use crate::rows::read;
use crate::scope::Where;
use crate::sql::ColumnType::{Bytes, Int, Text};
use crate::sql::{self, Binds, ColumnType, Columns};
use crate::{Conn, Result, StoreError, now_ms};

/// A resident as stored, with the document masked; the sealed number is read separately.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Resident {
    pub id: i64,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub address: HouseholdAddress,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub particulars: Particulars,
    pub updated_at: i64,
    pub version: i64,
}

/// What the register records of a person: a resident read back and the data written for one
/// both carry it, so a new column of residents is declared here once.
#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Particulars {
    pub name: String,
    #[sqlx(try_from = "String")]
    pub document_kind: DocumentKind,
    pub document_masked: String,
    #[sqlx(try_from = "NullableCode<Sex>")]
    pub sex: Option<Sex>,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub hukou: Hukou,
    #[sqlx(try_from = "String")]
    pub tenure: Tenure,
    #[sqlx(try_from = "String")]
    pub travel_status: TravelStatus,
    pub travel_origin: Option<String>,
    pub returned_on: Option<String>,
    pub vulnerabilities: i64,
    pub notes: String,
}

macro_rules! resident_columns {
    () => {
        "SELECT r.id, r.household_id, r.building_id, r.grid_id, \
         r.community_id, b.name AS building_name, u.name AS unit_name, h.room, r.name, r.document_kind, r.document_masked, \
         r.sex, r.birth_date, r.phone, r.hukou, r.tenure, r.travel_status, r.travel_origin, \
         r.returned_on, r.vulnerabilities, r.notes, r.updated_at, r.version FROM "
    };
}
macro_rules! resident_joins {
    () => {
        " r JOIN households h ON h.id = r.household_id \
         JOIN units u ON u.id = h.unit_id JOIN buildings b ON b.id = r.building_id"
    };
}
const RESIDENT_SELECT: &str = concat!(resident_columns!(), "residents", resident_joins!());

#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    pub grid_id: Option<i64>,
    pub building_id: Option<i64>,
    pub household_id: Option<i64>,
    pub travel_status: Option<String>,
    pub name_prefix: Option<String>,
    pub phone: Option<String>,
    pub room: Option<String>,
    /// The keyed index of a document number, for an exact lookup.
    pub document_index: Option<Vec<u8>>,
}

/// The smallest string greater than every string starting with `prefix`, for an index range.
pub(crate) fn prefix_upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub async fn list_residents(
    conn: &mut Conn,
    j: &Jurisdiction,
    f: &ResidentFilter,
    page: PageRequest,
) -> Result<Page<Resident>> {
    let mut w = Where::new();
    // Name, phone and ID searches have selective indexes of their own; a room number is shared
    // by tens of thousands of residents, so that search keeps walking the scope's index.
    let selective = f.name_prefix.is_some() || f.phone.is_some() || f.document_index.is_some();
    if selective {
        w.scope_as_filter(j, "r");
    } else {
        w.scope(j, "r");
    }
    if let Some(v) = f.grid_id {
        if selective {
            w.int("+r.grid_id = ?", v);
        } else {
            w.int("r.grid_id = ?", v);
        }
    }
    w.int_if_given("r.building_id = ?", f.building_id);
    w.int_if_given("r.household_id = ?", f.household_id);
    w.text_if_given("r.travel_status = ?", f.travel_status.as_deref());
    if let Some(v) = &f.name_prefix {
        w.text("r.name >= ?", v.clone())
            .text("r.name < ?", prefix_upper_bound(v));
    }
    w.text_if_given("r.phone = ?", f.phone.as_deref());
    w.text_if_given("h.room = ?", f.room.as_deref());
    let mut index_param = None;
    if let Some(v) = &f.document_index {
        // Bound last, below, since the builder binds only integers and text.
        index_param = Some(v.clone());
        w.raw("r.document_index = $IDX");
    }
    w.int_if_given("r.id > ?", page.after);
    // The page's residents are chosen first and only they are joined to their homes: a name
    // prefix matches thousands of residents, and joining each before keeping 50 costs
    // PostgreSQL three index probes per match.
    let home = if f.room.is_some() {
        " JOIN households h ON h.id = r.household_id"
    } else {
        ""
    };
    let mut sql = format!(
        "{}(SELECT r.* FROM residents r{home}{} ORDER BY r.id LIMIT {}){} ORDER BY r.id",
        resident_columns!(),
        w.sql(),
        page.limit + 1,
        resident_joins!(),
    );
    if index_param.is_some() {
        sql = sql.replace("$IDX", &format!("${}", w.params.len() + 1));
    }
    let mut q = w.bind(sqlx::query(sqlx::AssertSqlSafe(sql)));
    if let Some(idx) = index_param {
        q = q.bind(idx);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let items = rows
        .iter()
        .map(read::<Resident>)
        .collect::<Result<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, page.limit, |r| r.id))
}

pub async fn resident(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Resident> {
    let mut w = Where::new();
    w.scope(j, "r").int("r.id = ?", id);
    w.fetch_one(conn, RESIDENT_SELECT, read::<Resident>).await
}

/// The sealed document number of a resident in the jurisdiction.
pub async fn sealed_document(conn: &mut Conn, j: &Jurisdiction, id: i64) -> Result<Vec<u8>> {
    let mut w = Where::new();
    w.scope(j, "r").int("r.id = ?", id);
    let select = "SELECT r.document_sealed FROM residents r";
    w.fetch_one(conn, select, |r| Ok(r.try_get("document_sealed")?))
        .await
}

/// Every stored field of a resident, as written: the particulars, and the document sealed and
/// indexed besides its masked form.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ResidentData {
    #[sqlx(flatten)]
    pub particulars: Particulars,
    pub document_sealed: Vec<u8>,
    pub document_index: Vec<u8>,
}

/// The count bucket of a resident living at `home`.
pub(crate) fn count_key(home: &Home, d: &ResidentData) -> CountKey {
    CountKey {
        grid_id: home.grid_id,
        community_id: home.community_id,
        travel_status: d.particulars.travel_status,
        hukou: d.particulars.hukou,
        vulnerable: d.particulars.vulnerabilities != 0,
    }
}

/// The columns of a stored resident that choose its count bucket.
#[derive(FromRow)]
pub(crate) struct CountedResident {
    grid_id: i64,
    community_id: i64,
    #[sqlx(try_from = "String")]
    travel_status: TravelStatus,
    #[sqlx(try_from = "String")]
    hukou: Hukou,
    vulnerabilities: i64,
}

impl CountedResident {
    pub(crate) fn key(self) -> CountKey {
        CountKey {
            grid_id: self.grid_id,
            community_id: self.community_id,
            travel_status: self.travel_status,
            hukou: self.hukou,
            vulnerable: self.vulnerabilities != 0,
        }
    }
}

/// The count bucket a stored resident is in now.
async fn stored_count_key(conn: &mut Conn, id: i64) -> Result<CountKey> {
    let r = sql::fetch_optional(conn, "SELECT grid_id, community_id, travel_status, hukou, vulnerabilities FROM residents WHERE id = $1", (id,)).await?
    .ok_or(StoreError::NotFound)?;
    Ok(CountedResident::from_row(&r)?.key())
}

/// The columns [`put_resident`] gives values for, in its order: the insert and the update and
/// both bulk paths are built from this list.
pub(crate) const RESIDENT_COLUMNS: [(&str, ColumnType); 19] = [
    ("household_id", Int),
    ("building_id", Int),
    ("grid_id", Int),
    ("community_id", Int),
    ("name", Text),
    ("document_kind", Text),
    ("document_sealed", Bytes),
    ("document_index", Bytes),
    ("document_masked", Text),
    ("sex", Text),
    ("birth_date", Text),
    ("phone", Text),
    ("hukou", Text),
    ("tenure", Text),
    ("travel_status", Text),
    ("travel_origin", Text),
    ("returned_on", Text),
    ("vulnerabilities", Int),
    ("notes", Text),
];

/// [`RESIDENT_COLUMNS`] as a list for SQL, each name after `prefix` (`"r."`, or `""`).
pub(crate) fn resident_column_list(prefix: &str) -> String {
    let names: Vec<String> = RESIDENT_COLUMNS
        .iter()
        .map(|(name, _)| format!("{prefix}{name}"))
        .collect();
    names.join(", ")
}

/// An insert's column list: [`RESIDENT_COLUMNS`], then the two times.
pub(crate) fn resident_insert_columns() -> String {
    format!("{}, created_at, updated_at", resident_column_list(""))
}

/// A resident's values in the order of [`RESIDENT_COLUMNS`]: the place and the recorded values.
pub(crate) fn put_resident(out: &mut impl Columns, home: &Home, d: &ResidentData) {
    let p = &d.particulars;
    out.int(home.household_id);
    out.int(home.building_id);
    out.int(home.grid_id);
    out.int(home.community_id);
    out.text(Some(&p.name));
    out.text(Some(p.document_kind.code()));
    out.bytes(&d.document_sealed);
    out.bytes(&d.document_index);
    out.text(Some(&p.document_masked));
    out.text(p.sex.map(Sex::code));
    out.text(p.birth_date.as_deref());
    out.text(p.phone.as_deref());
    out.text(Some(p.hukou.code()));
    out.text(Some(p.tenure.code()));
    out.text(Some(p.travel_status.code()));
    out.text(p.travel_origin.as_deref());
    out.text(p.returned_on.as_deref());
    out.int(p.vulnerabilities);
    out.text(Some(&p.notes));
}

/// A resident's values bound to `sql`'s first parameters, one for each of [`RESIDENT_COLUMNS`].
fn bound_resident<'q>(
    sql: String,
    home: &Home,
    d: &ResidentData,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut binds = Binds::new(sqlx::query(sqlx::AssertSqlSafe(sql)));
    put_resident(&mut binds, home, d);
    binds.into_query()
}

pub async fn insert_resident(conn: &mut Conn, home: &Home, d: &ResidentData) -> Result<i64> {
    let n = RESIDENT_COLUMNS.len();
    let values: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO residents ({}) VALUES ({}, ${t}, ${t}) RETURNING id",
        resident_insert_columns(),
        values.join(", "),
        t = n + 1,
    );
    let now = now_ms();
    let row = bound_resident(sql, home, d)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    counts::adjust_residents(conn, &HashMap::from([(count_key(home, d), 1)])).await?;
    Ok(row.try_get("id")?)
}

/// Overwrites a resident if it still has `version`; a stale version is a conflict, so two people
/// editing the same resident cannot silently overwrite each other.
pub async fn update_resident(
    conn: &mut Conn,
    id: i64,
    version: i64,
    home: &Home,
    d: &ResidentData,
) -> Result<()> {
    let before = stored_count_key(conn, id).await?;
    let n = RESIDENT_COLUMNS.len();
    let set: Vec<String> = RESIDENT_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("{name} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE residents SET {}, updated_at = ${}, version = version + 1 \
         WHERE id = ${} AND version = ${}",
        set.join(", "),
        n + 1,
        n + 2,
        n + 3,
    );
    let update = bound_resident(sql, home, d);
    let done = update
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Stale);
    }
    let after = count_key(home, d);
    if after != before {
        counts::adjust_residents(conn, &HashMap::from([(before, -1), (after, 1)])).await?;
    }
    Ok(())
}

pub async fn delete_resident(conn: &mut Conn, id: i64) -> Result<()> {
    let before = stored_count_key(conn, id).await?;
    sql::execute(
        conn,
        "UPDATE households SET head_resident_id = NULL WHERE head_resident_id = $1",
        (id,),
    )
    .await?;
    sql::execute(
        conn,
        "DELETE FROM resident_merges WHERE resident_id = $1",
        (id,),
    )
    .await?;
    sql::execute(conn, "DELETE FROM residents WHERE id = $1", (id,)).await?;
    counts::adjust_residents(conn, &HashMap::from([(before, -1)])).await?;
    Ok(())
}

/// The id and version of the resident holding a document, whatever the jurisdiction: used to
/// refuse duplicates and to merge.
pub async fn resident_by_document_index(
    conn: &mut Conn,
    index: &[u8],
) -> Result<Option<(i64, i64)>> {
    let r = sql::fetch_optional(
        conn,
        "SELECT id, version FROM residents WHERE document_index = $1",
        (index.to_vec(),),
    )
    .await?;
    Ok(
        r.map(|r| Ok::<_, sqlx::Error>((r.try_get("id")?, r.try_get("version")?)))
            .transpose()?,
    )
}

#[derive(Debug, Clone, Serialize, PartialEq, FromRow)]
pub struct Merge {
    pub id: i64,
    pub import_id: Option<i64>,
    pub source: String,
    pub changes: String,
    pub at: i64,
}

pub async fn insert_merge(
    conn: &mut Conn,
    resident_id: i64,
    import_id: Option<i64>,
    source: &str,
    changes: &str,
) -> Result<()> {
    sql::execute(
        conn,
        "INSERT INTO resident_merges (resident_id, import_id, source, changes, at) \
         VALUES ($1, $2, $3, $4, $5)",
        (resident_id, import_id, source, changes, now_ms()),
    )
    .await?;
    Ok(())
}

pub async fn merges_of(conn: &mut Conn, resident_id: i64) -> Result<Vec<Merge>> {
    sql::all(
        conn,
        "SELECT id, import_id, source, changes, at FROM resident_merges \
         WHERE resident_id = $1 ORDER BY id DESC LIMIT 100",
        (resident_id,),
    )
    .await
}

/// Sets a resident's travel register entry (a return and where from, when), keeping the
/// registry's counts.
pub async fn set_travel(
    conn: &mut Conn,
    id: i64,
    status: TravelStatus,
    origin: Option<&str>,
    returned_on: Option<&str>,
) -> Result<()> {
    let before = stored_count_key(conn, id).await?;
    write_travel(conn, id, status, origin, returned_on, before).await
}

/// Writes a resident's travel register entry, bumping its version, and moves the resident from
/// `before`, the count bucket it is in now, to the one of its new travel status.
pub(crate) async fn write_travel(
    conn: &mut Conn,
    id: i64,
    status: TravelStatus,
    origin: Option<&str>,
    returned_on: Option<&str>,
    before: CountKey,
) -> Result<()> {
    sql::execute(
        conn,
        "UPDATE residents SET travel_status = $1, travel_origin = $2, returned_on = $3, \
         updated_at = $4, version = version + 1 WHERE id = $5",
        (status.code(), origin, returned_on, now_ms(), id),
    )
    .await?;
    if before.travel_status != status {
        let after = CountKey {
            travel_status: status,
            ..before.clone()
        };
        counts::adjust_residents(conn, &HashMap::from([(before, -1), (after, 1)])).await?;
    }
    Ok(())
}
