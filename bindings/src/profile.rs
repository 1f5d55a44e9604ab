//! The person's own profile. Contact fields are edited here (queued, shown at once,
//! confirmed or refused by the server on sync); fields that prove ownership change only
//! through the office.

use crate::client::LobbyClient;
use crate::errors::LobbyError;
use crate::records::ProfileInfo;

#[uniffi::export]
impl LobbyClient {
    /// The profile with queued edits laid over it; `None` before the first sync.
    pub fn profile(&self) -> Result<Option<ProfileInfo>, LobbyError> {
        Ok(self.inner.profile().get()?.map(ProfileInfo::from))
    }

    /// Queues an edit of the display name and/or e-mail (`None` leaves a field as is).
    pub fn update_profile(
        &self,
        display_name: Option<String>,
        email: Option<String>,
    ) -> Result<(), LobbyError> {
        Ok(self
            .inner
            .profile()
            .update(display_name.as_deref(), email.as_deref())?)
    }
}
