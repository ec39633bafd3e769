//! The printed self-report sheet of an order: an A4 page for a resident without a smartphone, in
//! the language the staff member picks for them, made with a new link (its token exists only in
//! this answer, so the sheet is printed from it and never opened again by address).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use domain::quarantine::Slot;
use serde::Deserialize;
use store::accounts::Contact;

use super::order::{link_url, qr_svg_sized};
use super::symptom_codes;
use crate::AppState;
use crate::i18n::{Lang, Tr};
use crate::web::{self, Ctx, Form, OnPage, PageResult, Path, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/quarantine/{id}/self-report-sheet", post(print))
}

#[derive(Deserialize)]
struct SheetForm {
    /// The resident's language, `zh` or `en`; the staff member's own when absent.
    #[serde(default)]
    lang: String,
}

/// A person to call, as the sheet prints them: what they are to the resident, their name, and
/// their number (none: a line to write it on).
struct CallLine {
    who: String,
    name: String,
    phone: Option<String>,
}

/// A line to fill in: the day, the part of it and its window.
struct Line {
    date: String,
    part: String,
    window: String,
    /// The first line of a day, which starts a new band and holds the day's date for both.
    first_of_day: bool,
}

#[derive(Template)]
#[template(path = "checks_sheet.html")]
struct SheetPage {
    /// The sheet's language, chosen for the resident.
    t: Tr,
    order_id: i64,
    name: String,
    address: String,
    start_date: String,
    end_date: String,
    /// Each day's windows: "morning 07:00–10:00".
    times: Vec<String>,
    calls: Vec<CallLine>,
    symptoms: Vec<&'static str>,
    lines: Vec<Line>,
    url: String,
    qr: String,
}

fn call_line(t: Tr, who_key: &str, c: Option<Contact>) -> Option<CallLine> {
    c.map(|c| CallLine {
        who: t.get(who_key).to_owned(),
        name: c.display_name,
        phone: c.phone,
    })
}

async fn print(
    State(s): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(form): Form<SheetForm>,
) -> PageResult {
    let sheet = ctx
        .app
        .print_self_report_sheet(&ctx.actor, id)
        .await
        .on_page(&ctx)?;
    let t = Lang::from_code(&form.lang).map_or(ctx.t, Tr::new);
    let w = ctx.app.settings.check_windows;
    let hhmm = |at: jiff::civil::DateTime| at.strftime("%H:%M").to_string();
    let window = |slot: Slot| format!("{}–{}", hhmm(w.opens_at(slot)), hhmm(w.closes_at(slot)));
    let today = ctx.app.today();
    let times = domain::quarantine::Part::ALL
        .iter()
        .map(|&part| {
            let slot = Slot { date: today, part };
            format!("{} {}", t.of("slot_part", part.code()), window(slot))
        })
        .collect();
    let lines = sheet
        .slots
        .iter()
        .map(|&slot| Line {
            date: slot.date.to_string(),
            part: t.of("slot_part", slot.part.code()),
            window: window(slot),
            first_of_day: slot.part == domain::quarantine::Part::Morning,
        })
        .collect();
    let url = link_url(&s, &headers, &format!("/r/{}", sheet.link.token));
    let calls = [
        call_line(t, "sheet.grid_worker", sheet.grid_worker),
        call_line(t, "sheet.doctor", sheet.doctor),
    ]
    .into_iter()
    .flatten()
    .collect();
    let res = render(&SheetPage {
        t,
        order_id: id,
        name: sheet.resident_name,
        address: format!("{} {} {}", sheet.building_name, sheet.unit_name, sheet.room),
        start_date: sheet.start_date,
        end_date: sheet.end_date,
        times,
        calls,
        symptoms: symptom_codes(),
        lines,
        qr: qr_svg_sized(&url, 160),
        url,
    });
    // The page holds the link's token: never kept by a cache.
    Ok(web::no_store(res))
}
