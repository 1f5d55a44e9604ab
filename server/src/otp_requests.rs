//! Requested one-time codes: stored under the send limits, checked once.
//!
//! - Sending: `domain::otp::check_send_allowed` per destination and, unless exempt, per
//!   client address, counted in the unit of work that stores the new request (so
//!   concurrent requests cannot both take the last place).
//! - Checking: `domain::otp::check_otp`; a wrong try is counted and must be committed
//!   although the verify fails, so callers run [`check_code`] under `write_then` and
//!   return its inner `Err` as the answer. A right code is consumed in the same unit of
//!   work as whatever it confirms.

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::otp::{
    check_otp, check_send_allowed, otp_error, send_retry_after_secs, OtpCheck, OtpState,
};
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::invites::PendingInvite;
use crate::onboarding::PendingOnboarding;
use crate::otp_sender::OtpPurpose;
use crate::storage::{NewOtpRow, Storage, StoredOtp, Tx};

/// One issued code, about to be stored.
#[derive(Debug, Clone)]
pub struct NewOtpRequest {
    pub id: String,
    pub purpose: OtpPurpose,
    /// Normalised destination.
    pub destination: String,
    pub client_addr: String,
    /// Whether the per-client-address limit applies.
    pub limit_client: bool,
    pub code_digest: String,
    pub created_at: DateTime<Utc>,
    /// The account a login code is for; `None` for an unknown destination (the code is
    /// then never delivered and can never be verified).
    pub person_id: Option<String>,
    pub pending: Option<PendingOnboarding>,
    /// For `invite_accept` codes: the acceptance waiting for the code.
    pub invite: Option<PendingInvite>,
}

/// Stores a code after applying the send limits (`rate_limited` with a retry time).
pub fn create_otp_request(db: &dyn Storage, r: &NewOtpRequest) -> AppResult<()> {
    let pending = match (&r.pending, &r.invite) {
        (Some(p), _) => Some(serde_json::to_string(p)?),
        (None, Some(i)) => Some(serde_json::to_string(i)?),
        (None, None) => None,
    };
    let now = r.created_at;
    let since = now - Duration::days(1);
    db.write(|tx| {
        let mut limited = vec![tx.otp_sends_to(&r.destination, since)?];
        if r.limit_client {
            limited.push(tx.otp_sends_from(&r.client_addr, since)?);
        }
        for earlier in &limited {
            if let Err(e) = check_send_allowed(earlier, now) {
                let secs = send_retry_after_secs(earlier, now).unwrap_or(1);
                return Err(AppError::rate_limited(e.message, secs));
            }
        }
        tx.insert_otp_request(&NewOtpRow {
            id: r.id.clone(),
            purpose: r.purpose.as_str().to_string(),
            destination: r.destination.clone(),
            client_addr: r.client_addr.clone(),
            code_digest: r.code_digest.clone(),
            created_at: now,
            person_id: r.person_id.clone(),
            pending: pending.clone(),
        })
    })
}

pub(crate) fn no_pending() -> AppError {
    AppError::new(
        ErrorCode::NoPendingOtp,
        "no code was requested with this request id; ask for a code first",
    )
}

/// Loads the request and checks the code, counting a wrong try, consuming a right one.
/// The inner `Err` is the answer for a refused code (the wrong-try count must be
/// committed). A request made for another purpose than `purposes` is unknown here.
pub fn check_code(
    tx: &mut dyn Tx,
    request_id: &str,
    purposes: &[OtpPurpose],
    code_digest: &str,
    now: DateTime<Utc>,
) -> AppResult<Result<StoredOtp, AppError>> {
    let Some(otp) = tx.otp_request(request_id)? else {
        return Ok(Err(no_pending()));
    };
    if !purposes.iter().any(|p| p.as_str() == otp.purpose) {
        return Ok(Err(no_pending()));
    }
    let state = OtpState {
        code: otp.code_digest.clone(),
        created_at: otp.created_at,
        wrong_attempts: otp.wrong_attempts,
        consumed: otp.consumed,
    };
    let check = check_otp(&state, code_digest, now);
    if matches!(check, OtpCheck::Wrong { .. }) {
        tx.count_wrong_otp_attempt(request_id)?;
    }
    if let Some(e) = otp_error(&check) {
        return Ok(Err(e.into()));
    }
    if !tx.mark_otp_consumed(request_id, now)? {
        return Ok(Err(otp_error(&OtpCheck::Locked)
            .unwrap_or_else(|| no_pending().error)
            .into()));
    }
    Ok(Ok(otp))
}

/// What the code confirms, as the caller stored it in the request.
pub fn pending_of<T: serde::de::DeserializeOwned>(otp: &StoredOtp, what: &str) -> AppResult<T> {
    match &otp.pending {
        Some(p) => Ok(serde_json::from_str(p)?),
        None => Err(AppError::server(what, "code without what it confirms")),
    }
}
