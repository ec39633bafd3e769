//! The resident's self-report page behind a personal link: no account, a phone, few words.
//! The form carries its own CSRF token matched against a cookie, as the login form does.

use app::checks::{SelfReportInput, SelfReportView};
use app::{AppError, ErrorCode};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};

use super::{degrees, field, fields, symptom_codes};
use crate::AppState;
use crate::i18n::Tr;
use crate::pages::ClientAddr;
use crate::web::{self, Chrome, FormErrors, Path, Visitor};

const REPORT_CSRF_COOKIE: &str = "gw_report_csrf";

pub fn routes() -> Router<AppState> {
    Router::new().route("/r/{token}", get(page).post(submit))
}

/// What the page shows: the form, the thanks after a report, or why the link does not work.
enum Shown {
    Form,
    Done {
        temperature: String,
        febrile: bool,
        /// When the next report is due, in the reader's words; empty after the order's last.
        next_due: String,
    },
    Refused {
        message: String,
    },
}

#[derive(Template)]
#[template(path = "checks_report.html")]
struct ReportPage {
    c: Chrome,
    token: String,
    csrf: String,
    view: Option<SelfReportView>,
    first: String,
    shown: Shown,
    symptoms: Vec<&'static str>,
    entered_temperature: String,
    entered_symptoms: Vec<String>,
    entered_other: String,
    error: String,
}

impl ReportPage {
    fn ticked(&self, code: &&str) -> bool {
        self.entered_symptoms.iter().any(|s| s == code)
    }
}

fn refusal(t: Tr, e: &AppError) -> (StatusCode, String) {
    match e {
        AppError::NotFound => (StatusCode::NOT_FOUND, t.get("report.unknown").to_owned()),
        AppError::Conflict(ErrorCode::LinkRevoked) => {
            (web::status_of(e), t.get("report.revoked").to_owned())
        }
        AppError::Conflict(ErrorCode::OrderEnded) => {
            (web::status_of(e), t.get("report.ended").to_owned())
        }
        AppError::Conflict(ErrorCode::OrderNotStarted) => {
            (web::status_of(e), t.get("report.not_started").to_owned())
        }
        other => (web::status_of(other), t.error(other.code(), "")),
    }
}

/// The page of a link that leads to no form: unknown, revoked, or its order over.
fn refused(t: Tr, e: &AppError) -> Response {
    let (status, message) = refusal(t, e);
    let shown = Shown::Refused { message };
    respond(t, "", None, shown, nothing_entered(), String::new(), status)
}

struct Entered {
    temperature: String,
    symptoms: Vec<String>,
    other: String,
}

fn respond(
    t: Tr,
    token: &str,
    view: Option<SelfReportView>,
    shown: Shown,
    entered: Entered,
    error: String,
    status: StatusCode,
) -> Response {
    let csrf = app::crypto::new_token();
    let first = view
        .as_ref()
        .and_then(|v| v.current.as_ref())
        .map(|c| format!("{} °C", degrees(c.temperature)))
        .unwrap_or_default();
    let page = ReportPage {
        c: Chrome::anonymous(t, t.get("report.title"), ""),
        token: token.to_owned(),
        csrf: csrf.clone(),
        view,
        first,
        shown,
        symptoms: symptom_codes(),
        entered_temperature: entered.temperature,
        entered_symptoms: entered.symptoms,
        entered_other: entered.other,
        error,
    };
    // The address holds the token: kept out of caches (the server's Referrer-Policy keeps it
    // from other sites).
    web::render_with_csrf(&page, status, REPORT_CSRF_COOKIE, &csrf)
}

fn nothing_entered() -> Entered {
    Entered {
        temperature: String::new(),
        symptoms: Vec::new(),
        other: String::new(),
    }
}

/// The slot after the one just reported, with its window ("2020-02-01 evening, 17:00–20:00"),
/// while the order runs; empty after its last day.
fn next_due(app: &app::App, t: Tr, reported: domain::quarantine::Slot, end_date: &str) -> String {
    let next = reported.next();
    if next.date.to_string().as_str() > end_date {
        return String::new();
    }
    let w = app.settings.check_windows;
    let hhmm = |at: jiff::civil::DateTime| at.strftime("%H:%M").to_string();
    t.get("report.next_due")
        .replace("{date}", &next.date.to_string())
        .replace("{part}", &t.of("slot_part", next.part.code()))
        .replace("{from}", &hhmm(w.opens_at(next)))
        .replace("{to}", &hhmm(w.closes_at(next)))
}

async fn page(State(s): State<AppState>, v: Visitor, Path(token): Path<String>) -> Response {
    let t = v.t;
    match s.app.self_report_view(&token, jiff::Timestamp::now()).await {
        Ok(view) => respond(
            t,
            &token,
            Some(view),
            Shown::Form,
            nothing_entered(),
            String::new(),
            StatusCode::OK,
        ),
        Err(e) => refused(t, &e),
    }
}

async fn submit(
    State(s): State<AppState>,
    v: Visitor,
    client: ClientAddr,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let t = v.t;
    let now = jiff::Timestamp::now();
    let input = SelfReportInput {
        temperature: field(&pairs, "temperature").to_owned(),
        symptoms: fields(&pairs, "symptom"),
        other_symptom: field(&pairs, "other_symptom").to_owned(),
        correction_reason: field(&pairs, "correction_reason").to_owned(),
    };
    let entered = || Entered {
        temperature: input.temperature.clone(),
        symptoms: input.symptoms.clone(),
        other: input.other_symptom.clone(),
    };
    let view = match s.app.self_report_view(&token, now).await {
        Ok(v) => v,
        Err(e) => return refused(t, &e),
    };
    if !v.csrf_ok(REPORT_CSRF_COOKIE, field(&pairs, "csrf")) {
        return respond(
            t,
            &token,
            Some(view),
            Shown::Form,
            entered(),
            t.error("csrf_failed", ""),
            StatusCode::FORBIDDEN,
        );
    }
    match s
        .app
        .submit_self_report(&token, &input, &client.0, now)
        .await
    {
        Ok(r) => {
            let temperature = domain::health::Temperature::parse(&input.temperature)
                .map(|x| x.to_string())
                .unwrap_or_default();
            respond(
                t,
                &token,
                None,
                Shown::Done {
                    temperature,
                    febrile: r.febrile,
                    next_due: next_due(&s.app, t, r.slot, &view.end_date),
                },
                nothing_entered(),
                String::new(),
                StatusCode::OK,
            )
        }
        Err(e) => {
            let status = web::status_of(&e);
            let message = match &e {
                AppError::Validation(_) => FormErrors::from_app(&e, t).joined_with(" "),
                AppError::Conflict(ErrorCode::SlotFilled) => t.get("report.need_reason").to_owned(),
                AppError::RateLimited { .. } => t.get("report.too_many").to_owned(),
                AppError::NotFound | AppError::Conflict { .. } => refusal(t, &e).1,
                other => t.error(other.code(), ""),
            };
            // The page reads the slot again: a report may have arrived meanwhile.
            let view = s.app.self_report_view(&token, now).await.ok();
            respond(t, &token, view, Shown::Form, entered(), message, status)
        }
    }
}
