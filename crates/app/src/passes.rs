//! Checkpoint passes (C4): the keys that sign them and the set a gate verifies them with.

use store::passes as stored;

use crate::{Actor, App, AppError, AppResult};

impl App {
    /// The public keys of every version of the pass signing key, newest first: a gate verifies
    /// with them, with no network, passes signed before and after a rotation alike.
    pub async fn pass_keys(&self) -> AppResult<passes::KeySet> {
        let mut conn = self.db.conn().await?;
        let versions = stored::key_versions(&mut conn).await?;
        Ok(passes::KeySet::new(
            versions
                .iter()
                .rev()
                .map(|v| self.crypto.pass_signing_key(*v).verifying_key())
                .collect(),
        ))
    }

    /// The key new passes are signed with: the newest version.
    pub async fn pass_signing_key(&self) -> AppResult<passes::SigningKey> {
        let mut conn = self.db.conn().await?;
        let newest = stored::key_versions(&mut conn)
            .await?
            .last()
            .copied()
            .ok_or_else(|| AppError::Internal("no pass signing key".to_owned()))?;
        Ok(self.crypto.pass_signing_key(newest))
    }

    /// Starts signing new passes with a new version of the key (an administrator's act,
    /// audited); passes signed before keep verifying.
    pub async fn rotate_pass_key(&self, actor: &Actor) -> AppResult<i64> {
        let mut tx = self
            .write_as(actor, actor.role.can_manage_accounts())
            .await?;
        let version = stored::add_key_version(tx.conn()).await?;
        let key_id = self.crypto.pass_signing_key(version).verifying_key();
        let mut e = actor.audit("pass_key_rotate", "pass_key", version);
        e.after = Some(serde_json::json!({
            "version": version,
            "key_id": key_id.key_id().iter().map(|b| format!("{b:02x}")).collect::<String>(),
        }));
        tx.commit_audited(e).await?;
        Ok(version)
    }
}
