//! Submitting an application on the public page or through the API. What does not need the
//! writer is done first: the fields parsed, the destination and its gate read, and a client
//! already at its limit refused from a read. What must be decided together (the attempts
//! counted against the limits, the code, the duplicate check, the application and its audit
//! entry) is written in groups with the other submissions waiting (docs/decisions/0012).

use domain::returns::{self as rt, Existing};
use domain::validation::FieldErrors;
use jiff::Timestamp;
use store::WriteTx;
use store::registry::Home;
use store::returns::{self as rs, Limit, NewApplication};

use super::parse::Parsed;
use super::{
    ApplicationInput, Applied, OBJECT_TYPE, ReturnRules, applicant, code_hash, local_date,
};
use crate::crypto::{new_token, token_hash};
use crate::grouped::GroupedWrite;
use crate::registry::mask_phone;
use crate::{App, AppError, AppResult};

/// How long a client's attempts count: an hour.
const HOUR_MS: i64 = 3_600_000;
/// How long an ID number's attempts count: a day.
const DAY_MS: i64 = 86_400_000;

impl App {
    /// Submits an application from client address `client`.
    pub async fn apply_for_return(
        &self,
        input: &ApplicationInput,
        client: &str,
        now: Timestamp,
    ) -> AppResult<Applied> {
        let now_ms = now.as_millisecond();
        let mut errors = FieldErrors::new();
        let parsed = self.parse_application(input, &mut errors);
        let destination = {
            let mut conn = self.db.conn().await?;
            // Attempts only grow inside the hour, so a count already at the limit in a read is
            // at it in the write too: a flood from one client is refused without the writer.
            // Its refused attempts are not counted, as in the write below.
            if rs::attempts_since(&mut conn, Limit::Client, client, now_ms - HOUR_MS).await?
                >= self.settings.returns.attempts_per_client_per_hour
            {
                return Err(AppError::RateLimited {
                    retry_after_secs: HOUR_MS / 1000,
                });
            }
            // A household or gate changed meanwhile is as if the application came a moment
            // earlier; the household's key refuses one removed.
            match &parsed {
                Some(p) => match self.destination(&mut conn, input, p, &mut errors).await? {
                    Some(home) => {
                        let gate_id = rs::gate_for_building(&mut conn, home.building_id).await?;
                        Some((home, gate_id))
                    }
                    None => None,
                },
                None => None,
            }
        };
        let submission = Submission {
            limits: Limits::of(&self.settings.returns),
            time_zone: self.settings.time_zone.clone(),
            phone: input.phone.clone(),
            code: input.code.clone(),
            parsed,
            destination,
            errors,
            client: client.to_owned(),
            now_ms,
        };
        self.submissions.write(&self.db, submission).await
    }
}

/// The limits a submission is decided by.
#[derive(Clone, Copy)]
struct Limits {
    code_failures: i64,
    attempts_per_client_per_hour: i64,
    attempts_per_document_per_day: i64,
}

impl Limits {
    fn of(rules: &ReturnRules) -> Limits {
        Limits {
            code_failures: rules.code_failures,
            attempts_per_client_per_hour: rules.attempts_per_client_per_hour,
            attempts_per_document_per_day: rules.attempts_per_document_per_day,
        }
    }
}

/// A submission as the writer takes it: read and parsed, to be decided with the others. It
/// holds the limits and the time zone, not the application, so a waiting one stays small.
pub(crate) struct Submission {
    limits: Limits,
    time_zone: jiff::tz::TimeZone,
    phone: String,
    code: String,
    parsed: Option<Parsed>,
    /// The household and its gate, when found.
    destination: Option<(Home, Option<i64>)>,
    /// What parsing and the destination refused.
    errors: FieldErrors,
    client: String,
    now_ms: i64,
}

impl GroupedWrite for Submission {
    type Output = Applied;

    async fn write(&self, tx: &mut WriteTx) -> Result<AppResult<Applied>, AppError> {
        let rules = self.limits;
        let now_ms = self.now_ms;
        if !rs::attempt_within(
            tx.conn(),
            Limit::Client,
            &self.client,
            now_ms,
            now_ms - HOUR_MS,
            rules.attempts_per_client_per_hour,
        )
        .await?
        {
            // Nothing was counted: there is nothing to keep.
            return Err(AppError::RateLimited {
                retry_after_secs: HOUR_MS / 1000,
            });
        }
        if let Some(p) = &self.parsed {
            let subject = hex::encode(&p.travellers[0].document_index);
            if !rs::attempt_within(
                tx.conn(),
                Limit::Document,
                &subject,
                now_ms,
                now_ms - DAY_MS,
                rules.attempts_per_document_per_day,
            )
            .await?
            {
                // The client's attempt counted above is kept: a refused flood still counts.
                return Ok(Err(AppError::RateLimited {
                    retry_after_secs: DAY_MS / 1000,
                }));
            }
        }
        // A complete application spends its code in one statement. Otherwise the code is
        // checked to say why, even when other fields are wrong, so a wrong one counts.
        let mut e = self.errors.clone();
        let spent = match (&self.parsed, &self.destination) {
            (Some(p), Some(_)) if e.is_empty() => {
                rs::spend_code(
                    tx.conn(),
                    &p.phone,
                    &code_hash(&p.phone, &self.code),
                    rules.code_failures,
                    now_ms,
                )
                .await?
            }
            _ => None,
        };
        if spent.is_none() {
            self.refuse_code(tx, &mut e).await?;
        }
        let (Some(p), Some((home, gate_id)), Some(_), true) =
            (&self.parsed, &self.destination, spent, e.is_empty())
        else {
            // Attempts and a wrong code's count are kept; nothing else is written.
            return Ok(Err(AppError::Validation(if e.is_empty() {
                FieldErrors::single("code", "code_wrong")
            } else {
                e
            })));
        };
        if let Some(id) = self.duplicate(tx, p).await? {
            let token = self.relink_duplicate(tx, id, &p.phone).await?;
            return Ok(Ok(Applied::Duplicate { id, token }));
        }
        let token = new_token();
        let id = self.insert(tx, p, home, *gate_id, &token).await?;
        Ok(Ok(Applied::New { id, token }))
    }
}

impl Submission {
    /// Why a code that was not spent is refused: none live, spent by wrong tries, or wrong (a
    /// wrong one counts against the live code).
    async fn refuse_code(&self, tx: &mut WriteTx, e: &mut FieldErrors) -> AppResult<()> {
        let Ok(phone) = domain::phone::MobilePhone::parse(&self.phone) else {
            return Ok(());
        };
        let Some(live) = rs::live_code(tx.conn(), phone.as_str(), self.now_ms).await? else {
            e.add("code", "code_expired", "");
            return Ok(());
        };
        if live.failures >= self.limits.code_failures {
            e.add("code", "code_expired", "");
        } else if code_hash(phone.as_str(), &self.code) != live.code_hash {
            rs::code_failed(tx.conn(), live.id).await?;
            e.add("code", "code_wrong", "");
        }
        Ok(())
    }

    /// A fresh personal link to an existing application when the confirmed phone is its own;
    /// the previous link stops working. Audited.
    async fn relink_duplicate(
        &self,
        tx: &mut WriteTx,
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
        entry.community_id = Some(a.address.community_id);
        tx.audit(entry).await?;
        Ok(Some(token))
    }

    /// The application of the same trip of any traveller, which refuses the whole one.
    async fn duplicate(&self, tx: &mut WriteTx, p: &Parsed) -> AppResult<Option<i64>> {
        let arrival_day = local_date(&self.time_zone, p.arrival_at);
        for t in &p.travellers {
            let trips = rs::trips_of(tx.conn(), &t.document_index).await?;
            let existing: Vec<Existing> = trips
                .iter()
                .map(|tr| Existing {
                    application_id: tr.id,
                    state: tr.state,
                    arrival: local_date(&self.time_zone, tr.arrival_at),
                })
                .collect();
            if let Some(id) = rt::duplicate_of(arrival_day, &existing) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Stores the application with its travellers and its audit entry.
    async fn insert(
        &self,
        tx: &mut WriteTx,
        p: &Parsed,
        home: &Home,
        gate_id: Option<i64>,
        token: &str,
    ) -> AppResult<i64> {
        let new = NewApplication {
            home: *home,
            gate_id,
            phone: p.phone.clone(),
            employer: p.employer.clone(),
            employer_address: p.employer_address.clone(),
            origin: p.origin.clone(),
            means: p.means,
            trip: p.trip.clone(),
            arrival_at: p.arrival_at,
            link_hash: token_hash(token),
            client: self.client.clone(),
            travellers: p.travellers.clone(),
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
        tx.audit(a).await?;
        Ok(id)
    }
}
