//! Files records point at (issue 8): the phone's side of the binary download channel.
//!
//! A synced record names a file by its [`FileRef`] (a parcel's photo today; an invoice's
//! slip and an announcement's attachment later). [`Inner::file`] answers its bytes:
//! from `file_cache` when they are there (no network, so a photo seen once shows
//! offline), otherwise downloaded through [`crate::api`] with the session's token (and
//! its refresh-on-401 path), checked against the record's SHA-256 — a file that does
//! not match is an error and is not kept — and then cached. Offline with nothing cached
//! is `offline`.
//!
//! The cache keeps a file only while some synced row names it (the areas declare which
//! columns do: `Capability::file_columns`). When a scope is lost its rows go and, in the
//! same transaction, the files only they named ([`Files::on_scope_lost`]); after every
//! pull the same sweep runs again ([`Files::after_pull`]), which covers a replaced photo
//! and a reset. So a member removed from a unit keeps no photo of its parcels.
//!
//! The cache lives in the encrypted database, and a wipe clears it with every table.

use chrono::Utc;
use rusqlite::{params, OptionalExtension, Transaction};

use crate::capability::{file_columns, Capability};
use crate::client::Inner;
use crate::device::Device;
use crate::domain::files::content_digest;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::FileRef;
use crate::scope::Scope;
use crate::store::Store;

mod upload;

/// The files area: no synced table of its own, only the cache's upkeep.
pub(crate) struct Files;

impl Capability for Files {
    fn name(&self) -> &'static str {
        "files"
    }

    /// Bytes waiting to be uploaded with their mutation go when the server answers it.
    fn local_tables(&self) -> &'static [&'static str] {
        &["uploads_local"]
    }

    fn on_scope_lost(&self, tx: &Transaction<'_>, _scope: Scope<'_>) -> rusqlite::Result<()> {
        forget_unnamed(tx).map(|_| ())
    }

    fn after_pull(&self, device: &Device) -> Result<()> {
        let gone = device.with_store(|s| Ok(forget_unnamed(&s.conn)?))?;
        if gone > 0 {
            tracing::info!(
                files = gone,
                "cached files no synced record names were deleted"
            );
        }
        Ok(())
    }
}

/// Deletes cached files that no declared column of a synced row names; how many.
fn forget_unnamed(conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
    let named: Vec<String> = file_columns()
        .map(|f| {
            format!(
                "SELECT {c} FROM {t} WHERE {c} IS NOT NULL",
                c = f.column,
                t = f.table
            )
        })
        .collect();
    let sql = if named.is_empty() {
        "DELETE FROM file_cache".to_string()
    } else {
        format!(
            "DELETE FROM file_cache WHERE file_id NOT IN ({})",
            named.join(" UNION ")
        )
    };
    conn.execute(&sql, [])
}

impl Store {
    /// The cached bytes of `file`, if they are there and are that file.
    pub(crate) fn cached_file(&self, file: &FileRef) -> crate::store::Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes FROM file_cache WHERE file_id = ?1 AND sha256 = ?2",
                params![file.id, file.sha256],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Keeps `bytes` as `file` (already checked against its digest), if a synced row
    /// still names it (a sync may have dropped the record while it downloaded).
    fn cache_file(&self, file: &FileRef, bytes: &[u8]) -> crate::store::Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO file_cache (file_id, sha256, content_type, bytes, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(file_id) DO UPDATE SET sha256 = excluded.sha256,
                 content_type = excluded.content_type, bytes = excluded.bytes,
                 fetched_at = excluded.fetched_at",
            params![file.id, file.sha256, file.content_type, bytes, Utc::now()],
        )?;
        forget_unnamed(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

impl Inner {
    /// The bytes of `file`: from the cache, or downloaded, checked and cached (see the
    /// module documentation). Network work: call it on the core's runtime.
    pub(crate) async fn file(&self, file: &FileRef) -> Result<Vec<u8>> {
        let wanted = file.clone();
        if let Some(bytes) = self.with_store(move |s| s.cached_file(&wanted))? {
            return Ok(bytes);
        }
        let (id, size) = (file.id.clone(), file.size);
        let got = self
            .authed(|api, token| {
                let id = id.clone();
                async move { api.file(&token, &id, size).await }
            })
            .await?;
        if content_digest(&got.bytes) != file.sha256.to_ascii_lowercase() {
            return Err(LobbyError::new(
                ErrorCode::ServerError,
                "the downloaded file is not the one the record names (its SHA-256 differs); it was not kept",
            ));
        }
        let (wanted, bytes) = (file.clone(), got.bytes);
        self.with_store(|s| s.cache_file(&wanted, &bytes))?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, bytes: &[u8]) -> FileRef {
        FileRef {
            id: id.into(),
            content_type: "image/jpeg".into(),
            size: bytes.len() as u64,
            sha256: content_digest(bytes),
        }
    }

    fn name_in_a_parcel(store: &Store, parcel: &str, file_id: Option<&str>) {
        store
            .connection()
            .execute(
                "INSERT INTO parcels (id, scope, unit_id, recipient, carrier, status, logged_at, photo_id)
                 VALUES (?1, 'unit:u', 'u', 'r', 'c', 'waiting', '2026-01-01T00:00:00Z', ?2)
                 ON CONFLICT(id) DO UPDATE SET photo_id = excluded.photo_id",
                params![parcel, file_id],
            )
            .unwrap();
    }

    #[test]
    fn the_cache_keeps_a_file_only_while_a_synced_row_names_it() {
        let store = Store::open_in_memory().unwrap();
        let (a, b) = (file("f-a", b"a"), file("f-b", b"b"));
        store.cache_file(&a, b"a").unwrap();
        assert_eq!(store.cached_file(&a).unwrap(), None, "named by nothing");

        name_in_a_parcel(&store, "p1", Some("f-a"));
        name_in_a_parcel(&store, "p2", Some("f-b"));
        store.cache_file(&a, b"a").unwrap();
        store.cache_file(&b, b"b").unwrap();
        assert_eq!(store.cached_file(&a).unwrap().as_deref(), Some(&b"a"[..]));
        let mut other = a.clone();
        other.sha256 = content_digest(b"other");
        assert_eq!(store.cached_file(&other).unwrap(), None, "another digest");

        // p1's photo replaced by nothing, p2 purged: both files go.
        name_in_a_parcel(&store, "p1", None);
        assert_eq!(forget_unnamed(&store.conn).unwrap(), 1);
        store
            .connection()
            .execute("DELETE FROM parcels WHERE id = 'p2'", [])
            .unwrap();
        assert_eq!(forget_unnamed(&store.conn).unwrap(), 1);
        assert_eq!(store.cached_file(&b).unwrap(), None);
    }
}
