//! The audit log on SQLite (`audit_log`; its triggers refuse updates and deletes).

use lobby_model::domain::audit::{AuditEvent, AuditLink};
use rusqlite::{params, OptionalExtension};

use super::{Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::AuditTx;

impl AuditTx for SqliteTx<'_> {
    fn last_audit_link(&mut self, project_id: &str) -> AppResult<Option<(u64, String)>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT seq, hash FROM audit_log WHERE project_id = ?1
                 ORDER BY seq DESC LIMIT 1",
                [project_id],
                |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?)),
            )
            .optional()?)
    }

    fn append_audit_link(&mut self, project_id: &str, l: &AuditLink) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO audit_log (project_id, seq, at, staff_id, action, subject, prev, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                project_id,
                i64::try_from(l.seq).unwrap_or(i64::MAX),
                l.event.at_ms,
                l.event.staff_id,
                l.event.action,
                l.event.subject,
                l.prev,
                l.hash
            ],
        )?;
        Ok(())
    }

    fn audit_links(&mut self, project_id: &str) -> AppResult<Vec<AuditLink>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, at, staff_id, action, subject, prev, hash FROM audit_log
             WHERE project_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([project_id], |r| {
            Ok(AuditLink {
                seq: r.get::<_, i64>(0)?.max(0) as u64,
                event: AuditEvent {
                    at_ms: r.get(1)?,
                    staff_id: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                },
                prev: r.get(5)?,
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
