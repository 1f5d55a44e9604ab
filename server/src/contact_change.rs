//! Changing a contact that signs its holder in: the login e-mail (issue 7) or the phone
//! number (issue 11, the PDPA's correction of contact fields by the person; DESIGN.md
//! §2.2, §2.8).
//!
//! Why a flow of its own: a phone or an e-mail signs its holder in (a code or a password
//! to it), so taking someone's contact is taking their login. A tenant once set an
//! owner's registry address by a plain profile edit; when the owner onboarded, two
//! accounts shared it and a code to it signed into the tenant's. So:
//! - a new contact is used only after a code sent *to it* is verified;
//! - the request needs a sign-in from the last few minutes (`reauth_required`), so an
//!   unlocked phone left on a table is not enough to move the account elsewhere;
//! - a phone must not be anyone else's — an account's or a registry entry's (the juristic
//!   office corrects its registry) — and an e-mail not another activated account's,
//!   checked here and guarded by unique indexes;
//! - the old contact is told.
//!
//! The replaced value is also taken out of the person's earlier `profile` records in the
//! change log: the new record supersedes them on every phone, and an erasure later
//! searches for the contacts the person has then, so an old number left in the log would
//! outlive it.

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::erasure::Identifiers;
use lobby_model::domain::privacy_request::check_fresh_sign_in;
use lobby_model::ErrorCode;
use serde::{Deserialize, Serialize};

use crate::accounts::{email_taken, require_activated};
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::otp_requests::{check_code, pending_of};
use crate::otp_sender::OtpPurpose;
use crate::privacy::erasure::forget_superseded_profiles;
use crate::storage::{PersonChange, Storage, Tx};

/// The new contact a change code confirms. Serialised flat into the pending request
/// (`{"person_id", "email"}` or `{"person_id", "phone"}`), the form e-mail changes have
/// always had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NewContact {
    /// Normalised.
    Email(String),
    /// E.164.
    Phone(String),
}

impl NewContact {
    /// The code's purpose: one kind of code never confirms the other kind of change.
    pub fn purpose(&self) -> OtpPurpose {
        match self {
            NewContact::Email(_) => OtpPurpose::EmailChange,
            NewContact::Phone(_) => OtpPurpose::PhoneChange,
        }
    }

    /// Where the code goes.
    pub fn destination(&self) -> Destination {
        match self {
            NewContact::Email(e) => Destination::Email(e.clone()),
            NewContact::Phone(p) => Destination::Phone(p.clone()),
        }
    }
}

/// The change a contact-change code confirms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingContactChange {
    pub person_id: String,
    #[serde(flatten)]
    pub contact: NewContact,
}

/// What a completed change replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChanged {
    /// The contact the account had before, to be told (`None`: it had none, or the same).
    pub old: Option<Destination>,
}

fn taken(contact: &NewContact) -> AppError {
    AppError::new(
        ErrorCode::Conflict,
        match contact {
            NewContact::Email(_) => "this e-mail address belongs to another account",
            NewContact::Phone(_) => {
                "this phone number belongs to another account or to another owner in the juristic office's registry; if it is yours, ask the office to correct the registry"
            }
        },
    )
}

/// `reauth_required` unless the session family `family_id` signed in recently enough to
/// move the account's sign-in elsewhere.
pub fn check_may_change(db: &dyn Storage, family_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let signed_in = db.read(|tx| tx.signed_in_at(family_id))?;
    check_fresh_sign_in(
        "changing how you sign in",
        signed_in.unwrap_or(DateTime::<Utc>::MIN_UTC),
        now,
    )?;
    Ok(())
}

/// Whether someone other than `person_id` holds the contact.
fn is_taken(tx: &mut dyn Tx, contact: &NewContact, person_id: &str) -> AppResult<bool> {
    match contact {
        NewContact::Email(email) => email_taken(tx, email, person_id),
        NewContact::Phone(phone) => Ok(tx
            .person_by_phone(phone)?
            .is_some_and(|p| p.id != person_id)),
    }
}

/// Checks a change code of `purpose` presented by `person_id` and makes the contact
/// theirs. A code of another person's request, or of the other purpose, is unknown here;
/// a taken contact is `conflict` (the code stays usable: nothing is kept).
pub fn complete_contact_change(
    db: &dyn Storage,
    person_id: &str,
    purpose: OtpPurpose,
    request_id: &str,
    code_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<ContactChanged> {
    db.write_then(|tx| {
        let otp = match check_code(tx, request_id, &[purpose], code_digest, now)? {
            Ok(otp) => otp,
            Err(e) => return Ok(Err(e)),
        };
        // From here on any failure rolls everything back, the code's use included.
        let pending: PendingContactChange = pending_of(&otp, purpose.as_str())?;
        if pending.person_id != person_id || pending.contact.purpose() != purpose {
            return Err(crate::otp_requests::no_pending());
        }
        require_activated(tx, person_id)?;
        if is_taken(tx, &pending.contact, person_id)? {
            return Err(taken(&pending.contact));
        }
        let person = tx.person(person_id)?.ok_or_else(AppError::unauthorized)?;
        let old = match &pending.contact {
            NewContact::Email(email) => {
                tx.set_person_email(person_id, Some(email))?;
                person
                    .email
                    .filter(|old| old != email)
                    .map(Destination::Email)
            }
            NewContact::Phone(phone) => {
                tx.update_person(
                    person_id,
                    &PersonChange {
                        phone: Some(phone.clone()),
                        ..PersonChange::default()
                    },
                )?;
                person
                    .phone
                    .filter(|old| old != phone)
                    .map(Destination::Phone)
            }
        };
        records::profile_changed(tx, person_id, now)?;
        if let Some(old) = &old {
            let replaced = match old {
                Destination::Email(e) => Identifiers::new(&[], None, Some(e)),
                Destination::Phone(p) => Identifiers::new(&[], Some(p), None),
            };
            forget_superseded_profiles(tx, person_id, &replaced)?;
        }
        Ok(Ok(ContactChanged { old }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_changes_written_before_phone_changes_existed_still_parse() {
        let old: PendingContactChange =
            serde_json::from_str(r#"{"person_id":"p1","email":"a@example.com"}"#).unwrap();
        assert_eq!(old.contact, NewContact::Email("a@example.com".into()));
        let phone = PendingContactChange {
            person_id: "p1".into(),
            contact: NewContact::Phone("+66876543210".into()),
        };
        let json = serde_json::to_string(&phone).unwrap();
        assert_eq!(json, r#"{"person_id":"p1","phone":"+66876543210"}"#);
        let back: PendingContactChange = serde_json::from_str(&json).unwrap();
        assert_eq!(back.contact.purpose(), OtpPurpose::PhoneChange);
    }
}
