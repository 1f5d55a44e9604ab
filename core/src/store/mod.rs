//! The phone's local database: the replica of server state, the outbox of queued
//! changes, small settings, and the index of account secrets' names.
//!
//! Generic: nothing here names a record kind or a mutation. Which table keeps which kind
//! (`SyncedTable`), which tables hold optimistic effects and what a queued mutation
//! writes come from the areas (`crate::capability`); the areas' own queries
//! (`Store::units`, `Store::invites`, …) live in their modules as `impl Store` blocks.
//! [`Store::wipe`] clears every table the schema has.
//!
//! One connection, one writer: the [`Store`] is used behind a mutex by the core. WAL mode
//! lets reads be fast and a crash lose nothing committed.
//!
//! The file is encrypted at rest (SQLCipher) with a 256-bit [`DatabaseKey`] that lives in
//! the secret store, never beside the file. A file that the key cannot open (the secret
//! store was reset, the app reinstalled) is unreadable by design: [`Store::open_or_set_aside`]
//! moves it aside and starts an empty database, which the next sync refills. Everything a sync step writes
//! (a page of changes with its cursors; a mutation with its optimistic effect) is one
//! transaction, so the app can be killed at any instant and restart consistent.

mod changes;
mod dump;
mod error;
mod outbox;
mod replica;
pub mod schema;
mod secret_index;
mod settings;
mod synced;

use std::path::Path;

use rusqlite::Connection;

pub use changes::ChangedTables;
pub use outbox::{OutboxEntry, OutboxState};
pub use replica::ApplyStats;
pub use settings::keys as setting_keys;
pub(crate) use synced::{wrong_kind, SyncedTable};

pub use error::{Result, StoreError};

use crate::error::{ErrorCode, LobbyError};

const UNREADABLE: &str = "the local database cannot be read with this device's key";

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "lobby.db".into())
}

/// WAL pages (4 KiB) before SQLite checkpoints on its own: a safety net, ~64 MiB.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 16_384;

pub struct Store {
    pub(crate) conn: Connection,
    /// Announces the tables each committed transaction changed (`changes.rs`).
    changes: tokio::sync::broadcast::Sender<ChangedTables>,
}

/// The key of the phone's database: 32 random bytes, kept in the secret store as hex.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey(String);

impl DatabaseKey {
    /// A new random key.
    pub fn generate() -> DatabaseKey {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        DatabaseKey(hex::encode(bytes))
    }

    /// Reads a stored key; anything but 64 hex digits is refused.
    pub fn from_hex(s: &str) -> Result<DatabaseKey> {
        if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(DatabaseKey(s.to_ascii_lowercase()))
        } else {
            Err(LobbyError::new(ErrorCode::Storage, "the stored database key is damaged").into())
        }
    }

    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

impl Store {
    /// Opens (creating if needed) and migrates the encrypted database at `path`. A file
    /// the key cannot read fails with `storage`.
    pub fn open(path: &Path, key: &DatabaseKey) -> Result<Store> {
        lobby_migrations::make_owner_only(path).map_err(|e| {
            LobbyError::new(
                ErrorCode::Storage,
                format!("cannot make the local database private: {e}"),
            )
        })?;
        let conn = Connection::open(path)?;
        // A raw key (x'…') skips SQLCipher's key derivation: the key is already random.
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.as_hex()))?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            Ok(_) => Self::setup(conn),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::NotADatabase =>
            {
                Err(LobbyError::new(ErrorCode::Storage, UNREADABLE).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// As [`Store::open`], but a file this key cannot read is renamed
    /// (`lobby.db.unreadable-<unix time>`) and a new empty database is made. Returns
    /// whether that happened, so the app can tell the person their queued changes on
    /// this phone could not be kept.
    pub fn open_or_set_aside(path: &Path, key: &DatabaseKey) -> Result<(Store, bool)> {
        match Store::open(path, key) {
            Ok(s) => Ok((s, false)),
            Err(StoreError::Refused(e)) if e.message == UNREADABLE => {
                let stamp = chrono::Utc::now().timestamp();
                for suffix in ["", "-wal", "-shm"] {
                    let from = path.with_file_name(format!("{}{suffix}", file_name(path)));
                    if from.exists() {
                        let to = path.with_file_name(format!(
                            "{}{suffix}.unreadable-{stamp}",
                            file_name(path)
                        ));
                        std::fs::rename(&from, &to).map_err(|e| {
                            LobbyError::new(
                                ErrorCode::Storage,
                                format!("cannot move the unreadable database aside: {e}"),
                            )
                        })?;
                    }
                }
                Ok((Store::open(path, key)?, true))
            }
            Err(e) => Err(e),
        }
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Checkpoint once per sync (`Store::checkpoint`) rather than every 4 MB of WAL:
        // during a first sync of 100,000 rows, automatic checkpoints halve the apply rate.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        let (changes, _) = tokio::sync::broadcast::channel(changes::CAPACITY);
        changes::install(&mut conn, changes.clone())?;
        Ok(Store { conn, changes })
    }

    /// Announces tables changed in a way the update hook does not see (a table emptied
    /// by `DELETE` without `WHERE`), after the transaction committed.
    pub(crate) fn announce<'a>(&self, tables: impl IntoIterator<Item = &'a str>) {
        let set: std::collections::BTreeSet<String> =
            tables.into_iter().map(str::to_string).collect();
        if !set.is_empty() {
            let _ = self.changes.send(std::sync::Arc::new(set));
        }
    }

    /// A receiver of the tables each later committed transaction changes.
    pub fn subscribe_changes(&self) -> tokio::sync::broadcast::Receiver<ChangedTables> {
        self.changes.subscribe()
    }

    /// Copies the WAL into the database file (after a sync has applied its pages).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Closes the database, folding the WAL back into the file first. Errors are logged,
    /// not returned: there is nothing a caller could do about them at shutdown, and the
    /// WAL keeps every committed change anyway.
    pub fn close(self) {
        if let Err(e) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpoint at close failed");
        }
        if let Err((_, e)) = self.conn.close() {
            tracing::warn!(error = %e, "closing the local database failed");
        }
    }

    /// Direct access for benchmarks and tests.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Deletes every row of every table: replica, optimistic effects, outbox, cursors,
    /// settings, the secret index. Derived from the schema itself, so a table added by a
    /// later migration can never be missed. One transaction.
    pub fn wipe(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        let tables: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<std::result::Result<_, _>>()?
        };
        for t in &tables {
            tx.execute(&format!("DELETE FROM \"{t}\""), [])?;
        }
        // The outbox's AUTOINCREMENT counter is not personal, but nothing of the account
        // is kept: start it again.
        tx.execute("DELETE FROM sqlite_sequence", [])?;
        tx.commit()?;
        // Emptied whole, the tables skipped the update hook (changes.rs): say so.
        self.announce(tables.iter().map(String::as_str));
        // Deleted pages may still hold the old bytes until reused: rewrite the file.
        self.conn.execute_batch("VACUUM")?;
        self.checkpoint()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_on_disk_is_encrypted_and_reopens_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lobby.db");
        let key = DatabaseKey::generate();
        {
            let s = Store::open(&path, &key).unwrap();
            s.set_setting("marker", "สมชาย ใจดี plaintext-marker")
                .unwrap();
            s.checkpoint().unwrap();
        }
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "the file has a plain SQLite header"
        );
        let needle = "plaintext-marker".as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "plaintext found in the file"
        );
        let s = Store::open(&path, &key).unwrap();
        assert_eq!(
            s.setting("marker").unwrap().as_deref(),
            Some("สมชาย ใจดี plaintext-marker")
        );
    }

    #[test]
    fn a_wrong_key_is_a_storage_error_and_set_aside_starts_an_empty_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lobby.db");
        Store::open(&path, &DatabaseKey::generate())
            .unwrap()
            .set_setting("k", "v")
            .unwrap();
        let other = DatabaseKey::generate();
        let refused = Store::open(&path, &other).err().map(|e| e.code());
        assert_eq!(refused, Some(ErrorCode::Storage));
        let (s, set_aside) = Store::open_or_set_aside(&path, &other).unwrap();
        assert!(set_aside);
        assert_eq!(s.setting("k").unwrap(), None);
        let moved = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains(".unreadable-")
            })
            .count();
        assert!(moved >= 1);
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn the_database_and_its_wal_and_shm_files_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lobby.db");
        let key = DatabaseKey::generate();
        let side = |suffix: &str| dir.path().join(format!("lobby.db{suffix}"));
        {
            let s = Store::open(&path, &key).unwrap();
            assert_eq!(mode(&path), 0o600, "lobby.db after open");
            // A write in WAL mode: SQLite creates the -wal and -shm files now.
            s.set_setting("k", "v").unwrap();
            for suffix in ["", "-wal", "-shm"] {
                assert!(side(suffix).exists(), "lobby.db{suffix}");
                assert_eq!(mode(&side(suffix)), 0o600, "lobby.db{suffix} after a write");
            }
        }
        // A file an older version left world-readable is narrowed when opened.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let s = Store::open(&path, &key).unwrap();
        s.set_setting("k", "w").unwrap();
        for suffix in ["", "-wal", "-shm"] {
            assert_eq!(
                mode(&side(suffix)),
                0o600,
                "lobby.db{suffix} after reopening"
            );
        }
    }

    #[test]
    fn a_damaged_stored_key_is_refused() {
        assert!(DatabaseKey::from_hex("nothex").is_err());
        assert!(DatabaseKey::from_hex(&"ab".repeat(32)).is_ok());
        assert_eq!(format!("{:?}", DatabaseKey::generate()), "DatabaseKey(…)");
    }
}
