//! What the stored state of an onboarding token means.
//!
//! The payload's own checks (format, checksum) live in
//! `lobby_model::domain::onboarding`; this is the part only the server can judge, from its
//! row: used, replaced by a reissue, or past its stored expiry. The order matters: a used
//! token says "used" even once expired, so the owner learns the true reason.

use chrono::{DateTime, Utc};
use lobby_model::{ErrorCode, LobbyError};

pub use crate::storage::TokenState;

/// Default lifetime of a token issued at import or reissue.
pub const TOKEN_TTL_DAYS: i64 = lobby_model::domain::onboarding::ONBOARDING_DEFAULT_TTL_DAYS;

/// Whether the token may still be used at `now`.
pub fn check_token_state(state: &TokenState, now: DateTime<Utc>) -> Result<(), LobbyError> {
    if state.used {
        return Err(LobbyError::new(
            ErrorCode::OnboardingTokenUsed,
            "this onboarding QR has already been used",
        ));
    }
    if state.voided {
        return Err(LobbyError::new(
            ErrorCode::OnboardingTokenInvalid,
            "this onboarding QR was replaced by a newer one; use the latest QR from the juristic office",
        ));
    }
    if now >= state.expires_at {
        return Err(LobbyError::new(
            ErrorCode::OnboardingTokenExpired,
            "this onboarding QR has expired; ask the juristic office for a new one",
        ));
    }
    Ok(())
}

/// The answer for a token the server has never issued.
pub fn unknown_token() -> LobbyError {
    LobbyError::new(
        ErrorCode::OnboardingTokenInvalid,
        "this onboarding QR is not known to the server",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    fn state(used: bool, voided: bool, expires_in: i64) -> TokenState {
        TokenState {
            expires_at: now() + Duration::seconds(expires_in),
            used,
            voided,
        }
    }

    fn code(s: &TokenState) -> Option<ErrorCode> {
        check_token_state(s, now()).err().map(|e| e.code)
    }

    #[test]
    fn fresh_token_is_accepted() {
        assert_eq!(code(&state(false, false, 60)), None);
    }

    #[test]
    fn used_wins_over_expired_and_voided() {
        assert_eq!(
            code(&state(true, true, -60)),
            Some(ErrorCode::OnboardingTokenUsed)
        );
    }

    #[test]
    fn replaced_token_is_invalid_and_says_so() {
        let e = check_token_state(&state(false, true, 60), now()).unwrap_err();
        assert_eq!(e.code, ErrorCode::OnboardingTokenInvalid);
        assert!(e.message.contains("replaced"));
    }

    #[test]
    fn token_expires_at_its_stored_expiry() {
        assert_eq!(
            code(&state(false, false, 0)),
            Some(ErrorCode::OnboardingTokenExpired)
        );
    }
}
