//! Announcements (DESIGN.md §2.5): what staff post, what phones sync, what staff see of
//! who read them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FileRef;

/// `POST /v1/admin/announcements`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AnnouncementPost {
    #[schema(min_length = 1, max_length = 64)]
    pub project_id: String,
    /// 1 to 200 characters (the one name rule).
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Up to 20,000 characters; line breaks and tabs allowed.
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// `general` or `acknowledge`.
    #[schema(pattern = "^(general|acknowledge)$")]
    pub kind: String,
    /// Only these units of the project (none: the whole project).
    #[serde(default)]
    #[schema(max_items = 1000)]
    pub unit_ids: Vec<String>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AnnouncementPosted {
    pub announcement_id: String,
}

/// An announcement as a phone keeps it. A whole-project announcement is one record in
/// `project:<id>` (`unit_id` absent; `id` is the announcement's id); one for chosen units
/// is one record per unit in `unit:<id>` (`id` is `<announcement_id>/<unit_id>`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AnnouncementRecord {
    pub id: String,
    pub announcement_id: String,
    pub project_id: String,
    #[serde(default)]
    pub unit_id: Option<String>,
    pub title: String,
    pub body: String,
    /// `general` or `acknowledge`.
    pub kind: String,
    pub posted_at: DateTime<Utc>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// An image or PDF, fetched on demand (`GET /v1/files/{id}`).
    #[serde(default)]
    pub attachment: Option<Box<FileRef>>,
}

/// `PUT /v1/admin/announcements/{announcement_id}/attachment`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentSet {
    pub content_type: String,
    pub size: u64,
}

/// One person who opened (a general announcement) or acknowledged (an acknowledge one).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AnnouncementReader {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit: String,
    pub at: DateTime<Utc>,
}

/// A unit the announcement is addressed to where nobody has opened it yet.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct UnitNotRead {
    pub unit_id: String,
    pub unit: String,
}

/// `GET /v1/admin/announcements/{announcement_id}/readers`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AnnouncementReaders {
    pub announcement_id: String,
    pub kind: String,
    pub readers: Vec<AnnouncementReader>,
    pub units_not_read: Vec<UnitNotRead>,
}
