//! Wrong invitation codes on SQLite (`invite_guess_failures` table).

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::InviteGuessesTx;

impl InviteGuessesTx for SqliteTx<'_> {
    fn guess_failures_since(
        &mut self,
        key: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<DateTime<Utc>>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT created_at FROM invite_guess_failures WHERE key = ?1 AND created_at > ?2
             ORDER BY created_at",
        )?;
        let times = stmt
            .query_map(params![key, ms(since)], |r| r.get::<_, i64>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(times.into_iter().map(from_ms).collect())
    }

    fn record_guess_failure(&mut self, key: &str, at: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO invite_guess_failures (key, created_at) VALUES (?1, ?2)",
            params![key, ms(at)],
        )?;
        Ok(())
    }

    fn forget_guess_failures(&mut self, until: DateTime<Utc>) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM invite_guess_failures WHERE created_at <= ?1",
            [ms(until)],
        )?)
    }
}
