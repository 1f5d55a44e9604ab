//! `ProfileUpdate`: a person edits their own display name and e-mail
//! (`domain::profile::check_display_name`, `domain::contact::normalize_email`). An
//! e-mail another activated account uses is `conflict` (sign-in by e-mail must stay
//! unambiguous). Logs the profile in the person's scope and, for the owners of units
//! where they are a resident or tenant, their member record under the new name.

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::normalize_email;
use lobby_model::domain::profile::check_display_name;
use lobby_model::ErrorCode;

use crate::accounts::email_taken;
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
    let email = email.map(normalize_email).transpose()?;
    if display_name.is_none() && email.is_none() {
        return Ok(());
    }
    if let Some(e) = &email {
        if email_taken(tx, e, person_id)? {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "this e-mail address belongs to another account",
            ));
        }
    }
    tx.update_person(
        person_id,
        &PersonChange {
            display_name,
            email,
            ..PersonChange::default()
        },
    )?;
    records::profile_changed(tx, person_id, now)?;
    records::member_renamed(tx, person_id, now)
}
