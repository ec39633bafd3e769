//! `gridwatch user ...` and `gridwatch audit verify`: account administration from the shell.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use app::accounts::AccountInput;
use app::{Actor, App};
use domain::access::{Jurisdiction, Level};
use store::accounts::Account;

use crate::error::{CliError, EXIT_CHECK_FAILED};
use crate::text::pad;

/// The environment variable a script sets instead of typing a password.
pub const PASSWORD_ENV: &str = "GRIDWATCH_PASSWORD";

pub async fn account_by_username(app: &App, username: &str) -> Result<Account, CliError> {
    app.list_accounts(&Actor::system())
        .await?
        .into_iter()
        .find(|a| a.username == username.trim())
        .ok_or_else(|| CliError::message(format!("no account named {username:?}")))
}

/// The actor a command runs as: the named active account, or the system actor.
pub async fn actor_for(app: &App, username: Option<&str>) -> Result<Actor, CliError> {
    let Some(username) = username else {
        return Ok(Actor::system());
    };
    let a = account_by_username(app, username).await?;
    if !a.active {
        return Err(CliError::message(format!(
            "the account {username:?} is disabled"
        )));
    }
    Ok(Actor {
        account_id: a.id,
        username: a.username,
        display_name: a.display_name,
        role: a.role,
        jurisdiction: Jurisdiction::new(a.level, a.scope_id),
        language: a.language,
    })
}

/// Reads a password from `GRIDWATCH_PASSWORD`, or from standard input (asked twice, without
/// echo, on a terminal).
fn read_password(prompt: &str) -> Result<String, CliError> {
    if let Ok(p) = std::env::var(PASSWORD_ENV)
        && !p.is_empty()
    {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::message(format!("cannot read the password: {e}")))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = prompt_hidden(&format!("{prompt}: "))?;
    let second = prompt_hidden("Repeat it: ")?;
    if first != second {
        return Err(CliError::message("the two passwords differ"));
    }
    Ok(first)
}

fn prompt_hidden(prompt: &str) -> Result<String, CliError> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let hidden = set_echo(false);
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    if hidden {
        set_echo(true);
        eprintln!();
    }
    read.map_err(|e| CliError::message(format!("cannot read the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Turns terminal echo off or on with `stty`; false when that is not possible.
fn set_echo(on: bool) -> bool {
    std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success())
}

/// The account `gridwatch user add` creates, as its arguments give it.
#[derive(clap::Args)]
pub struct NewUser {
    pub username: String,
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::role_codes()))]
    pub role: String,
    /// Level of the jurisdiction
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::level_codes()))]
    pub level: String,
    /// Id of the district, street, community, grid or building (not for level all)
    #[arg(long, value_name = "ID")]
    pub scope: Option<i64>,
    /// Display name [default: the username]
    #[arg(long)]
    pub name: Option<String>,
    /// Mobile number that notifications are texted to (11 digits)
    // Also the number a resident's self-report sheet prints.
    #[arg(long)]
    pub phone: Option<String>,
}

pub async fn add(app: &App, u: NewUser) -> Result<ExitCode, CliError> {
    if u.level != Level::All.code() && u.scope.is_none() {
        return Err(CliError::message(format!(
            "--scope ID is required for level {}: the id of the {} the account works in",
            u.level, u.level
        )));
    }
    let password = read_password(&format!("Password for {}", u.username))?;
    let username = u.username.clone();
    let id = create(app, u, password).await?;
    println!("created account {username} (id {id})");
    Ok(ExitCode::SUCCESS)
}

/// The account of `u` with `password`, created as the system; its id.
async fn create(app: &App, u: NewUser, password: String) -> Result<i64, CliError> {
    let id = app
        .create_account(
            &Actor::system(),
            &AccountInput {
                display_name: u.name.unwrap_or_else(|| u.username.clone()),
                username: u.username,
                password,
                role: u.role,
                level: u.level,
                scope_id: u.scope.unwrap_or(0),
                active: true,
                phone: u.phone,
            },
        )
        .await?;
    Ok(id)
}

pub async fn list(app: &App) -> Result<ExitCode, CliError> {
    let accounts = app.list_accounts(&Actor::system()).await?;
    println!(
        "{:>4}  {:<16} {} {:<16} {:<10} {:>6}  active",
        "id",
        "username",
        pad("name", 20),
        "role",
        "level",
        "scope"
    );
    for a in &accounts {
        println!(
            "{:>4}  {:<16} {} {:<16} {:<10} {:>6}  {}",
            a.id,
            a.username,
            pad(&a.display_name, 20),
            a.role.code(),
            a.level.code(),
            a.scope_id,
            if a.active { "yes" } else { "no" }
        );
    }
    if accounts.is_empty() {
        println!("(no accounts; create one with `gridwatch user add` or `gridwatch demo`)");
    }
    Ok(ExitCode::SUCCESS)
}

async fn update(app: &App, username: &str, password: String, active: bool) -> Result<(), CliError> {
    let a = account_by_username(app, username).await?;
    app.update_account(
        &Actor::system(),
        a.id,
        &AccountInput {
            username: a.username.clone(),
            display_name: a.display_name,
            password,
            role: a.role.code().to_owned(),
            level: a.level.code().to_owned(),
            scope_id: a.scope_id,
            active,
            phone: None,
        },
    )
    .await?;
    Ok(())
}

pub async fn passwd(app: &App, username: &str) -> Result<ExitCode, CliError> {
    let a = account_by_username(app, username).await?;
    let password = read_password(&format!("New password for {username}"))?;
    if password.is_empty() {
        return Err(CliError::message("the password is empty"));
    }
    update(app, username, password, a.active).await?;
    println!("password of {username} changed; its sessions and API tokens were revoked");
    Ok(ExitCode::SUCCESS)
}

pub async fn set_active(app: &App, username: &str, active: bool) -> Result<ExitCode, CliError> {
    update(app, username, String::new(), active).await?;
    println!(
        "account {username} {}",
        if active { "enabled" } else { "disabled" }
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn audit_verify(app: &App) -> Result<ExitCode, CliError> {
    let v = app.verify_audit(&Actor::system()).await?;
    match v.broken_at {
        None => {
            println!("audit trail OK: {} entries checked", v.entries);
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, why)) => {
            println!(
                "audit trail BROKEN at entry {seq}: {why} ({} entries before it are intact)",
                v.entries
            );
            Ok(ExitCode::from(EXIT_CHECK_FAILED))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn fresh_app() -> (App, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("gridwatch-cli-user-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("users.db").display());
        let db = store::Db::connect(&url).await.expect("connect");
        db.migrate().await.expect("migrate");
        let app = App::new(
            db,
            app::crypto::Crypto::new([5; 32]),
            app::Settings::default(),
        );
        (app, dir)
    }

    fn doctor(username: &str, phone: &str) -> NewUser {
        NewUser {
            username: username.to_owned(),
            role: "doctor".to_owned(),
            level: "all".to_owned(),
            scope: None,
            name: Some("社区医生".to_owned()),
            phone: Some(phone.to_owned()),
        }
    }

    #[tokio::test]
    async fn an_account_added_with_a_mobile_keeps_it_and_a_landline_is_refused() {
        let (app, dir) = fresh_app().await;
        create(
            &app,
            doctor("wang", "138 0013 8000"),
            "a long passphrase 1".to_owned(),
        )
        .await
        .expect("a mobile is taken");
        let a = account_by_username(&app, "wang").await.expect("account");
        assert_eq!(a.phone.as_deref(), Some("13800138000"));
        let refused = create(
            &app,
            doctor("li", "010-12345678"),
            "a long passphrase 2".into(),
        )
        .await;
        let message = refused.expect_err("a landline is no mobile").to_string();
        assert!(message.contains("phone"), "{message}");
        assert!(
            account_by_username(&app, "li").await.is_err(),
            "nothing half-made"
        );
        app.db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
