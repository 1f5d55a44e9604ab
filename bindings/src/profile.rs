//! [`ProfileClient`] (`lobby.profile()`): the person's own profile. The display name is
//! edited here (queued, shown at once, confirmed or refused by the server on sync); the
//! login e-mail changes by a code sent to the new address (online); fields that prove
//! ownership change only through the office.

use std::sync::Arc;

use lobby_core::{Lobby, OtpChallenge, Profile};

use crate::errors::LobbyError;

/// The person's own profile. Get it from `LobbyClient.profile()`.
#[derive(uniffi::Object)]
pub struct ProfileClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export(async_runtime = "tokio")]
impl ProfileClient {
    /// The profile with queued edits laid over it; `None` before the first sync.
    pub fn get(&self) -> Result<Option<Profile>, LobbyError> {
        Ok(self.inner.profile().get()?)
    }

    /// Queues a change of the display name (works offline).
    pub fn set_display_name(&self, display_name: String) -> Result<(), LobbyError> {
        Ok(self.inner.profile().set_display_name(&display_name)?)
    }

    /// Sends a code to the new login e-mail; then `confirm_email_change`.
    pub async fn request_email_change(&self, email: String) -> Result<OtpChallenge, LobbyError> {
        Ok(self.inner.profile().request_email_change(&email).await?)
    }

    /// Checks the code sent to the new address: it becomes the login e-mail, the old one
    /// is told, the profile syncs in.
    pub async fn confirm_email_change(&self, code: String) -> Result<Option<Profile>, LobbyError> {
        Ok(self.inner.profile().confirm_email_change(&code).await?)
    }

    /// Sends a code to the new phone number (needs a recent sign-in); then
    /// `confirm_phone_change`.
    pub async fn request_phone_change(&self, phone: String) -> Result<OtpChallenge, LobbyError> {
        Ok(self.inner.profile().request_phone_change(&phone).await?)
    }

    /// Checks the code sent to the new number: it becomes the person's phone, the old one
    /// is told, the profile syncs in.
    pub async fn confirm_phone_change(&self, code: String) -> Result<Option<Profile>, LobbyError> {
        Ok(self.inner.profile().confirm_phone_change(&code).await?)
    }
}
