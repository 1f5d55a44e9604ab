//! Uploads from phones (issue 10: payment slips), sent in chunks so that a connection
//! dropped half way resumes where it stopped instead of starting over.
//!
//! The phone names each upload with a UUID it made, its size and its SHA-256, and sends
//! chunks at the offset the server reports (`GET` answers how many bytes it has). A chunk
//! already received (a retry after a lost answer) is acknowledged without being stored
//! twice; one that would leave a gap is `conflict` with the server's offset in the
//! message. Nothing is a file yet: the mutation that uses the upload (`invoice_pay`)
//! takes it whole, checks its size and digest and what it is, and stores it as a file in
//! the right scope — in the unit of work that records the mutation, so a slip is stored
//! exactly once.
//!
//! An upload never finished (the slip was cancelled, the phone reset) is deleted
//! [`UPLOAD_LIFETIME_HOURS`] after it started, by the server's janitor and before a new
//! upload is counted against [`MAX_OPEN_UPLOADS`]. A phone that comes back later finds
//! `not_found` and starts again at 0: it still has the bytes until the server answers.

use chrono::{DateTime, Utc};
use lobby_model::domain::files::{check_size, content_digest, MAX_PHOTO_BYTES};
use lobby_model::protocol::UploadState;
use lobby_model::ErrorCode;

use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, Storage, StoredUpload, Tx};

/// Uploads one person may have in progress at once.
pub const MAX_OPEN_UPLOADS: usize = 10;
/// Largest chunk taken in one request.
pub const MAX_CHUNK_BYTES: usize = 256 * 1024;
/// How long an unfinished upload is kept.
pub const UPLOAD_LIFETIME_HOURS: i64 = 48;

/// Deletes the uploads older than [`UPLOAD_LIFETIME_HOURS`]; how many.
pub fn purge(tx: &mut dyn Tx, now: DateTime<Utc>) -> AppResult<usize> {
    tx.purge_uploads(now - chrono::Duration::hours(UPLOAD_LIFETIME_HOURS))
}

fn no_such_upload() -> AppError {
    AppError::not_found("no such upload")
}

fn state(u: &StoredUpload) -> UploadState {
    UploadState {
        upload_id: u.id.clone(),
        received: u.received,
        size: u.size,
        complete: u.received == u.size,
    }
}

/// How much of the person's upload the server has.
pub fn status(db: &dyn Storage, person_id: &str, upload_id: &str) -> AppResult<UploadState> {
    db.read(|tx| {
        tx.upload(upload_id)?
            .filter(|u| u.person_id == person_id)
            .map(|u| state(&u))
            .ok_or_else(no_such_upload)
    })
}

/// What a chunk claims about its upload.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub upload_id: &'a str,
    pub offset: u64,
    pub size: u64,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// Takes one chunk; how much the server now has.
pub fn put_chunk(
    db: &dyn Storage,
    person_id: &str,
    c: &Chunk<'_>,
    now: DateTime<Utc>,
) -> AppResult<UploadState> {
    let size = usize::try_from(c.size).map_err(|_| AppError::invalid("size"))?;
    check_size(size, MAX_PHOTO_BYTES, "an upload")?;
    if size == 0 || c.sha256.len() != 64 || !c.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::invalid(
            "an upload has a size of 1 byte or more and a SHA-256 of 64 hex digits",
        ));
    }
    if c.bytes.is_empty() || c.bytes.len() > MAX_CHUNK_BYTES {
        return Err(AppError::invalid(format!(
            "a chunk has 1 to {MAX_CHUNK_BYTES} bytes"
        )));
    }
    db.write(|tx| {
        let upload = match tx.upload(c.upload_id)? {
            Some(u) if u.person_id != person_id => return Err(no_such_upload()),
            Some(u) => u,
            None => {
                purge(tx, now)?;
                if tx.count_uploads(person_id)? >= MAX_OPEN_UPLOADS {
                    return Err(AppError::new(
                        ErrorCode::RateLimited,
                        "too many uploads in progress; finish or wait for them",
                    ));
                }
                let u = StoredUpload {
                    id: c.upload_id.to_string(),
                    person_id: person_id.to_string(),
                    size: c.size,
                    sha256: c.sha256.to_ascii_lowercase(),
                    received: 0,
                };
                if tx.create_upload(&u, now)? == Inserted::Duplicate {
                    return Err(no_such_upload());
                }
                u
            }
        };
        if upload.size != c.size || !upload.sha256.eq_ignore_ascii_case(c.sha256) {
            return Err(AppError::new(
                ErrorCode::Conflict,
                "this upload id was started with another size or digest",
            ));
        }
        let end = c.offset + c.bytes.len() as u64;
        if end <= upload.received {
            return Ok(state(&upload)); // a chunk sent again: already here
        }
        if c.offset != upload.received || end > upload.size {
            return Err(AppError::new(
                ErrorCode::Conflict,
                format!(
                    "expected the chunk at offset {} (of {} bytes)",
                    upload.received, upload.size
                ),
            ));
        }
        tx.append_upload_chunk(c.upload_id, c.offset, c.bytes)?;
        Ok(state(&StoredUpload {
            received: end,
            ..upload
        }))
    })
}

/// The person's complete upload, checked against its size and digest, removed from the
/// uploads (inside the caller's unit of work).
pub(crate) fn take(
    tx: &mut dyn Tx,
    person_id: &str,
    upload_id: &str,
    size: u64,
    sha256: &str,
) -> AppResult<Vec<u8>> {
    let missing = || AppError::invalid("the upload is missing or not finished");
    let upload = tx
        .upload(upload_id)?
        .filter(|u| u.person_id == person_id)
        .ok_or_else(missing)?;
    if upload.received != upload.size || upload.size != size {
        return Err(missing());
    }
    let bytes = tx.upload_bytes(upload_id)?;
    if !content_digest(&bytes).eq_ignore_ascii_case(sha256) || bytes.len() as u64 != size {
        return Err(AppError::invalid("the upload does not match its digest"));
    }
    tx.delete_upload(upload_id)?;
    Ok(bytes)
}
