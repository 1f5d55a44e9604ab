//! Parcels (DESIGN.md §2.4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FileRef;

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
    /// The photo staff took of the parcel, fetched on demand (`GET /v1/files/{id}`).
    /// Absent in records logged before photos existed.
    #[serde(default)]
    pub photo: Option<FileRef>,
}
