//! Integration tests of twice-daily check records, self-report links and alerts.
