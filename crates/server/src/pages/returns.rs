//! Return to work on the staff's side: the arrivals expected today and tomorrow by gate and
//! hour, finding an applicant, one application with its verification form, and the lead's
//! throughput as a chart with an export for the street office.

mod chart;
mod public;

use app::returns::{Throughput, VerificationInput};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use domain::returns::{self as rt, State, Transition};
use serde::Deserialize;
use store::returns::{Application, Traveller, VerificationRecord};

use crate::AppState;
use crate::pages::registry_time;
use crate::web::{
    Ctx, Form, FormErrors, OnPage, PageResult, Path, after_step, download, invalid_or_conflicting,
    redirect, render, render_form,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/returns", get(list))
        .route("/returns/throughput", get(throughput))
        .route("/returns/throughput.csv", get(throughput_csv))
        .route("/returns/{id}", get(detail))
        .route("/returns/{id}/transition", post(transition))
        .route("/returns/{id}/verify", post(verify))
        .merge(public::routes())
}

/// An application as a list row shows it.
struct Row {
    id: i64,
    time: String,
    name: String,
    document: String,
    companions: i64,
    origin: String,
    trip: String,
    home: String,
    state: String,
    state_code: &'static str,
}

fn row(ctx: &Ctx, a: &Application) -> Row {
    let time = registry_time(&ctx.app, a.arrival_at);
    Row {
        id: a.id,
        time: time.get(..16).unwrap_or_default().to_owned(),
        name: a.name.clone(),
        document: a.document_masked.clone(),
        companions: a.companions,
        origin: app::registry::origin_name(Some(&a.origin), ctx.t.lang.regions()),
        trip: format!("{} {}", ctx.t.of("return_means", a.means.code()), a.trip),
        home: a.address.to_string(),
        state: ctx.t.of("return_state", a.state.code()),
        state_code: a.state.code(),
    }
}

/// The arrivals of one gate in one hour.
struct Hour {
    gate: String,
    hour: String,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "returns_list.html")]
struct ListPage {
    c: crate::web::Chrome,
    q: String,
    found: Vec<Row>,
    searched: bool,
    hours: Vec<Hour>,
    can_oversee: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    gate: Option<i64>,
}

async fn list(ctx: Ctx, Query(p): Query<ListQuery>) -> PageResult {
    let expected = ctx
        .app
        .expected_returns(&ctx.actor, ctx.app.today(), 2, p.gate)
        .await
        .on_page(&ctx)?;
    let mut hours: Vec<Hour> = Vec::new();
    for a in &expected {
        let r = row(&ctx, a);
        let gate = if a.gate_name.is_empty() {
            ctx.t.get("returns.any_gate").to_owned()
        } else {
            a.gate_name.clone()
        };
        let hour = format!("{}:00", r.time.get(..13).unwrap_or_default());
        match hours.last_mut() {
            Some(h) if h.gate == gate && h.hour == hour => h.rows.push(r),
            _ => hours.push(Hour {
                gate,
                hour,
                rows: vec![r],
            }),
        }
    }
    let found = if p.q.trim().is_empty() {
        Vec::new()
    } else {
        ctx.app
            .search_returns(&ctx.actor, &p.q)
            .await
            .on_page(&ctx)?
            .iter()
            .map(|a| row(&ctx, a))
            .collect()
    };
    Ok(render(&ListPage {
        c: ctx.chrome(ctx.t.get("returns.title")),
        searched: !p.q.trim().is_empty(),
        q: p.q,
        found,
        hours,
        can_oversee: rt::can_oversee(ctx.actor.role),
    }))
}

#[derive(Template)]
#[template(path = "returns_application.html")]
struct DetailPage {
    c: crate::web::Chrome,
    a: Application,
    r: Row,
    travellers: Vec<Traveller>,
    verifications: Vec<(VerificationRecord, String, Vec<String>)>,
    history: Vec<(String, String, String)>,
    can_verify: bool,
    can_expect: bool,
    can_arrive: bool,
    can_refuse: bool,
    errors: FormErrors,
    v: VerificationInput,
    colours: Vec<&'static str>,
}

async fn detail(ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    detail_page(&ctx, id, FormErrors::default(), None).await
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
    entered: Option<VerificationInput>,
) -> PageResult {
    let (a, travellers, verifications, history) = ctx
        .app
        .return_application(&ctx.actor, id)
        .await
        .on_page(ctx)?;
    let role = ctx.actor.role;
    let verifications = verifications
        .into_iter()
        .map(|v| {
            let at = registry_time(&ctx.app, v.verified_at);
            let reasons = v
                .refusals
                .split_whitespace()
                .map(|c| ctx.t.of("refusal", c))
                .collect();
            (v, at, reasons)
        })
        .collect();
    let history = history
        .into_iter()
        .map(|h| {
            (
                registry_time(&ctx.app, h.at),
                ctx.t.of("action", &h.action),
                h.account_name,
            )
        })
        .collect();
    let refused = !errors.is_empty();
    let v = entered.unwrap_or_else(|| VerificationInput {
        health_code: "green".to_owned(),
        itinerary_code: "green".to_owned(),
        visited_regions: app::registry::origin_field(Some(&a.origin), ctx.t.lang.regions()),
        decision: "approve".to_owned(),
        ..VerificationInput::default()
    });
    let page = DetailPage {
        c: ctx.chrome(&format!("{} {}", ctx.t.get("returns.number"), a.id)),
        r: row(ctx, &a),
        can_verify: rt::can_decide(role)
            && matches!(a.state, State::Submitted | State::Expected | State::Arrived),
        can_expect: rt::can_verify(role) && a.state == State::Submitted,
        can_arrive: rt::can_verify(role) && a.state.is_pending(),
        can_refuse: rt::can_decide(role) && a.state.is_pending(),
        a,
        travellers,
        verifications,
        history,
        errors,
        v,
        colours: vec!["green", "yellow", "red"],
    };
    Ok(render_form(&page, refused))
}

#[derive(Deserialize)]
struct TransitionForm {
    transition: String,
    #[serde(default)]
    reason: String,
}

async fn transition(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<TransitionForm>) -> PageResult {
    let t = Transition::from_code(f.transition.trim())
        .ok_or(app::AppError::NotFound)
        .on_page(&ctx)?;
    let outcome = ctx
        .app
        .transition_return(&ctx.actor, id, t, &f.reason)
        .await;
    match outcome {
        Err(e) if invalid_or_conflicting(&e) => {
            detail_page(&ctx, id, FormErrors::from_app(&e, ctx.t), None).await
        }
        other => after_step(&ctx, other, &format!("/returns/{id}")),
    }
}

/// The verification form: checkboxes repeat, so it is read as pairs.
async fn verify(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let f = |k: &str| crate::pages::checks::field(&pairs, k).to_owned();
    let input = VerificationInput {
        health_code: f("health_code"),
        itinerary_code: f("itinerary_code"),
        visited_regions: f("visited_regions"),
        certificate_seen: f("certificate_seen") == "1",
        test_taken_on: f("test_taken_on"),
        test_institution: f("test_institution"),
        test_result: f("test_result"),
        temperature: f("temperature"),
        decision: f("decision"),
        reason: f("reason"),
        doctor_id: f("doctor_id").parse().ok(),
    };
    match ctx.app.verify_return(&ctx.actor, id, &input).await {
        Ok(_) => Ok(redirect(&format!("/returns/{id}"))),
        Err(e) if invalid_or_conflicting(&e) => {
            detail_page(&ctx, id, FormErrors::from_app(&e, ctx.t), Some(input)).await
        }
        Err(e) => Err(ctx.err(e)),
    }
}

#[derive(Deserialize, Default)]
struct PeriodQuery {
    #[serde(default)]
    days: Option<i64>,
}

#[derive(Template)]
#[template(path = "returns_throughput.html")]
struct ThroughputPage {
    c: crate::web::Chrome,
    t: Throughput,
    days: i64,
    chart: String,
}

async fn throughput(ctx: Ctx, Query(p): Query<PeriodQuery>) -> PageResult {
    let days = p.days.unwrap_or(14).clamp(1, 92);
    let t = ctx
        .app
        .return_throughput(&ctx.actor, ctx.app.today(), days)
        .await
        .on_page(&ctx)?;
    let chart = chart::svg(ctx.t, &t);
    Ok(render(&ThroughputPage {
        c: ctx.chrome(ctx.t.get("returns.throughput")),
        t,
        days,
        chart,
    }))
}

async fn throughput_csv(ctx: Ctx, Query(p): Query<PeriodQuery>) -> PageResult {
    let days = p.days.unwrap_or(31).clamp(1, 92);
    let csv = ctx
        .app
        .return_throughput_csv(&ctx.actor, ctx.app.today(), days)
        .await
        .on_page(&ctx)?;
    let name = format!("returns-{}.csv", ctx.app.today());
    Ok(download("text/csv; charset=utf-8", &name, csv.into_bytes()).into_response())
}
