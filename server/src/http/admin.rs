//! Staff endpoints under `/v1/admin/` (bearer = staff token). A project-limited token
//! acts only on its project; creating projects and bumping the epoch need an unlimited
//! one. `otp/peek` exists only on a development server.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use chrono::{Duration, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::name::check_name;
use lobby_model::domain::onboarding::OnboardingPayload;
use lobby_model::domain::registry::{parse_owner_registry, registry_error, MAX_NAME_CHARS};
use lobby_model::domain::secret_token::secret_digest;
use lobby_model::protocol::admin::{
    ArrearsSet, CreateProject, EpochBumped, ImportedUnit, OnboardingReissued, OtpPeek,
    OwnersImported, ParcelAdd, ParcelAdded, ParcelList, ProjectCreated,
};
use lobby_model::protocol::{ApiError, Empty, ProjectRecord};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::{check_len, staff_from_headers, ApiJson, Staff};
use crate::change_log::bump_epoch as start_new_epoch;
use crate::config::MAX_LOGIN_ID_BYTES;
use crate::error::{AppError, AppResult};
use crate::onboarding::TOKEN_TTL_DAYS;
use crate::registry;
use crate::state::AppState;
use crate::storage::NewOnboardingToken;

/// Longest `unit_id` looked up (ours are 36-character UUIDs).
const MAX_UNIT_ID_CHARS: usize = 64;

fn new_token() -> (String, NewOnboardingToken) {
    let payload = OnboardingPayload::issue(Utc::now(), Duration::days(TOKEN_TTL_DAYS));
    let token = NewOnboardingToken {
        id: uuid::Uuid::now_v7().to_string(),
        digest: secret_digest(&payload.token),
        expires_at: payload.expires_at,
    };
    (payload.encode(), token)
}

/// Creates a project.
#[utoipa::path(post, path = "/v1/admin/projects", tag = "admin",
    request_body = CreateProject,
    responses(
        (status = 200, body = ProjectCreated),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden (project-limited credential)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn create_project(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<CreateProject>,
) -> AppResult<Json<ProjectCreated>> {
    staff.require_unlimited()?;
    // Counted before trimming, as the description's `maxLength` counts.
    if req.name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(format!(
            "a project name has at most {MAX_NAME_CHARS} characters"
        )));
    }
    let name = check_name(&req.name, "the project name", MAX_NAME_CHARS)?;
    let project = ProjectRecord {
        id: uuid::Uuid::now_v7().to_string(),
        name,
        kind: req.kind,
    };
    let p = project.clone();
    state
        .db(move |s| registry::create_project(s, &p, Utc::now()))
        .await?;
    tracing::info!(project_id = %project.id, staff_id = %staff.0.id, "project created");
    Ok(Json(ProjectCreated {
        project_id: project.id,
    }))
}

/// Imports the owner registry (CSV body): all rows or none; one onboarding QR per unit.
#[utoipa::path(post, path = "/v1/admin/projects/{project_id}/owners", tag = "admin",
    params(("project_id" = String, Path, description = "the project")),
    request_body(content = inline(String), content_type = "text/csv",
        description = "`unit,owner_name,ownership_ratio,phone,email`, UTF-8, header row"),
    responses(
        (status = 200, body = OwnersImported),
        (status = 400, description = "registry_invalid (with line numbers) | invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden", body = ApiError),
        (status = 404, description = "not_found", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn import_owners(
    State(state): State<AppState>,
    staff: Staff,
    Path(project_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<OwnersImported>> {
    staff.require_project(&project_id)?;
    let body = body?;
    let rows = parse_owner_registry(&body).map_err(|p| registry_error(&p))?;
    let (payloads, tokens): (Vec<String>, Vec<NewOnboardingToken>) =
        rows.iter().map(|_| new_token()).unzip();
    let (pid, r, member) = (project_id.clone(), rows.clone(), staff.0.clone());
    let unit_ids = state
        .db(move |s| registry::import_owners(s, &member, &pid, &r, &tokens, Utc::now()))
        .await?;
    let units = rows
        .into_iter()
        .zip(unit_ids)
        .zip(payloads)
        .map(|((row, unit_id), onboarding_payload)| ImportedUnit {
            unit_id,
            unit: row.unit,
            owner: row.owner_name,
            onboarding_payload,
        })
        .collect::<Vec<_>>();
    tracing::info!(%project_id, units = units.len(), staff_id = %staff.0.id, "owner registry imported");
    Ok(Json(OwnersImported { units }))
}

/// Issues a new onboarding QR for a unit, voiding the previous one.
///
/// A unit that does not exist and, for a credential limited to one project, a unit of
/// another project answer the same `not_found`: such a credential cannot learn which unit
/// ids exist.
#[utoipa::path(post, path = "/v1/admin/units/{unit_id}/onboarding/reissue", tag = "admin",
    params(("unit_id" = String, Path, description = "the unit", max_length = 64)),
    responses(
        (status = 200, body = OnboardingReissued),
        (status = 400, description = "invalid_input (a `unit_id` longer than 64 characters)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such unit among the units this credential may manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn reissue_onboarding(
    State(state): State<AppState>,
    staff: Staff,
    Path(unit_id): Path<String>,
) -> AppResult<Json<OnboardingReissued>> {
    if unit_id.chars().count() > MAX_UNIT_ID_CHARS {
        return Err(AppError::invalid("unit_id is too long"));
    }
    let u = unit_id.clone();
    let project_id = state.db(move |s| registry::unit_project_id(s, &u)).await?;
    // Another project's unit is answered as if it did not exist.
    if project_id.is_none_or(|p| staff.require_project(&p).is_err()) {
        return Err(AppError::not_found("no such unit"));
    }
    let (payload, token) = new_token();
    let (u, member) = (unit_id.clone(), staff.0.clone());
    state
        .db(move |s| registry::reissue_onboarding(s, Some(&member), &u, &token, Utc::now()))
        .await?;
    tracing::info!(%unit_id, staff_id = %staff.0.id, "onboarding token reissued");
    Ok(Json(OnboardingReissued {
        onboarding_payload: payload,
    }))
}

/// Records how many months of common fees a unit owes (a unit 6 months or more behind
/// does not vote at a general meeting, s.18/1). Another project's unit answers like an
/// unknown one.
#[utoipa::path(post, path = "/v1/admin/units/{unit_id}/arrears", tag = "admin",
    params(("unit_id" = String, Path, description = "the unit", max_length = 64)),
    request_body = ArrearsSet,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "invalid_input (months outside 0 to 1200, a `unit_id` longer than 64 characters)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such unit among the units this credential may manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn set_arrears(
    State(state): State<AppState>,
    staff: Staff,
    Path(unit_id): Path<String>,
    ApiJson(req): ApiJson<ArrearsSet>,
) -> AppResult<Json<Empty>> {
    if unit_id.chars().count() > MAX_UNIT_ID_CHARS {
        return Err(AppError::invalid("unit_id is too long"));
    }
    let member = staff.0.clone();
    let u = unit_id.clone();
    state
        .db(move |s| crate::arrears::set_arrears(s, &member, &u, req.months, Utc::now()))
        .await?;
    tracing::info!(%unit_id, staff_id = %staff.0.id, "arrears recorded");
    Ok(Json(Empty {}))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeekQuery {
    /// A phone number (any common Thai form) or an e-mail address.
    #[param(min_length = 1, max_length = 254)]
    pub to: String,
}

/// Development mode only: the last code sent to a destination, for an unlimited staff
/// credential (a destination belongs to no one project, so a project-limited credential
/// could read codes meant for people of other projects). Any other server answers
/// `forbidden`, whoever asks.
#[utoipa::path(get, path = "/v1/admin/otp/peek", tag = "admin",
    params(PeekQuery),
    responses(
        (status = 200, body = OtpPeek),
        (status = 400, description = "phone_invalid | email_invalid | invalid_input (`to` missing or too long)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden (not a development server, or a project-limited staff credential)", body = ApiError),
        (status = 404, description = "not_found (no code sent there)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn peek_otp(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PeekQuery>, QueryRejection>,
) -> AppResult<Json<OtpPeek>> {
    let Some(dev_sender) = state.dev_sender.clone().filter(|_| state.dev) else {
        return Err(AppError::forbidden(
            "OTP peek exists only on a development server (--dev)",
        ));
    };
    let staff = Staff(staff_from_headers(&state, &headers).await?);
    staff.require_unlimited()?;
    let staff = staff.0;
    let Query(q) = query?;
    check_len("to", &q.to, MAX_LOGIN_ID_BYTES)?;
    let dest = Destination::parse(&q.to)?;
    let code = dev_sender
        .peek(dest.as_str())
        .ok_or_else(|| AppError::not_found("no code was sent to this destination"))?;
    tracing::info!(staff_id = %staff.id, "dev OTP peeked");
    Ok(Json(OtpPeek { code }))
}

/// Starts a new schema epoch: every client resets on its next pull.
#[utoipa::path(post, path = "/v1/admin/sync/epoch", tag = "admin",
    responses(
        (status = 200, body = EpochBumped),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn bump_epoch(
    State(state): State<AppState>,
    staff: Staff,
) -> AppResult<Json<EpochBumped>> {
    staff.require_unlimited()?;
    let epoch = state.db(start_new_epoch).await?;
    tracing::info!(epoch, staff_id = %staff.0.id, "sync epoch bumped");
    Ok(Json(EpochBumped { epoch }))
}

/// Unknown parameters are refused (the description allows no others).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ParcelQuery {
    /// Only this unit's parcels.
    #[param(min_length = 1, max_length = 64)]
    pub unit_id: Option<String>,
    /// `waiting`, `picked_up` or `returned`.
    #[param(pattern = "^(waiting|picked_up|returned)$")]
    pub status: Option<String>,
    /// Part of the recipient's name (Latin letters ignore case).
    #[param(min_length = 1, max_length = 200)]
    pub recipient: Option<String>,
}

/// The parcels of the units this credential manages, newest first (at most 500;
/// `truncated` when more match), filtered by unit, status and part of the recipient.
#[utoipa::path(get, path = "/v1/admin/parcels", tag = "admin",
    params(ParcelQuery),
    responses(
        (status = 200, body = ParcelList),
        (status = 400, description = "invalid_input (an unknown status, a filter too long)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn list_parcels(
    State(state): State<AppState>,
    staff: Staff,
    query: Result<Query<ParcelQuery>, QueryRejection>,
) -> AppResult<Json<ParcelList>> {
    let Query(q) = query?;
    if q.unit_id
        .as_ref()
        .is_some_and(|u| u.chars().count() > MAX_UNIT_ID_CHARS)
    {
        return Err(AppError::invalid("unit_id is too long"));
    }
    if [&q.unit_id, &q.recipient, &q.status]
        .iter()
        .any(|f| f.as_deref() == Some(""))
    {
        return Err(AppError::invalid("a filter, when given, is not empty"));
    }
    let member = staff.0.clone();
    let list = state
        .db(move |s| {
            crate::parcels::list_parcels(
                s,
                &member,
                q.unit_id.as_deref(),
                q.status.as_deref(),
                q.recipient.as_deref(),
            )
        })
        .await?;
    Ok(Json(list))
}

/// Logs a parcel that arrived for a unit (DESIGN.md §2.4); the unit's residents get it by
/// sync. A unit of another project answers like an unknown one.
#[utoipa::path(post, path = "/v1/admin/parcels", tag = "admin",
    request_body = ParcelAdd,
    responses(
        (status = 200, body = ParcelAdded),
        (status = 400, description = "invalid_input (a recipient or carrier the name rule refuses, a tracking number too long)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such unit among the units this credential may manage)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn add_parcel(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(req): ApiJson<ParcelAdd>,
) -> AppResult<Json<ParcelAdded>> {
    if req.unit_id.chars().count() > MAX_UNIT_ID_CHARS {
        return Err(AppError::invalid("unit_id is too long"));
    }
    let member = staff.0.clone();
    let parcel_id = state
        .db(move |s| crate::parcels::log_parcel(s, &member, &req, Utc::now()))
        .await?;
    tracing::info!(%parcel_id, staff_id = %staff.0.id, "parcel logged");
    Ok(Json(ParcelAdded { parcel_id }))
}
