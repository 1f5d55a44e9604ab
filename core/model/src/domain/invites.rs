//! Invitation codes (DESIGN.md §2.3): how an owner brings co-residents (ผู้พักอาศัยร่วม)
//! and tenants (ผู้เช่า) into a unit, and the cap of 5 per unit.
//!
//! A code is 10 Crockford base32 characters — 50 random bits — short enough to read over
//! the phone, shown as `ABCDE-FGHJK` and as a QR (`LOBBY:INVITE:1:<code>`). It expires
//! after 7 days, is used once, and the server keeps only its digest. The phone makes the
//! code (so an invitation made offline can be shown at once, marked as not yet confirmed);
//! the server decides whether it counts. Because the code comes from the client, the
//! server also refuses a trivially weak one ([`check_invite_code_strength`]); the phone's
//! generator never makes one.
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

/// A fresh code: 50 bits from the OS CSPRNG as 10 Crockford base32 characters, drawn
/// again in the rare case (under 1 in 1.4 million) that [`check_invite_code_strength`]
/// would refuse it, so a phone never queues a code the server refuses.
pub fn generate_invite_code() -> String {
    loop {
        let code = random_invite_code();
        if check_invite_code_strength(&code).is_ok() {
            return code;
        }
    }
}

fn random_invite_code() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let bits = u64::from_le_bytes(bytes) & ((1u64 << 50) - 1);
    (0..INVITE_CODE_LEN)
        .rev()
        .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char)
        .collect()
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A code repeating itself every this many symbols or fewer is refused.
pub const WEAK_CODE_MAX_PERIOD: usize = 5;
/// A code needs at least this many distinct symbols.
pub const WEAK_CODE_MIN_DISTINCT: usize = 4;
/// This many symbols in a row, all the same or each the next (or previous) in the
/// alphabet, make a code weak.
pub const WEAK_CODE_MAX_STRAIGHT: usize = 6;

/// Refuses a code a person would pick rather than a random one: the phone generates
/// codes, but the server takes the code a client sends, and a client could choose
/// `0000000000`, which anyone guessing tries first. A normalised code (see
/// [`normalize_invite_code`]) is weak when it
///
/// - has fewer than [`WEAK_CODE_MIN_DISTINCT`] (4) distinct symbols (`0000000000`,
///   `ABABABABAB`, `0000011111`);
/// - repeats itself with a period of at most [`WEAK_CODE_MAX_PERIOD`] (5) symbols
///   (`ABCDEABCDE`, `1234123412`);
/// - holds [`WEAK_CODE_MAX_STRAIGHT`] (6) symbols in a row that are all the same or
///   step by one through the alphabet `0123456789ABCDEFGHJKMNPQRSTVWXYZ` up or down
///   (`0123456789`, `ABCDEFGHJK`, `ZYXWVT…`, `X000000Y12`).
///
/// **How often a random code is refused** (10 symbols, 32^10 ≈ 1.13·10^15 codes, union
/// bound of the three):
/// - fewer than 4 distinct: Σ_{k=1..3} C(32,k)·S(10,k)·k! / 32^10 = 278,160,544 / 32^10
///   ≈ 2.5·10⁻⁷ (S: Stirling numbers of the second kind);
/// - period 4 or 5 (1–3 fall under the first): (32^4 + 32^5) / 32^10 ≈ 3.1·10⁻⁸;
/// - a straight of 6: 5 windows × (32 + 2·27) / 32^6 ≈ 4.0·10⁻⁷;
///
/// together at most 6.8·10⁻⁷, under 1 in 1.4 million, removing about 0.00007 % of the
/// 50-bit space: the entropy lost is nil. [`generate_invite_code`] draws again when it
/// happens, so only a chosen code meets this refusal. `invalid_input` (the code has the
/// right form; it is refused as a choice, not as a wrong code).
pub fn check_invite_code_strength(code: &str) -> Result<()> {
    let weak = || {
        LobbyError::invalid(
            "this invitation code is too easy to guess (repeated or consecutive characters); \
             let the app generate one",
        )
    };
    let idx: Vec<i32> = code
        .bytes()
        .map(|b| {
            CROCKFORD
                .iter()
                .position(|c| *c == b)
                .map_or(-100, |p| p as i32)
        })
        .collect();
    let mut distinct = idx.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < WEAK_CODE_MIN_DISTINCT {
        return Err(weak());
    }
    let n = idx.len();
    if (1..=WEAK_CODE_MAX_PERIOD.min(n.saturating_sub(1)))
        .any(|p| (p..n).all(|i| idx[i] == idx[i - p]))
    {
        return Err(weak());
    }
    // The longest stretch in which every step is the same, and -1, 0 or +1.
    let mut straight = 1;
    for i in 1..n {
        let step = idx[i] - idx[i - 1];
        let continues = i >= 2 && step == idx[i - 1] - idx[i - 2];
        straight = if step.abs() > 1 {
            1
        } else if continues {
            straight + 1
        } else {
            2
        };
        if straight >= WEAK_CODE_MAX_STRAIGHT {
            return Err(weak());
        }
    }
    Ok(())
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
    fn trivially_weak_codes_are_refused_as_invalid_input() {
        for weak in [
            "0000000000",
            "1111111111",
            "ZZZZZZZZZZ",
            "ABABABABAB",
            "0000011111",
            "AAABBBCCCA",
            "ABCDEABCDE",
            "1234123412",
            "0123456789",
            "ABCDEFGHJK",
            "ZYXWVTSRQP",
            "9876543210",
            "X000000Y12",
            "K7ABCDEFQ2",
        ] {
            assert_eq!(
                check_invite_code_strength(weak).map_err(|e| e.code),
                Err(ErrorCode::InvalidInput),
                "{weak}"
            );
        }
    }

    #[test]
    fn ordinary_random_looking_codes_pass_the_strength_rule() {
        for strong in [
            "7KQ2M9XD4T",
            "00000K7M2Q",
            "ABCDE7Q2XM",
            "AB12AB34CD",
            "0H8J3NX5W1",
        ] {
            assert!(check_invite_code_strength(strong).is_ok(), "{strong}");
        }
    }

    #[test]
    fn generated_codes_always_pass_the_strength_rule() {
        // 100,000 draws; a random code fails the rule with probability below 7e-7
        // (the doc comment's bound), and `generate_invite_code` draws again if it does.
        for _ in 0..100_000 {
            let code = generate_invite_code();
            assert!(check_invite_code_strength(&code).is_ok(), "{code}");
        }
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
