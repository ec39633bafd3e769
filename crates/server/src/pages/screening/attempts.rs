//! One household with the answer form and its call buttons, and recording an attempt.

use app::AppError;
use app::screening::AttemptInput;
use askama::Template;
use axum::Router;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use domain::calls::Purpose;
use domain::screening::{CampaignState, Contact, RawAnswer};
use store::registry::Resident;
use store::screening::{Attempt, Campaign, CampaignHousehold};

use crate::AppState;
use crate::pages::calls::{CallButton, call_buttons, targets_of};
use crate::web::{Chrome, Ctx, Form, FormErrors, OnPage, PageResult, Path, render};

use super::{FAILED_OUTCOMES, field, joined, with_status};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/screening/{id}/households/{hid}", get(household))
        .route("/screening/{id}/households/{hid}/attempts", post(record))
}

/// A member with the message of their answer, if it was refused.
struct MemberRow {
    r: Resident,
    status: String,
    origin: String,
    returned_on: String,
    error: String,
}

#[derive(Template)]
#[template(path = "screening_household.html")]
struct HouseholdPage {
    c: Chrome,
    campaign: Campaign,
    h: CampaignHousehold,
    members: Vec<MemberRow>,
    /// Each attempt with its local time and its method-outcome code.
    attempts: Vec<(Attempt, String, String)>,
    outcomes: [&'static str; 4],
    can_record: bool,
    /// A button per number the household is reached on, when the actor calls for it.
    calls: Vec<CallButton>,
    is_open: bool,
    key: String,
    method: String,
    at: String,
    error: String,
    back: String,
}

/// What the answer form sent, to show it again with its messages.
#[derive(Default)]
struct Sent {
    key: String,
    method: String,
    at: String,
    answers: Vec<RawAnswer>,
    error: Option<AppError>,
}

async fn household_page(ctx: &Ctx, id: i64, hid: i64, sent: Sent) -> PageResult {
    let c = ctx
        .app
        .screening_campaign(&ctx.actor, id)
        .await
        .on_page(ctx)?
        .campaign;
    let v = ctx
        .app
        .screening_household(&ctx.actor, id, hid)
        .await
        .on_page(ctx)?;
    let errors = sent
        .error
        .as_ref()
        .map(|e| FormErrors::from_app(e, ctx.t))
        .unwrap_or_default();
    let members = v
        .members
        .into_iter()
        .map(|r| {
            let a = sent.answers.iter().find(|a| a.resident_id == r.id);
            let error = ["travel_status", "origin", "returned_on", "resident_id"]
                .iter()
                .map(|f| errors.get(&format!("answers[{}].{f}", r.id)))
                .filter(|m| !m.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            MemberRow {
                status: a
                    .map(|a| a.travel_status.clone())
                    .unwrap_or_else(|| r.particulars.travel_status.code().to_owned()),
                origin: a.map(|a| a.origin.clone()).unwrap_or_default(),
                returned_on: a
                    .map(|a| a.returned_on.clone())
                    .or_else(|| r.particulars.returned_on.clone())
                    .unwrap_or_default(),
                error,
                r,
            }
        })
        .collect();
    let error = sent
        .error
        .as_ref()
        .map(|e| joined(e, ctx.t))
        .unwrap_or_default();
    let calls = if v.can_record {
        let targets = targets_of(ctx, Purpose::ScreeningCampaign, &[hid]).await;
        call_buttons(ctx, Purpose::ScreeningCampaign, id, targets.get(&hid))
    } else {
        Vec::new()
    };
    let res = render(&HouseholdPage {
        c: ctx.chrome(&v.household.address.to_string()),
        is_open: c.state == CampaignState::Open,
        back: format!("/screening/{id}/households"),
        campaign: c,
        attempts: v
            .attempts
            .into_iter()
            .map(|a| {
                let at = crate::pages::registry_time(&ctx.app, a.at);
                let code = format!("{}_{}", a.method.code(), a.outcome.code());
                (a, at, code)
            })
            .collect(),
        h: v.household,
        members,
        outcomes: FAILED_OUTCOMES,
        can_record: v.can_record,
        calls,
        key: if sent.key.is_empty() {
            app::crypto::new_token()
        } else {
            sent.key
        },
        method: if sent.method.is_empty() {
            "call".to_owned()
        } else {
            sent.method
        },
        at: sent.at,
        error: error.clone(),
    });
    Ok(with_status(res, &error))
}

async fn household(ctx: Ctx, Path((id, hid)): Path<(i64, i64)>) -> PageResult {
    household_page(&ctx, id, hid, Sent::default()).await
}

async fn record(
    ctx: Ctx,
    Path((id, hid)): Path<(i64, i64)>,
    Form(f): Form<Vec<(String, String)>>,
) -> PageResult {
    // The outcome button names the pair, e.g. `call_no_answer`; the answer form sends the
    // method it was set to and `answered`.
    let contact = field(&f, "contact");
    let (method, outcome) = match Contact::ALL.iter().find(|c| c.code() == contact) {
        Some(c) => (c.method.code().to_owned(), c.outcome.code().to_owned()),
        None => {
            let method = field(&f, "method").to_owned();
            let outcome = if method == "visit" { "met" } else { "answered" };
            (method, outcome.to_owned())
        }
    };
    let answers: Vec<RawAnswer> = f
        .iter()
        .filter_map(|(k, v)| {
            let rid = k.strip_prefix("status_")?.parse().ok()?;
            Some(RawAnswer {
                resident_id: rid,
                travel_status: v.clone(),
                origin: field(&f, &format!("origin_{rid}")).to_owned(),
                returned_on: field(&f, &format!("returned_{rid}")).to_owned(),
            })
        })
        .collect();
    let input = AttemptInput {
        method: method.clone(),
        outcome,
        at: field(&f, "at").to_owned(),
        notes: field(&f, "notes").to_owned(),
        idempotency_key: field(&f, "key").to_owned(),
        answers: answers.clone(),
    };
    match ctx
        .app
        .record_screening_attempt(&ctx.actor, id, hid, &input)
        .await
    {
        Ok(_) => {
            let back = field(&f, "back");
            // Back to the list the tap came from, at the household's place in it.
            let target = if back.starts_with(&format!("/screening/{id}/households"))
                && !back.contains("//")
            {
                back.to_owned()
            } else {
                format!("/screening/{id}/households/{hid}")
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(e @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            household_page(
                &ctx,
                id,
                hid,
                Sent {
                    key: input.idempotency_key,
                    method,
                    at: input.at,
                    answers,
                    error: Some(e),
                },
            )
            .await
        }
        Err(e) => Err(ctx.err(e)),
    }
}
