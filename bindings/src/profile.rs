//! [`ProfileClient`] (`lobby.profile()`): the person's own profile. Contact fields are
//! edited here (queued, shown at once, confirmed or refused by the server on sync);
//! fields that prove ownership change only through the office.

use std::sync::Arc;

use lobby_core::{Lobby, Profile};

use crate::errors::LobbyError;

/// The person's own profile. Get it from `LobbyClient.profile()`.
#[derive(uniffi::Object)]
pub struct ProfileClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl ProfileClient {
    /// The profile with queued edits laid over it; `None` before the first sync.
    pub fn get(&self) -> Result<Option<Profile>, LobbyError> {
        Ok(self.inner.profile().get()?)
    }

    /// Queues an edit of the display name and/or e-mail (`None` leaves a field as is).
    pub fn update(
        &self,
        display_name: Option<String>,
        email: Option<String>,
    ) -> Result<(), LobbyError> {
        let profile = self.inner.profile();
        Ok(profile.update(display_name.as_deref(), email.as_deref())?)
    }
}
