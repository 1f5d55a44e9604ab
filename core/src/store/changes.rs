//! Which tables each committed transaction changed, announced once per transaction to
//! every listener (lists on screen re-query when their tables change).
//!
//! **How.** SQLite calls the connection's *update hook* for every row a statement
//! inserts, updates or deletes, with the table's name; the names collect in a set until
//! the *commit hook* runs, which sends the set on a broadcast channel; the *rollback
//! hook* drops it. So one sync page of 10,000 parcels is one announcement of `parcels`
//! (and the cursor and settings tables), not 10,000; and nothing is announced for a
//! transaction that rolled back. Every write path is covered without naming it — a
//! synced page, a queued mutation, an outbox answer, a notice marked — because the hook
//! sees the rows, not the code that wrote them.
//!
//! **Caveats, each handled.** A `DELETE` without `WHERE` takes SQLite's truncate path,
//! which skips the update hook: [`super::Store::wipe`] announces every table itself. A
//! part of a transaction undone with `ROLLBACK TO` still announces its tables at commit:
//! a listener re-queries and finds nothing new, which costs a query, never a missed
//! change. The commit hook runs just before the commit is final, while the writer holds
//! the store's lock, so a listener that queries (through the same lock) sees the
//! committed rows.
//!
//! A listener that falls more than [`CAPACITY`] announcements behind receives
//! `Lagged` from the channel and should treat every table as changed.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::broadcast;

/// The names of the tables one committed transaction changed.
pub type ChangedTables = Arc<BTreeSet<String>>;

/// Announcements a slow listener may fall behind before it is told it lagged.
pub const CAPACITY: usize = 64;

/// Installs the hooks on `conn`; announcements go to `sender`.
pub(super) fn install(
    conn: &mut Connection,
    sender: broadcast::Sender<ChangedTables>,
) -> rusqlite::Result<()> {
    let pending: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let on_row = pending.clone();
    conn.update_hook(Some(move |_action, _db: &str, table: &str, _rowid| {
        if let Ok(mut p) = on_row.lock() {
            if !p.contains(table) {
                p.insert(table.to_string());
            }
        }
    }))?;
    let on_commit = pending.clone();
    conn.commit_hook(Some(move || {
        let changed = on_commit
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        if !changed.is_empty() {
            // No receiver is not an error: nobody is listening.
            let _ = sender.send(Arc::new(changed));
        }
        false // never veto the commit
    }))?;
    conn.rollback_hook(Some(move || {
        if let Ok(mut p) = pending.lock() {
            p.clear();
        }
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use tokio::sync::broadcast::error::TryRecvError;

    use crate::store::Store;

    fn names(s: &super::ChangedTables) -> Vec<&str> {
        s.iter().map(String::as_str).collect()
    }

    #[test]
    fn one_transaction_is_one_announcement_of_every_table_it_changed() {
        let mut store = Store::open_in_memory().unwrap();
        let mut rx = store.subscribe_changes();
        let tx = store.conn.transaction().unwrap();
        for i in 0..3 {
            tx.execute(
                "INSERT INTO parcel_notices (parcel_id, notified_at) VALUES (?1, 'x')",
                [format!("p{i}")],
            )
            .unwrap();
        }
        tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(
            names(&rx.try_recv().unwrap()),
            vec!["parcel_notices", "settings"]
        );
        assert_eq!(rx.try_recv().unwrap_err(), TryRecvError::Empty);
        // A statement on its own is its own transaction.
        store.set_setting("k", "w").unwrap();
        assert_eq!(names(&rx.try_recv().unwrap()), vec!["settings"]);
    }

    #[test]
    fn a_rolled_back_transaction_announces_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let mut rx = store.subscribe_changes();
        let tx = store.conn.transaction().unwrap();
        tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        tx.rollback().unwrap();
        assert_eq!(rx.try_recv().unwrap_err(), TryRecvError::Empty);
        // The next transaction does not inherit the rolled-back one's tables.
        store
            .conn
            .execute(
                "INSERT INTO parcel_notices (parcel_id, notified_at) VALUES ('p', 'x')",
                [],
            )
            .unwrap();
        assert_eq!(names(&rx.try_recv().unwrap()), vec!["parcel_notices"]);
    }

    #[test]
    fn tables_emptied_whole_are_announced_too() {
        let mut store = Store::open_in_memory().unwrap();
        store.set_setting("k", "v").unwrap();
        let mut rx = store.subscribe_changes();
        store.reset_replica().unwrap();
        let reset = rx.try_recv().unwrap();
        for t in ["parcels", "units", "sync_cursors"] {
            assert!(reset.contains(t), "{t} not in {reset:?}");
        }
        while rx.try_recv().is_ok() {}
        store.wipe().unwrap();
        let mut seen = std::collections::BTreeSet::new();
        while let Ok(t) = rx.try_recv() {
            seen.extend(t.iter().cloned());
        }
        for t in [
            "settings",
            "outbox",
            "parcels",
            "parcel_notices",
            "secret_keys",
        ] {
            assert!(seen.contains(t), "{t} not in {seen:?}");
        }
    }
}
