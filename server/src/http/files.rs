//! The binary channel (issue 8): file downloads for signed-in people, and the staff
//! upload of a parcel's photo. Everything else of the API is JSON; here bodies are raw
//! bytes, so this file owns the two things JSON handlers never need: the conditional GET
//! (`ETag` is the file's SHA-256, `If-None-Match` answers 304) and a per-route body limit
//! whose overflow is `too_large` (413) rather than the JSON routes' `invalid_input`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use lobby_model::domain::files::{MAX_ATTACHMENT_BYTES, MAX_PHOTO_BYTES};
use lobby_model::protocol::admin::ParcelPhotoSet;
use lobby_model::protocol::{ApiError, AttachmentSet, UploadState};
use lobby_model::ErrorCode;
use utoipa::ToSchema;

use super::extract::{check_id, Authed, Staff};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Raw file bytes, for the description (a `Vec<u8>` would read as an array of numbers).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// Whether an `If-None-Match` value names the entity tag `"<sha256>"` (strong or weak
/// form, in a list, or `*`).
pub fn matches_etag(if_none_match: &str, sha256: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/").trim_matches('"') == sha256)
}

fn etag(sha256: &str) -> AppResult<HeaderValue> {
    HeaderValue::from_str(&format!("\"{sha256}\"")).map_err(|e| AppError::server("file etag", e))
}

/// A file a record names (`FileRef.id`), for a person who may see the scope it was
/// stored in now. Anyone else, and an unknown id, gets the same `not_found`.
#[utoipa::path(get, path = "/v1/files/{file_id}", tag = "files",
    params(
        ("file_id" = String, Path, description = "the `id` of a `FileRef`"),
        ("If-None-Match" = Option<String>, Header,
            description = "the `ETag` of the copy the client has: an unchanged file answers 304"),
    ),
    responses(
        (status = 200, description = "the file's bytes, with the `Content-Type` it was stored with",
            content_type = "image/jpeg", body = FileBytes,
            headers(
                ("ETag" = String, description = "`\"<sha256 hex>\"` — files never change"),
                ("Cache-Control" = String, description = "`private`"),
            )),
        (status = 304, description = "not modified: the client's copy is this file",
            headers(("ETag" = String, description = "`\"<sha256 hex>\"`"))),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such file among those this person may see now)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn get_file(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(file_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let known = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let person_id = session.person_id;
    let download = state
        .db(move |s| {
            crate::files::read_file(s, &person_id, &file_id, &|sha: &str| {
                known.as_deref().is_some_and(|k| matches_etag(k, sha))
            })
        })
        .await?;
    let tag = etag(&download.meta.sha256)?;
    let private = HeaderValue::from_static("private");
    let Some(bytes) = download.bytes else {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), (header::CACHE_CONTROL, private)],
        )
            .into_response());
    };
    let content_type = HeaderValue::from_str(&download.meta.content_type)
        .map_err(|e| AppError::server("file content type", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, private),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Sets or replaces a parcel's photo (the body is the JPEG itself); the unit's members
/// learn of it by sync and download it from `/v1/files/{file_id}`. A parcel of another
/// project answers like an unknown one.
#[utoipa::path(put, path = "/v1/admin/parcels/{parcel_id}/photo", tag = "admin",
    params(("parcel_id" = String, Path, description = "the parcel", max_length = 64)),
    request_body(content = inline(FileBytes), content_type = "image/jpeg",
        description = "a JPEG of at most 2 MiB (2097152 bytes), at most 8192 pixels on each side"),
    responses(
        (status = 200, body = ParcelPhotoSet),
        (status = 400, description = "invalid_input (not a JPEG, an unreadable or oversized picture, a `parcel_id` longer than 64 characters)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such parcel among those this credential may manage)", body = ApiError),
        (status = 413, description = "too_large (a body over 2 MiB)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn set_parcel_photo(
    State(state): State<AppState>,
    staff: Staff,
    Path(parcel_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<ParcelPhotoSet>> {
    check_id("parcel_id", &parcel_id)?;
    let body = raw_body(body, MAX_PHOTO_BYTES, "a photo")?;
    let member = staff.0.clone();
    let p = parcel_id.clone();
    let file_id = state
        .db(move |s| crate::parcels::set_parcel_photo(s, &member, &p, &body, Utc::now()))
        .await?;
    tracing::info!(%parcel_id, %file_id, staff_id = %staff.0.id, "parcel photo set");
    Ok(Json(ParcelPhotoSet { file_id }))
}

/// Where a chunk goes in its upload.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ChunkQuery {
    /// Where this chunk starts (the bytes the server reported having).
    pub offset: u64,
    /// The whole upload's size in bytes (at most 2 MiB).
    pub size: u64,
    /// The whole upload's SHA-256, 64 hex digits.
    pub sha256: String,
}

/// How much of an upload of the signed-in person the server has (to resume it).
#[utoipa::path(get, path = "/v1/uploads/{upload_id}", tag = "files",
    params(("upload_id" = String, Path, description = "the phone's id for the upload", max_length = 64)),
    responses(
        (status = 200, body = UploadState),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such upload of this person: start at 0)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn upload_status(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(upload_id): Path<String>,
) -> AppResult<Json<UploadState>> {
    check_id("upload_id", &upload_id)?;
    let person_id = session.person_id;
    let s = state
        .db(move |s| crate::uploads::status(s, &person_id, &upload_id))
        .await?;
    Ok(Json(s))
}

/// One chunk of an upload (a payment slip, sent in pieces so a dropped connection
/// resumes): the body is the bytes at `offset`.
#[utoipa::path(put, path = "/v1/uploads/{upload_id}", tag = "files",
    params(("upload_id" = String, Path, description = "the phone's id for the upload", max_length = 64), ChunkQuery),
    request_body(content = inline(FileBytes), content_type = "application/octet-stream",
        description = "1 to 262144 bytes"),
    responses(
        (status = 200, body = UploadState),
        (status = 400, description = "invalid_input", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (another person's upload)", body = ApiError),
        (status = 409, description = "conflict (a chunk at the wrong offset, or another size or digest)", body = ApiError),
        (status = 413, description = "too_large (an upload over 2 MiB, a chunk over the limit)", body = ApiError),
        (status = 429, description = "rate_limited (too many uploads in progress)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn put_upload_chunk(
    State(state): State<AppState>,
    Authed(session): Authed,
    Path(upload_id): Path<String>,
    query: Result<axum::extract::Query<ChunkQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<UploadState>> {
    let axum::extract::Query(q) = query?;
    check_id("upload_id", &upload_id)?;
    let body = raw_body(body, crate::uploads::MAX_CHUNK_BYTES, "a chunk")?;
    let person_id = session.person_id;
    let s = state
        .db(move |s| {
            crate::uploads::put_chunk(
                s,
                &person_id,
                &crate::uploads::Chunk {
                    upload_id: &upload_id,
                    offset: q.offset,
                    size: q.size,
                    sha256: &q.sha256,
                    bytes: &body,
                },
                Utc::now(),
            )
        })
        .await?;
    Ok(Json(s))
}

/// A raw upload's bytes; the route's body limit overflowing is `too_large` (413).
fn raw_body(body: Result<Bytes, BytesRejection>, max: usize, what: &str) -> AppResult<Bytes> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::new(
                ErrorCode::TooLarge,
                format!("{what} has at most {max} bytes"),
            )
        } else {
            AppError::from(r)
        }
    })
}

/// Sets or replaces an announcement's attachment (the body is the image or PDF itself);
/// everyone it is addressed to learns of it by sync and downloads it from
/// `/v1/files/{file_id}`.
#[utoipa::path(put, path = "/v1/admin/announcements/{announcement_id}/attachment", tag = "admin",
    params(("announcement_id" = String, Path, description = "the announcement", max_length = 64)),
    request_body(content = inline(FileBytes), content_type = "application/octet-stream",
        description = "a JPEG or PNG (at most 8192 pixels a side) or a PDF, at most 5 MiB (5242880 bytes)"),
    responses(
        (status = 200, body = AttachmentSet),
        (status = 400, description = "invalid_input (not an image or a whole PDF, an oversized picture, an id longer than 64 characters)", body = ApiError),
        (status = 401, description = "unauthorized", body = ApiError),
        (status = 404, description = "not_found (no such announcement among those this credential may manage)", body = ApiError),
        (status = 413, description = "too_large (a body over 5 MiB)", body = ApiError),
    ),
    security(("bearer" = [])))]
pub async fn set_announcement_attachment(
    State(state): State<AppState>,
    staff: Staff,
    Path(announcement_id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> AppResult<Json<AttachmentSet>> {
    check_id("announcement_id", &announcement_id)?;
    let body = raw_body(body, MAX_ATTACHMENT_BYTES, "an attachment")?;
    let member = staff.0.clone();
    let id = announcement_id.clone();
    let size = body.len() as u64;
    let content_type = state
        .db(move |s| crate::announcements::set_attachment(s, &member, &id, &body, Utc::now()))
        .await?;
    tracing::info!(%announcement_id, staff_id = %staff.0.id, "announcement attachment set");
    Ok(Json(AttachmentSet {
        content_type: content_type.to_string(),
        size,
    }))
}

#[cfg(test)]
mod tests {
    use super::matches_etag;

    #[test]
    fn if_none_match_forms() {
        let sha = "ab12";
        for yes in ["\"ab12\"", "W/\"ab12\"", "\"x\", \"ab12\"", "*"] {
            assert!(matches_etag(yes, sha), "{yes}");
        }
        for no in ["", "\"ab1\"", "\"ab123\"", "\"x\""] {
            assert!(!matches_etag(no, sha), "{no}");
        }
    }
}
