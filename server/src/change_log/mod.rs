//! The change log (DESIGN.md §4): every change to server-authoritative data is appended
//! with a global, monotonic `seq` in exactly one scope (`lobby_model::scope`), and phones
//! pull the scopes they may see after their cursors.
//!
//! - [`records`]: what each business change logs, and in which scope. Capability modules
//!   call these inside their unit of work, so a change and its log entries commit
//!   together; nothing else appends to the log.
//! - [`pull`]: one page for a person: visible scopes, reset, page size and cursors,
//!   decided by `crate::sync_rules`.
//!
//! Storage of the log is `storage::ChangeLogTx` (one file per engine).

pub mod pull;
pub mod records;

pub use pull::{pull, scopes_visible_now, PullPage, RawChange};

use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// Starts a new schema epoch (every client resets on its next pull); returns it.
pub fn bump_epoch(db: &dyn Storage) -> AppResult<u32> {
    db.write(|tx| {
        let next = tx
            .sync_epoch()?
            .checked_add(1)
            .ok_or_else(|| AppError::server("meta", "epoch overflow"))?;
        tx.set_sync_epoch(next)?;
        Ok(next)
    })
}
