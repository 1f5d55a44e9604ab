//! Session tokens (DESIGN.md §2.2): a short-lived access token and a rotating refresh
//! token, both random, kept server-side only as digests.
//!
//! A session *family* is one sign-in: each refresh makes a new session row in the same
//! family and voids the old one. Presenting a voided refresh token means it was copied,
//! so storage revokes the whole family.

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::secret_token::{random_secret, secret_digest};
use lobby_model::protocol::SessionGrant;

pub const ACCESS_TTL_MINUTES: i64 = 15;
pub const REFRESH_TTL_DAYS: i64 = 30;
/// Random bytes per token (256 bits).
pub const TOKEN_BYTES: usize = 32;

/// A freshly minted pair: the secrets (for the client, once) and their digests (for
/// storage).
#[derive(Clone)]
pub struct NewSession {
    pub id: String,
    pub access_token: String,
    pub access_digest: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_digest: String,
    pub refresh_expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl NewSession {
    pub fn generate(now: DateTime<Utc>) -> NewSession {
        let access_token = random_secret(TOKEN_BYTES);
        let refresh_token = random_secret(TOKEN_BYTES);
        NewSession {
            id: uuid::Uuid::now_v7().to_string(),
            access_digest: secret_digest(&access_token),
            refresh_digest: secret_digest(&refresh_token),
            access_token,
            refresh_token,
            access_expires_at: now + Duration::minutes(ACCESS_TTL_MINUTES),
            refresh_expires_at: now + Duration::days(REFRESH_TTL_DAYS),
        }
    }

    pub fn grant(&self, person_id: String) -> SessionGrant {
        SessionGrant {
            person_id,
            access_token: self.access_token.clone(),
            access_expires_at: self.access_expires_at,
            refresh_token: self.refresh_token.clone(),
            refresh_expires_at: self.refresh_expires_at,
        }
    }
}

/// Who a valid access token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub session_id: String,
    pub family_id: String,
    pub person_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_digests_are_kept_apart() {
        let now = Utc::now();
        let a = NewSession::generate(now);
        let b = NewSession::generate(now);
        assert_ne!(a.access_token, b.access_token);
        assert_ne!(a.access_token, a.refresh_token);
        assert_eq!(a.access_digest, secret_digest(&a.access_token));
        assert_eq!(a.access_expires_at - now, Duration::minutes(15));
        assert_eq!(a.refresh_expires_at - now, Duration::days(30));
        assert!(!format!("{a:?}").contains(&a.access_token));
    }
}
