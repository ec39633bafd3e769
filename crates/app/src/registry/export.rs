//! Residents out of the registry as a spreadsheet, in the words imports accept.

use domain::access::Jurisdiction;
use domain::page::PageRequest;
use store::registry as reg;

use super::{DOCUMENT_CONTEXT, ResidentQuery, mask_phone};
use crate::{Actor, App, AppError, AppResult};

impl App {
    /// Exports the residents of the actor's jurisdiction matching the query, masked unless an
    /// unmasking role asks otherwise (and that is audited).
    pub async fn export_residents(
        &self,
        actor: &Actor,
        q: &ResidentQuery,
        format: ExportFormat,
        unmasked: bool,
    ) -> AppResult<Vec<u8>> {
        actor.require(actor.role.can_export())?;
        if unmasked {
            actor.require(actor.role.can_unmask())?;
        }
        let filter = self.resident_filter(q);
        let headers: Vec<String> = EXPORT_HEADERS.iter().map(|s| (*s).to_owned()).collect();
        let mut rows = Vec::new();
        let mut after = None;
        let mut conn = self.db.conn().await?;
        loop {
            let page = reg::list_residents(
                &mut conn,
                &actor.jurisdiction,
                &filter,
                PageRequest::new(after, Some(500)),
            )
            .await?;
            for r in &page.items {
                let document = if unmasked {
                    let sealed = reg::sealed_document(&mut conn, &actor.jurisdiction, r.id).await?;
                    self.crypto.open(DOCUMENT_CONTEXT, &sealed)?
                } else {
                    r.particulars.document_masked.clone()
                };
                let phone = match (&r.particulars.phone, unmasked) {
                    (Some(p), true) => p.clone(),
                    (Some(p), false) => mask_phone(p),
                    (None, _) => String::new(),
                };
                rows.push(vec![
                    r.particulars.name.clone(),
                    r.particulars.document_kind.code().to_owned(),
                    document,
                    r.particulars
                        .sex
                        .map(|s| s.code().to_owned())
                        .unwrap_or_default(),
                    r.particulars.birth_date.clone().unwrap_or_default(),
                    phone,
                    r.address.building_name.clone(),
                    r.address.unit_name.clone(),
                    r.address.room.clone(),
                    r.particulars.hukou.code().to_owned(),
                    r.particulars.tenure.code().to_owned(),
                    r.particulars.travel_status.code().to_owned(),
                    r.particulars.travel_origin.clone().unwrap_or_default(),
                    r.particulars.returned_on.clone().unwrap_or_default(),
                    domain::registry::Vulnerabilities(
                        u8::try_from(r.particulars.vulnerabilities).unwrap_or(0),
                    )
                    .list()
                    .iter()
                    .map(|v| v.code())
                    .collect::<Vec<_>>()
                    .join(","),
                    r.particulars.notes.clone(),
                ]);
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        drop(conn);
        let mut a = actor.audit(
            &export_action("resident_export", unmasked),
            "residents",
            scope_label(&actor.jurisdiction),
        );
        a.after = Some(serde_json::json!({ "rows": rows.len(), "format": format.extension() }));
        self.db.write().await?.commit_audited(a).await?;
        match format {
            ExportFormat::Csv => {
                // A cell a spreadsheet would run as a formula is written as text.
                for cell in rows.iter_mut().flatten() {
                    if cell.starts_with(['=', '+', '-', '@']) {
                        cell.insert(0, '\'');
                    }
                }
                Ok(sheets::write_csv(&headers, &rows))
            }
            ExportFormat::Xlsx => sheets::write_xlsx("residents", &headers, &rows)
                .map_err(|e| AppError::Internal(format!("xlsx export failed: {e}"))),
        }
    }
}

fn scope_label(j: &Jurisdiction) -> String {
    format!("{}:{}", j.level.code(), j.id)
}

/// An export's audit action: what was exported, and whether its numbers were shown whole.
pub(crate) fn export_action(exported: &str, unmasked: bool) -> String {
    if unmasked {
        format!("{exported}_unmasked")
    } else {
        exported.to_owned()
    }
}

/// Column headers of exports, in the same words imports accept, so an export re-imports as is.
pub const EXPORT_HEADERS: [&str; 16] = [
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "联系电话",
    "楼栋",
    "单元",
    "房号",
    "户籍",
    "产权",
    "出行登记",
    "来源地",
    "返回日期",
    "重点人群",
    "备注",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }
}
