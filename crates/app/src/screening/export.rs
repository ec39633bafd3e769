//! The three registers of a campaign's households, exported to xlsx.

use domain::page::PageRequest;
use domain::registry::TravelStatus;
use domain::screening as sc;
use store::registry as reg;
use store::screening as ss;

use crate::error::code_in;
use crate::registry::{DOCUMENT_CONTEXT, mask_phone};
use crate::{Actor, App, AppError, AppResult};

use super::{OBJECT_TYPE, reach_of};

impl App {
    /// One register of the campaign's households as xlsx: residents who did not leave the
    /// city, who returned from elsewhere, or who have not yet returned. ID numbers are masked
    /// unless an unmasking role asks otherwise; either way the export is audited.
    pub async fn export_screening_register(
        &self,
        actor: &Actor,
        campaign_id: i64,
        register: &str,
        unmasked: bool,
    ) -> AppResult<Vec<u8>> {
        actor.require(sc::can_read(actor.role) && actor.role.can_export())?;
        if unmasked {
            actor.require(actor.role.can_unmask())?;
        }
        let status = code_in(
            "register",
            "unknown_travel_status",
            register,
            TravelStatus::from_code,
        )?;
        let c = self.campaign_with_newcomers(actor, campaign_id).await?;
        let mut conn = self.db.conn().await?;
        let headers: Vec<String> = REGISTER_HEADERS.iter().map(|s| (*s).to_owned()).collect();
        let mut rows = Vec::new();
        let mut after = None;
        loop {
            let page = ss::register(
                &mut conn,
                &actor.jurisdiction,
                reach_of(actor),
                campaign_id,
                c.community_id,
                status,
                PageRequest::new(after, Some(500)),
            )
            .await?;
            for r in &page.items {
                let (document, phone) = if unmasked {
                    let sealed =
                        reg::sealed_document(&mut conn, &actor.jurisdiction, r.resident_id).await?;
                    (
                        self.crypto.open(DOCUMENT_CONTEXT, &sealed)?,
                        r.phone.clone().unwrap_or_default(),
                    )
                } else {
                    (
                        r.document_masked.clone(),
                        r.phone.as_deref().map(mask_phone).unwrap_or_default(),
                    )
                };
                rows.push(vec![
                    r.name.clone(),
                    r.document_kind.code().to_owned(),
                    document,
                    phone,
                    r.grid_name.clone(),
                    r.building_name.clone(),
                    r.unit_name.clone(),
                    r.room.clone(),
                    r.travel_status.code().to_owned(),
                    crate::registry::origin_label(r.travel_origin.as_deref()),
                    r.returned_on.clone().unwrap_or_default(),
                    r.household_state.code().to_owned(),
                ]);
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        drop(conn);
        let tx = self.db.write().await?;
        let mut a = actor.audit(
            &crate::registry::export::export_action("screening_export", unmasked),
            OBJECT_TYPE,
            campaign_id,
        );
        a.community_id = Some(c.community_id);
        a.after = Some(
            serde_json::json!({ "register": status.code(), "rows": rows.len(), "format": "xlsx" }),
        );
        tx.commit_audited(a).await?;
        sheets::write_xlsx(status.code(), &headers, &rows)
            .map_err(|e| AppError::Internal(format!("xlsx export failed: {e}")))
    }
}

/// Column headers of the register exports, in the registry's words.
pub const REGISTER_HEADERS: [&str; 12] = [
    "姓名",
    "证件类型",
    "证件号码",
    "联系电话",
    "网格",
    "楼栋",
    "单元",
    "房号",
    "出行登记",
    "来源地",
    "返回日期",
    "排查状态",
];
