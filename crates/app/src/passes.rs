//! Checkpoint passes (C4): the keys that sign them and the set a gate verifies them with, the
//! passes themselves ([`issue`]), their codes and personal links, the revocation list a gate
//! caches, and their suspension while their household is sealed ([`seal`]).

pub mod issue;
mod seal;

use domain::checkpoint as cp;
use domain::page::{Page, PageRequest};
use store::passes::{self as stored, NotLive, Pass, PassFilter};

use crate::crypto::{new_token, token_hash};
use crate::{Actor, App, AppError, AppResult};

pub use seal::SUBSCRIBERS;

pub(crate) const OBJECT_TYPE: &str = "pass";

/// How long a server keeps the key versions it read: a rotation made on another server is
/// seen within this time (and at once on the server that made it).
const KEY_CACHE: std::time::Duration = std::time::Duration::from_secs(60);

/// The versions of the pass signing key as last read, and when; and the public keys of those
/// versions, derived once rather than at every scan.
#[derive(Debug, Default)]
pub struct KeyCache {
    versions: std::sync::RwLock<Option<(std::time::Instant, Vec<i64>)>>,
    keys: std::sync::RwLock<Option<(Vec<i64>, std::sync::Arc<passes::KeySet>)>>,
}

impl KeyCache {
    fn fresh(&self) -> Option<Vec<i64>> {
        let kept = self.versions.read().ok()?;
        kept.as_ref()
            .filter(|(at, _)| at.elapsed() < KEY_CACHE)
            .map(|(_, v)| v.clone())
    }

    fn keep(&self, versions: Vec<i64>) {
        if let Ok(mut kept) = self.versions.write() {
            *kept = Some((std::time::Instant::now(), versions));
        }
    }

    fn forget(&self) {
        if let Ok(mut kept) = self.versions.write() {
            *kept = None;
        }
    }

    /// The key set of exactly these versions, when derived before.
    fn keys_of(&self, versions: &[i64]) -> Option<std::sync::Arc<passes::KeySet>> {
        let kept = self.keys.read().ok()?;
        kept.as_ref()
            .filter(|(v, _)| v == versions)
            .map(|(_, k)| k.clone())
    }

    fn keep_keys(&self, versions: Vec<i64>, keys: std::sync::Arc<passes::KeySet>) {
        if let Ok(mut kept) = self.keys.write() {
            *kept = Some((versions, keys));
        }
    }
}

/// A community's revocation list as a gate caches it.
#[derive(Debug, Clone, PartialEq)]
pub struct Revocations {
    /// Changes whenever a pass of the community changes state.
    pub version: i64,
    pub not_live: Vec<NotLive>,
}

impl App {
    /// The versions of the pass signing key, oldest first: read once a minute, not per scan.
    async fn key_versions(&self) -> AppResult<Vec<i64>> {
        if let Some(v) = self.pass_key_cache.fresh() {
            return Ok(v);
        }
        let mut conn = self.db.conn().await?;
        let versions = stored::key_versions(&mut conn).await?;
        self.pass_key_cache.keep(versions.clone());
        Ok(versions)
    }

    /// The public keys of every version of the pass signing key, newest first: a gate verifies
    /// with them, with no network, passes signed before and after a rotation alike.
    pub async fn pass_keys(&self) -> AppResult<std::sync::Arc<passes::KeySet>> {
        let versions = self.key_versions().await?;
        if let Some(keys) = self.pass_key_cache.keys_of(&versions) {
            return Ok(keys);
        }
        let keys = std::sync::Arc::new(passes::KeySet::new(
            versions
                .iter()
                .rev()
                .map(|v| self.crypto.pass_signing_key(*v).verifying_key())
                .collect(),
        ));
        self.pass_key_cache.keep_keys(versions, keys.clone());
        Ok(keys)
    }

    /// The key new passes are signed with: the newest version.
    pub async fn pass_signing_key(&self) -> AppResult<passes::SigningKey> {
        let newest = self
            .key_versions()
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
        self.pass_key_cache.forget();
        Ok(version)
    }
}

impl App {
    pub async fn passes(
        &self,
        actor: &Actor,
        filter: &PassFilter,
        page: PageRequest,
    ) -> AppResult<Page<Pass>> {
        let mut conn = self.read_as(actor, cp::can_view_passes(actor.role)).await?;
        Ok(stored::list_passes(&mut conn, &actor.jurisdiction, filter, page).await?)
    }

    pub async fn pass(&self, actor: &Actor, id: i64) -> AppResult<Pass> {
        let mut conn = self.read_as(actor, cp::can_view_passes(actor.role)).await?;
        Ok(stored::pass(&mut conn, &actor.jurisdiction, id).await?)
    }

    /// The code a pass's QR holds, signed with the newest key: the same pass gives the same
    /// code until the key is rotated.
    pub async fn pass_code(&self, actor: &Actor, id: i64) -> AppResult<String> {
        let p = self.pass(actor, id).await?;
        self.sign_pass(&p).await
    }

    pub(crate) async fn sign_pass(&self, p: &Pass) -> AppResult<String> {
        let mut conn = self.db.conn().await?;
        let gates = store::gates::gates_for_building(&mut conn, p.address.building_id).await?;
        drop(conn);
        let claims = passes::PassClaims {
            issuer: self.settings.gates.issuer.clone(),
            issued_at: p.issued_at.div_euclid(1000),
            expires_at: p.expires_at.div_euclid(1000),
            pass_id: p.id,
            kind: match p.kind {
                cp::PassKind::Household => passes::PassKind::Household,
                cp::PassKind::Commuter => passes::PassKind::Commuter,
                cp::PassKind::Vehicle => passes::PassKind::Vehicle,
            },
            household_id: p.address.household_id,
            gates,
            quota: passes::Quota {
                exits: u32::try_from(p.quota_exits).unwrap_or(0),
                days: u32::try_from(p.quota_days).unwrap_or(1),
            },
            colour: p.kind.colour().to_owned(),
        };
        let key = self.pass_signing_key().await?;
        passes::issue(&claims, &key).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Makes the resident's personal link to a pass, shown once; a new link replaces the old.
    pub async fn create_pass_link(&self, actor: &Actor, id: i64) -> AppResult<String> {
        let mut tx = self
            .write_as(actor, cp::can_issue_passes(actor.role))
            .await?;
        let p = stored::pass(tx.conn(), &actor.jurisdiction, id).await?;
        let token = new_token();
        stored::set_link_hash(tx.conn(), id, &token_hash(&token)).await?;
        let mut a = actor.audit("pass_link_create", OBJECT_TYPE, id);
        a.community_id = Some(p.address.community_id);
        tx.commit_audited(a).await?;
        Ok(token)
    }

    /// The pass a resident's personal link opens, with its code; `NotFound` for any token
    /// that opens none.
    pub async fn pass_by_link(&self, token: &str) -> AppResult<(Pass, String)> {
        let token = token.trim();
        if !crate::crypto::plausible_token(token) {
            return Err(AppError::NotFound);
        }
        let mut conn = self.db.conn().await?;
        let p = stored::pass_by_link(&mut conn, &token_hash(token)).await?;
        drop(conn);
        let code = self.sign_pass(&p).await?;
        Ok((p, code))
    }

    /// The revocation list of a gate's community, for a gate to verify with no network.
    pub async fn revocations(&self, actor: &Actor, gate_id: i64) -> AppResult<Revocations> {
        let mut conn = self.db.conn().await?;
        let gate = self
            .gate_kept_by(&mut conn, actor, gate_id, store::now_ms())
            .await?;
        let (version, not_live) =
            stored::revocations(&mut conn, gate.community_id, store::now_ms()).await?;
        Ok(Revocations { version, not_live })
    }
}
