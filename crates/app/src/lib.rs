//! Gridwatch's use cases: one function per thing a user does, each checking authorisation,
//! writing its audit entry and running in one transaction.

pub mod accounts;
pub mod assignees;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod cases;
pub mod checks;
pub mod complaints;
pub mod crypto;
mod error;
pub mod events;
pub mod gates;
pub mod grouped;
pub mod home;
pub mod hotline;
pub mod import;
pub mod jobs;
pub mod notifications;
pub mod outbound;
pub mod passes;
pub mod quarantine;
pub mod registry;
pub mod returns;
pub mod screening;
pub mod seeding;
pub mod structure;
pub mod tasks;

pub use error::{AppError, AppResult, ErrorCode};
pub use store::{Backend, Db};

use domain::access::{Jurisdiction, Role};

/// Settings the use cases need, parsed by the binary from its configuration.
#[derive(Clone)]
pub struct Settings {
    /// The community's time zone, for dates shown and "today".
    pub time_zone: jiff::tz::TimeZone,
    pub session_hours: i64,
    /// Failed logins allowed per username and per client in the window before refusing.
    pub login_failures_per_user: i64,
    pub login_failures_per_client: i64,
    pub login_window_minutes: i64,
    /// Days an API token lives after it is issued.
    pub api_token_days: i64,
    /// How long a quarantine order lasts unless the form says otherwise.
    pub quarantine_days: u16,
    /// The two daily check windows, in the community's local time.
    pub check_windows: domain::quarantine::Windows,
    /// Bounds of an uploaded register and of its rejected rows.
    pub imports: import::ImportLimits,
    /// The checkpoint rules: passes' life, a household's quota, the visitor rule.
    pub gates: gates::GateRules,
    /// The tracing window and the quiet days that end zones.
    pub cases: cases::CaseRules,
    /// Return to work: the verification rule and the public page's limits.
    pub returns: returns::ReturnRules,
    /// Hours to answer a resident's complaint, by category.
    pub complaint_due_hours: domain::complaints::DueHours,
    /// Whether notifications that call for someone today (alerts, suspected cases) also leave
    /// the app through the message sender, to the recipient's phone.
    pub notify_outbound: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC),
            session_hours: 12,
            login_failures_per_user: 5,
            login_failures_per_client: 30,
            login_window_minutes: 15,
            api_token_days: 30,
            quarantine_days: 14,
            check_windows: domain::quarantine::Windows::default(),
            imports: import::ImportLimits::default(),
            gates: gates::GateRules::default(),
            cases: cases::CaseRules::default(),
            returns: returns::ReturnRules::default(),
            complaint_due_hours: domain::complaints::DueHours::default(),
            notify_outbound: false,
        }
    }
}

/// The application: the database, the keys and the settings, shared by every request.
#[derive(Clone)]
pub struct App {
    pub db: Db,
    pub crypto: crypto::Crypto,
    pub settings: Settings,
    /// The pass signing key's versions, kept so that a scan at the gate reads none.
    pass_key_cache: std::sync::Arc<crate::passes::KeyCache>,
    /// Where one-time codes go: a log unless a gateway is configured.
    sender: std::sync::Arc<dyn outbound::MessageSender>,
    /// The control level pages show, so a page load reads none.
    level_cache: std::sync::Arc<crate::cases::LevelCache>,
    /// The actors of bearer tokens recently looked up.
    bearer_cache: std::sync::Arc<auth::BearerCache>,
    /// The one writer of the scans at the gates, which writes them in groups.
    scan_writer: std::sync::Arc<gates::ScanWriter>,
    /// The writer of the public page's submissions, which writes them in groups.
    submissions: std::sync::Arc<grouped::GroupWriter<returns::Submission>>,
}

impl App {
    pub fn new(db: Db, crypto: crypto::Crypto, settings: Settings) -> App {
        App {
            db,
            crypto,
            settings,
            pass_key_cache: std::sync::Arc::default(),
            sender: std::sync::Arc::new(outbound::LogSender::default()),
            level_cache: std::sync::Arc::default(),
            bearer_cache: std::sync::Arc::default(),
            scan_writer: std::sync::Arc::default(),
            submissions: std::sync::Arc::default(),
        }
    }

    /// A connection for a read the actor's role allows; `Forbidden` before one is taken.
    pub(crate) async fn read_as(
        &self,
        actor: &Actor,
        allowed: bool,
    ) -> AppResult<store::PooledConn> {
        actor.require(allowed)?;
        Ok(self.db.conn().await?)
    }

    /// A write transaction for a change the actor's role allows; `Forbidden` before it opens.
    pub(crate) async fn write_as(&self, actor: &Actor, allowed: bool) -> AppResult<store::WriteTx> {
        actor.require(allowed)?;
        Ok(self.db.write().await?)
    }

    /// Today in the community's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        jiff::Timestamp::now()
            .to_zoned_datetime(self.settings.time_zone.clone())
            .date()
    }
}

/// Who is acting: the signed-in account, its role and its jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    pub language: String,
}

impl Actor {
    /// The actor used by command-line maintenance (migrations, demo data) and the job runner,
    /// with no account; audited with the role [`audit::SYSTEM_ROLE`].
    pub fn system() -> Actor {
        Actor {
            account_id: 0,
            username: "system".to_owned(),
            display_name: "system".to_owned(),
            role: Role::Admin,
            jurisdiction: Jurisdiction::ALL,
            language: "en".to_owned(),
        }
    }

    /// Whether this is [`Actor::system`]: no account behind it.
    pub fn is_system(&self) -> bool {
        self.account_id == 0
    }

    pub(crate) fn audit(
        &self,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
    ) -> store::audit::AuditEntry {
        store::audit::AuditEntry {
            account_id: (self.account_id != 0).then_some(self.account_id),
            account_name: self.username.clone(),
            role: if self.is_system() {
                audit::SYSTEM_ROLE.to_owned()
            } else {
                self.role.code().to_owned()
            },
            action: action.to_owned(),
            object_type: object_type.to_owned(),
            object_id: object_id.to_string(),
            ..Default::default()
        }
    }

    pub(crate) fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl Actor {
    /// Refuses an actor whose role does not import.
    pub fn require_import(&self) -> AppResult<()> {
        self.require(self.role.can_import())
    }
}

impl Actor {
    pub fn require_manage_accounts(&self) -> AppResult<()> {
        self.require(self.role.can_manage_accounts())
    }
}
