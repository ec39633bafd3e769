//! Supply-delivery tasks and rubbish rounds of home quarantine.
