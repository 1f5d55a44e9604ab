//! Device keys on SQLite (`device_keys`): public halves only.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{count, from_ms, inserted, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{DeviceKeysTx, Inserted, NewDeviceKey, StoredDeviceKey};

impl DeviceKeysTx for SqliteTx<'_> {
    fn insert_device_key(&mut self, k: &NewDeviceKey) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO device_keys (key_id, person_id, family_id, public_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                k.key_id,
                k.person_id,
                k.family_id,
                k.public_key,
                ms(k.created_at)
            ],
        ))
    }

    fn device_key(&mut self, key_id: &str) -> AppResult<Option<StoredDeviceKey>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT key_id, person_id, family_id, public_key, revoked_at
                 FROM device_keys WHERE key_id = ?1",
                [key_id],
                |r| {
                    Ok(StoredDeviceKey {
                        key_id: r.get(0)?,
                        person_id: r.get(1)?,
                        family_id: r.get(2)?,
                        public_key: r.get(3)?,
                        revoked_at: r.get::<_, Option<i64>>(4)?.map(from_ms),
                    })
                },
            )
            .optional()?)
    }

    fn count_family_device_keys(&mut self, family_id: &str) -> AppResult<usize> {
        Ok(count(self.tx.query_row_cached(
            "SELECT COUNT(*) FROM device_keys WHERE family_id = ?1",
            [family_id],
            |r| r.get(0),
        )?))
    }

    fn revoke_family_device_keys(
        &mut self,
        family_id: &str,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE device_keys SET revoked_at = ?3
             WHERE family_id = ?1 AND revoked_at IS NULL AND (?2 IS NULL OR key_id <> ?2)",
            params![family_id, keep, ms(now)],
        )?;
        Ok(())
    }

    fn revoke_person_device_keys(&mut self, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE device_keys SET revoked_at = ?2 WHERE person_id = ?1 AND revoked_at IS NULL",
            params![person_id, ms(now)],
        )?;
        Ok(())
    }

    fn purge_revoked_device_keys(&mut self, revoked_before: DateTime<Utc>) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM device_keys
             WHERE revoked_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.family_id = device_keys.family_id)
               AND NOT EXISTS (SELECT 1 FROM parcel_handovers h WHERE h.key_id = device_keys.key_id)",
            [ms(revoked_before)],
        )?)
    }
}
