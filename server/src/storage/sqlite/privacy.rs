//! Privacy on SQLite (`policies`, `consent_events`, `privacy_requests`).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, inserted, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Inserted, NewConsent, PrivacyTx, StoredPrivacyRequest};

const REQUEST_COLUMNS: &str =
    "r.id, r.person_id, r.kind, r.detail, r.status, r.filed_at, r.deadline, r.answer, r.decided_at";

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredPrivacyRequest> {
    Ok(StoredPrivacyRequest {
        id: r.get(0)?,
        person_id: r.get(1)?,
        kind: r.get(2)?,
        detail: r.get(3)?,
        status: r.get(4)?,
        filed_at: from_ms(r.get(5)?),
        deadline: from_ms(r.get(6)?),
        answer: r.get(7)?,
        decided_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
    })
}

impl PrivacyTx for SqliteTx<'_> {
    fn publish_policy(
        &mut self,
        kind: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO policies (kind, version, published_at) VALUES (?1, ?2, ?3)",
            params![kind, version, ms(now)],
        ))
    }

    fn current_policy(&mut self, kind: &str) -> AppResult<Option<String>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT version FROM policies WHERE kind = ?1
                 ORDER BY published_at DESC, rowid DESC LIMIT 1",
                [kind],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn policy_in_force(&mut self, kind: &str) -> AppResult<Option<(String, DateTime<Utc>)>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT version, published_at FROM policies WHERE kind = ?1
                 ORDER BY published_at DESC, rowid DESC LIMIT 1",
                [kind],
                |r| Ok((r.get(0)?, from_ms(r.get(1)?))),
            )
            .optional()?)
    }

    fn add_consent(&mut self, c: &NewConsent<'_>) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO consent_events (id, person_id, kind, version, given, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![c.id, c.person_id, c.kind, c.version, c.given, ms(c.at)],
        )?;
        Ok(())
    }

    fn insert_privacy_request(&mut self, r: &StoredPrivacyRequest) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO privacy_requests
                 (id, person_id, kind, detail, status, filed_at, deadline, answer, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                r.id,
                r.person_id,
                r.kind,
                r.detail,
                r.status,
                ms(r.filed_at),
                ms(r.deadline),
                r.answer,
                r.decided_at.map(ms)
            ],
        ))
    }

    fn privacy_request(&mut self, id: &str) -> AppResult<Option<StoredPrivacyRequest>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("SELECT {REQUEST_COLUMNS} FROM privacy_requests r WHERE r.id = ?1"),
                [id],
                request_row,
            )
            .optional()?)
    }

    fn decide_privacy_request(
        &mut self,
        id: &str,
        status: &str,
        answer: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE privacy_requests
             SET status = ?2, answer = ?3, decided_by = ?4, decided_at = ?5
             WHERE id = ?1 AND status = 'open'",
            params![id, status, answer, by, ms(at)],
        )? == 1)
    }

    fn open_privacy_requests(
        &mut self,
        project_id: Option<&str>,
    ) -> AppResult<Vec<(StoredPrivacyRequest, String)>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "SELECT {REQUEST_COLUMNS}, p.legal_name
             FROM privacy_requests r JOIN people p ON p.id = r.person_id
             WHERE r.status = 'open'
               AND (?1 IS NULL OR EXISTS (
                    SELECT 1 FROM memberships m JOIN units u ON u.id = m.unit_id
                    WHERE m.person_id = r.person_id AND m.ended_at IS NULL
                      AND u.project_id = ?1))
             ORDER BY r.deadline, r.id"
        ))?;
        let rows = stmt.query_map([project_id], |r| Ok((request_row(r)?, r.get(9)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn person_projects(&mut self, person_id: &str) -> AppResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT u.project_id FROM memberships m JOIN units u ON u.id = m.unit_id
             WHERE m.person_id = ?1 AND m.ended_at IS NULL ORDER BY u.project_id",
        )?;
        let rows = stmt.query_map([person_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn signed_in_at(&mut self, family_id: &str) -> AppResult<Option<DateTime<Utc>>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT MIN(created_at) FROM sessions WHERE family_id = ?1",
                [family_id],
                |r| r.get::<_, Option<i64>>(0),
            )?
            .map(from_ms))
    }
}
