//! The registry's people and homes as tests make them: valid citizen IDs, residents as a form
//! sends them, households, and the few homes many tests start from.

use app::registry::HouseholdInput;
use app::{Actor, App};
use domain::citizen_id::CitizenId;
use domain::resident::{RawResident, date_from_text};

use super::Fixture;

/// A valid citizen ID of county 610825; distinct for distinct `n` below 100,000.
pub fn citizen_id(n: u32) -> String {
    let birth = date_from_text(&format!("{}-03-07", 1940 + n / 1000)).expect("a real date");
    let sequence = u16::try_from(n % 1000).expect("below 1000");
    CitizenId::compose("610825", birth, sequence)
        .expect("valid parts")
        .as_str()
        .to_owned()
}

/// The same number with a wrong check character.
pub fn with_bad_check_char(id: &str) -> String {
    let (first17, check) = id.split_at(17);
    let wrong = if check == "0" { '1' } else { '0' };
    format!("{first17}{wrong}")
}

/// A resident who stayed in the city, as a form would send it.
pub fn raw_resident(name: &str, document_number: &str, phone: &str) -> RawResident {
    RawResident {
        name: name.to_owned(),
        document_number: document_number.to_owned(),
        phone: phone.to_owned(),
        ..Default::default()
    }
}

pub async fn household(app: &App, actor: &Actor, building_id: i64, unit: &str, room: &str) -> i64 {
    app.create_household(actor, &household_input(building_id, unit, room, ""))
        .await
        .expect("create household")
}

/// A resident of household `household_id` named `name`, with the citizen ID `citizen_id(n)` and
/// no phone, entered by the fixture's staff.
pub async fn resident(app: &App, f: &Fixture, household_id: i64, name: &str, n: u32) -> i64 {
    app.create_resident(
        &f.staff,
        household_id,
        &raw_resident(name, &citizen_id(n), ""),
    )
    .await
    .expect("resident")
}

/// The form of a household in `room` of `unit` of a building, with its landline `phone`.
pub fn household_input(building_id: i64, unit: &str, room: &str, phone: &str) -> HouseholdInput {
    HouseholdInput {
        building_id,
        unit: unit.to_owned(),
        room: room.to_owned(),
        phone: phone.to_owned(),
    }
}

/// 张三 in room 101 of building 1 (grid 1), entered by the fixture's staff: the resident most
/// tests need one of. Returns the household and the resident.
pub async fn zhang_san(app: &App, f: &Fixture) -> (i64, i64) {
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    (h, resident(app, f, h, "张三", 1).await)
}

/// A new resident of 1号楼 (room 100 + `n`, grid 1, the fixture grid worker's) under a home
/// order from `start` (empty: today) with the fixture doctor responsible; the resident and the
/// order.
pub async fn resident_in_quarantine(app: &App, f: &Fixture, n: u32, start: &str) -> (i64, i64) {
    let h = household(app, &f.staff, f.building1_id, "1", &format!("{}", 100 + n)).await;
    let r = resident(app, f, h, "张小明", n).await;
    let input = app::quarantine::OrderInput {
        reason: "returnee".to_owned(),
        kind: "home".to_owned(),
        start_date: start.to_owned(),
        doctor_id: Some(f.doctor.account_id),
        ..Default::default()
    };
    let order = app
        .create_quarantine(&f.staff, r, &input)
        .await
        .expect("order");
    (r, order)
}

/// A household of three in 1号楼 (grid 1: 张三, 李四, 王五) and one of one in 3号楼 (grid 2:
/// 赵六), entered by the fixture's staff: the household, its members, the other household and
/// its resident.
pub async fn family_and_neighbour(app: &App, f: &Fixture) -> (i64, Vec<i64>, i64, i64) {
    let h = household(app, &f.staff, f.building1_id, "1", "101").await;
    let mut members = Vec::new();
    for (n, name) in (1..).zip(["张三", "李四", "王五"]) {
        members.push(resident(app, f, h, name, n).await);
    }
    let h3 = household(app, &f.staff, f.building3_id, "1", "301").await;
    let other = resident(app, f, h3, "赵六", 9).await;
    (h, members, h3, other)
}

/// A returnee's home quarantine order from today, with nothing else set.
pub fn home_order() -> app::quarantine::OrderInput {
    app::quarantine::OrderInput {
        reason: "returnee".to_owned(),
        kind: "home".to_owned(),
        ..Default::default()
    }
}

/// A returnee's quarantine order of `kind` from `start`, for 14 days, with nobody named
/// responsible.
pub fn returnee_order(kind: &str, start: jiff::civil::Date) -> app::quarantine::OrderInput {
    app::quarantine::OrderInput {
        reason: "returnee".to_owned(),
        kind: kind.to_owned(),
        start_date: start.to_string(),
        days: "14".to_owned(),
        ..Default::default()
    }
}
