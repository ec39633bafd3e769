//! The audit trail: read newest first, and its hash chain verified.

use serde::{Deserialize, Serialize};
use store::audit::AuditFilter;
use utoipa::{IntoParams, ToSchema};

use super::extract::{Json, Query};
use super::{ApiCtx, ApiResult};
use crate::AppState;
use crate::api::api_shape;
use crate::api::paths;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    paths!(audit; audit_verify)
}

#[derive(Deserialize, IntoParams)]
pub struct AuditParams {
    pub action: Option<String>,
    pub account: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Newest first: continue before this sequence number.
    pub before: Option<i64>,
    #[serde(default, deserialize_with = "crate::api::extract::audit_limit")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

api_shape! {
    // Not the stored record: the account id, community and previous hash stay out of the API.
    AuditEntryDto from r: store::audit::AuditRecord {
        seq: i64,
        at: i64,
        account_name: String,
        role: String,
        action: String,
        object_type: String,
        object_id: String,
        before: Option<String>,
        after: Option<String>,
        reason: Option<String>,
        hash: String,
    }
}

#[derive(Serialize, ToSchema)]
pub struct VerificationDto {
    pub entries: i64,
    pub intact: bool,
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

#[utoipa::path(get, path = "/audit", params(AuditParams), responses((status = 200, body = Vec<AuditEntryDto>)))]
async fn audit(ctx: ApiCtx, Query(p): Query<AuditParams>) -> ApiResult<Json<Vec<AuditEntryDto>>> {
    let f = AuditFilter {
        action: p.action,
        account_name: p.account,
        object_type: p.object_type,
        object_id: p.object_id,
        before_seq: p.before,
        ..Default::default()
    };
    let list = ctx
        .app
        .audit_trail(&ctx.actor, &f, p.limit.unwrap_or(100).min(1000))
        .await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[utoipa::path(get, path = "/audit/verify", responses((status = 200, body = VerificationDto)))]
async fn audit_verify(ctx: ApiCtx) -> ApiResult<Json<VerificationDto>> {
    let v = ctx.app.verify_audit(&ctx.actor).await?;
    Ok(Json(VerificationDto {
        entries: v.entries,
        intact: v.broken_at.is_none(),
        broken_at: v.broken_at.as_ref().map(|b| b.0),
        reason: v.broken_at.map(|b| b.1),
    }))
}
