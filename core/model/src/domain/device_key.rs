//! Device keys (DESIGN.md §2.4, issue 8): the Ed25519 key pair each sign-in makes on the
//! phone, whose signature makes a pickup pass ([`super::pickup_pass`]).
//!
//! **Lifecycle.** At every sign-in the phone generates a fresh pair. The private half
//! goes to the platform secret store (never the database, never a log) as one secret
//! string ([`DeviceKey::to_secret`]); the public half and a random `key_id` go to the
//! server as a `device_key_register` mutation through the outbox. The server binds the
//! key to the session family (the sign-in) that pushed it, keeps at most one live key per
//! sign-in ([`MAX_REGISTRATIONS_PER_SIGN_IN`] attempts), and revokes it when that sign-in
//! ends — logout, logout everywhere, a stolen refresh token. A new sign-in means a new
//! key, so a device that was signed out can never make a pass again.
//!
//! **Why a key per sign-in, not per person.** A pass must prove *this phone, signed in
//! now*: a key that outlived a logout would let a phone handed on to someone else keep
//! collecting parcels.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::RngCore;
use uuid::Uuid;

use crate::error::{ErrorCode, LobbyError, Result};

/// How many keys one sign-in may register (a phone registers one; a phone that lost its
/// secret store re-registers; more is a client misbehaving).
pub const MAX_REGISTRATIONS_PER_SIGN_IN: usize = 20;

/// A device key as the phone holds it: its id and its 32 secret bytes.
#[derive(Clone)]
pub struct DeviceKey {
    pub key_id: Uuid,
    secret: [u8; 32],
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// A fresh key pair from the operating system's random source.
    pub fn generate() -> DeviceKey {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        DeviceKey {
            key_id: Uuid::now_v7(),
            secret,
        }
    }

    /// The signing half.
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_bytes(&self.secret)
    }

    /// The public half as the server registers it (64 lowercase hex digits).
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.signing_key().verifying_key().to_bytes())
    }

    /// The one string the secret store keeps: `<key_id>:<64 hex digits>`.
    pub fn to_secret(&self) -> String {
        format!("{}:{}", self.key_id, hex::encode(self.secret))
    }

    /// Reads [`DeviceKey::to_secret`]'s string back (`internal` if it was damaged).
    pub fn from_secret(s: &str) -> Result<DeviceKey> {
        let damaged = || LobbyError::internal("the stored device key is damaged");
        let (id, secret) = s.split_once(':').ok_or_else(damaged)?;
        let key_id = Uuid::parse_str(id).map_err(|_| damaged())?;
        let bytes = hex::decode(secret).map_err(|_| damaged())?;
        let secret: [u8; 32] = bytes.try_into().map_err(|_| damaged())?;
        Ok(DeviceKey { key_id, secret })
    }
}

/// Reads a public key a phone registers: 64 hex digits of a valid Ed25519 point that is
/// not of small order (a weak key could verify signatures nobody made). `invalid_input`
/// otherwise.
pub fn parse_public_key(hex_key: &str) -> Result<VerifyingKey> {
    let bad = || {
        LobbyError::new(
            ErrorCode::InvalidInput,
            "a device key is 64 hex digits of an Ed25519 public key",
        )
    };
    if hex_key.len() != 64 {
        return Err(bad());
    }
    let bytes: [u8; 32] = hex::decode(hex_key)
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
    if key.is_weak() {
        return Err(bad());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_the_secret_store_and_its_public_half_parses() {
        let k = DeviceKey::generate();
        let back = DeviceKey::from_secret(&k.to_secret()).unwrap();
        assert_eq!(back.key_id, k.key_id);
        assert_eq!(back.public_key_hex(), k.public_key_hex());
        let public = parse_public_key(&k.public_key_hex()).unwrap();
        assert_eq!(public, k.signing_key().verifying_key());
        assert!(!format!("{k:?}").contains(&hex::encode(k.secret)));
    }

    #[test]
    fn two_keys_differ() {
        let (a, b) = (DeviceKey::generate(), DeviceKey::generate());
        assert_ne!(a.key_id, b.key_id);
        assert_ne!(a.public_key_hex(), b.public_key_hex());
    }

    #[test]
    fn a_damaged_secret_is_an_internal_error() {
        for bad in ["", "x", "not-a-uuid:00", &format!("{}:zz", Uuid::now_v7())] {
            assert_eq!(
                DeviceKey::from_secret(bad).unwrap_err().code,
                ErrorCode::Internal
            );
        }
    }

    #[test]
    fn weak_malformed_or_off_curve_public_keys_are_refused() {
        // The identity point (small order): y = 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let off_curve = (0u8..=255)
            .map(|b| {
                let mut k = [b; 32];
                k[31] = 0x7f;
                k
            })
            .find(|k| VerifyingKey::from_bytes(k).is_err())
            .unwrap();
        for bad in [
            hex::encode(identity),
            hex::encode(off_curve),
            "00".repeat(31),
            "zz".repeat(32),
            "AB".repeat(33),
        ] {
            assert_eq!(
                parse_public_key(&bad).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{bad}"
            );
        }
    }
}
