//! The replica: server state as this phone last saw it, and how pulled changes land.
//!
//! [`Store::apply_pull_page`] is the sync engine's downstream write: one page of changes,
//! its cursors, its removed scopes — one transaction. Applying is idempotent (every write
//! is an upsert or a delete by id), so a page applied twice changes nothing, and a crash
//! mid-page leaves the previous page's state and cursors.
//!
//! Nothing here names a record kind: tables, upserts, purges and resets come from the
//! areas' declarations ([`crate::capability`]).

use std::collections::BTreeMap;

use rusqlite::{params, CachedStatement, Transaction};

use super::settings::keys;
use super::{Result, Store};
use crate::capability::{synced_table, synced_tables, CAPABILITIES};
use crate::error::LobbyError;
use crate::protocol::{Change, EntityKind, PullResponse, Record};
use crate::scope::Scope;

/// What one page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyStats {
    pub changes: usize,
    pub purged_scopes: usize,
}

impl Store {
    /// Per-scope cursors to send with the next pull.
    pub fn cursors(&self) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT scope, cursor FROM sync_cursors")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    pub fn epoch(&self) -> Result<Option<u32>> {
        Ok(self.setting(keys::EPOCH)?.and_then(|s| s.parse().ok()))
    }

    /// Applies one pull page in one transaction: purge removed scopes, apply changes,
    /// store the new cursors and epoch.
    pub fn apply_pull_page(&mut self, page: &PullResponse) -> Result<ApplyStats> {
        let tx = self.conn.transaction()?;
        for scope in &page.removed_scopes {
            purge_scope(&tx, scope)?;
        }
        apply_changes(&tx, &page.changes)?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO sync_cursors(scope, cursor) VALUES (?1, ?2)
                 ON CONFLICT(scope) DO UPDATE SET cursor = excluded.cursor",
            )?;
            for (scope, cursor) in &page.cursors {
                stmt.execute(params![scope, cursor])?;
            }
        }
        tx.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![keys::EPOCH, page.epoch.to_string()],
        )?;
        tx.commit()?;
        Ok(ApplyStats {
            changes: page.changes.len(),
            purged_scopes: page.removed_scopes.len(),
        })
    }

    /// Drops every synced row and cursor (the server said "reset"). The outbox and the
    /// optimistic tables stay: queued changes are never lost to a reset.
    pub fn reset_replica(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        for t in synced_tables() {
            tx.execute(&format!("DELETE FROM {}", t.table), [])?;
        }
        tx.execute("DELETE FROM sync_cursors", [])?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [keys::EPOCH])?;
        tx.commit()?;
        // Emptied whole, the tables skipped the update hook (changes.rs): say so.
        self.announce(synced_tables().map(|t| t.table).chain(["sync_cursors"]));
        Ok(())
    }

    /// Number of rows in a synced table or the outbox (for tests and diagnostics).
    pub fn count_rows(&self, table: &str) -> Result<i64> {
        if !synced_tables().any(|t| t.table == table) && table != "outbox" {
            return Ok(0);
        }
        Ok(self
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    }
}

/// Applies changes in order (the sync hot path). Each kind's statement is prepared once
/// per page, not looked up per row.
pub(crate) fn apply_changes(tx: &Transaction<'_>, changes: &[Change]) -> Result<()> {
    let mut statements = Statements::default();
    for c in changes {
        statements.apply(tx, c)?;
    }
    Ok(())
}

/// The page's prepared upserts and deletes, per kind, made on first use.
#[derive(Default)]
struct Statements<'t> {
    upserts: BTreeMap<usize, CachedStatement<'t>>,
    deletes: BTreeMap<usize, CachedStatement<'t>>,
}

fn table_of(kind: EntityKind) -> Result<&'static crate::store::SyncedTable> {
    synced_table(kind).ok_or_else(|| {
        LobbyError::internal(format!("no table keeps {} records", kind.as_str())).into()
    })
}

impl<'t> Statements<'t> {
    fn apply(&mut self, tx: &'t Transaction<'_>, c: &Change) -> Result<()> {
        let kind = c.record.kind();
        let slot = kind as usize;
        let table = table_of(kind)?;
        if let Record::Deleted(d) = &c.record {
            let stmt = match self.deletes.entry(slot) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(tx.prepare_cached(&table.delete_sql())?)
                }
            };
            stmt.execute([&d.id])?;
            return Ok(());
        }
        let stmt = match self.upserts.entry(slot) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(tx.prepare_cached(&table.upsert_sql())?)
            }
        };
        (table.upsert)(stmt, &c.scope, &c.record)?;
        Ok(())
    }
}

/// A scope the person lost: its rows in every synced table, its cursor, and what the
/// areas say goes with it.
fn purge_scope(tx: &Transaction<'_>, scope: &str) -> Result<()> {
    for t in synced_tables() {
        tx.execute(
            &format!("DELETE FROM {} WHERE scope = ?1", t.table),
            [scope],
        )?;
    }
    if let Some(parsed) = Scope::parse(scope) {
        for c in CAPABILITIES {
            c.on_scope_lost(tx, parsed)?;
        }
    }
    tx.execute("DELETE FROM sync_cursors WHERE scope = ?1", [scope])?;
    Ok(())
}
