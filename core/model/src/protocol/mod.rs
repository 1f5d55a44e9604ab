//! The HTTP contract between the core and the server: request and response bodies of
//! every endpoint, shared by both sides so they cannot drift. The server derives its
//! OpenAPI description from these types (`utoipa::ToSchema`).
//!
//! Endpoints (all JSON; errors are [`ApiError`] with a stable code):
//!
//! | method + path | body | answer |
//! | --- | --- | --- |
//! | `POST /v1/onboarding/preview` | [`OnboardingPreviewRequest`] | [`OnboardingPreview`] |
//! | `POST /v1/onboarding/start` (bearer optional) | [`OnboardingStartRequest`] | [`OtpSent`] |
//! | `POST /v1/onboarding/verify` | [`OtpVerifyRequest`] | [`SessionGrant`] |
//! | `POST /v1/onboarding/claim` (bearer) | [`OnboardingClaimRequest`] | [`OnboardingClaimed`] |
//! | `POST /v1/invites/accept` | [`InviteAcceptRequest`] | [`OtpSent`] (then `/v1/auth/otp/verify`) |
//! | `POST /v1/auth/otp` | [`OtpLoginRequest`] | [`OtpSent`] |
//! | `POST /v1/auth/otp/verify` | [`OtpVerifyRequest`] | [`SessionGrant`] |
//! | `POST /v1/auth/password` | [`PasswordLoginRequest`] | [`SessionGrant`] |
//! | `POST /v1/auth/refresh` | [`RefreshRequest`] | [`SessionGrant`] |
//! | `POST /v1/auth/logout` (bearer) | [`LogoutRequest`] | `{}` |
//! | `POST /v1/me/email` (bearer) | [`EmailChangeRequest`] | [`OtpSent`] (to the new address) |
//! | `POST /v1/me/email/verify` (bearer) | [`OtpVerifyRequest`] | `{}` |
//! | `POST /v1/me/phone` (bearer) | [`PhoneChangeRequest`] | [`OtpSent`] (to the new number) |
//! | `POST /v1/me/phone/verify` (bearer) | [`OtpVerifyRequest`] | `{}` |
//! | `GET /v1/me/sessions` (bearer) | | [`SessionList`] (the person's signed-in devices) |
//! | `POST /v1/sync/pull` (bearer) | [`PullRequest`] | [`PullResponse`] |
//! | `POST /v1/sync/push` (bearer) | [`PushRequest`] | [`PushResponse`] |
//! | `GET /v1/files/{id}` (bearer) | | the file's bytes (see [`FileRef`]) |
//! | `GET /openapi.json` | | the OpenAPI document |
//!
//! Staff endpoints live under `/v1/admin/` (bearer = staff token); their bodies are in
//! [`admin`].
//!
//! One file per area (`onboarding`, `auth`, `units`, `invites`, `parcels`, `files`, `sync`,
//! `admin`);
//! everything is re-exported here, so `protocol::UnitRecord` names a type wherever it
//! lives. A record kind of the change log is one line of [`sync`]'s `record_kinds!`.

mod announcements;
mod auth;
mod files;
mod invites;
mod invoices;
mod meetings;
mod onboarding;
mod parcels;
mod privacy;
mod strict;
mod sync;
mod units;

pub mod admin;

pub use announcements::*;
pub use auth::*;
pub use files::*;
pub use invites::*;
pub use invoices::*;
pub use meetings::*;
pub use onboarding::*;
pub use parcels::*;
pub use privacy::*;
pub use sync::*;
pub use units::*;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every error answer: `{"error": {"code": "otp_invalid", "message": "..."}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiErrorBody {
    pub code: String,
    pub message: String,
    /// Seconds until a rate-limited request may be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Empty {}
