//! `InviteCreate`, `InviteRevoke`, `MemberRemove`: an owner manages who lives in their
//! unit (DESIGN.md §2.3). Only an active owner of the unit may (`invites::members`); the
//! cap (`domain::invites::check_invite_cap`) is counted in the unit of work that stores
//! the code, so two devices of one owner cannot both take the fifth place.
//!
//! Owners see the effects in `owners:<unit_id>` (invitations, members); a removed member
//! also loses the membership from their own scope, and with it the unit.
//!
//! A pushed code is chosen by the phone, so a duplicate tells the pusher that a code
//! exists (issue 7: 101 guesses in 0.04 s). Creating therefore costs what a guess at the
//! accept endpoint costs: a daily budget per person (`domain::invites::
//! check_invite_create_budget`, read from the mutations ledger), the guess limit of the
//! person's keys checked before the code is looked at, and a duplicate charged as a wrong
//! guess (`Charges`) although the refusal undoes everything else.

use chrono::Duration;
use chrono::{DateTime, Utc};
use lobby_model::domain::invites::{
    check_invitable_role, check_invite_cap, check_invite_code_strength, check_invite_create_budget,
    normalize_invite_code, StoredInviteState,
};
use lobby_model::protocol::Role;
use lobby_model::ErrorCode;

use super::{Charges, Context};
use crate::change_log::records;
use crate::error::{AppError, AppResult};
use crate::invites::members::{cap_counts, require_owner};
use crate::invites::{
    check_guesses, code_digest, expires_at, guess_window_start, person_guess_keys,
};
use crate::storage::{Inserted, NewInvite, Tx};

/// An `InviteCreate` mutation's fields.
pub struct InviteCreate<'a> {
    pub invite_id: String,
    pub unit_id: &'a str,
    pub role: Role,
    pub code: &'a str,
}

/// `InviteCreate`: an owner stores a code for one of their units, if the cap allows.
pub fn create(
    tx: &mut dyn Tx,
    ctx: &Context,
    charges: &mut Charges,
    person_id: &str,
    new: &InviteCreate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if let Some(budget) = ctx.limits.invite_creates_per_day {
        // Counted up to the budget only: a cost bounded by the budget, not by history.
        let since = now - Duration::days(1);
        let made_today = tx.count_mutations_since(person_id, "invite_create", since, budget)?;
        check_invite_create_budget(made_today, budget)?;
    }
    require_owner(tx, person_id, new.unit_id)?;
    check_invitable_role(new.role)?;
    let code = normalize_invite_code(new.code)
        .map_err(|_| AppError::invalid("the invitation code is not 10 Crockford characters"))?;
    check_invite_code_strength(&code)?;
    let keys = person_guess_keys(tx, person_id)?;
    let window_start = guess_window_start(now);
    for key in &keys {
        check_guesses(&tx.guess_failures_since(key, window_start)?, now)?;
    }
    let (members, pending) = cap_counts(tx, new.unit_id, now)?;
    check_invite_cap(members, pending)?;
    let digest = code_digest(&ctx.key, &code);
    if tx.invite_by_code(&digest)?.is_some() {
        // Live, used or revoked alike: the pusher learns only that the code was taken,
        // and pays a guess for it.
        charges.guess_failures.extend(keys);
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this invitation code cannot be used; make a new one",
        ));
    }
    let stored = tx.insert_invite(&NewInvite {
        id: new.invite_id.clone(),
        unit_id: new.unit_id.to_string(),
        role: new.role,
        code_digest: digest,
        created_by: person_id.to_string(),
        created_at: now,
        expires_at: expires_at(now),
    })?;
    if stored == Inserted::Duplicate {
        return Err(AppError::already_exists("an invitation with this id"));
    }
    records::invite_changed(tx, &new.invite_id, now)
}

/// `InviteRevoke`: a pending code of the sender's unit becomes revoked. A code already
/// used or revoked, or one the server never stored, is left as it is (a retry or a race
/// with acceptance is not an error); a code of someone else's unit is `forbidden`.
pub fn revoke(
    tx: &mut dyn Tx,
    person_id: &str,
    invite_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(invite) = tx.invite(invite_id)? else {
        return Ok(());
    };
    require_owner(tx, person_id, &invite.unit_id)?;
    if invite.state != StoredInviteState::Pending {
        return Ok(());
    }
    if tx.mark_invite_revoked(invite_id, now)? {
        records::invite_changed(tx, invite_id, now)?;
    }
    Ok(())
}

/// `MemberRemove`: an owner ends a resident's or tenant's membership. The removed person
/// no longer sees the unit's scope, so their next pull lists it in `removed_scopes` and
/// their phone purges it. Removing an owner is `forbidden` (ownership changes through
/// staff); an already ended membership is left as it is.
pub fn remove_member(
    tx: &mut dyn Tx,
    person_id: &str,
    membership_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(member) = tx.membership(membership_id)? else {
        return Err(AppError::not_found("no such member"));
    };
    require_owner(tx, person_id, &member.unit_id)?;
    if member.role == Role::Owner {
        return Err(AppError::forbidden(
            "an owner cannot be removed here; a change of ownership goes through the juristic office",
        ));
    }
    if member.ended {
        return Ok(());
    }
    if tx.end_membership(membership_id, now)? {
        records::member_removed(tx, &member, now)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use lobby_model::domain::invites::{generate_invite_code, MAX_INVITES_PER_UNIT};
    use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome, Role};
    use lobby_model::scope;
    use uuid::Uuid;

    use crate::mutations::push_one;
    use crate::test_support::world;

    fn invite(unit_id: &str, role: Role) -> MutationEnvelope {
        MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            mutation: Mutation::InviteCreate {
                invite_id: Uuid::now_v7(),
                unit_id: unit_id.to_string(),
                role,
                code: generate_invite_code(),
            },
        }
    }

    fn code(outcome: &MutationOutcome) -> Option<&str> {
        match outcome {
            MutationOutcome::Applied => None,
            MutationOutcome::Rejected { code, .. } => Some(code),
        }
    }

    #[test]
    fn the_handler_enforces_the_cap_counting_members_and_pending_codes() {
        let w = world();
        let now = Utc::now();
        w.add_member(Role::Tenant, now);
        for _ in 1..MAX_INVITES_PER_UNIT {
            let out = push_one(
                w.db(),
                &w.ctx(),
                &w.owner_id,
                &invite(&w.unit_id, Role::Resident),
                now,
            );
            assert_eq!(out.unwrap(), MutationOutcome::Applied);
        }
        let refused = push_one(
            w.db(),
            &w.ctx(),
            &w.owner_id,
            &invite(&w.unit_id, Role::Resident),
            now,
        );
        assert_eq!(code(&refused.unwrap()), Some("invite_cap_reached"));
        let (pending, logged) = w
            .db()
            .read(|tx| {
                let pending = tx.count_pending_invites(&w.unit_id, now)?;
                let logged = tx.changes_after(&scope::owners(&w.unit_id), 0, 100)?.len();
                Ok((pending, logged))
            })
            .unwrap();
        assert_eq!(pending, MAX_INVITES_PER_UNIT - 1);
        assert_eq!(
            logged,
            MAX_INVITES_PER_UNIT - 1,
            "one log entry per stored code"
        );
    }

    #[test]
    fn residents_tenants_and_strangers_cannot_invite_and_owners_are_not_invited() {
        let w = world();
        let now = Utc::now();
        let resident = w.add_member(Role::Resident, now);
        for who in [resident.as_str(), "someone-else"] {
            let out = push_one(
                w.db(),
                &w.ctx(),
                who,
                &invite(&w.unit_id, Role::Tenant),
                now,
            )
            .unwrap();
            assert_eq!(code(&out), Some("forbidden"), "{who}");
        }
        let out = push_one(
            w.db(),
            &w.ctx(),
            &w.owner_id,
            &invite(&w.unit_id, Role::Owner),
            now,
        )
        .unwrap();
        assert_eq!(code(&out), Some("invalid_input"));
    }

    #[test]
    fn a_trivially_weak_chosen_code_is_refused_and_nothing_is_stored() {
        let w = world();
        let now = Utc::now();
        for weak in ["0000000000", "00000-00000", "0123456789", "ABABABABAB"] {
            let mut env = invite(&w.unit_id, Role::Tenant);
            if let Mutation::InviteCreate { code, .. } = &mut env.mutation {
                *code = weak.to_string();
            }
            let out = push_one(w.db(), &w.ctx(), &w.owner_id, &env, now).unwrap();
            assert_eq!(code(&out), Some("invalid_input"), "{weak}");
        }
        let pending = w
            .db()
            .read(|tx| tx.count_pending_invites(&w.unit_id, now))
            .unwrap();
        assert_eq!(pending, 0);
        let out = push_one(
            w.db(),
            &w.ctx(),
            &w.owner_id,
            &invite(&w.unit_id, Role::Tenant),
            now,
        );
        assert_eq!(out.unwrap(), MutationOutcome::Applied);
    }

    #[test]
    fn removing_a_member_ends_the_membership_and_logs_it_for_both_sides() {
        let w = world();
        let now = Utc::now();
        let tenant = w.add_member(Role::Tenant, now);
        let membership_id = w
            .db()
            .read(|tx| tx.active_membership(&tenant, &w.unit_id))
            .unwrap()
            .unwrap()
            .id;
        let remove = MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: now,
            mutation: Mutation::MemberRemove { membership_id },
        };
        let out = push_one(w.db(), &w.ctx(), &w.owner_id, &remove, now).unwrap();
        assert_eq!(out, MutationOutcome::Applied);
        let (active, owners_log, person_log) = w
            .db()
            .read(|tx| {
                Ok((
                    tx.count_active_memberships(&w.unit_id, &[Role::Tenant])?,
                    tx.changes_after(&scope::owners(&w.unit_id), 0, 10)?.len(),
                    tx.changes_after(&scope::person(&tenant), 0, 10)?.len(),
                ))
            })
            .unwrap();
        assert_eq!((active, owners_log, person_log), (0, 1, 1));
    }
}
