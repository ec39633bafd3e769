//! Pages of twice-daily checks: the worklist of alerts and today's slots, an order's records
//! with the form to record or correct a check and its self-report link, and the resident's own
//! page behind the link.

pub(crate) mod order;
mod report;
mod sheet;
mod worklist;

use axum::Router;
use domain::health::Symptom;
use store::checks::Alert;

use crate::AppState;
use crate::i18n::Tr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(worklist::routes())
        .merge(order::routes())
        .merge(report::routes())
        .merge(sheet::routes())
}

/// A temperature in tenths as people write it: 36.8.
pub(crate) fn degrees(tenths: i64) -> String {
    format!("{}.{}", tenths / 10, tenths.rem_euclid(10))
}

/// Symptoms and the "other" text in the reader's language.
pub(crate) fn symptom_text(t: Tr, symptoms: &[Symptom], other: &str) -> String {
    let mut parts: Vec<String> = symptoms.iter().map(|s| t.of("symptom", s.code())).collect();
    if !other.trim().is_empty() {
        parts.push(other.trim().to_owned());
    }
    parts.join(", ")
}

pub(crate) fn symptom_codes() -> Vec<&'static str> {
    Symptom::ALL.iter().map(|s| s.code()).collect()
}

/// The value of a posted field; checkboxes repeat their name, so forms are read as pairs.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub(crate) fn fields(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// An alert as a worklist row shows it.
struct AlertRow {
    a: Alert,
    raised: String,
    finding: String,
}

fn alert_row(app: &app::App, t: Tr, a: Alert) -> AlertRow {
    let finding = match a.temperature {
        Some(temp) => {
            let symptoms = symptom_text(t, &a.symptoms, &a.other_symptom);
            if symptoms.is_empty() {
                format!("{} °C", degrees(temp))
            } else {
                format!("{} °C · {symptoms}", degrees(temp))
            }
        }
        None => String::new(),
    };
    AlertRow {
        raised: crate::pages::registry_time(app, a.raised_at),
        finding,
        a,
    }
}
