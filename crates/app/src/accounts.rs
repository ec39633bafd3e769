//! Account management by administrators (page and `gridwatch user`).

use domain::access::{Level, Role};
use domain::phone::MobilePhone;
use domain::registry::{Label, NAME_MAX};
use domain::validation::FieldErrors;
use store::accounts::{self, Account, AccountUpdate, NewAccount};

use crate::crypto::hash_password;
use crate::error::conflict_as;
use crate::registry::mask_phone;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

pub const PASSWORD_MIN: usize = 8;

/// An account as an administrator enters it.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: String,
    pub level: String,
    pub scope_id: i64,
    pub active: bool,
    /// The mobile notifications leave the app to: `None` keeps the stored one (none for a new
    /// account), empty clears it.
    pub phone: Option<String>,
}

/// What a form or request does to an account's mobile.
enum PhoneChange {
    Keep,
    Clear,
    Set(MobilePhone),
}

impl PhoneChange {
    /// The number to store: `None` to keep the stored one, `Some(None)` to clear it.
    fn stored(&self) -> Option<Option<&str>> {
        match self {
            PhoneChange::Keep => None,
            PhoneChange::Clear => Some(None),
            PhoneChange::Set(p) => Some(Some(p.as_str())),
        }
    }
}

struct Parsed {
    display_name: String,
    role: Role,
    level: Level,
    phone: PhoneChange,
}

fn parse(input: &AccountInput, new: bool) -> AppResult<Parsed> {
    let mut e = FieldErrors::new();
    if new {
        let u = input.username.trim();
        if u.len() < 3
            || u.len() > 32
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            e.add("username", "username_format", "");
        }
    }
    if (new || !input.password.is_empty()) && input.password.chars().count() < PASSWORD_MIN {
        e.add("password", "password_too_short", PASSWORD_MIN.to_string());
    }
    let display_name = e.check("display_name", Label::parse(&input.display_name, NAME_MAX));
    let role = Role::from_code(&input.role);
    if role.is_none() {
        e.add("role", "invalid_choice", "");
    }
    let level = Level::from_code(&input.level);
    if level.is_none() {
        e.add("level", "invalid_choice", "");
    }
    if matches!(level, Some(l) if l != Level::All) && input.scope_id <= 0 {
        e.add("scope_id", "required", "");
    }
    // A mobile, as the messages sent to it are text messages.
    let phone = match input.phone.as_deref().map(str::trim) {
        None => Some(PhoneChange::Keep),
        Some("") => Some(PhoneChange::Clear),
        Some(text) => match MobilePhone::parse(text) {
            Ok(p) => Some(PhoneChange::Set(p)),
            Err(_) => {
                e.add("phone", "mobile_format", "");
                None
            }
        },
    };
    e.into_result()?;
    match (display_name, role, level, phone) {
        (Some(d), Some(role), Some(level), Some(phone)) => Ok(Parsed {
            display_name: d.into_string(),
            role,
            level,
            phone,
        }),
        _ => Err(AppError::Internal("parse state".to_owned())),
    }
}

impl App {
    pub async fn list_accounts(&self, actor: &Actor) -> AppResult<Vec<Account>> {
        let mut conn = self
            .read_as(actor, actor.role.can_manage_accounts())
            .await?;
        Ok(accounts::list_accounts(&mut conn).await?)
    }

    pub async fn account(&self, actor: &Actor, id: i64) -> AppResult<Account> {
        let mut conn = self
            .read_as(actor, actor.role.can_manage_accounts())
            .await?;
        Ok(accounts::account(&mut conn, id).await?)
    }

    pub async fn create_account(&self, actor: &Actor, input: &AccountInput) -> AppResult<i64> {
        actor.require(actor.role.can_manage_accounts())?;
        let p = parse(input, true)?;
        let hash = hash_password(&input.password)?;
        let mut tx = self.db.write().await?;
        let username = input.username.trim();
        let id = accounts::insert_account(
            tx.conn(),
            &NewAccount {
                username,
                display_name: &p.display_name,
                password_hash: &hash,
                role: p.role,
                level: p.level,
                scope_id: if p.level == Level::All {
                    0
                } else {
                    input.scope_id
                },
                language: "zh",
                phone: p.phone.stored().flatten(),
            },
        )
        .await
        .map_err(conflict_as("username", "username_taken"))?;
        let mut e = actor.audit("account_create", "account", id);
        let mut after = serde_json::json!({
            "username": username, "display_name": p.display_name, "role": p.role.code(),
            "level": p.level.code(), "scope_id": input.scope_id,
        });
        if let PhoneChange::Set(phone) = &p.phone {
            after["phone"] = phone.masked().into();
        }
        e.after = Some(after);
        tx.commit_audited(e).await?;
        Ok(id)
    }

    pub async fn update_account(
        &self,
        actor: &Actor,
        id: i64,
        input: &AccountInput,
    ) -> AppResult<()> {
        actor.require(actor.role.can_manage_accounts())?;
        let p = parse(input, false)?;
        let new_hash = if input.password.is_empty() {
            None
        } else {
            Some(hash_password(&input.password)?)
        };
        let mut tx = self.db.write().await?;
        let before = accounts::account(tx.conn(), id).await?;
        // The last active administrator stays one: nobody could manage accounts otherwise.
        if before.active
            && before.role == Role::Admin
            && (p.role != Role::Admin || !input.active)
            && accounts::active_admins(tx.conn()).await? <= 1
        {
            return Err(AppError::Conflict(ErrorCode::LastAdmin));
        }
        let scope_id = if p.level == Level::All {
            0
        } else {
            input.scope_id
        };
        accounts::update_account(
            tx.conn(),
            id,
            &AccountUpdate {
                display_name: &p.display_name,
                role: p.role,
                level: p.level,
                scope_id,
                active: input.active,
                phone: p.phone.stored(),
            },
        )
        .await?;
        if let Some(h) = &new_hash {
            accounts::set_password(tx.conn(), id, h).await?;
        }
        // A new password or a disabled account ends every way in: sessions and API tokens.
        let revoked_tokens = if new_hash.is_some() || !input.active {
            accounts::delete_sessions_of(tx.conn(), id).await?;
            accounts::tokens::revoke_api_tokens_of(tx.conn(), id).await?
        } else {
            0
        };
        let mut e = actor.audit("account_update", "account", id);
        let mut before_json = serde_json::json!({
            "display_name": before.display_name, "role": before.role, "level": before.level,
            "scope_id": before.scope_id, "active": before.active,
        });
        let mut after = serde_json::json!({
            "display_name": p.display_name, "role": p.role.code(), "level": p.level.code(),
            "scope_id": scope_id, "active": input.active, "password_changed": new_hash.is_some(),
            "api_tokens_revoked": revoked_tokens,
        });
        // The number only when it changed, masked on both sides as every phone on the trail.
        if let Some(new) = p.phone.stored()
            && new != before.phone.as_deref()
        {
            before_json["phone"] = before.phone.as_deref().map(mask_phone).into();
            after["phone"] = new.map(mask_phone).into();
        }
        e.before = Some(before_json);
        e.after = Some(after);
        tx.commit_audited(e).await?;
        // Its role, reach or state may have changed: bearer tokens are looked up again.
        self.bearer_cache.forget(id);
        Ok(())
    }
}
