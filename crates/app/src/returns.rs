//! Return to work (C5): the public application page's use cases. A returning resident applies
//! without an account: the phone is confirmed by a one-time code sent through a
//! [`MessageSender`], the ID numbers are checked as the registry checks them, attempts are
//! limited per client and per ID, and a duplicate of a trip under way is refused. The applicant
//! follows the application through a personal link whose hash alone is stored.

use domain::returns::{self as rt, Existing, State, Transition};
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::returns::{self as rs, Application, Limit, NewApplication};

use crate::crypto::{new_token, random_bytes, token_hash};
use crate::registry::mask_phone;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

mod decide;
mod parse;
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

/// Whether a token looks like one (43 characters of base64url), before any lookup.
fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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

    /// Submits an application from client address `client`.
    ///
    /// What does not need the one writer is done before taking it: the fields parsed, the
    /// destination and its gate read, and a client already at its limit refused from a read.
    /// The write transaction then holds only what must be decided together: the attempts
    /// counted against the limits, the code, the duplicate check, the application and its
    /// audit entry.
    pub async fn apply_for_return(
        &self,
        input: &ApplicationInput,
        client: &str,
        now: Timestamp,
    ) -> AppResult<Applied> {
        let rules = &self.settings.returns;
        let now_ms = now.as_millisecond();
        let hour = now_ms - 3_600_000;
        let mut e = FieldErrors::new();
        let parsed = self.parse_application(input, &mut e);
        let destination = {
            let mut conn = self.db.conn().await?;
            // Attempts only grow inside the hour, so a count already at the limit in a read is
            // at it in the write too: a flood from one client is refused without the writer.
            // Its refused attempts are not counted, as in the write below.
            if rs::attempts_since(&mut conn, Limit::Client, client, hour).await?
                >= rules.attempts_per_client_per_hour
            {
                return Err(AppError::RateLimited {
                    retry_after_secs: 3600,
                });
            }
            // A household or gate changed meanwhile is as if the application came a moment
            // earlier; the household's key refuses one removed.
            match &parsed {
                Some(p) => match self.destination(&mut conn, input, p, &mut e).await? {
                    Some(home) => {
                        let gate_id = rs::gate_for_building(&mut conn, home.building_id).await?;
                        Some((home, gate_id))
                    }
                    None => None,
                },
                None => None,
            }
        };
        let mut tx = self.db.write().await?;
        if !rs::attempt_within(
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
        if let Some(p) = &parsed {
            let subject = hex::encode(&p.travellers[0].document_index);
            if !rs::attempt_within(
                tx.conn(),
                Limit::Document,
                &subject,
                now_ms,
                now_ms - 86_400_000,
                rules.attempts_per_document_per_day,
            )
            .await?
            {
                // The client's attempt counted above is kept: a refused flood still counts.
                tx.commit().await?;
                return Err(AppError::RateLimited {
                    retry_after_secs: 86_400,
                });
            }
        }
        // A complete application spends its code in one statement. Otherwise the code is
        // checked to say why, even when other fields are wrong, so a wrong one counts.
        let spent = match (&parsed, &destination) {
            (Some(p), Some(_)) if e.is_empty() => {
                rs::spend_code(
                    tx.conn(),
                    &p.phone,
                    &code_hash(&p.phone, &input.code),
                    rules.code_failures,
                    now_ms,
                )
                .await?
            }
            _ => None,
        };
        if spent.is_none() {
            self.refuse_code(&mut tx, &input.phone, &input.code, now_ms, &mut e)
                .await?;
        }
        let (Some(p), Some((home, gate_id)), Some(_), true) =
            (parsed, destination, spent, e.is_empty())
        else {
            // Attempts and a wrong code's count are kept; nothing else is written.
            tx.commit().await?;
            return Err(AppError::Validation(if e.is_empty() {
                FieldErrors::single("code", "code_wrong")
            } else {
                e
            }));
        };
        // A duplicate of any traveller's trip refuses the whole application.
        let arrival_day = self.local_date(p.arrival_at);
        for t in &p.travellers {
            let trips = rs::trips_of(tx.conn(), &t.document_index).await?;
            let existing: Vec<Existing> = trips
                .iter()
                .map(|tr| Existing {
                    application_id: tr.id,
                    state: tr.state,
                    arrival: self.local_date(tr.arrival_at),
                })
                .collect();
            if let Some(id) = rt::duplicate_of(arrival_day, &existing) {
                let token = self.relink_duplicate(&mut tx, id, &p.phone).await?;
                tx.commit().await?;
                return Ok(Applied::Duplicate { id, token });
            }
        }
        let token = new_token();
        let new = NewApplication {
            community_id: home.community_id,
            household_id: home.household_id,
            building_id: home.building_id,
            grid_id: home.grid_id,
            gate_id,
            phone: p.phone.clone(),
            employer: p.employer.clone(),
            employer_address: p.employer_address.clone(),
            origin: p.origin.clone(),
            means: p.means,
            trip: p.trip.clone(),
            arrival_at: p.arrival_at,
            link_hash: token_hash(&token),
            client: client.to_owned(),
            travellers: p.travellers,
        };
        let id = rs::insert_application(tx.conn(), &new).await?;
        let mut a = applicant(id).audit("return_apply", OBJECT_TYPE, id);
        a.role = "resident".to_owned();
        a.community_id = Some(home.community_id);
        a.after = Some(serde_json::json!({
            "household_id": home.household_id, "name": new.travellers[0].name,
            "document": new.travellers[0].document_masked, "phone": mask_phone(&new.phone),
            "origin": new.origin, "means": new.means.code(), "trip": new.trip,
            "arrival_at": new.arrival_at, "companions": new.travellers.len() - 1,
            "gate_id": gate_id,
        }));
        tx.commit_audited(a).await?;
        Ok(Applied::New { id, token })
    }

    /// Why a code that was not spent is refused: none live, spent by wrong tries, or wrong (a
    /// wrong one counts against the live code).
    async fn refuse_code(
        &self,
        tx: &mut store::WriteTx,
        phone: &str,
        code: &str,
        now_ms: i64,
        e: &mut FieldErrors,
    ) -> AppResult<()> {
        let Ok(phone) = domain::phone::MobilePhone::parse(phone) else {
            return Ok(());
        };
        let Some(live) = rs::live_code(tx.conn(), phone.as_str(), now_ms).await? else {
            e.add("code", "code_expired", "");
            return Ok(());
        };
        if live.failures >= self.settings.returns.code_failures {
            e.add("code", "code_expired", "");
        } else if code_hash(phone.as_str(), code) != live.code_hash {
            rs::code_failed(tx.conn(), live.id).await?;
            e.add("code", "code_wrong", "");
        }
        Ok(())
    }

    /// A fresh personal link to an existing application when the confirmed phone is its own;
    /// the previous link stops working. Audited.
    async fn relink_duplicate(
        &self,
        tx: &mut store::WriteTx,
        id: i64,
        phone: &str,
    ) -> AppResult<Option<String>> {
        let a = rs::application(tx.conn(), &domain::access::Jurisdiction::ALL, id).await?;
        if a.phone != phone {
            return Ok(None);
        }
        let token = new_token();
        rs::set_link(tx.conn(), id, &token_hash(&token)).await?;
        let mut entry = applicant(id).audit("return_relink", OBJECT_TYPE, id);
        entry.role = "resident".to_owned();
        entry.community_id = Some(a.community_id);
        tx.audit(entry).await?;
        Ok(Some(token))
    }

    /// The local date of a moment (ms).
    pub(crate) fn local_date(&self, ms: i64) -> jiff::civil::Date {
        Timestamp::from_millisecond(ms)
            .unwrap_or(Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(self.settings.time_zone.clone())
            .date()
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
        entry.community_id = Some(a.community_id);
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
        entry.community_id = Some(a.community_id);
        entry.before = Some(serde_json::json!({ "arrival_at": a.arrival_at }));
        entry.after = Some(serde_json::json!({ "arrival_at": at }));
        tx.commit_audited(entry).await?;
        Ok(())
    }
}
