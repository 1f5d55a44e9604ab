//! The one error that crosses the boundary.
//!
//! Every failure is a [`LobbyError::Failed`] with the core's stable [`ErrorCode`] (what
//! the app acts on and maps to Thai and English text) and a reason for logs. Kotlin sees
//! it as `LobbyException.Failed`, Swift as `LobbyError.failed`. Panics never cross: uniffi
//! turns a Rust panic into its own internal error, and this crate has no panicking paths.

use lobby_core::ErrorCode;

#[derive(Debug, Clone, PartialEq, thiserror::Error, uniffi::Error)]
pub enum LobbyError {
    /// `code` is stable (see `ErrorCode`); `reason` is the core's message, for logs: it
    /// never holds personal data, tokens or codes. (Not called `message`, which Kotlin
    /// exceptions already have: Kotlin's `message` reads "code=…, reason=…".)
    #[error("{code}: {reason}")]
    Failed { code: ErrorCode, reason: String },
}

impl LobbyError {
    pub fn code(&self) -> ErrorCode {
        match self {
            LobbyError::Failed { code, .. } => *code,
        }
    }
}

impl From<lobby_core::LobbyError> for LobbyError {
    fn from(e: lobby_core::LobbyError) -> Self {
        LobbyError::Failed {
            code: e.code,
            reason: e.message,
        }
    }
}

/// For errors the app's [`crate::SecretStore`] throws back into the core.
impl From<LobbyError> for lobby_core::LobbyError {
    fn from(e: LobbyError) -> Self {
        match e {
            LobbyError::Failed { code, reason } => lobby_core::LobbyError::new(code, reason),
        }
    }
}

/// A foreign callback threw something other than a `LobbyException`. The only fallible
/// callback is the app's secret store, so the failure reads as a storage failure.
impl From<uniffi::UnexpectedUniFFICallbackError> for LobbyError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        LobbyError::Failed {
            code: ErrorCode::Storage,
            reason: format!("the app's secret store failed: {}", e.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_their_code_and_message() {
        let core = lobby_core::LobbyError::new(ErrorCode::OtpInvalid, "wrong code");
        let ffi = LobbyError::from(core);
        assert_eq!(
            ffi,
            LobbyError::Failed {
                code: ErrorCode::OtpInvalid,
                reason: "wrong code".into()
            }
        );
        assert_eq!(ffi.to_string(), "otp_invalid: wrong code");
    }

    #[test]
    fn errors_from_the_app_go_back_into_the_core_unchanged() {
        let ffi = LobbyError::Failed {
            code: ErrorCode::Storage,
            reason: "keystore locked".into(),
        };
        let core = lobby_core::LobbyError::from(ffi);
        assert_eq!(
            (core.code, core.message.as_str()),
            (ErrorCode::Storage, "keystore locked")
        );
    }

    #[test]
    fn an_unexpected_callback_failure_reads_as_storage() {
        let e = LobbyError::from(uniffi::UnexpectedUniFFICallbackError::new(
            "IllegalStateException",
        ));
        assert_eq!(e.code(), ErrorCode::Storage);
    }
}
