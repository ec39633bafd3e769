//! The verification on arrival: the health code and the itinerary code, the regions the
//! itinerary shows, the employer's certificate, the nucleic-acid test and the temperature. The
//! rule names every reason it refuses for, so the verifier sees all of them at once.

use jiff::civil::Date;

use crate::checkpoint::HealthCode;
use crate::health::{FEVER_TENTHS, Temperature};

/// The result of a nucleic-acid test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TestResult {
    Negative,
    Positive,
}

crate::coded!(TestResult {
    Negative => "negative",
    Positive => "positive",
});

/// A nucleic-acid test as its report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NucleicTest {
    /// The day the sample was taken.
    pub taken_on: Date,
    pub institution: String,
    pub result: TestResult,
}

/// What the verifier records of a returnee on arrival.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub health_code: HealthCode,
    pub itinerary_code: HealthCode,
    /// GB/T 2260 codes of the places the itinerary code lists for the last 14 days.
    pub visited_regions: Vec<String>,
    /// The employer's certificate was seen.
    pub certificate_seen: bool,
    /// `None` when no report was shown.
    pub test: Option<NucleicTest>,
    pub temperature: Temperature,
}

/// The rule, from the configuration (the plan later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRule {
    /// A test is valid this many days after its sample was taken.
    pub test_valid_days: i32,
    /// A temperature at or above this many tenths of a degree refuses.
    pub fever_from_tenths: u16,
    /// GB/T 2260 codes (2, 4 or 6 digits) of the risk regions: a visit to a region whose code
    /// begins with one of them refuses.
    pub risk_regions: Vec<String>,
}

impl Default for VerificationRule {
    fn default() -> Self {
        VerificationRule {
            test_valid_days: 7,
            fever_from_tenths: FEVER_TENTHS,
            risk_regions: Vec::new(),
        }
    }
}

/// One reason the rule refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    HealthCode(HealthCode),
    ItineraryCode(HealthCode),
    /// A visited region and the risk region that covers it.
    RiskRegion {
        visited: String,
        risk: String,
    },
    NoCertificate,
    NoTest,
    /// The sample was taken more than the valid days before arrival.
    TestExpired {
        taken_on: Date,
    },
    /// A date after the arrival: a misreading, not a test.
    TestInFuture {
        taken_on: Date,
    },
    TestPositive,
    Fever(Temperature),
}

impl Refusal {
    /// The stable code stored and translated.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::HealthCode(_) => "return_health_code",
            Refusal::ItineraryCode(_) => "return_itinerary_code",
            Refusal::RiskRegion { .. } => "return_risk_region",
            Refusal::NoCertificate => "return_no_certificate",
            Refusal::NoTest => "return_no_test",
            Refusal::TestExpired { .. } => "return_test_expired",
            Refusal::TestInFuture { .. } => "return_test_in_future",
            Refusal::TestPositive => "return_test_positive",
            Refusal::Fever(_) => "return_fever",
        }
    }

    /// What the reason is about, for the page: the colour, the region, the date or the
    /// temperature; empty when the code says it all.
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Refusal::HealthCode(c) | Refusal::ItineraryCode(c) => c.code().to_owned(),
            Refusal::RiskRegion { visited, .. } => visited.clone(),
            Refusal::TestExpired { taken_on } | Refusal::TestInFuture { taken_on } => {
                taken_on.to_string()
            }
            Refusal::Fever(t) => t.to_string(),
            Refusal::NoCertificate | Refusal::NoTest | Refusal::TestPositive => String::new(),
        }
    }
}

impl VerificationRule {
    /// Every reason the rule refuses `v` arriving on `arrival`, in the order a verifier checks
    /// them; empty when it admits.
    #[must_use]
    pub fn refusals(&self, v: &Verification, arrival: Date) -> Vec<Refusal> {
        let mut out = Vec::new();
        if v.health_code != HealthCode::Green {
            out.push(Refusal::HealthCode(v.health_code));
        }
        if v.itinerary_code != HealthCode::Green {
            out.push(Refusal::ItineraryCode(v.itinerary_code));
        }
        for visited in &v.visited_regions {
            if let Some(risk) = self
                .risk_regions
                .iter()
                .find(|r| !r.is_empty() && visited.starts_with(r.as_str()))
            {
                out.push(Refusal::RiskRegion {
                    visited: visited.clone(),
                    risk: risk.clone(),
                });
            }
        }
        if !v.certificate_seen {
            out.push(Refusal::NoCertificate);
        }
        match &v.test {
            None => out.push(Refusal::NoTest),
            Some(t) => {
                let age = (arrival - t.taken_on).get_days();
                if age < 0 {
                    out.push(Refusal::TestInFuture {
                        taken_on: t.taken_on,
                    });
                } else if age > self.test_valid_days {
                    out.push(Refusal::TestExpired {
                        taken_on: t.taken_on,
                    });
                }
                if t.result == TestResult::Positive {
                    out.push(Refusal::TestPositive);
                }
            }
        }
        if v.temperature.tenths() >= self.fever_from_tenths {
            out.push(Refusal::Fever(v.temperature));
        }
        out
    }

    /// Whether the rule admits `v`.
    #[must_use]
    pub fn admits(&self, v: &Verification, arrival: Date) -> bool {
        self.refusals(v, arrival).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> Date {
        d.parse().expect("date")
    }

    const ARRIVAL: &str = "2020-02-20";

    fn t(tenths: u16) -> Temperature {
        Temperature::from_tenths(tenths).expect("temperature")
    }

    fn fine() -> Verification {
        Verification {
            health_code: HealthCode::Green,
            itinerary_code: HealthCode::Green,
            visited_regions: vec!["610113".to_owned()],
            certificate_seen: true,
            test: Some(NucleicTest {
                taken_on: day("2020-02-15"),
                institution: "西安市第一医院".to_owned(),
                result: TestResult::Negative,
            }),
            temperature: t(364),
        }
    }

    fn rule() -> VerificationRule {
        VerificationRule {
            risk_regions: vec!["4201".to_owned()],
            ..VerificationRule::default()
        }
    }

    fn codes(v: &Verification) -> Vec<&'static str> {
        rule()
            .refusals(v, day(ARRIVAL))
            .iter()
            .map(Refusal::code)
            .collect()
    }

    #[test]
    fn a_green_returnee_with_a_recent_negative_test_and_a_certificate_is_admitted() {
        assert!(rule().admits(&fine(), day(ARRIVAL)));
        // A test taken exactly seven days before arrival still counts, and on the day too.
        let mut v = fine();
        v.test.as_mut().expect("test").taken_on = day("2020-02-13");
        assert!(rule().admits(&v, day(ARRIVAL)));
        v.test.as_mut().expect("test").taken_on = day(ARRIVAL);
        assert!(rule().admits(&v, day(ARRIVAL)));
    }

    #[test]
    fn each_rule_refuses_on_its_own() {
        let cases: Vec<(Verification, &str)> = vec![
            (
                Verification {
                    health_code: HealthCode::Yellow,
                    ..fine()
                },
                "return_health_code",
            ),
            (
                Verification {
                    itinerary_code: HealthCode::Red,
                    ..fine()
                },
                "return_itinerary_code",
            ),
            (
                Verification {
                    visited_regions: vec!["610113".to_owned(), "420106".to_owned()],
                    ..fine()
                },
                "return_risk_region",
            ),
            (
                Verification {
                    certificate_seen: false,
                    ..fine()
                },
                "return_no_certificate",
            ),
            (
                Verification {
                    test: None,
                    ..fine()
                },
                "return_no_test",
            ),
            (
                Verification {
                    test: Some(NucleicTest {
                        taken_on: day("2020-02-12"),
                        ..fine().test.expect("test")
                    }),
                    ..fine()
                },
                "return_test_expired",
            ),
            (
                Verification {
                    test: Some(NucleicTest {
                        taken_on: day("2020-02-21"),
                        ..fine().test.expect("test")
                    }),
                    ..fine()
                },
                "return_test_in_future",
            ),
            (
                Verification {
                    test: Some(NucleicTest {
                        result: TestResult::Positive,
                        ..fine().test.expect("test")
                    }),
                    ..fine()
                },
                "return_test_positive",
            ),
            (
                Verification {
                    temperature: t(373),
                    ..fine()
                },
                "return_fever",
            ),
        ];
        for (v, code) in cases {
            assert_eq!(codes(&v), vec![code]);
        }
    }

    #[test]
    fn every_reason_is_named_at_once() {
        let v = Verification {
            health_code: HealthCode::Red,
            itinerary_code: HealthCode::Yellow,
            visited_regions: vec!["420106".to_owned()],
            certificate_seen: false,
            test: Some(NucleicTest {
                taken_on: day("2020-02-01"),
                institution: String::new(),
                result: TestResult::Positive,
            }),
            temperature: t(385),
        };
        let refusals = rule().refusals(&v, day(ARRIVAL));
        assert_eq!(
            refusals.iter().map(Refusal::code).collect::<Vec<_>>(),
            vec![
                "return_health_code",
                "return_itinerary_code",
                "return_risk_region",
                "return_no_certificate",
                "return_test_expired",
                "return_test_positive",
                "return_fever",
            ]
        );
        assert_eq!(
            refusals[2],
            Refusal::RiskRegion {
                visited: "420106".to_owned(),
                risk: "4201".to_owned()
            }
        );
        assert_eq!(refusals[0].detail(), "red");
        assert_eq!(refusals[4].detail(), "2020-02-01");
    }

    #[test]
    fn without_a_configured_risk_region_no_visit_refuses() {
        let v = Verification {
            visited_regions: vec!["420106".to_owned()],
            ..fine()
        };
        assert!(VerificationRule::default().admits(&v, day(ARRIVAL)));
        let empty = VerificationRule {
            risk_regions: vec![String::new()],
            ..VerificationRule::default()
        };
        assert!(empty.admits(&v, day(ARRIVAL)));
    }
}
