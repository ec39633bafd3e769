//! The public application page (no account, a phone): the form with its one-time code, and
//! the applicant's status page behind the personal link, where they withdraw or change the
//! arrival time. Forms carry their own CSRF token matched against a cookie, as the self-report
//! page does.

use std::collections::HashMap;

use app::returns::{ApplicationInput, Applied, StatusView};
use app::{AppError, ErrorCode};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::returns::{Means, State as ReturnState};

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::ClientAddr;
use crate::pages::checks::field;
use crate::pages::checks::order::{link_url, qr_svg_sized};
use crate::web::{self, Chrome, FormErrors, Path, Visitor, render};

const CSRF_COOKIE: &str = "gw_return_csrf";

/// Companion rows the page offers (the API takes up to the domain's maximum).
const COMPANION_ROWS: usize = 3;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/return/{community}", get(form_page).post(submit))
        .route("/return/{community}/code", post(send_code))
        .route("/return/regions", get(regions))
        .route("/return/s/{token}", get(status_page))
        .route("/return/s/{token}/withdraw", post(withdraw))
        .route("/return/s/{token}/arrival", post(change_arrival))
}

/// What the applicant typed, given back with the form.
#[derive(Default, Clone)]
struct Entered {
    name: String,
    document_number: String,
    phone: String,
    employer: String,
    employer_address: String,
    origin: String,
    means: String,
    trip: String,
    arrival: String,
    /// The building's name as typed.
    building: String,
    unit: String,
    room: String,
    companions: Vec<(String, String)>,
}

impl Entered {
    fn from_pairs(pairs: &[(String, String)]) -> Entered {
        let f = |k: &str| field(pairs, k).trim().to_owned();
        Entered {
            name: f("name"),
            document_number: f("document_number"),
            phone: f("phone"),
            employer: f("employer"),
            employer_address: f("employer_address"),
            origin: f("origin"),
            means: f("means"),
            trip: f("trip"),
            arrival: f("arrival"),
            building: f("building"),
            unit: f("unit"),
            room: f("room"),
            companions: (0..COMPANION_ROWS)
                .map(|i| {
                    (
                        f(&format!("companion_name_{i}")),
                        f(&format!("companion_document_{i}")),
                    )
                })
                .collect(),
        }
    }

    fn input(&self, community_id: i64, code: &str) -> ApplicationInput {
        ApplicationInput {
            community_id,
            name: self.name.clone(),
            document_number: self.document_number.clone(),
            phone: self.phone.clone(),
            code: code.to_owned(),
            employer: self.employer.clone(),
            employer_address: self.employer_address.clone(),
            origin: self.origin.clone(),
            means: self.means.clone(),
            trip: self.trip.clone(),
            arrival: self.arrival.clone(),
            building_id: None,
            building: self.building.clone(),
            unit: self.unit.clone(),
            room: self.room.clone(),
            companions: self.companions.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "returns_apply.html")]
struct ApplyPage {
    c: Chrome,
    community: store::returns::PublicCommunity,
    csrf: String,
    e: Entered,
    means: Vec<&'static str>,
    /// Buildings to pick from when the one typed was not found or not the only one.
    buildings: Vec<String>,
    errors: FormErrors,
    /// A note above the form: the code was sent, or the duplicate found.
    notice: String,
    /// The existing application's link, for a duplicate.
    existing_link: String,
}

impl ApplyPage {
    fn companion(&self, i: &usize) -> (&str, &str) {
        self.e
            .companions
            .get(*i)
            .map_or(("", ""), |(n, d)| (n.as_str(), d.as_str()))
    }

    fn rows(&self) -> Vec<usize> {
        (0..COMPANION_ROWS).collect()
    }
}

fn csrf_ok(v: &Visitor, pairs: &[(String, String)]) -> bool {
    v.csrf_ok(CSRF_COOKIE, field(pairs, "csrf"))
}

/// What the form shows above its fields, and the status it answers with.
struct Outcome {
    errors: FormErrors,
    notice: String,
    existing_link: String,
    status: StatusCode,
}

impl Outcome {
    fn fresh() -> Outcome {
        Outcome {
            errors: FormErrors::default(),
            notice: String::new(),
            existing_link: String::new(),
            status: StatusCode::OK,
        }
    }

    fn refused(errors: FormErrors, status: StatusCode) -> Outcome {
        Outcome {
            errors,
            status,
            ..Outcome::fresh()
        }
    }

    fn notice(notice: String, existing_link: String, status: StatusCode) -> Outcome {
        Outcome {
            notice,
            existing_link,
            status,
            ..Outcome::fresh()
        }
    }
}

async fn show_form(s: &AppState, t: Tr, community_id: i64, e: Entered, o: Outcome) -> Response {
    let Outcome {
        errors,
        notice,
        existing_link,
        status,
    } = o;
    let community = {
        let Ok(mut conn) = s.app.db.conn().await else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        match store::returns::public_community(&mut conn, community_id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                return (StatusCode::NOT_FOUND, t.get("returns.no_community")).into_response();
            }
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    };
    let refused = !errors.get("building").is_empty();
    let buildings = web::building_suggestions(&s.app, community_id, refused, &e.building).await;
    let csrf = app::crypto::new_token();
    let page = ApplyPage {
        c: Chrome::anonymous(t, t.get("returns.apply_title"), ""),
        community,
        csrf: csrf.clone(),
        e,
        means: Means::ALL.iter().map(|m| m.code()).collect(),
        buildings,
        errors,
        notice,
        existing_link,
    };
    web::render_with_csrf(&page, status, CSRF_COOKIE, &csrf)
}

async fn form_page(State(s): State<AppState>, v: Visitor, Path(community): Path<i64>) -> Response {
    show_form(&s, v.t, community, Entered::default(), Outcome::fresh()).await
}

/// The form again with its entries, refused by the application.
async fn form_refused(s: &AppState, t: Tr, community: i64, e: Entered, err: &AppError) -> Response {
    let errors = match err {
        AppError::RateLimited { .. } => FormErrors {
            items: vec![("_form".to_owned(), t.get("returns.too_many").to_owned())],
        },
        other => FormErrors::from_app(other, t),
    };
    let o = Outcome::refused(errors, web::status_of(err));
    show_form(s, t, community, e, o).await
}

/// The form again with its entries, refused for a token that is not the page's.
async fn csrf_refused(s: &AppState, t: Tr, community: i64, e: Entered) -> Response {
    let errors = FormErrors {
        items: vec![("_form".to_owned(), t.error("csrf_failed", ""))],
    };
    let o = Outcome::refused(errors, StatusCode::FORBIDDEN);
    show_form(s, t, community, e, o).await
}

async fn send_code(
    State(s): State<AppState>,
    v: Visitor,
    client: ClientAddr,
    Path(community): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let t = v.t;
    let e = Entered::from_pairs(&pairs);
    if !csrf_ok(&v, &pairs) {
        return csrf_refused(&s, t, community, e).await;
    }
    match s
        .app
        .request_return_code(&e.phone, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(()) => {
            let notice = t.get("returns.code_sent").to_owned();
            let o = Outcome::notice(notice, String::new(), StatusCode::OK);
            show_form(&s, t, community, e, o).await
        }
        Err(err) => form_refused(&s, t, community, e, &err).await,
    }
}

async fn submit(
    State(s): State<AppState>,
    v: Visitor,
    client: ClientAddr,
    Path(community): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let t = v.t;
    let e = Entered::from_pairs(&pairs);
    if !csrf_ok(&v, &pairs) {
        return csrf_refused(&s, t, community, e).await;
    }
    let input = e.input(community, field(&pairs, "code"));
    match s
        .app
        .apply_for_return(&input, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(Applied::New { token, .. }) => {
            Redirect::to(&format!("/return/s/{token}")).into_response()
        }
        Ok(Applied::Duplicate { id, token }) => {
            let notice = t.get("returns.duplicate").replace("{id}", &id.to_string());
            let link = token
                .map(|tk| format!("/return/s/{tk}"))
                .unwrap_or_default();
            let o = Outcome::notice(notice, link, StatusCode::CONFLICT);
            show_form(&s, t, community, e, o).await
        }
        Err(err) => form_refused(&s, t, community, e, &err).await,
    }
}

#[derive(Template)]
#[template(path = "region_options.html")]
struct RegionOptions {
    options: Vec<String>,
}

/// The region picker's suggestions for the public page (the staff's need a session).
async fn regions(v: Visitor, Query(q): Query<HashMap<String, String>>) -> Response {
    let language = v.t.lang.regions();
    let typed = q
        .get("q")
        .or_else(|| (q.len() == 1).then(|| q.values().next()).flatten())
        .map(String::as_str)
        .unwrap_or_default();
    let options = domain::region::search(typed, 20)
        .into_iter()
        .map(|d| d.option_value_in(language))
        .collect();
    render(&RegionOptions { options })
}

#[derive(Template)]
#[template(path = "returns_status.html")]
struct StatusPage {
    c: Chrome,
    csrf: String,
    token: String,
    v: StatusView,
    arrival: String,
    arrival_input: String,
    origin: String,
    /// The state's steps, each with whether it is reached.
    steps: Vec<(String, bool)>,
    refusals: Vec<String>,
    pending: bool,
    qr: String,
    error: String,
}

/// The page of a link that leads nowhere.
fn unknown_link(t: Tr) -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        t.get("returns.unknown_link").to_owned(),
    )
        .into_response()
}

async fn show_status(s: &AppState, visitor: &Visitor, token: &str, error: String) -> Response {
    let t = visitor.t;
    let v = match s.app.return_status(token).await {
        Ok(v) => v,
        Err(AppError::NotFound) => return unknown_link(t),
        Err(e) => return (web::status_of(&e), t.error(e.code(), "")).into_response(),
    };
    let a = &v.application;
    let reached = |st: ReturnState| -> bool {
        use ReturnState::*;
        let order = |x: ReturnState| match x {
            Submitted | Withdrawn => 0,
            Expected => 1,
            Arrived => 2,
            Approved | Refused => 3,
            InQuarantine => 4,
        };
        order(a.state) >= order(st)
    };
    let mut steps = vec![
        (t.of("return_state", "submitted"), true),
        (
            t.of("return_state", "expected"),
            reached(ReturnState::Expected),
        ),
        (
            t.of("return_state", "arrived"),
            reached(ReturnState::Arrived),
        ),
    ];
    match a.state {
        ReturnState::Refused => steps.push((t.of("return_state", "refused"), true)),
        ReturnState::Withdrawn => steps.push((t.of("return_state", "withdrawn"), true)),
        _ => {
            steps.push((
                t.of("return_state", "approved"),
                reached(ReturnState::Approved),
            ));
            let until = a
                .quarantine_until
                .as_deref()
                .map(|u| format!(" {} {u}", t.get("returns.until")))
                .unwrap_or_default();
            steps.push((
                format!("{}{until}", t.of("return_state", "in_quarantine")),
                reached(ReturnState::InQuarantine),
            ));
        }
    }
    let refusals = v
        .refusals
        .iter()
        .map(|code| t.of("refusal", code))
        .chain(a.refusal_reason.iter().cloned())
        .collect();
    let arrival = crate::pages::registry_time(&s.app, a.arrival_at);
    let arrival_input = arrival.get(..16).unwrap_or_default().replace(' ', "T");
    // The QR the guard scans: the application's page on the staff's side.
    let qr = qr_svg_sized(
        &link_url(s, &visitor.headers, &format!("/returns/{}", a.id)),
        200,
    );
    let csrf = app::crypto::new_token();
    let page = StatusPage {
        c: Chrome::anonymous(t, t.get("returns.status_title"), ""),
        csrf: csrf.clone(),
        token: token.to_owned(),
        pending: a.state.is_pending(),
        origin: app::registry::origin_name(Some(&a.origin), t.lang.regions()),
        arrival,
        arrival_input,
        steps,
        refusals,
        qr,
        error,
        v,
    };
    web::render_with_csrf(&page, StatusCode::OK, CSRF_COOKIE, &csrf)
}

async fn status_page(State(s): State<AppState>, v: Visitor, Path(token): Path<String>) -> Response {
    show_status(&s, &v, &token, String::new()).await
}

/// A step the applicant takes from the status page, taken once the form's token is the
/// page's: the page again, or with why it was refused (`refusal` says it).
async fn status_step<Step>(
    s: &AppState,
    v: &Visitor,
    token: &str,
    pairs: &[(String, String)],
    step: impl FnOnce() -> Step,
    refusal: impl FnOnce(Tr, AppError) -> String,
) -> Response
where
    Step: Future<Output = Result<(), AppError>>,
{
    let t = v.t;
    if !csrf_ok(v, pairs) {
        return show_status(s, v, token, t.error("csrf_failed", "")).await;
    }
    match step().await {
        Ok(()) => Redirect::to(&format!("/return/s/{token}")).into_response(),
        Err(AppError::NotFound) => unknown_link(t),
        Err(e) => show_status(s, v, token, refusal(t, e)).await,
    }
}

async fn withdraw(
    State(s): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let step = || s.app.withdraw_return(&token);
    status_step(&s, &v, &token, &pairs, step, |t, e| t.error(e.code(), "")).await
}

async fn change_arrival(
    State(s): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let step = || {
        s.app
            .change_return_arrival(&token, field(&pairs, "arrival"))
    };
    status_step(&s, &v, &token, &pairs, step, |t, e| match e {
        AppError::Conflict(ErrorCode::TransitionNotAllowed) => t.get("returns.too_late").to_owned(),
        e => FormErrors::from_app(&e, t).joined(),
    })
    .await
}
