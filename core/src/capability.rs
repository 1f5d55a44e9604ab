//! Capabilities: what each area of the product — units, profile, invitations, parcels,
//! and next meetings, announcements, invoices, privacy — contributes to the phone's store
//! and to sync, declared in that area's own module.
//!
//! The store and the sync engine are generic: they name no record kind, table or mutation.
//! They ask [`CAPABILITIES`]: which tables hold which record kind of the change log
//! ([`SyncedTable`]), which tables hold optimistic effects (deleted when the server
//! answers), what a queued mutation writes locally, what a lost scope takes with it, and
//! which columns name files the phone may cache ([`FileColumn`]), and what to do before a
//! push, after a refusal and after a pull. So the replica's apply,
//! purge and reset, the outbox's rollback and the wipe are all derived from these
//! declarations, and a new area is one module plus one line in [`CAPABILITIES`]
//! (docs/architecture.md has the checklist). A test checks that every record kind of the
//! protocol has exactly one table here.

use rusqlite::Transaction;

use crate::device::Device;
use crate::error::Result;
use crate::protocol::{EntityKind, Mutation, MutationEnvelope};
use crate::scope::Scope;
use crate::store::SyncedTable;

/// A mutation being queued, as [`Capability::on_enqueue`] sees it.
pub(crate) struct Queued<'a> {
    pub mutation_id: &'a str,
    pub person_id: &'a str,
    pub mutation: &'a Mutation,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A column of a synced table holding the id of a file (`FileRef.id`) the phone may keep
/// in its file cache: the cache keeps a file only while some row names it.
pub(crate) struct FileColumn {
    pub table: &'static str,
    pub column: &'static str,
}

/// What one area contributes. Every method has a do-nothing default.
pub(crate) trait Capability: Sync {
    fn name(&self) -> &'static str;

    /// The record kinds of the change log this area keeps, one table each.
    fn synced_tables(&self) -> &'static [SyncedTable] {
        &[]
    }

    /// Columns of this area's synced tables that name cached files (`crate::files`).
    fn file_columns(&self) -> &'static [FileColumn] {
        &[]
    }

    /// Tables of optimistic effects, each with a `mutation_id` column: when the server
    /// applies or refuses a mutation, its rows in these tables are deleted.
    fn local_tables(&self) -> &'static [&'static str] {
        &[]
    }

    /// Writes the optimistic effect of a mutation this area owns (and nothing for
    /// others), in the transaction that queues it.
    fn on_enqueue(&self, _tx: &Transaction<'_>, _queued: &Queued<'_>) -> rusqlite::Result<()> {
        Ok(())
    }

    /// Removes from a mutation what must never be written to the outbox (a secret kept
    /// in the secret store instead; [`Capability::before_push`] puts it back).
    fn outbox_form(&self, _mutation: &mut Mutation) {}

    /// A scope was lost (purged): remove what goes with it but is not tagged with it.
    /// Runs in the transaction that applies the page.
    fn on_scope_lost(&self, _tx: &Transaction<'_>, _scope: Scope<'_>) -> rusqlite::Result<()> {
        Ok(())
    }

    /// Before a batch is pushed: complete the mutations of this area (e.g. secrets from
    /// the secret store). A mutation that cannot be sent is refused locally here
    /// (through the outbox) and removed from the batch.
    fn before_push(&self, _device: &Device, _batch: &mut Vec<MutationEnvelope>) -> Result<()> {
        Ok(())
    }

    /// The server refused one of this area's mutations (the outbox has already rolled
    /// its optimistic effect back).
    fn on_rejected(&self, _device: &Device, _envelope: &MutationEnvelope) -> Result<()> {
        Ok(())
    }

    /// A pull finished and the replica is up to date.
    fn after_pull(&self, _device: &Device) -> Result<()> {
        Ok(())
    }
}

/// Every area of the phone core. Order is irrelevant.
pub(crate) const CAPABILITIES: &[&dyn Capability] = &[
    &crate::units::Units,
    &crate::profile::ProfileArea,
    &crate::invites::Invites,
    &crate::parcels::Parcels,
    &crate::files::Files,
    &crate::meetings::Meetings,
    &crate::announcements::Announcements,
    &crate::invoices::Invoices,
    &crate::privacy::Privacy,
];

/// Every synced table of every capability.
pub(crate) fn synced_tables() -> impl Iterator<Item = &'static SyncedTable> {
    CAPABILITIES.iter().flat_map(|c| c.synced_tables().iter())
}

/// The table that keeps `kind`.
pub(crate) fn synced_table(kind: EntityKind) -> Option<&'static SyncedTable> {
    synced_tables().find(|t| t.kind == kind)
}

/// Every column that names a cached file.
pub(crate) fn file_columns() -> impl Iterator<Item = &'static FileColumn> {
    CAPABILITIES.iter().flat_map(|c| c.file_columns().iter())
}

/// Every table of optimistic effects.
pub(crate) fn local_tables() -> impl Iterator<Item = &'static str> {
    CAPABILITIES
        .iter()
        .flat_map(|c| c.local_tables().iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_kind_of_the_protocol_has_exactly_one_table() {
        for kind in EntityKind::ALL {
            let n = synced_tables().filter(|t| t.kind == *kind).count();
            assert_eq!(n, 1, "{kind:?} is kept in {n} tables");
        }
    }

    #[test]
    fn every_declared_table_exists_with_its_columns() {
        let store = crate::store::Store::open_in_memory().unwrap();
        for t in synced_tables() {
            let sql = t.upsert_sql();
            store
                .connection()
                .prepare(&sql)
                .unwrap_or_else(|e| panic!("{}: {e}", t.table));
        }
        for f in file_columns() {
            let sql = format!("SELECT {} FROM {}", f.column, f.table);
            store
                .connection()
                .prepare(&sql)
                .unwrap_or_else(|e| panic!("{}.{}: {e}", f.table, f.column));
            assert!(
                synced_tables().any(|t| t.table == f.table),
                "{} is not a synced table",
                f.table
            );
        }
        for t in local_tables() {
            let sql = format!("DELETE FROM {t} WHERE mutation_id = ?1");
            store
                .connection()
                .prepare(&sql)
                .unwrap_or_else(|e| panic!("{t}: {e}"));
        }
    }
}
