//! Notifications: a person told of something that concerns them (an alert of their resident, a
//! task given to them, a suspected case of their community). A notification is a kind, the
//! subject it opens and a few named parameters (names and places, never codes), rendered in the
//! reader's language when read.

use serde::{Deserialize, Serialize};

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Kind {
    FeverAlert,
    MissedCheckAlert,
    DeliveryAssigned,
    RoundAssigned,
    FollowUpAssigned,
    ComplaintAssigned,
    CaseSuspected,
}

crate::coded!(Kind {
    FeverAlert => "fever_alert",
    MissedCheckAlert => "missed_check_alert",
    DeliveryAssigned => "delivery_assigned",
    RoundAssigned => "round_assigned",
    FollowUpAssigned => "follow_up_assigned",
    ComplaintAssigned => "complaint_assigned",
    CaseSuspected => "case_suspected",
});

impl Kind {
    /// The object type of what the notification opens (the audit trail's name for it).
    pub fn subject_type(self) -> &'static str {
        match self {
            Kind::FeverAlert | Kind::MissedCheckAlert => "check_alert",
            Kind::DeliveryAssigned => "delivery_task",
            Kind::RoundAssigned => "rubbish_round",
            Kind::FollowUpAssigned => "hotline_follow_up",
            Kind::ComplaintAssigned => "complaint",
            Kind::CaseSuspected => "case",
        }
    }

    /// Whether this kind is also sent outside the app when outbound notifications are on: an
    /// alert calls for someone at the door today; a task waits for the next look at the app.
    pub fn leaves_the_app(self) -> bool {
        matches!(
            self,
            Kind::FeverAlert | Kind::MissedCheckAlert | Kind::CaseSuspected
        )
    }

    /// The page a notification opens. `order` is the quarantine order of an alert.
    pub fn link(self, subject_id: i64, params: &Params) -> String {
        match self {
            Kind::FeverAlert | Kind::MissedCheckAlert => match params.get("order") {
                Some(order) if order.bytes().all(|b| b.is_ascii_digit()) && !order.is_empty() => {
                    format!("/quarantine/{order}/checks#alert-{subject_id}")
                }
                _ => "/checks".to_owned(),
            },
            Kind::DeliveryAssigned => format!("/tasks/deliveries/{subject_id}"),
            Kind::RoundAssigned => format!("/tasks/rubbish/{subject_id}"),
            Kind::FollowUpAssigned => "/hotline/follow-ups".to_owned(),
            Kind::ComplaintAssigned => format!("/complaints/{subject_id}"),
            Kind::CaseSuspected => format!("/cases/{subject_id}"),
        }
    }
}

/// Whether notifications of a kind go to this person: nobody is told of their own act.
pub fn concerns(recipient_id: i64, actor_id: i64) -> bool {
    recipient_id != actor_id && recipient_id > 0
}

/// A notification's named parameters, kept as `name=value` pairs separated by tabs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new() -> Params {
        Params::default()
    }

    /// Adds a parameter; tabs, newlines and `=` in a name are dropped, tabs and newlines in a
    /// value become spaces, so the stored text always reads back the same.
    #[must_use]
    pub fn with(mut self, name: &str, value: impl AsRef<str>) -> Params {
        let name: String = name
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r' | '='))
            .collect();
        let value = value
            .as_ref()
            .chars()
            .map(|c| {
                if matches!(c, '\t' | '\n' | '\r') {
                    ' '
                } else {
                    c
                }
            })
            .collect::<String>()
            .trim()
            .to_owned();
        self.0.push((name, value));
        self
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The stored text.
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\t")
    }

    /// Reads the stored text; a piece without `=` is skipped.
    pub fn decode(text: &str) -> Params {
        Params(
            text.split('\t')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        )
    }

    /// `template` with each `{name}` replaced by its value.
    pub fn fill(&self, template: &str) -> String {
        self.0.iter().fold(template.to_owned(), |text, (k, v)| {
            text.replace(&format!("{{{k}}}"), v)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_round_trip_through_the_stored_text() {
        let p = Params::new()
            .with("name", "张*")
            .with("place", "1号楼\t2单元 301")
            .with("a=b", "x=y");
        let back = Params::decode(&p.encode());
        assert_eq!(back, p);
        assert_eq!(back.get("place"), Some("1号楼 2单元 301"));
        assert_eq!(back.get("ab"), Some("x=y"));
    }

    #[test]
    fn fill_replaces_every_named_parameter() {
        let p = Params::new().with("name", "张*").with("place", "1号楼");
        assert_eq!(p.fill("{name} · {place} · {name}"), "张* · 1号楼 · 张*");
        assert_eq!(p.fill("{unknown}"), "{unknown}");
    }

    #[test]
    fn an_alert_opens_its_order_and_refuses_a_forged_order() {
        let p = Params::new().with("order", "12");
        assert_eq!(
            Kind::FeverAlert.link(7, &p),
            "/quarantine/12/checks#alert-7"
        );
        let forged = Params::new().with("order", "12/../../x");
        assert_eq!(Kind::FeverAlert.link(7, &forged), "/checks");
        assert_eq!(Kind::ComplaintAssigned.link(3, &p), "/complaints/3");
    }

    #[test]
    fn nobody_is_told_of_their_own_act() {
        assert!(!concerns(5, 5));
        assert!(concerns(5, 6));
        assert!(!concerns(0, 6));
    }

    #[test]
    fn only_alerts_and_cases_leave_the_app() {
        let leaving: Vec<_> = Kind::ALL
            .iter()
            .filter(|k| k.leaves_the_app())
            .map(|k| k.code())
            .collect();
        assert_eq!(
            leaving,
            ["fever_alert", "missed_check_alert", "case_suspected"]
        );
    }
}
