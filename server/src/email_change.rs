//! Changing the login e-mail (issue 7, DESIGN.md §2.2).
//!
//! Why a flow of its own: an e-mail signs its holder in (OTP or password to the address),
//! so taking someone's address is taking their login. A tenant once set an owner's
//! registry address by a plain profile edit; when the owner onboarded, two accounts shared
//! it and a code to it signed into the tenant's. So a new address is used only after a
//! code sent *to it* is verified; it must be unique among activated accounts (checked
//! here and guarded by a unique index); and the old address is told. A plain edit
//! carrying a new e-mail is refused `verification_required` (`mutations::profile`).

use chrono::{DateTime, Utc};
use lobby_model::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::accounts::{email_taken, require_activated};
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::otp_requests::{check_code, pending_of};
use crate::otp_sender::OtpPurpose;
use crate::storage::Storage;

/// The change an `email_change` code confirms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingEmailChange {
    pub person_id: String,
    /// Normalised.
    pub email: String,
}

/// What a completed change replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChanged {
    /// The address the account had before, to be told (`None`: it had none).
    pub old_email: Option<String>,
}

fn taken() -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        "this e-mail address belongs to another account",
    )
}

/// Checks an `email_change` code presented by `person_id` and makes the address theirs.
/// A code of another person's request is unknown here; a taken address is `conflict`
/// (the code stays usable: nothing is kept).
pub fn complete_email_change(
    db: &dyn Storage,
    person_id: &str,
    request_id: &str,
    code_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<EmailChanged> {
    db.write_then(|tx| {
        let otp = match check_code(tx, request_id, &[OtpPurpose::EmailChange], code_digest, now)? {
            Ok(otp) => otp,
            Err(e) => return Ok(Err(e)),
        };
        // From here on any failure rolls everything back, the code's use included.
        let pending: PendingEmailChange = pending_of(&otp, "email change")?;
        if pending.person_id != person_id {
            return Err(crate::otp_requests::no_pending());
        }
        require_activated(tx, person_id)?;
        if email_taken(tx, &pending.email, person_id)? {
            return Err(taken());
        }
        let old_email = tx.person(person_id)?.and_then(|p| p.email);
        tx.set_person_email(person_id, Some(&pending.email))?;
        records::profile_changed(tx, person_id, now)?;
        Ok(Ok(EmailChanged {
            old_email: old_email.filter(|old| *old != pending.email),
        }))
    })
}
