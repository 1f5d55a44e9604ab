//! Announcement endpoints for staff (issue 10; rules in [`crate::announcements`]).

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{AnnouncementPost, AnnouncementPosted, AnnouncementReaders, ApiError};

use super::extract::{check_id, ApiJson, Staff};
use crate::error::AppResult;
use crate::state::AppState;

/// Posts an announcement to the project, or to chosen units of it.
#[utoipa::path(post, path = "/v1/admin/announcements", tag = "admin",
    request_body = AnnouncementPost,
    responses(
        (status = 200, body = AnnouncementPosted),
        (status = 400, description = "invalid_input (a title, body, kind or expiry the rules refuse)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such project, or a unit not of it)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn post(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<AnnouncementPost>,
) -> AppResult<Json<AnnouncementPosted>> {
    check_id("project_id", &req.project_id)?;
    for u in &req.unit_ids {
        check_id("unit_id", u)?;
    }
    let member = staff.0.clone();
    let announcement_id = state
        .db(move |s| crate::announcements::post(s, &member, &req, Utc::now()))
        .await?;
    tracing::info!(%announcement_id, staff_id = %staff.0.id, "announcement posted");
    Ok(Json(AnnouncementPosted { announcement_id }))
}

/// Who opened (general) or acknowledged (acknowledge) the announcement, and the
/// addressed units where nobody has yet.
#[utoipa::path(get, path = "/v1/admin/announcements/{announcement_id}/readers", tag = "admin",
    params(("announcement_id" = String, Path, description = "the announcement", max_length = 64)),
    responses(
        (status = 200, body = AnnouncementReaders),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn readers(
    State(state): State<AppState>,
    staff: Staff,
    Path(announcement_id): Path<String>,
) -> AppResult<Json<AnnouncementReaders>> {
    check_id("announcement_id", &announcement_id)?;
    let member = staff.0.clone();
    let r = state
        .db(move |s| crate::announcements::readers(s, &member, &announcement_id))
        .await?;
    Ok(Json(r))
}
