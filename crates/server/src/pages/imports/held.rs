//! Uploads held between their preview and their import, so that the file is sent once.
//!
//! Held in memory, for a while and up to a bound: a server restart or a long wait only asks the
//! person to upload the file again, and many large uploads cannot fill the memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;

/// How long an upload waits for its import.
const HELD_FOR: Duration = Duration::from_secs(30 * 60);
/// How many uploads are held at once, and their bytes in all; the oldest goes first.
const MAX_HELD: usize = 16;
const MAX_HELD_BYTES: usize = 512 * 1024 * 1024;

/// An upload waiting for its import.
#[derive(Clone)]
pub struct Held {
    pub account_id: i64,
    pub community_id: i64,
    pub file_name: String,
    pub bytes: Bytes,
    /// The import it became, once imported: a second click on "import" goes to it.
    pub imported: Option<i64>,
    since: Instant,
}

#[derive(Clone, Default)]
pub struct HeldUploads {
    inner: Arc<Mutex<HashMap<String, Held>>>,
}

impl HeldUploads {
    /// Holds an upload and returns the token that finds it again.
    pub fn hold(
        &self,
        account_id: i64,
        community_id: i64,
        file_name: &str,
        bytes: Bytes,
    ) -> String {
        let token = app::crypto::new_token();
        let mut held = self.lock();
        held.retain(|_, h| h.since.elapsed() < HELD_FOR);
        while !held.is_empty()
            && (held.len() >= MAX_HELD
                || held.values().map(|h| h.bytes.len()).sum::<usize>() + bytes.len()
                    > MAX_HELD_BYTES)
        {
            let oldest = held
                .iter()
                .min_by_key(|(_, h)| h.since)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => held.remove(&k),
                None => break,
            };
        }
        held.insert(
            token.clone(),
            Held {
                account_id,
                community_id,
                file_name: file_name.to_owned(),
                bytes,
                imported: None,
                since: Instant::now(),
            },
        );
        token
    }

    /// The upload under a token, for the account that sent it only.
    pub fn get(&self, token: &str, account_id: i64) -> Option<Held> {
        let held = self.lock();
        held.get(token)
            .filter(|h| h.account_id == account_id && h.since.elapsed() < HELD_FOR)
            .cloned()
    }

    /// Records that the upload was imported; its bytes are let go.
    pub fn imported(&self, token: &str, import_id: i64) {
        if let Some(h) = self.lock().get_mut(token) {
            h.imported = Some(import_id);
            h.bytes = Bytes::new();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        // A panic while holding the lock leaves a map that is still whole.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_is_found_by_its_sender_only() {
        let h = HeldUploads::default();
        let t = h.hold(1, 7, "a.csv", Bytes::from_static(b"x"));
        assert_eq!(h.get(&t, 1).map(|u| u.community_id), Some(7));
        assert!(h.get(&t, 2).is_none());
        assert!(h.get("other", 1).is_none());
        h.imported(&t, 42);
        let u = h.get(&t, 1).expect("still held");
        assert_eq!(u.imported, Some(42));
        assert!(u.bytes.is_empty());
    }

    #[test]
    fn the_oldest_upload_goes_when_too_many_are_held() {
        let h = HeldUploads::default();
        let first = h.hold(1, 7, "0.csv", Bytes::from_static(b"x"));
        for i in 1..=MAX_HELD {
            h.hold(1, 7, &format!("{i}.csv"), Bytes::from_static(b"x"));
        }
        assert!(h.get(&first, 1).is_none());
        assert_eq!(h.lock().len(), MAX_HELD);
    }
}
