//! Privacy routes (issue 11): staff bring a document's version into force; residents
//! answer through pushed mutations (`consent_set`).

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{
    ApiError, PersonalDataExport, PolicyPublish, PolicyPublished, PrivacyDecide, PrivacyDecided,
    PrivacyRequestList,
};

use super::extract::{check_id, ApiJson, Authed, Staff};
use crate::error::AppResult;
use crate::state::AppState;

/// Brings a version of the terms, the privacy policy or the marketing notice into force
/// (platform staff only); every signed-in phone learns of it by sync and asks its person
/// again where `domain::consent::must_ask` says so.
#[utoipa::path(post, path = "/v1/admin/policies", tag = "admin",
    request_body = PolicyPublish,
    responses(
        (status = 200, body = PolicyPublished),
        (status = 400, description = "invalid_input (an unknown kind, a malformed version)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden (project-limited credential)", body = ApiError),
        (status = 409, description = "conflict (that version was published already)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn publish_policy(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<PolicyPublish>,
) -> AppResult<Json<PolicyPublished>> {
    staff.require_unlimited()?;
    let published = state
        .db(move |s| {
            s.write(|tx| crate::privacy::consents::publish(tx, &req.kind, &req.version, Utc::now()))
        })
        .await?;
    tracing::info!(kind = %published.kind, version = %published.version, staff_id = %staff.0.id, "policy published");
    Ok(Json(published))
}

/// The open privacy requests (erasure, correction, objection) of the project's members,
/// soonest deadline first.
#[utoipa::path(get, path = "/v1/admin/projects/{project_id}/privacy-requests", tag = "admin",
    params(("project_id" = String, Path, description = "the project", max_length = 64)),
    responses(
        (status = 200, body = PrivacyRequestList),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (a project this credential does not manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn privacy_requests(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
) -> AppResult<Json<PrivacyRequestList>> {
    check_id("project_id", &project_id)?;
    let member = staff.0.clone();
    let requests = state
        .db(move |s| crate::privacy::requests::open_requests(s, &member, &project_id))
        .await?;
    Ok(Json(PrivacyRequestList { requests }))
}

/// Answers an open privacy request: approve, or reject with the reason the person is
/// owed. The person's phone learns the answer by sync.
#[utoipa::path(post, path = "/v1/admin/privacy-requests/{request_id}/decide", tag = "admin",
    params(("request_id" = String, Path, description = "the request", max_length = 64)),
    request_body = PrivacyDecide,
    responses(
        (status = 200, body = PrivacyDecided),
        (status = 400, description = "invalid_input (a rejection without a reason, a reason too long)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such request of a member of this credential's project)", body = ApiError),
        (status = 409, description = "conflict (answered already); still_owns_unit (an erasure of a person who owns a unit: the office transfers the ownership first)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn decide_privacy_request(
    State(state): State<AppState>,
    staff: Staff,
    Path(request_id): Path<String>,
    ApiJson(req): ApiJson<PrivacyDecide>,
) -> AppResult<Json<PrivacyDecided>> {
    check_id("request_id", &request_id)?;
    let member = staff.0.clone();
    let decided = state
        .db(move |s| {
            crate::privacy::requests::decide(
                s,
                &member,
                &request_id,
                req.approve,
                req.reason.as_deref(),
                Utc::now(),
            )
        })
        .await?;
    tracing::info!(request_id = %decided.request_id, status = %decided.status, staff_id = %staff.0.id, "privacy request answered");
    Ok(Json(decided))
}

/// The project's audit log of staff actions touching personal data, oldest first, with
/// the result of checking its hash chain (`verified`, and where it breaks).
#[utoipa::path(get, path = "/v1/admin/projects/{project_id}/audit", tag = "admin",
    params(("project_id" = String, Path, description = "the project", max_length = 64)),
    responses(
        (status = 200, body = lobby_model::protocol::admin::AuditLog),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (a project this credential does not manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn audit_log(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
) -> AppResult<Json<lobby_model::protocol::admin::AuditLog>> {
    check_id("project_id", &project_id)?;
    let member = staff.0.clone();
    let log = state
        .db(move |s| crate::audit::read(s, &member, &project_id))
        .await?;
    Ok(Json(log))
}

/// Everything the server holds about the signed-in person (`docs/export.md`: one section
/// per kind of data, each row the documented fields). Needs a sign-in from the last 10
/// minutes: it hands over everything at once.
#[utoipa::path(get, path = "/v1/me/export", tag = "auth",
    responses(
        (status = 200, body = PersonalDataExport),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "reauth_required (the sign-in is older than 10 minutes)", body = ApiError),
        (status = 429, description = "rate_limited", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    Authed(session): Authed,
) -> AppResult<Json<PersonalDataExport>> {
    let export = state
        .db(move |s| {
            crate::privacy::export::export(s, &session.person_id, &session.family_id, Utc::now())
        })
        .await?;
    Ok(Json(export))
}
