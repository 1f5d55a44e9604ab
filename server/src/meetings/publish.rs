//! The published ballot log (DESIGN.md §2.7, *Integrity*): what a voter's phone downloads
//! to check its receipts and the published results (`domain::voting::receipts`).
//!
//! Who may read it: whoever sees the meeting (`meetings:<project>` among the scopes
//! visible to them now — members of the project and proxy holders at its meetings);
//! anyone else, and an unknown meeting, gets the same `not_found`. Votes are open (the
//! Act does not require secrecy), but results are hidden until an item closes: while the
//! meeting is open only the part up to the last point where no item with ballots was
//! open is given (`domain::voting::chain::publishable_len`); once the meeting has closed,
//! all of it.

use lobby_model::domain::voting::chain::publishable_len;
use lobby_model::protocol::BallotLog;
use lobby_model::scope;

use crate::change_log::scopes_visible_now;
use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// The part of the meeting's ballot log `person_id` may read now.
pub fn ballot_log(db: &dyn Storage, person_id: &str, meeting_id: &str) -> AppResult<BallotLog> {
    db.read(|tx| {
        let not_found = || AppError::not_found("no such meeting");
        let m = tx.meeting(meeting_id)?.ok_or_else(not_found)?;
        if !scopes_visible_now(tx, person_id)?.contains(&scope::meetings(&m.project_id)) {
            return Err(not_found());
        }
        let mut entries = tx.ballot_log(meeting_id)?;
        let complete = m.status == "closed";
        if !complete {
            entries.truncate(publishable_len(&entries));
        }
        Ok(BallotLog {
            meeting_id: m.id,
            entries,
            complete,
        })
    })
}
