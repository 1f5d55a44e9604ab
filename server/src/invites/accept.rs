//! What a verified `invite_accept` code does (called by `crate::sign_in` inside the unit
//! of work that consumed the code): re-checks the invitation, finds or makes the person
//! of the phone, adds the membership, marks the invitation accepted and logs it all. Any
//! error rolls the whole unit back, the code's use included.
//!
//! What the invitee sees lands in their `person:` scope, and the unit reaches them
//! through the `unit:` scope their membership makes visible; the owners see the member
//! and the accepted invitation in `owners:`.

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::{check_invite_cap, check_invite_usable};
use lobby_model::protocol::{MembershipRecord, Role};
use lobby_model::ErrorCode;
use serde::{Deserialize, Serialize};

use super::default_member_name;
use super::guessing::invalid_code;
use super::members::cap_counts;
use crate::accounts::release_taken_email;
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{NewMembership, NewPerson, PersonChange, Tx};

/// The invitation acceptance an `invite_accept` OTP confirms: which invitation, for
/// which (normalised) phone, under which name if a new account is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingInvite {
    pub invite_id: String,
    pub phone: String,
    pub display_name: Option<String>,
}

/// Accepts the invitation for the phone's person; returns the person.
pub fn accept_invite(
    tx: &mut dyn Tx,
    pending: &PendingInvite,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let invite = tx.invite(&pending.invite_id)?.ok_or_else(invalid_code)?;
    let unit = tx.unit(&invite.unit_id)?.ok_or_else(invalid_code)?;
    check_invite_usable(invite.state, invite.expires_at, now)?;
    // Accepting turns this pending code into a member, so the total does not grow; the
    // check guards the invariant against rows written some other way.
    let (members, pending_codes) = cap_counts(tx, &invite.unit_id, now)?;
    check_invite_cap(members, pending_codes.saturating_sub(1))?;

    let person_id = person_for_phone(tx, pending, invite.role, now)?;
    if tx.active_membership(&person_id, &invite.unit_id)?.is_some() {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this phone's account is already a member of the unit; the invitation is still unused",
        ));
    }
    let membership = MembershipRecord {
        id: new_id(),
        unit_id: invite.unit_id.clone(),
        project_id: unit.record.project_id,
        role: invite.role,
    };
    tx.insert_membership(
        &NewMembership {
            id: membership.id.clone(),
            person_id: person_id.clone(),
            unit_id: membership.unit_id.clone(),
            role: membership.role,
        },
        now,
    )?;
    if !tx.mark_invite_accepted(&pending.invite_id, &person_id, now)? {
        return Err(AppError::server(
            "invite",
            "invitation changed while accepted",
        ));
    }
    let membership_id = membership.id.clone();
    records::profile_changed(tx, &person_id, now)?;
    records::membership_added(tx, &person_id, membership, now)?;
    records::member_listed(tx, &membership_id, now)?;
    records::invite_changed(tx, &pending.invite_id, now)?;
    Ok(person_id)
}

/// The verified phone's person: their account if the phone has one (a registry owner
/// without an account yet is activated), else a new activated person. No password: they
/// sign in by OTP and may set one later.
fn person_for_phone(
    tx: &mut dyn Tx,
    pending: &PendingInvite,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<String> {
    match tx.person_by_phone(&pending.phone)? {
        Some(p) if p.is_activated() => Ok(p.id),
        Some(p) => {
            release_taken_email(tx, &p.id)?;
            tx.update_person(
                &p.id,
                &PersonChange {
                    activated_at: Some(now),
                    display_name: pending.display_name.clone(),
                    ..PersonChange::default()
                },
            )?;
            Ok(p.id)
        }
        None => {
            let id = new_id();
            let name = pending
                .display_name
                .clone()
                .unwrap_or_else(|| default_member_name(role).to_string());
            tx.insert_person(&NewPerson {
                id: id.clone(),
                phone: Some(pending.phone.clone()),
                email: None,
                legal_name: name.clone(),
                display_name: name,
                activated_at: Some(now),
                created_at: now,
            })?;
            Ok(id)
        }
    }
}
