//! Files (issue 8): the bytes records point at — a parcel's photo now, an invoice's
//! payment slip and an announcement's attachment later — and who may download them.
//!
//! A file is stored in one sync scope (`unit:<id>` for a parcel photo) by the capability
//! that owns the record naming it, in the same unit of work that logs the record. A
//! person may read it only while they may see that scope *now* — the very computation a
//! pull uses (`change_log::scopes_visible_now`) — so a member removed from a unit loses
//! its photos with its records. Anyone else, and an unknown id, gets the same
//! `not_found`: a download never reveals that a file exists.
//!
//! Files never change (a new photo is a new file), so their SHA-256 is their `ETag` and a
//! phone caches them by id.

use chrono::{DateTime, Utc};
use lobby_model::domain::files::content_digest;
use lobby_model::protocol::FileRef;

use crate::change_log::scopes_visible_now;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::storage::{NewFile, Storage, StoredFileMeta, Tx};

/// Longest file id looked up (ours are 36-character UUIDs).
pub const MAX_FILE_ID_CHARS: usize = 64;

/// A file to store: what the owning capability already checked (`domain::files`).
pub struct Upload<'a> {
    pub scope: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    /// The staff credential or person storing it.
    pub created_by: Option<&'a str>,
}

/// Stores `upload` in its scope, inside the caller's unit of work; how records name it.
pub fn store_file(tx: &mut dyn Tx, upload: &Upload<'_>, now: DateTime<Utc>) -> AppResult<FileRef> {
    let file = NewFile {
        id: new_id(),
        scope: upload.scope.to_string(),
        content_type: upload.content_type.to_string(),
        sha256: content_digest(upload.bytes),
        bytes: upload.bytes.to_vec(),
        created_by: upload.created_by.map(str::to_string),
        created_at: now,
    };
    tx.insert_file(&file)?;
    Ok(FileRef {
        id: file.id,
        content_type: file.content_type,
        size: upload.bytes.len() as u64,
        sha256: file.sha256,
    })
}

/// A download: the file's description and, unless the caller already has these bytes,
/// the bytes.
#[derive(Debug)]
pub struct Download {
    pub meta: StoredFileMeta,
    /// `None`: the caller's copy is current (`If-None-Match` matched).
    pub bytes: Option<Vec<u8>>,
}

fn no_such_file() -> AppError {
    AppError::not_found("no such file")
}

/// The file `file_id` for `person_id`, if they may see its scope now; `not_found`
/// otherwise (the same answer as for an id that does not exist). `current` says whether
/// the caller's copy (named by its SHA-256) is still this file, which spares reading the
/// bytes.
pub fn read_file(
    db: &dyn Storage,
    person_id: &str,
    file_id: &str,
    current: &dyn Fn(&str) -> bool,
) -> AppResult<Download> {
    if file_id.chars().count() > MAX_FILE_ID_CHARS {
        return Err(no_such_file());
    }
    db.read(|tx| {
        let meta = tx.file_meta(file_id)?.ok_or_else(no_such_file)?;
        if !scopes_visible_now(tx, person_id)?.contains(&meta.scope) {
            return Err(no_such_file());
        }
        let bytes = if current(&meta.sha256) {
            None
        } else {
            Some(tx.file_bytes(file_id)?.ok_or_else(no_such_file)?)
        };
        Ok(Download { meta, bytes })
    })
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use lobby_model::protocol::Role;
    use lobby_model::scope;
    use lobby_model::ErrorCode;

    use super::*;
    use crate::test_support::world;

    #[test]
    fn a_file_is_read_by_who_sees_its_scope_now_and_not_found_by_anyone_else() {
        let w = world();
        let now = Utc::now();
        let resident = w.add_member(Role::Resident, now);
        let unit_scope = scope::unit(&w.unit_id);
        let stored = w
            .db()
            .write(|tx| {
                store_file(
                    tx,
                    &Upload {
                        scope: &unit_scope,
                        content_type: "image/jpeg",
                        bytes: b"\xFF\xD8\xFFphoto",
                        created_by: None,
                    },
                    now,
                )
            })
            .unwrap();
        assert_eq!(stored.size, 8);
        assert_eq!(stored.sha256, content_digest(b"\xFF\xD8\xFFphoto"));
        let never = |_: &str| false;
        let got = read_file(w.db(), &resident, &stored.id, &never).unwrap();
        assert_eq!(got.bytes.as_deref(), Some(&b"\xFF\xD8\xFFphoto"[..]));
        let same = |sha: &str| sha == stored.sha256;
        assert!(read_file(w.db(), &w.owner_id, &stored.id, &same)
            .unwrap()
            .bytes
            .is_none());

        let stranger = read_file(w.db(), "someone-else", &stored.id, &never).unwrap_err();
        let unknown = read_file(w.db(), &resident, "no-such-id", &never).unwrap_err();
        assert_eq!(stranger.code(), ErrorCode::NotFound);
        assert_eq!(stranger.error.message, unknown.error.message);
        let long = "x".repeat(MAX_FILE_ID_CHARS + 1);
        assert_eq!(
            read_file(w.db(), &resident, &long, &never)
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
    }
}
