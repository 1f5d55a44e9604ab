//! The store's error: a SQLite failure, or a refusal the store itself makes (a damaged
//! key, an unreadable file, a rule checked in a transaction). Outside the store it is a
//! [`LobbyError`]: SQLite failures become `storage`, refusals keep their code.

use crate::error::{ErrorCode, LobbyError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("local database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Refused(#[from] LobbyError),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Refused(e.into())
    }
}

impl From<StoreError> for LobbyError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlite(e) => {
                LobbyError::new(ErrorCode::Storage, format!("local database: {e}"))
            }
            StoreError::Refused(e) => e,
        }
    }
}

impl StoreError {
    /// The stable code this failure shows as.
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Sqlite(_) => ErrorCode::Storage,
            StoreError::Refused(e) => e.code,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
