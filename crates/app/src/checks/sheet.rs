//! The printed self-report sheet: for a resident without a smartphone, a page that says who it is
//! for, where, from when to when, when to report each day, a line per report to fill in, whom to
//! call, and the link to the self-report page as a QR code for a relative's phone. It carries
//! nothing else: no ID number, no record number, nothing only staff may read.

use domain::access::Role;
use domain::quarantine::{self as q, Slot};
use store::accounts::{self as accounts, Contact};
use store::quarantine as qs;

use super::links::{NewLink, replace_link};
use crate::{Actor, App, AppResult};

/// What a printed sheet shows.
#[derive(Debug, Clone)]
pub struct SelfReportSheet {
    /// The link the sheet's QR code opens; a new one, made for the sheet.
    pub link: NewLink,
    /// The resident's name as they know it, in full: the sheet is theirs.
    pub resident_name: String,
    pub building_name: String,
    pub unit_name: String,
    pub room: String,
    /// ISO dates: the order's first and last day.
    pub start_date: String,
    pub end_date: String,
    /// A line per report from the first day on the sheet to the last.
    pub slots: Vec<Slot>,
    /// The household's grid worker: the order's, or else one of its grid.
    pub grid_worker: Option<Contact>,
    /// The order's responsible doctor.
    pub doctor: Option<Contact>,
}

impl App {
    /// A sheet to print for an order's resident, with a new self-report link (the live one, if
    /// any, stops working). Audited twice in one transaction: the link made, and the sheet
    /// printed with the people whose numbers it gives.
    pub async fn print_self_report_sheet(
        &self,
        actor: &Actor,
        order_id: i64,
    ) -> AppResult<SelfReportSheet> {
        let mut tx = self.write_as(actor, q::can_manage(actor.role)).await?;
        let order = qs::order(tx.conn(), &actor.jurisdiction, order_id).await?;
        let link = replace_link(&mut tx, actor, &order).await?;
        let contacts = accounts::contacts_of_grid(
            tx.conn(),
            order.doctor_id,
            order.grid_worker_id,
            order.address.grid_id,
        )
        .await?;
        let doctor = order
            .doctor_id
            .and_then(|id| contacts.iter().find(|c| c.id == id).cloned());
        let grid_worker = responsible_grid_worker(&contacts, order.grid_worker_id);
        let mut a = actor.audit("self_report_sheet_print", "quarantine_order", order.id);
        a.community_id = Some(order.address.community_id);
        a.after = Some(serde_json::json!({
            "grid_worker_id": grid_worker.as_ref().map(|c| c.id),
            "doctor_id": doctor.as_ref().map(|c| c.id),
        }));
        tx.commit_audited(a).await?;
        let parse = domain::resident::date_from_text;
        let slots = match (parse(&order.start_date), parse(&order.end_date)) {
            (Some(start), Some(end)) => q::sheet_slots(start, end, self.today()),
            _ => Vec::new(),
        };
        Ok(SelfReportSheet {
            link,
            resident_name: order.resident_name,
            building_name: order.address.building_name,
            unit_name: order.address.unit_name,
            room: order.address.room,
            start_date: order.start_date,
            end_date: order.end_date,
            slots,
            grid_worker,
            doctor,
        })
    }
}

/// The grid worker a sheet names: the order's own when it has one, else the first of the grid's
/// who has a number, else the first of the grid's.
fn responsible_grid_worker(contacts: &[Contact], named: Option<i64>) -> Option<Contact> {
    if let Some(c) = named.and_then(|id| contacts.iter().find(|c| c.id == id)) {
        return Some(c.clone());
    }
    let of_grid = || contacts.iter().filter(|c| c.role == Role::GridWorker);
    of_grid()
        .find(|c| c.phone.is_some())
        .or_else(|| of_grid().next())
        .cloned()
}
