//! Storage behind one trait, so another database (PostgreSQL) can be added without
//! touching the HTTP layer. Each method is one business operation and is atomic: every
//! multi-step write (registry import, onboarding verify, mutation apply + result record)
//! happens in one transaction inside the implementation, and so does every check that
//! guards a write (the invitation cap is counted in the transaction that stores the code).
//!
//! Methods are synchronous; handlers call them on a blocking thread
//! (`state::AppState::db`). Secrets arrive here already digested.

pub mod schema;
pub mod sqlite;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lobby_model::domain::contact::Destination;
use lobby_model::domain::invites::StoredInviteState;
use lobby_model::domain::registry::RegistryRow;
use lobby_model::protocol::{
    MutationEnvelope, MutationOutcome, ProjectRecord, PullRequest, Role, UnitRecord,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::AppResult;
use crate::onboarding::TokenState;
use crate::otp_sender::OtpPurpose;
use crate::sessions::{NewSession, SessionInfo};

pub use sqlite::SqliteStorage;

/// A staff credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    /// `Some`: this credential may act only on that project.
    pub project_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub project_id: Option<String>,
    pub token_digest: String,
}

/// An onboarding token to store (only its digest).
#[derive(Debug, Clone)]
pub struct NewOnboardingToken {
    pub id: String,
    pub digest: String,
    pub expires_at: DateTime<Utc>,
}

/// What an onboarding token points at.
#[derive(Debug, Clone)]
pub struct OnboardingTarget {
    pub token: TokenState,
    pub project: ProjectRecord,
    pub unit: UnitRecord,
    /// The registry owner's legal name.
    pub owner_name: String,
    /// Whether the registry owner already has an activated account.
    pub owner_activated: bool,
}

/// The registration an onboarding OTP confirms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingOnboarding {
    pub token_digest: String,
    pub unit_id: String,
    pub mode: PendingMode,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum PendingMode {
    /// A signed-in person adds a unit to their account.
    Attach { person_id: String },
    /// A new account (or, if the verified phone already has one, that account).
    NewAccount {
        phone: String,
        email: Option<String>,
        display_name: Option<String>,
        password_hash: String,
    },
}

/// The invitation acceptance an `invite_accept` OTP confirms: which invitation, for
/// which (normalised) phone, under which name if a new account is made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingInvite {
    pub invite_id: String,
    pub phone: String,
    pub display_name: Option<String>,
}

/// An invitation found by its code, as acceptance needs it.
#[derive(Debug, Clone)]
pub struct InviteTarget {
    pub id: String,
    pub unit_id: String,
    pub role: Role,
    pub state: StoredInviteState,
    pub expires_at: DateTime<Utc>,
}

/// One issued code, about to be stored. Storage applies the send limits
/// (`domain::otp::check_send_allowed`) per destination and, when `limit_client` is set,
/// per client address, in the same transaction as the insert.
#[derive(Debug, Clone)]
pub struct NewOtpRequest {
    pub id: String,
    pub purpose: OtpPurpose,
    /// Normalised destination.
    pub destination: String,
    pub client_addr: String,
    pub limit_client: bool,
    pub code_digest: String,
    pub created_at: DateTime<Utc>,
    /// The account a login code is for; `None` for an unknown destination (the code is
    /// then never delivered and can never be verified).
    pub person_id: Option<String>,
    pub pending: Option<PendingOnboarding>,
    /// For `invite_accept` codes: the acceptance waiting for the code.
    pub invite: Option<PendingInvite>,
}

/// An account that may sign in.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub person_id: String,
    pub password_hash: Option<String>,
}

/// One change-log entry with its record as stored JSON (spliced into the answer without
/// re-parsing into typed values).
#[derive(Debug, Serialize)]
pub struct RawChange {
    pub seq: i64,
    pub scope: String,
    pub record: Box<RawValue>,
}

/// A pull answer; serialises exactly like `protocol::PullResponse`.
#[derive(Debug, Serialize)]
pub struct PullPage {
    pub epoch: u32,
    pub reset: bool,
    pub changes: Vec<RawChange>,
    pub cursors: BTreeMap<String, i64>,
    pub removed_scopes: Vec<String>,
    pub has_more: bool,
}

pub trait Storage: Send + Sync + 'static {
    // ---- staff
    fn add_staff(&self, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<()>;
    /// `not_found` if there is no such staff credential.
    fn revoke_staff(&self, staff_id: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// The unrevoked staff credential with this token digest.
    fn staff_by_token(&self, token_digest: &str) -> AppResult<Option<StaffMember>>;

    // ---- projects and the owner registry
    /// Creates the project and logs its record in its scope.
    fn create_project(&self, project: &ProjectRecord, now: DateTime<Utc>) -> AppResult<()>;
    fn project(&self, project_id: &str) -> AppResult<Option<ProjectRecord>>;
    fn unit_project_id(&self, unit_id: &str) -> AppResult<Option<String>>;
    /// Imports parsed registry rows (one token per row, same order) into the project:
    /// people by phone, units, tokens, unit records in the change log. All or nothing; a
    /// unit number already in the project is a `registry_invalid` row problem. Returns the
    /// new unit ids in row order.
    fn import_owners(
        &self,
        project_id: &str,
        rows: &[RegistryRow],
        tokens: &[NewOnboardingToken],
        now: DateTime<Utc>,
    ) -> AppResult<Vec<String>>;
    /// Voids the unit's unused tokens and stores a new one.
    fn reissue_onboarding(
        &self,
        unit_id: &str,
        token: &NewOnboardingToken,
        now: DateTime<Utc>,
    ) -> AppResult<()>;

    // ---- onboarding and sign-in
    fn onboarding_target(&self, token_digest: &str) -> AppResult<Option<OnboardingTarget>>;
    /// Stores a code after applying the send limits (`rate_limited` with a retry time).
    fn create_otp_request(&self, request: &NewOtpRequest) -> AppResult<()>;
    /// Checks an onboarding code and, in one transaction, re-checks the token, creates
    /// or activates the person, adds the owner membership, marks the token used, logs
    /// the changes and starts the session. A wrong code is counted; nothing else stays.
    fn complete_onboarding(
        &self,
        request_id: &str,
        code_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String>;
    /// A signed-in person adds the unit of a still-usable token to their account (owner
    /// membership, token used, change logged), in one transaction. Returns the unit id.
    fn claim_onboarding(
        &self,
        person_id: &str,
        token_digest: &str,
        now: DateTime<Utc>,
    ) -> AppResult<String>;
    /// The activated account a phone or e-mail belongs to.
    fn login_account(&self, destination: &Destination) -> AppResult<Option<LoginAccount>>;
    /// Where a person's codes go (their phone, else e-mail).
    fn person_destination(&self, person_id: &str) -> AppResult<Option<Destination>>;
    /// Checks a login code and starts the session (one transaction). A code sent by
    /// `POST /v1/invites/accept` is verified here too: the same transaction re-checks the
    /// invitation, finds or makes the person of the phone, adds the membership, marks
    /// the invitation accepted and logs the changes (`invite_*` or `conflict` roll it
    /// all back, the code's use included).
    fn complete_otp_login(
        &self,
        request_id: &str,
        code_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String>;

    // ---- invitations (creation, revocation and member removal arrive as mutations)
    /// The invitation behind a code offered for acceptance, with guessing limited: when
    /// any of `guess_keys` has used up its window (`domain::invites`), `rate_limited`
    /// before the code is looked at; a malformed (`code_digest` `None`) or unknown code
    /// records a failure against every key and answers `invite_invalid`.
    fn invite_for_acceptance(
        &self,
        code_digest: Option<&str>,
        guess_keys: &[String],
        now: DateTime<Utc>,
    ) -> AppResult<InviteTarget>;

    // ---- sessions
    /// Starts a new session family.
    fn create_session(
        &self,
        person_id: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    fn session_by_access(
        &self,
        access_digest: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Option<SessionInfo>>;
    /// Rotates a refresh token: the presented one is voided and `session` takes its place
    /// in the family. A voided token revokes the whole family (`unauthorized`).
    fn rotate_refresh(
        &self,
        refresh_digest: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> AppResult<String>;
    fn revoke_family(&self, family_id: &str, now: DateTime<Utc>) -> AppResult<()>;
    fn revoke_person_sessions(&self, person_id: &str, now: DateTime<Utc>) -> AppResult<()>;

    // ---- sync
    fn pull(&self, person_id: &str, request: &PullRequest) -> AppResult<PullPage>;
    /// Applies one mutation exactly once (one transaction with its stored result).
    fn push_one(
        &self,
        person_id: &str,
        envelope: &MutationEnvelope,
        now: DateTime<Utc>,
    ) -> AppResult<MutationOutcome>;
    /// Starts a new schema epoch; returns it.
    fn bump_epoch(&self) -> AppResult<u32>;
}
