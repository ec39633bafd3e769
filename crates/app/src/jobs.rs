//! Database-backed scheduled jobs: each run claimed once, in the transaction of its work.
