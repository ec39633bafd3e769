//! Reading and verifying the audit trail.

use store::audit::{self, AuditFilter, AuditNames, AuditRecord, Verification};

use crate::{Actor, App, AppResult};

/// The role recorded for what the system does on its own (scheduled jobs, command-line
/// maintenance): not a role an account can have.
pub const SYSTEM_ROLE: &str = "system";

impl App {
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        limit: u32,
    ) -> AppResult<Vec<AuditRecord>> {
        let mut conn = self.read_as(actor, actor.role.can_read_audit()).await?;
        Ok(audit::list(&mut conn, filter, limit).await?)
    }

    /// The names of what `records` are about and of who acted, for showing entries the actor
    /// has already been allowed to read (the trail, a record's history).
    pub async fn audit_names(
        &self,
        actor: &Actor,
        records: &[AuditRecord],
    ) -> AppResult<AuditNames> {
        if records.is_empty() {
            return Ok(AuditNames::default());
        }
        let mut conn = self.read_as(actor, true).await?;
        Ok(audit::names(&mut conn, records).await?)
    }

    /// Checks the whole chain; open to auditors and to the command line.
    pub async fn verify_audit(&self, actor: &Actor) -> AppResult<Verification> {
        let mut conn = self.read_as(actor, actor.role.can_read_audit()).await?;
        Ok(audit::verify(&mut conn).await?)
    }
}
