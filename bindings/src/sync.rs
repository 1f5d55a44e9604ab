//! Sync (DESIGN.md §4): push the outbox, pull the server's changes, and let the app watch
//! the state.
//!
//! Start-up: call `start_background_sync` once, or queued changes wait for the next
//! explicit `sync`. Being offline is a state, not an error: `sync` answers a report whose
//! state is `OFFLINE` and the retry timer keeps trying.
//!
//! Watching: `subscribe_sync_state` calls the listener with the current status before it
//! returns, then with every change, from the core's threads (hop to the UI thread
//! yourself). It returns a [`TaskHandle`]: keep it while you listen; dropping it or
//! calling `cancel` stops the updates. The listener sees the latest status, not every
//! intermediate one, if it is slower than the changes.

use std::sync::Arc;

use tokio::task::JoinHandle;

use lobby_core::{SyncReport, SyncStatus};

use crate::client::LobbyClient;
use crate::errors::LobbyError;
use crate::records::OutboxEntryInfo;

#[uniffi::export(callback_interface)]
pub trait SyncStateListener: Send + Sync {
    fn on_update(&self, status: SyncStatus);
}

/// A running subscription: cancels its task when dropped or on `cancel`.
#[derive(uniffi::Object)]
pub struct TaskHandle(Option<JoinHandle<()>>);

impl TaskHandle {
    pub(crate) fn new(task: Option<JoinHandle<()>>) -> Arc<TaskHandle> {
        Arc::new(TaskHandle(task))
    }
}

/// Told which tables a committed change touched (the primitive of observable lists).
#[uniffi::export(callback_interface)]
pub trait TableChangeListener: Send + Sync {
    fn on_change(&self);
}

#[uniffi::export]
impl TaskHandle {
    pub fn cancel(&self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }

    /// True once cancelled, or once the client it listened to is gone.
    pub fn is_finished(&self) -> bool {
        self.0.as_ref().is_none_or(JoinHandle::is_finished)
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl LobbyClient {
    /// Pushes queued changes, then pulls the server's.
    pub async fn sync(&self) -> Result<SyncReport, LobbyError> {
        Ok(self.inner.sync().await?)
    }
}

#[uniffi::export]
impl LobbyClient {
    /// Starts the timer that syncs periodically and retries queued changes with backoff.
    pub fn start_background_sync(&self) -> Result<(), LobbyError> {
        Ok(self.inner.start_background_sync()?)
    }

    /// The current sync status (local; no network).
    pub fn status(&self) -> SyncStatus {
        self.inner.status()
    }

    /// Calls `listener` with the current status at once, then with every change.
    pub fn subscribe_sync_state(&self, listener: Box<dyn SyncStateListener>) -> Arc<TaskHandle> {
        let mut status = self.inner.watch_status();
        let current = status.borrow_and_update().clone();
        listener.on_update(current);
        Arc::new(TaskHandle(self.inner.spawn_detached(async move {
            while status.changed().await.is_ok() {
                let next = status.borrow_and_update().clone();
                listener.on_update(next);
            }
        })))
    }

    /// Calls `listener` at once, then after every committed change to one of `tables`
    /// (every table when empty): re-query the list on screen there. Keep the handle
    /// while you listen.
    pub fn watch_tables(
        &self,
        tables: Vec<String>,
        listener: Box<dyn TableChangeListener>,
    ) -> Result<Arc<TaskHandle>, LobbyError> {
        let names: Vec<&str> = tables.iter().map(String::as_str).collect();
        let task = self
            .inner
            .watch_tables(&names, move || listener.on_change())?;
        Ok(TaskHandle::new(Some(task)))
    }

    /// Queued and refused changes of the signed-in person, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntryInfo>, LobbyError> {
        Ok(self
            .inner
            .outbox()?
            .into_iter()
            .map(OutboxEntryInfo::from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use lobby_core::SyncState;

    use super::*;
    use crate::client::SecretStore;

    struct NoSecrets;

    impl SecretStore for NoSecrets {
        fn get(&self, _key: String) -> Result<Option<String>, LobbyError> {
            Ok(None)
        }

        fn set(&self, _key: String, _value: String) -> Result<(), LobbyError> {
            Ok(())
        }

        fn delete(&self, _key: String) -> Result<(), LobbyError> {
            Ok(())
        }
    }

    struct Recorder(Arc<Mutex<Vec<SyncState>>>);

    impl SyncStateListener for Recorder {
        fn on_update(&self, status: SyncStatus) {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(status.state);
            }
        }
    }

    #[test]
    fn subscribing_delivers_the_current_status_before_it_returns(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let client = LobbyClient::new(
            dir.path().display().to_string(),
            None,
            Arc::new(NoSecrets),
            None,
        )?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handle = client.subscribe_sync_state(Box::new(Recorder(seen.clone())));
        assert_eq!(*seen.lock().map_err(|_| "poisoned")?, vec![SyncState::Idle]);
        assert!(!handle.is_finished());
        Ok(())
    }
}
