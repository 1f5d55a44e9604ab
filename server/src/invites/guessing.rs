//! Finding the invitation behind a code offered for acceptance, with guessing limited.
//! A code is 50 bits, so guessing is what to stop: before the code is even looked at,
//! each guess key (the phone, and the client address unless exempt) must have wrong
//! tries left in the window (`check_guesses`); a malformed or unknown code records a
//! failure against every key. Failures are committed although the answer is an error.

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::StoredInviteState;
use lobby_model::protocol::Role;
use lobby_model::ErrorCode;

use super::{check_guesses, guess_window_start};
use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// An invitation found by its code, as acceptance needs it.
#[derive(Debug, Clone)]
pub struct InviteTarget {
    pub id: String,
    pub unit_id: String,
    pub role: Role,
    pub state: StoredInviteState,
    pub expires_at: DateTime<Utc>,
}

pub(crate) fn invalid_code() -> AppError {
    AppError::new(
        ErrorCode::InviteInvalid,
        "this invitation code is not known; check it with the owner",
    )
}

/// The invitation behind `code_digest` (`None`: a malformed code). `rate_limited` when
/// any of `guess_keys` has used up its window; `invite_invalid` for a malformed or
/// unknown code, after recording a failure against every key.
pub fn invite_for_acceptance(
    db: &dyn Storage,
    code_digest: Option<&str>,
    guess_keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<InviteTarget> {
    let window_start = guess_window_start(now);
    db.write_then(|tx| {
        for key in guess_keys {
            if let Err(e) = check_guesses(&tx.guess_failures_since(key, window_start)?, now) {
                return Ok(Err(e));
            }
        }
        let found = match code_digest {
            None => None,
            Some(d) => tx.invite_by_code(d)?,
        };
        let Some(invite) = found else {
            for key in guess_keys {
                tx.record_guess_failure(key, now)?;
            }
            // Wrong codes older than the window count for nothing; drop them as we go.
            tx.forget_guess_failures(window_start)?;
            return Ok(Err(match code_digest {
                None => AppError::new(
                    ErrorCode::InviteInvalid,
                    "this is not an invitation code (10 letters and digits)",
                ),
                Some(_) => invalid_code(),
            }));
        };
        Ok(Ok(InviteTarget {
            id: invite.id,
            unit_id: invite.unit_id,
            role: invite.role,
            state: invite.state,
            expires_at: invite.expires_at,
        }))
    })
}
