//! Files on SQLite (`files` table): bytes as a BLOB, sizes as INTEGER (signed 64-bit).
//! Photos are at most a few MiB, so keeping them in the database keeps one backup and
//! one transaction for a record and its file; an engine with an object store may keep
//! the bytes elsewhere behind the same trait.

use rusqlite::{params, OptionalExtension};

use super::{ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{FilesTx, NewFile, StoredFileMeta};

impl FilesTx for SqliteTx<'_> {
    fn insert_file(&mut self, f: &NewFile) -> AppResult<()> {
        let size = i64::try_from(f.bytes.len()).map_err(|e| AppError::server("file size", e))?;
        self.tx.execute_cached(
            "INSERT INTO files (id, scope, content_type, size, sha256, bytes, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                f.id,
                f.scope,
                f.content_type,
                size,
                f.sha256,
                f.bytes,
                f.created_by,
                ms(f.created_at)
            ],
        )?;
        Ok(())
    }

    fn file_meta(&mut self, file_id: &str) -> AppResult<Option<StoredFileMeta>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT id, scope, content_type, size, sha256 FROM files WHERE id = ?1",
                [file_id],
                |r| {
                    Ok(StoredFileMeta {
                        id: r.get(0)?,
                        scope: r.get(1)?,
                        content_type: r.get(2)?,
                        size: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        sha256: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn file_bytes(&mut self, file_id: &str) -> AppResult<Option<Vec<u8>>> {
        Ok(self
            .tx
            .query_row_cached("SELECT bytes FROM files WHERE id = ?1", [file_id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn delete_file(&mut self, file_id: &str) -> AppResult<bool> {
        Ok(self
            .tx
            .execute_cached("DELETE FROM files WHERE id = ?1", [file_id])?
            > 0)
    }
}
