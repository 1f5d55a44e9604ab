//! [`AnnouncementsClient`]: a unit's announcements and unread counts, from the replica
//! (offline); opening one records it on the phone at once and tells the server through
//! the outbox.

use chrono::Utc;

use super::store::{Announcement, UnitUnread};
use crate::client::Lobby;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::Mutation;

/// The announcements area (`lobby.announcements()`).
pub struct AnnouncementsClient<'a> {
    pub(super) lobby: &'a Lobby,
}

impl Lobby {
    /// The announcements area.
    pub fn announcements(&self) -> AnnouncementsClient<'_> {
        AnnouncementsClient { lobby: self }
    }
}

impl AnnouncementsClient<'_> {
    /// The unit's announcements (the current unit when `None`), newest first, each with
    /// whether it still counts as unread.
    pub fn list(&self, unit_id: Option<&str>) -> Result<Vec<Announcement>> {
        let unit = self.lobby.inner.unit_or_current(unit_id)?;
        self.lobby
            .inner
            .with_store(|s| s.announcements(&unit, Utc::now()))
    }

    /// The person opened the unit's list and left it: every general announcement there is
    /// read (acknowledge ones stay unread until each is opened).
    pub fn list_left(&self, unit_id: Option<&str>) -> Result<()> {
        let unit = self.lobby.inner.unit_or_current(unit_id)?;
        self.lobby
            .inner
            .with_store(|s| s.announcement_list_left(&unit, Utc::now()))
    }

    /// Opens one announcement in the unit: it is read (an acknowledge kind is
    /// acknowledged) on this phone at once, and the server is told through the outbox
    /// (who, which unit, when) — offline too. `not_found` for one this unit does not have.
    pub fn open(&self, announcement_id: &str, unit_id: Option<&str>) -> Result<Announcement> {
        let unit = self.lobby.inner.unit_or_current(unit_id)?;
        let person = self.lobby.inner.require_person()?;
        let now = Utc::now();
        let found = self
            .lobby
            .inner
            .with_store(|s| s.announcements(&unit, now))?
            .into_iter()
            .find(|a| a.announcement_id == announcement_id)
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such announcement"))?;
        let first = self
            .lobby
            .inner
            .with_store(|s| s.announcement_opened(announcement_id, &unit, now))?;
        if first {
            let mutation = Mutation::AnnouncementOpen {
                announcement_id: announcement_id.to_string(),
                unit_id: unit.clone(),
            };
            self.lobby
                .inner
                .with_store_mut(|s| s.enqueue(&person, mutation, now))?;
            self.lobby.inner.after_local_write()?;
        }
        Ok(Announcement {
            unread: false,
            opened: true,
            ..found
        })
    }

    /// The announcement's attachment (image or PDF bytes): from the phone's cache when
    /// fetched before — offline too — otherwise downloaded, checked against the digest
    /// its record names, and cached. `not_found` for an announcement this unit does not
    /// have or one without an attachment.
    pub async fn attachment(
        &self,
        announcement_id: &str,
        unit_id: Option<&str>,
    ) -> Result<Vec<u8>> {
        let unit = self.lobby.inner.unit_or_current(unit_id)?;
        let id = announcement_id.to_string();
        let file = self
            .lobby
            .inner
            .with_store(move |s| s.announcement_attachment(&id, &unit))?
            .ok_or_else(|| LobbyError::new(ErrorCode::NotFound, "no such attachment"))?;
        let inner = self.lobby.inner.clone();
        self.lobby
            .spawn(async move { inner.file(&file).await })
            .await
    }

    /// The unread count of every unit of the person.
    pub fn unread_counts(&self) -> Result<Vec<UnitUnread>> {
        self.lobby.inner.with_store(|s| s.unread_counts(Utc::now()))
    }

    /// Calls `deliver` with the unread counts now, then after every committed change to
    /// announcements, what was opened or left, or the person's units — the badge's
    /// listener.
    /// Abort the returned task to stop; it also ends when the core closes.
    pub fn watch_unread<F>(&self, deliver: F) -> Result<tokio::task::JoinHandle<()>>
    where
        F: Fn(Vec<UnitUnread>) + Send + Sync + 'static,
    {
        let inner = self.lobby.inner.clone();
        self.lobby.watch_tables(
            &[
                "announcements",
                "announcement_opened",
                "announcement_lists_left",
                "memberships",
                "units",
            ],
            move || match inner.with_store(|s| s.unread_counts(Utc::now())) {
                Ok(c) => deliver(c),
                Err(e) => tracing::warn!(code = %e.code, "unread counts could not be read"),
            },
        )
    }
}
