//! For every registry route of the API and every role: what the role may see and change inside
//! its jurisdiction and outside it, as one table.

mod calls;
mod capabilities;
mod cases;
mod gates;
mod hotline;
mod returns;
mod screening;
mod tasks;
mod world;

use app::{Actor, App};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::http::{Client, Res};
use crate::support::{Fixture, TestDb, citizen_id, household, raw_resident};

/// The expected outcome of each route for each role, once on an object inside the role's
/// jurisdiction and once outside it, as `inside/outside`.
///
/// Inside is always grid 1 of Minsheng Road Community (1号楼). Outside is the nearest place the
/// account does not reach: grid 2 of the same community for the grid worker; the other community
/// of the same street for community accounts; a community of another district for the street
/// official, the district CDC liaison, and the two global roles (for whom it is still inside).
///
/// Outcomes: the HTTP status; `200` for a list means the object asked about is in it, `200-` that
/// the list answered without it (the place filtered on is outside). A `422` is the refusal of a
/// body naming a household or building the caller cannot see (`unknown_household`,
/// `unknown_building`); `403` is `forbidden` (the role may not), `404` is `not_found` (outside).
const EXPECTED: &str = "
route                          admin     official  staff     grid_wkr  guard     doctor    volunteer cdc       auditor
GET  /communities              200/200   200/200-  200/200-  200/200   200/200-  200/200-  200/200-  200/200-  200/200
GET  /communities/{id}/grids   200/200   200/404   200/404   200/200-  200/404   200/404   200/404   200/404   200/200
GET  /communities/{id}/summary 200/200   200/404   200/404   200/200-  403/403   200/404   403/403   200/404   403/403
GET  /grids/{id}/buildings     200/200   200/404   200/404   200/404   200/404   200/404   200/404   200/404   200/200
GET  /buildings/{id}/units     200/200   200/404   200/404   200/404   200/404   200/404   200/404   200/404   200/200
GET  /households               200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  403/403
GET  /households/{id}          200/200   200/404   200/404   200/404   403/403   200/404   403/403   200/404   403/403
GET  /residents                200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  403/403
GET  /residents/{id}           200/200   200/404   200/404   200/404   403/403   200/404   403/403   200/404   403/403
POST /residents                201/201   403/403   201/422   201/422   403/403   403/403   403/403   403/403   403/403
PUT  /residents/{id}           204/204   403/403   204/404   204/404   403/403   403/403   403/403   403/403   403/403
POST /residents/{id}/unmask    403/403   403/403   200/404   200/404   403/403   200/404   403/403   200/404   403/403
POST /households               201/201   403/403   201/422   201/422   403/403   403/403   403/403   403/403   403/403
GET  /residents/export         200/200   200/200-  200/200-  200/200-  403/403   403/403   403/403   403/403   403/403
";

/// The column names of the table, in the order of [`Fixture::actors`].
const ROLE_COLUMNS: [&str; 9] = [
    "admin",
    "official",
    "staff",
    "grid_wkr",
    "guard",
    "doctor",
    "volunteer",
    "cdc",
    "auditor",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Communities,
    Grids,
    Summary,
    Buildings,
    Units,
    Households,
    Household,
    Residents,
    Resident,
    CreateResident,
    UpdateResident,
    Unmask,
    CreateHousehold,
    Export,
}

const ROUTES: [Route; 14] = [
    Route::Communities,
    Route::Grids,
    Route::Summary,
    Route::Buildings,
    Route::Units,
    Route::Households,
    Route::Household,
    Route::Residents,
    Route::Resident,
    Route::CreateResident,
    Route::UpdateResident,
    Route::Unmask,
    Route::CreateHousehold,
    Route::Export,
];

impl Route {
    fn label(self) -> &'static str {
        match self {
            Route::Communities => "GET  /communities",
            Route::Grids => "GET  /communities/{id}/grids",
            Route::Summary => "GET  /communities/{id}/summary",
            Route::Buildings => "GET  /grids/{id}/buildings",
            Route::Units => "GET  /buildings/{id}/units",
            Route::Households => "GET  /households",
            Route::Household => "GET  /households/{id}",
            Route::Residents => "GET  /residents",
            Route::Resident => "GET  /residents/{id}",
            Route::CreateResident => "POST /residents",
            Route::UpdateResident => "PUT  /residents/{id}",
            Route::Unmask => "POST /residents/{id}/unmask",
            Route::CreateHousehold => "POST /households",
            Route::Export => "GET  /residents/export",
        }
    }
}

/// One place of the registry: a building in a grid of a community, with a household and a
/// resident in it.
struct Place {
    community: i64,
    grid: i64,
    building: i64,
    household: i64,
    resident: i64,
    name: &'static str,
    number: String,
}

async fn place(
    app: &App,
    (community, grid, building): (i64, i64, i64),
    room: &str,
    name: &'static str,
    n: u32,
) -> Place {
    let sys = Actor::system();
    let household = household(app, &sys, building, "1", room).await;
    let number = citizen_id(n);
    let resident = app
        .create_resident(
            &sys,
            household,
            &raw_resident(name, &number, &format!("1380000{n:04}")),
        )
        .await
        .expect("create resident");
    Place {
        community,
        grid,
        building,
        household,
        resident,
        name,
        number,
    }
}

/// The four places: grid 1 and grid 2 of the community, the other community of the street, and
/// a community of another district.
async fn places(app: &App, f: &Fixture) -> [Place; 4] {
    let sys = Actor::system();
    let far_street = app
        .ensure_street(&sys, "610826", "Far County", "Far Street")
        .await
        .expect("another district");
    let far_community = app
        .create_community(&sys, far_street, "Far Community")
        .await
        .expect("far community");
    let far_grid = app
        .create_grid(&sys, far_community, "Grid 1")
        .await
        .expect("far grid");
    let far_building = app
        .create_building(&sys, far_grid, "1号楼")
        .await
        .expect("far building");
    [
        place(
            app,
            (f.community_id, f.grid1_id, f.building1_id),
            "101",
            "一号",
            1,
        )
        .await,
        place(
            app,
            (f.community_id, f.grid2_id, f.building3_id),
            "301",
            "三号",
            3,
        )
        .await,
        place(
            app,
            (f.other_community_id, f.other_grid_id, f.other_building_id),
            "101",
            "外号",
            4,
        )
        .await,
        place(
            app,
            (far_community, far_grid, far_building),
            "101",
            "远方",
            5,
        )
        .await,
    ]
}

const G1: usize = 0;
const G2: usize = 1;
const OTHER_COMMUNITY: usize = 2;
const FAR: usize = 3;

/// The place outside each role's jurisdiction, in the order of [`Fixture::actors`].
const OUTSIDE: [usize; 9] = [
    FAR,             // admin: everything is inside
    FAR,             // official of the street
    OTHER_COMMUNITY, // community staff
    G2,              // grid worker of grid 1
    OTHER_COMMUNITY, // guard
    OTHER_COMMUNITY, // doctor
    OTHER_COMMUNITY, // volunteer
    FAR,             // CDC liaison of the district
    FAR,             // auditor: everything is inside
];

fn ids(v: &Value) -> Vec<i64> {
    let items = v.get("items").unwrap_or(v);
    items
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// The outcome of one call as the table writes it: `200-` for an answer that does not show what
/// `seen` looks for, and `!` after a refusal whose code does not say what its status says (403
/// and 404 always; other statuses as `fits` judges the code and the body).
fn answer(
    res: &Res,
    seen: impl FnOnce(&Res) -> bool,
    fits: impl FnOnce(StatusCode, &str, &Value) -> bool,
) -> String {
    let status = res.status;
    if status == StatusCode::OK {
        return if seen(res) { "200" } else { "200-" }.to_owned();
    }
    if status.is_success() {
        return status.as_u16().to_string();
    }
    let body: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    let code = body["error"]["code"].as_str().unwrap_or("");
    let consistent = match status {
        StatusCode::FORBIDDEN => code == "forbidden",
        StatusCode::NOT_FOUND => code == "not_found",
        other => fits(other, code, &body),
    };
    // A status with an unexpected body is marked, so it cannot pass for the expected one.
    format!("{}{}", status.as_u16(), if consistent { "" } else { "!" })
}

/// The outcome of a registry call: a 422 must name an unknown reference among its fields.
fn outcome(res: &Res, seen: impl FnOnce(&Res) -> bool) -> String {
    answer(res, seen, |status, code, body| {
        status == StatusCode::UNPROCESSABLE_ENTITY
            && code == "validation_failed"
            && body["error"]["fields"].as_array().is_some_and(|f| {
                f.iter().any(|e| {
                    e["code"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("unknown_"))
                })
            })
    })
}

async fn call(
    app: &App,
    client: &mut Client,
    route: Route,
    p: &Place,
    unique: u32,
    role: &str,
) -> String {
    match route {
        Route::Communities => {
            let res = client.get("/api/v1/communities").await;
            outcome(&res, |r| ids(&r.json()).contains(&p.community))
        }
        Route::Grids => {
            let res = client
                .get(&format!("/api/v1/communities/{}/grids", p.community))
                .await;
            outcome(&res, |r| ids(&r.json()).contains(&p.grid))
        }
        Route::Summary => {
            let res = client
                .get(&format!("/api/v1/communities/{}/summary", p.community))
                .await;
            outcome(&res, |r| {
                r.json()["grids"]
                    .as_array()
                    .is_some_and(|g| g.iter().any(|g| g["grid_id"] == p.grid))
            })
        }
        Route::Buildings => {
            let res = client
                .get(&format!("/api/v1/grids/{}/buildings", p.grid))
                .await;
            outcome(&res, |r| ids(&r.json()).contains(&p.building))
        }
        Route::Units => {
            let res = client
                .get(&format!("/api/v1/buildings/{}/units", p.building))
                .await;
            outcome(&res, |r| {
                r.json()
                    .as_array()
                    .is_some_and(|a| a.iter().any(|u| u["name"] == "1"))
            })
        }
        Route::Households => {
            let res = client
                .get(&format!("/api/v1/households?building_id={}", p.building))
                .await;
            outcome(&res, |r| ids(&r.json()).contains(&p.household))
        }
        Route::Household => {
            let res = client
                .get(&format!("/api/v1/households/{}", p.household))
                .await;
            outcome(&res, |r| r.json()["household"]["id"] == p.household)
        }
        Route::Residents => {
            let res = client
                .get(&format!("/api/v1/residents?building_id={}", p.building))
                .await;
            outcome(&res, |r| ids(&r.json()).contains(&p.resident))
        }
        Route::Resident => {
            let res = client
                .get(&format!("/api/v1/residents/{}", p.resident))
                .await;
            outcome(&res, |r| r.json()["resident"]["id"] == p.resident)
        }
        Route::CreateResident => {
            let body = json!({
                "household_id": p.household,
                "name": format!("新{role}"),
                "document_number": citizen_id(1000 + unique),
            });
            let res = client.post_json("/api/v1/residents", &body).await;
            outcome(&res, |_| true)
        }
        Route::UpdateResident => {
            let (current, _) = app
                .resident(&Actor::system(), p.resident)
                .await
                .expect("read the resident");
            let body = json!({
                "household_id": p.household,
                "name": p.name,
                "document_number": p.number,
                "notes": format!("checked by {role}"),
                "version": current.version,
            });
            let res = client
                .json(
                    Method::PUT,
                    &format!("/api/v1/residents/{}", p.resident),
                    &body,
                )
                .await;
            outcome(&res, |_| true)
        }
        Route::Unmask => {
            let res = client
                .post_json(
                    &format!("/api/v1/residents/{}/unmask", p.resident),
                    &json!({ "reason": "route matrix" }),
                )
                .await;
            outcome(&res, |r| r.json()["document_number"] == p.number.as_str())
        }
        Route::CreateHousehold => {
            let body = json!({
                "building_id": p.building, "unit": "9", "room": format!("9{unique:03}"),
            });
            let res = client.post_json("/api/v1/households", &body).await;
            outcome(&res, |_| true)
        }
        Route::Export => {
            let res = client
                .get(&format!(
                    "/api/v1/residents/export?format=csv&building_id={}",
                    p.building
                ))
                .await;
            outcome(&res, |r| r.text().contains(p.name))
        }
    }
}

/// A route and its cells, `(inside, outside)` per role.
type Row = (String, Vec<(String, String)>);

/// A table of expectations as `[route][role] = (inside, outside)`; a route is keyed as its method
/// padded to `method_width`, a space and its path.
fn parse_table(table: &str, method_width: usize) -> Vec<Row> {
    let mut lines = table.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines
        .next()
        .expect("a header line")
        .split_whitespace()
        .skip(1)
        .collect();
    assert_eq!(header, ROLE_COLUMNS, "the table's columns");
    lines
        .map(|line| {
            let tokens: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(tokens.len(), 11, "method, path and nine cells: {line}");
            let cells = tokens[2..]
                .iter()
                .map(|c| {
                    let (i, o) = c.split_once('/').expect("inside/outside");
                    (i.to_owned(), o.to_owned())
                })
                .collect();
            (format!("{:<method_width$} {}", tokens[0], tokens[1]), cells)
        })
        .collect()
}

/// The cells where the calls did not answer as the table says, one line each, routes padded
/// to `width`.
fn mismatches(expected: &[Row], got: &[Row], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for ((route, want), (_, have)) in expected.iter().zip(got) {
        for (role, (w, h)) in want.iter().zip(have).enumerate() {
            for (side, (w, h)) in [("inside", (&w.0, &h.0)), ("outside", (&w.1, &h.1))] {
                if w != h {
                    lines.push(format!(
                        "  {route:<width$} {:<9} {side:<7}: expected {w}, got {h}",
                        ROLE_COLUMNS[role]
                    ));
                }
            }
        }
    }
    lines
}

/// The table as [`parse_table`] reads it, its route column `route_width` wide.
fn render_table(rows: &[Row], route_width: usize) -> String {
    let mut out = format!("{:<route_width$}", "route");
    for c in ROLE_COLUMNS {
        out.push_str(&format!(" {c:<9}"));
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    for (route, cells) in rows {
        out.push_str(&format!("{route:<route_width$}"));
        for (i, o) in cells {
            out.push_str(&format!(" {:<9}", format!("{i}/{o}")));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}

#[tokio::test]
async fn every_registry_route_for_every_role_inside_and_outside_its_jurisdiction() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let places = places(app, &f).await;
    let expected = parse_table(EXPECTED, 4);
    assert_eq!(
        expected.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>(),
        ROUTES.iter().map(|r| r.label()).collect::<Vec<_>>(),
        "the table's routes"
    );

    let mut anon = Client::new(server::router(app.clone()));
    let mut got: Vec<Row> = ROUTES
        .iter()
        .map(|r| (r.label().to_owned(), Vec::new()))
        .collect();
    for (role, actor) in f.actors().into_iter().enumerate() {
        let mut client = anon.bearer_for(&actor.username).await;
        let column = ROLE_COLUMNS[role];
        for (r, route) in ROUTES.iter().enumerate() {
            let mut cell = Vec::new();
            for (side, target) in [(0, G1), (1, OUTSIDE[role])] {
                let unique = u32::try_from(role * 100 + r * 2 + side).expect("small");
                cell.push(call(app, &mut client, *route, &places[target], unique, column).await);
            }
            got[r].1.push((cell[0].clone(), cell[1].clone()));
        }
    }

    let mismatches = mismatches(&expected, &got, 30);
    assert!(
        mismatches.is_empty(),
        "the route × role matrix differs in {} cells:\n{}\n\nexpected:\n{}\ngot:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        render_table(&expected, 30),
        render_table(&got, 30)
    );
}
