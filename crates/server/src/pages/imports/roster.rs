//! The roster upload: a list of grids, buildings and units, previewed (what the community
//! lacks and would be created), then imported in one transaction.

use app::import::StructureOutcome;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use serde::Deserialize;

use super::{page, read_upload, refused, reject_rows};
use crate::AppState;
use crate::web::{Chrome, Ctx, Form, OnPage, PageResult, render};

#[derive(Template)]
#[template(path = "import_structure.html")]
struct RosterPage {
    c: Chrome,
    file_name: String,
    /// Empty once imported.
    token: String,
    out: StructureOutcome,
    problems: Vec<(i64, String, String)>,
}

fn show(ctx: &Ctx, file_name: &str, token: &str, out: StructureOutcome) -> Response {
    let problems = reject_rows(&out.problems, |code, _, detail| ctx.t.error(code, detail));
    render(&RosterPage {
        c: ctx.chrome(ctx.t.get("roster.title")),
        file_name: file_name.to_owned(),
        token: token.to_owned(),
        problems,
        out,
    })
}

/// Holds the roster and shows what importing it would create.
pub(super) async fn upload(State(s): State<AppState>, ctx: Ctx, form: Multipart) -> PageResult {
    // Refused before the file is held: only those who shape the structure may have it kept.
    if !ctx.actor.role.can_edit_structure() {
        return Err(ctx.err(app::AppError::Forbidden));
    }
    let u = match read_upload(&s, &ctx, form).await? {
        Ok(u) => u,
        Err(refused) => return Ok(refused),
    };
    let result = s
        .app
        .import_structure(
            &ctx.actor,
            u.community_id,
            &u.file_name,
            u.bytes.clone(),
            false,
        )
        .await;
    match result {
        Ok(out) => {
            let token =
                s.held_uploads
                    .hold(ctx.actor.account_id, u.community_id, &u.file_name, u.bytes);
            Ok(show(&ctx, &u.file_name, &token, out))
        }
        Err(e) => refused(&s, &ctx, u.community_id, e).await,
    }
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    token: String,
}

/// Imports a previewed roster, once: a second click finds it imported.
pub(super) async fn confirm(
    State(s): State<AppState>,
    ctx: Ctx,
    Form(f): Form<ConfirmForm>,
) -> PageResult {
    let Some(held) = s.held_uploads.get(&f.token, ctx.actor.account_id) else {
        return page(&s, &ctx, None, ctx.t.get("import.upload_again").to_owned()).await;
    };
    if held.imported.is_some() {
        return page(
            &s,
            &ctx,
            Some(held.community_id),
            ctx.t.get("roster.already").to_owned(),
        )
        .await;
    }
    // Marked first, so a second click that arrives meanwhile does not import it again.
    s.held_uploads.imported(&f.token, 0);
    let out = s
        .app
        .import_structure(
            &ctx.actor,
            held.community_id,
            &held.file_name,
            held.bytes,
            true,
        )
        .await
        .on_page(&ctx)?;
    Ok(show(&ctx, &held.file_name, "", out))
}
