//! The keys that sign passes and the set of public keys a gate verifies them with.
//!
//! A key is named by its key id: the first 8 bytes of the SHA-256 of its public key, as the EU
//! Digital COVID Certificate names its keys. Rotating keys adds a signing key; the older public
//! keys stay in the set until the passes they signed have expired.

use coset::iana;
use coset::{CborSerializable, CoseKeyBuilder, CoseKeySet};
use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};

use crate::PassError;

/// A key that signs passes: kept like the ID-sealing key, never shown.
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    kid: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", hex(&self.kid))
    }
}

/// A public key that verifies passes, with its key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    key: ed25519_dalek::VerifyingKey,
    kid: Vec<u8>,
}

fn key_id(public: &ed25519_dalek::VerifyingKey) -> Vec<u8> {
    Sha256::digest(public.as_bytes())[..8].to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl SigningKey {
    /// A new key from the operating system's random numbers.
    pub fn generate() -> Result<SigningKey, PassError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|_| PassError::NoRandomness)?;
        Ok(SigningKey::from_seed(seed))
    }

    /// The key of a stored 32-byte seed.
    pub fn from_seed(seed: [u8; 32]) -> SigningKey {
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let kid = key_id(&key.verifying_key());
        SigningKey { key, kid }
    }

    /// The seed to store.
    pub fn seed(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn key_id(&self) -> &[u8] {
        &self.kid
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            key: self.key.verifying_key(),
            kid: self.kid.clone(),
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).to_bytes().to_vec()
    }
}

impl VerifyingKey {
    pub fn key_id(&self) -> &[u8] {
        &self.kid
    }

    /// The 32 bytes of the public key.
    pub fn public_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), PassError> {
        let signature =
            ed25519_dalek::Signature::from_slice(signature).map_err(|_| PassError::BadSignature)?;
        self.key
            .verify_strict(message, &signature)
            .map_err(|_| PassError::BadSignature)
    }
}

/// The public keys a gate verifies passes with, published as a COSE_KeySet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: Vec<VerifyingKey>,
}

impl KeySet {
    pub fn new(keys: Vec<VerifyingKey>) -> KeySet {
        KeySet { keys }
    }

    pub fn find(&self, kid: &[u8]) -> Option<&VerifyingKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    pub fn keys(&self) -> &[VerifyingKey] {
        &self.keys
    }

    /// The set as a COSE_KeySet (RFC 9052, section 7): OKP keys on Ed25519 with their key ids.
    pub fn to_cose(&self) -> Result<Vec<u8>, PassError> {
        let set = CoseKeySet(
            self.keys
                .iter()
                .map(|k| {
                    CoseKeyBuilder::new_okp_key()
                        .param(
                            iana::OkpKeyParameter::Crv as i64,
                            coset::cbor::value::Value::from(iana::EllipticCurve::Ed25519 as i64),
                        )
                        .param(
                            iana::OkpKeyParameter::X as i64,
                            coset::cbor::value::Value::Bytes(k.public_bytes().to_vec()),
                        )
                        .algorithm(iana::Algorithm::EdDSA)
                        .key_id(k.kid.clone())
                        .build()
                })
                .collect(),
        );
        set.to_vec().map_err(|_| PassError::Malformed)
    }

    /// Reads a COSE_KeySet of Ed25519 keys, as a gate receives it.
    pub fn from_cose(bytes: &[u8]) -> Result<KeySet, PassError> {
        let set = CoseKeySet::from_slice(bytes).map_err(|_| PassError::Malformed)?;
        let mut keys = Vec::new();
        for k in set.0 {
            let x = k
                .params
                .iter()
                .find(|(label, _)| *label == coset::Label::Int(iana::OkpKeyParameter::X as i64))
                .and_then(|(_, v)| v.as_bytes())
                .ok_or(PassError::Malformed)?;
            let bytes: [u8; 32] = x.as_slice().try_into().map_err(|_| PassError::Malformed)?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map_err(|_| PassError::Malformed)?;
            if k.key_id != key_id(&key) {
                return Err(PassError::Malformed);
            }
            keys.push(VerifyingKey { key, kid: k.key_id });
        }
        Ok(KeySet { keys })
    }
}
