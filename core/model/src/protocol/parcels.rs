//! Parcels (DESIGN.md §2.4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FileRef;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
/// The optional parts are boxed: a parcel is the commonest record of a pull page, and
/// most have no handover, return or photo yet.
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
    /// Custody: the name of the staff member who logged it (absent in records logged
    /// before custody was recorded).
    #[serde(default)]
    pub logged_by: Option<String>,
    /// Custody: the handover, once `picked_up`.
    #[serde(default)]
    pub handover: Option<Box<HandoverRecord>>,
    /// Custody: the return to the carrier, once `returned`.
    #[serde(default)]
    pub returned: Option<Box<ReturnRecord>>,
    /// The photo staff took of the parcel, fetched on demand (`GET /v1/files/{id}`).
    /// Absent in records logged before photos existed.
    #[serde(default)]
    pub photo: Option<Box<FileRef>>,
}

/// Who handed a parcel over to whom, when and how.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct HandoverRecord {
    pub at: DateTime<Utc>,
    /// `qr` (the resident's pickup pass) or `signature` (signed on paper or a pad).
    pub method: String,
    /// The name of who collected it: the resident's display name for `qr`, the name
    /// staff wrote down for `signature`.
    pub to: String,
    /// The staff member's name.
    pub by: String,
}

/// When and by whom a parcel went back to the carrier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReturnRecord {
    pub at: DateTime<Utc>,
    pub by: String,
}
