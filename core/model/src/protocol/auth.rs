//! OTP and password sign-in, sessions (DESIGN.md §2.2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpSent {
    /// Binds the code to this request; send it back with the code.
    pub request_id: String,
    /// Masked destination, e.g. `+66 8••••5678`.
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
    pub resend_after: DateTime<Utc>,
}

/// `POST /v1/me/email`: the signed-in person asks to make `email` their login e-mail; a
/// code goes to that address (answered [`OtpSent`]), and `POST /v1/me/email/verify` with
/// an [`OtpVerifyRequest`] makes the change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EmailChangeRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
}

/// `POST /v1/me/phone`: the signed-in person asks to make `phone` (any common Thai form)
/// their phone number; a code goes to that number (answered [`OtpSent`]), and
/// `POST /v1/me/phone/verify` with an [`OtpVerifyRequest`] makes the change. Asking needs a
/// sign-in from the last 10 minutes (`reauth_required`), as for the e-mail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PhoneChangeRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub phone: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpVerifyRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub request_id: String,
    #[schema(min_length = 1, max_length = 16)]
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpLoginRequest {
    /// A phone number (any common Thai form) or an e-mail address.
    #[schema(min_length = 1, max_length = 254)]
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordLoginRequest {
    #[schema(min_length = 1, max_length = 254)]
    pub to: String,
    #[schema(min_length = 1, max_length = 512)]
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(min_length = 1, max_length = 128)]
    pub refresh_token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// Revoke every session of the person, not only this one.
    #[serde(default)]
    pub everywhere: bool,
    /// Someone else used the account: with `everywhere`, also files a misuse report for
    /// the juristic office (a privacy request of kind `misuse`, due in 72 hours), in the
    /// same unit of work. Without `everywhere` it is `invalid_input`.
    #[serde(default)]
    pub report_misuse: bool,
    /// What happened, in the person's words (optional; Thai text, at most 2,000
    /// characters). Only with `report_misuse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub detail: Option<String>,
}

impl LogoutRequest {
    /// A misuse report only with `everywhere`, a detail only with a report
    /// (`domain::privacy_request::check_sign_out`); the detail's text is the report's
    /// to check.
    pub fn check(&self) -> crate::error::Result<()> {
        crate::domain::privacy_request::check_sign_out(
            self.everywhere,
            self.report_misuse,
            self.detail.is_some(),
        )
    }
}

/// The answer to `POST /v1/auth/logout`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LoggedOut {
    /// The misuse report filed, when one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misuse_report: Option<MisuseReported>,
}

/// A misuse report the office must look into by `deadline`; it is listed with the
/// person's privacy requests.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MisuseReported {
    pub request_id: String,
    pub deadline: DateTime<Utc>,
}

/// A new session. The refresh token rotates: each use returns a new one and voids the
/// old; presenting a voided one revokes the whole session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionGrant {
    pub person_id: String,
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// `GET /v1/me/sessions`: the person's signed-in devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    /// One entry per sign-in that can still be used (not signed out, refresh token not
    /// expired), the most recently seen first.
    pub sessions: Vec<SessionEntry>,
}

/// One sign-in of the person: one device, from its sign-in until it signs out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionEntry {
    /// The sign-in's id (its session family; stays the same across refreshes).
    #[schema(max_length = 64)]
    pub session_id: String,
    /// The label the device gave itself at sign-in (header `Lobby-Device`), or `null`
    /// when it gave none or one the server refused: an unknown device.
    #[schema(max_length = 64)]
    pub device: Option<String>,
    pub signed_in_at: DateTime<Utc>,
    /// The last sign-in or token refresh of this device. A device refreshes when its
    /// access token (15 minutes) has expired, so it was last active at most that long
    /// after this time.
    pub last_seen: DateTime<Utc>,
    /// Whether this is the sign-in the request was made with.
    pub current: bool,
}
