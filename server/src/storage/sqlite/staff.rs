//! Staff credentials on SQLite (`staff` table).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{inserted, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Inserted, NewStaff, StaffMember, StaffTx, StoredStaff};

impl StaffTx for SqliteTx<'_> {
    fn insert_staff(&mut self, s: &NewStaff, now: DateTime<Utc>) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO staff (id, name, project_id, token_digest, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![s.id, s.name, s.project_id, s.token_digest, ms(now)],
        ))
    }

    fn mark_staff_revoked(&mut self, staff_id: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let n = self.tx.execute_cached(
            "UPDATE staff SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
            params![staff_id, ms(now)],
        )?;
        Ok(n > 0)
    }

    fn staff_by_token(&mut self, digest: &str) -> AppResult<Option<StoredStaff>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT id, name, project_id, revoked_at IS NOT NULL FROM staff WHERE token_digest = ?1",
                [digest],
                |r| {
                    Ok(StoredStaff {
                        member: StaffMember {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            project_id: r.get(2)?,
                        },
                        revoked: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
