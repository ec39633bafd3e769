//! Keys and the cryptography of sensitive fields, passwords and tokens.
//!
//! ID numbers are sealed with XChaCha20-Poly1305 under a key derived from the master key, and
//! indexed with HMAC-SHA256 under another derived key, so an exact lookup never needs the
//! plaintext in the database.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::{AppError, AppResult};

type HmacSha256 = Hmac<Sha256>;

const NONCE_LEN: usize = 24;

/// The master key's derived keys. Cheap to clone.
#[derive(Clone)]
pub struct Crypto {
    seal_key: [u8; 32],
    index_key: [u8; 32],
    /// The base from which each version of the pass signing key is derived.
    pass_base: [u8; 32],
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto { keys: <redacted> }")
    }
}

fn derive(master: &[u8; 32], label: &str) -> [u8; 32] {
    let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(master)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Fresh random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    if getrandom::fill(&mut b).is_err() {
        // Without an entropy source no key or token is safe; stop rather than continue weakly.
        panic!("the operating system's random number generator failed");
    }
    b
}

/// A random token, URL-safe, for sessions, API tokens and CSRF.
pub fn new_token() -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// Whether a token a link carries looks like one of [`new_token`]'s (43 characters of
/// base64url): anything else is not worth a lookup.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How a token is stored: its SHA-256, so a leaked table does not hand out sessions.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Crypto {
    pub fn new(master: [u8; 32]) -> Crypto {
        Crypto {
            seal_key: derive(&master, "gridwatch.seal.v1"),
            index_key: derive(&master, "gridwatch.index.v1"),
            pass_base: derive(&master, "gridwatch.pass.v1"),
        }
    }

    /// Parses a master key written as 64 hex characters.
    pub fn from_hex(hex_key: &str) -> AppResult<Crypto> {
        let bytes = hex::decode(hex_key.trim())
            .map_err(|_| AppError::Internal("the secret key is not hex".to_owned()))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            AppError::Internal("the secret key must be 32 bytes (64 hex characters)".to_owned())
        })?;
        Ok(Crypto::new(key))
    }

    /// The key that signs passes at a version of the key: derived from the master key, so it is
    /// kept (and lost) with it and never stored on its own.
    pub fn pass_signing_key(&self, version: i64) -> passes::SigningKey {
        passes::SigningKey::from_seed(derive(&self.pass_base, &format!("version {version}")))
    }

    pub fn generate_hex() -> String {
        hex::encode(random_bytes::<32>())
    }

    /// Seals a value; `context` binds the ciphertext to its field so it cannot be moved to another.
    pub fn seal(&self, context: &str, plaintext: &str) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new(&self.seal_key.into());
        let nonce_bytes = random_bytes::<NONCE_LEN>();
        let nonce = XNonce::from(nonce_bytes);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .unwrap_or_else(|_| unreachable!("XChaCha20-Poly1305 seals any short message"));
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> AppResult<String> {
        if sealed.len() < NONCE_LEN {
            return Err(AppError::Internal("sealed value too short".to_owned()));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce
            .try_into()
            .map_err(|_| AppError::Internal("bad nonce".to_owned()))?;
        let cipher = XChaCha20Poly1305::new(&self.seal_key.into());
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| {
                AppError::Internal("a sealed value failed to open (wrong key?)".to_owned())
            })?;
        String::from_utf8(plain)
            .map_err(|_| AppError::Internal("sealed value not UTF-8".to_owned()))
    }

    /// The keyed index of a value, for exact lookup.
    pub fn index(&self, context: &str, value: &str) -> Vec<u8> {
        let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(&self.index_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }
}

/// Hashes a password with Argon2id and a fresh salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let c = Crypto::new([7; 32]);
        let s = c.seal("resident.document", "610825199001011234");
        assert_ne!(
            s,
            c.seal("resident.document", "610825199001011234"),
            "nonce is random"
        );
        assert_eq!(
            c.open("resident.document", &s).ok().as_deref(),
            Some("610825199001011234")
        );
        assert!(c.open("other", &s).is_err());
        assert!(Crypto::new([8; 32]).open("resident.document", &s).is_err());
    }

    #[test]
    fn index_is_deterministic_and_keyed() {
        let a = Crypto::new([1; 32]);
        assert_eq!(a.index("x", "v"), a.index("x", "v"));
        assert_ne!(a.index("x", "v"), Crypto::new([2; 32]).index("x", "v"));
        assert_ne!(a.index("x", "v"), a.index("y", "v"));
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse").expect("hash");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
