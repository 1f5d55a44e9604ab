//! [`MeetingsClient`] (`lobby.meetings()`): the person's meetings and their agenda, read
//! from the local replica (they answer offline); votes queued like every change (pending
//! until the server takes them); the check of the phone's receipts against the published
//! ballot log.

use std::sync::Arc;

use lobby_core::domain::voting::tally::Choice;
use lobby_core::{Lobby, Meeting, MeetingDetail, QueuedVote, ReceiptsReport};

use crate::errors::LobbyError;
use crate::sync::TaskHandle;

/// Told of the person's meetings now and whenever a meeting or an agenda item changes
/// (a meeting or an item opening or closing, a result published).
#[uniffi::export(callback_interface)]
pub trait MeetingsListener: Send + Sync {
    fn on_meetings(&self, meetings: Vec<Meeting>);
}

/// Meetings and voting. Get it from `LobbyClient.meetings()`.
#[derive(uniffi::Object)]
pub struct MeetingsClient {
    pub(crate) inner: Arc<Lobby>,
}

#[uniffi::export(async_runtime = "tokio")]
impl MeetingsClient {
    /// The person's meetings: open and draft first, then closed.
    pub fn list(&self) -> Result<Vec<Meeting>, LobbyError> {
        Ok(self.inner.meetings().list()?)
    }

    /// One meeting with its agenda, the person's votes on each item (pending or accepted
    /// with its receipt), refused votes, and each closed item's result.
    pub fn show(&self, meeting_id: String) -> Result<MeetingDetail, LobbyError> {
        Ok(self.inner.meetings().show(&meeting_id)?)
    }

    /// Votes `choice` on the item for `unit_id`, or for every unit the person votes for
    /// at its meeting when null. Queued (pending) and sent with the next sync; a later
    /// vote replaces it until the item closes. Refused at once with `VOTING_CLOSED`,
    /// `INVALID_INPUT` (an information item) or `NOT_ELIGIBLE`.
    pub fn vote(
        &self,
        item_id: String,
        choice: Choice,
        unit_id: Option<String>,
    ) -> Result<Vec<QueuedVote>, LobbyError> {
        Ok(self
            .inner
            .meetings()
            .vote(&item_id, choice, unit_id.as_deref())?)
    }

    /// Downloads the meeting's published ballot log and checks this phone's receipts and
    /// the published results against it; differences are in the report, not errors.
    /// `OFFLINE` when the log cannot be downloaded.
    pub async fn verify_receipts(&self, meeting_id: String) -> Result<ReceiptsReport, LobbyError> {
        Ok(self.inner.meetings().verify_receipts(&meeting_id).await?)
    }

    /// Calls `listener` with the meetings now, then whenever a meeting or an agenda item
    /// changes. Keep the handle while you listen.
    pub fn watch(
        &self,
        listener: Box<dyn MeetingsListener>,
    ) -> Result<Arc<TaskHandle>, LobbyError> {
        let task = self
            .inner
            .meetings()
            .watch(move |meetings| listener.on_meetings(meetings))?;
        Ok(TaskHandle::new(Some(task)))
    }
}
