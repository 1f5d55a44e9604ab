//! Owner onboarding by QR (DESIGN.md §2.1): preview, start, claim.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ConsentAnswer, PolicyPublished, ProjectKind};
use crate::domain::weight::Weight;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingPreviewRequest {
    /// The QR text, `LOBBY:ONBOARD:1:...`.
    #[schema(min_length = 1)]
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
    /// Exact decimal, e.g. `"12.345"`.
    pub ownership_ratio: Weight,
    /// False when the owner named by this QR already has an activated account: the app
    /// reuses that profile and only adds the unit.
    pub new_account: bool,
    /// The documents in force (terms, privacy policy, marketing notice; at most one of
    /// each), to be answered in `OnboardingStartRequest::consents`. Empty when none is
    /// published.
    #[serde(default)]
    pub policies: Vec<PolicyPublished>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingStartRequest {
    #[schema(min_length = 1)]
    pub payload: String,
    /// Where the OTP goes. Required unless the request carries a session (an owner adding
    /// another unit), in which case the code goes to the account's own phone.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    /// Display name; defaults to the registry name.
    #[serde(default)]
    #[schema(max_length = 512)]
    pub name: Option<String>,
    /// Required for a new account; checked against the password policy.
    #[serde(default)]
    #[schema(max_length = 512)]
    pub password: Option<String>,
    /// Answers to the documents the preview listed, at most one per kind
    /// (`domain::consent::check_answers`). Recorded with the account, in the same unit of
    /// work; an agreement to a version no longer in force refuses the verification
    /// (`conflict`). None sent: the phone asks after its first sync.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub consents: Vec<ConsentAnswer>,
}

/// A signed-in owner adds the unit of another onboarding QR to their account
/// (DESIGN.md §2.1.4): the session proves the person, the QR proves the unit; no OTP.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OnboardingClaimRequest {
    #[schema(min_length = 1)]
    pub payload: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct OnboardingClaimed {
    pub person_id: String,
    pub unit_id: String,
}
