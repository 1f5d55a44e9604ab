//! Meetings on SQLite (`meetings`, `agenda_items`, `meeting_proxies`,
//! `meeting_attendance`).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{count, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{MeetingsTx, NewAgendaItem, NewMeeting, StoredMeeting};

impl MeetingsTx for SqliteTx<'_> {
    fn insert_meeting(&mut self, m: &NewMeeting) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO meetings (id, project_id, title, kind, reconvened, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                m.id,
                m.project_id,
                m.title,
                m.kind,
                m.reconvened,
                m.created_by,
                ms(m.created_at)
            ],
        )?;
        Ok(())
    }

    fn meeting(&mut self, meeting_id: &str) -> AppResult<Option<StoredMeeting>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT id, project_id, title, kind, reconvened, status FROM meetings WHERE id = ?1",
                [meeting_id],
                |r| {
                    Ok(StoredMeeting {
                        id: r.get(0)?,
                        project_id: r.get(1)?,
                        title: r.get(2)?,
                        kind: r.get(3)?,
                        reconvened: r.get(4)?,
                        status: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    fn insert_agenda_item(&mut self, item: &NewAgendaItem) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO agenda_items (id, meeting_id, position, title, resolution)
             VALUES (?1, ?2,
                     (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = ?2),
                     ?3, ?4)",
            params![item.id, item.meeting_id, item.title, item.resolution],
        )?;
        Ok(())
    }

    fn proxy_holder(&mut self, meeting_id: &str, unit_id: &str) -> AppResult<Option<String>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT holder_person_id FROM meeting_proxies WHERE meeting_id = ?1 AND unit_id = ?2",
                params![meeting_id, unit_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn count_held_proxies(&mut self, meeting_id: &str, holder: &str) -> AppResult<usize> {
        Ok(count(self.tx.query_row_cached(
            "SELECT COUNT(*) FROM meeting_proxies WHERE meeting_id = ?1 AND holder_person_id = ?2",
            params![meeting_id, holder],
            |r| r.get(0),
        )?))
    }

    fn set_proxy(
        &mut self,
        meeting_id: &str,
        unit_id: &str,
        holder: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO meeting_proxies (meeting_id, unit_id, holder_person_id, created_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (meeting_id, unit_id) DO UPDATE SET
                 holder_person_id = excluded.holder_person_id, created_at = excluded.created_at",
            params![meeting_id, unit_id, holder, ms(now)],
        )?;
        Ok(())
    }

    fn record_attendance(
        &mut self,
        meeting_id: &str,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "INSERT INTO meeting_attendance (meeting_id, unit_id, recorded_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (meeting_id, unit_id) DO NOTHING",
            params![meeting_id, unit_id, ms(now)],
        )? == 1)
    }
}
