//! How announcements are kept on the phone (`store/schema.rs`, migration 8).

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[SyncedTable {
    kind: EntityKind::Announcement,
    table: "announcements",
    columns: &[
        "announcement_id",
        "project_id",
        "unit_id",
        "title",
        "body",
        "kind",
        "posted_at",
        "expires_at",
        "attachment_id",
        "attachment_content_type",
        "attachment_size",
        "attachment_sha256",
    ],
    upsert: upsert_announcement,
}];

fn upsert_announcement(
    s: &mut CachedStatement<'_>,
    scope: &str,
    r: &Record,
) -> rusqlite::Result<usize> {
    let Record::Announcement(a) = r else {
        return Err(wrong_kind("announcements"));
    };
    let file = a.attachment.as_deref();
    s.execute(params![
        a.id,
        scope,
        a.announcement_id,
        a.project_id,
        a.unit_id,
        a.title,
        a.body,
        a.kind,
        a.posted_at,
        a.expires_at,
        file.map(|f| &f.id),
        file.map(|f| &f.content_type),
        file.map(|f| i64::try_from(f.size).unwrap_or(i64::MAX)),
        file.map(|f| &f.sha256)
    ])
}
