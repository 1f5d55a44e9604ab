//! Invitation codes, members and guessing (DESIGN.md §2.3).
//!
//! Every function runs inside the caller's immediate transaction, so each check and the
//! write it guards are one step: the cap is counted in the transaction that stores the
//! code (two devices of one owner cannot both take the fifth place), and acceptance
//! re-checks the invitation in the transaction that makes the membership.
//!
//! What owners see lands in `owners:<unit_id>` (invitations, residents and tenants);
//! what the invitee sees lands in their `person:` scope, and the unit itself reaches them
//! through the new `unit:` scope their membership makes visible.

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::{
    check_can_manage_members, check_invitable_role, check_invite_cap, check_invite_usable,
    normalize_invite_code, StoredInviteState,
};
use lobby_model::protocol::{
    DeletedRecord, EntityKind, InviteRecord, InviteStatus, MemberRecord, MembershipRecord, Record,
    Role,
};
use lobby_model::ErrorCode;
use rusqlite::{params, OptionalExtension, Transaction};

use super::accounts::{insert_session, profile};
use super::sync::append_change;
use super::{conflict_or, from_ms, ms, new_id, parse_role};
use crate::error::{AppError, AppResult};
use crate::invites::{
    check_guesses, code_digest, default_member_name, expires_at, guess_window_start, stored_state,
};
use crate::sessions::NewSession;
use crate::storage::{InviteTarget, PendingInvite};
use crate::sync_rules::{owners_scope, person_scope};

/// An `InviteCreate` mutation's fields.
pub(super) struct NewInvite<'a> {
    pub id: String,
    pub unit_id: &'a str,
    pub role: Role,
    pub code: &'a str,
}

/// The person's role in the unit, if they are an active member.
fn role_in_unit(tx: &Transaction, person_id: &str, unit_id: &str) -> AppResult<Option<Role>> {
    let role: Option<String> = tx
        .query_row(
            "SELECT role FROM memberships WHERE person_id = ?1 AND unit_id = ?2 AND ended_at IS NULL",
            params![person_id, unit_id],
            |r| r.get(0),
        )
        .optional()?;
    role.as_deref().map(parse_role).transpose()
}

/// Only an active owner of the unit manages its invitations and members.
fn require_owner(tx: &Transaction, person_id: &str, unit_id: &str) -> AppResult<()> {
    match role_in_unit(tx, person_id, unit_id)? {
        Some(role) => Ok(check_can_manage_members(role)?),
        None => Err(AppError::forbidden(
            "only the unit's owner can invite or remove residents and tenants",
        )),
    }
}

/// `(active residents and tenants, pending unexpired codes)` of a unit at `now`.
fn cap_counts(tx: &Transaction, unit_id: &str, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
    let members: i64 = tx.query_row(
        "SELECT COUNT(*) FROM memberships
         WHERE unit_id = ?1 AND ended_at IS NULL AND role IN ('resident', 'tenant')",
        [unit_id],
        |r| r.get(0),
    )?;
    let pending: i64 = tx.query_row(
        "SELECT COUNT(*) FROM invites WHERE unit_id = ?1 AND status = 'pending' AND expires_at > ?2",
        params![unit_id, ms(now)],
        |r| r.get(0),
    )?;
    Ok((members.max(0) as usize, pending.max(0) as usize))
}

/// The invitation as its owners see it (`accepted_by` is the invitee's display name).
fn invite_record(tx: &Transaction, invite_id: &str) -> AppResult<InviteRecord> {
    let (id, unit_id, role, status, created_at, expires, accepted_by): (
        String,
        String,
        String,
        String,
        i64,
        i64,
        Option<String>,
    ) = tx.query_row(
        "SELECT i.id, i.unit_id, i.role, i.status, i.created_at, i.expires_at, p.display_name
         FROM invites i LEFT JOIN people p ON p.id = i.accepted_by WHERE i.id = ?1",
        [invite_id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        },
    )?;
    Ok(InviteRecord {
        id,
        unit_id,
        role: parse_role(&role)?,
        status: InviteStatus::parse(&status)
            .ok_or_else(|| AppError::server("invite", "unknown invite status"))?,
        created_at: from_ms(created_at),
        expires_at: from_ms(expires),
        accepted_by,
    })
}

/// A membership as its unit's owners list it.
fn member_record(tx: &Transaction, membership_id: &str) -> AppResult<MemberRecord> {
    let (id, unit_id, person_id, name, role): (String, String, String, String, String) = tx
        .query_row(
            "SELECT m.id, m.unit_id, m.person_id, p.display_name, m.role
             FROM memberships m JOIN people p ON p.id = m.person_id WHERE m.id = ?1",
            [membership_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )?;
    Ok(MemberRecord {
        id,
        unit_id,
        person_id,
        name,
        role: parse_role(&role)?,
    })
}

fn log_invite(tx: &Transaction, invite_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let record = invite_record(tx, invite_id)?;
    append_change(
        tx,
        &owners_scope(&record.unit_id),
        &Record::Invite(record),
        now,
    )?;
    Ok(())
}

/// `InviteCreate`: an owner stores a code for one of their units, if the cap allows.
pub(super) fn create(
    tx: &Transaction,
    person_id: &str,
    new: &NewInvite,
    now: DateTime<Utc>,
) -> AppResult<()> {
    require_owner(tx, person_id, new.unit_id)?;
    check_invitable_role(new.role)?;
    let code = normalize_invite_code(new.code)
        .map_err(|_| AppError::invalid("the invitation code is not 10 Crockford characters"))?;
    let (members, pending) = cap_counts(tx, new.unit_id, now)?;
    check_invite_cap(members, pending)?;
    tx.execute(
        "INSERT INTO invites (id, unit_id, role, code_digest, created_by, created_at, expires_at, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')",
        params![
            new.id,
            new.unit_id,
            new.role.as_str(),
            code_digest(&code),
            person_id,
            ms(now),
            ms(expires_at(now))
        ],
    )
    .map_err(|e| conflict_or(e, "an invitation with this id or code"))?;
    log_invite(tx, &new.id, now)
}

/// `InviteRevoke`: a pending code of the sender's unit becomes revoked. A code already
/// used or revoked, or one the server never stored, is left as it is (a retry or a race
/// with acceptance is not an error); a code of someone else's unit is `forbidden`.
pub(super) fn revoke(
    tx: &Transaction,
    person_id: &str,
    invite_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT unit_id, status FROM invites WHERE id = ?1",
            [invite_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((unit_id, status)) = row else {
        return Ok(());
    };
    require_owner(tx, person_id, &unit_id)?;
    if stored_state(&status) != Some(StoredInviteState::Pending) {
        return Ok(());
    }
    tx.execute(
        "UPDATE invites SET status = 'revoked', revoked_at = ?2 WHERE id = ?1 AND status = 'pending'",
        params![invite_id, ms(now)],
    )?;
    log_invite(tx, invite_id, now)
}

/// `MemberRemove`: an owner ends a resident's or tenant's membership. The removed person
/// no longer sees the unit's scope, so their next pull lists it in `removed_scopes` and
/// their phone purges it. Removing an owner is `forbidden` (ownership changes through
/// staff); an already ended membership is left as it is.
pub(super) fn remove_member(
    tx: &Transaction,
    person_id: &str,
    membership_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row: Option<(String, String, String, bool)> = tx
        .query_row(
            "SELECT person_id, unit_id, role, ended_at IS NOT NULL FROM memberships WHERE id = ?1",
            [membership_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((member_id, unit_id, role, ended)) = row else {
        return Err(AppError::not_found("no such member"));
    };
    require_owner(tx, person_id, &unit_id)?;
    if parse_role(&role)? == Role::Owner {
        return Err(AppError::forbidden(
            "an owner cannot be removed here; a change of ownership goes through the juristic office",
        ));
    }
    if ended {
        return Ok(());
    }
    tx.execute(
        "UPDATE memberships SET ended_at = ?2 WHERE id = ?1 AND ended_at IS NULL",
        params![membership_id, ms(now)],
    )?;
    append_change(
        tx,
        &owners_scope(&unit_id),
        &Record::Deleted(DeletedRecord {
            kind: EntityKind::Member,
            id: membership_id.to_string(),
        }),
        now,
    )?;
    append_change(
        tx,
        &person_scope(&member_id),
        &Record::Deleted(DeletedRecord {
            kind: EntityKind::Membership,
            id: membership_id.to_string(),
        }),
        now,
    )?;
    Ok(())
}

/// Re-logs the member record of each of the person's resident and tenant memberships
/// (after a profile change, so owners list the new name).
pub(super) fn log_member_records(
    tx: &Transaction,
    person_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let ids: Vec<String> = tx
        .prepare(
            "SELECT id FROM memberships
             WHERE person_id = ?1 AND ended_at IS NULL AND role IN ('resident', 'tenant')",
        )?
        .query_map([person_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        let record = member_record(tx, &id)?;
        append_change(
            tx,
            &owners_scope(&record.unit_id),
            &Record::Member(record),
            now,
        )?;
    }
    Ok(())
}

/// Failure times of `key` inside the guessing window, oldest first.
fn recent_failures(
    tx: &Transaction,
    key: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<DateTime<Utc>>> {
    let times = tx
        .prepare(
            "SELECT created_at FROM invite_guess_failures WHERE key = ?1 AND created_at > ?2
             ORDER BY created_at",
        )?
        .query_map(params![key, ms(guess_window_start(now))], |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(times.into_iter().map(from_ms).collect())
}

fn invalid_code() -> AppError {
    AppError::new(
        ErrorCode::InviteInvalid,
        "this invitation code is not known; check it with the owner",
    )
}

/// See `Storage::invite_for_acceptance`. The inner `Err` is the answer; the recorded
/// failures must be committed with it.
pub(super) fn for_acceptance(
    tx: &Transaction,
    digest: Option<&str>,
    keys: &[String],
    now: DateTime<Utc>,
) -> AppResult<AppResult<InviteTarget>> {
    for key in keys {
        if let Err(e) = check_guesses(&recent_failures(tx, key, now)?, now) {
            return Ok(Err(e));
        }
    }
    let found = match digest {
        None => None,
        Some(d) => tx
            .query_row(
                "SELECT id, unit_id, role, status, expires_at FROM invites WHERE code_digest = ?1",
                [d],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?,
    };
    let Some((id, unit_id, role, status, expires)) = found else {
        for key in keys {
            tx.execute(
                "INSERT INTO invite_guess_failures (key, created_at) VALUES (?1, ?2)",
                params![key, ms(now)],
            )?;
        }
        // Wrong codes older than the window count for nothing; drop them as we go.
        tx.execute(
            "DELETE FROM invite_guess_failures WHERE created_at <= ?1",
            [ms(guess_window_start(now))],
        )?;
        return Ok(Err(match digest {
            None => AppError::new(
                ErrorCode::InviteInvalid,
                "this is not an invitation code (10 letters and digits)",
            ),
            Some(_) => invalid_code(),
        }));
    };
    Ok(Ok(InviteTarget {
        id,
        unit_id,
        role: parse_role(&role)?,
        state: stored_state(&status)
            .ok_or_else(|| AppError::server("invite", "unknown invite status"))?,
        expires_at: from_ms(expires),
    }))
}

/// The verified phone's person: their account if the phone has one (a registry owner
/// without an account yet is activated), else a new activated person. No password: they
/// sign in by OTP and may set one later.
fn person_for_phone(
    tx: &Transaction,
    pending: &PendingInvite,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let existing: Option<(String, bool)> = tx
        .query_row(
            "SELECT id, activated_at IS NOT NULL FROM people WHERE phone = ?1",
            [&pending.phone],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match existing {
        Some((id, true)) => Ok(id),
        Some((id, false)) => {
            tx.execute(
                "UPDATE people SET activated_at = ?2, display_name = COALESCE(?3, display_name)
                 WHERE id = ?1",
                params![id, ms(now), pending.display_name],
            )?;
            Ok(id)
        }
        None => {
            let id = new_id();
            let name = pending
                .display_name
                .clone()
                .unwrap_or_else(|| default_member_name(role).to_string());
            tx.execute(
                "INSERT INTO people (id, phone, legal_name, display_name, activated_at, created_at)
                 VALUES (?1, ?2, ?3, ?3, ?4, ?4)",
                params![id, pending.phone, name, ms(now)],
            )?;
            Ok(id)
        }
    }
}

/// The verified `invite_accept` code's effect, after `check_code` consumed it: re-checks
/// the invitation, makes the membership, marks the invitation accepted, logs it all and
/// starts the session. Any error rolls the whole transaction back.
pub(super) fn complete_accept(
    tx: &Transaction,
    pending: &PendingInvite,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let (unit_id, project_id, role, status, expires): (String, String, String, String, i64) = tx
        .query_row(
            "SELECT i.unit_id, u.project_id, i.role, i.status, i.expires_at
             FROM invites i JOIN units u ON u.id = i.unit_id WHERE i.id = ?1",
            [&pending.invite_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?
        .ok_or_else(invalid_code)?;
    let state =
        stored_state(&status).ok_or_else(|| AppError::server("invite", "unknown invite status"))?;
    check_invite_usable(state, from_ms(expires), now)?;
    // Accepting turns this pending code into a member, so the total does not grow; the
    // check guards the invariant against rows written some other way.
    let (members, pending_codes) = cap_counts(tx, &unit_id, now)?;
    check_invite_cap(members, pending_codes.saturating_sub(1))?;
    let role = parse_role(&role)?;

    let person_id = person_for_phone(tx, pending, role, now)?;
    let already: bool = tx
        .prepare(
            "SELECT 1 FROM memberships WHERE person_id = ?1 AND unit_id = ?2 AND ended_at IS NULL",
        )?
        .exists(params![person_id, unit_id])?;
    if already {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this phone's account is already a member of the unit; the invitation is still unused",
        ));
    }
    let membership = MembershipRecord {
        id: new_id(),
        unit_id: unit_id.clone(),
        project_id,
        role,
    };
    tx.execute(
        "INSERT INTO memberships (id, person_id, unit_id, role, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![membership.id, person_id, unit_id, role.as_str(), ms(now)],
    )?;
    let n = tx.execute(
        "UPDATE invites SET status = 'accepted', accepted_by = ?2, accepted_at = ?3
         WHERE id = ?1 AND status = 'pending'",
        params![pending.invite_id, person_id, ms(now)],
    )?;
    if n != 1 {
        return Err(AppError::server(
            "invite",
            "invitation changed while accepted",
        ));
    }
    let own = person_scope(&person_id);
    append_change(tx, &own, &Record::Profile(profile(tx, &person_id)?), now)?;
    let membership_id = membership.id.clone();
    append_change(tx, &own, &Record::Membership(membership), now)?;
    append_change(
        tx,
        &owners_scope(&unit_id),
        &Record::Member(member_record(tx, &membership_id)?),
        now,
    )?;
    log_invite(tx, &pending.invite_id, now)?;
    insert_session(tx, &person_id, &session.id, session, now)?;
    Ok(person_id)
}
