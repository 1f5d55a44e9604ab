//! [`LobbyClient`]: the one object an app holds, and the [`SecretStore`] the app supplies.
//!
//! Open one client per data directory at start-up and keep it for the app's life:
//! it owns the local database, the core's runtime and its background tasks. Then call
//! `start_background_sync`. At the end call `shutdown` (it waits for the core's threads
//! and closes the database); dropping the last reference without it is safe too.
//!
//! The client hands out one object per area, as the core does: `auth()`
//! ([`AuthClient`]), `units()` ([`UnitsClient`]), `profile()` ([`ProfileClient`]),
//! `invites()` ([`InvitesClient`]), `parcels()` ([`ParcelsClient`]), `meetings()`
//! ([`MeetingsClient`]), `announcements()` ([`AnnouncementsClient`]), `invoices()`
//! ([`InvoicesClient`]), `consents()` ([`ConsentsClient`]) and `privacy()`
//! ([`PrivacyClient`]). Each shares the client's core — getting one is cheap,
//! and it stops with the client at `shutdown` (its calls then fail with `CLOSED`).
//! What is not an area stays here: the device (server URL, wipe, shutdown) and sync
//! (`sync.rs`).

use std::sync::Arc;

use lobby_core::{Lobby, LobbyConfig};

use crate::announcements::AnnouncementsClient;
use crate::auth::AuthClient;
use crate::errors::LobbyError;
use crate::invites::InvitesClient;
use crate::invoices::InvoicesClient;
use crate::meetings::MeetingsClient;
use crate::parcels::ParcelsClient;
use crate::privacy::{ConsentsClient, PrivacyClient};
use crate::profile::ProfileClient;
use crate::units::UnitsClient;

/// Where the session tokens live: Android Keystore or iOS Keychain, implemented by the
/// app. Called from the core's threads, so implementations must be thread-safe. Throw
/// `LobbyException.Failed` with `ErrorCode.STORAGE` when the platform store fails.
#[uniffi::export(with_foreign)]
pub trait SecretStore: Send + Sync {
    fn get(&self, key: String) -> Result<Option<String>, LobbyError>;
    fn set(&self, key: String, value: String) -> Result<(), LobbyError>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: String) -> Result<(), LobbyError>;
}

/// The app's store seen as the core's `SecretStore`.
struct AppSecretStore(Arc<dyn SecretStore>);

impl lobby_core::secrets::SecretStore for AppSecretStore {
    fn get(&self, key: &str) -> lobby_core::Result<Option<String>> {
        Ok(self.0.get(key.to_string())?)
    }

    fn set(&self, key: &str, value: &str) -> lobby_core::Result<()> {
        Ok(self.0.set(key.to_string(), value.to_string())?)
    }

    fn delete(&self, key: &str) -> lobby_core::Result<()> {
        Ok(self.0.delete(key.to_string())?)
    }
}

#[derive(uniffi::Object)]
pub struct LobbyClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export]
impl LobbyClient {
    /// Opens the device: its database in `data_dir` (created if missing), its secrets in
    /// `secrets`. `server_url` of `None` keeps the server remembered from earlier use.
    /// `device_label` names this device in the person's list of signed-in devices (e.g.
    /// "Pixel 8 · Android 15"); one the name rule refuses is not sent (an unknown device).
    #[uniffi::constructor(default(device_label = None))]
    pub fn new(
        data_dir: String,
        server_url: Option<String>,
        secrets: Arc<dyn SecretStore>,
        device_label: Option<String>,
    ) -> Result<Arc<Self>, LobbyError> {
        let config = LobbyConfig {
            data_dir: data_dir.into(),
            server_url,
            device_label,
        };
        Ok(Arc::new(LobbyClient {
            inner: Arc::new(Lobby::open(config, Arc::new(AppSecretStore(secrets)))?),
        }))
    }

    /// Onboarding by QR, sign-in and sign-out.
    pub fn auth(&self) -> Arc<AuthClient> {
        Arc::new(AuthClient {
            inner: self.inner.clone(),
        })
    }

    /// The person's units and the current unit.
    pub fn units(&self) -> Arc<UnitsClient> {
        Arc::new(UnitsClient {
            inner: self.inner.clone(),
        })
    }

    /// The person's own profile.
    pub fn profile(&self) -> Arc<ProfileClient> {
        Arc::new(ProfileClient {
            inner: self.inner.clone(),
        })
    }

    /// The documents in force and the person's consents.
    pub fn consents(&self) -> Arc<ConsentsClient> {
        Arc::new(ConsentsClient {
            inner: self.inner.clone(),
        })
    }

    /// The person's privacy requests (erasure, correction, objection).
    pub fn privacy(&self) -> Arc<PrivacyClient> {
        Arc::new(PrivacyClient {
            inner: self.inner.clone(),
        })
    }

    /// Invitation codes and a unit's members.
    pub fn invites(&self) -> Arc<InvitesClient> {
        Arc::new(InvitesClient {
            inner: self.inner.clone(),
        })
    }

    /// The person's parcels.
    pub fn parcels(&self) -> Arc<ParcelsClient> {
        Arc::new(ParcelsClient {
            inner: self.inner.clone(),
        })
    }

    /// The person's meetings, agenda items and votes.
    pub fn meetings(&self) -> Arc<MeetingsClient> {
        Arc::new(MeetingsClient {
            inner: self.inner.clone(),
        })
    }

    /// The units' announcements and their unread counts.
    pub fn announcements(&self) -> Arc<AnnouncementsClient> {
        Arc::new(AnnouncementsClient {
            inner: self.inner.clone(),
        })
    }

    /// The units' invoices and paying them with a slip.
    pub fn invoices(&self) -> Arc<InvoicesClient> {
        Arc::new(InvoicesClient {
            inner: self.inner.clone(),
        })
    }

    /// The remembered server URL.
    pub fn server_url(&self) -> Result<Option<String>, LobbyError> {
        Ok(self.inner.server_url()?)
    }

    /// Changes the server; keeps local data.
    pub fn set_server_url(&self, url: String) -> Result<(), LobbyError> {
        Ok(self.inner.set_server_url(&url)?)
    }

    /// Shuts the core down: stops background sync and in-flight work, waits (up to 10 s)
    /// for the core's threads to end, and closes the database. Later calls fail with
    /// `ErrorCode.CLOSED`. Call it before the app's process ends (the wrappers' `close`
    /// does, then frees the object). Blocks: not on the main thread.
    pub fn shutdown(&self) {
        self.inner.close();
    }

    /// Whether `shutdown` has run.
    pub fn is_shut_down(&self) -> bool {
        self.inner.is_closed()
    }

    /// Deletes everything this account left on the phone: replica, outbox, settings and
    /// the session's secrets (PDPA erasure on the device).
    pub fn wipe(&self) -> Result<(), LobbyError> {
        Ok(self.inner.wipe()?)
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl LobbyClient {
    /// "Erase this phone": ends this phone's sign-in on the server when the server can be
    /// reached (so the device is not left among the person's sessions), then `wipe` —
    /// offline too. Whether the server was told.
    pub async fn sign_out_and_wipe(&self) -> Result<bool, LobbyError> {
        Ok(self.inner.sign_out_and_wipe().await?)
    }
}

#[cfg(test)]
mod tests {
    use lobby_core::secrets::SecretStore as CoreSecretStore;
    use lobby_core::ErrorCode;

    use super::*;

    /// An app store whose platform keystore is locked.
    struct LockedKeystore;

    impl SecretStore for LockedKeystore {
        fn get(&self, _key: String) -> Result<Option<String>, LobbyError> {
            Err(LobbyError::Failed {
                code: ErrorCode::Storage,
                reason: "keystore locked".into(),
            })
        }

        fn set(&self, _key: String, _value: String) -> Result<(), LobbyError> {
            Err(LobbyError::Failed {
                code: ErrorCode::Storage,
                reason: "keystore locked".into(),
            })
        }

        fn delete(&self, _key: String) -> Result<(), LobbyError> {
            Ok(())
        }
    }

    #[test]
    fn a_failure_of_the_app_store_reaches_the_core_with_its_code() {
        let store = AppSecretStore(Arc::new(LockedKeystore));
        let err = store.get("session.access_token").err().map(|e| e.code);
        assert_eq!(err, Some(ErrorCode::Storage));
    }
}
