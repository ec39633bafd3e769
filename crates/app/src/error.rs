use domain::validation::FieldErrors;
use store::StoreError;

/// The one error type of the use cases; the server maps each kind to an HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    /// A rule about existing state refused the change; `code` is stable snake_case.
    #[error("conflict: {code}")]
    Conflict { code: &'static str },
    #[error("too many attempts")]
    RateLimited { retry_after_secs: i64 },
    #[error("storage unavailable")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Conflict { code } => code,
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "storage_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }

    pub fn field(field: &str, code: &str) -> AppError {
        AppError::Validation(FieldErrors::single(field, code))
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Validation(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            // Constraint names differ per backend but both name the column.
            StoreError::Conflict(c) if c.contains("document_index") => {
                AppError::field("document_number", "duplicate_document")
            }
            StoreError::Conflict(c) if c == "residents.version" => AppError::Conflict {
                code: "stale_version",
            },
            StoreError::Conflict(_) => AppError::Conflict { code: "conflict" },
            // A delete of a row other records still point at (a resident with a quarantine
            // order), or a reference to a row that is gone: a conflict with existing data.
            StoreError::Reference(_) => AppError::Conflict {
                code: "reference_conflict",
            },
            StoreError::Constraint(_) => AppError::Conflict {
                code: "constraint_conflict",
            },
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}
