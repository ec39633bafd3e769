//! Gridwatch's persistence: one migration tree and one query per operation for SQLite and
//! PostgreSQL, through sqlx's `Any` driver. No HTTP here.
//!
//! Every read of registry data takes the caller's [`domain::access::Jurisdiction`] and filters by
//! it in SQL, so a page cannot forget the check.

pub mod accounts;
pub mod audit;
pub mod calls;
pub mod cases;
pub mod checks;
pub mod complaints;
pub mod counts;
mod db;
pub mod deferred_indexes;
mod error;
mod flag;
pub mod gates;
pub mod home_counts;
pub mod hotline;
pub mod imports;
pub mod jobs;
pub mod notifications;
pub mod passages;
pub mod passes;
pub mod quarantine;
pub mod registry;
pub mod returns;
mod rows;
mod scope;
pub mod screening;
pub mod seeding;
mod shifts;
mod sql;
pub mod structure;
pub mod tasks;

pub use db::{Backend, BulkLoad, Conn, Db, Mark, PooledConn, WriteOn, WriteTx, now_ms};
pub use error::StoreError;
pub use flag::Flag;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
