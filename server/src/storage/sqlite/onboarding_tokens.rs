//! Onboarding tokens on SQLite (`onboarding_tokens` table).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{from_ms, ms, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{NewOnboardingToken, OnboardingTokensTx, StoredToken, TokenState};

impl OnboardingTokensTx for SqliteTx<'_> {
    fn onboarding_token(&mut self, digest: &str) -> AppResult<Option<StoredToken>> {
        Ok(self
            .tx
            .query_row_cached(
                "SELECT id, unit_id, expires_at, used_at IS NOT NULL, voided_at IS NOT NULL
                 FROM onboarding_tokens WHERE token_digest = ?1",
                [digest],
                |r| {
                    Ok(StoredToken {
                        id: r.get(0)?,
                        unit_id: r.get(1)?,
                        state: TokenState {
                            expires_at: from_ms(r.get(2)?),
                            used: r.get(3)?,
                            voided: r.get(4)?,
                        },
                    })
                },
            )
            .optional()?)
    }

    fn insert_onboarding_token(
        &mut self,
        unit_id: &str,
        t: &NewOnboardingToken,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO onboarding_tokens (id, unit_id, token_digest, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![t.id, unit_id, t.digest, ms(t.expires_at), ms(now)],
        )?;
        Ok(())
    }

    fn void_unused_onboarding_tokens(
        &mut self,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE onboarding_tokens SET voided_at = ?2 WHERE unit_id = ?1 AND used_at IS NULL AND voided_at IS NULL",
            params![unit_id, ms(now)],
        )?;
        Ok(())
    }

    fn mark_onboarding_token_used(
        &mut self,
        token_id: &str,
        person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE onboarding_tokens SET used_at = ?2, used_by = ?3 WHERE id = ?1",
            params![token_id, ms(now), person_id],
        )?;
        Ok(())
    }

    fn purge_used_onboarding_tokens(&mut self, used_before: DateTime<Utc>) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM onboarding_tokens WHERE used_at <= ?1",
            [ms(used_before)],
        )?)
    }

    fn purge_expired_onboarding_tokens(
        &mut self,
        expired_before: DateTime<Utc>,
    ) -> AppResult<usize> {
        Ok(self.tx.execute_cached(
            "DELETE FROM onboarding_tokens WHERE used_at IS NULL AND expires_at <= ?1",
            [ms(expired_before)],
        )?)
    }
}
