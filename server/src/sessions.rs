//! Session tokens (DESIGN.md §2.2): a short-lived access token and a rotating refresh
//! token, both random, kept server-side only as digests.
//!
//! A session *family* is one sign-in: each refresh makes a new session row in the same
//! family and voids the old one. Presenting a voided refresh token means it was copied,
//! so the whole family is revoked — unless it is a *retry*: the answer to a refresh can
//! be lost (the app killed, a lift with no signal) and the phone then presents the same
//! token again. Within [`REFRESH_RETRY_GRACE_SECS`] of its rotation, while the session
//! that rotation made was never itself rotated, the token is answered again with a new
//! pair, and that unused successor is voided. Outside the window a voided token still
//! revokes the family, and a copy used inside it only displaces the real phone, whose next
//! refresh (with a voided token, later) revokes the family for both.
//!
//! The decisions (is an access token still valid, may this refresh token rotate, does a
//! reuse revoke the family, which sign-ins are listed) are made here; storage only reads
//! and writes session rows.
//!
//! **Devices** (issue 11: "which device, last seen"). A sign-in keeps the label its
//! device sent (`domain::device_label`, checked by the server: a refused or missing label
//! is `None`, an unknown device, and never fails the sign-in), and every rotation copies
//! it. [`list_sessions`] shows one entry per usable family. Its `last_seen` is the
//! family's newest row — the sign-in or the last refresh — so it is exact to the access
//! token's lifetime ([`ACCESS_TTL_MINUTES`]): a device refreshes only once its access
//! token has expired, and is never seen later than that after `last_seen` without a new
//! row. No request writes anything just to keep it fresher.

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::secret_token::{random_secret, secret_digest};
use lobby_model::protocol::{SessionEntry, SessionGrant};

use crate::error::{AppError, AppResult};
use crate::storage::{NewSessionRow, Storage, Tx};

pub const ACCESS_TTL_MINUTES: i64 = 15;
pub const REFRESH_TTL_DAYS: i64 = 30;
/// Random bytes per token (256 bits).
pub const TOKEN_BYTES: usize = 32;
/// How long after a rotation the rotated refresh token is still answered as a retry.
pub const REFRESH_RETRY_GRACE_SECS: i64 = 60;

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
    /// The label of the device signing in, already checked (`None`: unknown device).
    /// Personal data: never logged with the person.
    pub device: Option<String>,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl NewSession {
    /// A new pair for a sign-in from `device` (a rotation passes `None`: the family's
    /// label is carried over from its row).
    pub fn generate(now: DateTime<Utc>, device: Option<String>) -> NewSession {
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
            device,
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

impl NewSession {
    /// The row storing this pair (digests only) for `person_id` in `family_id`, made on
    /// `device`. The one place session rows are made: every sign-in path (OTP, password,
    /// onboarding, invitation) and every rotation comes through here.
    fn row(
        &self,
        person_id: &str,
        family_id: &str,
        device: Option<&str>,
        now: DateTime<Utc>,
    ) -> NewSessionRow {
        NewSessionRow {
            id: self.id.clone(),
            family_id: family_id.to_string(),
            person_id: person_id.to_string(),
            access_digest: self.access_digest.clone(),
            access_expires_at: self.access_expires_at,
            refresh_digest: self.refresh_digest.clone(),
            refresh_expires_at: self.refresh_expires_at,
            created_at: now,
            device: device.map(str::to_string),
        }
    }
}

/// Starts a new session family for the person, inside the caller's unit of work (a
/// sign-in that also changes other rows commits them with its session).
pub fn start_session(
    tx: &mut dyn Tx,
    person_id: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let device = session.device.as_deref();
    tx.insert_session(&session.row(person_id, &session.id, device, now))
}

/// Starts a new session family (password sign-in).
pub fn create_session(
    db: &dyn Storage,
    person_id: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| start_session(tx, person_id, session, now))
}

/// Who a valid access token belongs to: unexpired, not rotated away, not revoked.
pub fn session_by_access(
    db: &dyn Storage,
    access_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<SessionInfo>> {
    db.read(|tx| {
        Ok(tx
            .session_by_access(access_digest)?
            .filter(|s| !s.revoked && !s.rotated() && s.access_expires_at > now)
            .map(|s| SessionInfo {
                session_id: s.id,
                family_id: s.family_id,
                person_id: s.person_id,
            }))
    })
}

/// Rotates a refresh token: the presented one is voided and `session` takes its place in
/// the family; returns the person. A voided token revokes the whole family (that
/// revocation is kept although the answer is `unauthorized`), unless it is a retry of a
/// refresh whose answer was lost (see the module docs).
pub fn rotate_refresh(
    db: &dyn Storage,
    refresh_digest: &str,
    session: &NewSession,
    now: DateTime<Utc>,
) -> AppResult<String> {
    db.write_then(|tx| {
        let Some(old) = tx.session_by_refresh(refresh_digest)? else {
            return Ok(Err(AppError::unauthorized()));
        };
        if old.revoked || old.refresh_expires_at <= now {
            return Ok(Err(AppError::unauthorized()));
        }
        if let Some(rotated_at) = old.rotated_at {
            let unused_successor = match &old.replaced_by {
                Some(id) => tx
                    .session(id)?
                    .filter(|s| !s.revoked && !s.rotated())
                    .map(|s| s.id),
                None => None,
            };
            let in_window = now - rotated_at <= Duration::seconds(REFRESH_RETRY_GRACE_SECS);
            let Some(successor) = unused_successor.filter(|_| in_window) else {
                // A refresh token used twice was copied: end the whole sign-in.
                end_family(tx, &old.family_id, now)?;
                tracing::warn!(family_id = %old.family_id, "refresh token reused; session family revoked");
                return Ok(Err(AppError::unauthorized()));
            };
            // A retry: the successor's answer never arrived; this answer replaces it.
            tx.mark_session_rotated(&successor, &session.id, now)?;
            tracing::info!(family_id = %old.family_id, "refresh retried; answered again");
        }
        tx.mark_session_rotated(&old.id, &session.id, now)?;
        let device = old.device.as_deref();
        tx.insert_session(&session.row(&old.person_id, &old.family_id, device, now))?;
        Ok(Ok(old.person_id))
    })
}

/// Ends one sign-in: its sessions and the device key it registered (a phone signed out
/// can make no pickup pass).
fn end_family(tx: &mut dyn Tx, family_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    tx.revoke_session_family(family_id, now)?;
    tx.revoke_family_device_keys(family_id, None, now)
}

/// Signs one sign-in out (every session of the family, and its device key).
pub fn revoke_family(db: &dyn Storage, family_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    db.write(|tx| end_family(tx, family_id, now))
}

/// Ends every sign-in of the person: all their sessions and device keys (log out
/// everywhere, a misuse report, an erasure).
pub fn end_person_sign_ins(tx: &mut dyn Tx, person_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    tx.revoke_person_sessions(person_id, now)?;
    tx.revoke_person_device_keys(person_id, now)
}

/// Signs the person out everywhere (every device key too).
pub fn revoke_person_sessions(
    db: &dyn Storage,
    person_id: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    db.write(|tx| end_person_sign_ins(tx, person_id, now))
}

/// The person's sign-ins that can still be used — not signed out, refresh token not
/// expired — one per family, the most recently seen first; `current_family` (the
/// caller's) is marked.
pub fn list_sessions(
    db: &dyn Storage,
    person_id: &str,
    current_family: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<SessionEntry>> {
    let families = db.read(|tx| tx.person_session_families(person_id))?;
    let mut listed: Vec<SessionEntry> = families
        .into_iter()
        .filter(|f| !f.revoked && f.refresh_expires_at > now)
        .map(|f| SessionEntry {
            current: f.family_id == current_family,
            session_id: f.family_id,
            device: f.device,
            signed_in_at: f.signed_in_at,
            last_seen: f.last_seen,
        })
        .collect();
    listed.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| b.session_id.cmp(&a.session_id))
    });
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_digests_are_kept_apart() {
        let now = Utc::now();
        let a = NewSession::generate(now, Some("Pixel 8".into()));
        let b = NewSession::generate(now, None);
        assert_ne!(a.access_token, b.access_token);
        assert_ne!(a.access_token, a.refresh_token);
        assert_eq!(a.access_digest, secret_digest(&a.access_token));
        assert_eq!(a.access_expires_at - now, Duration::minutes(15));
        assert_eq!(a.refresh_expires_at - now, Duration::days(30));
        assert!(!format!("{a:?}").contains(&a.access_token));
        assert!(
            !format!("{a:?}").contains("Pixel"),
            "the label is personal data"
        );
    }
}
