//! Integration tests of supply-delivery tasks and rubbish rounds of home quarantine.
