//! Invitation codes on SQLite (`invites` table).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{count, from_ms, inserted, ms, parse_invite_state, parse_role, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Inserted, InvitesTx, NewInvite, StoredInvite};

const INVITE_COLUMNS: &str =
    "SELECT id, unit_id, role, status, created_at, expires_at, accepted_by FROM invites";

/// `(id, unit_id, role, status, created_at, expires_at, accepted_by)` as read.
type RawInvite = (String, String, String, String, i64, i64, Option<String>);

fn invite_row(r: &Row) -> rusqlite::Result<RawInvite> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn invite(raw: RawInvite) -> AppResult<StoredInvite> {
    let (id, unit_id, role, status, created_at, expires_at, accepted_by) = raw;
    Ok(StoredInvite {
        id,
        unit_id,
        role: parse_role(&role)?,
        state: parse_invite_state(&status)?,
        created_at: from_ms(created_at),
        expires_at: from_ms(expires_at),
        accepted_by,
    })
}

impl InvitesTx for SqliteTx<'_> {
    fn insert_invite(&mut self, i: &NewInvite) -> AppResult<Inserted> {
        inserted(self.tx.execute_cached(
            "INSERT INTO invites (id, unit_id, role, code_digest, created_by, created_at, expires_at, status, digest_keyed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 1)",
            params![
                i.id,
                i.unit_id,
                i.role.as_str(),
                i.code_digest,
                i.created_by,
                ms(i.created_at),
                ms(i.expires_at)
            ],
        ))
    }

    fn invite(&mut self, invite_id: &str) -> AppResult<Option<StoredInvite>> {
        self.tx
            .query_row_cached(
                &format!("{INVITE_COLUMNS} WHERE id = ?1"),
                [invite_id],
                invite_row,
            )
            .optional()?
            .map(invite)
            .transpose()
    }

    fn invite_by_code(&mut self, code_digest: &str) -> AppResult<Option<StoredInvite>> {
        self.tx
            .query_row_cached(
                &format!("{INVITE_COLUMNS} WHERE code_digest = ?1"),
                [code_digest],
                invite_row,
            )
            .optional()?
            .map(invite)
            .transpose()
    }

    fn count_pending_invites(&mut self, unit_id: &str, at: DateTime<Utc>) -> AppResult<usize> {
        let n: i64 = self.tx.query_row_cached(
            "SELECT COUNT(*) FROM invites WHERE unit_id = ?1 AND status = 'pending' AND expires_at > ?2",
            params![unit_id, ms(at)],
            |r| r.get(0),
        )?;
        Ok(count(n))
    }

    fn mark_invite_revoked(&mut self, invite_id: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let n = self.tx.execute_cached(
            "UPDATE invites SET status = 'revoked', revoked_at = ?2 WHERE id = ?1 AND status = 'pending'",
            params![invite_id, ms(now)],
        )?;
        Ok(n == 1)
    }

    fn mark_invite_accepted(
        &mut self,
        invite_id: &str,
        person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let n = self.tx.execute_cached(
            "UPDATE invites SET status = 'accepted', accepted_by = ?2, accepted_at = ?3
             WHERE id = ?1 AND status = 'pending'",
            params![invite_id, person_id, ms(now)],
        )?;
        Ok(n == 1)
    }

    fn unkeyed_invite_digests(&mut self, limit: usize) -> AppResult<Vec<(String, String)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, code_digest FROM invites WHERE digest_keyed = 0 LIMIT ?1",
        )?;
        let rows = stmt
            .query_map([limit as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn set_keyed_invite_digest(&mut self, invite_id: &str, digest: &str) -> AppResult<()> {
        self.tx.execute_cached(
            "UPDATE invites SET code_digest = ?2, digest_keyed = 1 WHERE id = ?1 AND digest_keyed = 0",
            params![invite_id, digest],
        )?;
        Ok(())
    }
}
