//! Privacy rights (DESIGN.md §2.8). [`ConsentsClient`] (`lobby.consents()`): the
//! documents in force and the person's answers to them; answers are queued (work offline,
//! shown at once) and `to_ask` says what the app must ask now — a new version published
//! asks again. [`PrivacyClient`] (`lobby.privacy()`): erasure, correction and objection
//! requests with their deadline and the office's answer.

use std::sync::Arc;

use lobby_core::domain::consent::ConsentKind;
use lobby_core::domain::privacy_request::RequestKind;
use lobby_core::{Consent, Lobby, PrivacyRequest};

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

/// Privacy requests: erasure, correction, objection. Get it from `LobbyClient.privacy()`.
#[derive(uniffi::Object)]
pub struct PrivacyClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl PrivacyClient {
    /// Files a request (queued; offline too); the office answers within 30 days. An
    /// erasure needs a sign-in of the last 10 minutes, or it comes back refused
    /// `REAUTH_REQUIRED`.
    pub fn file_request(
        &self,
        kind: RequestKind,
        detail: Option<String>,
    ) -> Result<PrivacyRequest, LobbyError> {
        Ok(self.inner.privacy().file_request(kind, detail.as_deref())?)
    }

    /// The person's requests, newest first, with deadline, status and answer.
    pub fn requests(&self) -> Result<Vec<PrivacyRequest>, LobbyError> {
        Ok(self.inner.privacy().requests()?)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl PrivacyClient {
    /// Everything held about the person — the server's part and what only this phone
    /// holds — as one JSON document (`docs/export.md`). Needs the network and a sign-in
    /// of the last 10 minutes (`REAUTH_REQUIRED` otherwise).
    pub async fn export(&self) -> Result<String, LobbyError> {
        Ok(self.inner.privacy().export().await?)
    }
}
