//! Units (DESIGN.md §1–2): the projects, units and memberships of the signed-in person —
//! the unit drop-down — and the choice of current unit.
//!
//! Synced kinds: `project` (scope `project:`), `unit` (scope `unit:`), `membership`
//! (scope `person:`). Losing a `unit:` scope also drops the person's membership of it
//! (which lives in their `person:` scope) and un-chooses it as the current unit.

mod client;
mod records;
mod store;

pub use client::UnitsClient;
pub use store::{Membership, UnitSummary};

use rusqlite::{params, Transaction};

use crate::capability::Capability;
use crate::scope::Scope;
use crate::store::{setting_keys, SyncedTable};

/// The units area.
pub(crate) struct Units;

impl Capability for Units {
    fn name(&self) -> &'static str {
        "units"
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }

    fn on_scope_lost(&self, tx: &Transaction<'_>, scope: Scope<'_>) -> rusqlite::Result<()> {
        if let Scope::Unit(unit_id) = scope {
            tx.execute("DELETE FROM memberships WHERE unit_id = ?1", [unit_id])?;
            tx.execute(
                "DELETE FROM settings WHERE key = ?1 AND value = ?2",
                params![setting_keys::CURRENT_UNIT, unit_id],
            )?;
        }
        Ok(())
    }
}
