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
