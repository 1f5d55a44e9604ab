//! [`ConsentsClient`] (`lobby.consents()`): the documents in force and the person's
//! answers to them (DESIGN.md §2.8). Answers are queued (work offline, shown at once);
//! `to_ask` says what the app must ask now — a new version published asks again.

use std::sync::Arc;

use lobby_core::domain::consent::ConsentKind;
use lobby_core::{Consent, Lobby};

use crate::errors::LobbyError;

/// Consents. Get it from `LobbyClient.consents()`.
#[derive(uniffi::Object)]
pub struct ConsentsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl ConsentsClient {
    /// Terms, privacy policy and marketing, in that order, with the version in force and
    /// the latest answer (a queued one first).
    pub fn list(&self) -> Result<Vec<Consent>, LobbyError> {
        Ok(self.inner.consents().list()?)
    }

    /// The kinds to ask about now.
    pub fn to_ask(&self) -> Result<Vec<ConsentKind>, LobbyError> {
        Ok(self.inner.consents().to_ask()?)
    }

    /// Agrees to `kind` (in `version`, default the version in force). Queued.
    pub fn give(&self, kind: ConsentKind, version: Option<String>) -> Result<(), LobbyError> {
        Ok(self.inner.consents().give(kind, version.as_deref())?)
    }

    /// Withdraws or refuses `kind` (`version`: default the one last answered, or the one
    /// in force): recorded, not deleted. Queued.
    pub fn withdraw(&self, kind: ConsentKind, version: Option<String>) -> Result<(), LobbyError> {
        Ok(self.inner.consents().withdraw(kind, version.as_deref())?)
    }
}
