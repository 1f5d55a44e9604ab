//! Parcels on SQLite (`parcels` table).

use lobby_model::protocol::ParcelRecord;
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
                "SELECT id, unit_id, recipient, carrier, tracking, status, logged_at, picked_up_at
                 FROM parcels WHERE id = ?1",
                [parcel_id],
                |r| {
                    Ok(ParcelRecord {
                        id: r.get(0)?,
                        unit_id: r.get(1)?,
                        recipient: r.get(2)?,
                        carrier: r.get(3)?,
                        tracking: r.get(4)?,
                        status: r.get(5)?,
                        logged_at: from_ms(r.get(6)?),
                        picked_up_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
                    })
                },
            )
            .optional()?)
    }
}
