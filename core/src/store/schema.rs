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
    // 10: the unread announcements, kept rather than counted (issue 10: a badge with
    //     10,000 announcements in the replica took 2.4 ms to count, the goal is 1 ms).
    //     Two views say it once: `announcement_addressed` — which unit sees which
    //     announcement row (the list's rule) — and `announcement_unread_rule` — which of
    //     those are unread, expiry aside (`domain::announcements::is_unread` in SQL).
    //     `announcement_unread` holds the rule's rows, and triggers keep it so on every
    //     write to the tables the rule reads, whoever writes: a synced page, a reset, an
    //     open, a list left, a unit arriving — by the row where one row changed, by the
    //     unit where the rule's inputs for a unit did (a list left later only drops the
    //     general rows it covers). Expiry depends on the clock, so it is applied when
    //     counting.
    r#"
    CREATE VIEW announcement_addressed AS
        SELECT a.unit_id AS unit_id, a.announcement_id AS announcement_id, a.id AS row_id,
               a.expires_at AS expires_at, a.kind AS kind, a.posted_at AS posted_at
        FROM announcements a WHERE a.unit_id IS NOT NULL
        UNION ALL
        SELECT u.id, a.announcement_id, a.id, a.expires_at, a.kind, a.posted_at
        FROM units u JOIN announcements a
          ON a.unit_id IS NULL AND a.project_id = u.project_id;
    CREATE VIEW announcement_unread_rule AS
        SELECT r.unit_id, r.announcement_id, r.row_id, r.expires_at, r.kind, r.posted_at
        FROM announcement_addressed r
        WHERE r.kind IN ('general', 'acknowledge')
          AND NOT EXISTS (SELECT 1 FROM announcement_opened o
                          WHERE o.announcement_id = r.announcement_id AND o.unit_id = r.unit_id)
          AND (r.kind = 'acknowledge'
               OR NOT EXISTS (SELECT 1 FROM announcement_lists_left l
                              WHERE l.unit_id = r.unit_id AND l.left_at >= r.posted_at));
    CREATE TABLE announcement_unread (
        unit_id TEXT NOT NULL, announcement_id TEXT NOT NULL, row_id TEXT NOT NULL,
        expires_at TEXT, kind TEXT NOT NULL, posted_at TEXT NOT NULL,
        PRIMARY KEY (unit_id, announcement_id, row_id)) WITHOUT ROWID;
    CREATE INDEX announcement_unread_by_row ON announcement_unread(row_id);
    INSERT INTO announcement_unread SELECT * FROM announcement_unread_rule;

    CREATE TRIGGER announcement_unread_on_insert AFTER INSERT ON announcements BEGIN
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE row_id = NEW.id;
    END;
    CREATE TRIGGER announcement_unread_on_update AFTER UPDATE ON announcements BEGIN
        DELETE FROM announcement_unread WHERE row_id = OLD.id;
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE row_id = NEW.id;
    END;
    CREATE TRIGGER announcement_unread_on_delete AFTER DELETE ON announcements BEGIN
        DELETE FROM announcement_unread WHERE row_id = OLD.id;
    END;
    CREATE TRIGGER announcement_unread_on_open AFTER INSERT ON announcement_opened BEGIN
        DELETE FROM announcement_unread
        WHERE unit_id = NEW.unit_id AND announcement_id = NEW.announcement_id;
    END;
    CREATE TRIGGER announcement_unread_on_open_update AFTER UPDATE ON announcement_opened
    BEGIN
        DELETE FROM announcement_unread WHERE unit_id IN (OLD.unit_id, NEW.unit_id);
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id IN (OLD.unit_id, NEW.unit_id);
    END;
    CREATE TRIGGER announcement_unread_on_open_delete AFTER DELETE ON announcement_opened
    BEGIN
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule
            WHERE unit_id = OLD.unit_id AND announcement_id = OLD.announcement_id;
    END;
    CREATE TRIGGER announcement_unread_on_left AFTER INSERT ON announcement_lists_left BEGIN
        DELETE FROM announcement_unread
        WHERE unit_id = NEW.unit_id AND kind = 'general' AND posted_at <= NEW.left_at;
    END;
    CREATE TRIGGER announcement_unread_on_left_later AFTER UPDATE ON announcement_lists_left
    WHEN NEW.unit_id = OLD.unit_id AND NEW.left_at >= OLD.left_at BEGIN
        DELETE FROM announcement_unread
        WHERE unit_id = NEW.unit_id AND kind = 'general' AND posted_at <= NEW.left_at;
    END;
    CREATE TRIGGER announcement_unread_on_left_earlier AFTER UPDATE ON announcement_lists_left
    WHEN NOT (NEW.unit_id = OLD.unit_id AND NEW.left_at >= OLD.left_at) BEGIN
        DELETE FROM announcement_unread WHERE unit_id IN (OLD.unit_id, NEW.unit_id);
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id IN (OLD.unit_id, NEW.unit_id);
    END;
    CREATE TRIGGER announcement_unread_on_left_delete AFTER DELETE ON announcement_lists_left
    BEGIN
        DELETE FROM announcement_unread WHERE unit_id = OLD.unit_id;
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id = OLD.unit_id;
    END;
    CREATE TRIGGER announcement_unread_on_unit AFTER INSERT ON units BEGIN
        DELETE FROM announcement_unread WHERE unit_id = NEW.id;
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id = NEW.id;
    END;
    CREATE TRIGGER announcement_unread_on_unit_update AFTER UPDATE OF id, project_id ON units
    WHEN OLD.id IS NOT NEW.id OR OLD.project_id IS NOT NEW.project_id BEGIN
        DELETE FROM announcement_unread WHERE unit_id IN (OLD.id, NEW.id);
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id IN (OLD.id, NEW.id);
    END;
    CREATE TRIGGER announcement_unread_on_unit_delete AFTER DELETE ON units BEGIN
        DELETE FROM announcement_unread WHERE unit_id = OLD.id;
        INSERT OR IGNORE INTO announcement_unread
            SELECT * FROM announcement_unread_rule WHERE unit_id = OLD.id;
    END;
    "#,
    // 11: privacy (issue 11): the documents in force (`policies:platform`), the person's
    //     latest answer to each (their scope), and answers queued on this phone.
    r#"
    CREATE TABLE policies (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, kind TEXT NOT NULL, version TEXT NOT NULL,
        published_at TEXT NOT NULL);
    CREATE TABLE consents (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, kind TEXT NOT NULL, version TEXT NOT NULL,
        given INTEGER NOT NULL, at TEXT NOT NULL);
    CREATE TABLE consents_local (
        mutation_id TEXT PRIMARY KEY, person_id TEXT NOT NULL, kind TEXT NOT NULL,
        version TEXT NOT NULL, given INTEGER NOT NULL, created_at TEXT NOT NULL);
    "#,
    // 12: privacy requests (issue 11) as synced (the person's scope), and those filed on
    //     this phone and not yet answered by the server.
    r#"
    CREATE TABLE privacy_requests (
        id TEXT PRIMARY KEY, scope TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT,
        status TEXT NOT NULL, filed_at TEXT NOT NULL, deadline TEXT NOT NULL, answer TEXT,
        decided_at TEXT);
    CREATE TABLE privacy_requests_local (
        mutation_id TEXT PRIMARY KEY, request_id TEXT NOT NULL, kind TEXT NOT NULL,
        detail TEXT, created_at TEXT NOT NULL);
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

    /// Migration 10 fills the kept unread rows from the announcements already there.
    #[test]
    fn a_version_9_replica_gets_its_unread_rows_on_upgrade() {
        let mut c = Connection::open_in_memory().unwrap();
        apply_migrations(&mut c, &MIGRATIONS[..9]).unwrap();
        c.execute_batch(
            "INSERT INTO units VALUES ('u1', 's', 'p1', '1', 1000000, 0);
             INSERT INTO announcements (id, scope, announcement_id, project_id, unit_id,
                 title, body, kind, posted_at)
             VALUES ('a1', 's', 'a1', 'p1', NULL, 'น้ำไม่ไหล', 'b', 'general', '2026-11-01'),
                    ('a2', 's', 'a2', 'p1', NULL, 't', 'b', 'acknowledge', '2026-11-02'),
                    ('a3/u1', 's', 'a3', 'p1', 'u1', 't', 'b', 'general', '2026-11-03'),
                    ('a4', 's', 'a4', 'p2', NULL, 't', 'b', 'general', '2026-11-04');
             INSERT INTO announcement_opened VALUES ('a3', 'u1', '2026-11-05');",
        )
        .unwrap();
        migrate(&mut c).unwrap();
        let mut kept: Vec<String> = c
            .prepare("SELECT announcement_id FROM announcement_unread WHERE unit_id = 'u1'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        kept.sort();
        assert_eq!(kept, ["a1", "a2"]);
    }

    #[test]
    fn database_from_a_newer_app_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
        assert_eq!(migrate(&mut c).unwrap_err().code(), ErrorCode::Storage);
    }
}
