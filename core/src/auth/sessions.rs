//! The person's signed-in devices (issue 11: "devices and sessions are listed — which
//! device, last seen"), so a person can spot a sign-in they do not recognise and end it
//! with `logout(everywhere)`.
//!
//! Asked of the server each time (`GET /v1/me/sessions`), never kept on the phone: the
//! list is about other devices, which this phone cannot see change, and a stale copy
//! would show a device as signed in after it was signed out.

use chrono::{DateTime, Utc};

use super::AuthClient;
use crate::error::Result;
use crate::protocol::SessionEntry;

/// One sign-in of the person: a device, from its sign-in until it signs out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SessionInfo {
    /// The sign-in's id (stays the same across token refreshes).
    pub session_id: String,
    /// The label the device gave itself (`LobbyConfig::device_label`); `None` for a
    /// device that gave none or one the server refused: show it as an unknown device.
    pub device: Option<String>,
    pub signed_in_at: DateTime<Utc>,
    /// The device's last sign-in or token refresh; it was last active at most the
    /// access token's lifetime (15 minutes) after this.
    pub last_seen: DateTime<Utc>,
    /// Whether this is this phone's own sign-in.
    pub current: bool,
}

impl From<SessionEntry> for SessionInfo {
    fn from(e: SessionEntry) -> SessionInfo {
        SessionInfo {
            session_id: e.session_id,
            device: e.device,
            signed_in_at: e.signed_in_at,
            last_seen: e.last_seen,
            current: e.current,
        }
    }
}

impl AuthClient<'_> {
    /// The person's signed-in devices, the most recently seen first, this phone's own
    /// marked `current`. Needs the network (`offline` without it) and a session
    /// (`unauthorized` when signed out).
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>> {
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move {
                let list = inner
                    .authed(|api, token| async move { api.sessions(&token).await })
                    .await?;
                Ok(list.sessions.into_iter().map(SessionInfo::from).collect())
            })
            .await
    }
}
