//! Every route of the API that is not in the registry table, for every role, inside and outside
//! its jurisdiction, as one table; and a check that the two tables name every documented route,
//! so a new route cannot be left out.

use app::App;
use axum::http::Method;
use domain::access::Role;
use serde_json::{Value, json};

use super::calls::{Request, fresh_token_id, id_of, outcome};
use super::world::{World, import, lead, world};
use super::{G1, OUTSIDE, ROUTES, Row, mismatches, parse_table, render_table};
use crate::http::Client;
use crate::support::{Fixture, PASSWORD, TestDb, citizen_id, raw_resident};

/// The expected outcome of each route for each role, as `inside/outside`, read as in the
/// registry table ([`super::EXPECTED`]): the inside object is in grid 1 of Minsheng Road
/// Community, the outside one is the nearest place the role does not reach.
///
/// `200` for a list means the inside (or outside) object is in it, `200-` that the list answered
/// without it. `409` means the role may act and found the object, whose state refused the step
/// (the same object is acted on by each role in turn, left to right). A route followed by
/// `:other_team` reads a household of a screening team the caller is not in (inside: in grid 1,
/// inside every jurisdiction that has grid 1); `:other_volunteer` a task assigned to another
/// volunteer of grid 1. `POST /calls` calls the place's resident for the campaign's household,
/// `:quarantine_order` for the place's order, `:delivery` for the place's delivery: the staff's
/// steps below cancel it, so the roles after staff are refused a call for a task ended (`403`).
/// An application the staff admitted is no longer expected, so the roles after staff find the
/// expected arrivals without it (`200-`). The applicant's routes need no account: the first
/// caller to reach a place's link withdraws the application, so the callers after are refused
/// a change of arrival and a second withdrawal (`409`).
const EXPECTED: &str = "
route                                                              admin     official  staff     grid_wkr  guard     doctor    volunteer cdc       auditor
GET    /me                                                         200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
GET    /passes/keys                                                200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
GET    /regions                                                    200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
POST   /tokens                                                     201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201
GET    /me/tokens                                                  200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
DELETE /me/tokens/{id}                                             204/204   204/204   204/204   204/204   204/204   204/204   204/204   204/204   204/204
DELETE /me/tokens/{id}:other_account                               404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404
GET    /notifications                                              200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
POST   /notifications/{id}/read                                    200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
POST   /notifications/{id}/read:other_account                      404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404   404/404
POST   /notifications/read                                         200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
GET    /accounts                                                   200/200   403/403   403/403   403/403   403/403   403/403   403/403   403/403   403/403
POST   /accounts                                                   201/201   403/403   403/403   403/403   403/403   403/403   403/403   403/403   403/403
PUT    /accounts/{id}                                              204/204   403/403   403/403   403/403   403/403   403/403   403/403   403/403   403/403
GET    /audit                                                      200/200   403/403   403/403   403/403   403/403   403/403   403/403   403/403   200/200
GET    /audit/verify                                               200/200   403/403   403/403   403/403   403/403   403/403   403/403   403/403   200/200
POST   /communities                                                201/201   403/403   403/403   403/403   403/403   403/403   403/403   403/403   403/403
PATCH  /communities/{id}                                           204/204   403/403   403/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /communities/{id}/grids                                     201/201   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
PATCH  /grids/{id}                                                 204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /grids/{id}/buildings                                       201/201   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
PATCH  /buildings/{id}                                             204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
PATCH  /units/{id}                                                 204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
PATCH  /households/{id}                                            204/204   403/403   204/404   204/404   403/403   403/403   403/403   403/403   403/403
DELETE /residents/{id}                                             204/204   403/403   204/404   204/404   403/403   403/403   403/403   403/403   403/403
POST   /imports                                                    201/201   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /imports/structure                                          201/201   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /passes/keys/rotate                                         201/201   403/403   403/403   403/403   403/403   403/403   403/403   403/403   403/403
GET    /imports/{id}                                               200/200   403/403   200/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /imports/{id}/rejects                                       200/200   403/403   200/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /assignees                                                  403/403   403/403   200/404   200/404   403/403   200/404   403/403   403/403   403/403
GET    /quarantine-orders                                          200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  403/403
POST   /quarantine-orders                                          403/403   403/403   422/404   422/404   403/403   422/404   403/403   403/403   403/403
GET    /quarantine-orders/{id}                                     200/200   200/404   200/404   200/404   403/403   200/404   403/403   200/404   403/403
PATCH  /quarantine-orders/{id}                                     403/403   403/403   204/404   204/404   403/403   204/404   403/403   403/403   403/403
POST   /quarantine-orders/{id}/duration                            403/403   403/403   204/404   204/404   403/403   204/404   403/403   403/403   403/403
POST   /quarantine-orders/{id}/transition                          403/403   403/403   409/404   409/404   403/403   409/404   403/403   403/403   403/403
GET    /quarantine-orders/{id}/checks                              200/200   200/404   200/404   200/404   403/403   200/404   403/403   200/404   403/403
POST   /calls:quarantine_order                                     403/403   403/403   200/404   200/404   403/403   200/404   403/403   403/403   403/403
POST   /quarantine-orders/{id}/checks                              403/403   403/403   201/404   201/404   403/403   201/404   403/403   403/403   403/403
POST   /quarantine-orders/{id}/self-report-link                    403/403   403/403   201/404   201/404   403/403   201/404   403/403   403/403   403/403
DELETE /quarantine-orders/{id}/self-report-link                    403/403   403/403   204/404   204/404   403/403   204/404   403/403   403/403   403/403
POST   /self-reports/{token}                                       201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201
GET    /alerts                                                     200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  403/403
POST   /alerts/{id}/acknowledge                                    403/403   403/403   204/404   409/404   403/403   409/404   403/403   403/403   403/403
POST   /alerts/{id}/resolve                                        403/403   403/403   204/404   409/404   403/403   409/404   403/403   403/403   403/403
GET    /worklist                                                   200/200   200/200   200/200   200/200   403/403   200/200   403/403   200/200   403/403
GET    /task-volunteers                                            200/200   200/200-  200/200-  200-/200- 403/403   200/200-  403/403   200/200-  403/403
POST   /delivery-tasks/generate                                    200/200   403/403   200/200   200/200   403/403   403/403   403/403   403/403   403/403
GET    /delivery-tasks                                             200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  403/403
GET    /delivery-tasks/{id}                                        200/200   200/404   200/404   200/404   403/403   200/404   200/404   200/404   403/403
GET    /delivery-tasks/{id}:other_volunteer                        200/200   200/404   200/404   200/404   403/403   200/404   404/404   200/404   403/403
POST   /calls:delivery                                             403/403   403/403   200/404   403/404   403/403   403/403   403/404   403/403   403/403
POST   /delivery-tasks/{id}/assign                                 403/403   403/403   204/404   409/404   403/403   403/403   403/403   403/403   403/403
POST   /delivery-tasks/{id}/ask                                    403/403   403/403   204/404   409/404   403/403   403/403   409/404   403/403   403/403
POST   /delivery-tasks/{id}/deliver                                403/403   403/403   204/404   409/404   403/403   403/403   409/404   403/403   403/403
POST   /delivery-tasks/{id}/confirm                                403/403   403/403   204/404   409/404   403/403   403/403   409/404   403/403   403/403
POST   /delivery-tasks/{id}/cancel                                 403/403   403/403   204/404   409/404   403/403   403/403   403/403   403/403   403/403
POST   /rubbish-rounds/open                                        200/200   403/403   200/200   200/200   403/403   403/403   403/403   403/403   403/403
GET    /rubbish-rounds                                             200/200   200/200-  200/200-  200/200-  403/403   200/200-  200/200-  200/200-  403/403
GET    /rubbish-rounds/{id}                                        200/200   200/404   200/404   200/404   403/403   200/404   200/404   200/404   403/403
GET    /rubbish-rounds/{id}:other_volunteer                        200/200   200/404   200/404   200/404   403/403   200/404   404/404   200/404   403/403
POST   /rubbish-rounds/{id}/assign                                 403/403   403/403   204/404   204/404   403/403   403/403   403/403   403/403   403/403
POST   /rubbish-rounds/{id}/stops/{stop_id}                        403/403   403/403   200/404   200/404   403/403   403/403   200/404   403/403   403/403
POST   /rubbish-rounds/{id}/done                                   403/403   403/403   409/404   409/404   403/403   403/403   409/404   403/403   403/403
GET    /screening-campaigns                                        200/200   200/200-  200/200-  200/200   403/403   403/403   200/200-  403/403   403/403
POST   /screening-campaigns                                        403/403   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /screening-campaigns/{id}                                   200/200   200/404   200/404   200/200   403/403   403/403   200/404   403/403   403/403
POST   /screening-campaigns/{id}/state                             403/403   403/403   409/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /screening-campaigns/{id}/teams                             403/403   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
PUT    /screening-teams/{id}/members                               403/403   403/404   204/404   403/403   403/403   403/403   403/404   403/403   403/403
POST   /screening-campaigns/{id}/assign                            403/403   403/403   200/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /screening-campaigns/{id}/households                        200/200   200/404   200/404   200/200-  403/403   403/403   200/404   403/403   403/403
GET    /screening-campaigns/{id}/households:other_team             200/200   200/404   200/404   403/200-  403/403   403/403   403/404   403/403   403/403
GET    /screening-campaigns/{id}/households/{household_id}         200/200   200/404   200/404   200/404   403/403   403/403   200/404   403/403   403/403
GET    /screening-campaigns/{id}/households/{household_id}:other_team 200/200   200/404   200/404   404/404   403/403   403/403   404/404   403/403   403/403
POST   /screening-campaigns/{id}/households/{household_id}/phone   403/403   403/403   200/404   200/404   403/403   403/403   403/403   403/403   403/403
POST   /calls                                                      403/403   403/403   200/404   200/404   403/403   403/403   200/404   403/403   403/403
POST   /screening-attempts                                         403/403   403/403   201/404   201/404   403/403   403/403   201/404   403/403   403/403
GET    /screening-campaigns/{id}/progress                          200/200   200/404   200/404   200/200   403/403   403/403   200/404   403/403   403/403
GET    /screening-campaigns/{id}/export                            200/200   200/404   200/404   200/200   403/403   403/403   403/403   403/403   403/403
GET    /gates                                                      200/200   200/200-  200/200-  403/403   200/200-  403/403   403/403   200/200-  200/200
POST   /communities/{id}/gates                                     201/201   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /gates/{id}                                                 200/200   200/404   200/404   403/403   200/404   403/403   403/403   200/404   200/200
PUT    /gates/{id}                                                 204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /gates/{id}/state                                           204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /gates/{id}/shifts                                          201/422   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /me/shifts                                                  403/403   403/403   200/200   403/403   200/200   403/403   403/403   403/403   403/403
POST   /gates/{id}/passages                                        403/403   403/403   201/404   403/403   201/404   403/403   403/403   403/403   403/403
POST   /gates/{id}/visitors                                        403/403   403/403   201/404   403/403   201/404   403/403   403/403   403/403   403/403
POST   /gates/{id}/visitor-lookup                                  403/403   403/403   200/404   403/403   200/404   403/403   403/403   403/403   403/403
GET    /gates/{id}/revocations                                     403/403   403/403   200/404   403/403   200/404   403/403   403/403   403/403   403/403
GET    /gates/{id}/traffic                                         200/200   200/404   200/404   403/403   200/404   403/403   403/403   200/404   200/200
GET    /passages                                                   200/200   200/200-  200/200-  403/403   200/404   403/403   403/403   200/200-  200/200
GET    /passages/override-counts                                   200/200   200/200   200/200   403/403   403/403   403/403   403/403   200/200   200/200
DELETE /gate-shifts/{id}                                           204/204   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /passes                                                     200/200   200/200-  200/200-  200/200-  403/403   403/403   403/403   403/403   200/200
POST   /passes                                                     403/403   403/403   201/404   201/404   403/403   403/403   403/403   403/403   403/403
POST   /passes/batch                                               403/403   403/403   200/404   200/404   403/403   403/403   403/403   403/403   403/403
GET    /passes/{id}                                                200/200   200/404   200/404   200/404   403/403   403/403   403/403   403/403   200/200
GET    /passes/{id}/code                                           200/200   200/404   200/404   200/404   403/403   403/403   403/403   403/403   200/200
POST   /passes/{id}/reissue                                        403/403   403/403   201/404   409/404   403/403   403/403   403/403   403/403   403/403
POST   /passes/{id}/revoke                                         403/403   403/403   204/404   409/404   403/403   403/403   403/403   403/403   403/403
POST   /passes/{id}/link                                           403/403   403/403   201/404   201/404   403/403   403/403   403/403   403/403   403/403
GET    /cases                                                      200/200   200/200-  200/200-  200/200-  403/403   200/200-  403/403   200/200-  200/200
POST   /cases                                                      201/201   403/403   201/404   403/403   403/403   201/404   403/403   201/404   403/403
GET    /cases/{id}                                                 200/200   200/404   200/404   200/404   403/403   200/404   403/403   200/404   200/200
POST   /cases/{id}/movements                                       201/201   403/403   201/404   403/403   403/403   201/404   403/403   201/404   403/403
POST   /cases/{id}/decision                                        200/200   403/403   409/404   403/403   403/403   403/403   403/403   409/404   403/403
POST   /cases/{id}/report-sent                                     204/204   403/403   204/404   403/403   403/403   204/404   403/403   204/404   403/403
POST   /cases/{id}/end                                             200/200   403/403   200/404   403/403   403/403   403/403   403/403   200/404   403/403
GET    /cases/{id}/contacts                                        403/403   403/403   200/404   403/403   403/403   403/403   403/403   200/404   403/403
POST   /cases/{id}/follow-up                                       403/403   403/403   422/404   403/403   403/403   403/403   403/403   422/404   403/403
GET    /cases/{id}/followed-contacts                               403/403   403/403   200/404   403/403   403/403   403/403   403/403   200/404   200/200
POST   /disinfections/{id}/done                                    403/403   403/403   204/404   409/404   403/403   403/403   409/404   403/403   403/403
GET    /communities/{id}/control-level                             200/200   200/404   200/404   200/200   200/404   200/404   200/404   200/404   200/200
PUT    /communities/{id}/control-level                             204/204   403/403   204/404   403/403   403/403   403/403   403/403   204/404   403/403
GET    /communities/{id}/today                                     200/200   200/404   200/404   403/403   200/404   200/404   200/404   200/404   200/200
GET    /returns/expected                                           200/200   200/200-  200/200-  200-/200- 200-/200- 200-/200- 403/403   403/403   403/403
GET    /returns                                                    200/200   200/200-  200/200-  200/200-  200/200-  200/200-  403/403   403/403   403/403
GET    /returns/{id}                                               200/200   200/404   200/404   200/404   200/404   200/404   403/403   403/403   403/403
POST   /returns/{id}/transition                                    403/403   403/403   200/404   409/404   409/404   403/403   403/403   403/403   403/403
POST   /returns/{id}/verify                                        403/403   403/403   200/404   409/404   403/403   409/404   403/403   403/403   403/403
GET    /returns/throughput                                         200/200   200/200   200/200   403/403   403/403   403/403   403/403   403/403   403/403
POST   /return-codes                                               204/204   204/204   204/204   204/204   204/204   204/204   204/204   204/204   204/204
POST   /return-applications                                        422/422   422/422   422/422   422/422   422/422   422/422   422/422   422/422   422/422
GET    /return-applications/{token}                                200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
PUT    /return-applications/{token}/arrival                        204/204   409/409   409/204   409/204   409/409   409/409   409/409   409/409   409/409
POST   /return-applications/{token}/withdraw                       204/204   409/409   409/204   409/204   409/409   409/409   409/409   409/409   409/409
GET    /hotline/shifts                                             403/403   200/200-  200/200-  403/403   403/403   403/403   403/403   403/403   403/403
POST   /communities/{id}/hotline-shifts                            403/403   403/403   201/404   403/403   403/403   403/403   403/403   403/403   403/403
DELETE /hotline-shifts/{id}                                        403/403   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /hotline/calls                                              403/403   403/403   201/422   403/403   403/403   403/403   403/403   403/403   403/403
GET    /hotline/calls                                              403/403   200/200-  200/200-  403/403   403/403   403/403   403/403   403/403   403/403
GET    /hotline/calls/{id}                                         403/403   200/404   200/404   403/403   403/403   403/403   403/403   403/403   403/403
GET    /hotline/calls-per-hour                                     403/403   200/200   200/200   403/403   403/403   403/403   403/403   403/403   403/403
GET    /hotline/callers                                            403/403   403/403   200/200-  403/403   403/403   403/403   403/403   403/403   403/403
GET    /me/follow-ups                                              403/403   403/403   200/200   200/200   403/403   200/200   403/403   403/403   403/403
POST   /follow-ups/{id}/call-back                                 403/403   403/403   200/404   403/404   403/403   403/404   403/403   403/403   403/403
POST   /follow-ups/{id}/done                                       403/403   403/403   204/404   403/404   403/403   403/404   403/403   403/403   403/403
GET    /complaints                                                 403/403   200/200-  200/200-  200-/200- 403/403   403/403   403/403   403/403   403/403
GET    /complaints/figures                                         403/403   200/200   200/200   403/403   403/403   403/403   403/403   403/403   403/403
GET    /complaints/{id}                                            403/403   200/404   200/404   404/404   403/403   403/403   403/403   403/403   403/403
POST   /complaints/{id}/assign                                     403/403   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /complaints/{id}/contact                                    403/403   403/403   200/404   404/404   403/403   403/403   403/403   403/403   403/403
POST   /complaints/{id}/reply                                      403/403   403/403   204/404   404/404   403/403   403/403   403/403   403/403   403/403
POST   /complaints/{id}/close                                      403/403   403/403   204/404   403/403   403/403   403/403   403/403   403/403   403/403
POST   /communities/{id}/complaints                                201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201   201/201
GET    /complaint-links/{token}                                    200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
POST   /complaint-links/{token}/rating                             200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
DELETE /me/tokens                                                  200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200   200/200
";

#[expect(
    clippy::too_many_lines,
    reason = "one arm per route of the table, each a request and what a list must show"
)]
async fn call(
    app: &App,
    f: &Fixture,
    client: &mut Client,
    route: &str,
    w: &World,
    t: usize,
    unique: u32,
) -> String {
    let p = &w.places[t];
    let request = match route {
        "GET    /me" => Request::read("/me"),
        "GET    /passes/keys" => Request::read("/passes/keys"),
        "POST   /passes/keys/rotate" => Request::post("/passes/keys/rotate", json!({})),
        "POST   /tokens" => {
            let me = client.get("/api/v1/me").await.json();
            let username = me["username"].as_str().unwrap_or_default().to_owned();
            let res = Client::new(server::router(app.clone()))
                .post_json(
                    "/api/v1/tokens",
                    &json!({ "username": username, "password": PASSWORD, "label": "matrix" }),
                )
                .await;
            return outcome(&res, None);
        }
        "GET    /me/tokens" => Request::read("/me/tokens"),
        "DELETE /me/tokens/{id}" | "DELETE /me/tokens/{id}:other_account" => {
            let me = client.get("/api/v1/me").await.json();
            let own = me["username"].as_str().unwrap_or_default();
            let owner = match (route.ends_with(":other_account"), own) {
                (false, own) => own,
                (true, "admin") => "auditor",
                (true, _) => "admin",
            };
            let id = fresh_token_id(app, owner).await;
            Request::bare(Method::DELETE, format!("/me/tokens/{id}"))
        }
        "DELETE /me/tokens" => {
            // Revoking all of one's tokens ends the token the table is read with too: this row
            // comes last, and a token made for the call (of the role `unique` counts in) does it.
            let actors = f.actors();
            let own = actors[usize::try_from(unique / 1000).expect("small")]
                .username
                .clone();
            let mut anon = Client::new(server::router(app.clone()));
            let token = anon.token(&own).await;
            let res = anon.bearer(&token).delete("/api/v1/me/tokens").await;
            return outcome(&res, None);
        }
        "GET    /notifications" => Request::read("/notifications"),
        "POST   /notifications/read" => Request::post_bare("/notifications/read"),
        "POST   /notifications/{id}/read" | "POST   /notifications/{id}/read:other_account" => {
            let me = client.get("/api/v1/me").await.json();
            let own = me["account_id"].as_i64().expect("an account");
            let recipient = match (route.ends_with(":other_account"), own) {
                (false, own) => own,
                (true, admin) if admin == f.admin.account_id => f.auditor.account_id,
                (true, _) => f.admin.account_id,
            };
            let id = notification_for(app, recipient).await;
            Request::post_bare(format!("/notifications/{id}/read"))
        }
        "GET    /accounts" => Request::list("/accounts", id_of("id", w.accounts[t])),
        "POST   /accounts" | "PUT    /accounts/{id}" => {
            let body = json!({
                "username": format!("matrix_user_{unique}"), "display_name": format!("M {unique}"),
                "password": PASSWORD, "role": "volunteer", "level": "community",
                "scope_id": p.community, "active": true,
            });
            if route.starts_with("POST") {
                Request::post("/accounts", body)
            } else {
                Request::send(Method::PUT, format!("/accounts/{}", w.accounts[t]), body)
            }
        }
        "GET    /audit" => Request::read("/audit?limit=5"),
        "GET    /audit/verify" => Request::read("/audit/verify"),
        "POST   /communities" => Request::post(
            "/communities",
            json!({ "street_id": w.streets[t], "name": format!("New {unique}") }),
        ),
        "PATCH  /communities/{id}" => Request::send(
            Method::PATCH,
            format!("/communities/{}", p.community),
            json!({ "name": format!("Community {unique}") }),
        ),
        "POST   /communities/{id}/grids" => Request::post(
            format!("/communities/{}/grids", p.community),
            json!({ "name": format!("Grid {unique}") }),
        ),
        "PATCH  /grids/{id}" => Request::send(
            Method::PATCH,
            format!("/grids/{}", p.grid),
            json!({ "name": format!("Grid {unique}") }),
        ),
        "POST   /grids/{id}/buildings" => Request::post(
            format!("/grids/{}/buildings", p.grid),
            json!({ "name": format!("{unique}号楼") }),
        ),
        "PATCH  /buildings/{id}" => Request::send(
            Method::PATCH,
            format!("/buildings/{}", p.building),
            json!({ "name": format!("{unique}号楼") }),
        ),
        "PATCH  /units/{id}" => Request::send(
            Method::PATCH,
            format!("/units/{}", w.units[t]),
            json!({ "name": "1" }),
        ),
        "PATCH  /households/{id}" => Request::send(
            Method::PATCH,
            format!("/households/{}", p.household),
            json!({ "phone": "13800138000" }),
        ),
        "DELETE /residents/{id}" => {
            let r = app
                .create_resident(
                    &lead(f, Role::CommunityStaff),
                    p.household,
                    &raw_resident("临时", &citizen_id(5000 + unique), ""),
                )
                .await
                .expect("a resident to delete");
            Request::send(
                Method::DELETE,
                format!("/residents/{r}"),
                json!({ "reason": "matrix" }),
            )
        }
        "POST   /imports" => {
            return outcome(&import(client, p.community, 10 + unique % 80).await, None);
        }
        "POST   /imports/structure" => {
            let roster = format!("网格,楼栋,单元\r\n1,M{unique}号楼,1\r\n");
            let res = client
                .post_file(
                    &format!(
                        "/api/v1/imports/structure?community_id={}&file_name=r{unique}.csv",
                        p.community
                    ),
                    roster,
                )
                .await;
            return outcome(&res, None);
        }
        "GET    /imports/{id}" => Request::read(format!("/imports/{}", w.imports[t])),
        "GET    /imports/{id}/rejects" => {
            Request::read(format!("/imports/{}/rejects", w.imports[t]))
        }
        "GET    /assignees" => {
            Request::read(format!("/assignees?role=doctor&building_id={}", p.building))
        }
        "GET    /quarantine-orders" => Request::list(
            format!("/quarantine-orders?household_id={}", p.household),
            id_of("id", w.orders[t]),
        ),
        "POST   /quarantine-orders" => Request::post(
            "/quarantine-orders",
            json!({ "reason": "returnee", "kind": "home", "resident_id": p.resident }),
        ),
        "GET    /quarantine-orders/{id}" => {
            Request::read(format!("/quarantine-orders/{}", w.orders[t]))
        }
        "PATCH  /quarantine-orders/{id}" => Request::send(
            Method::PATCH,
            format!("/quarantine-orders/{}", w.orders[t]),
            json!({ "door_sealed": true, "camera_installed": false }),
        ),
        "POST   /quarantine-orders/{id}/duration" => Request::post(
            format!("/quarantine-orders/{}/duration", w.orders[t]),
            json!({ "days": 14, "reason": "matrix" }),
        ),
        "POST   /quarantine-orders/{id}/transition" => Request::post(
            format!("/quarantine-orders/{}/transition", w.orders[t]),
            json!({ "transition": "start" }),
        ),
        "GET    /quarantine-orders/{id}/checks" => {
            Request::read(format!("/quarantine-orders/{}/checks", w.orders[t]))
        }
        "POST   /quarantine-orders/{id}/checks" => Request::post(
            format!("/quarantine-orders/{}/checks", w.orders[t]),
            json!({ "temperature": "36.6", "method": "doctor_call", "correction_reason": "matrix" }),
        ),
        "POST   /quarantine-orders/{id}/self-report-link" => Request::post_bare(format!(
            "/quarantine-orders/{}/self-report-link",
            w.orders[t]
        )),
        "DELETE /quarantine-orders/{id}/self-report-link" => Request::bare(
            Method::DELETE,
            format!("/quarantine-orders/{}/self-report-link", w.orders[t]),
        ),
        "POST   /self-reports/{token}" => {
            // The link is the credential: the caller's token plays no part.
            let link = app
                .create_self_report_link(&lead(f, Role::CommunityStaff), w.orders[t])
                .await
                .expect("a link");
            Request::post(
                format!("/self-reports/{}", link.token),
                json!({ "temperature": "36.5", "correction_reason": "matrix" }),
            )
        }
        "GET    /alerts" => {
            // The alert is acknowledged and resolved by the roles before: it is in one of the
            // three lists.
            let mut first = None;
            let mut seen = false;
            for state in ["open", "acknowledged", "resolved"] {
                let res = client
                    .get(&format!(
                        "/api/v1/alerts?order_id={}&state={state}",
                        w.orders[t]
                    ))
                    .await;
                seen |= res.text().contains(&id_of("id", w.alerts[t]));
                first.get_or_insert(res);
            }
            let first = first.expect("three lists");
            return outcome(&first, (!seen).then(|| "\u{0}never".to_owned()));
        }
        "POST   /alerts/{id}/acknowledge" => {
            Request::post_bare(format!("/alerts/{}/acknowledge", w.alerts[t]))
        }
        "POST   /alerts/{id}/resolve" => Request::post(
            format!("/alerts/{}/resolve", w.alerts[t]),
            json!({ "note": "matrix" }),
        ),
        other => match super::hotline::request(app, f, other, &w.hotline, p, t).await {
            Some(r) => r,
            None => super::tasks::request(other, f, w, p, t)
                .or_else(|| super::screening::request(other, w, p, t, unique))
                .or_else(|| super::gates::request(other, &w.gates, p, t, unique))
                .or_else(|| super::cases::request(other, &w.cases, p, t))
                .or_else(|| super::returns::request(other, &w.returns, t, unique))
                .unwrap_or_else(|| panic!("no request for the route {other}")),
        },
    };
    let uri = format!("/api/v1{}", request.path);
    let res = if request.body.is_null() {
        client
            .send(request.method, &uri, &[], axum::body::Body::empty())
            .await
    } else {
        client.json(request.method, &uri, &request.body).await
    };
    outcome(&res, request.marker)
}

#[tokio::test]
async fn every_other_route_for_every_role_inside_and_outside_its_jurisdiction() {
    let (db, f) = TestDb::with_fixture().await;
    let app = &db.app;
    let mut anon = Client::new(server::router(app.clone()));
    let mut admin = anon.bearer_for("admin").await;
    let w = world(app, &f, &mut admin).await;
    let expected = parse_table(EXPECTED, 6);

    let mut got: Vec<Row> = expected
        .iter()
        .map(|(r, _)| (r.clone(), Vec::new()))
        .collect();
    for (role, actor) in f.actors().into_iter().enumerate() {
        let mut client = anon.bearer_for(&actor.username).await;
        for (r, (route, _)) in expected.iter().enumerate() {
            let mut cell = Vec::new();
            for (side, target) in [(0, G1), (1, OUTSIDE[role])] {
                let unique = u32::try_from(role * 1000 + r * 2 + side).expect("small");
                cell.push(call(app, &f, &mut client, route, &w, target, unique).await);
            }
            got[r].1.push((cell[0].clone(), cell[1].clone()));
        }
    }

    let mismatches = mismatches(&expected, &got, 66);
    assert!(
        mismatches.is_empty(),
        "the route × role matrix differs in {} cells:\n{}\n\ngot:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        render_table(&got, 66)
    );
}

/// Every operation of the OpenAPI document is a row of one of the two tables, and every row is
/// an operation: a new route fails here until the matrix says who may use it.
#[test]
fn the_tables_name_every_route_of_the_api() {
    let doc: Value =
        serde_json::from_str(&server::api::openapi_json()).expect("the document is JSON");
    let mut documented: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .expect("a path item")
                .keys()
                .filter(|m| *m != "parameters")
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    documented.dedup();
    let mut named: Vec<String> = parse_table(EXPECTED, 6)
        .into_iter()
        .map(|(route, _)| route)
        .chain(ROUTES.iter().map(|r| r.label().to_owned()))
        .map(|route| {
            let mut parts = route.split_whitespace();
            let method = parts.next().expect("a method").to_owned();
            let path = parts.next().expect("a path");
            let path = path.split(':').next().expect("a path");
            format!("{method} {path}")
        })
        .collect();
    named.sort();
    named.dedup();
    let missing: Vec<&String> = documented.iter().filter(|r| !named.contains(r)).collect();
    let unknown: Vec<&String> = named.iter().filter(|r| !documented.contains(r)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "routes of the API the matrix does not mention: {missing:#?}\n\
         rows of the matrix the API does not have: {unknown:#?}"
    );
}

/// A notification of a complaint given to `recipient`, written as a reaction writes it.
async fn notification_for(app: &App, recipient: i64) -> i64 {
    let mut tx = app.db.write().await.expect("a write");
    let id = store::notifications::insert(
        tx.conn(),
        &store::notifications::NewNotification {
            recipient_id: recipient,
            kind: domain::notifications::Kind::ComplaintAssigned,
            subject_id: 1,
            community_id: None,
            params: "place=1号楼",
            outbound: false,
            at: store::now_ms(),
        },
    )
    .await
    .expect("a notification");
    tx.commit().await.expect("commit");
    id
}
