//! One's own notifications: listed newest first, each marked read when opened. Nobody reads
//! another's: an id of someone else's notification is not found.

use std::collections::BTreeMap;

use app::notifications::Notice;
use domain::notifications::Kind;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiCtx, ApiResult, ErrorBody};
use crate::AppState;
use crate::api::extract::{Json, Path, Query};
use crate::api::{ApiPage, api_page, page_params, paths};
use crate::i18n::{Lang, Tr};
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(notifications; read_notification; read_all_notifications)
}

#[derive(Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    pub kind: Kind,
    /// The object type of what it concerns (`check_alert`, `delivery_task`, `complaint`, ...).
    pub subject_type: String,
    pub subject_id: i64,
    /// The names and places the text is made of.
    pub params: BTreeMap<String, String>,
    /// The text in the account's language.
    pub text: String,
    /// The page of the web interface it opens.
    pub link: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// When it was read; absent while unread.
    pub read_at: Option<i64>,
}

fn dto(t: Tr, n: Notice) -> NotificationDto {
    NotificationDto {
        text: crate::pages::notifications::notice_text(t, &n),
        params: n
            .params
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        id: n.n.id,
        kind: n.n.kind,
        subject_type: n.n.subject_type,
        subject_id: n.n.subject_id,
        link: n.link,
        created_at: n.n.created_at,
        read_at: n.n.read_at,
    }
}

fn reader(ctx: &ApiCtx) -> Tr {
    Tr::new(Lang::from_code(&ctx.actor.language).unwrap_or_default())
}

api_page!(NotificationPage of NotificationDto,
    /// Pass as `after` for the next (older) page; absent on the last page.
    next);

/// A page of notifications with the caller's unread count.
#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    #[serde(flatten)]
    pub page: NotificationPage,
    /// The caller's unread notifications, all pages together.
    pub unread: i64,
}

page_params! {
    /// Which of one's notifications to list.
    NotificationParams {
        /// Only the unread ones.
        #[serde(default)]
        unread: Option<bool>,
    },
    /// The id of the last notification of the previous page.
    after
}

/// The caller's own notifications, newest first.
#[utoipa::path(get, path = "/notifications", params(NotificationParams), responses((status = 200, body = NotificationList)))]
async fn notifications(
    ctx: ApiCtx,
    Query(p): Query<NotificationParams>,
) -> ApiResult<Json<NotificationList>> {
    let page = ctx
        .app
        .my_notifications(&ctx.actor, p.unread.unwrap_or(false), p.page())
        .await?;
    let unread = ctx.app.unread_notifications(&ctx.actor).await?;
    let t = reader(&ctx);
    let items = page.items.into_iter().map(|n| dto(t, n)).collect();
    Ok(Json(NotificationList {
        page: NotificationPage::new(items, page.next),
        unread,
    }))
}

/// Marks one of the caller's notifications read and returns it; another's is not found.
#[utoipa::path(post, path = "/notifications/{id}/read", params(("id" = i64, Path)), responses((status = 200, body = NotificationDto), (status = 404, body = ErrorBody)))]
async fn read_notification(ctx: ApiCtx, Path(id): Path<i64>) -> ApiResult<Json<NotificationDto>> {
    let n = ctx.app.open_notification(&ctx.actor, id).await?;
    let mut d = dto(reader(&ctx), n);
    d.read_at = d.read_at.or(Some(store::now_ms()));
    Ok(Json(d))
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread.
    pub marked: u64,
}

/// Marks every unread notification of the caller read.
#[utoipa::path(post, path = "/notifications/read", responses((status = 200, body = MarkedRead)))]
async fn read_all_notifications(ctx: ApiCtx) -> ApiResult<Json<MarkedRead>> {
    let marked = ctx.app.mark_all_notifications_read(&ctx.actor).await?;
    Ok(Json(MarkedRead { marked }))
}
