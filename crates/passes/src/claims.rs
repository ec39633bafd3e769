//! What a pass says: the CWT claims (RFC 8392) it carries, registered and private.

use coset::cbor::value::Value;
use coset::cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp};

use crate::PassError;

/// The kinds of pass, each shown in its own colour at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassKind {
    /// One per household: its members go out within the household's quota.
    Household,
    /// A resident whose employer needs them, on the days and hours of their proof.
    Commuter,
    /// A car by its number plate; every occupant is checked on their own.
    Vehicle,
}

impl PassKind {
    pub const ALL: [PassKind; 3] = [PassKind::Household, PassKind::Commuter, PassKind::Vehicle];

    pub fn code(self) -> &'static str {
        match self {
            PassKind::Household => "household",
            PassKind::Commuter => "commuter",
            PassKind::Vehicle => "vehicle",
        }
    }

    pub fn from_code(code: &str) -> Option<PassKind> {
        PassKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// How often a pass lets its holders out: `exits` exits in any `days` days (0 exits: no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub exits: u32,
    pub days: u32,
}

/// The claims of a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassClaims {
    /// Who issued it: the community's code (CWT `iss`).
    pub issuer: String,
    /// Seconds since the Unix epoch (CWT `iat` and `exp`).
    pub issued_at: i64,
    pub expires_at: i64,
    pub pass_id: i64,
    pub kind: PassKind,
    pub household_id: i64,
    /// The gates it opens; empty: every gate of the community.
    pub gates: Vec<i64>,
    pub quota: Quota,
    /// The colour the gate shows it in (`#1e7b34`), so a printed card and a screen agree.
    pub colour: String,
}

/// Private claim keys: negative integers, which RFC 8392 leaves to private agreement.
const PASS_ID: i64 = -70_001;
const KIND: i64 = -70_002;
const HOUSEHOLD: i64 = -70_003;
const GATES: i64 = -70_004;
const QUOTA: i64 = -70_005;
const COLOUR: i64 = -70_006;

impl PassClaims {
    pub(crate) fn to_claims_set(&self) -> ClaimsSet {
        let int = |n: i64| Value::Integer(n.into());
        ClaimsSetBuilder::new()
            .issuer(self.issuer.clone())
            .issued_at(Timestamp::WholeSeconds(self.issued_at))
            .expiration_time(Timestamp::WholeSeconds(self.expires_at))
            .private_claim(PASS_ID, int(self.pass_id))
            .private_claim(KIND, Value::Text(self.kind.code().to_owned()))
            .private_claim(HOUSEHOLD, int(self.household_id))
            .private_claim(
                GATES,
                Value::Array(self.gates.iter().map(|g| int(*g)).collect()),
            )
            .private_claim(
                QUOTA,
                Value::Array(vec![
                    int(i64::from(self.quota.exits)),
                    int(i64::from(self.quota.days)),
                ]),
            )
            .private_claim(COLOUR, Value::Text(self.colour.clone()))
            .build()
    }

    pub(crate) fn from_claims_set(set: &ClaimsSet) -> Result<PassClaims, PassError> {
        let seconds = |t: &Option<Timestamp>| match t {
            Some(Timestamp::WholeSeconds(s)) => Ok(*s),
            _ => Err(PassError::Malformed),
        };
        let private = |key: i64| {
            set.rest
                .iter()
                .find(|(name, _)| *name == ClaimName::PrivateUse(key))
                .map(|(_, v)| v)
                .ok_or(PassError::Malformed)
        };
        let int = |v: &Value| -> Result<i64, PassError> {
            match v {
                Value::Integer(i) => i64::try_from(*i).map_err(|_| PassError::Malformed),
                _ => Err(PassError::Malformed),
            }
        };
        let text = |v: &Value| match v {
            Value::Text(t) => Ok(t.clone()),
            _ => Err(PassError::Malformed),
        };
        let gates = match private(GATES)? {
            Value::Array(a) => a.iter().map(int).collect::<Result<Vec<_>, _>>()?,
            _ => return Err(PassError::Malformed),
        };
        let quota = match private(QUOTA)? {
            Value::Array(a) if a.len() == 2 => {
                let n = |v: &Value| {
                    int(v).and_then(|n| u32::try_from(n).map_err(|_| PassError::Malformed))
                };
                Quota {
                    exits: n(&a[0])?,
                    days: n(&a[1])?,
                }
            }
            _ => return Err(PassError::Malformed),
        };
        Ok(PassClaims {
            issuer: set.issuer.clone().ok_or(PassError::Malformed)?,
            issued_at: seconds(&set.issued_at)?,
            expires_at: seconds(&set.expiration_time)?,
            pass_id: int(private(PASS_ID)?)?,
            kind: PassKind::from_code(&text(private(KIND)?)?).ok_or(PassError::Malformed)?,
            household_id: int(private(HOUSEHOLD)?)?,
            gates,
            quota,
            colour: text(private(COLOUR)?)?,
        })
    }
}
