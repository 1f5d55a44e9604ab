//! Meeting endpoints (issue 9; rules in [`crate::meetings`]): staff set-up, opening and
//! closing; the published ballot log for the people who see the meeting.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{
    ApiError, AttendanceAdd, BallotLog, Empty, ItemAdd, ItemAdded, ItemClosed, MeetingCreate,
    MeetingCreated, ProxyAdd, RoleAdd,
};

use super::extract::{check_id, ApiJson, Authed, Staff};
use crate::error::AppResult;
use crate::state::AppState;

/// Creates a meeting (annual, extraordinary or committee; reconvened or not).
#[utoipa::path(post, path = "/v1/admin/meetings", tag = "admin",
    request_body = MeetingCreate,
    responses(
        (status = 200, body = MeetingCreated),
        (status = 400, description = "invalid_input (a kind or title the rules refuse)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such project for this credential)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<MeetingCreate>,
) -> AppResult<Json<MeetingCreated>> {
    check_id("project_id", &req.project_id)?;
    let member = staff.0.clone();
    let meeting_id = state
        .db(move |s| crate::meetings::create_meeting(s, &member, &req, Utc::now()))
        .await?;
    tracing::info!(%meeting_id, staff_id = %staff.0.id, "meeting created");
    Ok(Json(MeetingCreated { meeting_id }))
}

/// Adds an agenda item with its resolution type.
#[utoipa::path(post, path = "/v1/admin/meetings/{meeting_id}/items", tag = "admin",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    request_body = ItemAdd,
    responses(
        (status = 200, body = ItemAdded),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (the meeting is closed)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    staff: Staff,
    Path(meeting_id): Path<String>,
    ApiJson(req): ApiJson<ItemAdd>,
) -> AppResult<Json<ItemAdded>> {
    check_id("meeting_id", &meeting_id)?;
    let member = staff.0.clone();
    let item_id = state
        .db(move |s| crate::meetings::add_item(s, &member, &meeting_id, &req, Utc::now()))
        .await?;
    Ok(Json(ItemAdded { item_id }))
}

/// Registers a unit's proxy holder for the meeting (at most 3 units per holder).
#[utoipa::path(post, path = "/v1/admin/meetings/{meeting_id}/proxies", tag = "admin",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    request_body = ProxyAdd,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input, phone_invalid", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (meeting, unit, or a holder without an account)", body = ApiError),
        (status = 409, description = "proxy_limit (the holder already holds 3 units), conflict (the meeting is closed)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn add_proxy(
    State(state): State<AppState>,
    staff: Staff,
    Path(meeting_id): Path<String>,
    ApiJson(req): ApiJson<ProxyAdd>,
) -> AppResult<Json<Empty>> {
    check_id("meeting_id", &meeting_id)?;
    check_id("unit_id", &req.unit_id)?;
    let member = staff.0.clone();
    state
        .db(move |s| crate::meetings::add_proxy(s, &member, &meeting_id, &req, Utc::now()))
        .await?;
    Ok(Json(Empty {}))
}

/// Records a unit present in the attendance register.
#[utoipa::path(post, path = "/v1/admin/meetings/{meeting_id}/attendance", tag = "admin",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    request_body = AttendanceAdd,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (the meeting is closed)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn attend(
    State(state): State<AppState>,
    staff: Staff,
    Path(meeting_id): Path<String>,
    ApiJson(req): ApiJson<AttendanceAdd>,
) -> AppResult<Json<Empty>> {
    check_id("meeting_id", &meeting_id)?;
    check_id("unit_id", &req.unit_id)?;
    let member = staff.0.clone();
    state
        .db(move |s| crate::meetings::record_attendance(s, &member, &meeting_id, &req, Utc::now()))
        .await?;
    Ok(Json(Empty {}))
}

/// Puts a person on the project's roster (board, manager, spouse, staff): they may not
/// hold proxies at its meetings (s.47).
#[utoipa::path(post, path = "/v1/admin/projects/{project_id}/roles", tag = "admin",
    params(("project_id" = String, Path, description = "the project", max_length = 64)),
    request_body = RoleAdd,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input (a role or phone number the rules refuse)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such project, or nobody with that phone)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn add_role(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
    ApiJson(req): ApiJson<RoleAdd>,
) -> AppResult<Json<Empty>> {
    check_id("project_id", &project_id)?;
    let member = staff.0.clone();
    state
        .db(move |s| crate::meetings::add_role(s, &member, &project_id, &req, Utc::now()))
        .await?;
    Ok(Json(Empty {}))
}

/// What the open/close endpoints share: a path id, a rule, `{}`.
async fn act(
    state: AppState,
    staff: Staff,
    id: String,
    what: &'static str,
    f: fn(&dyn crate::storage::Storage, &crate::storage::StaffMember, &str) -> AppResult<()>,
) -> AppResult<Json<Empty>> {
    check_id("id", &id)?;
    let member = staff.0.clone();
    let i = id.clone();
    state.db(move |s| f(s, &member, &i)).await?;
    tracing::info!(%id, staff_id = %staff.0.id, "{what}");
    Ok(Json(Empty {}))
}

/// Opens the meeting: the eligibility snapshot (weights, arrears, proxies) is frozen
/// into the ballot log's first entry.
#[utoipa::path(post, path = "/v1/admin/meetings/{meeting_id}/open", tag = "admin",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (already opened)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn open_meeting(
    State(state): State<AppState>,
    staff: Staff,
    Path(meeting_id): Path<String>,
) -> AppResult<Json<Empty>> {
    act(state, staff, meeting_id, "meeting opened", |s, m, id| {
        crate::meetings::voting::open_meeting(s, m, id, Utc::now())
    })
    .await
}

/// Closes the meeting (its items must be closed).
#[utoipa::path(post, path = "/v1/admin/meetings/{meeting_id}/close", tag = "admin",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (not open, or an item still open)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn close_meeting(
    State(state): State<AppState>,
    staff: Staff,
    Path(meeting_id): Path<String>,
) -> AppResult<Json<Empty>> {
    act(state, staff, meeting_id, "meeting closed", |s, m, id| {
        crate::meetings::voting::close_meeting(s, m, id, Utc::now())
    })
    .await
}

/// Opens an item's voting (its meeting must be open).
#[utoipa::path(post, path = "/v1/admin/items/{item_id}/open", tag = "admin",
    params(("item_id" = String, Path, description = "the agenda item", max_length = 64)),
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (already opened, or the meeting is not open)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn open_item(
    State(state): State<AppState>,
    staff: Staff,
    Path(item_id): Path<String>,
) -> AppResult<Json<Empty>> {
    act(state, staff, item_id, "item opened", |s, m, id| {
        crate::meetings::voting::open_item(s, m, id, Utc::now())
    })
    .await
}

/// Closes an item's voting and publishes its tally, whether it passed, and the chain head.
#[utoipa::path(post, path = "/v1/admin/items/{item_id}/close", tag = "admin",
    params(("item_id" = String, Path, description = "the agenda item", max_length = 64)),
    responses(
        (status = 200, body = ItemClosed),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "conflict (not open)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn close_item(
    State(state): State<AppState>,
    staff: Staff,
    Path(item_id): Path<String>,
) -> AppResult<Json<ItemClosed>> {
    check_id("item_id", &item_id)?;
    let member = staff.0.clone();
    let id = item_id.clone();
    let r = state
        .db(move |s| crate::meetings::voting::close_item(s, &member, &id, Utc::now()))
        .await?;
    tracing::info!(%item_id, staff_id = %staff.0.id, passed = r.passed, "item closed");
    Ok(Json(ItemClosed {
        tally: crate::meetings::voting::tally_json(&r.tally),
        passed: r.passed,
        chain_head: r.chain_head,
    }))
}

/// The meeting's published ballot log, for a person who sees the meeting (a member of
/// its project or a proxy holder at it): up to the last point where no item with
/// ballots was open, or all of it once the meeting has closed.
#[utoipa::path(get, path = "/v1/meetings/{meeting_id}/ballot-log", tag = "meetings",
    params(("meeting_id" = String, Path, description = "the meeting", max_length = 64)),
    responses(
        (status = 200, body = BallotLog),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such meeting among those this person sees)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn ballot_log(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(meeting_id): Path<String>,
) -> AppResult<Json<BallotLog>> {
    check_id("meeting_id", &meeting_id)?;
    let person_id = session.person_id;
    let log = state
        .db(move |s| crate::meetings::publish::ballot_log(s, &person_id, &meeting_id))
        .await?;
    Ok(Json(log))
}
