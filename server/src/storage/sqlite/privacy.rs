//! Privacy on SQLite (`policies`, `consent_events`).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, inserted, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Inserted, NewConsent, PrivacyTx, StoredConsent};

impl PrivacyTx for SqliteTx<'_> {
    fn publish_policy(
        &mut self,
        kind: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO policies (kind, version, published_at) VALUES (?1, ?2, ?3)",
            params![kind, version, ms(now)],
        ))
    }

    fn current_policy(&mut self, kind: &str) -> AppResult<Option<String>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT version FROM policies WHERE kind = ?1
                 ORDER BY published_at DESC, rowid DESC LIMIT 1",
                [kind],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn add_consent(&mut self, c: &NewConsent<'_>) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO consent_events (id, person_id, kind, version, given, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![c.id, c.person_id, c.kind, c.version, c.given, ms(c.at)],
        )?;
        Ok(())
    }

    fn consents(&mut self, person_id: &str) -> AppResult<Vec<StoredConsent>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT kind, version, given, at FROM consent_events
             WHERE person_id = ?1 ORDER BY at, rowid",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            Ok(StoredConsent {
                kind: r.get(0)?,
                version: r.get(1)?,
                given: r.get(2)?,
                at: from_ms(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
