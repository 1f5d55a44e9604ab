//! Accepting an invitation code (DESIGN.md §2.3). Creating and revoking codes and
//! removing members are mutations (`POST /v1/sync/push`); only acceptance has its own
//! endpoint, because the invitee has no account or session yet.
//!
//! The code is 50 bits, so guessing is what to stop: every attempt first checks the
//! wrong-code counts of the phone and (except a dev server's loopback clients, as for OTP
//! sends) of the client address, before the code is even looked at; a malformed or
//! unknown code adds to both. A usable code gets an OTP to the phone; verifying it at
//! `POST /v1/auth/otp/verify` does the rest in one transaction.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::domain::contact::{normalize_thai_phone, Destination};
use lobby_model::domain::invites::{check_invite_usable, normalize_invite_code};
use lobby_model::domain::profile::check_display_name;
use lobby_model::protocol::{ApiError, InviteAcceptRequest, OtpSent};
use lobby_model::ErrorCode;

use super::extract::{check_len, ApiJson, ClientIp};
use crate::config::{MAX_FIELD_BYTES, MAX_LOGIN_ID_BYTES};
use crate::error::{AppError, AppResult};
use crate::invites::{code_digest, guess_keys, invite_for_acceptance, PendingInvite};
use crate::otp::{issue, Issue};
use crate::otp_requests::pending_json;
use crate::otp_sender::OtpPurpose;
use crate::state::AppState;

/// Longest code text looked at (the QR form with separators is well under this).
const MAX_CODE_BYTES: usize = 64;

/// Checks an invitation code and sends an OTP to the invitee's phone.
#[utoipa::path(post, path = "/v1/invites/accept", tag = "invites",
    request_body = InviteAcceptRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "invite_invalid | invite_revoked | invite_used | invite_expired | phone_invalid | invalid_input", body = ApiError),
        (status = 429, description = "rate_limited (wrong codes per phone and per client address, or OTP sends)", body = ApiError),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(req): ApiJson<InviteAcceptRequest>,
) -> AppResult<Json<OtpSent>> {
    check_len("code", &req.code, MAX_CODE_BYTES)?;
    check_len("phone", &req.phone, MAX_LOGIN_ID_BYTES)?;
    // The phone is normalised first: guesses are counted per phone, and "081…" and
    // "+6681…" must be one key.
    if req.phone.trim().is_empty() {
        return Err(AppError::new(
            ErrorCode::PhoneInvalid,
            "a phone number is required",
        ));
    }
    let phone = normalize_thai_phone(&req.phone)?;
    let display_name = match req.name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => {
            check_len("name", n, MAX_FIELD_BYTES)?;
            Some(check_display_name(n)?)
        }
    };
    let keys = guess_keys(state.limit_client(client).then_some(client), &phone);
    // A malformed code is looked up as nothing: it counts as a wrong guess.
    let digest = normalize_invite_code(&req.code)
        .ok()
        .map(|c| code_digest(&state.key, &c));
    let now = Utc::now();
    let invite = state
        .db(move |s| invite_for_acceptance(s, digest.as_deref(), &keys, now))
        .await?;
    check_invite_usable(invite.state, invite.expires_at, now)?;
    let invite_id = invite.id.clone();
    let sent = issue(
        &state,
        Issue {
            purpose: OtpPurpose::InviteAccept,
            destination: Destination::Phone(phone.clone()),
            client,
            person_id: None,
            pending: pending_json(&PendingInvite {
                invite_id: invite.id,
                phone,
                display_name,
            })?,
            deliver: true,
        },
    )
    .await?;
    tracing::info!(%invite_id, request_id = %sent.request_id, "invitation code accepted; OTP sent");
    Ok(Json(sent))
}
