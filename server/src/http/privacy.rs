//! Privacy routes (issue 11): staff bring a document's version into force; residents
//! answer through pushed mutations (`consent_set`).

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{ApiError, PolicyPublish, PolicyPublished};

use super::extract::{ApiJson, Staff};
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
