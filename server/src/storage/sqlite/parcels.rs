//! Parcels on SQLite (`parcels` table; a parcel's photo is described from `files`).

use lobby_model::protocol::{FileRef, ParcelRecord};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewParcel, ParcelsTx};

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
                "SELECT p.id, p.unit_id, p.recipient, p.carrier, p.tracking, p.status,
                        p.logged_at, p.picked_up_at,
                        f.id, f.content_type, f.size, f.sha256
                 FROM parcels p LEFT JOIN files f ON f.id = p.photo_file_id
                 WHERE p.id = ?1",
                [parcel_id],
                |r| {
                    let photo = match r.get::<_, Option<String>>(8)? {
                        Some(id) => Some(FileRef {
                            id,
                            content_type: r.get(9)?,
                            size: u64::try_from(r.get::<_, i64>(10)?).unwrap_or(0),
                            sha256: r.get(11)?,
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
                        photo,
                    })
                },
            )
            .optional()?)
    }

    fn set_parcel_photo(&mut self, parcel_id: &str, file_id: &str) -> AppResult<bool> {
        Ok(self.tx.execute_cached(
            "UPDATE parcels SET photo_file_id = ?2 WHERE id = ?1",
            params![parcel_id, file_id],
        )? > 0)
    }
}
