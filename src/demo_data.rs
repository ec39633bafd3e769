//! Deterministic demo residents of the Minsheng Road community (S County, code 610825): the same
//! seed always gives the same people, households and buildings.
//!
//! Pure generation, no I/O: the `demo` command writes the result through the real import path.

use std::collections::HashSet;

use domain::citizen_id::CitizenId;
use domain::region::{COUNTIES, County, province_name_zh};

mod lists;
mod prng;
mod register;
mod ymd;

use lists::{FEMALE_GIVEN, MALE_GIVEN, MOBILE_PREFIXES, ORIGINS, SURNAMES};
pub use prng::SplitMix64;
pub use register::HEADERS;
pub use ymd::Ymd;

pub const DISTRICT_CODE: &str = "610825";
pub const DISTRICT_NAME: &str = "S县";
pub const STREET_NAME: &str = "民生路街道";
pub const COMMUNITY_NAME: &str = "民生路社区";
pub const UNITS: [&str; 2] = ["1单元", "2单元"];
const FLOORS: u32 = 6;
const DOORS_PER_FLOOR: u32 = 2;

pub fn grid_name(n: usize) -> String {
    format!("第{n}网格")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TravelPlan {
    Stayed,
    Returned { origin: String, on: Ymd },
    NotYetReturned,
}

/// One generated resident, as a row of the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub id_number: String,
    pub male: bool,
    pub birth: Ymd,
    pub phone: Option<String>,
    pub building: String,
    pub unit: &'static str,
    pub room: String,
    pub registered: bool,
    pub tenant: bool,
    pub travel: TravelPlan,
    pub vulnerabilities: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridPlan {
    pub name: String,
    pub buildings: Vec<String>,
}

/// The whole demo community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub grids: Vec<GridPlan>,
    pub residents: Vec<Person>,
    pub households: usize,
}

impl Plan {
    pub fn building_count(&self) -> usize {
        self.grids.iter().map(|g| g.buildings.len()).sum()
    }
}

/// Household sizes 1..=6, in per mille (mean about 2.8 members).
const SIZE_WEIGHTS: [u64; 6] = [140, 300, 280, 170, 80, 30];

struct Generator {
    rng: SplitMix64,
    today: Ymd,
    surnames: Vec<char>,
    male: Vec<char>,
    female: Vec<char>,
    elsewhere: Vec<&'static County>,
    same_province: Vec<&'static County>,
    ids: HashSet<String>,
}

/// A household's shared facts, decided before its members.
struct Home {
    building: String,
    unit: &'static str,
    room: String,
    tenant: bool,
    registered: bool,
    region: &'static str,
    origin: String,
    travel: u8,
    returned_on: Ymd,
}

/// Generates `residents` people in households over as many buildings as they fill, the
/// buildings spread over `grids` grids. `today` bounds birth and return dates.
pub fn generate(residents: usize, grids: usize, seed: u64, today: Ymd) -> Plan {
    let mut g = Generator {
        rng: SplitMix64::new(seed),
        today,
        surnames: SURNAMES.chars().filter(|c| !c.is_whitespace()).collect(),
        male: MALE_GIVEN.chars().filter(|c| !c.is_whitespace()).collect(),
        female: FEMALE_GIVEN
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
        elsewhere: COUNTIES
            .iter()
            .filter(|c| c.code != DISTRICT_CODE)
            .collect(),
        same_province: COUNTIES
            .iter()
            .filter(|c| c.code != DISTRICT_CODE && c.province == "61")
            .collect(),
        ids: HashSet::with_capacity(residents),
    };
    let mut people = Vec::with_capacity(residents);
    let mut households = 0;
    let mut building_number = 0usize;
    while people.len() < residents {
        building_number += 1;
        let building = format!("{building_number}号楼");
        // Tenants cluster: about one building in four is mostly rented out.
        let rental = g.rng.chance(0.25);
        for unit in UNITS {
            for floor in 1..=FLOORS {
                for door in 1..=DOORS_PER_FLOOR {
                    if people.len() >= residents {
                        break;
                    }
                    if g.rng.chance(0.08) {
                        continue; // vacant
                    }
                    let room = format!("{floor}{door:02}");
                    let home = g.home(&building, unit, room, rental);
                    let size = g.household_size().min(residents - people.len());
                    g.members(&home, size, &mut people);
                    households += 1;
                }
            }
        }
    }
    let grids = grids.max(1);
    let plans = (0..grids)
        .map(|i| GridPlan {
            name: grid_name(i + 1),
            buildings: (i * building_number / grids..(i + 1) * building_number / grids)
                .map(|b| format!("{}号楼", b + 1))
                .collect(),
        })
        .collect();
    Plan {
        grids: plans,
        residents: people,
        households,
    }
}

impl Generator {
    fn household_size(&mut self) -> usize {
        let mut roll = self.rng.below(SIZE_WEIGHTS.iter().sum());
        for (i, w) in SIZE_WEIGHTS.iter().enumerate() {
            if roll < *w {
                return i + 1;
            }
            roll -= w;
        }
        1
    }

    fn home(&mut self, building: &str, unit: &'static str, room: String, rental: bool) -> Home {
        let tenant = self.rng.chance(if rental { 0.7 } else { 0.08 });
        let registered = self.rng.chance(if tenant { 0.1 } else { 0.66 });
        let county = if registered {
            None
        } else if self.rng.chance(0.4) {
            self.rng.pick(&self.same_province).copied()
        } else {
            self.rng.pick(&self.elsewhere).copied()
        };
        let region = county.map_or(DISTRICT_CODE, |c| c.code);
        let (p_returned, p_not_yet) = if tenant { (0.08, 0.05) } else { (0.025, 0.01) };
        let roll = self.rng.below(10_000);
        let travel = if (roll as f64) < p_returned * 10_000.0 {
            1
        } else if (roll as f64) < (p_returned + p_not_yet) * 10_000.0 {
            2
        } else {
            0
        };
        let origin = match county {
            // Migrants mostly come back from their home county.
            Some(c) if self.rng.chance(0.7) => {
                format!(
                    "{}{}",
                    province_name_zh(c.province).unwrap_or_default(),
                    c.name
                )
            }
            _ => self
                .rng
                .pick(&ORIGINS)
                .copied()
                .unwrap_or("陕西省西安市")
                .to_owned(),
        };
        let returned_on = self.today.minus_days(self.rng.range(1, 20));
        Home {
            building: building.to_owned(),
            unit,
            room,
            tenant,
            registered,
            region,
            origin,
            travel,
            returned_on,
        }
    }

    fn members(&mut self, home: &Home, size: usize, out: &mut Vec<Person>) {
        let head_male = self.rng.chance(0.6);
        let head_age = if size == 1 && self.rng.chance(0.4) {
            self.rng.range(65, 92)
        } else {
            self.rng.range(23, 80)
        };
        let family = self.surname();
        let mut has_parent = false;
        for i in 0..size {
            let (male, age, surname) = match i {
                0 => (head_male, head_age, family),
                1 if self.rng.chance(0.85) => {
                    let age = (head_age + self.rng.range(0, 8)).saturating_sub(4).max(20);
                    (!head_male, age, self.surname())
                }
                _ if !has_parent && (45..=70).contains(&head_age) && self.rng.chance(0.3) => {
                    has_parent = true;
                    let male = self.rng.chance(0.45);
                    let surname = if male { family } else { self.surname() };
                    (male, (head_age + self.rng.range(20, 28)).min(99), surname)
                }
                _ => {
                    let oldest = head_age.saturating_sub(20).clamp(1, 35);
                    (self.rng.chance(0.5), self.rng.range(1, oldest), family)
                }
            };
            let mut vulnerabilities = Vec::new();
            if size == 1 && age >= 65 {
                vulnerabilities.push("独居老人");
            }
            if age >= 60 && self.rng.chance(0.18) {
                vulnerabilities.push("慢性病");
            }
            if !male && (22..=38).contains(&age) && self.rng.chance(0.04) {
                vulnerabilities.push("孕妇");
            }
            if self.rng.chance(0.012) {
                vulnerabilities.push("残疾人");
            }
            let travel = match home.travel {
                1 if i == 0 || age < 18 || self.rng.chance(0.85) => TravelPlan::Returned {
                    origin: home.origin.clone(),
                    on: home.returned_on,
                },
                2 if i == 0 || self.rng.chance(0.6) => TravelPlan::NotYetReturned,
                _ => TravelPlan::Stayed,
            };
            let birth = self.birth(age);
            let phone = (age >= 14 && !(age >= 85 && self.rng.chance(0.5))).then(|| self.phone());
            let Some(id_number) = self.citizen_id(home.region, birth, male) else {
                continue;
            };
            out.push(Person {
                name: self.name(surname, male),
                id_number,
                male,
                birth,
                phone,
                building: home.building.clone(),
                unit: home.unit,
                room: home.room.clone(),
                registered: home.registered,
                tenant: home.tenant,
                travel,
                vulnerabilities,
            });
        }
    }

    fn surname(&mut self) -> char {
        // The most common surnames (first in the list) come up more often.
        let n = u64::try_from(self.surnames.len()).unwrap_or(1);
        let limit = if self.rng.chance(0.6) { n.min(20) } else { n };
        let i = usize::try_from(self.rng.below(limit)).unwrap_or(0);
        self.surnames.get(i).copied().unwrap_or('王')
    }

    fn name(&mut self, surname: char, male: bool) -> String {
        let mut name = String::from(surname);
        let chars = if male { &self.male } else { &self.female };
        let count = if self.rng.chance(0.7) { 2 } else { 1 };
        for _ in 0..count {
            let n = u64::try_from(chars.len()).unwrap_or(1);
            let i = usize::try_from(self.rng.below(n)).unwrap_or(0);
            name.push(chars.get(i).copied().unwrap_or('明'));
        }
        name
    }

    fn birth(&mut self, age: u32) -> Ymd {
        Ymd {
            year: self.today.year - i32::try_from(age.max(1)).unwrap_or(1),
            month: self.rng.range(1, 12),
            day: self.rng.range(1, 28),
        }
    }

    fn phone(&mut self) -> String {
        let prefix = self.rng.pick(&MOBILE_PREFIXES).copied().unwrap_or("138");
        format!("{prefix}{:08}", self.rng.below(100_000_000))
    }

    /// A valid, unique citizen ID; the sequence's parity gives the sex, as GB 11643 requires.
    fn citizen_id(&mut self, region: &str, birth: Ymd, male: bool) -> Option<String> {
        let date = domain::resident::date_from_text(&birth.to_string())?;
        for _ in 0..50 {
            let base = u16::try_from(self.rng.below(500)).unwrap_or(0);
            let sequence = base * 2 + u16::from(male);
            let id = CitizenId::compose(region, date, sequence).ok()?;
            if self.ids.insert(id.as_str().to_owned()) {
                return Some(id.as_str().to_owned());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
