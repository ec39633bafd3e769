//! Screening campaigns: questions, scope, sub-teams, households and attempts. Every read of
//! households is scoped by the caller's jurisdiction in SQL; progress is read from the counts
//! kept with every attempt, never by counting households.

mod attempts;
mod campaigns;
mod enrolment;
mod export;
mod households;
mod progress;
mod teams;

pub use attempts::*;
pub use campaigns::*;
pub use enrolment::{Enrolled, enrol_new_households, enrolling_campaigns, has_unenrolled};
pub use export::*;
pub use households::*;
pub use progress::*;
pub use teams::*;
