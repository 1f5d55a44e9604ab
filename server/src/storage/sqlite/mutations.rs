//! Pushed mutations' ids and results on SQLite (`mutations` table).

use chrono::{DateTime, Utc};
use lobby_model::protocol::MutationOutcome;
use rusqlite::{params, OptionalExtension};

use super::{count, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{MutationsTx, StoredMutation};

impl MutationsTx for SqliteTx<'_> {
    fn mutation(&mut self, mutation_id: &str) -> AppResult<Option<StoredMutation>> {
        let row: Option<(String, String)> = self
            .tx
            .query_row_cached(
                "SELECT person_id, result FROM mutations WHERE id = ?1",
                [mutation_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        row.map(|(person_id, result)| {
            Ok(StoredMutation {
                person_id,
                outcome: serde_json::from_str(&result)?,
            })
        })
        .transpose()
    }

    fn record_mutation(
        &mut self,
        mutation_id: &str,
        person_id: &str,
        kind: &str,
        outcome: &MutationOutcome,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO mutations (id, person_id, kind, result, applied_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![mutation_id, person_id, kind, serde_json::to_string(outcome)?, ms(now)],
        )?;
        Ok(())
    }

    fn count_mutations_since(
        &mut self,
        person_id: &str,
        kind: &str,
        since: DateTime<Utc>,
        at_most: usize,
    ) -> AppResult<usize> {
        let limit = i64::try_from(at_most).unwrap_or(i64::MAX);
        Ok(count(self.tx.query_row_cached(
            "SELECT COUNT(*) FROM (SELECT 1 FROM mutations
             WHERE person_id = ?1 AND kind = ?2 AND applied_at > ?3 LIMIT ?4)",
            params![person_id, kind, ms(since), limit],
            |r| r.get(0),
        )?))
    }
}
