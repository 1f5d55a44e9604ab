//! One-time code requests on SQLite (`otp_requests` table).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewOtpRow, OtpTx, StoredOtp};

impl SqliteTx<'_> {
    fn otp_sends(
        &self,
        sql: &str,
        value: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<DateTime<Utc>>> {
        let mut stmt = self.tx.prepare_cached(sql)?;
        let times = stmt
            .query_map(params![value, ms(since)], |row| row.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(times.into_iter().map(from_ms).collect())
    }
}

impl OtpTx for SqliteTx<'_> {
    fn otp_sends_to(
        &mut self,
        destination: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<DateTime<Utc>>> {
        self.otp_sends(
            "SELECT created_at FROM otp_requests WHERE destination = ?1 AND created_at > ?2",
            destination,
            since,
        )
    }

    fn otp_sends_from(
        &mut self,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<DateTime<Utc>>> {
        self.otp_sends(
            "SELECT created_at FROM otp_requests WHERE client_addr = ?1 AND created_at > ?2",
            client_addr,
            since,
        )
    }

    fn insert_otp_request(&mut self, r: &NewOtpRow) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO otp_requests (id, purpose, destination, client_addr, code_digest, created_at, person_id, pending)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                r.id,
                r.purpose,
                r.destination,
                r.client_addr,
                r.code_digest,
                ms(r.created_at),
                r.person_id,
                r.pending
            ],
        )?;
        Ok(())
    }

    fn otp_request(&mut self, request_id: &str) -> AppResult<Option<StoredOtp>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT purpose, code_digest, created_at, wrong_attempts, consumed_at IS NOT NULL, person_id, pending
                 FROM otp_requests WHERE id = ?1",
                [request_id],
                |r| {
                    Ok(StoredOtp {
                        purpose: r.get(0)?,
                        code_digest: r.get(1)?,
                        created_at: from_ms(r.get(2)?),
                        wrong_attempts: r.get(3)?,
                        consumed: r.get(4)?,
                        person_id: r.get(5)?,
                        pending: r.get(6)?,
                    })
                },
            )
            .optional()?)
    }

    fn count_wrong_otp_attempt(&mut self, request_id: &str) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE otp_requests SET wrong_attempts = wrong_attempts + 1 WHERE id = ?1",
            [request_id],
        )?;
        Ok(())
    }

    fn mark_otp_consumed(&mut self, request_id: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let n = self.tx.execute_cached(
            "UPDATE otp_requests SET consumed_at = ?2 WHERE id = ?1 AND consumed_at IS NULL",
            params![request_id, ms(now)],
        )?;
        Ok(n == 1)
    }
}
