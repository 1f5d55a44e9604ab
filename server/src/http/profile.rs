//! The signed-in person's own account: changing the login e-mail or the phone number by
//! a code sent to the new one (`crate::contact_change`), and the list of their signed-in devices
//! (`crate::sessions::list_sessions`; signing one out is `POST /v1/auth/logout`).
//! Display-name edits are mutations (push).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::domain::contact::{normalize_email, normalize_thai_phone, Destination};
use lobby_model::protocol::{
    ApiError, EmailChangeRequest, Empty, OtpSent, OtpVerifyRequest, PhoneChangeRequest, SessionList,
};

use super::auth::check_verify_request;
use super::extract::{check_len, ApiJson, Authed, ClientIp};
use crate::config::MAX_LOGIN_ID_BYTES;
use crate::contact_change::{
    check_may_change, complete_contact_change, NewContact, PendingContactChange,
};
use crate::error::AppResult;
use crate::otp::{code_digest, issue, Issue};
use crate::otp_requests::pending_json;
use crate::otp_sender::{Notice, NoticeKind, OtpPurpose};
use crate::sessions::SessionInfo;
use crate::state::AppState;

/// Sends the change code to the new contact, after checking the sign-in is fresh.
/// Whether the contact is free is judged when the code comes back (answering here would
/// tell anyone which contacts have accounts).
async fn request_change(
    state: &AppState,
    session: SessionInfo,
    client: std::net::IpAddr,
    contact: NewContact,
) -> AppResult<Json<OtpSent>> {
    let now = Utc::now();
    let family = session.family_id.clone();
    state.db(move |s| check_may_change(s, &family, now)).await?;
    let sent = issue(
        state,
        Issue {
            purpose: contact.purpose(),
            destination: contact.destination(),
            client,
            person_id: Some(session.person_id.clone()),
            pending: pending_json(&PendingContactChange {
                person_id: session.person_id,
                contact,
            })?,
            deliver: true,
        },
    )
    .await?;
    Ok(Json(sent))
}

/// Checks a change code of `purpose` and makes the contact the person's; the old one is
/// told.
async fn verify_change(
    state: &AppState,
    session: SessionInfo,
    purpose: OtpPurpose,
    req: OtpVerifyRequest,
) -> AppResult<Json<Empty>> {
    check_verify_request(&req)?;
    let digest = code_digest(&state.key, &req.request_id, &req.code);
    let now = Utc::now();
    let person_id = session.person_id.clone();
    let changed = state
        .db(move |s| complete_contact_change(s, &person_id, purpose, &req.request_id, &digest, now))
        .await?;
    if let Some(old) = changed.old {
        let kind = match old {
            Destination::Email(_) => NoticeKind::EmailChanged,
            Destination::Phone(_) => NoticeKind::PhoneChanged,
        };
        state.sender.notify(Notice {
            to: old.as_str().to_string(),
            kind,
        });
    }
    tracing::info!(person_id = %session.person_id, purpose = purpose.as_str(), "sign-in contact changed");
    Ok(Json(Empty {}))
}

/// Sends a code to the new address.
#[utoipa::path(post, path = "/v1/me/email", tag = "auth",
    request_body = EmailChangeRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "email_invalid | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "reauth_required (sign in again first)", body = ApiError),
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
    request_change(&state, session, client, NewContact::Email(email)).await
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
    verify_change(&state, session, OtpPurpose::EmailChange, req).await
}

/// Sends a code to the new phone number (the person's correction of their contact,
/// PDPA).
#[utoipa::path(post, path = "/v1/me/phone", tag = "auth",
    request_body = PhoneChangeRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "phone_invalid | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "reauth_required (sign in again first)", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn request_phone_change(
    State(state): State<AppState>,
    Authed(session): Authed,
    ClientIp(client): ClientIp,
    ApiJson(req): ApiJson<PhoneChangeRequest>,
) -> AppResult<Json<OtpSent>> {
    check_len("phone", &req.phone, MAX_LOGIN_ID_BYTES)?;
    let phone = normalize_thai_phone(&req.phone)?;
    request_change(&state, session, client, NewContact::Phone(phone)).await
}

/// Checks the code sent to the new number and makes it the person's phone (codes and
/// sign-in go there from now on); the old number is told.
#[utoipa::path(post, path = "/v1/me/phone/verify", tag = "auth",
    request_body = OtpVerifyRequest,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "otp_invalid | otp_expired | otp_locked | no_pending_otp | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 409, description = "conflict (the number belongs to another account or registry owner)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn verify_phone_change(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiJson(req): ApiJson<OtpVerifyRequest>,
) -> AppResult<Json<Empty>> {
    verify_change(&state, session, OtpPurpose::PhoneChange, req).await
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
