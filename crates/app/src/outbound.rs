//! Messages that leave the app for a person's phone: the return application's one-time codes and
//! the notifications that call for someone today (a fever alert to the grid worker). One trait,
//! [`MessageSender`]: a log by default and in tests, an SMS or messaging gateway in production.

use std::sync::Mutex;

use crate::registry::mask_phone;

/// A message to a phone: a template of the gateway and its parameters (real SMS gateways
/// send registered templates, not free text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub phone: String,
    pub template: &'static str,
    pub params: Vec<String>,
}

/// Sends messages to phones. A gateway that fails says why; the request then fails too.
pub trait MessageSender: Send + Sync {
    fn send(&self, message: &Message) -> Result<(), String>;
}

/// The sender of a server without a gateway, and of the tests: it logs each message (the
/// code is for whoever runs the server) and keeps the last ones for tests to read.
#[derive(Debug, Default)]
pub struct LogSender {
    sent: Mutex<Vec<Message>>,
}

/// Messages a [`LogSender`] keeps.
const KEPT_MESSAGES: usize = 100;

impl LogSender {
    /// The last message sent to `phone`, if any.
    pub fn last_to(&self, phone: &str) -> Option<Message> {
        self.sent
            .lock()
            .ok()?
            .iter()
            .rev()
            .find(|m| m.phone == phone)
            .cloned()
    }
}

impl MessageSender for LogSender {
    fn send(&self, message: &Message) -> Result<(), String> {
        tracing::info!(
            phone = %mask_phone(&message.phone),
            template = message.template,
            params = ?message.params,
            "message (log sender)"
        );
        let mut sent = self.sent.lock().map_err(|_| "log poisoned".to_owned())?;
        if sent.len() >= KEPT_MESSAGES {
            sent.remove(0);
        }
        sent.push(message.clone());
        Ok(())
    }
}

impl crate::App {
    /// Replaces the message sender (a real gateway, or a test's log sender).
    #[must_use]
    pub fn with_sender(mut self, sender: std::sync::Arc<dyn MessageSender>) -> crate::App {
        self.sender = sender;
        self
    }
}
