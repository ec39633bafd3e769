//! Twice-daily check records, self-report links and alerts.
