//! [`Storage`] on SQLite: one connection in WAL mode behind a mutex (one writer, as SQLite
//! wants); write units are immediate transactions, so concurrent requests serialise
//! instead of failing with "busy" (and a write unit is trivially serialisable, so the
//! work never needs a retry).
//!
//! One file per area implements one trait of [`crate::storage::tx`] on [`SqliteTx`]:
//! `staff`, `units`, `people`, `memberships`, `onboarding_tokens`, `otp`, `sessions`,
//! `invites`, `invite_guesses`, `change_log`, `mutations`, `parcels`, `device_keys`,
//! `files`. Each imports only this file's helpers and the storage interface, never a
//! sibling. Dialect details stay here: SQL text, times as Unix milliseconds, roles and
//! invitation states as text, uniqueness violations read as [`Inserted::Duplicate`], file
//! bytes as BLOBs and their sizes as signed 64-bit integers.

mod announcements;
mod audit;
mod change_log;
mod device_keys;
mod files;
mod invite_guesses;
mod invites;
mod invoices;
mod meetings;
mod memberships;
mod mutations;
mod onboarding_tokens;
mod otp;
mod parcels;
mod people;
mod personal_data;
mod privacy;
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
        lobby_migrations::make_owner_only(path)?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted and overwritten values are zeroed, not left in free pages: an erasure
        // leaves nothing of the person in the file (issue 11).
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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

/// Every query of this engine runs through rusqlite's statement cache: parsed once per
/// connection, reused by every request (sized by [`STATEMENT_CACHE`]).
pub(super) trait Cached {
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;

    fn query_row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>;
}

impl Cached for Connection {
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    fn query_row_cached<T, P, F>(&self, sql: &str, params: P, f: F) -> rusqlite::Result<T>
    where
        P: rusqlite::Params,
        F: FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(params, f)
    }
}

/// Distinct statements kept prepared (the engine has about sixty).
const STATEMENT_CACHE: usize = 128;

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use crate::error::AppError;
    use crate::storage::{NewPerson, Storage, Tx};
    use crate::test_support::world;

    use super::{parse_invite_state, StoredInviteState};

    #[test]
    fn stored_invite_statuses_read_back_and_expired_is_not_one() {
        assert_eq!(
            parse_invite_state("pending").ok(),
            Some(StoredInviteState::Pending)
        );
        assert_eq!(
            parse_invite_state("revoked").ok(),
            Some(StoredInviteState::Revoked)
        );
        assert_eq!(
            parse_invite_state("accepted").ok(),
            Some(StoredInviteState::Accepted)
        );
        assert_eq!(parse_invite_state("expired").ok(), None);
    }

    fn someone(id: &str) -> NewPerson {
        NewPerson {
            id: id.into(),
            phone: None,
            email: None,
            legal_name: "ก".into(),
            display_name: "ก".into(),
            activated_at: None,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn undo_on_error_drops_the_part_and_keeps_the_rest_of_the_unit() {
        let w = world();
        let db: &dyn Storage = w.db();
        db.write(|tx| {
            tx.insert_person(&someone("kept"))?;
            let failed = tx.undo_on_error(&mut |tx: &mut dyn Tx| {
                tx.insert_person(&someone("undone"))?;
                Err(AppError::invalid("refused"))
            });
            assert!(failed.is_err());
            Ok(())
        })
        .unwrap();
        let (kept, undone) = db
            .read(|tx| Ok((tx.person("kept")?.is_some(), tx.person("undone")?.is_some())))
            .unwrap();
        assert!(kept && !undone);
    }

    #[test]
    fn a_failed_unit_keeps_nothing_and_write_then_keeps_everything() {
        let w = world();
        let db: &dyn Storage = w.db();
        let failed: Result<(), _> = db.write(|tx| {
            tx.insert_person(&someone("rolled-back"))?;
            Err(AppError::invalid("refused"))
        });
        assert!(failed.is_err());
        let answered: Result<(), _> = db.write_then(|tx| {
            tx.insert_person(&someone("counted"))?;
            Ok(Err(AppError::invalid("refused, but counted")))
        });
        assert!(answered.is_err());
        let (rolled_back, counted) = db
            .read(|tx| {
                Ok((
                    tx.person("rolled-back")?.is_some(),
                    tx.person("counted")?.is_some(),
                ))
            })
            .unwrap();
        assert!(!rolled_back && counted);
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_wal_and_shm_files_are_private_to_the_server_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.db");
        let file = |suffix: &str| dir.path().join(format!("server.db{suffix}"));
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let write = |db: &super::SqliteStorage, id: &str| {
            let db: &dyn Storage = db;
            db.write(|tx| tx.insert_person(&someone(id))).unwrap();
        };
        {
            let db = super::SqliteStorage::open(&path).unwrap();
            assert_eq!(mode(&path), 0o600, "server.db after open");
            write(&db, "a");
            for suffix in ["", "-wal", "-shm"] {
                assert!(file(suffix).exists(), "server.db{suffix}");
                assert_eq!(
                    mode(&file(suffix)),
                    0o600,
                    "server.db{suffix} after a write"
                );
            }
        }
        // A database an older version left world-readable is narrowed when opened.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let db = super::SqliteStorage::open(&path).unwrap();
        write(&db, "b");
        for suffix in ["", "-wal", "-shm"] {
            assert_eq!(
                mode(&file(suffix)),
                0o600,
                "server.db{suffix} after reopening"
            );
        }
    }

    /// The layering rule: an area file uses only this file's helpers and the storage
    /// interface — never a sibling, never a capability module.
    #[test]
    fn area_files_import_no_sibling_and_no_rule() {
        let files = [
            ("change_log", include_str!("change_log.rs")),
            ("files", include_str!("files.rs")),
            ("invite_guesses", include_str!("invite_guesses.rs")),
            ("invites", include_str!("invites.rs")),
            ("memberships", include_str!("memberships.rs")),
            ("mutations", include_str!("mutations.rs")),
            ("onboarding_tokens", include_str!("onboarding_tokens.rs")),
            ("otp", include_str!("otp.rs")),
            ("parcels", include_str!("parcels.rs")),
            ("people", include_str!("people.rs")),
            ("sessions", include_str!("sessions.rs")),
            ("staff", include_str!("staff.rs")),
            ("units", include_str!("units.rs")),
        ];
        for (name, text) in files {
            for line in text.lines().filter(|l| l.trim_start().starts_with("use ")) {
                let ok = line.starts_with("use super::{")
                    || line.starts_with("use super::SqliteTx")
                    || line.starts_with("use crate::storage::")
                    || line.starts_with("use crate::error::")
                    || !line.contains("crate::") && !line.contains("super::");
                assert!(ok, "{name}.rs: {line}");
            }
            for (sibling, _) in files {
                assert!(
                    !text.contains(&format!("super::{sibling}")),
                    "{name}.rs uses its sibling {sibling}"
                );
            }
        }
    }
}
