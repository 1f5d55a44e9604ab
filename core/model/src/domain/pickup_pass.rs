//! The parcel pickup pass (DESIGN.md §2.4, issue 8): a QR the resident's phone makes with
//! no network, that staff verify at the lobby counter, that nobody can forge for a unit
//! not theirs, and that a screenshot sent to someone else stops working quickly.
//!
//! **How.** Each device holds an Ed25519 key it generated; the server registered its public
//! half (`key_id`). A pass names the person, the unit, the key and a *time step* (30 s),
//! and carries the key's signature over exactly those. Staff's device sends the pass to
//! the server, which looks the key up, checks that it is still registered to that person
//! and that the membership is active — the rules here check the bytes and the time.
//!
//! **The window** ([`PASS_STEPS_VALID`] steps of [`PASS_STEP_SECS`]): a pass made in step
//! `s` is accepted while the server's step is `s - 1` (a phone clock up to 30 s ahead),
//! `s`, `s + 1` or `s + 2`, so for 60–90 s after it was made. The app draws a new pass
//! every step while the QR is on screen, so a live phone always shows a valid one; a
//! screenshot forwarded through a chat app is dead within 90 s, usually before it is
//! opened at the counter. Shorter would fail residents whose phone clock drifted while
//! offline (phones keep network time to within seconds, but not always); longer would
//! widen the replay window. A pass handed over once is also remembered by the server and
//! refused a second time.
//!
//! **The payload**: `LOBBY:PICKUP:1:` and 120 bytes in Crockford base32 (192 characters,
//! QR alphanumeric mode): person id, unit id, key id (16-byte UUIDs), the step (8 bytes,
//! big-endian), the signature (64 bytes). The signed message is a domain tag followed by
//! the first 56 bytes, so a signature made for anything else never verifies here.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use uuid::Uuid;

use crate::domain::secret_token::crockford;
use crate::error::{ErrorCode, LobbyError, Result};

/// The QR text's prefix.
pub const PICKUP_PASS_PREFIX: &str = "LOBBY:PICKUP:1:";
/// Length of one time step.
pub const PASS_STEP_SECS: i64 = 30;
/// Steps a pass stays valid from the one it was made in (a fourth, earlier step is
/// allowed for a phone clock that runs ahead).
pub const PASS_STEPS_VALID: i64 = 3;

const DOMAIN_TAG: &[u8] = b"lobby/pickup-pass/1";
const CLAIMS_LEN: usize = 16 * 3 + 8;
const PASS_LEN: usize = CLAIMS_LEN + 64;

/// What a pass says: who, for which unit, signed by which registered device key, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassClaims {
    pub person_id: Uuid,
    pub unit_id: Uuid,
    pub key_id: Uuid,
    /// [`step_at`] of the moment the pass was made.
    pub step: u64,
}

/// A pass as read from a QR, not yet checked against any key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPass {
    pub claims: PassClaims,
    signature: [u8; 64],
}

/// A pass made on the phone: the QR text and the last moment it is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadePass {
    pub payload: String,
    pub valid_until: DateTime<Utc>,
}

fn invalid(why: &str) -> LobbyError {
    LobbyError::new(
        ErrorCode::PickupPassInvalid,
        format!("this is not a valid pickup pass ({why})"),
    )
}

/// The time step of `t` (whole [`PASS_STEP_SECS`] since the Unix epoch; 0 before it).
pub fn step_at(t: DateTime<Utc>) -> u64 {
    u64::try_from(t.timestamp().div_euclid(PASS_STEP_SECS)).unwrap_or(0)
}

fn step_start(step: u64) -> DateTime<Utc> {
    let secs = i64::try_from(step)
        .unwrap_or(i64::MAX / PASS_STEP_SECS)
        .saturating_mul(PASS_STEP_SECS);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The last moment a pass made in `step` is accepted.
pub fn valid_until(step: u64) -> DateTime<Utc> {
    step_start(step.saturating_add(PASS_STEPS_VALID as u64)) - chrono::Duration::milliseconds(1)
}

impl PassClaims {
    fn bytes(&self) -> [u8; CLAIMS_LEN] {
        let mut b = [0u8; CLAIMS_LEN];
        b[..16].copy_from_slice(self.person_id.as_bytes());
        b[16..32].copy_from_slice(self.unit_id.as_bytes());
        b[32..48].copy_from_slice(self.key_id.as_bytes());
        b[48..].copy_from_slice(&self.step.to_be_bytes());
        b
    }

    fn message(&self) -> Vec<u8> {
        let mut m = DOMAIN_TAG.to_vec();
        m.extend_from_slice(&self.bytes());
        m
    }
}

/// Makes the pass for `claims` with the device's key (offline).
pub fn make_pass(key: &SigningKey, claims: &PassClaims) -> MadePass {
    let signature = key.sign(&claims.message());
    let mut bytes = claims.bytes().to_vec();
    bytes.extend_from_slice(&signature.to_bytes());
    MadePass {
        payload: format!("{PICKUP_PASS_PREFIX}{}", crockford().encode(&bytes)),
        valid_until: valid_until(claims.step),
    }
}

/// Reads a scanned pass (`pickup_pass_invalid` for anything that is not one).
pub fn read_pass(payload: &str) -> Result<ReadPass> {
    let body = payload
        .trim()
        .strip_prefix(PICKUP_PASS_PREFIX)
        .ok_or_else(|| invalid("not a Lobby pickup QR"))?;
    let bytes = crockford()
        .decode(body.as_bytes())
        .map_err(|_| invalid("unreadable"))?;
    if bytes.len() != PASS_LEN {
        return Err(invalid("wrong length"));
    }
    let uuid = |at: usize| -> Result<Uuid> {
        let raw: [u8; 16] = bytes[at..at + 16]
            .try_into()
            .map_err(|_| invalid("wrong length"))?;
        Ok(Uuid::from_bytes(raw))
    };
    let step: [u8; 8] = bytes[48..56]
        .try_into()
        .map_err(|_| invalid("wrong length"))?;
    let signature: [u8; 64] = bytes[CLAIMS_LEN..]
        .try_into()
        .map_err(|_| invalid("wrong length"))?;
    Ok(ReadPass {
        claims: PassClaims {
            person_id: uuid(0)?,
            unit_id: uuid(16)?,
            key_id: uuid(32)?,
            step: u64::from_be_bytes(step),
        },
        signature,
    })
}

impl ReadPass {
    /// Checks the signature with the registered public key the pass names, then the
    /// window at the server's `now`: `pickup_pass_invalid` for a wrong signature (any
    /// byte changed), `pickup_pass_expired` outside the window.
    pub fn check(&self, key: &VerifyingKey, now: DateTime<Utc>) -> Result<PassClaims> {
        let signature = Signature::from_bytes(&self.signature);
        key.verify(&self.claims.message(), &signature)
            .map_err(|_| invalid("the signature does not match"))?;
        let now_step = step_at(now);
        let made = self.claims.step;
        if made > now_step.saturating_add(1) {
            // More than one step in the future: not a clock a step ahead.
            return Err(invalid("made in the future"));
        }
        if now_step >= made.saturating_add(PASS_STEPS_VALID as u64) {
            return Err(LobbyError::new(
                ErrorCode::PickupPassExpired,
                "this pickup pass has expired; show the QR on the phone again",
            ));
        }
        Ok(self.claims)
    }
}

/// A device key from 32 secret bytes (as kept in the secret store).
pub fn signing_key(secret: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(secret)
}

/// A registered public key from its 32 bytes (`pickup_pass_invalid` if not a key).
pub fn verifying_key(public: &[u8; 32]) -> Result<VerifyingKey> {
    VerifyingKey::from_bytes(public).map_err(|_| invalid("the device key is not a key"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn key(seed: u8) -> SigningKey {
        signing_key(&[seed; 32])
    }

    fn claims(at: DateTime<Utc>) -> PassClaims {
        PassClaims {
            person_id: Uuid::now_v7(),
            unit_id: Uuid::now_v7(),
            key_id: Uuid::now_v7(),
            step: step_at(at),
        }
    }

    #[test]
    fn a_pass_reads_back_and_verifies_with_its_key() {
        let k = key(7);
        let c = claims(t(0));
        let made = make_pass(&k, &c);
        assert!(made.payload.starts_with(PICKUP_PASS_PREFIX));
        assert_eq!(made.payload.len(), PICKUP_PASS_PREFIX.len() + 192);
        assert!(made.payload[PICKUP_PASS_PREFIX.len()..]
            .chars()
            .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit()));
        let read = read_pass(&made.payload).unwrap();
        assert_eq!(read.claims, c);
        assert_eq!(read.check(&k.verifying_key(), t(5)).unwrap(), c);
    }

    #[test]
    fn any_changed_character_makes_the_pass_invalid() {
        let k = key(7);
        let made = make_pass(&k, &claims(t(0)));
        let body_start = PICKUP_PASS_PREFIX.len();
        for i in body_start..made.payload.len() {
            let mut chars: Vec<char> = made.payload.chars().collect();
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            let outcome = read_pass(&altered).and_then(|p| p.check(&k.verifying_key(), t(5)));
            assert_eq!(
                outcome.err().map(|e| e.code),
                Some(ErrorCode::PickupPassInvalid),
                "character {i}"
            );
        }
    }

    #[test]
    fn another_devices_key_or_another_unit_does_not_verify() {
        let c = claims(t(0));
        let made = make_pass(&key(7), &c);
        let read = read_pass(&made.payload).unwrap();
        let e = read.check(&key(8).verifying_key(), t(5)).unwrap_err();
        assert_eq!(e.code, ErrorCode::PickupPassInvalid);
        // The claims cannot be swapped under the signature: a pass for unit B signed
        // as unit A's is not unit A's.
        let mut forged = read.clone();
        forged.claims.unit_id = Uuid::now_v7();
        assert_eq!(
            forged
                .check(&key(7).verifying_key(), t(5))
                .unwrap_err()
                .code,
            ErrorCode::PickupPassInvalid
        );
    }

    #[test]
    fn the_window_is_three_steps_and_one_step_of_clock_ahead() {
        let k = key(7);
        let made_at = t(0);
        let step_start = step_start(step_at(made_at));
        let read = read_pass(&make_pass(&k, &claims(made_at)).payload).unwrap();
        let at = |secs: i64| {
            read.check(
                &k.verifying_key(),
                step_start + chrono::Duration::seconds(secs),
            )
        };
        // The phone's clock a step ahead of the server's.
        assert!(at(-PASS_STEP_SECS).is_ok());
        assert_eq!(
            at(-2 * PASS_STEP_SECS).unwrap_err().code,
            ErrorCode::PickupPassInvalid
        );
        assert!(at(0).is_ok());
        assert!(at(3 * PASS_STEP_SECS - 1).is_ok());
        assert_eq!(
            at(3 * PASS_STEP_SECS).unwrap_err().code,
            ErrorCode::PickupPassExpired
        );
        let until = make_pass(&k, &claims(made_at)).valid_until;
        assert_eq!(
            until,
            step_start + chrono::Duration::milliseconds(90_000 - 1)
        );
    }

    #[test]
    fn what_is_not_a_pass_is_invalid() {
        for bad in [
            "",
            "LOBBY:INVITE:1:ABCDEFGHJK",
            "LOBBY:PICKUP:1:",
            "LOBBY:PICKUP:1:!!!",
            "LOBBY:PICKUP:1:0000",
        ] {
            assert_eq!(
                read_pass(bad).unwrap_err().code,
                ErrorCode::PickupPassInvalid,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_public_key_that_is_not_a_curve_point_is_refused() {
        // Not every 32 bytes decompress to a point; find one that does not.
        let bad = (0u8..=255)
            .map(|b| {
                let mut k = [b; 32];
                k[31] = 0x7f;
                k
            })
            .find(|k| VerifyingKey::from_bytes(k).is_err())
            .expect("about half of all 32-byte strings are not points");
        assert_eq!(
            verifying_key(&bad).unwrap_err().code,
            ErrorCode::PickupPassInvalid
        );
        assert!(verifying_key(&key(7).verifying_key().to_bytes()).is_ok());
    }
}
