//! `device_key_register` (issue 8): a phone registers the public half of the key pair it
//! made at sign-in (`lobby_model::domain::device_key`), so staff can verify its pickup
//! passes.
//!
//! The key binds to the pushing session's *family* (the sign-in), not just the person:
//! ending that sign-in revokes it ([`crate::sessions`]). A sign-in keeps one live key —
//! registering another revokes the earlier one — and may register at most
//! `MAX_REGISTRATIONS_PER_SIGN_IN`, so a misbehaving client cannot grow the table. The
//! same key pushed again by the same sign-in is `applied` with no effect (a retry after
//! a lost answer carries a new mutation id only if the phone re-queued it); a key id
//! someone else registered is `conflict`.

use chrono::{DateTime, Utc};
use lobby_model::domain::device_key::{parse_public_key, MAX_REGISTRATIONS_PER_SIGN_IN};
use lobby_model::ErrorCode;
use uuid::Uuid;

use super::Context;
use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, NewDeviceKey, Tx};

pub fn register(
    tx: &mut dyn Tx,
    ctx: &Context,
    person_id: &str,
    key_id: &Uuid,
    public_key: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let family_id = ctx.family_id.as_deref().ok_or_else(|| {
        AppError::new(
            ErrorCode::Unauthorized,
            "a device key is registered by a signed-in phone",
        )
    })?;
    let public_key = hex::encode(parse_public_key(public_key)?.to_bytes());
    let key_id = key_id.to_string();
    if let Some(existing) = tx.device_key(&key_id)? {
        if existing.person_id == person_id
            && existing.family_id == family_id
            && existing.public_key == public_key
        {
            return Ok(());
        }
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this key id is already registered",
        ));
    }
    if tx.count_family_device_keys(family_id)? >= MAX_REGISTRATIONS_PER_SIGN_IN {
        return Err(AppError::new(
            ErrorCode::RateLimited,
            "this sign-in registered too many device keys; sign in again",
        ));
    }
    let inserted = tx.insert_device_key(&NewDeviceKey {
        key_id: key_id.clone(),
        person_id: person_id.to_string(),
        family_id: family_id.to_string(),
        public_key,
        created_at: now,
    })?;
    if inserted == Inserted::Duplicate {
        return Err(AppError::new(
            ErrorCode::Conflict,
            "this key id is already registered",
        ));
    }
    tx.revoke_family_device_keys(family_id, Some(&key_id), now)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use lobby_model::domain::device_key::{DeviceKey, MAX_REGISTRATIONS_PER_SIGN_IN};
    use lobby_model::protocol::{Mutation, MutationEnvelope, MutationOutcome};
    use uuid::Uuid;

    use crate::mutations::{push_one, Context};
    use crate::sessions::revoke_family;
    use crate::test_support::world;

    fn register(key_id: Uuid, public_key: String) -> MutationEnvelope {
        MutationEnvelope {
            id: Uuid::now_v7(),
            created_at: Utc::now(),
            mutation: Mutation::DeviceKeyRegister { key_id, public_key },
        }
    }

    fn in_family(ctx: Context, family: &str) -> Context {
        Context {
            family_id: Some(family.to_string()),
            ..ctx
        }
    }

    fn code(outcome: MutationOutcome) -> String {
        match outcome {
            MutationOutcome::Rejected { code, .. } => code,
            MutationOutcome::Applied => "applied".into(),
        }
    }

    #[test]
    fn a_sign_in_keeps_one_live_key_and_ending_it_revokes_that_key() {
        let w = world();
        let now = Utc::now();
        let ctx = in_family(w.ctx(), "family-1");
        let (first, second) = (DeviceKey::generate(), DeviceKey::generate());
        for k in [&first, &second] {
            let env = register(k.key_id, k.public_key_hex());
            assert_eq!(
                push_one(w.db(), &ctx, &w.owner_id, &env, now).unwrap(),
                MutationOutcome::Applied
            );
        }
        let revoked = |k: &DeviceKey| {
            w.db()
                .read(|tx| Ok(tx.device_key(&k.key_id.to_string())?.unwrap().revoked_at))
                .unwrap()
                .is_some()
        };
        assert!(revoked(&first), "the earlier key of the sign-in");
        assert!(!revoked(&second));
        // The same key again from the same sign-in: no effect, no error.
        let again = register(second.key_id, second.public_key_hex());
        assert_eq!(
            push_one(w.db(), &ctx, &w.owner_id, &again, now).unwrap(),
            MutationOutcome::Applied
        );
        assert!(!revoked(&second));
        revoke_family(w.db(), "family-1", now).unwrap();
        assert!(revoked(&second));
    }

    #[test]
    fn bad_keys_taken_ids_and_too_many_keys_are_refused() {
        let w = world();
        let now = Utc::now();
        let ctx = in_family(w.ctx(), "family-1");
        let k = DeviceKey::generate();
        let push = |ctx: &Context, env: &MutationEnvelope| {
            code(push_one(w.db(), ctx, &w.owner_id, env, now).unwrap())
        };
        assert_eq!(
            push(&ctx, &register(k.key_id, "00".repeat(32))),
            "invalid_input"
        );
        assert_eq!(
            push(&ctx, &register(k.key_id, "not hex".into())),
            "invalid_input"
        );
        assert_eq!(
            push(&ctx, &register(Uuid::nil(), k.public_key_hex())),
            "invalid_input"
        );
        assert_eq!(
            push(&ctx, &register(k.key_id, k.public_key_hex())),
            "applied"
        );
        // The id taken, by another sign-in or with another key.
        let other = in_family(w.ctx(), "family-2");
        assert_eq!(
            push(&other, &register(k.key_id, k.public_key_hex())),
            "conflict"
        );
        let stranger = DeviceKey::generate();
        assert_eq!(
            push(&ctx, &register(k.key_id, stranger.public_key_hex())),
            "conflict"
        );
        // No session: nothing to bind to.
        let none = register(DeviceKey::generate().key_id, k.public_key_hex());
        assert_eq!(push(&w.ctx(), &none), "unauthorized");
        for _ in 1..MAX_REGISTRATIONS_PER_SIGN_IN {
            let k = DeviceKey::generate();
            assert_eq!(
                push(&ctx, &register(k.key_id, k.public_key_hex())),
                "applied"
            );
        }
        let k = DeviceKey::generate();
        assert_eq!(
            push(&ctx, &register(k.key_id, k.public_key_hex())),
            "rate_limited"
        );
    }
}
