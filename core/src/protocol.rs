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
//! | `POST /v1/sync/pull` (bearer) | [`PullRequest`] | [`PullResponse`] |
//! | `POST /v1/sync/push` (bearer) | [`PushRequest`] | [`PushResponse`] |
//! | `GET /openapi.json` | | the OpenAPI document |
//!
//! Staff endpoints live under `/v1/admin/` (bearer = staff token); their bodies are in
//! [`admin`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

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

// ---------------------------------------------------------------- onboarding

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingPreviewRequest {
    /// The QR text, `LOBBY:ONBOARD:1:...`.
    pub payload: String,
}

/// The pre-filled registration an onboarding QR stands for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OnboardingPreview {
    pub project_id: String,
    pub project_name: String,
    pub project_kind: ProjectKind,
    pub unit_id: String,
    pub unit_number: String,
    pub owner_name: String,
    /// Decimal string, e.g. `"12.345"`.
    pub ownership_ratio: String,
    /// False when the owner named by this QR already has an activated account: the app
    /// reuses that profile and only adds the unit.
    pub new_account: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingStartRequest {
    pub payload: String,
    /// Where the OTP goes. Required unless the request carries a session (an owner adding
    /// another unit), in which case the code goes to the account's own phone.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Display name; defaults to the registry name.
    #[serde(default)]
    pub name: Option<String>,
    /// Required for a new account; checked against the password policy.
    #[serde(default)]
    pub password: Option<String>,
}

/// A signed-in owner adds the unit of another onboarding QR to their account
/// (DESIGN.md §2.1.4): the session proves the person, the QR proves the unit; no OTP.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingClaimRequest {
    pub payload: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OnboardingClaimed {
    pub person_id: String,
    pub unit_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpSent {
    /// Binds the code to this request; send it back with the code.
    pub request_id: String,
    /// Masked destination, e.g. `+66 8••••5678`.
    pub sent_to: String,
    pub expires_at: DateTime<Utc>,
    pub resend_after: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpVerifyRequest {
    pub request_id: String,
    pub code: String,
}

// ---------------------------------------------------------------- invitations

/// An invitee accepts a code: the server checks it (guessing is rate limited per client
/// address and per phone) and sends an OTP to `phone`. Verifying that OTP through
/// `POST /v1/auth/otp/verify` creates the person (or reuses the account of that phone)
/// and the membership, in one transaction that re-checks the code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteAcceptRequest {
    /// The code as typed or scanned (`ABCDE-FGHJK`, lower case, or the QR text).
    pub code: String,
    pub phone: String,
    /// Display name for a new account.
    #[serde(default)]
    pub name: Option<String>,
}

// ---------------------------------------------------------------- auth

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OtpLoginRequest {
    /// A phone number (any common Thai form) or an e-mail address.
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordLoginRequest {
    pub to: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// Revoke every session of the person, not only this one.
    #[serde(default)]
    pub everywhere: bool,
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

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Empty {}

// ---------------------------------------------------------------- sync: downstream

/// `scope` strings: `person:<id>`, `unit:<id>`, `project:<id>`, and `owners:<unit_id>`
/// (what only the unit's owners see: its invitations and members).
pub type Scope = String;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PullRequest {
    /// The schema epoch the client's replica was built under; `None` on first sync.
    #[serde(default)]
    pub epoch: Option<u32>,
    /// Per-scope cursor: the highest change sequence already applied for that scope.
    /// A scope the client has never seen is simply absent (it starts at 0), so a unit
    /// added later is back-filled from its beginning.
    #[serde(default)]
    pub cursors: BTreeMap<Scope, i64>,
    /// Page size wanted; the server caps it.
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub epoch: u32,
    /// The client must drop its synced tables and cursors and pull again from nothing
    /// (cursor older than retention, or a new schema epoch). Its outbox stays.
    pub reset: bool,
    /// In ascending `seq` order.
    pub changes: Vec<Change>,
    /// The cursor of every scope the person may see now, after this page.
    pub cursors: BTreeMap<Scope, i64>,
    /// Scopes the client asked about that the person may no longer see: purge them.
    pub removed_scopes: Vec<Scope>,
    pub has_more: bool,
}

/// One entry of the server's change log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub scope: Scope,
    pub record: Record,
}

/// The state of one entity after a change (externally tagged: `{"unit": {...}}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    Project(ProjectRecord),
    Unit(UnitRecord),
    Membership(MembershipRecord),
    Profile(ProfileRecord),
    Parcel(ParcelRecord),
    Invite(InviteRecord),
    Member(MemberRecord),
    Deleted(DeletedRecord),
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Project,
    Unit,
    Membership,
    Profile,
    Parcel,
    Invite,
    Member,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ProjectKind {
    Condominium,
    HousingEstate,
}

impl ProjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Condominium => "condominium",
            ProjectKind::HousingEstate => "housing_estate",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectKind> {
        match s {
            "condominium" => Some(ProjectKind::Condominium),
            "housing_estate" => Some(ProjectKind::HousingEstate),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Role {
    Owner,
    Resident,
    Tenant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Resident => "resident",
            Role::Tenant => "tenant",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "resident" => Some(Role::Resident),
            "tenant" => Some(Role::Tenant),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProjectRecord {
    pub id: String,
    pub name: String,
    pub kind: ProjectKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UnitRecord {
    pub id: String,
    pub project_id: String,
    pub number: String,
    /// Ownership ratio in millionths (exact).
    pub ratio_micros: i64,
    pub arrears_months: u32,
}

/// One of the person's own memberships (scope `person:<id>`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MembershipRecord {
    pub id: String,
    pub unit_id: String,
    pub project_id: String,
    pub role: Role,
}

/// The person's own profile (scope `person:<id>`). Contact fields are the person's to
/// edit; `legal_name` changes only through staff.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ProfileRecord {
    pub id: String,
    pub legal_name: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ParcelRecord {
    pub id: String,
    pub unit_id: String,
    pub recipient: String,
    pub carrier: String,
    pub tracking: Option<String>,
    /// `waiting` | `picked_up` | `returned`.
    pub status: String,
    pub logged_at: DateTime<Utc>,
    pub picked_up_at: Option<DateTime<Utc>>,
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeletedRecord {
    pub kind: EntityKind,
    pub id: String,
}

// ---------------------------------------------------------------- sync: upstream

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub mutations: Vec<MutationEnvelope>,
}

/// A queued change from the phone. `id` (UUIDv7, made on the phone) is the idempotency
/// key: the server applies each id at most once and answers a repeat with the stored
/// result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MutationEnvelope {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub mutation: Mutation,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Mutation {
    /// Edit the person's own contact fields. `None` leaves a field unchanged.
    ProfileUpdate {
        #[serde(default)]
        display_name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
    /// An owner invites someone into `unit_id`. `invite_id` is made on the phone (so the
    /// phone can show and revoke it before the server confirms); `code` is the 10
    /// characters the phone generated. Refused with `invite_cap_reached` when the unit
    /// already has 5 residents, tenants and pending codes; `forbidden` unless the sender
    /// owns the unit.
    InviteCreate {
        invite_id: Uuid,
        unit_id: String,
        role: Role,
        code: String,
    },
    /// The owner revokes a pending code (revoking one already used or revoked is
    /// `applied` with no effect, so a retry is harmless).
    InviteRevoke { invite_id: Uuid },
    /// The owner ends a resident's or tenant's membership (`membership_id` from a
    /// [`MemberRecord`]); the removed person's phone purges the unit on its next sync.
    MemberRemove { membership_id: String },
}

impl Mutation {
    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::ProfileUpdate { .. } => "profile_update",
            Mutation::InviteCreate { .. } => "invite_create",
            Mutation::InviteRevoke { .. } => "invite_revoke",
            Mutation::MemberRemove { .. } => "member_remove",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// One per mutation, same order.
    pub results: Vec<MutationResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MutationResult {
    pub id: Uuid,
    pub outcome: MutationOutcome,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MutationOutcome {
    Applied,
    Rejected { code: String, message: String },
}

// ---------------------------------------------------------------- staff

/// Bodies of the staff endpoints under `/v1/admin/`.
pub mod admin {
    use super::*;

    /// `POST /v1/admin/projects`
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct CreateProject {
        pub name: String,
        pub kind: ProjectKind,
    }

    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct ProjectCreated {
        pub project_id: String,
    }

    /// `POST /v1/admin/projects/{project_id}/owners` with the CSV as the body
    /// (`text/csv`). All rows or none.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct OwnersImported {
        pub units: Vec<ImportedUnit>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct ImportedUnit {
        pub unit_id: String,
        pub unit: String,
        pub owner: String,
        /// The QR text to hand the owner.
        pub onboarding_payload: String,
    }

    /// `POST /v1/admin/units/{unit_id}/onboarding/reissue` — voids the unit's previous
    /// token.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct OnboardingReissued {
        pub onboarding_payload: String,
    }

    /// `GET /v1/admin/otp/peek?to=...` — development mode only.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct OtpPeek {
        pub code: String,
    }

    /// `POST /v1/admin/sync/epoch` — start a new schema epoch: every client resets.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct EpochBumped {
        pub epoch: u32,
    }
}
