//! Accounts: administrators create and change them; sign-in follows what they set.

use app::AppError;
use app::accounts::AccountInput;
use domain::access::{Jurisdiction, Level, Role};

mod phone;

use crate::support::{
    PASSWORD, TestDb, assert_field_error, assert_forbidden, audit_object, audit_trail,
};

fn input(username: &str, role: Role, level: Level, scope_id: i64) -> AccountInput {
    AccountInput {
        username: username.to_owned(),
        display_name: format!("{username} display"),
        password: "a-long-password".to_owned(),
        role: role.code().to_owned(),
        level: level.code().to_owned(),
        scope_id,
        active: true,
        phone: None,
    }
}

#[tokio::test]
async fn fixture_accounts_sign_in_as_their_role_and_jurisdiction() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    for actor in f.actors() {
        let session = app
            .login(&actor.username, PASSWORD, "fixture")
            .await
            .expect("sign in");
        assert_eq!(&session.actor, actor);
        let (from_cookie, csrf) = app
            .session(&session.token)
            .await
            .expect("session lookup")
            .expect("live session");
        assert_eq!(&from_cookie, actor);
        assert_eq!(csrf, session.csrf_token);
    }
    let session = app
        .login("staff", PASSWORD, "fixture")
        .await
        .expect("sign in");
    app.logout(&session.token).await.expect("logout");
    assert_eq!(app.session(&session.token).await.expect("lookup"), None);
    assert_eq!(app.session("not-a-token").await.expect("lookup"), None);

    let token = app
        .issue_api_token(&f.cdc, "reporting")
        .await
        .expect("API token");
    assert_eq!(
        app.bearer(&token).await.expect("bearer lookup"),
        Some(f.cdc.clone())
    );
    assert_eq!(app.bearer("nope").await.expect("bearer lookup"), None);
}

#[tokio::test]
async fn administrators_create_and_update_accounts_and_names_stay_unique() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let id = app
        .create_account(
            &f.admin,
            &input(
                "new.staff",
                Role::CommunityStaff,
                Level::Community,
                f.community_id,
            ),
        )
        .await
        .expect("create");
    let account = app.account(&f.admin, id).await.expect("read");
    assert_eq!(account.username, "new.staff");
    assert_eq!(account.display_name, "new.staff display");
    assert_eq!(
        (account.role.code(), account.level.code(), account.scope_id),
        ("community_staff", "community", f.community_id)
    );
    assert!(account.active);
    assert!(
        account.password_hash.starts_with("$argon2id$"),
        "stored as an Argon2id hash"
    );
    let signed_in = app
        .login("new.staff", "a-long-password", "t")
        .await
        .expect("sign in");
    assert_eq!(
        signed_in.actor.jurisdiction,
        Jurisdiction::new(Level::Community, f.community_id)
    );

    // The name is taken, whatever else differs; a bad name, password, scope or role.
    let doctor = |username: &str| input(username, Role::Doctor, Level::All, 0);
    let short = AccountInput {
        password: "short".to_owned(),
        ..doctor("shorty")
    };
    let bad_role = AccountInput {
        role: "resident".to_owned(),
        ..doctor("badrole")
    };
    for (refused, field, code) in [
        (doctor("new.staff"), "username", "username_taken"),
        (doctor("staff"), "username", "username_taken"),
        (doctor("no spaces"), "username", "username_format"),
        (short, "password", "password_too_short"),
        (
            input("noscope", Role::Doctor, Level::Grid, 0),
            "scope_id",
            "required",
        ),
        (bad_role, "role", "invalid_choice"),
    ] {
        assert_field_error(app.create_account(&f.admin, &refused).await, field, code);
    }

    // Only administrators manage accounts.
    for actor in [&f.staff, &f.official, &f.auditor, &f.grid_worker] {
        assert_forbidden(
            app.create_account(actor, &input("sneaky", Role::Admin, Level::All, 0))
                .await,
        );
        assert_forbidden(app.list_accounts(actor).await);
        assert_forbidden(
            app.update_account(actor, id, &input("new.staff", Role::Admin, Level::All, 0))
                .await,
        );
    }
    let all = app.list_accounts(&f.admin).await.expect("list");
    assert_eq!(all.len(), 10);
    assert!(!all.iter().any(|a| a.username == "sneaky"));

    // Moving the account to a grid, as a grid worker; an empty password keeps the old one.
    let mut change = input("new.staff", Role::GridWorker, Level::Grid, f.grid2_id);
    change.display_name = "网格员 2".to_owned();
    change.password = String::new();
    app.update_account(&f.admin, id, &change)
        .await
        .expect("update");
    let account = app.account(&f.admin, id).await.expect("read");
    assert_eq!(account.display_name, "网格员 2");
    assert_eq!(
        (account.role.code(), account.level.code(), account.scope_id),
        ("grid_worker", "grid", f.grid2_id)
    );
    let signed_in = app
        .login("new.staff", "a-long-password", "t")
        .await
        .expect("the old password still works");
    assert_eq!(signed_in.actor.role, Role::GridWorker);
    assert_eq!(
        signed_in.actor.jurisdiction,
        Jurisdiction::new(Level::Grid, f.grid2_id)
    );

    // Both changes are in the trail, without any password.
    let trail = audit_trail(app, &f.auditor, audit_object("account", id)).await;
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["login", "account_update", "login", "account_create"]
    );
    for e in &trail {
        let text = format!("{:?}{:?}", e.before, e.after);
        assert!(!text.contains("a-long-password"), "password in the trail");
        assert!(!text.contains("argon2"), "hash in the trail");
    }
}

#[tokio::test]
async fn a_deactivated_account_cannot_sign_in_and_loses_its_sessions() {
    let (t, f) = TestDb::with_fixture().await;
    let app = &t.app;
    let session = app
        .login("volunteer", PASSWORD, "phone")
        .await
        .expect("sign in");
    assert!(app.session(&session.token).await.expect("lookup").is_some());

    let mut off = input(
        "volunteer",
        Role::Volunteer,
        Level::Community,
        f.community_id,
    );
    off.display_name = f.volunteer.display_name.clone();
    off.password = String::new();
    off.active = false;
    app.update_account(&f.admin, f.volunteer.account_id, &off)
        .await
        .expect("deactivate");
    assert_eq!(
        app.session(&session.token).await.expect("lookup"),
        None,
        "sessions end with the account"
    );
    let refused = app.login("volunteer", PASSWORD, "phone").await;
    assert!(
        matches!(refused, Err(AppError::Unauthenticated)),
        "{refused:?}"
    );
    assert!(
        !app.account(&f.admin, f.volunteer.account_id)
            .await
            .expect("read")
            .active
    );

    // Back on, with a new password: the old one no longer works.
    let mut on = off.clone();
    on.active = true;
    on.password = "a-brand-new-password".to_owned();
    app.update_account(&f.admin, f.volunteer.account_id, &on)
        .await
        .expect("reactivate");
    assert!(matches!(
        app.login("volunteer", PASSWORD, "phone").await,
        Err(AppError::Unauthenticated)
    ));
    let back = app
        .login("volunteer", "a-brand-new-password", "phone")
        .await
        .expect("sign in with the new password");
    assert_eq!(back.actor, f.volunteer);
}
