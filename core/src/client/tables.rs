//! Watching tables: the primitive every observable list is built on (a Kotlin `Flow`, a
//! Swift `AsyncStream`, the parcel arrivals listener).
//!
//! [`Lobby::watch_tables`] calls `on_change` once at once, then after every committed
//! transaction that changed one of the named tables (the store announces them,
//! `store/changes.rs`). The caller re-queries in `on_change` and shows the result. A
//! watcher that fell behind is called once for everything it missed. Watching ends when
//! the returned task is aborted, or when the core closes.

use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::Lobby;
use crate::device::closed;
use crate::error::Result;

impl Lobby {
    /// Calls `on_change` now and after each committed change to any of `tables` (all
    /// tables when empty). Runs on the core's threads; keep `on_change` short (query and
    /// hand the result over).
    pub fn watch_tables<F>(&self, tables: &[&str], on_change: F) -> Result<JoinHandle<()>>
    where
        F: Fn() + Send + Sync + 'static,
    {
        // Subscribe before the first call, so nothing committed in between is missed.
        let mut changes = self.inner.with_store(|s| Ok(s.subscribe_changes()))?;
        let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        on_change();
        self.spawn_detached(async move {
            loop {
                match changes.recv().await {
                    Ok(changed) => {
                        if tables.is_empty() || tables.iter().any(|t| changed.contains(t)) {
                            on_change();
                        }
                    }
                    Err(RecvError::Lagged(_)) => on_change(),
                    Err(RecvError::Closed) => break,
                }
            }
        })
        .ok_or_else(closed)
    }
}
