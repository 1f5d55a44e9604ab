//! Announcements (DESIGN.md §2.5), as a resident's phone does them.
//!
//! - **Synced kind:** `announcement` (a whole project's in `project:<id>`, one per chosen
//!   unit in `unit:<id>`).
//! - **Reading state is the phone's own:** `announcement_opened` (what was opened in
//!   which unit) and `announcement_lists_left` (when each unit's list was last left),
//!   neither synced nor optimistic, so a replica reset keeps them and nothing is unread
//!   twice. Whether one counts as unread is `domain::announcements::is_unread`: a general
//!   one clears with the list, an acknowledge one only when opened.
//! - **The badge is kept, not counted:** `announcement_unread` holds the unread rows per
//!   unit, kept by triggers over the same rule in SQL (schema migration 10), so a badge
//!   costs one short index read however many announcements the replica holds; a test
//!   holds it to `is_unread` through every kind of write.
//! - **Attachments** (an image or a PDF) are fetched on demand and cached by the generic
//!   `files/` area ([`AnnouncementsClient::attachment`]).
//! - **Up:** opening one queues `announcement_open` (who, which unit) so staff see who
//!   read or acknowledged it; it has no optimistic effect beyond the reading state.

mod client;
mod records;
mod store;

pub use client::AnnouncementsClient;
pub use store::{Announcement, Attachment, UnitUnread};

use crate::capability::{Capability, FileColumn};
use crate::store::SyncedTable;

/// The announcements area.
pub(crate) struct Announcements;

impl Capability for Announcements {
    fn name(&self) -> &'static str {
        "announcements"
    }

    fn file_columns(&self) -> &'static [FileColumn] {
        &[FileColumn {
            table: "announcements",
            column: "attachment_id",
        }]
    }

    fn synced_tables(&self) -> &'static [SyncedTable] {
        records::TABLES
    }
}
