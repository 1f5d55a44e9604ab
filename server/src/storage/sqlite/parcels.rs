//! Parcels on SQLite (`parcels`, `parcel_handovers`): rows and custody read back with the
//! staff's and the collector's names, and the photo described from `files`.

use lobby_model::protocol::{FileRef, HandoverRecord, ParcelRecord, ReturnRecord};
use rusqlite::{params, OptionalExtension, Row};

use super::{from_ms, inserted, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Inserted, NewHandover, NewParcel, ParcelSearch, ParcelsTx};

/// The parcel's columns and its custody, joined once for every read.
const SELECT_PARCEL: &str = "
    SELECT p.id, p.unit_id, p.recipient, p.carrier, p.tracking, p.status, p.logged_at,
           p.picked_up_at, logger.name,
           h.created_at, h.method, h.collected_by, giver.name,
           p.returned_at, returner.name,
           f.id, f.content_type, f.size, f.sha256
    FROM parcels p
    LEFT JOIN staff logger ON logger.id = p.logged_by
    LEFT JOIN parcel_handovers h ON h.id = p.handover_id
    LEFT JOIN staff giver ON giver.id = h.staff_id
    LEFT JOIN staff returner ON returner.id = p.returned_by
    LEFT JOIN files f ON f.id = p.photo_file_id";

fn parcel_row(r: &Row<'_>) -> rusqlite::Result<ParcelRecord> {
    let handover = match r.get::<_, Option<i64>>(9)? {
        Some(at) => Some(HandoverRecord {
            at: from_ms(at),
            method: r.get(10)?,
            to: r.get(11)?,
            by: r.get::<_, Option<String>>(12)?.unwrap_or_default(),
        }),
        None => None,
    };
    let returned = match r.get::<_, Option<i64>>(13)? {
        Some(at) => Some(ReturnRecord {
            at: from_ms(at),
            by: r.get::<_, Option<String>>(14)?.unwrap_or_default(),
        }),
        None => None,
    };
    let photo = match r.get::<_, Option<String>>(15)? {
        Some(id) => Some(FileRef {
            id,
            content_type: r.get(16)?,
            size: u64::try_from(r.get::<_, i64>(17)?).unwrap_or(0),
            sha256: r.get(18)?,
        }),
        None => None,
    };
    Ok(ParcelRecord {
        id: r.get(0)?,
        unit_id: r.get(1)?,
        recipient: r.get(2)?,
        carrier: r.get(3)?,
        tracking: r.get(4)?,
        status: r.get(5)?,
        logged_at: from_ms(r.get(6)?),
        picked_up_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
        logged_by: r.get(8)?,
        handover: handover.map(Box::new),
        returned: returned.map(Box::new),
        photo: photo.map(Box::new),
    })
}

impl ParcelsTx for SqliteTx<'_> {
    fn insert_parcel(&mut self, p: &NewParcel) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO parcels (id, unit_id, recipient, carrier, tracking, logged_by, logged_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                p.id,
                p.unit_id,
                p.recipient,
                p.carrier,
                p.tracking,
                p.logged_by,
                ms(p.logged_at)
            ],
        )?;
        Ok(())
    }

    fn parcel(&mut self, parcel_id: &str) -> AppResult<Option<ParcelRecord>> {
        Ok(self
            .tx
            .query_row_cached(
                &format!("{SELECT_PARCEL} WHERE p.id = ?1"),
                [parcel_id],
                parcel_row,
            )
            .optional()?)
    }

    fn find_parcels(&mut self, f: &ParcelSearch<'_>, limit: usize) -> AppResult<Vec<ParcelRecord>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{SELECT_PARCEL}
             WHERE (?1 IS NULL OR p.unit_id IN (SELECT id FROM units WHERE project_id = ?1))
               AND (?2 IS NULL OR p.unit_id = ?2)
               AND (?3 IS NULL OR p.status = ?3)
               AND (?4 IS NULL OR instr(lower(p.recipient), lower(?4)) > 0)
             ORDER BY p.logged_at DESC, p.id DESC
             LIMIT ?5"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            params![f.project_id, f.unit_id, f.status, f.recipient, limit],
            parcel_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn waiting_parcels(&mut self, unit_id: &str) -> AppResult<Vec<ParcelRecord>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{SELECT_PARCEL} WHERE p.unit_id = ?1 AND p.status = 'waiting'
             ORDER BY p.logged_at, p.id"
        ))?;
        let rows = stmt.query_map([unit_id], parcel_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn pass_used(&mut self, key_id: &str, step: i64) -> AppResult<bool> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT 1 FROM parcel_handovers WHERE key_id = ?1 AND pass_step = ?2",
                params![key_id, step],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn insert_handover(&mut self, h: &NewHandover) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO parcel_handovers (id, unit_id, method, person_id, collected_by,
                 staff_id, key_id, pass_step, signature_png, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                h.id,
                h.unit_id,
                h.method,
                h.person_id,
                h.collected_by,
                h.staff_id,
                h.key_id,
                h.pass_step,
                h.signature_png,
                ms(h.created_at)
            ],
        ))
    }

    fn mark_parcel_handed_over(
        &mut self,
        parcel_id: &str,
        handover_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE parcels SET status = 'picked_up', picked_up_at = ?3, handover_id = ?2
             WHERE id = ?1 AND status = 'waiting'",
            params![parcel_id, handover_id, ms(now)],
        )? == 1)
    }

    fn mark_parcel_returned(
        &mut self,
        parcel_id: &str,
        staff_id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE parcels SET status = 'returned', returned_at = ?3, returned_by = ?2
             WHERE id = ?1 AND status = 'waiting'",
            params![parcel_id, staff_id, ms(now)],
        )? == 1)
    }

    fn set_parcel_photo(&mut self, parcel_id: &str, file_id: &str) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE parcels SET photo_file_id = ?2 WHERE id = ?1",
            params![parcel_id, file_id],
        )? > 0)
    }
}
