//! [`SyncedTable`]: how one record kind of the change log is kept on the phone.
//!
//! Each area declares its tables (`units/records.rs`, `invites/records.rs`, …); the
//! replica derives its upserts, deletes, purges and resets from the declarations. Every
//! synced table has `id TEXT PRIMARY KEY` and `scope TEXT NOT NULL` (the scope the row came
//! from, so a lost scope purges cleanly), then the kind's own columns.

use rusqlite::CachedStatement;

use crate::protocol::{EntityKind, Record};

/// One record kind's table.
pub(crate) struct SyncedTable {
    pub kind: EntityKind,
    pub table: &'static str,
    /// The columns after `id` and `scope`, in the order [`SyncedTable::upsert`] binds them
    /// (`?3`, `?4`, …).
    pub columns: &'static [&'static str],
    /// Runs the prepared upsert for one record of this kind: `?1` the id, `?2` the scope,
    /// then `columns`. A record of another kind is a bug of the declaration.
    pub upsert: fn(&mut CachedStatement<'_>, &str, &Record) -> rusqlite::Result<usize>,
}

impl SyncedTable {
    /// `INSERT … ON CONFLICT(id) DO UPDATE` over every column.
    pub fn upsert_sql(&self) -> String {
        let cols: Vec<&str> = ["id", "scope"]
            .into_iter()
            .chain(self.columns.iter().copied())
            .collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let updates: Vec<String> = cols[1..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        format!(
            "INSERT INTO {}({}) VALUES ({}) ON CONFLICT(id) DO UPDATE SET {}",
            self.table,
            cols.join(", "),
            params.join(", "),
            updates.join(", ")
        )
    }

    pub fn delete_sql(&self) -> String {
        format!("DELETE FROM {} WHERE id = ?1", self.table)
    }
}

/// The error for a record handed to another kind's upsert.
pub(crate) fn wrong_kind(table: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidParameterName(format!("a record of another kind reached {table}"))
}
