//! Signing in and out, sessions, API tokens, and the limit on failed logins.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use domain::access::{Jurisdiction, signin};
use store::accounts::throttle::{self, Scope, Throttle};
use store::accounts::tokens::{self, ApiToken};
use store::accounts::{self, Account};

use crate::crypto::{new_token, token_hash, verify_password};
use crate::jobs::{Job, daily_periods};
use crate::{Actor, App, AppError, AppResult};

/// How long a server keeps the actor behind a bearer token it looked up: a gate's device sends
/// its scans with one token, and the look-up was a statement and a connection of each scan.
/// A token revoked, or an account changed, through this server is forgotten at once (that
/// account's tokens only); through another server or the command line it stops working within
/// this time.
const BEARER_KEPT: Duration = Duration::from_secs(10);
/// Tokens kept at most; past it the cache starts again empty, so memory stays bounded.
const BEARERS_KEPT_MAX: usize = 10_000;

/// The actors of bearer tokens recently looked up, by the token's hash.
#[derive(Debug, Default)]
pub struct BearerCache(Mutex<HashMap<String, (Instant, Actor)>>);

impl BearerCache {
    fn fresh(&self, hash: &str) -> Option<Actor> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(hash)
            .filter(|(at, _)| at.elapsed() < BEARER_KEPT)
            .map(|(_, actor)| actor.clone())
    }

    fn keep(&self, hash: String, actor: Actor) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= BEARERS_KEPT_MAX {
            kept.clear();
        }
        kept.insert(hash, (Instant::now(), actor));
    }

    /// Forgets the tokens of one account: after a revocation or a change of it. The other
    /// accounts' devices keep theirs.
    pub(crate) fn forget(&self, account_id: i64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, (_, actor)| actor.account_id != account_id);
    }
}

/// A new session: the token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub expires_at_ms: i64,
}

pub(crate) fn actor_of(a: &Account) -> Actor {
    Actor {
        account_id: a.id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role: a.role,
        jurisdiction: Jurisdiction::new(a.level, a.scope_id),
        language: a.language.clone(),
    }
}

impl App {
    /// Checks a password and opens a session. Failures are counted per (username, client) and
    /// per client; past a few, that key waits, longer after each further failure. A refused
    /// attempt is counted, and audited once per wait, never once per request.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> AppResult<NewSession> {
        let username = username.trim();
        let s = &self.settings;
        let now = store::now_ms();
        let mut conn = self.db.conn().await?;
        let keys = [(Scope::User, username), (Scope::Client, "")];
        let mut counts = [None, None];
        for (i, (scope, name)) in keys.iter().enumerate() {
            counts[i] = throttle::throttle(&mut conn, *scope, name, client).await?;
        }
        if let Some((i, blocked_until)) = counts
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (i, t.blocked_until)))
            .filter(|(_, until)| *until > now)
            .max_by_key(|(_, until)| *until)
        {
            drop(conn);
            let (scope, name) = keys[i];
            let mut tx = self.db.write().await?;
            if throttle::count_refusal(tx.conn(), scope, name, client).await? {
                let mut e = Actor::system().audit("login_rate_limited", "account", username);
                e.account_name = username.to_owned();
                e.role = String::new();
                e.after = Some(serde_json::json!({
                    "client": client,
                    "limit": if scope == Scope::User { "username_and_client" } else { "client" },
                    "until_ms": blocked_until,
                }));
                tx.audit(e).await?;
            }
            tx.commit().await?;
            return Err(AppError::RateLimited {
                retry_after_secs: ((blocked_until - now) + 999) / 1000,
            });
        }
        let account = accounts::account_by_username(&mut conn, username).await?;
        drop(conn);
        // Verify against a fixed hash when the account is unknown, so timing does not reveal it.
        let ok = match &account {
            Some(a) if a.active => verify_password(password, &a.password_hash),
            _ => {
                verify_password(password, DUMMY_HASH);
                false
            }
        };
        let mut tx = self.db.write().await?;
        let refused_before: i64 = counts.iter().flatten().map(|t| t.refused).sum();
        let account = match (ok, account) {
            (true, Some(a)) => a,
            (_, account) => {
                let window_ms = s.login_window_minutes * 60_000;
                let free = [s.login_failures_per_user, s.login_failures_per_client];
                for (i, (scope, name)) in keys.iter().enumerate() {
                    let failures = match counts[i] {
                        Some(t) if now - t.last_failure_at <= window_ms => t.failures + 1,
                        _ => 1,
                    };
                    let delay = signin::login_delay_secs(failures, free[i], window_ms / 1000);
                    let t = Throttle {
                        failures,
                        last_failure_at: now,
                        blocked_until: if delay > 0 { now + delay * 1000 } else { 0 },
                        refused: 0,
                    };
                    throttle::set_failures(tx.conn(), *scope, name, client, &t).await?;
                }
                let mut e = Actor::system().audit("login_failed", "account", username);
                e.account_id = account.as_ref().map(|a| a.id);
                e.account_name = username.to_owned();
                e.role = account
                    .map(|a| a.role.code().to_owned())
                    .unwrap_or_default();
                e.after = Some(if refused_before > 0 {
                    serde_json::json!({ "client": client, "refused_while_waiting": refused_before })
                } else {
                    serde_json::json!({ "client": client })
                });
                tx.commit_audited(e).await?;
                return Err(AppError::Unauthenticated);
            }
        };
        if counts[0].is_some() {
            throttle::clear(tx.conn(), Scope::User, username, client).await?;
        }
        let actor = actor_of(&account);
        let token = new_token();
        let csrf_token = new_token();
        let expires_at_ms = now + s.session_hours * 3_600_000;
        accounts::insert_session(
            tx.conn(),
            &token_hash(&token),
            account.id,
            &csrf_token,
            expires_at_ms,
        )
        .await?;
        let mut e = actor.audit("login", "account", account.id);
        e.after = Some(if refused_before > 0 {
            serde_json::json!({ "client": client, "refused_while_waiting": refused_before })
        } else {
            serde_json::json!({ "client": client })
        });
        tx.commit_audited(e).await?;
        Ok(NewSession {
            token,
            csrf_token,
            actor,
            expires_at_ms,
        })
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let mut conn = self.db.conn().await?;
        accounts::delete_session(&mut conn, &token_hash(token)).await?;
        Ok(())
    }

    /// The actor and CSRF token behind a session cookie, if the session is live.
    pub async fn session(&self, token: &str) -> AppResult<Option<(Actor, String)>> {
        let mut conn = self.db.conn().await?;
        match accounts::session(&mut conn, &token_hash(token)).await? {
            Some(s) => Ok(Some((actor_of(&s.account), s.csrf_token))),
            None => Ok(None),
        }
    }

    /// The actor behind a live bearer token, looked up again after [`BEARER_KEPT`]. Its last
    /// use is noted at most once a minute.
    pub async fn bearer(&self, token: &str) -> AppResult<Option<Actor>> {
        let hash = token_hash(token);
        if let Some(actor) = self.bearer_cache.fresh(&hash) {
            return Ok(Some(actor));
        }
        let mut conn = self.db.conn().await?;
        match tokens::account_by_api_token(&mut conn, &hash).await? {
            Some((a, id, last_used)) => {
                let now = store::now_ms();
                if last_used.is_none_or(|l| now - l >= tokens::LAST_USE_PRECISION_MS) {
                    tokens::touch_api_token(&mut conn, id, now).await?;
                }
                let actor = actor_of(&a);
                self.bearer_cache.keep(hash, actor.clone());
                Ok(Some(actor))
            }
            None => Ok(None),
        }
    }

    /// Issues an API token for the actor's own account, ending after the configured number of
    /// days; the token is shown once.
    pub async fn issue_api_token(&self, actor: &Actor, label: &str) -> AppResult<String> {
        let token = new_token();
        let expires_at = store::now_ms() + self.settings.api_token_days * 86_400_000;
        let mut tx = self.db.write().await?;
        let id = tokens::insert_api_token(
            tx.conn(),
            actor.account_id,
            &token_hash(&token),
            label,
            expires_at,
        )
        .await?;
        let mut e = actor.audit("api_token_issue", "api_token", id);
        e.after = Some(serde_json::json!({ "label": label, "expires_at_ms": expires_at }));
        tx.commit_audited(e).await?;
        Ok(token)
    }

    /// The actor's own live API tokens, with their last use.
    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        let mut conn = self.db.conn().await?;
        Ok(tokens::api_tokens_of(&mut conn, actor.account_id).await?)
    }

    /// Revokes one of the actor's own tokens; another account's token is not found.
    pub async fn revoke_api_token(&self, actor: &Actor, id: i64) -> AppResult<()> {
        let mut tx = self.db.write().await?;
        if !tokens::revoke_api_token(tx.conn(), actor.account_id, id).await? {
            return Err(AppError::NotFound);
        }
        tx.audit(actor.audit("api_token_revoke", "api_token", id))
            .await?;
        tx.commit().await?;
        self.bearer_cache.forget(actor.account_id);
        Ok(())
    }

    /// Revokes all of the actor's own tokens; the number revoked.
    pub async fn revoke_api_tokens(&self, actor: &Actor) -> AppResult<u64> {
        let mut tx = self.db.write().await?;
        let n = tokens::revoke_api_tokens_of(tx.conn(), actor.account_id).await?;
        let mut e = actor.audit("api_token_revoke_all", "account", actor.account_id);
        e.after = Some(serde_json::json!({ "revoked": n }));
        tx.commit_audited(e).await?;
        self.bearer_cache.forget(actor.account_id);
        Ok(n)
    }

    pub async fn set_language(&self, actor: &Actor, language: &str) -> AppResult<()> {
        if !matches!(language, "zh" | "en") {
            return Err(AppError::field("language", "invalid_choice"));
        }
        let mut conn = self.db.conn().await?;
        accounts::set_language(&mut conn, actor.account_id, language).await?;
        self.bearer_cache.forget(actor.account_id);
        Ok(())
    }
}

/// An Argon2id hash of a random password, verified against when a username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2wzWi0UjHhXrJsoNuMtwyBOrKavsw0qXFoCHlDA1XWg";

/// How long a counted sign-in failure is kept once its wait is over.
const FAILURES_KEPT_MS: i64 = 24 * 60 * 60 * 1000;

/// The sign-in capability's scheduled jobs.
pub const JOBS: &[Job] = &[Job {
    name: "forget_login_failures",
    due_periods: daily_periods,
    run: |app, tx, period| Box::pin(forget_login_failures(app, tx, period)),
}];

/// The daily job that forgets failed sign-ins older than a day whose wait is over, so the
/// counts do not grow with every name an attacker ever tried; audited when it forgot any.
async fn forget_login_failures(
    _app: &App,
    tx: &mut store::WriteTx,
    period: &str,
) -> AppResult<String> {
    let before = store::now_ms() - FAILURES_KEPT_MS;
    let forgotten = throttle::purge(tx.conn(), before).await?;
    if forgotten > 0 {
        let mut a = Actor::system().audit("login_failures_forgotten", "login_throttle", 0);
        a.after = Some(serde_json::json!({ "forgotten": forgotten, "job": period }));
        tx.audit(a).await?;
    }
    Ok(format!("forgot {forgotten}"))
}
