//! Owner onboarding by QR (DESIGN.md §2.1): preview the registration a QR stands for,
//! start (details + OTP), verify (the account, membership and session, atomically).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::domain::contact::{normalize_email, normalize_thai_phone, Destination};
use lobby_model::domain::onboarding::OnboardingPayload;
use lobby_model::domain::password::check_password_policy;
use lobby_model::domain::profile::check_display_name;
use lobby_model::domain::secret_token::secret_digest;
use lobby_model::protocol::{
    ApiError, OnboardingClaimRequest, OnboardingClaimed, OnboardingPreview,
    OnboardingPreviewRequest, OnboardingStartRequest, OtpSent, OtpVerifyRequest, SessionGrant,
};
use lobby_model::ErrorCode;

use super::auth::check_verify_request;
use super::extract::{check_len, ApiJson, Authed, ClientIp, DeviceLabel, MaybeAuthed};
use crate::accounts::person_destination;
use crate::config::{MAX_FIELD_BYTES, MAX_LOGIN_ID_BYTES, MAX_PASSWORD_BYTES};
use crate::error::{AppError, AppResult};
use crate::onboarding::{
    check_token_state, claim_onboarding, complete_onboarding, onboarding_target, unknown_token,
    OnboardingTarget, PendingMode, PendingOnboarding,
};
use crate::otp::{code_digest, issue, Issue};
use crate::otp_requests::pending_json;
use crate::otp_sender::OtpPurpose;
use crate::passwords::hash_password;
use crate::privacy::consents;
use crate::sessions::NewSession;
use crate::state::AppState;

/// Parses the payload and finds its still-usable token: `(token digest, target)`.
async fn usable_target(state: &AppState, payload: &str) -> AppResult<(String, OnboardingTarget)> {
    let parsed = OnboardingPayload::parse(payload)?;
    let digest = secret_digest(&parsed.token);
    let d = digest.clone();
    let target = state
        .db(move |s| onboarding_target(s, &d))
        .await?
        .ok_or_else(unknown_token)?;
    check_token_state(&target.token, Utc::now())?;
    Ok((digest, target))
}

/// What an onboarding QR stands for.
#[utoipa::path(post, path = "/v1/onboarding/preview", tag = "onboarding",
    request_body = OnboardingPreviewRequest,
    responses(
        (status = 200, body = OnboardingPreview),
        (status = 400, description = "onboarding_token_invalid | onboarding_token_expired | invalid_input", body = ApiError),
        (status = 409, description = "onboarding_token_used", body = ApiError),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<OnboardingPreviewRequest>,
) -> AppResult<Json<OnboardingPreview>> {
    let (_, t) = usable_target(&state, &req.payload).await?;
    let policies = state.db(|s| s.read(consents::in_force)).await?;
    Ok(Json(OnboardingPreview {
        project_id: t.project.id,
        project_name: t.project.name,
        project_kind: t.project.kind,
        unit_id: t.unit.id,
        unit_number: t.unit.number,
        owner_name: t.owner_name,
        ownership_ratio: t.unit.ownership_ratio,
        new_account: !t.owner_activated,
        policies,
    }))
}

/// Registration details, the answers to the documents in force, and the OTP. With a
/// session, the unit is added to that account and the code goes to its phone; otherwise
/// phone and password are required.
#[utoipa::path(post, path = "/v1/onboarding/start", tag = "onboarding",
    request_body = OnboardingStartRequest,
    responses(
        (status = 200, body = OtpSent),
        (status = 400, description = "onboarding_token_* | phone_invalid | email_invalid | password_* | invalid_input (a consent answer: unknown kind, malformed version, a kind answered twice, more than 3)", body = ApiError),
        (status = 401, description = "a bearer token was sent but is not valid", body = ApiError),
        (status = 404, description = "not_found: a consent answer to a document none is published of", body = ApiError),
        (status = 409, description = "onboarding_token_used | conflict (an agreement to a version no longer in force)", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ),
    security((), ("bearer" = [])))]
pub async fn start(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    MaybeAuthed(session): MaybeAuthed,
    ApiJson(req): ApiJson<OnboardingStartRequest>,
) -> AppResult<Json<OtpSent>> {
    let (token_digest, target) = usable_target(&state, &req.payload).await?;
    let unit_id = target.unit.id.clone();
    let answers = req.consents.clone();
    state
        .db(move |s| s.read(|tx| consents::check_all(tx, &answers)))
        .await?;
    let (destination, person_id, mode) = match session {
        Some(session) => {
            let pid = session.person_id.clone();
            let dest = state
                .db(move |s| person_destination(s, &pid))
                .await?
                .ok_or_else(AppError::unauthorized)?;
            (
                dest,
                Some(session.person_id.clone()),
                PendingMode::Attach {
                    person_id: session.person_id,
                },
            )
        }
        None => {
            let phone = req.phone.as_deref().unwrap_or("");
            check_len("phone", phone, MAX_LOGIN_ID_BYTES)?;
            if phone.trim().is_empty() {
                return Err(AppError::new(
                    ErrorCode::PhoneInvalid,
                    "a phone number is required",
                ));
            }
            let phone = normalize_thai_phone(phone)?;
            let password = req.password.unwrap_or_default();
            check_len("password", &password, MAX_PASSWORD_BYTES)?;
            check_password_policy(&password)?;
            let email = match req.email.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(e) => {
                    check_len("email", e, MAX_LOGIN_ID_BYTES)?;
                    Some(normalize_email(e)?)
                }
            };
            let display_name = match req.name.as_deref() {
                None => None,
                Some(n) => {
                    check_len("name", n, MAX_FIELD_BYTES)?;
                    Some(check_display_name(n)?)
                }
            };
            let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|e| AppError::server("password hash", e))??;
            let mode = PendingMode::NewAccount {
                phone: phone.clone(),
                email,
                display_name,
                password_hash,
            };
            (Destination::Phone(phone), None, mode)
        }
    };
    let sent = issue(
        &state,
        Issue {
            purpose: OtpPurpose::Onboarding,
            destination,
            client,
            person_id,
            pending: pending_json(&PendingOnboarding {
                token_digest,
                unit_id,
                mode,
                consents: req.consents,
            })?,
            deliver: true,
        },
    )
    .await?;
    Ok(Json(sent))
}

/// The OTP of an onboarding: makes (or extends) the account, the owner membership and
/// a session, all or nothing.
#[utoipa::path(post, path = "/v1/onboarding/verify", tag = "onboarding",
    request_body = OtpVerifyRequest,
    params(("Lobby-Device" = Option<String>, Header, nullable = false, description = "The label of the device signing in (e.g. `Pixel 8 · Android 15`), UTF-8 percent-encoded; shown in the person's session list. At most 64 characters under the one name rule; a label that fails is kept as no label (an unknown device) and never refuses the sign-in.")),
    responses(
        (status = 200, body = SessionGrant),
        (status = 400, description = "otp_invalid | otp_expired | otp_locked | no_pending_otp | onboarding_token_* | invalid_input", body = ApiError),
        (status = 409, description = "onboarding_token_used | conflict (a document agreed to at start was replaced since: read the new version and start again; the code is not used up)", body = ApiError),
    ))]
pub async fn verify(
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
        .db(move |st| complete_onboarding(st, &req.request_id, &digest, &s, now))
        .await?;
    tracing::info!(%person_id, "onboarding completed");
    Ok(Json(session.grant(person_id)))
}

/// A signed-in owner adds the unit of another onboarding QR (DESIGN.md §2.1 step 4): the
/// session proves the person, the QR the unit; no OTP.
#[utoipa::path(post, path = "/v1/onboarding/claim", tag = "onboarding",
    request_body = OnboardingClaimRequest,
    responses(
        (status = 200, body = OnboardingClaimed),
        (status = 400, description = "onboarding_token_invalid | onboarding_token_expired | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 409, description = "onboarding_token_used", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn claim(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiJson(req): ApiJson<OnboardingClaimRequest>,
) -> AppResult<Json<OnboardingClaimed>> {
    let (token_digest, _) = usable_target(&state, &req.payload).await?;
    let person_id = session.person_id;
    let pid = person_id.clone();
    let unit_id = state
        .db(move |s| claim_onboarding(s, &pid, &token_digest, Utc::now()))
        .await?;
    tracing::info!(%person_id, %unit_id, "unit claimed by onboarding QR");
    Ok(Json(OnboardingClaimed { person_id, unit_id }))
}
