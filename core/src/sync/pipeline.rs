//! The downstream pipeline: one side fetches and parses pages, the other applies them.
//!
//! Applying a page (SQLite) and getting the next one (network, JSON parsing) use different
//! resources, so they overlap: while page N is written, page N+1 is on its way. The channel
//! holds one page, so at most three pages are in memory (being fetched, waiting, being
//! applied). Each page is still applied in its own transaction with its cursors, and the
//! store's lock is taken per page, so the app's local reads never wait for a whole sync.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::PullResponse;
use crate::store::Store;

/// Pages waiting to be applied, beyond the one being applied.
pub const PIPELINE_DEPTH: usize = 1;

/// Applies every page received until the sender is dropped; returns the number of changes
/// applied. Blocking: run it on a blocking thread.
pub fn apply_stream(
    store: &Mutex<Option<Store>>,
    mut pages: mpsc::Receiver<PullResponse>,
) -> Result<u64> {
    let mut applied = 0u64;
    while let Some(page) = pages.blocking_recv() {
        let mut s = store
            .lock()
            .map_err(|_| LobbyError::internal("store lock poisoned"))?;
        let s = s
            .as_mut()
            .ok_or_else(|| LobbyError::new(ErrorCode::Closed, "the core was closed"))?;
        applied += s.apply_pull_page(&page)?.changes as u64;
    }
    Ok(applied)
}

/// Starts the applying side on a blocking thread; send pages into the returned channel,
/// drop it when done, then await the handle for the count (or the first error).
pub(crate) fn spawn_applier(
    store: Arc<Mutex<Option<Store>>>,
) -> (
    mpsc::Sender<PullResponse>,
    tokio::task::JoinHandle<Result<u64>>,
) {
    let (tx, rx) = mpsc::channel(PIPELINE_DEPTH);
    let handle = tokio::task::spawn_blocking(move || apply_stream(&store, rx));
    (tx, handle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Change, Record, UnitRecord};
    use std::collections::BTreeMap;

    fn page(from: i64, to: i64, has_more: bool) -> PullResponse {
        let changes = (from..=to)
            .map(|seq| Change {
                seq,
                scope: format!("unit:u{seq}"),
                record: Record::Unit(UnitRecord {
                    id: format!("u{seq}"),
                    project_id: "p".into(),
                    number: format!("{seq}/1"),
                    ownership_ratio: lobby_model::Weight::whole(1),
                    arrears_months: 0,
                }),
            })
            .collect();
        let cursors: BTreeMap<String, i64> = (1..=to).map(|s| (format!("unit:u{s}"), to)).collect();
        PullResponse {
            epoch: 3,
            reset: false,
            changes,
            cursors,
            removed_scopes: vec![],
            has_more,
        }
    }

    #[test]
    fn pages_sent_in_are_all_applied_with_the_last_pages_cursors() {
        let store = Mutex::new(Some(Store::open_in_memory().unwrap()));
        let (tx, rx) = mpsc::channel(PIPELINE_DEPTH);
        std::thread::scope(|s| {
            s.spawn(move || {
                for p in [page(1, 10, true), page(11, 20, true), page(21, 25, false)] {
                    tx.blocking_send(p).unwrap();
                }
            });
            assert_eq!(apply_stream(&store, rx).unwrap(), 25);
        });
        let guard = store.lock().unwrap();
        let s = guard.as_ref().unwrap();
        assert_eq!(s.count_rows("units").unwrap(), 25);
        assert_eq!(s.cursors().unwrap().get("unit:u1"), Some(&25));
        assert_eq!(s.epoch().unwrap(), Some(3));
    }

    #[test]
    fn a_closed_sender_with_nothing_sent_applies_nothing() {
        let store = Mutex::new(Some(Store::open_in_memory().unwrap()));
        let (tx, rx) = mpsc::channel(PIPELINE_DEPTH);
        drop(tx);
        assert_eq!(apply_stream(&store, rx).unwrap(), 0);
    }
}
