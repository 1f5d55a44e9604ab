//! A unit's members as invitation rules see them: only an active owner manages
//! invitations and members (`domain::invites::check_can_manage_members`), and the cap
//! counts active residents and tenants plus pending unexpired codes
//! (`domain::invites::check_invite_cap`). Both are read inside the caller's write unit,
//! so the check and the write it guards are one step.

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::check_can_manage_members;
use lobby_model::protocol::Role;

use crate::error::{AppError, AppResult};
use crate::storage::Tx;

/// Only an active owner of the unit manages its invitations and members.
pub fn require_owner(tx: &mut dyn Tx, person_id: &str, unit_id: &str) -> AppResult<()> {
    match tx.active_membership(person_id, unit_id)? {
        Some(m) => Ok(check_can_manage_members(m.role)?),
        None => Err(AppError::forbidden(
            "only the unit's owner can invite or remove residents and tenants",
        )),
    }
}

/// `(active residents and tenants, pending unexpired codes)` of a unit at `now`: the two
/// numbers the cap counts.
pub fn cap_counts(tx: &mut dyn Tx, unit_id: &str, now: DateTime<Utc>) -> AppResult<(usize, usize)> {
    let members = tx.count_active_memberships(unit_id, &[Role::Resident, Role::Tenant])?;
    let pending = tx.count_pending_invites(unit_id, now)?;
    Ok((members, pending))
}
