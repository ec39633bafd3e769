//! Return to work (C5): the public application page's use cases. A returning resident applies
//! without an account: the phone is confirmed by a one-time code sent through a
//! [`MessageSender`], the ID numbers are checked as the registry checks them, attempts are
//! limited per client and per ID, and a duplicate of a trip under way is refused. The applicant
//! follows the application through a personal link whose hash alone is stored.

use domain::returns::{self as rt, State, Transition};
use jiff::Timestamp;
use store::returns::{self as rs, Application, Limit};

use crate::crypto::{plausible_token, random_bytes, token_hash};
use crate::{Actor, App, AppError, AppResult, ErrorCode};

mod apply;
mod decide;
mod parse;

pub(crate) use apply::Submission;
mod throughput;

pub use decide::{Decision, VerificationInput, Verified};
pub use throughput::{Day, Throughput};

/// The audit object type of an application.
pub const OBJECT_TYPE: &str = "return_application";

/// The limits and the rule of return to work.
#[derive(Debug, Clone)]
pub struct ReturnRules {
    pub verification: rt::VerificationRule,
    /// Minutes a one-time code stays valid.
    pub code_minutes: i64,
    /// Wrong codes tried before a code is spent.
    pub code_failures: i64,
    /// Codes sent to one phone in an hour.
    pub codes_per_phone_per_hour: i64,
    /// Codes asked for and applications submitted from one client address in an hour.
    pub attempts_per_client_per_hour: i64,
    /// Applications naming one ID number in a day.
    pub attempts_per_document_per_day: i64,
}

impl Default for ReturnRules {
    fn default() -> Self {
        ReturnRules {
            verification: rt::VerificationRule::default(),
            code_minutes: 10,
            code_failures: 5,
            codes_per_phone_per_hour: 5,
            attempts_per_client_per_hour: 30,
            attempts_per_document_per_day: 10,
        }
    }
}

pub use crate::outbound::{LogSender, Message, MessageSender};

/// How long attempts and spent codes are kept: longer than the longest limit's window (a day).
const ATTEMPTS_KEPT_MS: i64 = 2 * 24 * 60 * 60 * 1000;

/// The capability's scheduled jobs.
pub const JOBS: &[crate::jobs::Job] = &[crate::jobs::Job {
    name: "forget_return_attempts",
    due_periods: crate::jobs::daily_periods,
    run: |app, tx, period| Box::pin(forget_return_attempts(app, tx, period)),
}];

/// The daily job that forgets the public page's counted attempts and expired codes once no
/// limit looks at them, so the tables do not grow with every request; audited when it forgot
/// any.
async fn forget_return_attempts(
    _app: &App,
    tx: &mut store::WriteTx,
    period: &str,
) -> AppResult<String> {
    let forgotten = rs::purge(tx.conn(), store::now_ms() - ATTEMPTS_KEPT_MS).await?;
    if forgotten > 0 {
        let mut a = Actor::system().audit("return_attempts_forgotten", "return_attempts", 0);
        a.after = Some(serde_json::json!({ "forgotten": forgotten, "job": period }));
        tx.audit(a).await?;
    }
    Ok(format!("forgot {forgotten}"))
}

/// The template of a one-time code message; its one parameter is the code.
pub const CODE_TEMPLATE: &str = "return_code";

/// An application as entered on the public page or through the API.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub community_id: i64,
    pub name: String,
    pub document_number: String,
    pub phone: String,
    /// The one-time code sent to the phone.
    pub code: String,
    pub employer: String,
    pub employer_address: String,
    /// A picked region: a GB/T 2260 code or a division's name.
    pub origin: String,
    pub means: String,
    /// The train number, flight or plate.
    pub trip: String,
    /// Local date and time, `2020-02-10T14:30`.
    pub arrival: String,
    /// The household they will live in, when not their own registered one: the building by
    /// id, or by its name as typed (`3号楼`, or `3` when no other building's name goes on
    /// from it but with a digit).
    pub building_id: Option<i64>,
    pub building: String,
    pub unit: String,
    pub room: String,
    /// Companions: name and ID number each.
    pub companions: Vec<(String, String)>,
}

/// What submitting gives back: the application and its personal link (shown this once), or
/// the application of the same trip already made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    New {
        id: i64,
        token: String,
    },
    /// A duplicate: the existing application, with a fresh personal link to it when the
    /// confirmed phone is the one it was made with (otherwise only its number).
    Duplicate {
        id: i64,
        token: Option<String>,
    },
}

/// What the applicant's page shows.
#[derive(Debug, Clone)]
pub struct StatusView {
    pub application: Application,
    /// The names of the travellers, masked except the first character.
    pub travellers: Vec<String>,
    /// The rule's refusal codes and the verifier's reason, when refused.
    pub refusals: Vec<String>,
}

/// The name under which the applicant's own actions are audited: no account, the link.
fn applicant(id: i64) -> Actor {
    Actor {
        account_id: 0,
        username: format!("return_link:{id}"),
        display_name: String::new(),
        role: domain::access::Role::Admin,
        jurisdiction: domain::access::Jurisdiction::ALL,
        language: String::new(),
    }
}

/// How a one-time code is stored and compared: the hash of the phone and the code.
fn code_hash(phone: &str, code: &str) -> String {
    token_hash(&format!("{phone}:{}", code.trim()))
}

/// A six-digit code.
fn new_code() -> String {
    let b = random_bytes::<4>();
    format!("{:06}", u32::from_le_bytes(b) % 1_000_000)
}

impl App {
    /// Sends a one-time code to a mobile phone, limited per phone and per client.
    pub async fn request_return_code(
        &self,
        phone: &str,
        client: &str,
        now: Timestamp,
    ) -> AppResult<()> {
        let phone = domain::phone::MobilePhone::parse(phone)
            .map_err(|e| AppError::field("phone", e.code()))?;
        let rules = &self.settings.returns;
        let now_ms = now.as_millisecond();
        let hour = now_ms - 3_600_000;
        let mut tx = self.db.write().await?;
        // A refusal returns before the commit: neither attempt is counted.
        if !rs::attempt_within(
            tx.conn(),
            Limit::Phone,
            phone.as_str(),
            now_ms,
            hour,
            rules.codes_per_phone_per_hour,
        )
        .await?
            || !rs::attempt_within(
                tx.conn(),
                Limit::Client,
                client,
                now_ms,
                hour,
                rules.attempts_per_client_per_hour,
            )
            .await?
        {
            return Err(AppError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        let code = new_code();
        rs::insert_code(
            tx.conn(),
            phone.as_str(),
            &code_hash(phone.as_str(), &code),
            now_ms,
            now_ms + rules.code_minutes * 60_000,
        )
        .await?;
        tx.commit().await?;
        // Sent after the commit: a gateway's round trip never holds the write lock. A code that
        // could not be sent is never used; the applicant asks again.
        self.sender
            .send(&Message {
                phone: phone.as_str().to_owned(),
                template: CODE_TEMPLATE,
                params: vec![code],
            })
            .map_err(AppError::Internal)
    }

    /// The local date of a moment (ms).
    pub(crate) fn local_date(&self, ms: i64) -> jiff::civil::Date {
        local_date(&self.settings.time_zone, ms)
    }

    /// A local `YYYY-MM-DDTHH:MM` as a moment (ms).
    pub(crate) fn local_moment(&self, text: &str) -> Option<i64> {
        let dt: jiff::civil::DateTime = text.trim().replace(' ', "T").parse().ok()?;
        dt.to_zoned_datetime(self.settings.time_zone.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond())
    }

    /// The application of a personal link.
    async fn by_link(&self, conn: &mut store::Conn, token: &str) -> AppResult<Application> {
        let token = token.trim();
        if !plausible_token(token) {
            return Err(AppError::NotFound);
        }
        rs::application_by_link(conn, &token_hash(token))
            .await?
            .ok_or(AppError::NotFound)
    }

    /// What the applicant's page shows for a token.
    pub async fn return_status(&self, token: &str) -> AppResult<StatusView> {
        let mut conn = self.db.conn().await?;
        let application = self.by_link(&mut conn, token).await?;
        let travellers = rs::travellers(&mut conn, application.id)
            .await?
            .into_iter()
            .map(|t| domain::health::masked_name(&t.name))
            .collect();
        let refusals = if application.state == State::Refused {
            rs::verifications(&mut conn, application.id)
                .await?
                .first()
                .map(|v| v.refusals.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        Ok(StatusView {
            application,
            travellers,
            refusals,
        })
    }

    /// The applicant withdraws, until the verification.
    pub async fn withdraw_return(&self, token: &str) -> AppResult<()> {
        let mut tx = self.db.write().await?;
        let a = self.by_link(tx.conn(), token).await?;
        let to = rt::transition(a.state, Transition::Withdraw, "")
            .map_err(|_| AppError::Conflict(ErrorCode::TransitionNotAllowed))?;
        if !rs::move_state(tx.conn(), a.id, a.state, to).await? {
            return Err(AppError::Conflict(ErrorCode::TransitionNotAllowed));
        }
        rs::set_withdrawn(tx.conn(), a.id, store::now_ms()).await?;
        let mut entry = applicant(a.id).audit("return_withdraw", OBJECT_TYPE, a.id);
        entry.role = "resident".to_owned();
        entry.community_id = Some(a.address.community_id);
        entry.before = Some(serde_json::json!({ "state": a.state.code() }));
        entry.after = Some(serde_json::json!({ "state": to.code() }));
        tx.commit_audited(entry).await?;
        Ok(())
    }

    /// The applicant changes the arrival time, until the verification.
    pub async fn change_return_arrival(&self, token: &str, arrival: &str) -> AppResult<()> {
        let at = self
            .local_moment(arrival)
            .ok_or_else(|| AppError::field("arrival", "date_time_format"))?;
        let mut tx = self.db.write().await?;
        let a = self.by_link(tx.conn(), token).await?;
        if !rt::may_change_arrival(a.state) || !rs::set_arrival(tx.conn(), a.id, at).await? {
            return Err(AppError::Conflict(ErrorCode::TransitionNotAllowed));
        }
        let mut entry = applicant(a.id).audit("return_arrival_change", OBJECT_TYPE, a.id);
        entry.role = "resident".to_owned();
        entry.community_id = Some(a.address.community_id);
        entry.before = Some(serde_json::json!({ "arrival_at": a.arrival_at }));
        entry.after = Some(serde_json::json!({ "arrival_at": at }));
        tx.commit_audited(entry).await?;
        Ok(())
    }
}

/// The date of a moment (ms) in time zone `tz`.
pub(crate) fn local_date(tz: &jiff::tz::TimeZone, ms: i64) -> jiff::civil::Date {
    Timestamp::from_millisecond(ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(tz.clone())
        .date()
}
