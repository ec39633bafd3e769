//! The binary's error: a clear message for the operator and an exit code.

use std::path::{Path, PathBuf};

use app::AppError;

use crate::config::ConfigError;

/// Exit code of a command that failed (bad input, configuration, database).
pub const EXIT_ERROR: u8 = 2;
/// Exit code of a check that ran and found a problem (`audit verify`).
pub const EXIT_CHECK_FAILED: u8 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{}", describe(.0))]
    App(#[from] AppError),
    #[error("{context} {}: {source}", path.display())]
    File {
        context: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Message(String),
}

impl From<store::StoreError> for CliError {
    fn from(e: store::StoreError) -> Self {
        CliError::App(e.into())
    }
}

impl CliError {
    pub fn file(context: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> CliError {
        let path = path.to_owned();
        move |source| CliError::File {
            context,
            path,
            source,
        }
    }

    pub fn message(m: impl Into<String>) -> CliError {
        CliError::Message(m.into())
    }
}

/// Words for the stable codes an operator meets on the command line; others are shown as codes.
fn explain(code: &str, detail: &str) -> String {
    let text = match code {
        "missing_column" => return format!("the file has no column for {detail}"),
        "not_a_spreadsheet" => "the file is not a spreadsheet (xlsx, xls, ods or csv)",
        "unknown_encoding" => "the text encoding of the file is not recognised",
        "empty_sheet" => "the sheet is empty",
        "encrypted_sheet" => "the workbook is password protected",
        "corrupt_sheet" => "the file is damaged",
        "too_many_rows" => "the file has too many rows",
        "username_taken" => "that username is already taken",
        "username_format" => "use 3 to 32 letters, digits, '.', '_' or '-'",
        "password_too_short" => return format!("at least {detail} characters are required"),
        "invalid_choice" => "not one of the allowed values",
        "required" => "required",
        _ => "",
    };
    match (text.is_empty(), detail.is_empty()) {
        (true, true) => code.to_owned(),
        (true, false) => format!("{code} ({detail})"),
        (false, _) => text.to_owned(),
    }
}

fn describe(e: &AppError) -> String {
    match e {
        AppError::Validation(fields) => {
            let parts: Vec<String> = fields
                .0
                .iter()
                .map(|f| format!("{}: {}", f.field, explain(&f.code, &f.detail)))
                .collect();
            format!("refused: {}", parts.join("; "))
        }
        AppError::NotFound => "not found (or outside the account's jurisdiction)".to_owned(),
        AppError::Unauthenticated => "not signed in".to_owned(),
        AppError::Forbidden => "the account's role does not allow this".to_owned(),
        AppError::Conflict(code) => format!("refused: {code}"),
        AppError::RateLimited { retry_after_secs } => {
            format!("too many attempts; retry in {retry_after_secs} s")
        }
        AppError::Unavailable(m) => format!("database unavailable: {m}"),
        AppError::Internal(m) => format!("internal error: {m}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::validation::FieldErrors;

    #[test]
    fn validation_errors_read_as_sentences() {
        let mut f = FieldErrors::new();
        f.add("file", "missing_column", "name");
        f.add("password", "password_too_short", "8");
        f.add("role", "weird_code", "");
        let e = CliError::from(AppError::Validation(f));
        assert_eq!(
            e.to_string(),
            "refused: file: the file has no column for name; password: at least 8 characters \
             are required; role: weird_code"
        );
    }
}
