//! The one migration runner of Lobby's SQLite schemas, the phone's and the server's.
//!
//! A schema is a list of SQL scripts; `PRAGMA user_version` holds how many have run.
//! Migrations only ever append: a shipped migration is never edited, because databases in
//! the field have run it. Each runs in its own transaction with the version bump, so a
//! crash mid-upgrade leaves the previous version intact. A database written by a newer
//! build is refused rather than guessed at.
//!
//! This crate chooses no SQLite build: the phone links SQLCipher, the server plain SQLite.
//! It also holds the other file-level rule both databases share: [`make_owner_only`].

mod files;

pub use files::make_owner_only;

use rusqlite::Connection;

/// Why [`apply_migrations`] failed.
#[derive(Debug)]
pub enum MigrationError {
    /// The database was written by a newer build (schema `found` > `known`).
    Newer {
        found: usize,
        known: usize,
    },
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationError {
    fn from(e: rusqlite::Error) -> Self {
        MigrationError::Sqlite(e)
    }
}

/// Runs the numbered migrations a database has not had yet, each in its own transaction
/// with the `PRAGMA user_version` bump. One runner for the phone's and the server's
/// schemas, so both upgrade the same way.
pub fn apply_migrations(
    conn: &mut Connection,
    migrations: &[&str],
) -> std::result::Result<(), MigrationError> {
    let current = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?
        .max(0) as usize;
    if current > migrations.len() {
        return Err(MigrationError::Newer {
            found: current,
            known: migrations.len(),
        });
    }
    for (i, sql) in migrations.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[&str] = &[
        "CREATE TABLE a (x INTEGER);",
        "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);",
    ];

    fn version(c: &Connection) -> i64 {
        c.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn runs_what_is_missing_once() {
        let mut c = Connection::open_in_memory().unwrap();
        apply_migrations(&mut c, &TWO[..1]).unwrap();
        assert_eq!(version(&c), 1);
        apply_migrations(&mut c, TWO).unwrap();
        apply_migrations(&mut c, TWO).unwrap();
        assert_eq!(version(&c), 2);
        let rows: i64 = c
            .query_row("SELECT COUNT(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1, "the second migration ran exactly once");
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_version() {
        let mut c = Connection::open_in_memory().unwrap();
        let bad = &[TWO[0], "CREATE TABLE b (y); THIS IS NOT SQL;"];
        assert!(matches!(
            apply_migrations(&mut c, bad),
            Err(MigrationError::Sqlite(_))
        ));
        assert_eq!(version(&c), 1);
        let b: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'b'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(b, 0, "the failed migration left nothing behind");
    }

    #[test]
    fn a_newer_database_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 9).unwrap();
        assert!(matches!(
            apply_migrations(&mut c, TWO),
            Err(MigrationError::Newer { found: 9, known: 2 })
        ));
    }
}
