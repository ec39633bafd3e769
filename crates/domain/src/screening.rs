//! Screening campaigns: questions by region, scope, attempts and the answers that update the travel register.
