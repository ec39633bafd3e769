//! Helpers the unit tests of several modules share.

use jiff::civil::Date;

/// A date written in ISO form.
pub(crate) fn d(s: &str) -> Date {
    s.parse().expect("test date")
}
