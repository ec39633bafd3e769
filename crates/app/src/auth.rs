//! Signing in and out, sessions, API tokens, and the limit on failed logins.

use domain::access::{Jurisdiction, Level, Role};
use store::accounts::{self, Account};

use crate::crypto::{new_token, token_hash, verify_password};
use crate::{Actor, App, AppError, AppResult};

/// A new session: the token for the cookie and the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
    pub expires_at_ms: i64,
}

pub(crate) fn actor_of(a: &Account) -> AppResult<Actor> {
    let role = Role::from_code(&a.role)
        .ok_or_else(|| AppError::Internal(format!("unknown role {}", a.role)))?;
    let level = Level::from_code(&a.level)
        .ok_or_else(|| AppError::Internal(format!("unknown level {}", a.level)))?;
    Ok(Actor {
        account_id: a.id,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        role,
        jurisdiction: Jurisdiction::new(level, a.scope_id),
        language: a.language.clone(),
    })
}

impl App {
    /// Checks a password and opens a session. Failures are recorded and audited; after too many
    /// in the window the account (or the client) is refused even with the right password.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client: &str,
    ) -> AppResult<NewSession> {
        let username = username.trim();
        let s = &self.settings;
        let since = store::now_ms() - s.login_window_minutes * 60_000;
        let mut conn = self.db.conn().await?;
        let (by_user, by_client) =
            accounts::recent_failures(&mut conn, username, client, since).await?;
        if by_user >= s.login_failures_per_user || by_client >= s.login_failures_per_client {
            drop(conn);
            // Attempts during a lock-out leave a trace too, without counting as new failures.
            let mut tx = self.db.write().await?;
            let mut e = Actor::system().audit("login_rate_limited", "account", username);
            e.account_name = username.to_owned();
            e.role = String::new();
            e.after = Some(serde_json::json!({ "client": client }));
            tx.audit(e).await?;
            tx.commit().await?;
            return Err(AppError::RateLimited {
                retry_after_secs: s.login_window_minutes * 60,
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
        accounts::record_login_attempt(tx.conn(), username, client, ok).await?;
        let account = match (ok, account) {
            (true, Some(a)) => a,
            (_, account) => {
                let mut e = Actor::system().audit("login_failed", "account", username);
                e.account_id = account.as_ref().map(|a| a.id);
                e.account_name = username.to_owned();
                e.role = account.map(|a| a.role).unwrap_or_default();
                e.after = Some(serde_json::json!({ "client": client }));
                tx.audit(e).await?;
                tx.commit().await?;
                return Err(AppError::Unauthenticated);
            }
        };
        let actor = actor_of(&account)?;
        let token = new_token();
        let csrf_token = new_token();
        let expires_at_ms = store::now_ms() + s.session_hours * 3_600_000;
        accounts::insert_session(
            tx.conn(),
            &token_hash(&token),
            account.id,
            &csrf_token,
            expires_at_ms,
        )
        .await?;
        let mut e = actor.audit("login", "account", account.id);
        e.after = Some(serde_json::json!({ "client": client }));
        tx.audit(e).await?;
        tx.commit().await?;
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
            Some(s) => Ok(Some((actor_of(&s.account)?, s.csrf_token))),
            None => Ok(None),
        }
    }

    /// The actor behind a bearer token.
    pub async fn bearer(&self, token: &str) -> AppResult<Option<Actor>> {
        let mut conn = self.db.conn().await?;
        match accounts::account_by_api_token(&mut conn, &token_hash(token)).await? {
            Some(a) => Ok(Some(actor_of(&a)?)),
            None => Ok(None),
        }
    }

    /// Issues an API token for the actor's own account; the token is shown once.
    pub async fn issue_api_token(&self, actor: &Actor, label: &str) -> AppResult<String> {
        let token = new_token();
        let mut tx = self.db.write().await?;
        let id =
            accounts::insert_api_token(tx.conn(), actor.account_id, &token_hash(&token), label)
                .await?;
        tx.audit(actor.audit("api_token_issue", "api_token", id))
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn set_language(&self, actor: &Actor, language: &str) -> AppResult<()> {
        if !matches!(language, "zh" | "en") {
            return Err(AppError::field("language", "invalid_choice"));
        }
        let mut conn = self.db.conn().await?;
        accounts::set_language(&mut conn, actor.account_id, language).await?;
        Ok(())
    }
}

/// An Argon2id hash of a random password, verified against when a username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2wzWi0UjHhXrJsoNuMtwyBOrKavsw0qXFoCHlDA1XWg";
