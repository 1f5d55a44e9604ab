//! The background timer that drives sync without waiting for the person to act.
//!
//! Wakes when the earliest queued mutation is due, when a local write is queued
//! (`SyncEngine::nudge`), after a failed sync's backoff, and every [`PERIODIC`] otherwise.
//! It runs on the core's own runtime and stops when the `Lobby` is dropped.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::backoff::retry_delay;
use crate::client::Inner;

/// Pull at least this often while the app runs.
pub const PERIODIC: Duration = Duration::from_secs(120);

pub(crate) async fn run(inner: Arc<Inner>) {
    loop {
        let wait = next_wake(&inner);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = inner.sync.woken() => {}
        }
        if inner.has_session() {
            // Errors are published as sync state; nothing more to do here.
            let _ = inner.sync.run(&inner, super::SyncTrigger::Timer).await;
        }
    }
}

fn next_wake(inner: &Inner) -> Duration {
    let failures = inner.sync.failures();
    let mut wait = if failures > 0 {
        retry_delay(failures - 1)
    } else {
        PERIODIC
    };
    if let Ok(Some(person)) = inner.person_id() {
        if let Ok(Some(due)) = inner.with_store(|s| s.outbox_next_due(&person)) {
            let until = (due - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            wait = wait.min(until.max(Duration::from_millis(50)));
        }
    }
    wait
}
