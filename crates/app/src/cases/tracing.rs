//! Tracing a case from the system's own logs, and putting the contacts the lead picks on
//! follow-up in one step.

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::access::Jurisdiction;
use domain::cases::{
    self as dc, Contact, ContactKey, FollowUp, MovementKind, Overlap, OverlapLog, Strength, Window,
    close_at_gate, merge_overlaps,
};
use serde::Serialize;
use store::cases::tracing::{self as ct, Passing};
use store::cases::{self as cs, Case, NewContact};
use store::quarantine as qs;
use store::registry as reg;

use crate::quarantine::OrderInput;
use crate::{Actor, App, AppError, AppResult};

/// The most people one follow-up puts under quarantine in one transaction.
pub const FOLLOW_UP_MAX: usize = 2_000;

/// A case's contacts as tracing found them.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub case_id: i64,
    /// Who the case is, for the page's title: the trace's audited read covers it.
    pub person_name: String,
    pub window: Window,
    pub gate_minutes: i64,
    /// The case's own passages and gate movements the gate log was searched around.
    pub case_passings: usize,
    pub contacts: Vec<Contact>,
    /// How many contacts of each strength, strongest first.
    pub counts: Vec<(Strength, usize)>,
}

/// A contact as the list shows it: who, where they live, how many people it stands for.
#[derive(Debug, Clone, Serialize)]
pub struct ContactView {
    pub contact: Contact,
    pub name: String,
    pub place: String,
    /// People the contact stands for: a household's members, else 1.
    pub people: i64,
    /// Already on follow-up for this case.
    pub followed: bool,
}

/// What a follow-up did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FollowedUp {
    /// Quarantine orders made.
    pub orders: usize,
    /// Residents already under quarantine, linked to the case without a new order.
    pub already_in_quarantine: usize,
    /// Visitors and workers put on the list for the CDC.
    pub cdc_list: usize,
    /// Picked contacts already on follow-up for this case.
    pub skipped: usize,
}

impl App {
    /// Finds every contact of a case in its window, strongest first: an audited read.
    pub async fn trace_case(&self, actor: &Actor, case_id: i64) -> AppResult<Trace> {
        let mut conn = self.read_as(actor, dc::can_trace(actor.role)).await?;
        let case = cs::case(&mut conn, &actor.jurisdiction, case_id).await?;
        let trace = self.trace(&mut conn, &case).await?;
        drop(conn);
        let tx = self.db.write().await?;
        let mut a = actor.audit("case_trace", super::OBJECT_TYPE, case.id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({
            "from": trace.window.from, "to": trace.window.to,
            "contacts": trace.contacts.len(),
        }));
        tx.commit_audited(a).await?;
        Ok(trace)
    }

    pub(crate) async fn trace(&self, conn: &mut store::Conn, case: &Case) -> AppResult<Trace> {
        let rules = self.settings.cases;
        let window =
            Window::back_from(self.first_day_ms(case), rules.trace_days, case.suspected_at);
        let gates: HashMap<i64, String> = ct::gate_names(conn, case.community_id)
            .await?
            .into_iter()
            .collect();
        let gate_name = |id: i64| gates.get(&id).cloned().unwrap_or_default();
        let home = case_home(case);
        let mut found: Vec<(ContactKey, Overlap)> = Vec::new();
        self.neighbours(conn, case, &home, &mut found).await?;
        let movements = cs::movements(conn, case.id).await?;
        // The case at gates: its household pass's passages and the gates it was seen at.
        let mut at_gates: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
        if let Some(h) = case.household_id {
            for p in ct::household_passings(conn, h, window.from, window.to).await? {
                at_gates.entry(p.gate_id).or_default().push((p.at, p.at));
            }
        }
        let mut visited: Vec<(i64, i64)> = case.household_id.map(|h| (h, 0)).into_iter().collect();
        for m in movements
            .iter()
            .filter(|m| window.meets(m.from_at, m.to_at))
        {
            match (m.kind, m.gate_id, m.household_id, m.building_id) {
                (MovementKind::Gate, Some(g), _, _) => {
                    at_gates.entry(g).or_default().push((m.from_at, m.to_at));
                }
                (MovementKind::Household, _, Some(h), _) => {
                    visited.push((h, m.from_at));
                    let place = m.household_place.clone().unwrap_or_default();
                    let o = overlap(
                        Strength::Visited,
                        OverlapLog::Movement,
                        Some(m.from_at),
                        place,
                    );
                    found.push((ContactKey::Household(h), o));
                }
                (MovementKind::Building, _, _, Some(b)) => {
                    let place = m.building_name.clone().unwrap_or_default();
                    for home in ct::homes_of_building(conn, b).await? {
                        let o = overlap(
                            Strength::Building,
                            OverlapLog::Movement,
                            Some(m.from_at),
                            place.clone(),
                        );
                        found.push((ContactKey::Household(home.household_id), o));
                    }
                }
                _ => {}
            }
        }
        let mut case_passings = 0;
        for (gate, times) in &at_gates {
            case_passings += times.len();
            let near = self
                .near_at_gate(conn, *gate, times, rules.gate_minutes, case.household_id)
                .await?;
            for (key, at, minutes) in near {
                let mut o = overlap(
                    Strength::Gate,
                    OverlapLog::Passage,
                    Some(at),
                    gate_name(*gate),
                );
                o.minutes_apart = Some(minutes);
                found.push((key, o));
            }
        }
        self.visitors_and_workers(conn, case, &visited, &window, &gates, &mut found)
            .await?;
        let own = case.resident_id.map(ContactKey::Resident);
        let contacts: Vec<Contact> = merge_overlaps(found.into_iter().filter(|(k, _)| {
            Some(*k) != own && Some(*k) != case.household_id.map(ContactKey::Household)
        }));
        let mut counts: BTreeMap<Strength, usize> = BTreeMap::new();
        for c in &contacts {
            *counts.entry(c.strength).or_default() += 1;
        }
        Ok(Trace {
            case_id: case.id,
            person_name: case.person_name.clone(),
            window,
            gate_minutes: rules.gate_minutes,
            case_passings,
            contacts,
            counts: counts.into_iter().collect(),
        })
    }

    /// The start of the day tracing counts back from: the earlier of symptom onset and test,
    /// or the day the case was suspected.
    fn first_day_ms(&self, case: &Case) -> i64 {
        let dated = [&case.onset_on, &case.tested_on]
            .into_iter()
            .flatten()
            .filter_map(|d| d.parse::<jiff::civil::Date>().ok())
            .min();
        let day = dated.unwrap_or_else(|| {
            jiff::Timestamp::from_millisecond(case.suspected_at)
                .map_or_else(|_| self.today(), |t| self.local(t).date())
        });
        self.instant_ms(day.to_datetime(jiff::civil::Time::midnight()))
            .unwrap_or(case.suspected_at)
    }

    /// Who lives with the case: its household's members, its unit's and building's households.
    async fn neighbours(
        &self,
        conn: &mut store::Conn,
        case: &Case,
        home: &str,
        found: &mut Vec<(ContactKey, Overlap)>,
    ) -> AppResult<()> {
        if let Some(h) = case.household_id {
            for (id, _) in ct::members(conn, h).await? {
                let o = overlap(
                    Strength::Household,
                    OverlapLog::Registry,
                    None,
                    home.to_owned(),
                );
                found.push((ContactKey::Resident(id), o));
            }
        }
        for other in ct::homes_of_building(conn, case.building_id).await? {
            if Some(other.household_id) == case.household_id {
                continue;
            }
            let strength = if Some(other.unit_id) == case.unit_id {
                Strength::Unit
            } else {
                Strength::Building
            };
            let o = overlap(
                strength,
                OverlapLog::Registry,
                None,
                case.building_name.clone(),
            );
            found.push((ContactKey::Household(other.household_id), o));
        }
        Ok(())
    }

    /// Who passed a gate within `minutes` of the case's times there, each once with how far
    /// apart at the closest; the case's own household's passages are left out.
    async fn near_at_gate(
        &self,
        conn: &mut store::Conn,
        gate: i64,
        times: &[(i64, i64)],
        minutes: i64,
        own: Option<i64>,
    ) -> AppResult<Vec<(ContactKey, i64, i64)>> {
        let margin = minutes * 60_000;
        let mut closest: HashMap<ContactKey, (i64, i64)> = HashMap::new();
        for stays in times.chunks(ct::STAYS_PER_STATEMENT) {
            for n in ct::near_gate(conn, gate, stays, margin).await? {
                let passing = Passing {
                    gate_id: gate,
                    at: n.at,
                    household_id: n.household_id,
                    visitor_id: n.visitor_id,
                };
                let Some(key) = passing_key(&passing, own) else {
                    continue;
                };
                if !close_at_gate(0, n.apart, minutes) {
                    continue;
                }
                let e = closest.entry(key).or_insert((n.at, n.apart));
                if n.apart < e.1 {
                    *e = (n.at, n.apart);
                }
            }
        }
        Ok(closest
            .into_iter()
            .map(|(key, (at, apart))| (key, at, apart / 60_000))
            .collect())
    }

    async fn visitors_and_workers(
        &self,
        conn: &mut store::Conn,
        case: &Case,
        visited: &[(i64, i64)],
        window: &Window,
        gates: &HashMap<i64, String>,
        found: &mut Vec<(ContactKey, Overlap)>,
    ) -> AppResult<()> {
        let to_building =
            ct::visits_to(conn, Some(case.building_id), None, window.from, window.to).await?;
        for p in to_building {
            let strength = if p.household_id == case.household_id {
                Strength::Visitor
            } else {
                Strength::Building
            };
            if let Some(v) = p.visitor_id {
                let place = gates.get(&p.gate_id).cloned().unwrap_or_default();
                let o = overlap(strength, OverlapLog::Passage, Some(p.at), place);
                found.push((ContactKey::Visitor(v), o));
            }
        }
        let households: HashSet<i64> = visited.iter().map(|(h, _)| *h).collect();
        for h in households {
            for s in ct::served(conn, h, window.from, window.to).await? {
                let log = OverlapLog::from_code(&s.log).unwrap_or(OverlapLog::Delivery);
                let o = overlap(
                    Strength::Worker,
                    log,
                    Some(s.at),
                    case.building_name.clone(),
                );
                found.push((ContactKey::Account(s.account_id), o));
            }
        }
        Ok(())
    }

    /// Names and places for a page of contacts.
    pub async fn contact_views(
        &self,
        actor: &Actor,
        case_id: i64,
        contacts: &[Contact],
    ) -> AppResult<Vec<ContactView>> {
        let mut conn = self.read_as(actor, dc::can_trace(actor.role)).await?;
        cs::case(&mut conn, &actor.jurisdiction, case_id).await?;
        let followed: HashSet<(String, i64)> = cs::followed_keys(&mut conn, case_id)
            .await?
            .into_iter()
            .collect();
        let mut views = Vec::with_capacity(contacts.len());
        for c in contacts {
            let (name, place, people, key) = match c.key {
                ContactKey::Resident(id) => {
                    let r = reg::resident(&mut conn, &Jurisdiction::ALL, id).await?;
                    let place = r.address.to_string();
                    (r.particulars.name, place, 1, ("resident", id))
                }
                ContactKey::Household(id) => {
                    let h = reg::household(&mut conn, &Jurisdiction::ALL, id).await?;
                    let place = format!("{} {} {}", h.building_name, h.unit_name, h.room);
                    (String::new(), place, h.members, ("household", id))
                }
                ContactKey::Visitor(id) => {
                    let name = cs::visitor_name(&mut conn, id).await?.unwrap_or_default();
                    (name, String::new(), 1, ("visitor", id))
                }
                ContactKey::Account(id) => {
                    let a = store::accounts::account(&mut conn, id).await?;
                    (a.display_name, String::new(), 1, ("account", id))
                }
            };
            views.push(ContactView {
                contact: c.clone(),
                name,
                place,
                people,
                followed: followed.contains(&(key.0.to_owned(), key.1)),
            });
        }
        Ok(views)
    }

    /// Puts the picked contacts of a case on follow-up in one transaction: residents (each
    /// member of a picked household) under a home or centralised quarantine order for contact
    /// with a case, visitors and workers on the list for the CDC; each linked to the case with
    /// why it was found. A pick that tracing did not find is refused.
    pub async fn follow_up_contacts(
        &self,
        actor: &Actor,
        case_id: i64,
        picks: &[ContactKey],
        follow_up: &str,
    ) -> AppResult<FollowedUp> {
        actor.require(dc::can_trace(actor.role))?;
        let Some(follow_up) = FollowUp::from_code(follow_up.trim()) else {
            return Err(AppError::field("follow_up", "unknown_follow_up"));
        };
        let mut conn = self.db.conn().await?;
        let case = cs::case(&mut conn, &actor.jurisdiction, case_id).await?;
        if picks.is_empty() {
            return Err(AppError::field("contacts", "required"));
        }
        let trace = self.trace(&mut conn, &case).await?;
        drop(conn);
        let by_key: HashMap<ContactKey, &Contact> =
            trace.contacts.iter().map(|c| (c.key, c)).collect();
        if picks.iter().any(|k| !by_key.contains_key(k)) {
            return Err(AppError::field("contacts", "not_a_contact"));
        }
        let mut tx = self.db.write().await?;
        let followed: HashSet<(String, i64)> = cs::followed_keys(tx.conn(), case.id)
            .await?
            .into_iter()
            .collect();
        let mut done = FollowedUp::default();
        let mut residents = Vec::new();
        let now = store::now_ms();
        for key in picks {
            let c = by_key[key];
            let overlaps = serde_json::to_string(&c.overlaps).unwrap_or_default();
            let ids = match *key {
                ContactKey::Resident(id) => vec![id],
                ContactKey::Household(h) => ct::members(tx.conn(), h)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect(),
                ContactKey::Visitor(id) | ContactKey::Account(id) => {
                    let kind = if matches!(key, ContactKey::Visitor(_)) {
                        "visitor"
                    } else {
                        "account"
                    };
                    if followed.contains(&(kind.to_owned(), id)) {
                        done.skipped += 1;
                        continue;
                    }
                    let name = match key {
                        ContactKey::Visitor(_) => {
                            cs::visitor_name(tx.conn(), id).await?.unwrap_or_default()
                        }
                        _ => store::accounts::account(tx.conn(), id).await?.display_name,
                    };
                    let (visitor_id, account_id) = match key {
                        ContactKey::Visitor(_) => (Some(id), None),
                        _ => (None, Some(id)),
                    };
                    cs::insert_contact(
                        tx.conn(),
                        &NewContact {
                            case_id: case.id,
                            community_id: case.community_id,
                            resident_id: None,
                            visitor_id,
                            account_id,
                            name: &name,
                            strength: c.strength,
                            evidence: &overlaps,
                            follow_up: FollowUp::CdcList,
                            quarantine_order_id: None,
                            by: actor.account_id,
                            at: now,
                        },
                    )
                    .await?;
                    done.cdc_list += 1;
                    continue;
                }
            };
            for id in ids {
                if followed.contains(&("resident".to_owned(), id)) {
                    done.skipped += 1;
                } else {
                    residents.push((id, c.strength, overlaps.clone()));
                }
            }
        }
        residents.sort_by_key(|(id, s, _)| (*id, *s));
        residents.dedup_by_key(|(id, _, _)| *id);
        if residents.len() > FOLLOW_UP_MAX {
            return Err(AppError::field("contacts", "too_many"));
        }
        let kind = match follow_up {
            FollowUp::QuarantineOrder => "centralised",
            _ => "home",
        };
        let order = OrderInput {
            reason: "case_contact".to_owned(),
            kind: kind.to_owned(),
            ..OrderInput::default()
        };
        for (id, strength, overlaps) in residents {
            let r = reg::resident(tx.conn(), &Jurisdiction::ALL, id).await?;
            let (order_id, follow) = match (follow_up, qs::open_order_of(tx.conn(), id).await?) {
                (FollowUp::CdcList, _) => (None, FollowUp::CdcList),
                (_, Some(existing)) => {
                    done.already_in_quarantine += 1;
                    (Some(existing), follow_up)
                }
                (_, None) => {
                    let made = self
                        .create_orders_in(&mut tx, actor, std::slice::from_ref(&r), &order)
                        .await?;
                    done.orders += made.len();
                    (made.first().copied(), follow_up)
                }
            };
            if follow == FollowUp::CdcList {
                done.cdc_list += 1;
            }
            cs::insert_contact(
                tx.conn(),
                &NewContact {
                    case_id: case.id,
                    community_id: case.community_id,
                    resident_id: Some(id),
                    visitor_id: None,
                    account_id: None,
                    name: &r.particulars.name,
                    strength,
                    evidence: &overlaps,
                    follow_up: follow,
                    quarantine_order_id: order_id,
                    by: actor.account_id,
                    at: now,
                },
            )
            .await?;
        }
        let mut a = actor.audit("case_follow_up", super::OBJECT_TYPE, case.id);
        a.community_id = Some(case.community_id);
        a.after = Some(serde_json::json!({
            "follow_up": follow_up.code(), "picked": picks.len(), "orders": done.orders,
            "already_in_quarantine": done.already_in_quarantine, "cdc_list": done.cdc_list,
            "skipped": done.skipped,
        }));
        tx.commit_audited(a).await?;
        Ok(done)
    }
}

fn overlap(strength: Strength, log: OverlapLog, at: Option<i64>, place: String) -> Overlap {
    Overlap {
        strength,
        log,
        at,
        place,
        minutes_apart: None,
    }
}

fn case_home(case: &Case) -> String {
    [
        Some(case.building_name.as_str()),
        case.unit_name.as_deref(),
        case.room.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ")
}

/// Who a passage at the gate is of; `None` for the case's own household's.
fn passing_key(p: &Passing, own: Option<i64>) -> Option<ContactKey> {
    match (p.visitor_id, p.household_id) {
        (Some(v), _) => Some(ContactKey::Visitor(v)),
        (None, Some(h)) if Some(h) != own => Some(ContactKey::Household(h)),
        _ => None,
    }
}
