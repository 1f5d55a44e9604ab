//! The owner's view of a unit's invitations and members, read from the replica with the
//! phone's own queued changes laid over it (queued invitations, revocations and removals).

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::protocol::{InviteStatus, Role};
use crate::store::{Result, Store};

/// One invitation as the owner's phone knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    pub invite_id: String,
    pub unit_id: String,
    pub role: Role,
    pub status: LocalInviteStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_by: Option<String>,
    /// The server's reason, for a refused one.
    pub reason: Option<String>,
    /// A revocation is queued on this phone.
    pub revoke_pending: bool,
}

/// Server states plus the two only the phone knows: made here and not yet confirmed
/// (`Queued`), and refused by the server (`Rejected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum LocalInviteStatus {
    Queued,
    Pending,
    Accepted,
    Revoked,
    Expired,
    Rejected,
}

impl LocalInviteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LocalInviteStatus::Queued => "queued",
            LocalInviteStatus::Pending => "pending",
            LocalInviteStatus::Accepted => "accepted",
            LocalInviteStatus::Revoked => "revoked",
            LocalInviteStatus::Expired => "expired",
            LocalInviteStatus::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MemberRow {
    pub membership_id: String,
    pub unit_id: String,
    pub person_id: String,
    pub name: String,
    pub role: Role,
    /// A removal is queued on this phone.
    pub removal_pending: bool,
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

impl Store {
    /// Invitations of `unit_id`: the server's, this phone's queued ones, and this phone's
    /// refused ones (from the outbox), newest first.
    pub fn invites(&self, unit_id: &str, now: DateTime<Utc>) -> Result<Vec<InviteRow>> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.id, i.role, i.status, i.created_at, i.expires_at, i.accepted_by,
                    EXISTS(SELECT 1 FROM invite_revokes_local r WHERE r.invite_id = i.id)
             FROM invites i WHERE i.unit_id = ?1",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })?;
        for row in rows {
            let (id, role, status, created, expires, accepted_by, revoke_pending) = row?;
            let expires_at = time(&expires);
            let status = match InviteStatus::parse(&status) {
                Some(InviteStatus::Pending) if now >= expires_at => LocalInviteStatus::Expired,
                Some(InviteStatus::Pending) => LocalInviteStatus::Pending,
                Some(InviteStatus::Accepted) => LocalInviteStatus::Accepted,
                Some(InviteStatus::Revoked) => LocalInviteStatus::Revoked,
                Some(InviteStatus::Expired) | None => LocalInviteStatus::Expired,
            };
            out.push(InviteRow {
                invite_id: id,
                unit_id: unit_id.to_string(),
                role: Role::parse(&role).unwrap_or(Role::Resident),
                status,
                created_at: time(&created),
                expires_at,
                accepted_by,
                reason: None,
                revoke_pending,
            });
        }
        // Made here, not yet confirmed (and not already in the server's list).
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.invite_id, l.role, l.created_at, l.expires_at,
                    EXISTS(SELECT 1 FROM invite_revokes_local r WHERE r.invite_id = l.invite_id)
             FROM invites_local l
             WHERE l.unit_id = ?1 AND NOT EXISTS (SELECT 1 FROM invites i WHERE i.id = l.invite_id)",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
            ))
        })?;
        for row in rows {
            let (id, role, created, expires, revoke_pending) = row?;
            out.push(InviteRow {
                invite_id: id,
                unit_id: unit_id.to_string(),
                role: Role::parse(&role).unwrap_or(Role::Resident),
                status: LocalInviteStatus::Queued,
                created_at: time(&created),
                expires_at: time(&expires),
                accepted_by: None,
                reason: None,
                revoke_pending,
            });
        }
        // Refused by the server: kept in the outbox with the reason.
        let mut stmt = self.conn.prepare_cached(
            "SELECT body, created_at, reject_code FROM outbox
             WHERE state = 'rejected' AND kind = 'invite_create'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for row in rows {
            let (body, created, code) = row?;
            if let Ok(crate::protocol::Mutation::InviteCreate {
                invite_id,
                unit_id: u,
                role,
                ..
            }) = serde_json::from_str(&body)
            {
                if u == unit_id {
                    let created_at = time(&created);
                    out.push(InviteRow {
                        invite_id: invite_id.to_string(),
                        unit_id: u,
                        role,
                        status: LocalInviteStatus::Rejected,
                        created_at,
                        expires_at: created_at,
                        accepted_by: None,
                        reason: code,
                        revoke_pending: false,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(b.invite_id.cmp(&a.invite_id))
        });
        Ok(out)
    }

    /// Residents and tenants of `unit_id`, with removals queued here marked.
    pub fn members(&self, unit_id: &str) -> Result<Vec<MemberRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.person_id, m.name, m.role,
                    EXISTS(SELECT 1 FROM member_removals_local r WHERE r.membership_id = m.id)
             FROM members m WHERE m.unit_id = ?1 ORDER BY m.name",
        )?;
        let rows = stmt.query_map([unit_id], |r| {
            Ok(MemberRow {
                membership_id: r.get(0)?,
                unit_id: unit_id.to_string(),
                person_id: r.get(1)?,
                name: r.get(2)?,
                role: Role::parse(&r.get::<_, String>(3)?).unwrap_or(Role::Resident),
                removal_pending: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// What counts against the cap of 5, as this phone sees it: members not being removed,
    /// and invitations pending on the server or queued here, not being revoked.
    pub fn invite_cap_usage(&self, unit_id: &str, now: DateTime<Utc>) -> Result<(usize, usize)> {
        let members = self
            .members(unit_id)?
            .iter()
            .filter(|m| !m.removal_pending)
            .count();
        let pending = self
            .invites(unit_id, now)?
            .iter()
            .filter(|i| {
                matches!(
                    i.status,
                    LocalInviteStatus::Pending | LocalInviteStatus::Queued
                ) && !i.revoke_pending
            })
            .count();
        Ok((members, pending))
    }

    /// Invitation ids whose codes can still be used: pending on the server and not
    /// expired, or made here and not yet confirmed. Any other code may be forgotten.
    pub fn usable_invite_ids(&self, now: DateTime<Utc>) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM invites WHERE status = 'pending' AND expires_at > ?1
             UNION SELECT l.invite_id FROM invites_local l
             WHERE NOT EXISTS (SELECT 1 FROM invites i WHERE i.id = l.invite_id)",
        )?;
        let rows = stmt.query_map(params![now.to_rfc3339()], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }
}
