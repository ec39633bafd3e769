//! Self-report links: an unguessable token bound to one order, handed to the resident as a URL or
//! QR code. Only its SHA-256 is stored, so the link is shown once, when made; a new link revokes
//! the previous one. Submissions are rate-limited per link and per client.

use domain::health::{self, Method, masked_name};
use domain::quarantine::{self as q, Slot, State};
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::WriteTx;
use store::checks::{self as cs, Check, Link};
use store::quarantine as qs;

use super::{LINK_OBJECT, Recorded, Recorder, parse_finding, store_check};
use crate::crypto::{new_token, token_hash};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// Self-reports accepted per link in an hour: twice a day, with room for corrections.
pub const REPORTS_PER_LINK_PER_HOUR: i64 = 6;
/// Self-reports accepted per client address in an hour: a family on one connection.
pub const REPORTS_PER_CLIENT_PER_HOUR: i64 = 30;

/// A link just made; the token is shown this once.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub id: i64,
    pub token: String,
}

/// What the resident's page shows.
#[derive(Debug, Clone)]
pub struct SelfReportView {
    pub link_id: i64,
    pub order_id: i64,
    /// The first character of the name, the rest masked.
    pub masked_name: String,
    pub slot: Slot,
    /// The slot's record, when already filled: the form then corrects it.
    pub current: Option<Check>,
    /// The order's last day (ISO): no report is due after it.
    pub end_date: String,
}

/// A self-report as entered on the resident's page.
#[derive(Debug, Clone, Default)]
pub struct SelfReportInput {
    pub temperature: String,
    pub symptoms: Vec<String>,
    pub other_symptom: String,
    /// Required when the slot is already filled.
    pub correction_reason: String,
}

/// Makes a new link for an open order in `tx`, revoking its live one, audited.
pub(super) async fn replace_link(
    tx: &mut WriteTx,
    actor: &Actor,
    order: &qs::Order,
) -> AppResult<NewLink> {
    if order.state.is_final() {
        return Err(AppError::Conflict(ErrorCode::OrderClosed));
    }
    let now = store::now_ms();
    let previous = cs::live_link(tx.conn(), order.id).await?;
    if let Some(p) = &previous {
        cs::revoke_link(tx.conn(), p.id, actor.account_id, now).await?;
    }
    let token = new_token();
    let id = cs::insert_link(
        tx.conn(),
        order.id,
        &token_hash(&token),
        actor.account_id,
        now,
    )
    .await?;
    let mut a = actor.audit("self_report_link_create", LINK_OBJECT, id);
    a.community_id = Some(order.address.community_id);
    a.before = previous.map(|p| serde_json::json!({ "revoked_link_id": p.id }));
    a.after = Some(serde_json::json!({ "order_id": order.id }));
    tx.audit(a).await?;
    Ok(NewLink { id, token })
}

/// The name under which a link's actions are audited: no account, the link itself.
fn link_actor(link: &Link) -> Actor {
    Actor {
        account_id: 0,
        username: format!("self_report_link:{}", link.id),
        display_name: String::new(),
        role: domain::access::Role::Admin,
        jurisdiction: domain::access::Jurisdiction::ALL,
        language: String::new(),
    }
}

impl App {
    /// Makes a new self-report link for an open order, revoking the previous one.
    pub async fn create_self_report_link(
        &self,
        actor: &Actor,
        order_id: i64,
    ) -> AppResult<NewLink> {
        let mut tx = self.write_as(actor, q::can_manage(actor.role)).await?;
        let order = qs::order(tx.conn(), &actor.jurisdiction, order_id).await?;
        let link = replace_link(&mut tx, actor, &order).await?;
        tx.commit().await?;
        Ok(link)
    }

    /// Revokes the order's live link; the resident's page then says it no longer works.
    pub async fn revoke_self_report_link(&self, actor: &Actor, order_id: i64) -> AppResult<i64> {
        let mut tx = self.write_as(actor, q::can_manage(actor.role)).await?;
        let order = qs::order(tx.conn(), &actor.jurisdiction, order_id).await?;
        let Some(link) = cs::live_link(tx.conn(), order_id).await? else {
            return Err(AppError::Conflict(ErrorCode::NoLiveLink));
        };
        cs::revoke_link(tx.conn(), link.id, actor.account_id, store::now_ms()).await?;
        let mut a = actor.audit("self_report_link_revoke", LINK_OBJECT, link.id);
        a.community_id = Some(order.address.community_id);
        a.after = Some(serde_json::json!({ "order_id": order_id }));
        tx.commit_audited(a).await?;
        Ok(link.id)
    }

    /// The order's live link (without its token), if any.
    pub async fn self_report_link(&self, actor: &Actor, order_id: i64) -> AppResult<Option<Link>> {
        let mut conn = self
            .read_as(actor, health::can_read_checks(actor.role))
            .await?;
        qs::order(&mut conn, &actor.jurisdiction, order_id).await?;
        Ok(cs::live_link(&mut conn, order_id).await?)
    }

    /// The link of a token, refused when unknown (not found), revoked (`link_revoked`) or its
    /// order no longer open (`order_ended`) or not yet started (`order_not_started`).
    async fn live_link_of(
        &self,
        conn: &mut store::Conn,
        token: &str,
    ) -> AppResult<(Link, qs::Order)> {
        let token = token.trim();
        if !crate::crypto::plausible_token(token) {
            return Err(AppError::NotFound);
        }
        let link = cs::link_by_hash(conn, &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)?;
        if link.revoked_at.is_some() {
            return Err(AppError::Conflict(ErrorCode::LinkRevoked));
        }
        let order = qs::order(conn, &domain::access::Jurisdiction::ALL, link.order_id).await?;
        match order.state {
            State::Active => Ok((link, order)),
            State::Planned => Err(AppError::Conflict(ErrorCode::OrderNotStarted)),
            _ => Err(AppError::Conflict(ErrorCode::OrderEnded)),
        }
    }

    /// What the resident's page shows for a token at `now`.
    pub async fn self_report_view(&self, token: &str, now: Timestamp) -> AppResult<SelfReportView> {
        let mut conn = self.db.conn().await?;
        let (link, order) = self.live_link_of(&mut conn, token).await?;
        let slot = self.current_slot(now);
        let current =
            cs::current_check(&mut conn, order.id, &slot.date.to_string(), slot.part).await?;
        Ok(SelfReportView {
            link_id: link.id,
            order_id: order.id,
            masked_name: masked_name(&order.resident_name),
            slot,
            current,
            end_date: order.end_date,
        })
    }

    /// Records a resident's self-report for the slot of `now`, from client address `client`.
    pub async fn submit_self_report(
        &self,
        token: &str,
        input: &SelfReportInput,
        client: &str,
        now: Timestamp,
    ) -> AppResult<Recorded> {
        let mut e = FieldErrors::new();
        let parsed = parse_finding(
            &input.temperature,
            &input.symptoms,
            &input.other_symptom,
            &input.correction_reason,
            &mut e,
        );
        let mut tx = self.db.write().await?;
        let (link, order) = self.live_link_of(tx.conn(), token).await?;
        let now_ms = now.as_millisecond();
        let since = now_ms - 3_600_000;
        if cs::link_reports_since(tx.conn(), link.id, since).await? >= REPORTS_PER_LINK_PER_HOUR
            || cs::client_reports_since(tx.conn(), client, since).await?
                >= REPORTS_PER_CLIENT_PER_HOUR
        {
            return Err(AppError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        e.into_result()?;
        let Some(parsed) = parsed else {
            return Err(AppError::Internal("parse state".to_owned()));
        };
        let recorder = Recorder {
            method: Method::SelfReport,
            account_id: None,
            // Shown translated as "resident, through the link" from the method.
            name: "resident",
            link_id: Some(link.id),
        };
        let slot = self.current_slot(now);
        let (recorded, audit) =
            store_check(&mut tx, &order, slot, &parsed, &recorder, now_ms).await?;
        cs::record_submission(tx.conn(), link.id, client, now_ms).await?;
        let resident = link_actor(&link);
        let mut a = resident.audit(audit.action, super::CHECK_OBJECT, recorded.check_id);
        a.role = "resident".to_owned();
        let a = audit.entry(a, &order, &parsed);
        self.commit_check(tx, &resident, a, &recorded).await?;
        Ok(recorded)
    }
}
