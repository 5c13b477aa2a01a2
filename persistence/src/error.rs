use diesel::result::{DatabaseErrorKind, Error as DieselError};
use domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A rule refused the command; nothing was written.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database could not be reached or gave no connection in time.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug, corrupt data, an unexpected database answer. Logged, never shown.
    #[error("internal store error: {0}")]
    Internal(String),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            other => StoreError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

/// Maps a unique violation to a conflict the caller can act on; other errors pass through.
pub(crate) trait OnUnique<T> {
    fn on_unique(self, message: &str) -> Result<T, StoreError>;
}

impl<T> OnUnique<T> for Result<T, DieselError> {
    fn on_unique(self, message: &str) -> Result<T, StoreError> {
        self.map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                StoreError::Domain(DomainError::conflict(message))
            }
            other => other.into(),
        })
    }
}

/// A stored value that does not parse into its domain type: corrupt data, never the caller's fault.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("stored {what} {value:?} is not valid"))
}
