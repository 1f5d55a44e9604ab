//! [`Storage`] on SQLite: one connection in WAL mode behind a mutex (one writer, as SQLite
//! wants); write units are immediate transactions, so concurrent requests serialise
//! instead of failing with "busy" (and a write unit is trivially serialisable, so the
//! work never needs a retry).
//!
//! One file per area implements one trait of [`crate::storage::tx`] on [`SqliteTx`]:
//! `staff`, `units`, `people`, `memberships`, `onboarding_tokens`, `otp`, `sessions`,
//! `invites`, `invite_guesses`, `change_log`, `mutations`. Each imports only this file's
//! helpers and the storage interface, never a sibling. Dialect details stay here: SQL
//! text, times as Unix milliseconds, roles and invitation states as text, uniqueness
//! violations read as [`Inserted::Duplicate`].

mod change_log;
mod invite_guesses;
mod invites;
mod memberships;
mod mutations;
mod onboarding_tokens;
mod otp;
mod people;
mod sessions;
mod staff;
mod units;

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::StoredInviteState;
use lobby_model::protocol::Role;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::schema;
use super::{Inserted, Storage, Tx};
use crate::error::{AppError, AppResult};

pub struct SqliteStorage {
    conn: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens (creating if needed) and migrates the database at `path`. Another process
    /// may open the same file concurrently (tests do, to inspect it).
    pub fn open(path: &Path) -> anyhow::Result<SqliteStorage> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStorage {
            conn: Mutex::new(conn),
        })
    }
}

impl Storage for SqliteStorage {
    fn run_write(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = SqliteTx {
            tx: conn.transaction_with_behavior(TransactionBehavior::Immediate)?,
        };
        work(&mut tx)?;
        tx.tx.commit()?;
        Ok(())
    }

    fn run_read(&self, work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>) -> AppResult<()> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = SqliteTx {
            tx: conn.transaction_with_behavior(TransactionBehavior::Deferred)?,
        };
        work(&mut tx)?;
        tx.tx.finish()?;
        Ok(())
    }
}

/// An open SQLite transaction; the area files implement the `*Tx` traits on it.
pub struct SqliteTx<'c> {
    tx: Transaction<'c>,
}

impl Tx for SqliteTx<'_> {
    fn undo_on_error(
        &mut self,
        work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>,
    ) -> AppResult<()> {
        self.tx.execute_batch("SAVEPOINT undo_on_error")?;
        match work(self) {
            Ok(()) => {
                self.tx.execute_batch("RELEASE undo_on_error")?;
                Ok(())
            }
            Err(e) => {
                self.tx
                    .execute_batch("ROLLBACK TO undo_on_error; RELEASE undo_on_error")?;
                Err(e)
            }
        }
    }
}

/// Times are stored as Unix milliseconds.
fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}

fn opt_from_ms(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.map(from_ms)
}

/// A stored role; anything else means the row was written by something other than this
/// server.
fn parse_role(s: &str) -> AppResult<Role> {
    Role::parse(s).ok_or_else(|| AppError::server("role", "unknown role"))
}

/// A stored `invites.status`.
fn parse_invite_state(s: &str) -> AppResult<StoredInviteState> {
    match s {
        "pending" => Ok(StoredInviteState::Pending),
        "accepted" => Ok(StoredInviteState::Accepted),
        "revoked" => Ok(StoredInviteState::Revoked),
        _ => Err(AppError::server("invite", "unknown invite status")),
    }
}

/// A count read back from SQL.
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

/// An insert's outcome: a uniqueness (or other constraint) violation is a duplicate.
fn inserted(result: rusqlite::Result<usize>) -> AppResult<Inserted> {
    match result {
        Ok(_) => Ok(Inserted::Yes),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Ok(Inserted::Duplicate)
        }
        Err(e) => Err(e.into()),
    }
}
