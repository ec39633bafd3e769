//! Integration tests of screening campaigns: questions, scope, sub-teams, households and attempts.
