//! Sign-in and sessions (DESIGN.md §2.2): OTP login, password login, refresh rotation,
//! logout. No answer reveals whether an account exists.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::domain::contact::Destination;
use lobby_model::domain::secret_token::secret_digest;
use lobby_model::protocol::{
    ApiError, LoggedOut, LogoutRequest, OtpLoginRequest, OtpSent, OtpVerifyRequest,
    PasswordLoginRequest, RefreshRequest, SessionGrant,
};
use lobby_model::ErrorCode;

use super::extract::{check_len, from_object, ApiJson, Authed, ClientIp, DeviceLabel};
use crate::accounts::{login_account, login_destinations};
use crate::config::{MAX_LOGIN_ID_BYTES, MAX_PASSWORD_BYTES};
use crate::error::{AppError, AppResult};
use crate::otp::{code_digest, issue, Issue};
use crate::otp_sender::OtpPurpose;
use crate::passwords::verify_password;
use crate::privacy::requests::report_misuse;
use crate::sessions::{self, NewSession};
use crate::sign_in::complete_otp_login;
use crate::state::AppState;

/// Bounds on a verify request before any lookup.
pub(super) fn check_verify_request(req: &OtpVerifyRequest) -> AppResult<()> {
    check_len("request_id", &req.request_id, 64)?;
    check_len("code", &req.code, 16)?;
    Ok(())
}

/// Sends a login code. An unknown destination gets the same answer (and the same send
/// limits), but no code.
#[utoipa::path(post, path = "/v1/auth/otp", tag = "auth",
    request_body = OtpLoginRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "phone_invalid | email_invalid | invalid_input", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ))]
pub async fn otp_login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(req): ApiJson<OtpLoginRequest>,
) -> AppResult<Json<OtpSent>> {
    check_len("to", &req.to, MAX_LOGIN_ID_BYTES)?;
    let destination = Destination::parse(&req.to)?;
    let d = destination.clone();
    let account = state.db(move |s| login_account(s, &d)).await?;
    let deliver = account.is_some();
    let sent = issue(
        &state,
        Issue {
            purpose: OtpPurpose::Login,
            destination,
            client,
            person_id: account.map(|a| a.person_id),
            pending: None,
            deliver,
        },
    )
    .await?;
    Ok(Json(sent))
}

/// Checks a login code and starts a session. A code sent by `POST /v1/invites/accept`
/// also accepts the invitation (account, membership) in the same transaction.
#[utoipa::path(post, path = "/v1/auth/otp/verify", tag = "auth",
    request_body = OtpVerifyRequest,
    params(("Lobby-Device" = Option<String>, Header, nullable = false, description = "The label of the device signing in (e.g. `Pixel 8 · Android 15`), UTF-8 percent-encoded; shown in the person's session list. At most 64 characters under the one name rule; a label that fails is kept as no label (an unknown device) and never refuses the sign-in.")),
    responses(
        (status = 200, body = SessionGrant),
        (status = 400, description = "otp_invalid | otp_expired | otp_locked | no_pending_otp | invite_invalid | invite_revoked | invite_used | invite_expired | invalid_input", body = ApiError),
        (status = 409, description = "conflict (the phone's account is already a member of the invitation's unit)", body = ApiError),
    ))]
pub async fn otp_verify(
    State(state): State<AppState>,
    DeviceLabel(device): DeviceLabel,
    ApiJson(req): ApiJson<OtpVerifyRequest>,
) -> AppResult<Json<SessionGrant>> {
    check_verify_request(&req)?;
    let now = Utc::now();
    let session = NewSession::generate(now, device);
    let digest = code_digest(&state.key, &req.request_id, &req.code);
    let s = session.clone();
    let person_id = state
        .db(move |st| complete_otp_login(st, &req.request_id, &digest, &s, now))
        .await?;
    // The code proved the phone or mailbox: wrong passwords typed by others no longer
    // lock this account.
    let pid = person_id.clone();
    let destinations = state.db(move |st| login_destinations(st, &pid)).await?;
    state.password_attempts.unlock(&destinations);
    tracing::info!(%person_id, "signed in by OTP");
    Ok(Json(session.grant(person_id)))
}

fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorCode::InvalidCredentials,
        "wrong phone, e-mail or password",
    )
}

/// Password login. Unknown account and wrong password give the same answer in the same
/// time; failures are limited per account and address together, per account (lifted by
/// a verified OTP) and per address (`password_attempts`).
#[utoipa::path(post, path = "/v1/auth/password", tag = "auth",
    request_body = PasswordLoginRequest,
    params(("Lobby-Device" = Option<String>, Header, nullable = false, description = "The label of the device signing in (e.g. `Pixel 8 · Android 15`), UTF-8 percent-encoded; shown in the person's session list. At most 64 characters under the one name rule; a label that fails is kept as no label (an unknown device) and never refuses the sign-in.")),
    responses(
        (status = 200, body = SessionGrant),
        (status = 400, description = "invalid_input (missing or malformed body)", body = ApiError),
        (status = 401, description = "invalid_credentials", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ))]
pub async fn password_login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    DeviceLabel(device): DeviceLabel,
    ApiJson(req): ApiJson<PasswordLoginRequest>,
) -> AppResult<Json<SessionGrant>> {
    if req.to.len() > MAX_LOGIN_ID_BYTES || req.password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid_credentials());
    }
    let destination = Destination::parse(&req.to).map_err(|_| invalid_credentials())?;
    let now = std::time::Instant::now();
    let limit_client = state.limit_client(client);
    let attempts = state.password_attempts.clone();
    attempts.check(&destination, client, limit_client, now)?;
    let d = destination.clone();
    let account = state.db(move |s| login_account(s, &d)).await?;
    let (person_id, hash) = match account {
        Some(a) => (Some(a.person_id), a.password_hash),
        None => (None, None),
    };
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || verify_password(hash.as_deref(), &password))
        .await
        .map_err(|e| AppError::server("password check", e))?;
    let person_id = match (ok, person_id) {
        (true, Some(pid)) => pid,
        _ => {
            attempts.record_failure(&destination, client, limit_client, now);
            return Err(invalid_credentials());
        }
    };
    let started = Utc::now();
    let session = NewSession::generate(started, device);
    let (s, pid) = (session.clone(), person_id.clone());
    state
        .db(move |st| sessions::create_session(st, &pid, &s, started))
        .await?;
    tracing::info!(%person_id, "signed in by password");
    Ok(Json(session.grant(person_id)))
}

/// Rotates the refresh token. A voided one revokes the whole session.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, body = SessionGrant),
        (status = 400, description = "invalid_input (missing or malformed body)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> AppResult<Json<SessionGrant>> {
    if req.refresh_token.is_empty() || req.refresh_token.len() > 128 {
        return Err(AppError::unauthorized());
    }
    let digest = secret_digest(&req.refresh_token);
    let now = Utc::now();
    // The family keeps the label of its sign-in; a header here changes nothing.
    let session = NewSession::generate(now, None);
    let s = session.clone();
    let person_id = state
        .db(move |st| sessions::rotate_refresh(st, &digest, &s, now))
        .await?;
    Ok(Json(session.grant(person_id)))
}

/// Revokes this session, or with `everywhere` every session of the person; with
/// `report_misuse` too, also files a misuse report for the office in the same unit of
/// work (`privacy::requests::report_misuse`). An empty body (or `null`) counts as `{}`.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth",
    request_body = Option<LogoutRequest>,
    responses(
        (status = 200, body = LoggedOut),
        (status = 400, description = "invalid_input (malformed body, a misuse report without `everywhere`, a detail the text rule refuses)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Authed(session): Authed,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<LoggedOut>> {
    let body = body?;
    let req: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        match serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| AppError::invalid(format!("malformed JSON request: {e}")))?
        {
            serde_json::Value::Null => LogoutRequest::default(),
            value => from_object(value)?,
        }
    };
    let now = Utc::now();
    req.check()?;
    if req.report_misuse {
        let pid = session.person_id.clone();
        let reported = state
            .db(move |s| report_misuse(s, &pid, req.detail.as_deref(), now))
            .await?;
        tracing::warn!(person_id = %session.person_id, request_id = %reported.request_id, "misuse reported; every sign-in ended");
        return Ok(Json(LoggedOut {
            misuse_report: Some(reported),
        }));
    }
    if req.everywhere {
        let pid = session.person_id.clone();
        state
            .db(move |s| sessions::revoke_person_sessions(s, &pid, now))
            .await?;
    } else {
        let family = session.family_id.clone();
        state
            .db(move |s| sessions::revoke_family(s, &family, now))
            .await?;
    }
    tracing::info!(person_id = %session.person_id, everywhere = req.everywhere, "signed out");
    Ok(Json(LoggedOut::default()))
}
