//! One-time passwords (DESIGN.md §2.2): the rules, as pure functions the server applies.
//!
//! A code is 6 digits from the OS CSPRNG, valid 5 minutes, single use, bound to the request
//! that created it; the 5th wrong try voids it. Sending is limited per destination
//! ([`DESTINATION_LIMITS`]: one per 60 s, 5 per hour, 10 per day — it protects the person
//! behind the number) and, more loosely, per client address ([`ADDRESS_LIMITS`]: 60 per
//! hour, 300 per day, no gap — it protects the SMS bill; residents behind one carrier-NAT
//! address share it, so it must fit a building's morning, not one phone).

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use subtle::ConstantTimeEq;

use crate::error::{ErrorCode, LobbyError, Result};

pub const OTP_DIGITS: usize = 6;
pub const OTP_TTL_SECS: i64 = 5 * 60;
pub const OTP_MAX_WRONG: u32 = 5;
pub const OTP_RESEND_AFTER_SECS: i64 = 60;
pub const OTP_MAX_PER_HOUR: usize = 5;
pub const OTP_MAX_PER_DAY: usize = 10;

/// How many codes may be sent under one limit key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    /// Least time between two sends (0: none).
    pub resend_after_secs: i64,
    pub per_hour: usize,
    pub per_day: usize,
}

/// Per destination (one phone or e-mail): strict.
pub const DESTINATION_LIMITS: SendLimits = SendLimits {
    resend_after_secs: OTP_RESEND_AFTER_SECS,
    per_hour: OTP_MAX_PER_HOUR,
    per_day: OTP_MAX_PER_DAY,
};

/// Per client address: sized for many residents behind one carrier-NAT address (a
/// 300-unit building where every resident signs in on the same morning stays under it),
/// while one address still cannot send codes to thousands of numbers a day.
pub const ADDRESS_LIMITS: SendLimits = SendLimits {
    resend_after_secs: 0,
    per_hour: 60,
    per_day: 300,
};

/// A fresh 6-digit code, uniformly distributed.
pub fn generate_otp_code() -> String {
    let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
    format!("{n:06}")
}

/// Whether another code may be sent to a destination, given when earlier codes were
/// sent to it. Refusals say when to try again.
pub fn check_send_allowed(earlier_sends: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<()> {
    check_send_within(&DESTINATION_LIMITS, earlier_sends, now)
}

/// Whether another code may be sent under `limits`, given the earlier sends counted
/// under the same key.
pub fn check_send_within(
    limits: &SendLimits,
    earlier_sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<()> {
    match send_refusal(limits, earlier_sends, now) {
        None => Ok(()),
        Some((wait, why)) => {
            let secs = wait.num_seconds().max(1);
            Err(LobbyError::new(
                ErrorCode::RateLimited,
                format!("{why}; try again in {secs} s"),
            ))
        }
    }
}

/// Whole seconds until another code may be sent (at least 1), or `None` when one may be
/// sent now: the number behind a [`check_send_allowed`] refusal, for a `retry_after`.
pub fn send_retry_after_secs(
    limits: &SendLimits,
    earlier_sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Option<u64> {
    send_refusal(limits, earlier_sends, now).map(|(wait, _)| wait.num_seconds().max(1) as u64)
}

/// The rule itself: how long to wait and why, or `None` when sending is allowed.
fn send_refusal(
    limits: &SendLimits,
    earlier_sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Option<(Duration, &'static str)> {
    let since = |secs: i64| {
        earlier_sends
            .iter()
            .filter(move |t| now - **t < Duration::seconds(secs))
    };
    if let Some(last) = since(limits.resend_after_secs).max() {
        return Some((
            *last + Duration::seconds(limits.resend_after_secs) - now,
            "a code was sent less than a minute ago",
        ));
    }
    let hour: Vec<_> = since(3600).collect();
    if hour.len() >= limits.per_hour {
        let oldest = hour.iter().min().map(|t| **t).unwrap_or(now);
        return Some((
            oldest + Duration::hours(1) - now,
            "too many codes this hour",
        ));
    }
    let day: Vec<_> = since(86_400).collect();
    if day.len() >= limits.per_day {
        let oldest = day.iter().min().map(|t| **t).unwrap_or(now);
        return Some((oldest + Duration::days(1) - now, "too many codes today"));
    }
    None
}

/// What the server knows about one issued code.
#[derive(Debug, Clone)]
pub struct OtpState {
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub wrong_attempts: u32,
    pub consumed: bool,
}

/// The outcome of one try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OtpCheck {
    Accepted,
    /// Wrong code; `remaining` tries are left before the code is void.
    Wrong {
        remaining: u32,
    },
    Expired,
    /// Voided by too many wrong tries (or already used).
    Locked,
}

/// Checks a submitted code. The caller records the outcome: a `Wrong` increments
/// `wrong_attempts`, an `Accepted` sets `consumed`.
pub fn check_otp(state: &OtpState, submitted: &str, now: DateTime<Utc>) -> OtpCheck {
    if state.consumed || state.wrong_attempts >= OTP_MAX_WRONG {
        return OtpCheck::Locked;
    }
    if now - state.created_at >= Duration::seconds(OTP_TTL_SECS) {
        return OtpCheck::Expired;
    }
    let submitted = submitted.trim();
    let equal: bool = submitted.len() == state.code.len()
        && bool::from(submitted.as_bytes().ct_eq(state.code.as_bytes()));
    if equal {
        OtpCheck::Accepted
    } else {
        OtpCheck::Wrong {
            remaining: OTP_MAX_WRONG - state.wrong_attempts - 1,
        }
    }
}

/// The error a non-accepted check becomes at the boundary.
pub fn otp_error(check: &OtpCheck) -> Option<LobbyError> {
    match check {
        OtpCheck::Accepted => None,
        OtpCheck::Wrong { remaining: 0 } => Some(LobbyError::new(
            ErrorCode::OtpInvalid,
            "wrong code; it is now void, ask for a new one",
        )),
        OtpCheck::Wrong { remaining } => Some(LobbyError::new(
            ErrorCode::OtpInvalid,
            format!("wrong code; {remaining} tries left"),
        )),
        OtpCheck::Expired => Some(LobbyError::new(
            ErrorCode::OtpExpired,
            "the code has expired; ask for a new one",
        )),
        OtpCheck::Locked => Some(LobbyError::new(
            ErrorCode::OtpLocked,
            "this code is void (used, or too many wrong tries); ask for a new one",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    fn state() -> OtpState {
        OtpState {
            code: "123456".into(),
            created_at: t(0),
            wrong_attempts: 0,
            consumed: false,
        }
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = generate_otp_code();
            assert_eq!(c.len(), OTP_DIGITS);
            assert!(c.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn right_code_within_five_minutes_is_accepted() {
        assert_eq!(check_otp(&state(), "123456", t(299)), OtpCheck::Accepted);
        assert_eq!(check_otp(&state(), " 123456 ", t(10)), OtpCheck::Accepted);
    }

    #[test]
    fn code_expires_after_five_minutes() {
        assert_eq!(check_otp(&state(), "123456", t(300)), OtpCheck::Expired);
    }

    #[test]
    fn fifth_wrong_try_voids_the_code_and_the_right_one_is_then_locked() {
        let mut s = state();
        for i in 0..OTP_MAX_WRONG {
            let c = check_otp(&s, "000000", t(1));
            assert_eq!(
                c,
                OtpCheck::Wrong {
                    remaining: OTP_MAX_WRONG - i - 1
                }
            );
            s.wrong_attempts += 1;
        }
        assert_eq!(check_otp(&s, "123456", t(2)), OtpCheck::Locked);
        assert_eq!(
            otp_error(&OtpCheck::Locked).unwrap().code,
            ErrorCode::OtpLocked
        );
    }

    #[test]
    fn used_code_cannot_be_used_again() {
        let mut s = state();
        s.consumed = true;
        assert_eq!(check_otp(&s, "123456", t(1)), OtpCheck::Locked);
    }

    #[test]
    fn resend_waits_sixty_seconds() {
        assert!(check_send_allowed(&[], t(0)).is_ok());
        let e = check_send_allowed(&[t(0)], t(59)).unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited);
        assert!(check_send_allowed(&[t(0)], t(60)).is_ok());
    }

    #[test]
    fn retry_after_says_how_long_a_refusal_lasts() {
        let d = &DESTINATION_LIMITS;
        assert_eq!(send_retry_after_secs(d, &[], t(0)), None);
        assert_eq!(send_retry_after_secs(d, &[t(0)], t(45)), Some(15));
        assert_eq!(send_retry_after_secs(d, &[t(0)], t(60)), None);
    }

    #[test]
    fn at_most_five_an_hour_and_ten_a_day() {
        let hour: Vec<_> = (0..5).map(|i| t(i * 61)).collect();
        assert!(check_send_allowed(&hour, t(5 * 61)).is_err());
        assert!(check_send_allowed(&hour, t(3600)).is_ok());
        let day: Vec<_> = (0..10).map(|i| t(i * 3600)).collect();
        assert!(check_send_allowed(&day, t(10 * 3600)).is_err());
        assert!(check_send_allowed(&day, t(86_400)).is_ok());
    }

    #[test]
    fn an_address_shared_by_a_building_is_limited_loosely_and_without_a_gap() {
        let a = &ADDRESS_LIMITS;
        // Thirty residents behind one NAT address asking within one minute: all served.
        let burst: Vec<_> = (0..30).map(t).collect();
        assert!(check_send_within(a, &burst, t(30)).is_ok());
        let hour: Vec<_> = (0..60).map(|i| t(i * 10)).collect();
        assert!(check_send_within(a, &hour, t(600)).is_err());
        assert!(check_send_within(a, &hour, t(3600)).is_ok());
        let day: Vec<_> = (0..300).map(|i| t(i * 280)).collect();
        assert!(check_send_within(a, &day, t(84_000)).is_err());
        // The destination rule stays strict: a second code within a minute is refused.
        assert!(check_send_allowed(&[t(0)], t(30)).is_err());
    }
}
