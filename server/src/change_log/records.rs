//! What is logged for each change, and in which scope. Who sees what follows from the
//! scope (`lobby_model::scope`): a person's own profile and memberships in `person:`, a
//! unit in `unit:`, a project in `project:`, a unit's invitations and residents and
//! tenants in `owners:` (owners only).
//!
//! Each function runs inside the caller's unit of work and reads the record as that
//! transaction sees it, so the logged record is the committed one.

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::StoredInviteState;
use lobby_model::protocol::{
    DeletedRecord, EntityKind, InviteRecord, InviteStatus, MemberRecord, MembershipRecord,
    ProfileRecord, ProjectRecord, Record, Role, UnitRecord,
};
use lobby_model::scope;

use crate::error::{AppError, AppResult};
use crate::storage::{Membership, Tx};

/// A new project, in its own scope.
pub fn project_created(
    tx: &mut dyn Tx,
    project: &ProjectRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.append_change(
        &scope::project(&project.id),
        &Record::Project(project.clone()),
        now,
    )?;
    Ok(())
}

/// A new unit, in its own scope.
pub fn unit_created(tx: &mut dyn Tx, unit: &UnitRecord, now: DateTime<Utc>) -> AppResult<()> {
    tx.append_change(&scope::unit(&unit.id), &Record::Unit(unit.clone()), now)?;
    Ok(())
}

/// The person's profile as it now is, in their own scope.
pub fn profile_changed(tx: &mut dyn Tx, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let record = Record::Profile(profile_record(tx, person_id)?);
    tx.append_change(&scope::person(person_id), &record, now)?;
    Ok(())
}

/// A new membership, in its person's scope (the unit's own scope becomes visible to them
/// through it).
pub fn membership_added(
    tx: &mut dyn Tx,
    person_id: &str,
    membership: MembershipRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    tx.append_change(
        &scope::person(person_id),
        &Record::Membership(membership),
        now,
    )?;
    Ok(())
}

/// A resident's or tenant's membership as the unit's owners list it.
pub fn member_listed(tx: &mut dyn Tx, membership_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let record = member_record(tx, membership_id)?;
    tx.append_change(
        &scope::owners(&record.unit_id),
        &Record::Member(record),
        now,
    )?;
    Ok(())
}

/// Re-lists each of the person's active resident and tenant memberships for the owners
/// (after a profile change, so owners list the new name).
pub fn member_renamed(tx: &mut dyn Tx, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    for m in tx.active_memberships_of(person_id)? {
        if matches!(m.role, Role::Resident | Role::Tenant) {
            member_listed(tx, &m.id, now)?;
        }
    }
    Ok(())
}

/// An ended membership: gone from the owners' member list and from the person's own
/// memberships (their phone then loses the unit's scope and purges it).
pub fn member_removed(
    tx: &mut dyn Tx,
    membership: &Membership,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let deleted = |kind| {
        Record::Deleted(DeletedRecord {
            kind,
            id: membership.id.clone(),
        })
    };
    tx.append_change(
        &scope::owners(&membership.unit_id),
        &deleted(EntityKind::Member),
        now,
    )?;
    tx.append_change(
        &scope::person(&membership.person_id),
        &deleted(EntityKind::Membership),
        now,
    )?;
    Ok(())
}

/// An invitation as it now is, in its unit's owners' scope.
pub fn invite_changed(tx: &mut dyn Tx, invite_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let record = invite_record(tx, invite_id)?;
    tx.append_change(
        &scope::owners(&record.unit_id),
        &Record::Invite(record),
        now,
    )?;
    Ok(())
}

fn missing(what: &str) -> AppError {
    AppError::server("change log", format!("no such {what}"))
}

/// The person's own profile.
pub fn profile_record(tx: &mut dyn Tx, person_id: &str) -> AppResult<ProfileRecord> {
    let p = tx.person(person_id)?.ok_or_else(|| missing("person"))?;
    Ok(ProfileRecord {
        id: p.id,
        legal_name: p.legal_name,
        display_name: p.display_name,
        phone: p.phone,
        email: p.email,
    })
}

/// A membership as its unit's owners list it (by the member's display name).
fn member_record(tx: &mut dyn Tx, membership_id: &str) -> AppResult<MemberRecord> {
    let m = tx
        .membership(membership_id)?
        .ok_or_else(|| missing("membership"))?;
    let person = tx.person(&m.person_id)?.ok_or_else(|| missing("person"))?;
    Ok(MemberRecord {
        id: m.id,
        unit_id: m.unit_id,
        person_id: m.person_id,
        name: person.display_name,
        role: m.role,
    })
}

/// The invitation as its owners see it (`accepted_by` is the invitee's display name).
fn invite_record(tx: &mut dyn Tx, invite_id: &str) -> AppResult<InviteRecord> {
    let i = tx.invite(invite_id)?.ok_or_else(|| missing("invitation"))?;
    let accepted_by = match &i.accepted_by {
        Some(pid) => tx.person(pid)?.map(|p| p.display_name),
        None => None,
    };
    Ok(InviteRecord {
        id: i.id,
        unit_id: i.unit_id,
        role: i.role,
        status: match i.state {
            StoredInviteState::Pending => InviteStatus::Pending,
            StoredInviteState::Accepted => InviteStatus::Accepted,
            StoredInviteState::Revoked => InviteStatus::Revoked,
        },
        created_at: i.created_at,
        expires_at: i.expires_at,
        accepted_by,
    })
}
