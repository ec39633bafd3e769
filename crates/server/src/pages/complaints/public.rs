//! The resident's complaint pages, no account: a phone-sized form reached from the short link
//! or QR code the community posts, and the personal link that shows the replies and takes the
//! resident's satisfaction. Forms carry their own CSRF token matched against a cookie, as the
//! self-report page's do; filing is limited per client.

use app::AppError;
use app::complaints::{ComplaintInput, ResidentView};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use domain::complaints::{Category, Satisfaction, State as ComplaintState};
use serde::Deserialize;

use crate::AppState;
use crate::i18n::Tr;
use crate::pages::ClientAddr;
use crate::pages::checks::order::{link_url, qr_svg_sized};
use crate::web::{self, Chrome, Path, render};

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

/// A page with a fresh CSRF token in its form and cookie, kept out of caches.
fn with_csrf(mut res: Response, csrf: &str, status: StatusCode) -> Response {
    *res.status_mut() = status;
    web::with_csrf_cookie(res, COMPLAINT_CSRF_COOKIE, csrf)
}

fn csrf_ok(headers: &HeaderMap, sent: &str) -> bool {
    web::cookie_csrf_ok(headers, COMPLAINT_CSRF_COOKIE, sent)
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
    with_csrf(render(&page), "", status)
}

async fn file_page(
    s: &AppState,
    t: Tr,
    community_id: i64,
    form: FileForm,
    error: String,
    link: String,
    status: StatusCode,
) -> Response {
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
    with_csrf(render(&page), &csrf, status)
}

async fn form_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(community): Path<i64>,
) -> Response {
    let t = Tr::new(web::request_lang(&headers));
    file_page(
        &s,
        t,
        community,
        FileForm::default(),
        String::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

async fn file(
    State(s): State<AppState>,
    headers: HeaderMap,
    client: ClientAddr,
    Path(community): Path<i64>,
    Form(f): Form<FileForm>,
) -> Response {
    let t = Tr::new(web::request_lang(&headers));
    if !csrf_ok(&headers, &f.csrf) {
        let error = t.error("csrf_failed", "");
        return file_page(
            &s,
            t,
            community,
            f,
            error,
            String::new(),
            StatusCode::FORBIDDEN,
        )
        .await;
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
            let link = link_url(&s, &headers, &format!("/complaint/{}", filed.token));
            file_page(
                &s,
                t,
                community,
                FileForm::default(),
                String::new(),
                link,
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let status = web::status_of(&e);
            let message = match &e {
                AppError::Validation(fields) => fields
                    .0
                    .iter()
                    .map(|x| {
                        format!(
                            "{}: {}",
                            t.of("field", &x.field),
                            t.error(&x.code, &x.detail)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
                AppError::RateLimited { .. } => t.get("complaints.too_many").to_owned(),
                other => t.error(other.code(), ""),
            };
            file_page(&s, t, community, f, message, String::new(), status).await
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
    with_csrf(render(&page), &csrf, status)
}

async fn link_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let t = Tr::new(web::request_lang(&headers));
    link_view(&s, t, &token, String::new(), false, StatusCode::OK).await
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
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(f): Form<RateForm>,
) -> Response {
    let t = Tr::new(web::request_lang(&headers));
    if !csrf_ok(&headers, &f.csrf) {
        let error = t.error("csrf_failed", "");
        return link_view(&s, t, &token, error, false, StatusCode::FORBIDDEN).await;
    }
    match s.app.rate_complaint(&token, &f.satisfaction, &f.note).await {
        Ok(_) => link_view(&s, t, &token, String::new(), true, StatusCode::OK).await,
        Err(e) => {
            let status = web::status_of(&e);
            let message = match &e {
                AppError::Validation(fields) => fields
                    .0
                    .iter()
                    .map(|x| t.error(&x.code, &x.detail))
                    .collect::<Vec<_>>()
                    .join("；"),
                other => t.error(other.code(), ""),
            };
            link_view(&s, t, &token, message, false, status).await
        }
    }
}
