//! Completing a sign-in by one-time code: the code is checked (a wrong try counted and
//! kept), and in the same unit of work the session starts. A code sent by
//! `POST /v1/invites/accept` is verified here too and first accepts its invitation
//! (`invites::accept`); an `invite_*` or `conflict` refusal then rolls everything back,
//! the code's use included.

use chrono::{DateTime, Utc};
use lobby_model::domain::otp::{otp_error, OtpCheck};

use crate::error::AppResult;
use crate::invites::accept::{accept_invite, PendingInvite};
use crate::otp_requests::{check_code, no_pending, pending_of};
use crate::otp_sender::OtpPurpose;
use crate::sessions::{start_session, NewSession};
use crate::storage::Storage;

/// Checks a login (or invitation) code and starts the session; returns the person.
pub fn complete_otp_login(
    db: &dyn Storage,
    request_id: &str,
    code_digest: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let purposes = [OtpPurpose::Login, OtpPurpose::InviteAccept];
    db.write_then(|tx| {
        let otp = match check_code(tx, request_id, &purposes, code_digest, now)? {
            Ok(otp) => otp,
            Err(e) => return Ok(Err(e)),
        };
        let person_id = if otp.purpose == OtpPurpose::InviteAccept.as_str() {
            // From here on any failure rolls everything back, the code's use included.
            let pending: PendingInvite = pending_of(&otp, "invite accept")?;
            accept_invite(tx, &pending, now)?
        } else {
            // A code for an unknown destination was never delivered, so it cannot match;
            // this branch is a guard, answered like a wrong code.
            match otp.person_id {
                Some(pid) => pid,
                None => {
                    return Err(otp_error(&OtpCheck::Wrong { remaining: 0 })
                        .unwrap_or_else(|| no_pending().error)
                        .into())
                }
            }
        };
        start_session(tx, &person_id, session, now)?;
        Ok(Ok(person_id))
    })
}
