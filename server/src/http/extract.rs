//! Request extractors: JSON bodies with API-shaped rejections, the client's address, the
//! signing-in device's label, and bearer authentication for people (session access
//! token) and staff (staff token).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::Utc;
use lobby_model::domain::device_label::{decode_header, DEVICE_HEADER};
use lobby_model::domain::secret_token::secret_digest;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};
use crate::sessions::SessionInfo;
use crate::state::AppState;
use crate::storage::StaffMember;

/// Longest bearer token looked up (ours are 52 characters).
const MAX_BEARER_LEN: usize = 128;

/// `axum::Json` whose rejections are `invalid_input` API errors. The body must be a JSON
/// object, as every request body of the description is: a derived struct would also take
/// an array of its fields' values (`[]` for a request whose fields all have defaults).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await?;
        Ok(ApiJson(from_object(value)?))
    }
}

/// A request body's JSON value, which must be an object, as `T`.
pub fn from_object<T: DeserializeOwned>(value: serde_json::Value) -> AppResult<T> {
    if !value.is_object() {
        return Err(AppError::invalid(
            "malformed JSON request: the body must be a JSON object",
        ));
    }
    serde_json::from_value(value)
        .map_err(|e| AppError::invalid(format!("malformed JSON request: {e}")))
}

/// The peer address of the TCP connection (never a forwarded header, which a client
/// could forge).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| ClientIp(c.0.ip()))
            .ok_or_else(|| AppError::server("client address", "no connect info"))
    }
}

/// The label of the device signing in (header `Lobby-Device`), checked here again
/// whatever the phone checked: `None` when missing, unreadable or refused by
/// `domain::device_label`. Never a rejection: an odd label must not stop a sign-in.
pub struct DeviceLabel(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for DeviceLabel {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let label = parts
            .headers
            .get(DEVICE_HEADER)
            .and_then(|v| decode_header(v.as_bytes()));
        if label.is_none() && parts.headers.contains_key(DEVICE_HEADER) {
            // Neither the label nor the person: the label is personal data.
            tracing::debug!("a device label was refused; the sign-in is an unknown device");
        }
        Ok(DeviceLabel(label))
    }
}

/// The bearer token, if the request has an `Authorization: Bearer` header.
/// `Err` when the header is present but malformed.
pub fn bearer(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| AppError::unauthorized())?;
    let token = text
        .strip_prefix("Bearer ")
        .or_else(|| text.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(AppError::unauthorized)?;
    if token.is_empty() || token.len() > MAX_BEARER_LEN {
        return Err(AppError::unauthorized());
    }
    Ok(Some(token.to_string()))
}

async fn session_for(state: &AppState, token: &str) -> AppResult<SessionInfo> {
    let digest = secret_digest(token);
    state
        .db(move |s| crate::sessions::session_by_access(s, &digest, Utc::now()))
        .await?
        .ok_or_else(AppError::unauthorized)
}

/// A signed-in person (valid, unexpired, unrevoked access token).
pub struct Authed(pub SessionInfo);

impl FromRequestParts<AppState> for Authed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers)?.ok_or_else(AppError::unauthorized)?;
        Ok(Authed(session_for(state, &token).await?))
    }
}

/// A session if the request has one; a present but invalid token is still refused.
pub struct MaybeAuthed(pub Option<SessionInfo>);

impl FromRequestParts<AppState> for MaybeAuthed {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers)? {
            Some(token) => Ok(MaybeAuthed(Some(session_for(state, &token).await?))),
            None => Ok(MaybeAuthed(None)),
        }
    }
}

/// The staff credential behind the request's bearer token.
pub async fn staff_from_headers(state: &AppState, headers: &HeaderMap) -> AppResult<StaffMember> {
    let token = bearer(headers)?.ok_or_else(AppError::unauthorized)?;
    let digest = secret_digest(&token);
    state
        .db(move |s| crate::staff::staff_by_token(s, &digest))
        .await?
        .ok_or_else(AppError::unauthorized)
}

/// A staff member (valid, unrevoked staff token).
pub struct Staff(pub StaffMember);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Staff(staff_from_headers(state, &parts.headers).await?))
    }
}

impl Staff {
    /// Project-limited credentials may act only on their project.
    pub fn require_project(&self, project_id: &str) -> AppResult<()> {
        if self.0.manages(project_id) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "this staff credential is limited to another project",
            ))
        }
    }

    /// Operations across projects need an unlimited credential.
    pub fn require_unlimited(&self) -> AppResult<()> {
        match &self.0.project_id {
            Some(_) => Err(AppError::forbidden(
                "this staff credential is limited to one project",
            )),
            None => Ok(()),
        }
    }
}

/// Longest id a path may name (ours are 36-character UUIDs).
pub const MAX_ID_CHARS: usize = 64;

/// Checks an id from a path or body before it is looked up: at most [`MAX_ID_CHARS`]
/// characters. `invalid_input` names the field.
pub fn check_id(field: &str, id: &str) -> AppResult<()> {
    if id.chars().count() > MAX_ID_CHARS {
        return Err(AppError::invalid(format!("{field} is too long")));
    }
    Ok(())
}

/// Checks a free-text field: at most `max_bytes` bytes (a cheap bound before any other
/// work). `invalid_input` names the field, never echoes its value.
pub fn check_len(field: &str, value: &str, max_bytes: usize) -> AppResult<()> {
    if value.len() > max_bytes {
        return Err(AppError::invalid(format!("{field} is too long")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn bearer_header_forms() {
        assert_eq!(bearer(&HeaderMap::new()).unwrap(), None);
        assert_eq!(
            bearer(&headers("Bearer abc")).unwrap().as_deref(),
            Some("abc")
        );
        assert!(bearer(&headers("Basic abc")).is_err());
        assert!(bearer(&headers("Bearer ")).is_err());
        assert!(bearer(&headers(&format!("Bearer {}", "a".repeat(200)))).is_err());
    }
}
