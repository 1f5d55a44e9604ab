//! Announcements on SQLite (`announcements`, `announcement_units`, `announcement_opens`).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{AnnouncementsTx, NewAnnouncement, StoredAnnouncement, StoredOpen};

impl AnnouncementsTx for SqliteTx<'_> {
    fn insert_announcement(&mut self, a: &NewAnnouncement) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO announcements
                 (id, project_id, title, body, kind, expires_at, posted_by, posted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                a.id,
                a.project_id,
                a.title,
                a.body,
                a.kind,
                a.expires_at.map(ms),
                a.posted_by,
                ms(a.posted_at)
            ],
        )?;
        for unit in &a.unit_ids {
            self.tx.execute_cached(
                "INSERT INTO announcement_units (announcement_id, unit_id) VALUES (?1, ?2)
                 ON CONFLICT DO NOTHING",
                params![a.id, unit],
            )?;
        }
        Ok(())
    }

    fn announcement(&mut self, id: &str) -> AppResult<Option<StoredAnnouncement>> {
        let found = self
            .tx
            .query_row_cached(
                "SELECT id, project_id, title, body, kind, expires_at, posted_at
                 FROM announcements WHERE id = ?1",
                [id],
                |r| {
                    Ok(StoredAnnouncement {
                        id: r.get(0)?,
                        project_id: r.get(1)?,
                        title: r.get(2)?,
                        body: r.get(3)?,
                        kind: r.get(4)?,
                        unit_ids: Vec::new(),
                        expires_at: r.get::<_, Option<i64>>(5)?.map(from_ms),
                        posted_at: from_ms(r.get(6)?),
                    })
                },
            )
            .optional()?;
        let Some(mut a) = found else {
            return Ok(None);
        };
        let mut stmt = self.tx.prepare_cached(
            "SELECT unit_id FROM announcement_units WHERE announcement_id = ?1 ORDER BY unit_id",
        )?;
        a.unit_ids = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(a))
    }

    fn record_announcement_open(
        &mut self,
        id: &str,
        person_id: &str,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "INSERT INTO announcement_opens (announcement_id, person_id, unit_id, opened_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![id, person_id, unit_id, ms(now)],
        )? == 1)
    }

    fn set_announcement_file(
        &mut self,
        id: &str,
        scope: &str,
        file_id: &str,
    ) -> AppResult<Option<String>> {
        let before = self.announcement_file(id, scope)?;
        self.tx.execute_cached(
            "INSERT INTO announcement_files (announcement_id, scope, file_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (announcement_id, scope) DO UPDATE SET file_id = excluded.file_id",
            params![id, scope, file_id],
        )?;
        Ok(before)
    }

    fn announcement_file(&mut self, id: &str, scope: &str) -> AppResult<Option<String>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT file_id FROM announcement_files WHERE announcement_id = ?1 AND scope = ?2",
                params![id, scope],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn announcement_opens(&mut self, id: &str) -> AppResult<Vec<StoredOpen>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT person_id, unit_id, opened_at FROM announcement_opens
             WHERE announcement_id = ?1 ORDER BY opened_at, person_id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok(StoredOpen {
                person_id: r.get(0)?,
                unit_id: r.get(1)?,
                at: from_ms(r.get(2)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
