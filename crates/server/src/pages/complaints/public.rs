//! The resident's complaint pages, no account: a phone-sized form reached from the short link
//! or QR code the community posts, and the personal link that shows the replies and takes the
//! resident's satisfaction. Forms carry their own CSRF token matched against a cookie, as the
//! self-report page's do; filing is limited per client.

use app::AppError;
use app::complaints::{ComplaintInput, ResidentView};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::complaints::{Category, Satisfaction, State as ComplaintState};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::ClientAddr;
use crate::pages::checks::order::{link_url, qr_svg_sized};
use crate::web::{self, Chrome, FormErrors, Path, Visitor, render_with_csrf};

const COMPLAINT_CSRF_COOKIE: &str = "gw_complaint_csrf";

pub fn routes() -> axum::Router<AppState> {
    Router::new()
        .route("/complain/{community}", get(form_page).post(file))
        .route("/complaint/{token}", get(link_page).post(rate))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct FileForm {
    csrf: String,
    category: String,
    what: String,
    place: String,
    /// The building's name as typed.
    building: String,
    contact: String,
}

#[derive(Template)]
#[template(path = "complaint_public.html")]
struct FilePage {
    c: Chrome,
    csrf: String,
    community_id: i64,
    community: String,
    /// Buildings to pick from when the form came back refused.
    buildings: Vec<String>,
    categories: Vec<&'static str>,
    form: FileForm,
    error: String,
    /// After filing: the personal link and its QR code, shown this once.
    link: String,
    qr: String,
}

fn refused_page(t: Tr, e: &AppError) -> Response {
    let status = web::status_of(e);
    let message = match e {
        AppError::NotFound => t.get("complaints.unknown_link").to_owned(),
        other => t.error(other.code(), ""),
    };
    let page = LinkPage {
        c: Chrome::anonymous(t, t.get("complaints.my_complaint"), ""),
        csrf: String::new(),
        token: String::new(),
        view: None,
        filed: String::new(),
        answers: Vec::new(),
        error: message,
        thanks: false,
    };
    render_with_csrf(&page, status, COMPLAINT_CSRF_COOKIE, "")
}

/// What the complaint form shows besides its fields.
enum Shown {
    /// Nothing: the form as first opened.
    Nothing,
    /// The personal link of the complaint just filed, shown this once.
    Filed(String),
    /// Why the form was refused, with the status to answer.
    Refused(StatusCode, String),
}

async fn file_page(
    s: &AppState,
    t: Tr,
    community_id: i64,
    form: FileForm,
    shown: Shown,
) -> Response {
    let (status, error, link) = match shown {
        Shown::Nothing => (StatusCode::OK, String::new(), String::new()),
        Shown::Filed(link) => (StatusCode::OK, String::new(), link),
        Shown::Refused(status, error) => (status, error, String::new()),
    };
    let community = match s.app.complaint_place(community_id).await {
        Ok(name) => name,
        Err(e) => return refused_page(t, &e),
    };
    let buildings =
        web::building_suggestions(&s.app, community_id, !error.is_empty(), &form.building).await;
    let csrf = app::crypto::new_token();
    let qr = if link.is_empty() {
        String::new()
    } else {
        qr_svg_sized(&link, 200)
    };
    let page = FilePage {
        c: Chrome::anonymous(t, t.get("complaints.file_title"), ""),
        csrf: csrf.clone(),
        community_id,
        community,
        buildings,
        categories: Category::ALL.iter().map(|c| c.code()).collect(),
        form,
        error,
        link,
        qr,
    };
    render_with_csrf(&page, status, COMPLAINT_CSRF_COOKIE, &csrf)
}

async fn form_page(State(s): State<AppState>, v: Visitor, Path(community): Path<i64>) -> Response {
    file_page(&s, v.t, community, FileForm::default(), Shown::Nothing).await
}

async fn file(
    State(s): State<AppState>,
    v: Visitor,
    client: ClientAddr,
    Path(community): Path<i64>,
    Form(f): Form<FileForm>,
) -> Response {
    let t = v.t;
    if !v.csrf_ok(COMPLAINT_CSRF_COOKIE, &f.csrf) {
        let refusal = Shown::Refused(StatusCode::FORBIDDEN, t.error("csrf_failed", ""));
        return file_page(&s, t, community, f, refusal).await;
    }
    let input = ComplaintInput {
        category: f.category.clone(),
        what: f.what.clone(),
        place: f.place.clone(),
        building_id: None,
        building: f.building.clone(),
        contact: f.contact.clone(),
    };
    match s
        .app
        .file_public_complaint(community, &input, &client.0, jiff::Timestamp::now())
        .await
    {
        Ok(filed) => {
            let link = link_url(&s, &v.headers, &format!("/complaint/{}", filed.token));
            file_page(&s, t, community, FileForm::default(), Shown::Filed(link)).await
        }
        Err(e) => {
            let message = match &e {
                AppError::RateLimited { .. } => t.get("complaints.too_many").to_owned(),
                other => FormErrors::from_app(other, t).named(&t, "；"),
            };
            let refusal = Shown::Refused(web::status_of(&e), message);
            file_page(&s, t, community, f, refusal).await
        }
    }
}

#[derive(Template)]
#[template(path = "complaint_link.html")]
struct LinkPage {
    c: Chrome,
    csrf: String,
    token: String,
    view: Option<ResidentView>,
    filed: String,
    /// The replies as the resident reads them: what was said and when.
    answers: Vec<(String, String)>,
    error: String,
    thanks: bool,
}

impl LinkPage {
    fn awaits_rating(&self) -> bool {
        self.view
            .as_ref()
            .is_some_and(|v| v.complaint.state == ComplaintState::Replied)
    }

    fn satisfactions(&self) -> Vec<&'static str> {
        Satisfaction::ALL.iter().map(|s| s.code()).collect()
    }
}

fn local(s: &AppState, ms: i64) -> String {
    crate::pages::registry_time(&s.app, ms)
        .chars()
        .take(16)
        .collect()
}

async fn link_view(
    s: &AppState,
    t: Tr,
    token: &str,
    error: String,
    thanks: bool,
    status: StatusCode,
) -> Response {
    let view = match s.app.complaint_of_link(token).await {
        Ok(v) => v,
        Err(e) => return refused_page(t, &e),
    };
    let csrf = app::crypto::new_token();
    let page = LinkPage {
        c: Chrome::anonymous(t, t.get("complaints.my_complaint"), ""),
        csrf: csrf.clone(),
        token: token.to_owned(),
        filed: local(s, view.complaint.filed_at),
        answers: view
            .replies
            .iter()
            .map(|r| (r.body.clone(), local(s, r.at)))
            .collect(),
        view: Some(view),
        error,
        thanks,
    };
    render_with_csrf(&page, status, COMPLAINT_CSRF_COOKIE, &csrf)
}

async fn link_page(State(s): State<AppState>, v: Visitor, Path(token): Path<String>) -> Response {
    link_view(&s, v.t, &token, String::new(), false, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RateForm {
    csrf: String,
    satisfaction: String,
    note: String,
}

async fn rate(
    State(s): State<AppState>,
    v: Visitor,
    Path(token): Path<String>,
    Form(f): Form<RateForm>,
) -> Response {
    let t = v.t;
    if !v.csrf_ok(COMPLAINT_CSRF_COOKIE, &f.csrf) {
        let error = t.error("csrf_failed", "");
        return link_view(&s, t, &token, error, false, StatusCode::FORBIDDEN).await;
    }
    match s.app.rate_complaint(&token, &f.satisfaction, &f.note).await {
        Ok(_) => link_view(&s, t, &token, String::new(), true, StatusCode::OK).await,
        Err(e) => {
            let message = FormErrors::from_app(&e, t).joined_with("；");
            link_view(&s, t, &token, message, false, web::status_of(&e)).await
        }
    }
}
