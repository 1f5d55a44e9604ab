//! The signed-in person's own account: changing the login e-mail by a code sent to the
//! new address (`crate::email_change`), and the list of their signed-in devices
//! (`crate::sessions::list_sessions`; signing one out is `POST /v1/auth/logout`).
//! Display-name edits are mutations (push).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::domain::contact::{normalize_email, Destination};
use lobby_model::protocol::{
    ApiError, EmailChangeRequest, Empty, OtpSent, OtpVerifyRequest, SessionList,
};

use super::auth::check_verify_request;
use super::extract::{check_len, ApiJson, Authed, ClientIp};
use crate::config::MAX_LOGIN_ID_BYTES;
use crate::email_change::{complete_email_change, PendingEmailChange};
use crate::error::AppResult;
use crate::otp::{code_digest, issue, Issue};
use crate::otp_requests::pending_json;
use crate::otp_sender::{Notice, NoticeKind, OtpPurpose};
use crate::state::AppState;

/// Sends a code to the new address. Whether the address is free is judged when the code
/// comes back (answering here would tell anyone which addresses have accounts).
#[utoipa::path(post, path = "/v1/me/email", tag = "auth",
    request_body = EmailChangeRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "email_invalid | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn request_email_change(
    State(state): State<AppState>,
    Authed(session): Authed,
    ClientIp(client): ClientIp,
    ApiJson(req): ApiJson<EmailChangeRequest>,
) -> AppResult<Json<OtpSent>> {
    check_len("email", &req.email, MAX_LOGIN_ID_BYTES)?;
    let email = normalize_email(&req.email)?;
    let sent = issue(
        &state,
        Issue {
            purpose: OtpPurpose::EmailChange,
            destination: Destination::Email(email.clone()),
            client,
            person_id: Some(session.person_id.clone()),
            pending: pending_json(&PendingEmailChange {
                person_id: session.person_id,
                email,
            })?,
            deliver: true,
        },
    )
    .await?;
    Ok(Json(sent))
}

/// Checks the code sent to the new address and makes it the login e-mail; the old
/// address is told.
#[utoipa::path(post, path = "/v1/me/email/verify", tag = "auth",
    request_body = OtpVerifyRequest,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "otp_invalid | otp_expired | otp_locked | no_pending_otp | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 409, description = "conflict (the address belongs to another account)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn verify_email_change(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiJson(req): ApiJson<OtpVerifyRequest>,
) -> AppResult<Json<Empty>> {
    check_verify_request(&req)?;
    let digest = code_digest(&state.key, &req.request_id, &req.code);
    let now = Utc::now();
    let person_id = session.person_id.clone();
    let changed = state
        .db(move |s| complete_email_change(s, &person_id, &req.request_id, &digest, now))
        .await?;
    if let Some(old) = changed.old_email {
        state.sender.notify(Notice {
            to: old,
            kind: NoticeKind::EmailChanged,
        });
    }
    tracing::info!(person_id = %session.person_id, "login e-mail changed");
    Ok(Json(Empty {}))
}

/// The person's signed-in devices: one entry per sign-in not signed out and not expired,
/// the most recently seen first, the caller's own marked `current`. Only the caller's
/// person's sign-ins; `last_seen` is exact to the access token's lifetime (15 minutes).
#[utoipa::path(get, path = "/v1/me/sessions", tag = "auth",
    responses(
        (status = 200, body = SessionList),
        (status = 401, description = "unauthorized", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> AppResult<Json<SessionList>> {
    let now = Utc::now();
    let sessions = state
        .db(move |s| crate::sessions::list_sessions(s, &session.person_id, &session.family_id, now))
        .await?;
    Ok(Json(SessionList { sessions }))
}
