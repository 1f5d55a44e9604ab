//! Files on SQLite (`files` table): bytes as a BLOB, sizes as INTEGER (signed 64-bit).
//! Photos are at most a few MiB, so keeping them in the database keeps one backup and
//! one transaction for a record and its file; an engine with an object store may keep
//! the bytes elsewhere behind the same trait.

use rusqlite::{params, OptionalExtension};

use chrono::{DateTime, Utc};

use super::{count, inserted, ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{FilesTx, Inserted, NewFile, StoredFileMeta, StoredUpload};

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

    fn create_upload(&mut self, u: &StoredUpload, now: DateTime<Utc>) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO uploads (id, person_id, size, sha256, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                u.id,
                u.person_id,
                i64::try_from(u.size).map_err(|e| AppError::server("upload size", e))?,
                u.sha256,
                ms(now)
            ],
        ))
    }

    fn upload(&mut self, upload_id: &str) -> AppResult<Option<StoredUpload>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT u.id, u.person_id, u.size, u.sha256,
                        (SELECT COALESCE(SUM(length(c.bytes)), 0) FROM upload_chunks c
                          WHERE c.upload_id = u.id)
                 FROM uploads u WHERE u.id = ?1",
                [upload_id],
                |r| {
                    Ok(StoredUpload {
                        id: r.get(0)?,
                        person_id: r.get(1)?,
                        size: r.get::<_, i64>(2)?.max(0) as u64,
                        sha256: r.get(3)?,
                        received: r.get::<_, i64>(4)?.max(0) as u64,
                    })
                },
            )
            .optional()?)
    }

    fn append_upload_chunk(&mut self, upload_id: &str, offset: u64, bytes: &[u8]) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO upload_chunks (upload_id, offset, bytes) VALUES (?1, ?2, ?3)",
            params![
                upload_id,
                i64::try_from(offset).map_err(|e| AppError::server("upload offset", e))?,
                bytes
            ],
        )?;
        Ok(())
    }

    fn upload_bytes(&mut self, upload_id: &str) -> AppResult<Vec<u8>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT bytes FROM upload_chunks WHERE upload_id = ?1 ORDER BY offset",
        )?;
        let mut out = Vec::new();
        let mut rows = stmt.query([upload_id])?;
        while let Some(r) = rows.next()? {
            out.extend_from_slice(
                r.get_ref(0)?
                    .as_blob()
                    .map_err(|e| AppError::server("upload", e))?,
            );
        }
        Ok(out)
    }

    fn delete_upload(&mut self, upload_id: &str) -> AppResult<()> {
        self.tx.execute_cached(
            "DELETE FROM upload_chunks WHERE upload_id = ?1",
            [upload_id],
        )?;
        self.tx
            .execute_cached("DELETE FROM uploads WHERE id = ?1", [upload_id])?;
        Ok(())
    }

    fn purge_uploads(&mut self, started_before: DateTime<Utc>) -> AppResult<usize> {
        self.tx.execute_cached(
            "DELETE FROM upload_chunks WHERE upload_id IN
                 (SELECT id FROM uploads WHERE created_at < ?1)",
            [ms(started_before)],
        )?;
        Ok(self.tx.execute_cached(
            "DELETE FROM uploads WHERE created_at < ?1",
            [ms(started_before)],
        )?)
    }

    fn count_uploads(&mut self, person_id: &str) -> AppResult<usize> {
        Ok(count(self.tx.query_row_cached(
            "SELECT COUNT(*) FROM uploads WHERE person_id = ?1",
            [person_id],
            |r| r.get(0),
        )?))
    }
}
