use sqlx::error::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule refused the write; the name of the violated constraint or column.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The row changed since the version the caller read (optimistic locking).
    #[error("the row changed since it was read")]
    Stale,
    /// A foreign key refused the write: the row is still referenced by another (a delete), or a
    /// reference names a row that does not exist (an insert or update). The constraint, when the
    /// backend names it.
    #[error("reference conflict: {0}")]
    Reference(String),
    /// A check or not-null constraint refused the write; the constraint, when the backend names it.
    #[error("constraint violated: {0}")]
    Constraint(String),
    /// The database could not be reached or timed out.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// What a constraint violation names. PostgreSQL reports the constraint's name; SQLite reports no
/// name through the driver, only the columns in its (fixed-format) message, which is the best it
/// offers. Used only for the variant's payload, never to decide the kind: the kind comes from
/// the driver's error code (`DatabaseError::kind`).
fn constraint_of(d: &dyn sqlx::error::DatabaseError) -> String {
    match d.constraint() {
        Some(c) => c.to_owned(),
        None => d
            .message()
            .split_once("constraint failed: ")
            .map(|(_, cols)| cols)
            .unwrap_or("")
            .to_owned(),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(d) => match d.kind() {
                ErrorKind::UniqueViolation => StoreError::Conflict(constraint_of(d.as_ref())),
                ErrorKind::ForeignKeyViolation => StoreError::Reference(constraint_of(d.as_ref())),
                ErrorKind::CheckViolation | ErrorKind::NotNullViolation => {
                    StoreError::Constraint(constraint_of(d.as_ref()))
                }
                _ => StoreError::Other(e),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Other(e),
        }
    }
}
