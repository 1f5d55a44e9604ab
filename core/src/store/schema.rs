//! The phone's database schema, as numbered migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Migrations only ever
//! append: a shipped migration is never edited, because phones in the field have run it.
//! Each runs in its own transaction with the version bump, so a crash mid-upgrade leaves
//! the previous version intact. Upgrades from old databases are tested from fixtures.
//!
//! Synced tables hold server state only, each row tagged with the scope it came from so a
//! lost scope purges cleanly; which table keeps which record kind is declared by each area
//! (`units/records.rs`, `invites/records.rs`, …). Optimistic local effects live beside
//! them (`profile_edits`, `invites_local`, …) so a rollback is a delete.
//! `file_cache` holds downloaded files (parcel photos) by id; it is neither synced nor
//! optimistic: `files/` deletes what no synced row names any more after each pull.
//! `parcels` has no secondary index: a purge (rare) and a filter of a person's parcels
//! (thousands of rows at most) scan, so that applying parcels — up to 100,000 in a first
//! sync — maintains none. An index on `(unit_id, status)` halved the apply rate of the
//! encrypted database: its leaves are spread over every unit, so each page's transaction
//! rewrote and re-encrypted most of it (docs/benchmarks.md).

use rusqlite::Connection;

use lobby_migrations::{apply_migrations, MigrationError};

use super::Result;
use crate::error::{ErrorCode, LobbyError};

const MIGRATIONS: &[&str] = &[
    // 1: settings, cursors, replica, outbox.
    r#"
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sync_cursors (scope TEXT PRIMARY KEY, cursor INTEGER NOT NULL);
    CREATE TABLE projects (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL);
    CREATE TABLE units (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, project_id TEXT NOT NULL,
        number TEXT NOT NULL, ratio_micros INTEGER NOT NULL, arrears_months INTEGER NOT NULL);
    CREATE TABLE memberships (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, unit_id TEXT NOT NULL,
        project_id TEXT NOT NULL, role TEXT NOT NULL);
    CREATE TABLE profile (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, legal_name TEXT NOT NULL,
        display_name TEXT NOT NULL, phone TEXT, email TEXT);
    CREATE TABLE parcels (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, unit_id TEXT NOT NULL,
        recipient TEXT NOT NULL, carrier TEXT NOT NULL, tracking TEXT, status TEXT NOT NULL,
        logged_at TEXT NOT NULL, picked_up_at TEXT);
    CREATE INDEX projects_scope ON projects(scope);
    CREATE INDEX units_scope ON units(scope);
    CREATE INDEX memberships_scope ON memberships(scope);
    CREATE INDEX profile_scope ON profile(scope);
    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        person_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        state TEXT NOT NULL DEFAULT 'queued',
        reject_code TEXT,
        reject_message TEXT);
    CREATE TABLE profile_edits (
        mutation_id TEXT PRIMARY KEY, person_id TEXT NOT NULL,
        display_name TEXT, email TEXT);
    "#,
    // 2: invitations and members (owners' view of a unit), and their optimistic effects.
    //    Invitation codes are not stored here: they live in the secret store.
    r#"
    CREATE TABLE invites (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, unit_id TEXT NOT NULL, role TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        accepted_by TEXT);
    CREATE INDEX invites_unit ON invites(unit_id);
    CREATE TABLE members (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, unit_id TEXT NOT NULL,
        person_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL);
    CREATE INDEX members_unit ON members(unit_id);
    CREATE TABLE invites_local (
        invite_id TEXT PRIMARY KEY, mutation_id TEXT NOT NULL, person_id TEXT NOT NULL,
        unit_id TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL);
    CREATE TABLE invite_revokes_local (
        mutation_id TEXT PRIMARY KEY, invite_id TEXT NOT NULL);
    CREATE TABLE member_removals_local (
        mutation_id TEXT PRIMARY KEY, membership_id TEXT NOT NULL);
    "#,
    // 3: the names (never the values) of the account's secrets in the secret store, so
    //    a wipe finds every one (device.rs).
    r#"
    CREATE TABLE secret_keys (key TEXT PRIMARY KEY);
    "#,
    // 4: parcels the app was told about (issue 8): kept across replica resets, so a
    //    re-sync never announces a parcel twice; a wipe drops it with everything else.
    r#"
    CREATE TABLE parcel_notices (parcel_id TEXT PRIMARY KEY, notified_at TEXT NOT NULL);
    "#,
    // 5: a parcel's custody (issue 8): who logged it, the handover (when, how, to whom,
    //    by whom), the return to the carrier.
    r#"
    ALTER TABLE parcels ADD COLUMN logged_by TEXT;
    ALTER TABLE parcels ADD COLUMN handover_at TEXT;
    ALTER TABLE parcels ADD COLUMN handover_method TEXT;
    ALTER TABLE parcels ADD COLUMN handover_to TEXT;
    ALTER TABLE parcels ADD COLUMN handover_by TEXT;
    ALTER TABLE parcels ADD COLUMN returned_at TEXT;
    ALTER TABLE parcels ADD COLUMN returned_by TEXT;
    "#,
    // 6: parcel photos (issue 8): the photo's `FileRef` on the synced parcel, and the
    //    cache of downloaded files (`files/`), kept only while a synced row names them.
    r#"
    ALTER TABLE parcels ADD COLUMN photo_id TEXT;
    ALTER TABLE parcels ADD COLUMN photo_content_type TEXT;
    ALTER TABLE parcels ADD COLUMN photo_size INTEGER;
    ALTER TABLE parcels ADD COLUMN photo_sha256 TEXT;
    CREATE TABLE file_cache (
        file_id TEXT PRIMARY KEY, sha256 TEXT NOT NULL, content_type TEXT NOT NULL,
        bytes BLOB NOT NULL, fetched_at TEXT NOT NULL);
    "#,
    // 7: meetings and e-voting (issue 9): meetings, agenda items (with the published
    //    result as JSON once closed), the units the person holds by proxy, vote receipts
    //    as synced; votes queued on this phone (optimistic); and the receipts kept for
    //    verification, which outlive a replica reset (the server must not be able to
    //    take a voter's evidence away by re-sending less).
    r#"
    CREATE TABLE meetings (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, project_id TEXT NOT NULL,
        title TEXT NOT NULL, kind TEXT NOT NULL, reconvened INTEGER NOT NULL,
        status TEXT NOT NULL);
    CREATE TABLE agenda_items (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, meeting_id TEXT NOT NULL,
        position INTEGER NOT NULL, title TEXT NOT NULL, resolution TEXT NOT NULL,
        status TEXT NOT NULL, result TEXT);
    CREATE TABLE meeting_proxies (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, meeting_id TEXT NOT NULL,
        project_id TEXT NOT NULL, unit_id TEXT NOT NULL, unit_number TEXT NOT NULL);
    CREATE TABLE vote_receipts (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, meeting_id TEXT NOT NULL,
        item_id TEXT NOT NULL, unit_id TEXT NOT NULL, choice TEXT NOT NULL,
        seq INTEGER NOT NULL, proxy INTEGER NOT NULL, cast_at TEXT NOT NULL,
        mutation_id TEXT);
    CREATE TABLE votes_local (
        mutation_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, item_id TEXT NOT NULL,
        unit_id TEXT NOT NULL, choice TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE receipts_kept (
        hash TEXT PRIMARY KEY, meeting_id TEXT NOT NULL, item_id TEXT NOT NULL,
        unit_id TEXT NOT NULL, choice TEXT NOT NULL, seq INTEGER NOT NULL,
        cast_at TEXT NOT NULL);
    "#,
    // 8: announcements (issue 10): as synced (one row per record: a whole project's, or
    //    one per chosen unit), and the phone's own reading state — which it opened in
    //    which unit, and when the list was last left per unit — kept across resets. The
    //    index covers the unread count, so counting never reads the bodies (a scan of
    //    10,000 announcements with their bodies took 32 ms; docs/benchmarks.md).
    r#"
    CREATE TABLE announcements (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, announcement_id TEXT NOT NULL,
        project_id TEXT NOT NULL, unit_id TEXT, title TEXT NOT NULL, body TEXT NOT NULL,
        kind TEXT NOT NULL, posted_at TEXT NOT NULL, expires_at TEXT,
        attachment_id TEXT, attachment_content_type TEXT, attachment_size INTEGER,
        attachment_sha256 TEXT);
    CREATE INDEX announcements_by_unit ON announcements(
        unit_id, project_id, kind, posted_at, expires_at, announcement_id);
    CREATE TABLE announcement_opened (
        announcement_id TEXT NOT NULL, unit_id TEXT NOT NULL, opened_at TEXT NOT NULL,
        PRIMARY KEY (announcement_id, unit_id));
    CREATE TABLE announcement_lists_left (unit_id TEXT PRIMARY KEY, left_at TEXT NOT NULL);
    "#,
    // 9: invoices (issue 10) as synced (lines as JSON, the slip's `FileRef`), payments
    //    queued on this phone (optimistic), and the bytes of uploads waiting to be sent
    //    with their mutation (`files/upload.rs`; deleted when the server answers).
    r#"
    CREATE TABLE invoices (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, unit_id TEXT NOT NULL,
        period TEXT NOT NULL, due TEXT NOT NULL, lines TEXT NOT NULL,
        total INTEGER NOT NULL, state TEXT NOT NULL, received INTEGER,
        reject_reason TEXT, slip_id TEXT, slip_content_type TEXT, slip_size INTEGER,
        slip_sha256 TEXT, issued_at TEXT NOT NULL);
    CREATE TABLE invoice_payments_local (
        mutation_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE uploads_local (
        mutation_id TEXT PRIMARY KEY, upload_id TEXT NOT NULL, sha256 TEXT NOT NULL,
        bytes BLOB NOT NULL);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Brings the database up to [`SCHEMA_VERSION`]. Refuses a database from a newer app.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    apply_migrations(conn, MIGRATIONS).map_err(|e| match e {
        MigrationError::Newer { found, known } => super::StoreError::from(LobbyError::new(
            ErrorCode::Storage,
            format!("the local database is from a newer app (schema {found} > {known})"),
        )),
        MigrationError::Sqlite(e) => e.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_the_current_version_and_migrating_twice_is_harmless() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_phone_database_upgrades_keeping_its_replica_and_queued_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lobby.db");
        let key = crate::store::DatabaseKey::generate();
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.as_hex()))
                .unwrap();
            c.execute_batch(include_str!("../../../fixtures/db/phone-v1.sql"))
                .unwrap();
        }
        let store = crate::store::Store::open(&path, &key).unwrap();
        let v: i64 = store
            .connection()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, SCHEMA_VERSION);
        let units = store.units().unwrap();
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].project_name, "เดอะ ล็อบบี้ เรสซิเดนซ์");
        assert_eq!(store.pending_count().unwrap(), 1);
        let profile = store.profile().unwrap().unwrap();
        assert_eq!(
            profile.display_name, "คุณสมชาย",
            "the queued edit still shows"
        );
        assert_eq!(store.cursors().unwrap().get("unit:u-1"), Some(&42));
        // The new tables of version 2 exist and are empty.
        assert!(store.invites("u-1", chrono::Utc::now()).unwrap().is_empty());
    }

    #[test]
    fn database_from_a_newer_app_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        assert_eq!(migrate(&mut c).unwrap_err().code(), ErrorCode::Storage);
    }
}
