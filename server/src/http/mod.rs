//! The HTTP API: one file per area, routes exactly as listed in `lobby_model::protocol`.
//! Bodies are capped (JSON 2 MiB, registry CSV 10 MiB, a parcel photo 2 MiB: `too_large`);
//! files travel as raw bytes (`files`); each request is logged with its
//! route template, status and duration only — never a path with values, a query or a body.

pub mod admin;
pub mod announcements;
pub mod auth;
pub mod error;
pub mod extract;
pub mod files;
pub mod invites;
pub mod invoices;
pub mod meetings;
pub mod onboarding;
pub mod pickup;
pub mod privacy;
pub mod profile;
pub mod retention;
pub mod sync;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;

use crate::config::{MAX_CSV_BODY, MAX_JSON_BODY};
use crate::state::AppState;
use lobby_model::domain::files::{MAX_ATTACHMENT_BYTES, MAX_PHOTO_BYTES};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/onboarding/preview", post(onboarding::preview))
        .route("/v1/onboarding/start", post(onboarding::start))
        .route("/v1/onboarding/verify", post(onboarding::verify))
        .route("/v1/onboarding/claim", post(onboarding::claim))
        .route("/v1/invites/accept", post(invites::accept))
        .route("/v1/auth/otp", post(auth::otp_login))
        .route("/v1/auth/otp/verify", post(auth::otp_verify))
        .route("/v1/auth/password", post(auth::password_login))
        .route("/v1/auth/refresh", post(auth::refresh))
        .route("/v1/auth/logout", post(auth::logout))
        .route("/v1/me/email", post(profile::request_email_change))
        .route("/v1/me/email/verify", post(profile::verify_email_change))
        .route("/v1/me/phone", post(profile::request_phone_change))
        .route("/v1/me/phone/verify", post(profile::verify_phone_change))
        .route("/v1/me/export", get(privacy::export))
        .route("/v1/me/sessions", get(profile::list_sessions))
        .route("/v1/sync/pull", post(sync::pull))
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/files/{file_id}", get(files::get_file))
        .route(
            "/v1/uploads/{upload_id}",
            get(files::upload_status)
                .put(files::put_upload_chunk)
                .layer(DefaultBodyLimit::max(crate::uploads::MAX_CHUNK_BYTES)),
        )
        .route(
            "/v1/meetings/{meeting_id}/ballot-log",
            get(meetings::ballot_log),
        )
        .route("/v1/admin/projects", post(admin::create_project))
        .route(
            "/v1/admin/projects/{project_id}/owners",
            post(admin::import_owners).layer(DefaultBodyLimit::max(MAX_CSV_BODY)),
        )
        .route(
            "/v1/admin/units/{unit_id}/arrears",
            post(admin::set_arrears),
        )
        .route(
            "/v1/admin/units/{unit_id}/onboarding/reissue",
            post(admin::reissue_onboarding),
        )
        .route(
            "/v1/admin/parcels",
            post(admin::add_parcel).get(admin::list_parcels),
        )
        .route(
            "/v1/admin/parcels/{parcel_id}/return",
            post(pickup::return_parcel),
        )
        .route("/v1/admin/pickup/verify", post(pickup::verify))
        .route("/v1/admin/pickup/handover", post(pickup::handover))
        .route(
            "/v1/admin/parcels/{parcel_id}/photo",
            put(files::set_parcel_photo).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES)),
        )
        .route("/v1/admin/invoices", post(invoices::add))
        .route(
            "/v1/admin/projects/{project_id}/invoices",
            post(invoices::import),
        )
        .route(
            "/v1/admin/invoices/{invoice_id}/confirm",
            post(invoices::confirm),
        )
        .route(
            "/v1/admin/invoices/{invoice_id}/reject",
            post(invoices::reject),
        )
        .route(
            "/v1/admin/projects/{project_id}/outstanding",
            get(invoices::outstanding),
        )
        .route("/v1/admin/announcements", post(announcements::post))
        .route(
            "/v1/admin/announcements/{announcement_id}/attachment",
            put(files::set_announcement_attachment)
                .layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES)),
        )
        .route(
            "/v1/admin/announcements/{announcement_id}/readers",
            get(announcements::readers),
        )
        .route("/v1/admin/meetings", post(meetings::create))
        .route(
            "/v1/admin/projects/{project_id}/roles",
            post(meetings::add_role),
        )
        .route(
            "/v1/admin/meetings/{meeting_id}/items",
            post(meetings::add_item),
        )
        .route(
            "/v1/admin/meetings/{meeting_id}/proxies",
            post(meetings::add_proxy),
        )
        .route(
            "/v1/admin/meetings/{meeting_id}/attendance",
            post(meetings::attend),
        )
        .route(
            "/v1/admin/meetings/{meeting_id}/open",
            post(meetings::open_meeting),
        )
        .route(
            "/v1/admin/meetings/{meeting_id}/close",
            post(meetings::close_meeting),
        )
        .route("/v1/admin/items/{item_id}/open", post(meetings::open_item))
        .route(
            "/v1/admin/items/{item_id}/close",
            post(meetings::close_item),
        )
        .route("/v1/admin/otp/peek", get(admin::peek_otp))
        .route("/v1/admin/sync/epoch", post(admin::bump_epoch))
        .route("/v1/admin/retention/run", post(retention::run_retention))
        .route("/v1/admin/policies", post(privacy::publish_policy))
        .route(
            "/v1/admin/projects/{project_id}/privacy-requests",
            get(privacy::privacy_requests),
        )
        .route(
            "/v1/admin/privacy-requests/{request_id}/decide",
            post(privacy::decide_privacy_request),
        )
        .route(
            "/v1/admin/projects/{project_id}/audit",
            get(privacy::audit_log),
        )
        .route("/openapi.json", get(openapi_json))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn openapi_json() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
        .into_response()
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
