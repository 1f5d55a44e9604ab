//! Sessions on SQLite (`sessions` table).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewSessionRow, SessionsTx, StoredSession, StoredSessionFamily};

const SESSION_COLUMNS: &str =
    "SELECT id, family_id, person_id, access_expires_at, refresh_expires_at,
        rotated_at, revoked_at IS NOT NULL, replaced_by, device FROM sessions";

fn session_row(r: &Row) -> rusqlite::Result<StoredSession> {
    Ok(StoredSession {
        id: r.get(0)?,
        family_id: r.get(1)?,
        person_id: r.get(2)?,
        access_expires_at: from_ms(r.get(3)?),
        refresh_expires_at: from_ms(r.get(4)?),
        rotated_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
        revoked: r.get(6)?,
        replaced_by: r.get(7)?,
        device: r.get(8)?,
    })
}

impl SessionsTx for SqliteTx<'_> {
    fn insert_session(&mut self, s: &NewSessionRow) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO sessions (id, family_id, person_id, access_digest, access_expires_at, refresh_digest,
                                   refresh_expires_at, created_at, device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                s.id,
                s.family_id,
                s.person_id,
                s.access_digest,
                ms(s.access_expires_at),
                s.refresh_digest,
                ms(s.refresh_expires_at),
                ms(s.created_at),
                s.device
            ],
        )?;
        Ok(())
    }

    fn session_by_access(&mut self, digest: &str) -> AppResult<Option<StoredSession>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{SESSION_COLUMNS} WHERE access_digest = ?1"),
                [digest],
                session_row,
            )
            .optional()?)
    }

    fn session_by_refresh(&mut self, digest: &str) -> AppResult<Option<StoredSession>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{SESSION_COLUMNS} WHERE refresh_digest = ?1"),
                [digest],
                session_row,
            )
            .optional()?)
    }

    fn session(&mut self, session_id: &str) -> AppResult<Option<StoredSession>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{SESSION_COLUMNS} WHERE id = ?1"),
                [session_id],
                session_row,
            )
            .optional()?)
    }

    fn mark_session_rotated(
        &mut self,
        session_id: &str,
        replaced_by: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE sessions SET rotated_at = COALESCE(rotated_at, ?2), replaced_by = ?3 WHERE id = ?1",
            params![session_id, ms(now), replaced_by],
        )?;
        Ok(())
    }

    fn revoke_session_family(&mut self, family_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE sessions SET revoked_at = ?2 WHERE family_id = ?1 AND revoked_at IS NULL",
            params![family_id, ms(now)],
        )?;
        Ok(())
    }

    fn revoke_person_sessions(&mut self, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE sessions SET revoked_at = ?2 WHERE person_id = ?1 AND revoked_at IS NULL",
            params![person_id, ms(now)],
        )?;
        Ok(())
    }

    fn purge_ended_sessions(&mut self, ended_before: DateTime<Utc>) -> AppResult<usize> {
        // A row has ended by `?1` when its refresh token expired or it was revoked by
        // then; a family's first row waits for every other row of its family.
        Ok(self.tx.execute_cached(
            "DELETE FROM sessions
             WHERE (refresh_expires_at <= ?1 OR revoked_at <= ?1)
               AND (id <> family_id OR NOT EXISTS (
                   SELECT 1 FROM sessions other
                   WHERE other.family_id = sessions.family_id AND other.id <> sessions.id
                     AND other.refresh_expires_at > ?1
                     AND (other.revoked_at IS NULL OR other.revoked_at > ?1)))",
            [ms(ended_before)],
        )?)
    }

    fn person_session_families(&mut self, person_id: &str) -> AppResult<Vec<StoredSessionFamily>> {
        // Every row of a family carries the same label, so MAX picks it (and skips NULLs
        // of none); the newest row has the latest refresh expiry.
        let mut stmt = self.tx.prepare_cached(
            "SELECT family_id, MAX(device), MIN(created_at), MAX(created_at),
                    MAX(refresh_expires_at), MAX(revoked_at IS NOT NULL)
             FROM sessions WHERE person_id = ?1 GROUP BY family_id",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            Ok(StoredSessionFamily {
                family_id: r.get(0)?,
                device: r.get(1)?,
                signed_in_at: from_ms(r.get(2)?),
                last_seen: from_ms(r.get(3)?),
                refresh_expires_at: from_ms(r.get(4)?),
                revoked: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
