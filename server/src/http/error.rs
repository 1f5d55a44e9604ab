//! `AppError` → HTTP: the status comes from `ErrorCode::http_status()` (one mapping for
//! server and core), the body is `protocol::ApiError`, and rate-limited answers also carry
//! a `Retry-After` header. Rejections from axum's extractors become `invalid_input` in the
//! same shape, so a client never sees a plain-text error.

use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lobby_model::protocol::{ApiError, ApiErrorBody};

use crate::error::AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ApiError {
            error: ApiErrorBody {
                code: self.error.code.as_str().to_string(),
                message: self.error.message,
                retry_after_secs: self.retry_after_secs,
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

fn too_large_or(status: StatusCode, text: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid("the request body is too large")
    } else {
        AppError::invalid(text)
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        too_large_or(
            r.status(),
            format!("malformed JSON request: {}", r.body_text()),
        )
    }
}

impl From<BytesRejection> for AppError {
    fn from(r: BytesRejection) -> Self {
        too_large_or(
            r.status(),
            format!("unreadable request body: {}", r.body_text()),
        )
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::invalid(format!("malformed query: {}", r.body_text()))
    }
}

/// Unknown paths answer in the API's error shape too.
pub async fn not_found() -> AppError {
    AppError::not_found("no such endpoint")
}

#[cfg(test)]
mod tests {
    use super::*;
    use lobby_model::ErrorCode;

    #[test]
    fn status_comes_from_the_code_and_rate_limits_carry_retry_after() {
        let r = AppError::new(ErrorCode::OnboardingTokenUsed, "used").into_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let r = AppError::rate_limited("slow down", 42).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers().get(header::RETRY_AFTER).unwrap(), "42");
    }
}
