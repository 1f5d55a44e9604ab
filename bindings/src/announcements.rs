//! [`AnnouncementsClient`] (`lobby.announcements()`): a unit's announcements and the
//! unread counts, read from the local replica (they answer offline); leaving a list and
//! opening one recorded on the phone at once (an opening is told to the server through
//! the outbox); attachments fetched on demand and cached.

use std::sync::Arc;

use lobby_core::{Announcement, Lobby, UnitUnread};

use crate::errors::LobbyError;
use crate::sync::TaskHandle;

/// Told of the unread count of every unit of the person now and whenever an
/// announcement arrives, one is opened, a list is left or the person's units change.
#[uniffi::export(callback_interface)]
pub trait UnreadListener: Send + Sync {
    fn on_unread(&self, counts: Vec<UnitUnread>);
}

/// Announcements. Get it from `LobbyClient.announcements()`.
#[derive(uniffi::Object)]
pub struct AnnouncementsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export(async_runtime = "tokio")]
impl AnnouncementsClient {
    /// The unit's announcements (the current unit when null), newest first, each with
    /// whether it still counts as unread.
    pub fn list(&self, unit_id: Option<String>) -> Result<Vec<Announcement>, LobbyError> {
        Ok(self.inner.announcements().list(unit_id.as_deref())?)
    }

    /// The person left the unit's list: its general announcements are read (acknowledge
    /// ones stay unread until each is opened).
    pub fn list_left(&self, unit_id: Option<String>) -> Result<(), LobbyError> {
        Ok(self.inner.announcements().list_left(unit_id.as_deref())?)
    }

    /// Opens one announcement in the unit (the current unit when null): read (an
    /// acknowledge one acknowledged) at once, the server told through the outbox.
    /// `NOT_FOUND` for one the unit does not have.
    pub fn open(
        &self,
        announcement_id: String,
        unit_id: Option<String>,
    ) -> Result<Announcement, LobbyError> {
        Ok(self
            .inner
            .announcements()
            .open(&announcement_id, unit_id.as_deref())?)
    }

    /// The announcement's attachment (image or PDF bytes): cached after the first fetch,
    /// so it shows offline; `NOT_FOUND` without one, `OFFLINE` when it must be downloaded
    /// and cannot be.
    pub async fn attachment(
        &self,
        announcement_id: String,
        unit_id: Option<String>,
    ) -> Result<Vec<u8>, LobbyError> {
        Ok(self
            .inner
            .announcements()
            .attachment(&announcement_id, unit_id.as_deref())
            .await?)
    }

    /// The unread count of every unit of the person.
    pub fn unread_counts(&self) -> Result<Vec<UnitUnread>, LobbyError> {
        Ok(self.inner.announcements().unread_counts()?)
    }

    /// Calls `listener` with the unread counts now, then after every change to the
    /// announcements, what was opened or left, or the person's units. Keep the handle
    /// while you listen.
    pub fn watch_unread(
        &self,
        listener: Box<dyn UnreadListener>,
    ) -> Result<Arc<TaskHandle>, LobbyError> {
        let task = self
            .inner
            .announcements()
            .watch_unread(move |counts| listener.on_unread(counts))?;
        Ok(TaskHandle::new(Some(task)))
    }
}
