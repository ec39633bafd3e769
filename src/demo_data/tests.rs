use std::collections::{HashMap, HashSet};

use app::import::Column;
use domain::resident::date_from_text;

use super::register::HEADERS;
use super::*;

const TODAY: Ymd = Ymd {
    year: 2020,
    month: 2,
    day: 10,
};

#[test]
fn dates_step_back_over_month_and_year_ends() {
    let d = |year, month, day| Ymd { year, month, day };
    assert_eq!(d(2020, 3, 1).minus_days(1), d(2020, 2, 29));
    assert_eq!(d(2021, 1, 1).minus_days(1), d(2020, 12, 31));
    assert_eq!(d(2020, 2, 10).minus_days(20), d(2020, 1, 21));
    assert_eq!(d(2020, 2, 10).minus_days(0), d(2020, 2, 10));
    assert_eq!(d(2020, 2, 9).to_string(), "2020-02-09");
}

#[test]
fn the_prng_is_deterministic_and_in_range() {
    let mut a = SplitMix64::new(1);
    let mut b = SplitMix64::new(1);
    for _ in 0..1000 {
        assert_eq!(a.next_u64(), b.next_u64());
        let r = a.range(3, 7);
        assert!((3..=7).contains(&r));
        assert!(a.below(10) < 10);
        let _ = b.range(3, 7);
        let _ = b.below(10);
    }
    assert_eq!(SplitMix64::new(5).below(0), 0);
}

#[test]
fn the_same_seed_gives_the_same_community() {
    assert_eq!(generate(300, 3, 7, TODAY), generate(300, 3, 7, TODAY));
    assert_ne!(
        generate(300, 3, 7, TODAY).residents,
        generate(300, 3, 8, TODAY).residents
    );
}

#[test]
fn residents_are_valid_unique_and_plausible() {
    let plan = generate(5000, 4, 1, TODAY);
    assert_eq!(plan.residents.len(), 5000);
    let ids: HashSet<&str> = plan
        .residents
        .iter()
        .map(|p| p.id_number.as_str())
        .collect();
    assert_eq!(ids.len(), 5000, "no duplicate ID numbers");
    let today = date_from_text(&TODAY.to_string()).expect("today");
    let mut registered = 0;
    let mut returned = 0;
    let mut local = 0;
    for p in &plan.residents {
        let id = CitizenId::parse(&p.id_number).expect("valid citizen ID");
        assert_eq!(id.birth_date().to_string(), p.birth.to_string());
        assert_eq!(id.sex().code() == "male", p.male, "{}", p.id_number);
        if p.registered {
            registered += 1;
            assert_eq!(id.region_code(), DISTRICT_CODE);
        }
        if id.region_code() == DISTRICT_CODE {
            local += 1;
        }
        if let TravelPlan::Returned { on, .. } = &p.travel {
            returned += 1;
            assert!(*on < TODAY);
        }
        let (raw, _home) = p.raw_resident();
        if let Err(e) = raw.parse(today) {
            panic!("row does not parse: {raw:?}: {e:?}");
        }
    }
    let share = f64::from(registered) / 5000.0;
    assert!((0.50..=0.60).contains(&share), "hukou share {share}");
    assert!(local > 2500, "most residents come from 610825: {local}");
    let returned = f64::from(returned) / 5000.0;
    assert!(
        (0.01..=0.08).contains(&returned),
        "returned share {returned}"
    );
}

#[test]
fn tenants_cluster_in_some_buildings() {
    let plan = generate(5000, 4, 1, TODAY);
    let mut per_building: HashMap<&str, (u32, u32)> = HashMap::new();
    for p in &plan.residents {
        let e = per_building.entry(p.building.as_str()).or_default();
        e.0 += 1;
        e.1 += u32::from(p.tenant);
    }
    let rented = per_building
        .values()
        .filter(|(n, t)| *n >= 20 && f64::from(*t) / f64::from(*n) > 0.5)
        .count();
    let owned = per_building
        .values()
        .filter(|(n, t)| *n >= 20 && f64::from(*t) / f64::from(*n) < 0.2)
        .count();
    assert!(rented >= 3, "some mostly rented buildings: {rented}");
    assert!(owned > rented, "most buildings mostly owned: {owned}");
}

#[test]
fn buildings_are_numbered_across_the_community_and_spread_over_grids() {
    let plan = generate(2000, 4, 1, TODAY);
    assert_eq!(plan.grids.len(), 4);
    assert_eq!(plan.grids[0].name, "第1网格");
    let names: Vec<&String> = plan.grids.iter().flat_map(|g| &g.buildings).collect();
    let unique: HashSet<&&String> = names.iter().collect();
    assert_eq!(names.len(), unique.len());
    assert!(plan.grids.iter().all(|g| g.buildings.len() >= 5));
    let planned: HashSet<&str> = names.iter().map(|s| s.as_str()).collect();
    for p in &plan.residents {
        assert!(planned.contains(p.building.as_str()), "{}", p.building);
        assert!(UNITS.contains(&p.unit));
        assert!(
            ["101", "102", "601", "602", "305"].contains(&p.room.as_str()) || p.room.len() == 3
        );
    }
    assert!(plan.households > 2000 / 6 && plan.households < 2000);
}

#[test]
fn the_csv_has_recognised_headers_and_one_line_per_resident() {
    let plan = generate(100, 2, 3, TODAY);
    let columns: Vec<Option<Column>> = HEADERS.iter().map(|h| Column::from_header(h)).collect();
    assert!(columns.iter().all(Option::is_some), "{columns:?}");
    for required in Column::REQUIRED {
        assert!(columns.contains(&Some(required)));
    }
    let csv = String::from_utf8(plan.csv()).expect("utf-8");
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 101);
    let first = csv.lines().nth(1).expect("row");
    assert_eq!(first.split(',').count(), 16);
}
