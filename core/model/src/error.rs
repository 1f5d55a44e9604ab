//! Errors in two layers.
//!
//! Inside the core, failures carry context ([`LobbyError`]). At every boundary — the HTTP
//! API, the FFI, the CLI — they collapse to an [`ErrorCode`]: a small, stable, snake_case
//! code the apps map to Thai and English text. Codes are a contract: add new ones, never
//! rename or reuse one.

use std::fmt;

/// Stable error codes shared by the server's HTTP answers, the core, the FFI and the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ErrorCode {
    /// The server could not be reached; the change (if any) is queued.
    Offline,
    /// No valid session, or the session was revoked.
    Unauthorized,
    /// The caller may not do this (wrong role, wrong project, dev-only endpoint).
    Forbidden,
    /// Too many attempts; try again later.
    RateLimited,
    /// A field is malformed, too long, or not UTF-8.
    InvalidInput,
    NotFound,
    Conflict,
    /// The server failed; nothing was changed by this request.
    ServerError,
    /// A bug or a local I/O failure in the core.
    Internal,
    /// The local database or secret store failed.
    Storage,
    OtpInvalid,
    OtpExpired,
    OtpLocked,
    OnboardingTokenInvalid,
    OnboardingTokenExpired,
    OnboardingTokenUsed,
    PasswordTooShort,
    PasswordTooLong,
    PasswordWeak,
    PhoneInvalid,
    EmailInvalid,
    /// Login refused; never says whether the account exists.
    InvalidCredentials,
    /// The owner registry CSV has errors; nothing was imported.
    RegistryInvalid,
    /// A flow step was called out of order (e.g. verify before complete).
    NoPendingOtp,
    /// This device has no current unit (not signed in, or no memberships yet).
    NoCurrentUnit,
    /// A picture holds no readable QR code.
    QrUnreadable,
    /// The unit already has 5 residents, tenants and pending invitations together.
    InviteCapReached,
    /// Not an invitation code, or no such code.
    InviteInvalid,
    InviteRevoked,
    /// The code was already accepted.
    InviteUsed,
    InviteExpired,
    /// The core was closed (`Lobby::close`); open a new one.
    Closed,
    /// A contact that can sign someone in (the e-mail) changes only through a code sent
    /// to the new contact (`profile().request_email_change`), never by a plain edit.
    VerificationRequired,
    /// A pickup pass that is not one: malformed, altered, or not signed by the key it
    /// names (DESIGN.md §2.4).
    PickupPassInvalid,
    /// A genuine pickup pass whose short window has passed (a screenshot, or an old one).
    PickupPassExpired,
    /// A genuine pickup pass from a device that was signed out (its key revoked) or from a
    /// person who is no longer a member of the unit: the resident signs in again.
    PickupPassRevoked,
    /// A pickup pass already used for a handover: each pass hands parcels over once.
    PickupPassUsed,
    /// The parcel was already handed over (or returned to the carrier).
    AlreadyHandedOver,
    /// The person may not vote for this unit (a resident or tenant, a unit in arrears at
    /// a general meeting, a unit neither owned nor held by proxy), or may not hold proxies.
    NotEligible,
    /// A proxy holder would hold more than 3 units at one meeting (s.47).
    ProxyLimit,
    /// The item's voting is closed (by the server's clock), or not open yet.
    VotingClosed,
    /// A file (a parcel photo, later a payment slip or an attachment) is larger than its
    /// limit (`domain::files`); HTTP 413.
    TooLarge,
    /// The action needs a fresh sign-in (an erasure request, DESIGN.md §2.8): sign in
    /// again, then repeat it.
    ReauthRequired,
    /// An erasure of a person who still owns a unit (DESIGN.md §2.8): the owner registry
    /// and the Condominium Act need an owner for every unit, so ownership is transferred
    /// at the office first; HTTP 409.
    StillOwnsUnit,
    /// The phone could not set up its HTTP client: no way to check a server's certificate
    /// (on Android, `LobbyTls.init(context)` was not called before the first connection),
    /// or no usable TLS at all. A fault of the device or the app's setup, not of the network
    /// or the server: retrying does not help. Raised by the core, never sent by the server.
    TlsUnavailable,
}

impl ErrorCode {
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Offline,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::InvalidInput,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::ServerError,
        ErrorCode::Internal,
        ErrorCode::Storage,
        ErrorCode::OtpInvalid,
        ErrorCode::OtpExpired,
        ErrorCode::OtpLocked,
        ErrorCode::OnboardingTokenInvalid,
        ErrorCode::OnboardingTokenExpired,
        ErrorCode::OnboardingTokenUsed,
        ErrorCode::PasswordTooShort,
        ErrorCode::PasswordTooLong,
        ErrorCode::PasswordWeak,
        ErrorCode::PhoneInvalid,
        ErrorCode::EmailInvalid,
        ErrorCode::InvalidCredentials,
        ErrorCode::RegistryInvalid,
        ErrorCode::NoPendingOtp,
        ErrorCode::NoCurrentUnit,
        ErrorCode::QrUnreadable,
        ErrorCode::InviteCapReached,
        ErrorCode::InviteInvalid,
        ErrorCode::InviteRevoked,
        ErrorCode::InviteUsed,
        ErrorCode::InviteExpired,
        ErrorCode::Closed,
        ErrorCode::VerificationRequired,
        ErrorCode::PickupPassInvalid,
        ErrorCode::PickupPassExpired,
        ErrorCode::PickupPassRevoked,
        ErrorCode::PickupPassUsed,
        ErrorCode::AlreadyHandedOver,
        ErrorCode::TooLarge,
        ErrorCode::NotEligible,
        ErrorCode::ProxyLimit,
        ErrorCode::VotingClosed,
        ErrorCode::ReauthRequired,
        ErrorCode::StillOwnsUnit,
        ErrorCode::TlsUnavailable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Offline => "offline",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::ServerError => "server_error",
            ErrorCode::Internal => "internal",
            ErrorCode::Storage => "storage",
            ErrorCode::OtpInvalid => "otp_invalid",
            ErrorCode::OtpExpired => "otp_expired",
            ErrorCode::OtpLocked => "otp_locked",
            ErrorCode::OnboardingTokenInvalid => "onboarding_token_invalid",
            ErrorCode::OnboardingTokenExpired => "onboarding_token_expired",
            ErrorCode::OnboardingTokenUsed => "onboarding_token_used",
            ErrorCode::PasswordTooShort => "password_too_short",
            ErrorCode::PasswordTooLong => "password_too_long",
            ErrorCode::PasswordWeak => "password_weak",
            ErrorCode::PhoneInvalid => "phone_invalid",
            ErrorCode::EmailInvalid => "email_invalid",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::RegistryInvalid => "registry_invalid",
            ErrorCode::NoPendingOtp => "no_pending_otp",
            ErrorCode::NoCurrentUnit => "no_current_unit",
            ErrorCode::QrUnreadable => "qr_unreadable",
            ErrorCode::InviteCapReached => "invite_cap_reached",
            ErrorCode::InviteInvalid => "invite_invalid",
            ErrorCode::InviteRevoked => "invite_revoked",
            ErrorCode::InviteUsed => "invite_used",
            ErrorCode::InviteExpired => "invite_expired",
            ErrorCode::Closed => "closed",
            ErrorCode::VerificationRequired => "verification_required",
            ErrorCode::PickupPassInvalid => "pickup_pass_invalid",
            ErrorCode::PickupPassExpired => "pickup_pass_expired",
            ErrorCode::PickupPassRevoked => "pickup_pass_revoked",
            ErrorCode::PickupPassUsed => "pickup_pass_used",
            ErrorCode::AlreadyHandedOver => "already_handed_over",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::NotEligible => "not_eligible",
            ErrorCode::ProxyLimit => "proxy_limit",
            ErrorCode::VotingClosed => "voting_closed",
            ErrorCode::ReauthRequired => "reauth_required",
            ErrorCode::StillOwnsUnit => "still_owns_unit",
            ErrorCode::TlsUnavailable => "tls_unavailable",
        }
    }

    /// Parses a code received from the server. Unknown codes (from a newer server) map to
    /// `ServerError` so an old app still shows something sensible.
    pub fn parse(s: &str) -> ErrorCode {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .unwrap_or(ErrorCode::ServerError)
    }

    /// The HTTP status the server answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthorized | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict
            | ErrorCode::OnboardingTokenUsed
            | ErrorCode::InviteCapReached
            | ErrorCode::PickupPassUsed
            | ErrorCode::AlreadyHandedOver
            | ErrorCode::VotingClosed
            | ErrorCode::ProxyLimit
            | ErrorCode::StillOwnsUnit => 409,
            ErrorCode::NotEligible | ErrorCode::ReauthRequired => 403,
            ErrorCode::TooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::ServerError
            | ErrorCode::Internal
            | ErrorCode::Storage
            | ErrorCode::TlsUnavailable => 500,
            ErrorCode::Offline => 503,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The core's error: a stable code plus a human message with context.
///
/// Messages never contain personal data, tokens, OTPs or codes.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct LobbyError {
    pub code: ErrorCode,
    pub message: String,
}

impl LobbyError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        LobbyError {
            code,
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        LobbyError::new(ErrorCode::Internal, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        LobbyError::new(ErrorCode::InvalidInput, message)
    }
}

impl From<serde_json::Error> for LobbyError {
    fn from(e: serde_json::Error) -> Self {
        LobbyError::new(ErrorCode::Internal, format!("encoding: {e}"))
    }
}

pub type Result<T, E = LobbyError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_string() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), *code);
        }
    }

    #[test]
    fn unknown_code_from_a_newer_server_reads_as_server_error() {
        assert_eq!(ErrorCode::parse("brand_new_code"), ErrorCode::ServerError);
    }
}
