//! Screening campaigns: questions, scope, sub-teams, households and attempts.
