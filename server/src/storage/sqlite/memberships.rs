//! Memberships on SQLite (`memberships`, joined with `units` for the project).

use chrono::{DateTime, Utc};
use lobby_model::protocol::Role;
use rusqlite::{params, OptionalExtension, Row};

use super::{count, ms, parse_role, Cached, SqliteTx};
use crate::error::AppResult;
use crate::storage::{Membership, MembershipsTx, NewMembership};

const MEMBERSHIP_COLUMNS: &str =
    "SELECT m.id, m.person_id, m.unit_id, u.project_id, m.role, m.ended_at IS NOT NULL
     FROM memberships m JOIN units u ON u.id = m.unit_id";

/// `(id, person_id, unit_id, project_id, role, ended)` as read.
type RawMembership = (String, String, String, String, String, bool);

fn membership_row(r: &Row) -> rusqlite::Result<RawMembership> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn with_role(raw: RawMembership) -> AppResult<Membership> {
    let (id, person_id, unit_id, project_id, role, ended) = raw;
    Ok(Membership {
        id,
        person_id,
        unit_id,
        project_id,
        role: parse_role(&role)?,
        ended,
    })
}

impl MembershipsTx for SqliteTx<'_> {
    fn membership(&mut self, membership_id: &str) -> AppResult<Option<Membership>> {
        self.tx
            .query_row_cached(
                &format!("{MEMBERSHIP_COLUMNS} WHERE m.id = ?1"),
                [membership_id],
                membership_row,
            )
            .optional()?
            .map(with_role)
            .transpose()
    }

    fn active_membership(
        &mut self,
        person_id: &str,
        unit_id: &str,
    ) -> AppResult<Option<Membership>> {
        self.tx
            .query_row_cached(
                &format!(
                    "{MEMBERSHIP_COLUMNS} WHERE m.person_id = ?1 AND m.unit_id = ?2 AND m.ended_at IS NULL"
                ),
                params![person_id, unit_id],
                membership_row,
            )
            .optional()?
            .map(with_role)
            .transpose()
    }

    fn active_memberships_of(&mut self, person_id: &str) -> AppResult<Vec<Membership>> {
        let mut stmt = self.tx.prepare_cached(&format!(
            "{MEMBERSHIP_COLUMNS} WHERE m.person_id = ?1 AND m.ended_at IS NULL ORDER BY m.created_at, m.id"
        ))?;
        let rows = stmt
            .query_map([person_id], membership_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(with_role).collect()
    }

    fn count_active_memberships(&mut self, unit_id: &str, roles: &[Role]) -> AppResult<usize> {
        let mut total = 0;
        for role in roles {
            let n: i64 = self.tx.query_row_cached(
                "SELECT COUNT(*) FROM memberships WHERE unit_id = ?1 AND ended_at IS NULL AND role = ?2",
                params![unit_id, role.as_str()],
                |r| r.get(0),
            )?;
            total += count(n);
        }
        Ok(total)
    }

    fn insert_membership(&mut self, m: &NewMembership, now: DateTime<Utc>) -> AppResult<()> {
        self.tx.execute_cached(
            "INSERT INTO memberships (id, person_id, unit_id, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![m.id, m.person_id, m.unit_id, m.role.as_str(), ms(now)],
        )?;
        Ok(())
    }

    fn end_membership(&mut self, membership_id: &str, now: DateTime<Utc>) -> AppResult<bool> {
        let n = self.tx.execute_cached(
            "UPDATE memberships SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
            params![membership_id, ms(now)],
        )?;
        Ok(n == 1)
    }
}
