//! Integration tests of Gridwatch: the use cases on a real database, each test on its own
//! (a fresh SQLite file, or a fresh PostgreSQL schema when `GRIDWATCH_TEST_DATABASE` is set).

mod accounts;
mod audit;
mod auth;
mod calls;
mod cases;
mod checkpoints;
mod checks;
mod complaints;
mod contract;
mod day_replay;
mod harness;
mod hotline;
mod http;
mod http_matrix;
mod import_load;
mod import_preview;
mod imports;
mod jurisdiction;
mod notifications;
mod passes;
mod quarantine;
mod registers;
mod registry;
mod returns;
mod roster;
mod routes;
mod screening;
mod seeding;
mod semantics;
mod structure;
mod summary;
mod support;
mod tasks;
mod uploads;
