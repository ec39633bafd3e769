//! Signed checkpoint passes that a gate verifies with no network.
//!
//! A pass's QR code holds `GW1:` and then, base45-encoded (RFC 9285), the zlib-compressed
//! bytes of a tagged COSE_Sign1 message (RFC 9052) signed with Ed25519 (EdDSA, alg -8), whose
//! protected header names the key and whose payload is a CWT claims set (RFC 8392): the layout
//! of the EU Digital COVID Certificate (`HC1:`), so outside tools can read and verify it.
//!
//! This crate knows nothing of the database: it issues and verifies, and says why a code is
//! refused. Revocation, quotas and gates are the application's.

mod claims;
mod keys;

use std::io::{Read, Write};

use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana,
};

pub use claims::{PassClaims, PassKind, Quota};
pub use keys::{KeySet, SigningKey, VerifyingKey};

/// What every pass code begins with; a new layout gets a new prefix.
pub const PREFIX: &str = "GW1:";

/// The longest code read, and the most its compressed message may inflate to: a pass is a few
/// hundred bytes, and a forged code must not make a gate inflate a bomb.
pub const MAX_CODE_CHARS: usize = 2_000;
const MAX_MESSAGE_BYTES: u64 = 4_096;

/// Why a code is not a valid pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PassError {
    #[error("not a Gridwatch pass")]
    NotAPass,
    #[error("the pass code is damaged")]
    Malformed,
    #[error("the pass was signed with a key this gate does not know")]
    UnknownKey,
    #[error("the pass's signature is not valid")]
    BadSignature,
    #[error("the pass has expired")]
    Expired,
    #[error("the pass is not valid yet")]
    NotYetValid,
    #[error("no random numbers for a new key")]
    NoRandomness,
}

impl PassError {
    /// Stable snake_case code for the server to translate.
    pub fn code(self) -> &'static str {
        match self {
            PassError::NotAPass => "pass_not_a_pass",
            PassError::Malformed => "pass_malformed",
            PassError::UnknownKey => "pass_unknown_key",
            PassError::BadSignature => "pass_bad_signature",
            PassError::Expired => "pass_expired",
            PassError::NotYetValid => "pass_not_yet_valid",
            PassError::NoRandomness => "pass_no_randomness",
        }
    }
}

/// Signs the claims and returns the code a QR holds.
pub fn issue(claims: &PassClaims, key: &SigningKey) -> Result<String, PassError> {
    let payload = claims
        .to_claims_set()
        .to_vec()
        .map_err(|_| PassError::Malformed)?;
    let message = signed(payload, key)?;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&message).map_err(|_| PassError::Malformed)?;
    let compressed = z.finish().map_err(|_| PassError::Malformed)?;
    Ok(format!("{PREFIX}{}", base45::encode(&compressed)))
}

/// The tagged COSE_Sign1 message of `payload` signed with `key`, its id in the header.
fn signed(payload: Vec<u8>, key: &SigningKey) -> Result<Vec<u8>, PassError> {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(key.key_id().to_vec())
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |data| key.sign(data))
        .build()
        .to_tagged_vec()
        .map_err(|_| PassError::Malformed)
}

/// Reads a code, checks its signature against the key set and its validity at `now` (seconds
/// since the Unix epoch), and returns its claims.
pub fn verify(code: &str, keys: &KeySet, now: i64) -> Result<PassClaims, PassError> {
    let code = code.trim();
    if code.len() > MAX_CODE_CHARS {
        return Err(PassError::Malformed);
    }
    let body = code.strip_prefix(PREFIX).ok_or(PassError::NotAPass)?;
    let compressed = base45::decode(body).map_err(|_| PassError::Malformed)?;
    let mut message = Vec::new();
    // Read from the slice itself: the `read` decoder would put a 32 KiB buffer of its own in
    // front of it at every scan.
    flate2::bufread::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_MESSAGE_BYTES + 1)
        .read_to_end(&mut message)
        .map_err(|_| PassError::Malformed)?;
    if message.len() as u64 > MAX_MESSAGE_BYTES {
        return Err(PassError::Malformed);
    }
    let sign1 = CoseSign1::from_tagged_slice(&message).map_err(|_| PassError::Malformed)?;
    let alg = sign1.protected.header.alg.as_ref();
    if alg
        != Some(&coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA,
        ))
    {
        return Err(PassError::Malformed);
    }
    let key = keys
        .find(&sign1.protected.header.key_id)
        .ok_or(PassError::UnknownKey)?;
    sign1.verify_signature(b"", |signature, data| key.verify(data, signature))?;
    let payload = sign1.payload.as_deref().ok_or(PassError::Malformed)?;
    let set = coset::cwt::ClaimsSet::from_slice(payload).map_err(|_| PassError::Malformed)?;
    let claims = PassClaims::from_claims_set(&set)?;
    if now < claims.issued_at {
        return Err(PassError::NotYetValid);
    }
    if now >= claims.expires_at {
        return Err(PassError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests;
