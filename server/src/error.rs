//! The server's internal error: a [`LobbyError`] (stable code + message) plus, for
//! rate-limited answers, how long to wait. Storage, services and handlers all return it;
//! `http::error` turns it into the JSON answer.
//!
//! Messages go to clients, so they never contain personal data, tokens or codes. Causes
//! that might (database errors) are logged by id only and answered generically.

use lobby_model::{ErrorCode, LobbyError};

#[derive(Debug, Clone)]
pub struct AppError {
    pub error: LobbyError,
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        LobbyError::new(code, message).into()
    }

    pub fn rate_limited(message: impl Into<String>, retry_after_secs: u64) -> Self {
        AppError {
            error: LobbyError::new(ErrorCode::RateLimited, message),
            retry_after_secs: Some(retry_after_secs.max(1)),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(ErrorCode::Unauthorized, "no valid session; sign in again")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// `conflict`: a row with this key (or unique field) is already stored.
    pub fn already_exists(what: &str) -> Self {
        Self::new(ErrorCode::Conflict, format!("{what} already exists"))
    }

    /// A server-side failure whose detail stays in the log.
    pub fn server(context: &str, detail: impl std::fmt::Display) -> Self {
        tracing::error!(%context, %detail, "server failure");
        Self::new(
            ErrorCode::ServerError,
            format!("the server failed ({context}); nothing was changed"),
        )
    }

    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl From<LobbyError> for AppError {
    fn from(error: LobbyError) -> Self {
        AppError {
            error,
            retry_after_secs: None,
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::server("database", e)
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::server("encoding", e)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for AppError {}

pub type AppResult<T> = Result<T, AppError>;
