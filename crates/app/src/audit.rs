//! Reading and verifying the audit trail.

use store::audit::{self, AuditFilter, AuditRecord, Verification};

use crate::{Actor, App, AppResult};

impl App {
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        limit: u32,
    ) -> AppResult<Vec<AuditRecord>> {
        actor.require(actor.role.can_read_audit())?;
        let mut conn = self.db.conn().await?;
        Ok(audit::list(&mut conn, filter, limit).await?)
    }

    /// Checks the whole chain; open to auditors and to the command line.
    pub async fn verify_audit(&self, actor: &Actor) -> AppResult<Verification> {
        actor.require(actor.role.can_read_audit())?;
        let mut conn = self.db.conn().await?;
        Ok(audit::verify(&mut conn).await?)
    }
}
