//! `ProfileUpdate`: a person edits their own display name
//! (`domain::profile::check_display_name`). The e-mail signs its holder in, so it is not
//! changed here: a new address is `verification_required` and goes through a code sent
//! to it (`crate::contact_change`); the current address again is no change. Logs the
//! profile in the person's scope and, for the owners of units where they are a resident
//! or tenant, their member record under the new name.

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::normalize_email;
use lobby_model::domain::profile::check_display_name;
use lobby_model::ErrorCode;

use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::storage::{PersonChange, Tx};

/// Applies a profile edit; `None` fields stay as they are.
pub fn update(
    tx: &mut dyn Tx,
    person_id: &str,
    display_name: Option<&str>,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let display_name = display_name.map(check_display_name).transpose()?;
    if let Some(e) = email.map(normalize_email).transpose()? {
        let current = tx.person(person_id)?.and_then(|p| p.email);
        if current.as_deref() != Some(e.as_str()) {
            return Err(AppError::new(
                ErrorCode::VerificationRequired,
                "a new e-mail is used only after the code sent to it is entered",
            ));
        }
    }
    let Some(display_name) = display_name else {
        return Ok(());
    };
    tx.update_person(
        person_id,
        &PersonChange {
            display_name: Some(display_name),
            ..PersonChange::default()
        },
    )?;
    records::profile_changed(tx, person_id, now)?;
    records::member_renamed(tx, person_id, now)
}
