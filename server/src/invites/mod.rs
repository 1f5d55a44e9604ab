//! The server's side of invitation codes (DESIGN.md §2.3).
//!
//! The rules themselves (code format, the cap of 5, who may invite, whether a stored code
//! is usable, how many wrong guesses are allowed) live in `lobby_model::domain::invites`,
//! so the phone and the server cannot disagree. This module adds the server's reading of
//! its rows: how a code is stored, the keys guessing is counted under, when a limited
//! guesser may try again, and the name of an invitee who gave none. Then, above storage:
//!
//! - [`members`]: who manages a unit's invitations and members, and the cap's counts;
//! - [`guessing`]: finding the invitation behind an offered code, guessing limited;
//! - [`accept`]: what a verified `invite_accept` code does (account, membership, logs).
//!
//! Creating and revoking codes and removing members arrive as mutations
//! (`crate::mutations::invites`).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::invites::{
    check_invite_guess_allowed, INVITE_GUESS_LIMIT, INVITE_GUESS_WINDOW_SECS, INVITE_TTL_DAYS,
};
use lobby_model::domain::secret_token::secret_digest;
use lobby_model::protocol::Role;

use crate::error::{AppError, AppResult};
use crate::server_key::{Keyed, ServerKey};
use crate::storage::{Storage, Tx};

pub mod accept;
pub mod guessing;
pub mod members;

pub use accept::PendingInvite;
pub use guessing::{invite_for_acceptance, InviteTarget};

/// The stored form of a normalised code (only the digest is ever kept): keyed, over the
/// code's plain SHA-256 digest, so rows stored before keying can be rekeyed in place
/// ([`rekey_stored_codes`]).
pub fn code_digest(key: &ServerKey, normalized_code: &str) -> String {
    keyed_form(key, &secret_digest(normalized_code))
}

fn keyed_form(key: &ServerKey, plain_digest: &str) -> String {
    key.digest(Keyed::InviteCode, &[plain_digest])
}

/// Rekeys invitations stored with a plain digest (before migration 4), in batches, at
/// start-up; how many. Codes already handed out keep working.
pub fn rekey_stored_codes(db: &dyn Storage, key: &ServerKey) -> AppResult<usize> {
    let mut done = 0;
    loop {
        let n = db.write(|tx| {
            let rows = tx.unkeyed_invite_digests(500)?;
            for (id, plain) in &rows {
                tx.set_keyed_invite_digest(id, &keyed_form(key, plain))?;
            }
            Ok(rows.len())
        })?;
        done += n;
        if n == 0 {
            return Ok(done);
        }
    }
}

/// The guess keys of a signed-in person probing codes another way than the accept
/// endpoint (a pushed code that collides): their phone's key, so both paths share one
/// budget, and their own.
pub fn person_guess_keys(tx: &mut dyn Tx, person_id: &str) -> AppResult<Vec<String>> {
    let mut keys = vec![format!("person:{person_id}")];
    if let Some(phone) = tx.person(person_id)?.and_then(|p| p.phone) {
        keys.extend(guess_keys(None, &phone));
    }
    Ok(keys)
}

/// When a code made at `now` stops being usable.
pub fn expires_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(INVITE_TTL_DAYS)
}

/// Start of the guessing window that ends at `now`.
pub fn guess_window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::seconds(INVITE_GUESS_WINDOW_SECS)
}

/// The keys a wrong code is counted under: the phone always (as a digest, never the
/// number), and the client address unless `client` is `None` (a development server's
/// loopback client, exempt as for OTP sends).
pub fn guess_keys(client: Option<IpAddr>, phone: &str) -> Vec<String> {
    let mut keys = vec![format!("phone:{}", secret_digest(phone))];
    if let Some(ip) = client {
        keys.push(format!("client:{ip}"));
    }
    keys
}

/// Whether one more try is allowed for a key whose failures inside the window are
/// `failures` (ascending). When not, `rate_limited` says when the oldest failure that
/// still counts leaves the window.
pub fn check_guesses(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<(), AppError> {
    let Err(e) = check_invite_guess_allowed(failures.len()) else {
        return Ok(());
    };
    let freeing = failures
        .len()
        .checked_sub(INVITE_GUESS_LIMIT)
        .and_then(|i| failures.get(i))
        .copied()
        .unwrap_or(now);
    let wait = (freeing + Duration::seconds(INVITE_GUESS_WINDOW_SECS) - now).num_seconds();
    Err(AppError::rate_limited(e.message, wait.max(1) as u64))
}

/// The display (and legal) name of a new account made by accepting an invitation
/// without a name; the person changes it from their profile.
pub fn default_member_name(role: Role) -> &'static str {
    match role {
        Role::Tenant => "ผู้เช่า",
        Role::Resident | Role::Owner => "ผู้พักอาศัย",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lobby_model::ErrorCode;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn phone_keys_are_digests_and_exempt_clients_have_no_address_key() {
        let keys = guess_keys(Some("10.0.0.7".parse().unwrap()), "+66812345678");
        assert_eq!(keys.len(), 2);
        assert!(!keys[0].contains("812345678"));
        assert_eq!(keys[1], "client:10.0.0.7");
        assert_eq!(guess_keys(None, "+66812345678").len(), 1);
    }

    #[test]
    fn a_limited_guesser_waits_until_the_oldest_counting_failure_leaves_the_window() {
        let now = t0();
        let few: Vec<_> = (0..4).map(|i| now - Duration::seconds(60 - i)).collect();
        assert!(check_guesses(&few, now).is_ok());
        // Six failures, the second-oldest 100 s ago: with five allowed, the window frees
        // when that one leaves it.
        let mut many = vec![now - Duration::seconds(200), now - Duration::seconds(100)];
        many.extend((0..4).map(|i| now - Duration::seconds(10 - i)));
        let e = check_guesses(&many, now).unwrap_err();
        assert_eq!(e.code(), ErrorCode::RateLimited);
        assert_eq!(e.retry_after_secs, Some(15 * 60 - 100));
    }

    #[test]
    fn expiry_and_code_digest() {
        assert_eq!(expires_at(t0()) - t0(), Duration::days(7));
        let key = ServerKey::generate();
        let d = code_digest(&key, "ABCDEFGHJK");
        assert_ne!(d, secret_digest("ABCDEFGHJK"), "keyed");
        assert_eq!(d, keyed_form(&key, &secret_digest("ABCDEFGHJK")));
    }
}
