//! One-time code requests and counted sends on SQLite (`otp_requests`, `otp_sends`).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewOtpRow, OtpTx, StoredOtp};

impl OtpTx for SqliteTx<'_> {
    fn otp_sends(&mut self, key: &str, since: DateTime<Utc>) -> AppResult<Vec<DateTime<Utc>>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT created_at FROM otp_sends WHERE key = ?1 AND created_at > ?2",
        )?;
        let times = stmt
            .query_map(params![key, ms(since)], |row| row.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(times.into_iter().map(from_ms).collect())
    }

    fn record_otp_send(&mut self, key: &str, at: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO otp_sends (key, created_at) VALUES (?1, ?2)",
            params![key, ms(at)],
        )?;
        Ok(())
    }

    fn insert_otp_request(&mut self, r: &NewOtpRow) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO otp_requests (id, purpose, code_digest, created_at, person_id, pending)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                r.id,
                r.purpose,
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
                "SELECT purpose, code_digest, created_at, wrong_attempts, person_id, pending
                 FROM otp_requests WHERE id = ?1",
                [request_id],
                |r| {
                    Ok(StoredOtp {
                        purpose: r.get(0)?,
                        code_digest: r.get(1)?,
                        created_at: from_ms(r.get(2)?),
                        wrong_attempts: r.get(3)?,
                        person_id: r.get(4)?,
                        pending: r.get(5)?,
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

    fn delete_otp_request(&mut self, request_id: &str) -> AppResult<bool> {
        let n = self
            .tx
            .execute_cached("DELETE FROM otp_requests WHERE id = ?1", [request_id])?;
        Ok(n == 1)
    }

    fn purge_otp_requests(&mut self, made_before: DateTime<Utc>) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM otp_requests WHERE created_at <= ?1",
            [ms(made_before)],
        )?)
    }

    fn purge_otp_sends(&mut self, sent_before: DateTime<Utc>) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM otp_sends WHERE created_at <= ?1",
            [ms(sent_before)],
        )?)
    }
}
