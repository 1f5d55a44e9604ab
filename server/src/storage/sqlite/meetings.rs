//! Meetings on SQLite (`meetings`, `agenda_items`, `meeting_proxies`,
//! `meeting_attendance`, `ballot_log` — each entry's JSON stored exactly as hashed —,
//! `item_results`, `meeting_units`: the snapshot's units, frozen at the opening).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use lobby_model::domain::voting::chain::{ChainEntry, SnapshotUnit};
use lobby_model::protocol::UnitRecord;
use lobby_model::Weight;

use super::{count, inserted, ms, Cached, SqliteTx};
use crate::error::{AppError, AppResult};
use crate::storage::{
    Inserted, MeetingsTx, NewAgendaItem, NewMeeting, StoredAgendaItem, StoredItemResult,
    StoredMeeting, StoredUnit,
};

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

    fn agenda_item(&mut self, item_id: &str) -> AppResult<Option<StoredAgendaItem>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{ITEM_COLUMNS} WHERE id = ?1"),
                [item_id],
                item_row,
            )
            .optional()?)
    }

    fn agenda_items(&mut self, meeting_id: &str) -> AppResult<Vec<StoredAgendaItem>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{ITEM_COLUMNS} WHERE meeting_id = ?1 ORDER BY position"
        ))?;
        let rows = stmt.query_map([meeting_id], item_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn set_meeting_status(&mut self, meeting_id: &str, from: &str, to: &str) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE meetings SET status = ?3 WHERE id = ?1 AND status = ?2",
            params![meeting_id, from, to],
        )? == 1)
    }

    fn set_item_status(&mut self, item_id: &str, from: &str, to: &str) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE agenda_items SET status = ?3 WHERE id = ?1 AND status = ?2",
            params![item_id, from, to],
        )? == 1)
    }

    fn attendance(&mut self, meeting_id: &str) -> AppResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT unit_id FROM meeting_attendance WHERE meeting_id = ?1
             ORDER BY recorded_at, unit_id",
        )?;
        let rows = stmt.query_map([meeting_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn proxies(&mut self, meeting_id: &str) -> AppResult<Vec<(String, String)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT unit_id, holder_person_id FROM meeting_proxies WHERE meeting_id = ?1
             ORDER BY unit_id",
        )?;
        let rows = stmt.query_map([meeting_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn project_units(&mut self, project_id: &str) -> AppResult<Vec<StoredUnit>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, project_id, number, ratio_micros, arrears_months, owner_person_id
             FROM units WHERE project_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([project_id], |r| {
            Ok(StoredUnit {
                record: UnitRecord {
                    id: r.get(0)?,
                    project_id: r.get(1)?,
                    number: r.get(2)?,
                    ownership_ratio: Weight::from_micros(r.get(3)?),
                    arrears_months: r.get(4)?,
                },
                owner_person_id: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn ballot_log(&mut self, meeting_id: &str) -> AppResult<Vec<ChainEntry>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT seq, prev, entry, hash FROM ballot_log WHERE meeting_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt
            .query_map([meeting_id], link_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(link).collect()
    }

    fn last_ballot_link(&mut self, meeting_id: &str) -> AppResult<Option<(u64, String)>> {
        self.tx
            .query_row_cached(
                "SELECT seq, hash FROM ballot_log WHERE meeting_id = ?1 ORDER BY seq DESC LIMIT 1",
                [meeting_id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(seq, hash)| {
                u64::try_from(seq)
                    .map(|seq| (seq, hash))
                    .map_err(|_| AppError::server("ballot log", "negative seq"))
            })
            .transpose()
    }

    fn ballot_entry(&mut self, meeting_id: &str, seq: u64) -> AppResult<Option<ChainEntry>> {
        let seq = i64::try_from(seq).map_err(|_| AppError::server("ballot log", "seq"))?;
        self.tx
            .query_row_cached(
                "SELECT seq, prev, entry, hash FROM ballot_log WHERE meeting_id = ?1 AND seq = ?2",
                params![meeting_id, seq],
                link_row,
            )
            .optional()?
            .map(link)
            .transpose()
    }

    fn append_ballot_entry(&mut self, meeting_id: &str, l: &ChainEntry) -> AppResult<Inserted> {
        let entry =
            serde_json::to_string(&l.entry).map_err(|e| AppError::server("ballot log", e))?;
        let seq = i64::try_from(l.seq).map_err(|_| AppError::server("ballot log", "seq"))?;
        inserted(self.tx.execute_cached(
            "INSERT INTO ballot_log (meeting_id, seq, prev, entry, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![meeting_id, seq, l.prev, entry, l.hash],
        ))
    }

    fn store_item_result(&mut self, item_id: &str, r: &StoredItemResult) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO item_results (item_id, tally, passed, chain_head) VALUES (?1, ?2, ?3, ?4)",
            params![item_id, r.tally, r.passed, r.chain_head],
        )?;
        Ok(())
    }

    fn item_result(&mut self, item_id: &str) -> AppResult<Option<StoredItemResult>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT tally, passed, chain_head FROM item_results WHERE item_id = ?1",
                [item_id],
                |r| {
                    Ok(StoredItemResult {
                        tally: r.get(0)?,
                        passed: r.get(1)?,
                        chain_head: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    fn freeze_units(&mut self, meeting_id: &str, units: &[SnapshotUnit]) -> AppResult<()> {
        for u in units {
            self.tx.execute_cached(
                "INSERT INTO meeting_units
                     (meeting_id, unit_id, weight_micros, may_vote, arrears_months, proxy_holder)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    meeting_id,
                    u.unit_id,
                    u.weight.micros(),
                    u.may_vote,
                    u.arrears_months,
                    u.proxy_holder
                ],
            )?;
        }
        Ok(())
    }

    fn frozen_unit(&mut self, meeting_id: &str, unit_id: &str) -> AppResult<Option<SnapshotUnit>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT unit_id, weight_micros, may_vote, arrears_months, proxy_holder
                 FROM meeting_units WHERE meeting_id = ?1 AND unit_id = ?2",
                params![meeting_id, unit_id],
                |r| {
                    Ok(SnapshotUnit {
                        unit_id: r.get(0)?,
                        weight: Weight::from_micros(r.get(1)?),
                        may_vote: r.get(2)?,
                        arrears_months: r.get(3)?,
                        proxy_holder: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn proxy_projects(&mut self, person_id: &str) -> AppResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT DISTINCT m.project_id FROM meeting_proxies p
             JOIN meetings m ON m.id = p.meeting_id
             WHERE p.holder_person_id = ?1 ORDER BY m.project_id",
        )?;
        let rows = stmt.query_map([person_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn add_project_role(
        &mut self,
        project_id: &str,
        person_id: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO project_roles (project_id, person_id, role, created_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![project_id, person_id, role, ms(now)],
        )?;
        Ok(())
    }

    fn project_roles(&mut self, project_id: &str, person_id: &str) -> AppResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT role FROM project_roles WHERE project_id = ?1 AND person_id = ?2 ORDER BY role",
        )?;
        let rows = stmt.query_map(params![project_id, person_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
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

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAgendaItem> {
    Ok(StoredAgendaItem {
        id: r.get(0)?,
        meeting_id: r.get(1)?,
        position: r.get(2)?,
        title: r.get(3)?,
        resolution: r.get(4)?,
        status: r.get(5)?,
    })
}

const ITEM_COLUMNS: &str =
    "SELECT id, meeting_id, position, title, resolution, status FROM agenda_items";

fn link_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn link(row: (i64, String, String, String)) -> AppResult<ChainEntry> {
    let (seq, prev, entry, hash) = row;
    Ok(ChainEntry {
        seq: u64::try_from(seq).map_err(|_| AppError::server("ballot log", "negative seq"))?,
        prev,
        entry: serde_json::from_str(&entry)
            .map_err(|e| AppError::server("ballot log", format!("unreadable entry: {e}")))?,
        hash,
    })
}
