//! Bodies of the staff endpoints under `/v1/admin/`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ProjectKind;

/// `POST /v1/admin/projects`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreateProject {
    /// 1 to 200 characters, not only white space, no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00-\x1f\x7f-\x9f]*$"
    )]
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

/// `POST /v1/admin/parcels`: staff log a parcel that arrived for a unit (DESIGN.md §2.4).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelAdd {
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: String,
    /// The name on the label (the one name rule: `domain::name`).
    #[schema(min_length = 1, max_length = 200)]
    pub recipient: String,
    #[schema(min_length = 1, max_length = 200)]
    pub carrier: String,
    /// The carrier's tracking number, if any.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64)]
    pub tracking: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelAdded {
    pub parcel_id: String,
}

/// `PUT /v1/admin/parcels/{parcel_id}/photo` with the JPEG as the body (`image/jpeg`, at
/// most `domain::files::MAX_PHOTO_BYTES`): sets or replaces the parcel's photo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelPhotoSet {
    pub file_id: String,
}
