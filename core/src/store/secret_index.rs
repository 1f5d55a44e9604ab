//! The names (never the values) of the account's secrets in the secret store, so a wipe
//! can find every one of them (see `device.rs`).

use rusqlite::params;

use super::{Result, Store};

impl Store {
    pub fn index_secret_key(&self, key: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO secret_keys(key) VALUES (?1) ON CONFLICT(key) DO NOTHING",
            [key],
        )?;
        Ok(())
    }

    pub fn unindex_secret_key(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM secret_keys WHERE key = ?1", [key])?;
        Ok(())
    }

    /// Indexed names starting with `prefix` (all of them for `""`).
    pub fn secret_keys(&self, prefix: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key FROM secret_keys WHERE substr(key, 1, ?2) = ?1 ORDER BY key",
        )?;
        let rows = stmt.query_map(params![prefix, prefix.len() as i64], |r| r.get(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
