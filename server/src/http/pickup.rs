//! The pickup counter's staff endpoints (issue 8; rules in [`crate::pickup`]):
//! verify a pass, hand parcels over, return a parcel to the carrier.

use axum::extract::{Path, State};
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::admin::{
    HandedOver, ParcelReturned, PickupHandover, PickupVerified, PickupVerify,
};
use lobby_model::protocol::ApiError;

use super::extract::{check_len, ApiJson, Staff};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Longest parcel id looked up (ours are 36-character UUIDs).
const MAX_PARCEL_ID_CHARS: usize = 64;

/// Verifies a resident's pickup pass: who holds it, for which unit, and that unit's
/// waiting parcels.
#[utoipa::path(post, path = "/v1/admin/pickup/verify", tag = "admin",
    request_body = PickupVerify,
    responses(
        (status = 200, body = PickupVerified),
        (status = 400, description = "pickup_pass_invalid (altered, forged, not a pass), pickup_pass_expired, pickup_pass_revoked (signed out, or no longer a member), invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (a unit this credential does not manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<PickupVerify>,
) -> AppResult<Json<PickupVerified>> {
    check_len("payload", &req.payload, 512)?;
    let member = staff.0.clone();
    let verified = state
        .db(move |s| crate::pickup::verify(s, &member, &req.payload, Utc::now()))
        .await?;
    tracing::info!(staff_id = %staff.0.id, parcels = verified.parcels.len(), "pickup pass verified");
    Ok(Json(verified))
}

/// Hands parcels of one unit over, against a pickup pass or a signature; all or none.
#[utoipa::path(post, path = "/v1/admin/pickup/handover", tag = "admin",
    request_body = PickupHandover,
    responses(
        (status = 200, body = HandedOver),
        (status = 400, description = "pickup_pass_invalid, pickup_pass_expired, pickup_pass_revoked, invalid_input (no proof or two, a signature that is not a PNG, too many parcels)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (a parcel not of the pass's unit, or not managed by this credential)", body = ApiError),
        (status = 409, description = "already_handed_over (picked up or returned), pickup_pass_used (this pass already handed parcels over)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn handover(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<PickupHandover>,
) -> AppResult<Json<HandedOver>> {
    if let Some(p) = &req.payload {
        check_len("payload", p, 512)?;
    }
    for id in &req.parcel_ids {
        check_len("parcel_id", id, MAX_PARCEL_ID_CHARS)?;
    }
    let member = staff.0.clone();
    let done = state
        .db(move |s| crate::pickup::hand_over(s, &member, &req, Utc::now()))
        .await?;
    tracing::info!(
        staff_id = %staff.0.id,
        parcels = done.handed_over.len(),
        method = %done.method,
        "parcels handed over"
    );
    Ok(Json(done))
}

/// Records that a waiting parcel went back to the carrier.
#[utoipa::path(post, path = "/v1/admin/parcels/{parcel_id}/return", tag = "admin",
    params(("parcel_id" = String, Path, description = "the parcel", max_length = 64)),
    responses(
        (status = 200, body = ParcelReturned),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
        (status = 409, description = "already_handed_over (picked up or returned already)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn return_parcel(
    State(state): State<AppState>,
    staff: Staff,
    Path(parcel_id): Path<String>,
) -> AppResult<Json<ParcelReturned>> {
    if parcel_id.chars().count() > MAX_PARCEL_ID_CHARS {
        return Err(AppError::invalid("parcel_id is too long"));
    }
    let member = staff.0.clone();
    let id = parcel_id.clone();
    state
        .db(move |s| crate::pickup::return_parcel(s, &member, &id, Utc::now()))
        .await?;
    tracing::info!(%parcel_id, staff_id = %staff.0.id, "parcel returned to the carrier");
    Ok(Json(ParcelReturned { parcel_id }))
}
