use domain::validation::FieldErrors;
use serde::Serialize;
use store::StoreError;

/// Every code an error is answered with, in the API's error bodies and behind the pages'
/// messages: stable snake_case, translated, each answered with one HTTP status. Field errors of
/// a validation failure carry the domain's own codes beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Any request.
    ValidationFailed,
    NotFound,
    Unauthenticated,
    Forbidden,
    CsrfFailed,
    RateLimited,
    StorageUnavailable,
    InternalError,
    // The shape of a request, refused before any use case runs.
    MalformedJson,
    MalformedBody,
    UnsupportedMediaType,
    PayloadTooLarge,
    MethodNotAllowed,
    NoSuchRoute,
    // Conflicts with stored data.
    Conflict,
    StaleVersion,
    ReferenceConflict,
    ConstraintConflict,
    IdempotencyKeyReused,
    // Accounts.
    LastAdmin,
    // Quarantine orders, checks, self-report links and alerts.
    TransitionNotAllowed,
    OrderClosed,
    OrderNotActive,
    OrderNotStarted,
    OrderEnded,
    SlotFilled,
    LinkRevoked,
    NoLiveLink,
    AlertTransitionNotAllowed,
    // Screening campaigns.
    CampaignClosed,
    CampaignNotOpen,
    // Deliveries and rubbish rounds.
    TaskStepNotAllowed,
    TaskChanged,
    TaskClosed,
    RoundDone,
    RoundNotYetOpen,
    StopsPending,
    // Gates and passes.
    NotOnShift,
    PassRevoked,
    // Cases.
    CaseNotSuspected,
    CaseNotConfirmed,
    // The hotline and complaints.
    NotOnDuty,
    FollowUpDone,
    ComplaintStepNotAllowed,
}

impl ErrorCode {
    /// The code as it is written in bodies, messages and translations.
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::MalformedBody => "malformed_body",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::NoSuchRoute => "no_such_route",
            ErrorCode::Conflict => "conflict",
            ErrorCode::StaleVersion => "stale_version",
            ErrorCode::ReferenceConflict => "reference_conflict",
            ErrorCode::ConstraintConflict => "constraint_conflict",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::OrderClosed => "order_closed",
            ErrorCode::OrderNotActive => "order_not_active",
            ErrorCode::OrderNotStarted => "order_not_started",
            ErrorCode::OrderEnded => "order_ended",
            ErrorCode::SlotFilled => "slot_filled",
            ErrorCode::LinkRevoked => "link_revoked",
            ErrorCode::NoLiveLink => "no_live_link",
            ErrorCode::AlertTransitionNotAllowed => "alert_transition_not_allowed",
            ErrorCode::CampaignClosed => "campaign_closed",
            ErrorCode::CampaignNotOpen => "campaign_not_open",
            ErrorCode::TaskStepNotAllowed => "task_step_not_allowed",
            ErrorCode::TaskChanged => "task_changed",
            ErrorCode::TaskClosed => "task_closed",
            ErrorCode::RoundDone => "round_done",
            ErrorCode::RoundNotYetOpen => "round_not_yet_open",
            ErrorCode::StopsPending => "stops_pending",
            ErrorCode::NotOnShift => "not_on_shift",
            ErrorCode::PassRevoked => "pass_revoked",
            ErrorCode::CaseNotSuspected => "case_not_suspected",
            ErrorCode::CaseNotConfirmed => "case_not_confirmed",
            ErrorCode::NotOnDuty => "not_on_duty",
            ErrorCode::FollowUpDone => "follow_up_done",
            ErrorCode::ComplaintStepNotAllowed => "complaint_step_not_allowed",
        }
    }
}

impl AsRef<str> for ErrorCode {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

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
    /// A rule about existing state refused the change.
    #[error("conflict: {0}")]
    Conflict(ErrorCode),
    #[error("too many attempts")]
    RateLimited { retry_after_secs: i64 },
    #[error("storage unavailable")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation(_) => ErrorCode::ValidationFailed,
            AppError::NotFound => ErrorCode::NotFound,
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::Conflict(code) => *code,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Unavailable(_) => ErrorCode::StorageUnavailable,
            AppError::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn field(field: &str, code: &str) -> AppError {
        AppError::Validation(FieldErrors::single(field, code))
    }
}

/// The value of the code typed in a form's `field`, or that field's error `unknown`.
pub(crate) fn code_in<T>(
    field: &str,
    unknown: &str,
    text: &str,
    from_code: impl FnOnce(&str) -> Option<T>,
) -> AppResult<T> {
    from_code(text.trim()).ok_or_else(|| AppError::field(field, unknown))
}

/// Maps the conflict of a unique rule a write may break to the field it concerns and its code;
/// any other store error as usual.
pub(crate) fn conflict_as(
    field: &'static str,
    code: &'static str,
) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict(_) => AppError::field(field, code),
        other => other.into(),
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
            StoreError::Stale => AppError::Conflict(ErrorCode::StaleVersion),
            // A use case that knows which unique rule a write may break maps it to its field
            // itself; what reaches here is a conflict with no better name.
            StoreError::Conflict(_) => AppError::Conflict(ErrorCode::Conflict),
            // A delete of a row other records still point at (a resident with a quarantine
            // order), or a reference to a row that is gone: a conflict with existing data.
            StoreError::Reference(_) => AppError::Conflict(ErrorCode::ReferenceConflict),
            StoreError::Constraint(_) => AppError::Conflict(ErrorCode::ConstraintConflict),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}
