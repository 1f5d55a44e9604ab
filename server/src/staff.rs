//! Staff credentials: adding (a project-limited credential needs its project), revoking,
//! and finding the credential behind a token. The `staff` command line and the dev
//! server's startup add credentials; the admin endpoints look them up.

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult};
use crate::storage::{Inserted, NewStaff, StaffMember, Storage};

/// Stores a staff credential; `not_found` for an unknown project, `conflict` for a
/// credential id or token already stored.
pub fn add_staff(db: &dyn Storage, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<()> {
    db.write(|tx| {
        if let Some(p) = &staff.project_id {
            if tx.project(p)?.is_none() {
                return Err(AppError::not_found("no such project"));
            }
        }
        match tx.insert_staff(staff, now)? {
            Inserted::Yes => Ok(()),
            Inserted::Duplicate => Err(AppError::already_exists("this staff credential")),
        }
    })
}

/// Revokes a credential (revoking twice keeps the first time); `not_found` if there is
/// no such credential.
pub fn revoke_staff(db: &dyn Storage, staff_id: &str, now: DateTime<Utc>) -> AppResult<()> {
    db.write(|tx| {
        if tx.mark_staff_revoked(staff_id, now)? {
            Ok(())
        } else {
            Err(AppError::not_found("no such staff credential"))
        }
    })
}

/// The unrevoked credential with this token digest.
pub fn staff_by_token(db: &dyn Storage, token_digest: &str) -> AppResult<Option<StaffMember>> {
    db.read(|tx| {
        Ok(tx
            .staff_by_token(token_digest)?
            .filter(|s| !s.revoked)
            .map(|s| s.member))
    })
}
