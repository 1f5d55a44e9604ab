//! Sync (DESIGN.md §4): pull changes of the person's scopes, push queued mutations.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use lobby_model::protocol::{
    ApiError, MutationResult, PullRequest, PullResponse, PushRequest, PushResponse,
};

use super::extract::{ApiJson, Authed};
use crate::change_log::{self, PullPage};
use crate::config::{MAX_MUTATIONS_PER_PUSH, MAX_PULL_SCOPES};
use crate::error::{AppError, AppResult};
use crate::mutations::push_one;
use crate::state::AppState;

/// One page of changes after the client's cursors (or `reset`).
#[utoipa::path(post, path = "/v1/sync/pull", tag = "sync",
    request_body = PullRequest,
    responses(
        (status = 200, body = PullResponse),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn pull(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiJson(req): ApiJson<PullRequest>,
) -> AppResult<Json<PullPage>> {
    if req.cursors.len() > MAX_PULL_SCOPES {
        return Err(AppError::invalid(format!(
            "at most {MAX_PULL_SCOPES} scopes per pull"
        )));
    }
    let person_id = session.person_id;
    let page = state
        .db(move |s| change_log::pull(s, &person_id, &req))
        .await?;
    Ok(Json(page))
}

/// Applies queued mutations, each exactly once; a repeated id gets its stored result.
#[utoipa::path(post, path = "/v1/sync/push", tag = "sync",
    request_body = PushRequest,
    responses(
        (status = 200, body = PushResponse),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn push(
    State(state): State<AppState>,
    Authed(session): Authed,
    ApiJson(req): ApiJson<PushRequest>,
) -> AppResult<Json<PushResponse>> {
    if req.mutations.len() > MAX_MUTATIONS_PER_PUSH {
        return Err(AppError::invalid(format!(
            "at most {MAX_MUTATIONS_PER_PUSH} mutations per push"
        )));
    }
    let person_id = session.person_id;
    let ctx = state.mutation_context(&session.family_id);
    let results = state
        .db(move |s| {
            req.mutations
                .iter()
                .map(|m| {
                    let outcome = push_one(s, &ctx, &person_id, m, Utc::now())?;
                    Ok(MutationResult { id: m.id, outcome })
                })
                .collect::<AppResult<Vec<_>>>()
        })
        .await?;
    Ok(Json(PushResponse { results }))
}
