//! `POST /v1/admin/retention/run` (issue 11): the retention job (`crate::retention`),
//! now — the janitor runs it every minute anyway; this lets an operator (and a test) see
//! what went. Platform staff only: it deletes across every project.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::admin::{RetentionRemoved, RetentionRun};
use lobby_model::protocol::ApiError;

use super::extract::Staff;
use crate::error::AppResult;
use crate::state::AppState;

/// Deletes now what is past its retention period and answers how many rows of each
/// category went (every category, zeros included).
#[utoipa::path(post, path = "/v1/admin/retention/run", tag = "admin",
    responses(
        (status = 200, body = RetentionRun),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 403, description = "forbidden (project-limited credential)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn run_retention(
    State(state): State<AppState>,
    staff: Staff,
) -> AppResult<Json<RetentionRun>> {
    staff.require_unlimited()?;
    let removed = state.db(|s| crate::retention::run(s, Utc::now())).await?;
    tracing::info!(staff_id = %staff.0.id, "retention run");
    Ok(Json(RetentionRun {
        removed: removed
            .into_iter()
            .map(|r| RetentionRemoved {
                category: r.category.to_string(),
                count: r.count as u64,
            })
            .collect(),
    }))
}
