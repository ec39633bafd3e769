//! The notification centre: the people an alert, a task or a suspected case concerns are told
//! of it, in the transaction that caused it, through the capabilities' events (0007). Each reads
//! only their own notifications. Those that call for someone today also leave the app through
//! the [`MessageSender`](crate::outbound::MessageSender) when configured: the reaction queues
//! them, and [`App::send_outbound`] sends them after, off the write transaction.

use domain::access::{Jurisdiction, Role};
use domain::health::{AlertKind, masked_name};
use domain::notifications::{Kind, Params, concerns};
use domain::page::{Page, PageRequest};
use store::WriteTx;
use store::notifications::{self as ns, NewNotification, Notification, Told};
use store::structure::{self, Node};

use crate::events::{Event, Reaction, Subscriber};
use crate::outbound::Message;
use crate::{Actor, App, AppError, AppResult};

/// The audit object type of a notification.
pub const OBJECT_TYPE: &str = "notification";

/// The notification centre's reactions.
pub const SUBSCRIBERS: &[Subscriber] = &[Subscriber {
    name: "notify_the_people_concerned",
    react: |app, tx, actor, event| -> Reaction<'_> { Box::pin(notify(app, tx, actor, event)) },
}];

/// The message template of a notification leaving the app, per kind (a gateway sends
/// registered templates).
fn template_of(kind: Kind) -> &'static str {
    match kind {
        Kind::FeverAlert => "notify_fever_alert",
        Kind::MissedCheckAlert => "notify_missed_check_alert",
        Kind::CaseSuspected => "notify_case_suspected",
        Kind::DeliveryAssigned => "notify_delivery_assigned",
        Kind::RoundAssigned => "notify_round_assigned",
        Kind::FollowUpAssigned => "notify_follow_up_assigned",
        Kind::ComplaintAssigned => "notify_complaint_assigned",
    }
}

/// Who a suspected case is told to: the community's leads and the CDC liaison.
const CASE_ROLES: [&str; 2] = ["community_staff", "cdc_liaison"];

/// What the people concerned are told: a kind, its subject, and the names it is told with.
struct News {
    kind: Kind,
    subject_id: i64,
    community_id: Option<i64>,
    params: Params,
}

impl News {
    fn new(kind: Kind, subject_id: i64, community_id: i64, params: Params) -> News {
        News {
            kind,
            subject_id,
            community_id: Some(community_id),
            params,
        }
    }
}

/// Writes one notification for each of `recipients` that the event concerns (never the actor,
/// never twice, never an inactive account).
async fn tell(
    app: &App,
    tx: &mut WriteTx,
    actor: &Actor,
    recipients: &[i64],
    news: News,
) -> AppResult<()> {
    let News {
        kind,
        subject_id,
        community_id,
        params,
    } = news;
    let mut told: Vec<i64> = Vec::new();
    let text = params.encode();
    for &r in recipients {
        if !concerns(r, actor.account_id) || told.contains(&r) {
            continue;
        }
        if !ns::is_active(tx.conn(), r).await? {
            continue;
        }
        ns::insert(
            tx.conn(),
            &NewNotification {
                recipient_id: r,
                kind,
                subject_id,
                community_id,
                params: &text,
                outbound: app.settings.notify_outbound && kind.leaves_the_app(),
                at: store::now_ms(),
            },
        )
        .await?;
        told.push(r);
    }
    if !told.is_empty() {
        let mut a = actor.audit("notify", kind.subject_type(), subject_id);
        a.community_id = community_id;
        a.after = Some(serde_json::json!({ "kind": kind.code(), "recipients": told }));
        tx.audit(a).await?;
    }
    Ok(())
}

async fn notify(app: &App, tx: &mut WriteTx, actor: &Actor, event: &Event) -> AppResult<()> {
    for (recipients, news) in news_of(tx, event).await? {
        tell(app, tx, actor, &recipients, news).await?;
    }
    Ok(())
}

/// What an event tells, and to whom; nothing for the events nobody is told of.
async fn news_of(tx: &mut WriteTx, event: &Event) -> AppResult<Vec<(Vec<i64>, News)>> {
    let all = &Jurisdiction::ALL;
    let told = match event {
        Event::CheckAlertsRaised { alert_ids } => {
            let mut told = Vec::with_capacity(alert_ids.len());
            for &id in alert_ids {
                told.push(alert_news(tx, id).await?);
            }
            told
        }
        Event::DeliveryAssigned {
            task_id,
            volunteer_id,
        } => {
            let reach = store::tasks::TaskReach::Jurisdiction;
            let d = store::tasks::delivery(tx.conn(), all, reach, *task_id).await?;
            let params = Params::new()
                .with("place", d.address.to_string())
                .with("date", &d.due_date);
            let news = News::new(
                Kind::DeliveryAssigned,
                *task_id,
                d.address.community_id,
                params,
            );
            vec![(vec![*volunteer_id], news)]
        }
        Event::RoundAssigned {
            round_id,
            volunteer_id,
        } => {
            let reach = store::tasks::TaskReach::Jurisdiction;
            let r = store::tasks::round(tx.conn(), all, reach, *round_id).await?;
            let params = Params::new()
                .with("place", &r.grid_name)
                .with("date", &r.round_date);
            let news = News::new(Kind::RoundAssigned, *round_id, r.community_id, params);
            vec![(vec![*volunteer_id], news)]
        }
        Event::FollowUpAssigned {
            follow_up_id,
            owner_id,
        } => {
            let f = store::hotline::follow_up(tx.conn(), all, *owner_id, *follow_up_id).await?;
            let what: String = f.what.chars().take(40).collect();
            let params = Params::new()
                .with("what", what)
                .with("place", f.home.unwrap_or_default());
            let news = News::new(
                Kind::FollowUpAssigned,
                *follow_up_id,
                f.community_id,
                params,
            );
            vec![(vec![*owner_id], news)]
        }
        Event::ComplaintAssigned {
            complaint_id,
            owner_id,
        } => {
            let reach = store::complaints::Reach::Jurisdiction;
            let c = store::complaints::complaint(tx.conn(), all, reach, *complaint_id).await?;
            let params = Params::new().with("place", &c.place);
            let news = News::new(
                Kind::ComplaintAssigned,
                *complaint_id,
                c.community_id,
                params,
            );
            vec![(vec![*owner_id], news)]
        }
        Event::CaseSuspected { case_id } => {
            let c = store::cases::case(tx.conn(), all, *case_id).await?;
            let at = structure::placement(tx.conn(), Node::Building(c.building_id)).await?;
            let recipients = ns::accounts_covering(tx.conn(), &at, &CASE_ROLES).await?;
            let params = Params::new()
                .with("name", masked_name(&c.person_name))
                .with("place", format!("{} · {}", c.grid_name, c.building_name));
            let news = News::new(Kind::CaseSuspected, *case_id, c.community_id, params);
            vec![(recipients, news)]
        }
        _ => Vec::new(),
    };
    Ok(told)
}

/// A fever or missed-check alert, told to the order's doctor and the household's grid worker
/// (the order's, else the one covering its building).
async fn alert_news(tx: &mut WriteTx, alert_id: i64) -> AppResult<(Vec<i64>, News)> {
    let a = store::checks::alert(tx.conn(), &Jurisdiction::ALL, alert_id).await?;
    let order = store::quarantine::order(tx.conn(), &Jurisdiction::ALL, a.order_id).await?;
    let grid_worker = match order.grid_worker_id {
        Some(g) => Some(g),
        None => {
            store::hotline::grid_worker_of(
                tx.conn(),
                order.address.grid_id,
                order.address.building_id,
            )
            .await?
        }
    };
    let kind = match a.kind {
        AlertKind::Fever => Kind::FeverAlert,
        AlertKind::MissedCheck => Kind::MissedCheckAlert,
    };
    let params = Params::new()
        .with("name", masked_name(&order.resident_name))
        .with("place", order.address.to_string())
        .with("order", order.id.to_string());
    let recipients = [order.doctor_id, grid_worker]
        .into_iter()
        .flatten()
        .collect();
    let news = News::new(kind, alert_id, order.address.community_id, params);
    Ok((recipients, news))
}

/// A notification as its reader sees it: the stored row and its parameters read back.
#[derive(Debug, Clone)]
pub struct Notice {
    pub n: Notification,
    pub params: Params,
    /// The page it opens.
    pub link: String,
}

impl From<Notification> for Notice {
    fn from(n: Notification) -> Notice {
        let params = Params::decode(&n.params);
        let link = n.kind.link(n.subject_id, &params);
        Notice { n, params, link }
    }
}

/// The outcome of one pass of the outbound sender.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: usize,
    pub failed: usize,
    pub no_phone: usize,
}

/// Messages sent per pass of the outbound sender; the rest wait for the next tick.
const OUTBOUND_PER_PASS: i64 = 200;

impl App {
    /// The actor's own notifications, newest first.
    pub async fn my_notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: PageRequest,
    ) -> AppResult<Page<Notice>> {
        let mut conn = self.db.conn().await?;
        Ok(
            ns::of_recipient(&mut conn, actor.account_id, unread_only, page)
                .await?
                .map(Notice::from),
        )
    }

    /// How many of the actor's notifications are unread.
    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        let mut conn = self.db.conn().await?;
        Ok(ns::unread_count(&mut conn, actor.account_id).await?)
    }

    /// Opens one of the actor's own notifications: marks it read and says where it leads.
    /// Anybody else's does not exist.
    pub async fn open_notification(&self, actor: &Actor, id: i64) -> AppResult<Notice> {
        let mut tx = self.db.write().await?;
        let n = ns::own(tx.conn(), actor.account_id, id).await?;
        if ns::mark_read(tx.conn(), actor.account_id, id, store::now_ms()).await? {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(Notice::from(n))
    }

    /// Marks every unread notification of the actor read; how many were.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> AppResult<u64> {
        let mut tx = self.db.write().await?;
        let n = ns::mark_all_read(tx.conn(), actor.account_id, store::now_ms()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Who was told of a fever or missed-check alert, for the page that raised it; the alert
    /// must be in the actor's jurisdiction.
    pub async fn told_of_alert(&self, actor: &Actor, alert_id: i64) -> AppResult<Vec<Told>> {
        let mut conn = self
            .read_as(actor, domain::health::can_read_checks(actor.role))
            .await?;
        let a = store::checks::alert(&mut conn, &actor.jurisdiction, alert_id).await?;
        let kind = match a.kind {
            AlertKind::Fever => Kind::FeverAlert,
            AlertKind::MissedCheck => Kind::MissedCheckAlert,
        };
        Ok(ns::told_of(&mut conn, kind, alert_id).await?)
    }

    /// Sends the notifications queued to leave the app, each claimed first so that no two
    /// servers send one twice, and records how each trip ended. Runs after the job ticks,
    /// outside any use case's transaction: a gateway's round trip never holds the write lock.
    pub async fn send_outbound(&self) -> AppResult<Sent> {
        let mut outcome = Sent::default();
        let claimed = {
            let mut tx = self.db.write().await?;
            let c = ns::claim_outgoing(tx.conn(), OUTBOUND_PER_PASS, store::now_ms()).await?;
            tx.commit().await?;
            c
        };
        for o in claimed {
            let phone = o
                .phone
                .as_deref()
                .and_then(|p| domain::phone::MobilePhone::parse(p).ok());
            let state = match phone {
                None => {
                    outcome.no_phone += 1;
                    "no_phone"
                }
                Some(phone) => {
                    let params = Params::decode(&o.params);
                    let message = Message {
                        phone: phone.as_str().to_owned(),
                        template: template_of(o.kind),
                        params: params
                            .iter()
                            .filter(|(k, _)| *k != "order")
                            .map(|(_, v)| v.to_owned())
                            .collect(),
                    };
                    match self.sender.send(&message) {
                        Ok(()) => {
                            outcome.sent += 1;
                            "sent"
                        }
                        Err(e) => {
                            tracing::warn!(notification = o.id, error = %e, "notification not sent");
                            outcome.failed += 1;
                            "failed"
                        }
                    }
                }
            };
            let mut tx = self.db.write().await?;
            ns::outbound_done(tx.conn(), o.id, state, store::now_ms()).await?;
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// Sets the mobile number an account's notifications leave the app to (administrators);
    /// empty clears it. Audited.
    pub async fn set_account_phone(
        &self,
        actor: &Actor,
        account_id: i64,
        phone: &str,
    ) -> AppResult<()> {
        let mut tx = self
            .write_as(
                actor,
                actor.role == Role::Admin || actor.role.can_manage_accounts(),
            )
            .await?;
        let phone = phone.trim();
        let parsed = if phone.is_empty() {
            String::new()
        } else {
            domain::phone::MobilePhone::parse(phone)
                .map_err(|e| AppError::field("phone", e.code()))?
                .as_str()
                .to_owned()
        };
        ns::set_account_phone(tx.conn(), account_id, &parsed).await?;
        let mut a = actor.audit("account_phone_set", "account", account_id);
        a.after = Some(serde_json::json!({
            "phone": crate::registry::mask_phone(&parsed),
        }));
        tx.commit_audited(a).await?;
        Ok(())
    }
}
