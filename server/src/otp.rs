//! Issuing a one-time code: make it (`domain::otp`), store its digest under the send
//! limits, hand it to the sender. Shared by onboarding, login and invitation acceptance
//! so all behave alike.
//!
//! The code is stored as a keyed digest of the request id and the code
//! (`server_key::Keyed::OtpCode`), binding it to the request that created it and useless
//! without the server's key. A login code for an unknown destination is made, stored and
//! limited like any other, but not delivered: the answer is the same either way.

use std::net::IpAddr;

use chrono::{Duration, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::otp::{generate_otp_code, OTP_RESEND_AFTER_SECS, OTP_TTL_SECS};
use lobby_model::protocol::OtpSent;

use crate::error::AppResult;
use crate::otp_requests::{create_otp_request, NewOtpRequest};
use crate::otp_sender::{OtpMessage, OtpPurpose};
use crate::server_key::{Keyed, ServerKey};
use crate::state::AppState;

/// The stored form of a code for a request.
pub fn code_digest(key: &ServerKey, request_id: &str, code: &str) -> String {
    key.digest(Keyed::OtpCode, &[request_id, code.trim()])
}

/// The send-limit key of a destination (`to:<keyed digest>`; the destination itself is
/// never stored with the limits).
pub fn destination_key(key: &ServerKey, destination: &Destination) -> String {
    format!(
        "to:{}",
        key.digest(Keyed::OtpDestination, &[destination.as_str()])
    )
}

pub struct Issue {
    pub purpose: OtpPurpose,
    pub destination: Destination,
    pub client: IpAddr,
    pub person_id: Option<String>,
    /// What the code confirms, as JSON (`otp_requests::pending_json`; read back with
    /// `otp_requests::pending_of`).
    pub pending: Option<String>,
    /// False for a login to an unknown destination.
    pub deliver: bool,
}

pub async fn issue(state: &AppState, issue: Issue) -> AppResult<OtpSent> {
    let now = Utc::now();
    let request_id = uuid::Uuid::now_v7().to_string();
    let code = generate_otp_code();
    let request = NewOtpRequest {
        id: request_id.clone(),
        purpose: issue.purpose,
        destination_key: destination_key(&state.key, &issue.destination),
        client_key: state
            .limit_client(issue.client)
            .then(|| format!("from:{}", issue.client)),
        code_digest: code_digest(&state.key, &request_id, &code),
        created_at: now,
        person_id: issue.person_id,
        pending: issue.pending,
    };
    state.db(move |s| create_otp_request(s, &request)).await?;
    if issue.deliver {
        state.sender.deliver(OtpMessage {
            request_id: request_id.clone(),
            to: issue.destination.as_str().to_string(),
            code,
            purpose: issue.purpose,
        });
    }
    tracing::info!(%request_id, purpose = issue.purpose.as_str(), "OTP issued");
    Ok(OtpSent {
        request_id,
        sent_to: issue.destination.masked(),
        expires_at: now + Duration::seconds(OTP_TTL_SECS),
        resend_after: now + Duration::seconds(OTP_RESEND_AFTER_SECS),
    })
}
