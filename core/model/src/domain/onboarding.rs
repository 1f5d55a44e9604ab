//! Onboarding tokens and the QR payload that carries them (DESIGN.md §2.1).
//!
//! The juristic office hands each owner a QR per unit. Its text is
//! `LOBBY:ONBOARD:1:<token>:<expires>:<check>` — only QR "alphanumeric mode" characters,
//! so the code stays small and any scanner reads it:
//! - `token`: 20 random bytes (160 bits) in Crockford base32, never derived from the unit
//!   or the owner; the server stores only its digest;
//! - `expires`: Unix seconds, so the phone can refuse an expired QR with no network;
//! - `check`: 8 characters of a SHA-256 over the rest, so a mistyped or altered payload
//!   is refused before any network call. It is not a signature: the server's lookup of
//!   the token is what proves it.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::secret_token::{crockford, random_secret};
use crate::error::{ErrorCode, LobbyError, Result};

pub const ONBOARDING_PREFIX: &str = "LOBBY:ONBOARD";
pub const ONBOARDING_VERSION: u32 = 1;
pub const ONBOARDING_TOKEN_BYTES: usize = 20;
pub const ONBOARDING_DEFAULT_TTL_DAYS: i64 = 30;
/// Payloads longer than this are refused unparsed.
pub const MAX_PAYLOAD_LEN: usize = 512;

/// A parsed, well-formed onboarding payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingPayload {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl OnboardingPayload {
    /// A new random token valid for `ttl`.
    pub fn issue(now: DateTime<Utc>, ttl: Duration) -> OnboardingPayload {
        let expires = now + ttl;
        OnboardingPayload {
            token: random_secret(ONBOARDING_TOKEN_BYTES),
            // Whole seconds, as the payload carries them.
            expires_at: DateTime::from_timestamp(expires.timestamp(), 0).unwrap_or(expires),
        }
    }

    /// The text put in the QR.
    pub fn encode(&self) -> String {
        let body = format!(
            "{ONBOARDING_PREFIX}:{ONBOARDING_VERSION}:{}:{}",
            self.token,
            self.expires_at.timestamp()
        );
        format!("{body}:{}", check_of(&body))
    }

    /// Parses and checks a scanned payload: format, version, checksum. Expiry is checked
    /// separately by [`OnboardingPayload::check_not_expired`] so a server can tell
    /// "expired" from "malformed" with its own clock.
    pub fn parse(text: &str) -> Result<OnboardingPayload> {
        let invalid = |why: &str| {
            LobbyError::new(
                ErrorCode::OnboardingTokenInvalid,
                format!("this is not a valid Lobby onboarding QR ({why})"),
            )
        };
        let text = text.trim();
        if text.len() > MAX_PAYLOAD_LEN {
            return Err(invalid("too long"));
        }
        let rest = text
            .strip_prefix(ONBOARDING_PREFIX)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or_else(|| invalid("unknown format"))?;
        let parts: Vec<&str> = rest.split(':').collect();
        let [version, token, expires, check] = parts.as_slice() else {
            return Err(invalid("wrong number of fields"));
        };
        if version.parse::<u32>().ok() != Some(ONBOARDING_VERSION) {
            return Err(invalid("unsupported version; update the app"));
        }
        let body = format!("{ONBOARDING_PREFIX}:{version}:{token}:{expires}");
        if check_of(&body) != *check {
            return Err(invalid("checksum mismatch"));
        }
        let decoded = crockford()
            .decode(token.as_bytes())
            .map_err(|_| invalid("token is not base32"))?;
        if decoded.len() != ONBOARDING_TOKEN_BYTES {
            return Err(invalid("token has the wrong length"));
        }
        let secs: i64 = expires.parse().map_err(|_| invalid("bad expiry"))?;
        let expires_at = DateTime::from_timestamp(secs, 0).ok_or_else(|| invalid("bad expiry"))?;
        Ok(OnboardingPayload {
            token: (*token).to_string(),
            expires_at,
        })
    }

    pub fn check_not_expired(&self, now: DateTime<Utc>) -> Result<()> {
        if now >= self.expires_at {
            Err(LobbyError::new(
                ErrorCode::OnboardingTokenExpired,
                "this onboarding QR has expired; ask the juristic office for a new one",
            ))
        } else {
            Ok(())
        }
    }

    /// Parse and expiry check together: what the phone does before any network call.
    pub fn parse_and_check(text: &str, now: DateTime<Utc>) -> Result<OnboardingPayload> {
        let p = Self::parse(text)?;
        p.check_not_expired(now)?;
        Ok(p)
    }
}

fn check_of(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    crockford().encode(&digest[..5])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn issued_payload_round_trips() {
        let p = OnboardingPayload::issue(now(), Duration::days(30));
        let text = p.encode();
        assert!(text.starts_with("LOBBY:ONBOARD:1:"));
        assert_eq!(OnboardingPayload::parse_and_check(&text, now()).unwrap(), p);
    }

    #[test]
    fn payload_uses_only_qr_alphanumeric_characters() {
        let text = OnboardingPayload::issue(now(), Duration::days(30)).encode();
        assert!(text
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || c == ':'));
    }

    #[test]
    fn tampered_payload_is_invalid() {
        let text = OnboardingPayload::issue(now(), Duration::days(30)).encode();
        // Change one character of the token.
        let mut chars: Vec<char> = text.chars().collect();
        let i = "LOBBY:ONBOARD:1:".len() + 3;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        let e = OnboardingPayload::parse(&tampered).unwrap_err();
        assert_eq!(e.code, ErrorCode::OnboardingTokenInvalid);
        // Extend the expiry.
        let p = OnboardingPayload::parse(&text).unwrap();
        let longer = text.replace(
            &p.expires_at.timestamp().to_string(),
            &(p.expires_at.timestamp() + 86_400).to_string(),
        );
        assert_eq!(
            OnboardingPayload::parse(&longer).unwrap_err().code,
            ErrorCode::OnboardingTokenInvalid
        );
    }

    #[test]
    fn expired_payload_is_refused_offline() {
        let p = OnboardingPayload::issue(now(), Duration::days(1));
        let e =
            OnboardingPayload::parse_and_check(&p.encode(), now() + Duration::days(1)).unwrap_err();
        assert_eq!(e.code, ErrorCode::OnboardingTokenExpired);
    }

    #[test]
    fn garbage_is_invalid_not_a_panic() {
        for bad in [
            "",
            "hello",
            "LOBBY:ONBOARD",
            "LOBBY:ONBOARD:2:AAAA:1:XXXX",
            "LOBBY:ONBOARD:1:::",
            "LOBBY:ONBOARD:1:ก:ข:ค",
            &"X".repeat(10_000),
        ] {
            assert_eq!(
                OnboardingPayload::parse(bad).unwrap_err().code,
                ErrorCode::OnboardingTokenInvalid
            );
        }
    }
}
