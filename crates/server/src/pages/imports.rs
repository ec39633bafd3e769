//! Import pages: upload a register, see what importing it would do and choose how its columns
//! are read, import it and watch its progress, read and download the rejected rows.

mod held;
mod preview;
mod roster;

pub use held::HeldUploads;

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::registry::ImportStatus;
use serde::Deserialize;
use store::imports::{Import, Reject};
use store::structure::Community;

use crate::AppState;
use crate::i18n::Tr;
use crate::web::{
    self, Chrome, Ctx, FormErrors, OnPage, PageError, PageResult, Path, invalid, render,
    render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(imports_page).post(upload))
        .route("/imports/preview", post(preview::choose))
        .route("/imports/structure", post(roster::upload))
        .route("/imports/structure/confirm", post(roster::confirm))
        .route("/imports/{id}", get(import_page))
        .route("/imports/{id}/progress", get(progress))
        .route("/imports/{id}/rejects.xlsx", get(rejects_xlsx))
}

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    c: Chrome,
    communities: Vec<Community>,
    selected: i64,
    imports: Vec<Import>,
    form_error: String,
    limit_text: String,
}

#[derive(Deserialize)]
struct CommunityQuery {
    community: Option<i64>,
}

pub(super) async fn page(
    s: &AppState,
    ctx: &Ctx,
    selected: Option<i64>,
    form_error: String,
) -> PageResult {
    ctx.actor.require_import().on_page(ctx)?;
    let communities = s.app.communities(&ctx.actor).await.on_page(ctx)?;
    let selected = selected.or(communities.first().map(|c| c.id)).unwrap_or(0);
    let imports = if selected > 0 {
        s.app.imports(&ctx.actor, selected).await.on_page(ctx)?
    } else {
        Vec::new()
    };
    let mb = s.options.max_upload_bytes / (1024 * 1024);
    let refused = !form_error.is_empty();
    Ok(render_form(
        &ImportsPage {
            c: ctx.chrome(ctx.t.get("import.title")),
            communities,
            selected,
            imports,
            form_error,
            limit_text: ctx.t.get("import.limit").replace("{mb}", &mb.to_string()),
        },
        refused,
    ))
}

async fn imports_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    page(&s, &ctx, q.community, String::new()).await
}

/// A file sent with the upload form.
pub(super) struct Upload {
    pub(super) community_id: i64,
    pub(super) file_name: String,
    pub(super) bytes: axum::body::Bytes,
}

/// Reads the upload form (its CSRF field checked); an answer instead when the upload is
/// refused (too large, malformed, empty).
pub(super) async fn read_upload(
    s: &AppState,
    ctx: &Ctx,
    mut form: Multipart,
) -> Result<Result<Upload, Response>, PageError> {
    let (mut csrf, mut community_id, mut file_name, mut bytes) =
        (String::new(), 0i64, String::new(), axum::body::Bytes::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Ok(Err(multipart_error(s, ctx, e.status()))),
        };
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "community_id" => {
                community_id = field.text().await.unwrap_or_default().parse().unwrap_or(0)
            }
            "file" => {
                file_name = field.file_name().unwrap_or("upload").to_owned();
                match field.bytes().await {
                    Ok(b) => bytes = b,
                    Err(e) => return Ok(Err(multipart_error(s, ctx, e.status()))),
                }
            }
            _ => {}
        }
    }
    ctx.check_csrf(&csrf)?;
    if bytes.is_empty() {
        let refused = page(s, ctx, Some(community_id), ctx.t.error("empty_sheet", "")).await?;
        return Ok(Err(refused));
    }
    Ok(Ok(Upload {
        community_id,
        file_name,
        bytes,
    }))
}

/// Holds the upload and shows its preview; nothing is written until "import".
async fn upload(State(s): State<AppState>, ctx: Ctx, form: Multipart) -> PageResult {
    // Refused before the file is held: only those who import may have an upload kept.
    ctx.actor.require_import().on_page(&ctx)?;
    let u = match read_upload(&s, &ctx, form).await? {
        Ok(u) => u,
        Err(refused) => return Ok(refused),
    };
    let token = s
        .held_uploads
        .hold(ctx.actor.account_id, u.community_id, &u.file_name, u.bytes);
    let options = app::import::ImportOptions::default();
    preview::show(&s, &ctx, &token, &options).await
}

/// Starts a previewed import in the background; the browser goes to the import's page, which
/// shows the progress.
async fn start_import(
    s: &AppState,
    ctx: &Ctx,
    token: &str,
    held: held::Held,
    options: &app::import::ImportOptions,
) -> PageResult {
    match s
        .app
        .prepare_import_with(
            &ctx.actor,
            held.community_id,
            &held.file_name,
            held.bytes,
            options,
        )
        .await
    {
        Ok(prepared) => {
            let id = prepared.import_id;
            s.held_uploads.imported(token, id);
            let app = s.app.clone();
            tokio::spawn(async move {
                if let Err(e) = app.run_import(prepared, &|_| {}).await {
                    tracing::error!(import = id, error = %e, "import failed");
                }
            });
            Ok(Redirect::to(&format!("/imports/{id}")).into_response())
        }
        Err(e) => refused(s, ctx, held.community_id, e).await,
    }
}

/// A file refused by the import: the upload page again with why, when the file's content is to
/// blame; the error page otherwise.
pub(super) async fn refused(
    s: &AppState,
    ctx: &Ctx,
    community_id: i64,
    e: app::AppError,
) -> PageResult {
    if invalid(&e) {
        let message = FormErrors::from_app(&e, ctx.t).joined();
        page(s, ctx, Some(community_id), message).await
    } else {
        Err(ctx.err(e))
    }
}

/// Rows of a file that were refused, as (row, column, why) for a page.
pub(super) fn reject_rows(
    rejects: &[Reject],
    why: impl Fn(&str, &str, &str) -> String,
) -> Vec<(i64, String, String)> {
    rejects
        .iter()
        .map(|r| {
            (
                r.row_number,
                r.column_name.clone(),
                why(&r.code, &r.column_name, &r.detail),
            )
        })
        .collect()
}

fn multipart_error(s: &AppState, ctx: &Ctx, status: StatusCode) -> Response {
    let mb = s.options.max_upload_bytes / (1024 * 1024);
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ctx.t.error("payload_too_large", &mb.to_string())
    } else {
        ctx.t.error("bad_upload", "")
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    c: Chrome,
    i: Import,
    rejects: Vec<(i64, String, String)>,
    /// Totals and signature lines passed over, with their reason.
    skipped: Vec<(i64, String)>,
    /// Why the import stopped before the end, when it stopped for its rejected rows.
    stopped_text: String,
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressFragment {
    c: Chrome,
    i: Import,
}

pub(crate) fn explain(t: Tr) -> impl Fn(&str, &str, &str) -> String {
    move |code: &str, _column: &str, detail: &str| match code {
        "reasons_header" => t.get("import.reasons_header").to_owned(),
        "row" => t.get("import.row").to_owned(),
        _ => t.error(code, detail),
    }
}

async fn import_page(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let i = ctx.app.import_record(&ctx.actor, id).await.on_page(&ctx)?;
    let rejects = ctx
        .app
        .import_rejects(&ctx.actor, id, 500)
        .await
        .on_page(&ctx)?;
    let rejects = reject_rows(&rejects, explain(ctx.t));
    let skipped = ctx
        .app
        .import_skipped_rows(&ctx.actor, id, 100)
        .await
        .on_page(&ctx)?
        .into_iter()
        .map(|(n, reason)| (n, ctx.t.of("skip_reason", reason.code())))
        .collect();
    let stopped_text = if i.status == ImportStatus::TooManyRejects {
        ctx.t.get("import.stopped_for_rejects").replace(
            "{max}",
            &ctx.app.settings.imports.max_rejected_rows.to_string(),
        )
    } else {
        String::new()
    };
    Ok(render(&ImportPage {
        c: ctx.chrome(ctx.t.get("import.title")),
        i,
        rejects,
        skipped,
        stopped_text,
    }))
}

async fn progress(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let i = ctx.app.import_record(&ctx.actor, id).await.on_page(&ctx)?;
    if i.status != ImportStatus::Running {
        // Finished: reload the whole page so the rejected rows appear.
        let mut res = StatusCode::OK.into_response();
        if let Ok(v) = format!("/imports/{id}").parse() {
            res.headers_mut().insert("hx-redirect", v);
        }
        return Ok(res);
    }
    Ok(render(&ProgressFragment {
        c: ctx.chrome(""),
        i,
    }))
}

async fn rejects_xlsx(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let bytes = ctx
        .app
        .rejects_workbook(&ctx.actor, id, &explain(ctx.t))
        .await
        .on_page(&ctx)?;
    Ok(web::download(
        web::XLSX,
        &format!("rejected-rows-{id}.xlsx"),
        bytes,
    ))
}
