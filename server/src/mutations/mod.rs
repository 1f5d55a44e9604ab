//! Pushed mutations (DESIGN.md §4, upstream): each envelope is applied exactly once.
//!
//! [`push_one`] runs one unit of work per envelope: it looks up the mutation id first (a
//! repeat answers the stored result; an id another account used is `conflict`), applies
//! the mutation inside [`Tx::undo_on_error`] (a refusal keeps none of its writes) and
//! records the outcome, so the effect and its idempotency record commit together. A
//! refusal is an answer (`rejected{code}`), not an error; only a server failure fails
//! the unit (nothing is recorded, the phone retries).
//!
//! Some refusals must still cost something: a pushed invitation code that collides with
//! a stored one tells the pusher a code exists, so it counts as a wrong guess exactly as
//! at the accept endpoint. A handler notes such [`Charges`]; they are written after the
//! undo, with the outcome. The recorded outcomes are also the ledger budgets read (how
//! many `invite_create` a person pushed today).
//!
//! One file per capability holds its authorisation, rules (`lobby_model::domain`) and
//! effects (rows and change-log entries): [`profile`] (`ProfileUpdate`), [`invites`]
//! (`InviteCreate`, `InviteRevoke`, `MemberRemove`), [`device_keys`] (`DeviceKeyRegister`), [`votes`] (`Vote`); `AnnouncementOpen`
//! is `crate::announcements::open`.

pub mod device_keys;
pub mod invites;
pub mod profile;
pub mod votes;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome};
use lobby_model::{ErrorCode, LobbyError};

use crate::config::Limits;
use crate::error::AppResult;
use crate::server_key::ServerKey;
use crate::storage::{Storage, Tx};

/// What handlers apply mutations with, beyond the unit of work.
#[derive(Debug, Clone)]
pub struct Context {
    pub key: Arc<ServerKey>,
    pub limits: Limits,
    /// The pushing session's family (its sign-in); device keys bind to it. `None` where
    /// no session pushes (unit tests of other mutations).
    pub family_id: Option<String>,
}

/// What a refused mutation still costs, written after its own writes were undone.
#[derive(Debug, Default)]
pub struct Charges {
    /// Wrong invitation-code guesses, one per key (`invites::guess_keys`).
    pub guess_failures: Vec<String>,
}

/// Applies one mutation from `person_id` exactly once; its outcome.
pub fn push_one(
    db: &dyn Storage,
    ctx: &Context,
    person_id: &str,
    envelope: &MutationEnvelope,
    now: DateTime<Utc>,
) -> AppResult<MutationOutcome> {
    if let Err(e) = check_ids(envelope) {
        return Ok(rejected(&e));
    }
    let id = envelope.id.to_string();
    db.write(|tx| {
        if let Some(seen) = tx.mutation(&id)? {
            if seen.person_id == person_id {
                return Ok(seen.outcome);
            }
            return Ok(rejected(&LobbyError::new(
                ErrorCode::Conflict,
                "this mutation id was already used by another account",
            )));
        }
        let mut charges = Charges::default();
        let outcome = match tx
            .undo_on_error(&mut |tx| apply(tx, ctx, &mut charges, person_id, envelope, now))
        {
            Ok(()) => MutationOutcome::Applied,
            Err(e) if e.code() == ErrorCode::ServerError => return Err(e),
            Err(e) => rejected(&e.error),
        };
        for key in &charges.guess_failures {
            tx.record_guess_failure(key, now)?;
        }
        tx.record_mutation(&id, person_id, envelope.mutation.kind(), &outcome, now)?;
        Ok(outcome)
    })
}

/// Refuses an id no phone generates: the nil UUID (`00000000-…`) and the max UUID
/// (`ffffffff-…`), as the mutation id or an invitation id. A phone makes each id as a
/// fresh UUIDv7; a constant id would make every client that sends it share one
/// idempotency record (the second sender is answered `conflict` for a mutation it never
/// made) or one invitation row. Not recorded: the id is not one to remember.
fn check_ids(envelope: &MutationEnvelope) -> Result<(), LobbyError> {
    let invalid = |id: &uuid::Uuid| id.is_nil() || id.is_max();
    if invalid(&envelope.id) {
        return Err(LobbyError::invalid(
            "the mutation id must be a generated UUID, not the nil or max UUID",
        ));
    }
    match &envelope.mutation {
        Mutation::InviteCreate { invite_id, .. } | Mutation::InviteRevoke { invite_id }
            if invalid(invite_id) =>
        {
            Err(LobbyError::invalid(
                "the invitation id must be a generated UUID, not the nil or max UUID",
            ))
        }
        Mutation::InvoicePay { upload_id, .. } if invalid(upload_id) => Err(LobbyError::invalid(
            "the upload id must be a generated UUID, not the nil or max UUID",
        )),
        Mutation::DeviceKeyRegister { key_id, .. } if invalid(key_id) => Err(LobbyError::invalid(
            "the key id must be a generated UUID, not the nil or max UUID",
        )),
        Mutation::PrivacyRequestFile { request_id, .. } if invalid(request_id) => Err(
            LobbyError::invalid("the request id must be a generated UUID, not the nil or max UUID"),
        ),
        _ => Ok(()),
    }
}

fn rejected(e: &LobbyError) -> MutationOutcome {
    MutationOutcome::Rejected {
        code: e.code.as_str().to_string(),
        message: e.message.clone(),
    }
}

/// The capability handling each kind of mutation.
fn apply(
    tx: &mut dyn Tx,
    ctx: &Context,
    charges: &mut Charges,
    person_id: &str,
    envelope: &MutationEnvelope,
    now: DateTime<Utc>,
) -> AppResult<()> {
    match &envelope.mutation {
        Mutation::ProfileUpdate {
            display_name,
            email,
        } => profile::update(
            tx,
            person_id,
            display_name.as_deref(),
            email.as_deref(),
            now,
        ),
        Mutation::InviteCreate {
            invite_id,
            unit_id,
            role,
            code,
        } => invites::create(
            tx,
            ctx,
            charges,
            person_id,
            &invites::InviteCreate {
                invite_id: invite_id.to_string(),
                unit_id,
                role: *role,
                code,
            },
            now,
        ),
        Mutation::InviteRevoke { invite_id } => {
            invites::revoke(tx, person_id, &invite_id.to_string(), now)
        }
        Mutation::MemberRemove { membership_id } => {
            invites::remove_member(tx, person_id, membership_id, now)
        }
        Mutation::Vote {
            item_id,
            unit_id,
            choice,
        } => votes::cast(
            tx,
            &envelope.id.to_string(),
            person_id,
            item_id,
            unit_id,
            choice,
            now,
        ),
        Mutation::InvoicePay {
            invoice_id,
            upload_id,
            size,
            sha256,
        } => crate::invoices::pay(
            tx,
            person_id,
            invoice_id,
            (&upload_id.to_string(), u64::from(*size), sha256),
            now,
        ),
        Mutation::AnnouncementOpen {
            announcement_id,
            unit_id,
        } => crate::announcements::open(tx, person_id, announcement_id, unit_id, now),
        Mutation::DeviceKeyRegister { key_id, public_key } => {
            device_keys::register(tx, ctx, person_id, key_id, public_key, now)
        }
        Mutation::PrivacyRequestFile {
            request_id,
            kind,
            detail,
        } => crate::privacy::requests::file(
            tx,
            ctx.family_id.as_deref(),
            person_id,
            &request_id.to_string(),
            kind,
            detail.as_deref(),
            now,
        ),
        Mutation::ConsentSet(answer) => {
            crate::privacy::consents::answer(tx, &envelope.id.to_string(), person_id, answer, now)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome};
    use lobby_model::scope;
    use uuid::Uuid;

    use super::push_one;
    use crate::test_support::world;

    fn rename(name: &str) -> MutationEnvelope {
        MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            mutation: Mutation::ProfileUpdate {
                display_name: Some(name.to_string()),
                email: None,
            },
        }
    }

    #[test]
    fn a_repeated_id_answers_the_stored_result_without_applying_again() {
        let w = world();
        let now = Utc::now();
        let env = rename("นิด");
        assert_eq!(
            push_one(w.db(), &w.ctx(), &w.owner_id, &env, now).unwrap(),
            MutationOutcome::Applied
        );
        assert_eq!(
            push_one(w.db(), &w.ctx(), &w.owner_id, &env, now).unwrap(),
            MutationOutcome::Applied
        );
        let logged = w
            .db()
            .read(|tx| Ok(tx.changes_after(&scope::person(&w.owner_id), 0, 10)?.len()))
            .unwrap();
        assert_eq!(logged, 1, "applied once");
        let other = w.add_member(lobby_model::protocol::Role::Resident, now);
        match push_one(w.db(), &w.ctx(), &other, &env, now).unwrap() {
            MutationOutcome::Rejected { code, .. } => assert_eq!(code, "conflict"),
            MutationOutcome::Applied => panic!("another account reused the id"),
        }
    }

    #[test]
    fn a_nil_or_max_mutation_id_or_invitation_id_is_rejected_as_invalid_input() {
        let w = world();
        let now = Utc::now();
        let rejected_code =
            |env: &MutationEnvelope| match push_one(w.db(), &w.ctx(), &w.owner_id, env, now) {
                Ok(MutationOutcome::Rejected { code, .. }) => code,
                other => panic!("{other:?}"),
            };
        for id in [Uuid::nil(), Uuid::max()] {
            let mut env = rename("นิด");
            env.id = id;
            assert_eq!(rejected_code(&env), "invalid_input", "{id}");
            let create = MutationEnvelope {
                id: Uuid::now_v7(),
                created_at: now,
                mutation: Mutation::InviteCreate {
                    invite_id: id,
                    unit_id: w.unit_id.clone(),
                    role: lobby_model::protocol::Role::Tenant,
                    code: lobby_model::domain::invites::generate_invite_code(),
                },
            };
            assert_eq!(rejected_code(&create), "invalid_input", "{id}");
            let revoke = MutationEnvelope {
                id: Uuid::now_v7(),
                created_at: now,
                mutation: Mutation::InviteRevoke { invite_id: id },
            };
            assert_eq!(rejected_code(&revoke), "invalid_input", "{id}");
        }
        // Nothing was applied or remembered under those ids.
        let (logged, remembered) = w
            .db()
            .read(|tx| {
                Ok((
                    tx.changes_after(&scope::person(&w.owner_id), 0, 10)?.len(),
                    tx.mutation(&Uuid::nil().to_string())?.is_some(),
                ))
            })
            .unwrap();
        assert_eq!((logged, remembered), (0, false));
    }

    #[test]
    fn a_refusal_is_recorded_and_answered_again_on_retry() {
        let w = world();
        let now = Utc::now();
        let env = rename("");
        let first = push_one(w.db(), &w.ctx(), &w.owner_id, &env, now).unwrap();
        assert!(matches!(first, MutationOutcome::Rejected { .. }));
        let stored = w
            .db()
            .read(|tx| tx.mutation(&env.id.to_string()))
            .unwrap()
            .unwrap();
        assert_eq!(stored.outcome, first);
        assert_eq!(
            push_one(w.db(), &w.ctx(), &w.owner_id, &env, now).unwrap(),
            first
        );
    }
}
