//! Files: the binary download channel of the sync protocol (issue 8).
//!
//! Records stay small JSON in the change log; a file they carry (a parcel's photo, later
//! an invoice's payment slip or an announcement's attachment) travels as a [`FileRef`]
//! inside the record, and its bytes are fetched on demand with
//! `GET /v1/files/{id}` (bearer; raw bytes with `Content-Type`, `ETag: "<sha256>"`,
//! `Cache-Control: private`; `If-None-Match` answers 304). The server answers a file
//! only to a person who may see the scope it was stored in *now*, and `not_found`
//! otherwise, so a file's existence is never revealed. A file never changes: a new photo
//! is a new file with a new id, so a phone may cache bytes by id for as long as a synced
//! record still names them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stored file, as records name it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FileRef {
    pub id: String,
    /// The media type it is served with (`image/jpeg`).
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256 of the bytes, lowercase hex: what the phone checks before it keeps them,
    /// and the `ETag` of the download.
    pub sha256: String,
}
