//! Invitation codes (DESIGN.md §2.3): how an owner brings co-residents (ผู้พักอาศัยร่วม)
//! and tenants (ผู้เช่า) into a unit, and the cap of 5 per unit.
//!
//! A code is 10 Crockford base32 characters — 50 random bits — short enough to read over
//! the phone, shown as `ABCDE-FGHJK` and as a QR (`LOBBY:INVITE:1:<code>`). It expires
//! after 7 days, is used once, and the server keeps only its digest. The phone makes the
//! code (so an invitation made offline can be shown at once, marked as not yet confirmed);
//! the server decides whether it counts.
//!
//! **The cap** ([`check_invite_cap`]): active residents and tenants plus pending codes
//! never exceed 5 per unit. The phone checks it against its replica to explain a refusal
//! early; the server checks it again inside the transaction that stores the code, so no
//! race between devices can exceed it.

use chrono::{DateTime, Utc};
use rand::RngCore;

use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::Role;

pub const INVITE_CODE_LEN: usize = 10;
pub const INVITE_TTL_DAYS: i64 = 7;
/// Active residents and tenants plus pending codes, per unit.
pub const MAX_INVITES_PER_UNIT: usize = 5;
pub const INVITE_QR_PREFIX: &str = "LOBBY:INVITE:1:";
/// Wrong codes allowed per client address and per phone within [`INVITE_GUESS_WINDOW_SECS`].
pub const INVITE_GUESS_LIMIT: usize = 5;
pub const INVITE_GUESS_WINDOW_SECS: i64 = 15 * 60;
/// Invitations one person may try to create in a day (every `invite_create` they push
/// counts, applied or refused). The cap is 5 places per unit, so even an owner of several
/// units who revokes and re-invites all day stays far below it; an attacker creating codes
/// to probe for live ones (a duplicate is refused) gets 30 probes a day, each also
/// counted as a wrong guess.
pub const INVITE_CREATES_PER_DAY: usize = 30;

/// A fresh code: 50 bits from the OS CSPRNG as 10 Crockford base32 characters.
pub fn generate_invite_code() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let bits = u64::from_le_bytes(bytes) & ((1u64 << 50) - 1);
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..INVITE_CODE_LEN)
        .rev()
        .map(|i| alphabet[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// Reads a code as a person types or a scanner reads it: spaces and dashes ignored,
/// lower case and look-alikes (O→0, I/L→1) accepted, the QR form unwrapped.
pub fn normalize_invite_code(raw: &str) -> Result<String> {
    let raw = raw.trim();
    let raw = raw.strip_prefix(INVITE_QR_PREFIX).unwrap_or(raw);
    let cleaned: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let invalid = || {
        LobbyError::new(
            ErrorCode::InviteInvalid,
            "this is not an invitation code (10 letters and digits)",
        )
    };
    if cleaned.chars().count() != INVITE_CODE_LEN || !cleaned.is_ascii() {
        return Err(invalid());
    }
    // Crockford's look-alike translations, then the canonical alphabet.
    let upper = cleaned.to_ascii_uppercase();
    let mut out = String::with_capacity(INVITE_CODE_LEN);
    for c in upper.chars() {
        let c = match c {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c) {
            return Err(invalid());
        }
        out.push(c);
    }
    Ok(out)
}

/// `ABCDEFGHJK` → `ABCDE-FGHJK`, for reading aloud.
pub fn format_invite_code(code: &str) -> String {
    if code.len() == INVITE_CODE_LEN && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

/// The text put in an invitation QR.
pub fn invite_qr_payload(code: &str) -> String {
    format!("{INVITE_QR_PREFIX}{code}")
}

/// Whether one more code may be made for a unit that has `active_members` residents and
/// tenants and `pending_invites` unexpired, unused, unrevoked codes.
pub fn check_invite_cap(active_members: usize, pending_invites: usize) -> Result<()> {
    if active_members + pending_invites >= MAX_INVITES_PER_UNIT {
        return Err(LobbyError::new(
            ErrorCode::InviteCapReached,
            format!(
                "a unit can have at most {MAX_INVITES_PER_UNIT} residents, tenants and pending invitations together; \
                 this one has {active_members} member(s) and {pending_invites} pending invitation(s) — \
                 revoke an invitation or remove a member first"
            ),
        ));
    }
    Ok(())
}

/// Only owners invite and remove members; residents and tenants cannot.
pub fn check_can_manage_members(role: Role) -> Result<()> {
    match role {
        Role::Owner => Ok(()),
        Role::Resident | Role::Tenant => Err(LobbyError::new(
            ErrorCode::Forbidden,
            "only the unit's owner can invite or remove residents and tenants",
        )),
    }
}

/// Roles an invitation can give.
pub fn check_invitable_role(role: Role) -> Result<()> {
    match role {
        Role::Resident | Role::Tenant => Ok(()),
        Role::Owner => Err(LobbyError::invalid(
            "owners join with the juristic office's onboarding QR, not an invitation",
        )),
    }
}

/// The state of a stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredInviteState {
    Pending,
    Accepted,
    Revoked,
}

/// Whether a code found on the server can still be accepted at `now`.
pub fn check_invite_usable(
    state: StoredInviteState,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    match state {
        StoredInviteState::Accepted => Err(LobbyError::new(
            ErrorCode::InviteUsed,
            "this invitation has already been used",
        )),
        StoredInviteState::Revoked => Err(LobbyError::new(
            ErrorCode::InviteRevoked,
            "the owner revoked this invitation",
        )),
        StoredInviteState::Pending if now >= expires_at => Err(LobbyError::new(
            ErrorCode::InviteExpired,
            "this invitation has expired; ask the owner for a new one",
        )),
        StoredInviteState::Pending => Ok(()),
    }
}

/// Whether another try at a code is allowed after `recent_failures` wrong codes (from one
/// client address, or for one phone) within the guessing window.
pub fn check_invite_guess_allowed(recent_failures: usize) -> Result<()> {
    if recent_failures >= INVITE_GUESS_LIMIT {
        return Err(LobbyError::new(
            ErrorCode::RateLimited,
            format!(
                "too many wrong invitation codes; try again in {} minutes",
                INVITE_GUESS_WINDOW_SECS / 60
            ),
        ));
    }
    Ok(())
}

/// Whether a person who pushed `made_today` invitation creations in the last 24 hours may
/// push another under `budget` (the server's [`INVITE_CREATES_PER_DAY`]).
pub fn check_invite_create_budget(made_today: usize, budget: usize) -> Result<()> {
    if made_today >= budget {
        return Err(LobbyError::new(
            ErrorCode::RateLimited,
            "too many invitations made today; try again tomorrow",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn invitation_creation_has_a_daily_budget_far_above_the_cap() {
        const { assert!(INVITE_CREATES_PER_DAY >= 4 * MAX_INVITES_PER_UNIT) };
        assert!(
            check_invite_create_budget(INVITE_CREATES_PER_DAY - 1, INVITE_CREATES_PER_DAY).is_ok()
        );
        let e =
            check_invite_create_budget(INVITE_CREATES_PER_DAY, INVITE_CREATES_PER_DAY).unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
    }

    #[test]
    fn codes_are_ten_crockford_characters_and_differ() {
        let a = generate_invite_code();
        assert_eq!(a.len(), 10);
        assert_eq!(normalize_invite_code(&a).unwrap(), a);
        let many: std::collections::HashSet<_> =
            (0..1000).map(|_| generate_invite_code()).collect();
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(normalize_invite_code("abcde-fghjk").unwrap(), "ABCDEFGHJK");
        assert_eq!(
            normalize_invite_code(" ABCDE FGHJK ").unwrap(),
            "ABCDEFGHJK"
        );
        assert_eq!(normalize_invite_code("0OIL1abcde").unwrap(), "00111ABCDE");
        assert_eq!(
            normalize_invite_code("LOBBY:INVITE:1:ABCDEFGHJK").unwrap(),
            "ABCDEFGHJK"
        );
        assert_eq!(format_invite_code("ABCDEFGHJK"), "ABCDE-FGHJK");
    }

    #[test]
    fn malformed_codes_are_invite_invalid() {
        for bad in [
            "",
            "ABC",
            "ABCDEFGHJKM",
            "ABCDEFGHJU",
            "กขคงจฉชซฌญ",
            "ABCDE_FGHJ",
        ] {
            assert_eq!(
                normalize_invite_code(bad).unwrap_err().code,
                ErrorCode::InviteInvalid,
                "{bad}"
            );
        }
    }

    #[test]
    fn the_cap_counts_members_and_pending_codes_together() {
        let cases = [
            (0, 0, true),
            (0, 4, true),
            (4, 0, true),
            (2, 2, true),
            (0, 5, false),
            (5, 0, false),
            (3, 2, false),
            (6, 0, false),
        ];
        for (members, pending, ok) in cases {
            assert_eq!(
                check_invite_cap(members, pending).is_ok(),
                ok,
                "{members}+{pending}"
            );
        }
        assert_eq!(
            check_invite_cap(3, 2).unwrap_err().code,
            ErrorCode::InviteCapReached
        );
    }

    #[test]
    fn only_owners_manage_and_only_residents_and_tenants_are_invited() {
        assert!(check_can_manage_members(Role::Owner).is_ok());
        assert_eq!(
            check_can_manage_members(Role::Tenant).unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert_eq!(
            check_can_manage_members(Role::Resident).unwrap_err().code,
            ErrorCode::Forbidden
        );
        assert!(check_invitable_role(Role::Tenant).is_ok());
        assert!(check_invitable_role(Role::Owner).is_err());
    }

    #[test]
    fn stored_codes_map_to_their_own_errors() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let later = now + Duration::days(7);
        assert!(check_invite_usable(StoredInviteState::Pending, later, now).is_ok());
        assert_eq!(
            check_invite_usable(StoredInviteState::Pending, now, now)
                .unwrap_err()
                .code,
            ErrorCode::InviteExpired
        );
        assert_eq!(
            check_invite_usable(StoredInviteState::Accepted, later, now)
                .unwrap_err()
                .code,
            ErrorCode::InviteUsed
        );
        assert_eq!(
            check_invite_usable(StoredInviteState::Revoked, later, now)
                .unwrap_err()
                .code,
            ErrorCode::InviteRevoked
        );
    }

    #[test]
    fn guessing_is_limited_after_five_wrong_codes() {
        assert!(check_invite_guess_allowed(4).is_ok());
        assert_eq!(
            check_invite_guess_allowed(5).unwrap_err().code,
            ErrorCode::RateLimited
        );
    }
}
