//! The core's input rules, for forms to check while the person types. The flows check
//! them again, and so does the server.

use crate::errors::LobbyError;

/// `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG` or `PASSWORD_WEAK` when the password breaks
/// the policy (8–128 characters, upper and lower case, a digit or symbol).
#[uniffi::export]
pub fn check_password_policy(password: String) -> Result<(), LobbyError> {
    Ok(lobby_core::domain::password::check_password_policy(
        &password,
    )?)
}

/// A Thai phone number in E.164 (`0812345678` → `+66812345678`); `PHONE_INVALID`
/// otherwise.
#[uniffi::export]
pub fn normalize_thai_phone(phone: String) -> Result<String, LobbyError> {
    Ok(lobby_core::domain::contact::normalize_thai_phone(&phone)?)
}
