//! The change log and the sync epoch on SQLite (`changes`, `meta` tables). `seq` is an
//! AUTOINCREMENT key, so it only grows, even after entries are pruned.

use chrono::{DateTime, Utc};
use lobby_model::protocol::Record;
use rusqlite::params;

use super::{ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{ChangeLogTx, StoredChange};

impl SqliteTx<'_> {
    fn meta_i64(&self, key: &str) -> AppResult<i64> {
        let v: String =
            self.tx
                .query_row_cached("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?;
        v.parse().map_err(|e| AppError::server("meta", e))
    }
}

impl ChangeLogTx for SqliteTx<'_> {
    fn append_change(
        &mut self,
        scope: &str,
        record: &Record,
        now: DateTime<Utc>,
    ) -> AppResult<i64> {
        let json = serde_json::to_string(record)?;
        self.tx.execute_cached(
            "INSERT INTO changes (scope, record, created_at) VALUES (?1, ?2, ?3)",
            params![scope, json, ms(now)],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    fn changes_after(
        &mut self,
        scope: &str,
        after: i64,
        limit: usize,
    ) -> AppResult<Vec<StoredChange>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, record FROM changes WHERE scope = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt
            .query_map(params![scope, after, limit], |r| {
                Ok(StoredChange {
                    seq: r.get(0)?,
                    record_json: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn change_log_head(&mut self) -> AppResult<i64> {
        Ok(self
            .tx
            .query_row_cached("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })?)
    }

    fn retention_floor(&mut self) -> AppResult<i64> {
        self.meta_i64("retention_floor")
    }

    fn sync_epoch(&mut self) -> AppResult<u32> {
        u32::try_from(self.meta_i64("epoch")?).map_err(|e| AppError::server("meta", e))
    }

    fn set_sync_epoch(&mut self, epoch: u32) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE meta SET value = ?1 WHERE key = 'epoch'",
            [epoch.to_string()],
        )?;
        Ok(())
    }
}
