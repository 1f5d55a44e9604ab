//! Invitation codes and a unit's members (DESIGN.md §2.3). Creation, revocation and
//! member removal travel as [`super::Mutation`]s; acceptance has its own endpoint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Role;

/// An invitee accepts a code: the server checks it (guessing is rate limited per client
/// address and per phone) and sends an OTP to `phone`. Verifying that OTP through
/// `POST /v1/auth/otp/verify` creates the person (or reuses the account of that phone)
/// and the membership, in one transaction that re-checks the code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteAcceptRequest {
    /// The code as typed or scanned (`ABCDE-FGHJK`, lower case, or the QR text).
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    #[schema(min_length = 1, max_length = 254)]
    pub phone: String,
    /// Display name for a new account.
    #[serde(default)]
    #[schema(max_length = 512)]
    pub name: Option<String>,
}

/// An invitation of a unit (scope `owners:<unit_id>`). The code itself is never sent
/// back: the server keeps only its digest; the phone that made it keeps the code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InviteRecord {
    pub id: String,
    pub unit_id: String,
    pub role: Role,
    pub status: InviteStatus,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Who accepted it, once accepted.
    #[serde(default)]
    pub accepted_by: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InviteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteStatus::Pending => "pending",
            InviteStatus::Accepted => "accepted",
            InviteStatus::Revoked => "revoked",
            InviteStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<InviteStatus> {
        match s {
            "pending" => Some(InviteStatus::Pending),
            "accepted" => Some(InviteStatus::Accepted),
            "revoked" => Some(InviteStatus::Revoked),
            "expired" => Some(InviteStatus::Expired),
            _ => None,
        }
    }
}

/// A resident or tenant of a unit (scope `owners:<unit_id>`; `id` is the membership id).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MemberRecord {
    pub id: String,
    pub unit_id: String,
    pub person_id: String,
    pub name: String,
    pub role: Role,
}
