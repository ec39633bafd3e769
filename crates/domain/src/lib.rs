//! Gridwatch's domain: the types and rules of community epidemic management, with no I/O.
//!
//! Input from users and files is parsed into these types at the edge, so nothing deeper handles
//! raw strings. Errors carry stable snake_case codes that the server translates.

pub mod access;
pub mod calls;
pub mod cases;
pub mod checkpoint;
pub mod citizen_id;
pub mod code;
pub mod complaints;
pub mod document;
pub mod health;
pub mod home;
pub mod hotline;
pub mod notifications;
pub mod page;
pub mod phone;
pub mod quarantine;
pub mod region;
pub mod registry;
pub mod resident;
pub mod returns;
pub mod screening;
pub mod tasks;
#[cfg(test)]
mod testing;
pub mod validation;
