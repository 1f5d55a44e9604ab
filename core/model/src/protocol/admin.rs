//! Bodies of the staff endpoints under `/v1/admin/`.

use chrono::{DateTime, Utc};
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

/// `POST /v1/admin/pickup/verify`: staff scanned a resident's pickup pass.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupVerify {
    /// The QR text (`LOBBY:PICKUP:1:…`).
    #[schema(min_length = 1, max_length = 512)]
    pub payload: String,
}

/// A genuine, live pass: who shows it, for which unit, and that unit's waiting parcels
/// (never another unit's).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupVerified {
    pub person_id: String,
    /// The resident's display name, to compare with the face at the counter.
    pub person_name: String,
    pub unit_id: String,
    pub unit_number: String,
    /// The last moment this pass is accepted.
    pub valid_until: DateTime<Utc>,
    pub parcels: Vec<PickupParcel>,
}

/// A waiting parcel as the counter lists it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupParcel {
    pub parcel_id: String,
    pub recipient: String,
    pub carrier: String,
    pub tracking: Option<String>,
    pub logged_at: DateTime<Utc>,
}

/// `POST /v1/admin/pickup/handover`: hand parcels of one unit over, either to the
/// holder of a pickup pass (`payload`: method `qr`) or against a signature
/// (`signature_png` and `collected_by`: method `signature`). All or none.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PickupHandover {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 512)]
    pub payload: Option<String>,
    /// 1 to 50 parcels, all of one unit.
    #[schema(min_items = 1, max_items = 50)]
    pub parcel_ids: Vec<String>,
    /// The signature as a PNG, base64 (standard alphabet), at most 512 KiB decoded.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 700000)]
    pub signature_png: Option<String>,
    /// Who collected the parcels, as they wrote it (method `signature`).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub collected_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandedOver {
    pub handed_over: Vec<String>,
    /// `qr` or `signature`.
    pub method: String,
}

/// `POST /v1/admin/parcels/{parcel_id}/return`: the parcel went back to the carrier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelReturned {
    pub parcel_id: String,
}

/// `PUT /v1/admin/parcels/{parcel_id}/photo` with the JPEG as the body (`image/jpeg`, at
/// most `domain::files::MAX_PHOTO_BYTES`): sets or replaces the parcel's photo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelPhotoSet {
    pub file_id: String,
}

/// `GET /v1/admin/parcels`: the parcels of the units this credential manages, newest
/// first, at most [`ParcelList::MAX`], filtered by any of the query's fields.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ParcelList {
    pub parcels: Vec<super::ParcelRecord>,
    /// More parcels match than were listed (narrow the filter).
    pub truncated: bool,
}

impl ParcelList {
    /// Most parcels one answer lists.
    pub const MAX: usize = 500;
}

/// `POST /v1/admin/units/{unit_id}/arrears`: how many months of common fees the unit owes
/// (a unit 6 months or more in arrears does not vote at a general meeting, s.18/1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArrearsSet {
    #[serde(deserialize_with = "crate::protocol::strict::int32")]
    #[schema(minimum = 0, maximum = 1200)]
    pub months: u32,
}

/// One entry of a project's audit log (`domain::audit`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// The staff credential that acted.
    pub staff_id: String,
    pub action: String,
    /// The id of what it acted on.
    pub subject: String,
    pub prev: String,
    pub hash: String,
}

/// `GET /v1/admin/projects/{project_id}/audit`: the whole log, oldest first, with the
/// result of checking its chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AuditLog {
    pub project_id: String,
    pub entries: Vec<AuditEntry>,
    /// Every link holds.
    pub verified: bool,
    /// The first entry that does not hold, and why.
    pub broken_at: Option<u64>,
    pub why: Option<String>,
}

/// `POST /v1/admin/retention/run`: what the run deleted — one entry per retention
/// category, in the server's order, zero counts included (a second run in a row answers
/// zeros). Categories and counts only: never what the rows were.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RetentionRun {
    pub removed: Vec<RetentionRemoved>,
}

/// How many rows of one retention category went.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RetentionRemoved {
    /// A stable snake_case name, e.g. `closed_sessions`.
    pub category: String,
    pub count: u64,
}
