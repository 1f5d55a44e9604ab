//! Requested one-time codes: stored under the send limits, checked once, gone after.
//!
//! - Sending: `domain::otp::DESTINATION_LIMITS` per destination and, unless exempt,
//!   `ADDRESS_LIMITS` per client address, counted in the unit of work that stores the new
//!   request (so concurrent requests cannot both take the last place). Sends are counted
//!   under keys, never under the destination itself (`to:<keyed digest>`).
//! - Checking: `domain::otp::check_otp`; a wrong try is counted and must be committed
//!   although the verify fails, so callers run [`check_code`] under `write_then` and
//!   return its inner `Err` as the answer. A right code's request is deleted in the same
//!   unit of work as whatever it confirms.
//! - Leaving nothing behind: a request (its keyed digest, the person, what it confirms —
//!   an onboarding's password hash included) is deleted when used, and [`purge`] deletes
//!   expired ones and sends older than [`SEND_WINDOW`] (every issue calls it; the
//!   retention job, `crate::retention`, deletes the same rows every minute).

use chrono::{DateTime, Duration, Utc};
use lobby_model::domain::otp::{
    check_otp, check_send_within, otp_error, send_retry_after_secs, OtpCheck, OtpState, SendLimits,
    ADDRESS_LIMITS, DESTINATION_LIMITS, OTP_TTL_SECS,
};
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::otp_sender::OtpPurpose;
use crate::storage::{NewOtpRow, Storage, StoredOtp, Tx};

/// One issued code, about to be stored.
#[derive(Debug, Clone)]
pub struct NewOtpRequest {
    pub id: String,
    pub purpose: OtpPurpose,
    /// The destination's send-limit key (`to:<keyed digest>`).
    pub destination_key: String,
    /// The client address's send-limit key, unless the client is exempt.
    pub client_key: Option<String>,
    pub code_digest: String,
    pub created_at: DateTime<Utc>,
    /// The account a login code is for; `None` for an unknown destination (the code is
    /// then never delivered and can never be verified).
    pub person_id: Option<String>,
    /// What the code confirms, as JSON ([`pending_json`]): an onboarding registration, an
    /// invitation acceptance, an e-mail change.
    pub pending: Option<String>,
}

/// What a code confirms, as stored with it.
pub fn pending_json<T: serde::Serialize>(pending: &T) -> AppResult<Option<String>> {
    Ok(Some(serde_json::to_string(pending)?))
}

/// How long a send counts against the limits: the widest window of
/// `DESTINATION_LIMITS` and `ADDRESS_LIMITS` (so many a day).
pub const SEND_WINDOW: Duration = Duration::days(1);

/// Deletes expired requests and sends no limit counts any more; how many requests went.
pub fn purge(tx: &mut dyn Tx, now: DateTime<Utc>) -> AppResult<usize> {
    tx.purge_otp_sends(now - SEND_WINDOW)?;
    tx.purge_otp_requests(now - Duration::seconds(OTP_TTL_SECS))
}

/// Stores a code after applying the send limits (`rate_limited` with a retry time).
pub fn create_otp_request(db: &dyn Storage, r: &NewOtpRequest) -> AppResult<()> {
    let now = r.created_at;
    let since = now - SEND_WINDOW;
    db.write(|tx| {
        purge(tx, now)?;
        let mut limited: Vec<(&str, &SendLimits)> =
            vec![(r.destination_key.as_str(), &DESTINATION_LIMITS)];
        if let Some(client) = &r.client_key {
            limited.push((client, &ADDRESS_LIMITS));
        }
        for (key, limits) in &limited {
            let earlier = tx.otp_sends(key, since)?;
            if let Err(e) = check_send_within(limits, &earlier, now) {
                let secs = send_retry_after_secs(limits, &earlier, now).unwrap_or(1);
                return Err(AppError::rate_limited(e.message, secs));
            }
        }
        for (key, _) in &limited {
            tx.record_otp_send(key, now)?;
        }
        tx.insert_otp_request(&NewOtpRow {
            id: r.id.clone(),
            purpose: r.purpose.as_str().to_string(),
            code_digest: r.code_digest.clone(),
            created_at: now,
            person_id: r.person_id.clone(),
            pending: r.pending.clone(),
        })
    })
}

pub(crate) fn no_pending() -> AppError {
    AppError::new(
        ErrorCode::NoPendingOtp,
        "no code is waiting under this request id (it was used, has expired, or was never sent); ask for a new one",
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
        consumed: false,
    };
    let check = check_otp(&state, code_digest, now);
    match check {
        OtpCheck::Wrong { .. } => tx.count_wrong_otp_attempt(request_id)?,
        // Nothing of an expired request is kept.
        OtpCheck::Expired => {
            tx.delete_otp_request(request_id)?;
        }
        OtpCheck::Accepted | OtpCheck::Locked => {}
    }
    if let Some(e) = otp_error(&check) {
        return Ok(Err(e.into()));
    }
    if !tx.delete_otp_request(request_id)? {
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
