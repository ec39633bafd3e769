//! Buildings named as residents type them (the public pages, the hotline). A community may
//! have ten thousand buildings, so no form lists them: the page suggests the names that start
//! with what was typed, and the building meant is found from the name.

use domain::registry::{BUILDING_TYPED_MAX, building_meant, building_typed};
use domain::validation::FieldErrors;
use store::structure as st;

use crate::{App, AppResult};

/// Suggestions shown for what was typed.
const BUILDING_SUGGESTIONS: i64 = 20;
/// Buildings starting with what was typed that are weighed to find the one meant.
const BUILDING_CANDIDATES: i64 = 200;

impl App {
    /// The buildings of a community someone may mean by what they have typed so far: names
    /// only, shortest first (`3` suggests `3号楼` before `30号楼`). Public: a community's
    /// building names are on its streets.
    pub async fn building_suggestions(
        &self,
        community_id: i64,
        typed: &str,
    ) -> AppResult<Vec<String>> {
        let Some(typed) = building_typed(typed) else {
            return Ok(Vec::new());
        };
        let mut conn = self.db.conn().await?;
        let found =
            st::buildings_starting(&mut conn, community_id, &typed, BUILDING_SUGGESTIONS).await?;
        Ok(found.into_iter().map(|(_, name)| name).collect())
    }
}

/// The building of a community whose name was typed into `field`: the one meant, or a field
/// error that sends the user to the suggestions.
pub(crate) async fn building_named(
    conn: &mut store::Conn,
    community_id: i64,
    raw: &str,
    field: &str,
    e: &mut FieldErrors,
) -> AppResult<Option<i64>> {
    let Some(typed) = building_typed(raw) else {
        e.add(field, "too_long", BUILDING_TYPED_MAX.to_string());
        return Ok(None);
    };
    let candidates =
        st::buildings_starting(conn, community_id, &typed, BUILDING_CANDIDATES).await?;
    let meant = building_meant(&typed, &candidates);
    match meant {
        Some(_) => {}
        None if candidates.is_empty() => e.add(field, "unknown_building", typed),
        None => e.add(field, "building_ambiguous", typed),
    }
    Ok(meant)
}

/// The buildings of a community a staff form lists by exact name (commas, spaces or lines
/// between names), by id and each once; every unknown name is `field`'s error.
pub(crate) async fn buildings_listed(
    conn: &mut store::Conn,
    community_id: i64,
    names: &str,
    field: &str,
) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for name in names
        .split([',', '，', '、', '\n', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match st::building_by_name(conn, community_id, name).await? {
            Some(b) if !ids.contains(&b.id) => ids.push(b.id),
            Some(_) => {}
            None => unknown.push(name.to_owned()),
        }
    }
    if !unknown.is_empty() {
        let mut e = FieldErrors::new();
        e.add(field, "unknown_building", unknown.join("、"));
        return Err(e.into());
    }
    Ok(ids)
}
