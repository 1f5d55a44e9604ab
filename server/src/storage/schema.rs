//! The server's SQLite schema as numbered migrations, tracked with `PRAGMA user_version`.
//! A migration is never edited once released; a change is a new entry at the end.
//!
//! Tables (times are Unix milliseconds, ids are UUIDv7 strings, secrets only as SHA-256
//! hex digests):
//! - `meta(key, value)` — `epoch` (schema epoch for sync resets), `retention_floor`
//!   (changes with `seq <= floor` may have been pruned).
//! - `staff(id, name, project_id, token_digest, created_at, revoked_at)`.
//! - `projects(id, name, kind, created_at)`.
//! - `people(id, phone, email, legal_name, display_name, password_hash, activated_at,
//!   created_at)` — one row per E.164 phone (`phone` is unique); a person exists from the
//!   registry import and has an account once `activated_at` is set.
//! - `units(id, project_id, number, ratio_micros, arrears_months, owner_person_id,
//!   created_at)` — `(project_id, number)` unique; `owner_person_id` is the registry owner.
//! - `memberships(id, person_id, unit_id, role, created_at, ended_at)` — at most one
//!   active (`ended_at IS NULL`) per person and unit.
//! - `onboarding_tokens(id, unit_id, token_digest, expires_at, created_at, used_at,
//!   used_by, voided_at)`.
//! - `otp_requests(id, purpose, destination, client_addr, code_digest, created_at,
//!   wrong_attempts, consumed_at, person_id, pending)` — `code_digest` is the digest of
//!   `request_id:code`; `pending` is the onboarding registration waiting for the code.
//! - `sessions(id, family_id, person_id, access_digest, access_expires_at,
//!   refresh_digest, refresh_expires_at, created_at, rotated_at, revoked_at)`.
//! - `changes(seq, scope, record, created_at)` — the change log; `seq` is global and
//!   monotonic (AUTOINCREMENT), `record` the JSON of a `protocol::Record`.
//! - `mutations(id, person_id, kind, result, applied_at)` — pushed mutation ids and
//!   their stored `MutationOutcome` JSON.
//!
//! Added by migration 2 (invitation codes, DESIGN.md §2.3):
//! - `invites(id, unit_id, role, code_digest, created_by, created_at, expires_at,
//!   status, accepted_by, accepted_at, revoked_at)` — `id` is the phone's `invite_id`;
//!   `code_digest` is `secret_digest` of the normalised code (unique); `status` is
//!   `pending | accepted | revoked` (expiry is judged from `expires_at`, never stored);
//!   `created_by` and `accepted_by` are person ids.
//! - `invite_guess_failures(id, key, created_at)` — one row per wrong or malformed code
//!   offered to `POST /v1/invites/accept`, keyed `client:<address>` and
//!   `phone:<digest of the E.164 phone>`; read over the guessing window. Kept in the
//!   database, not in memory, so a restart does not reset a guesser's count.
//!
//! `otp_requests.pending` holds, for `invite_accept` codes, the acceptance waiting for
//! the code (`invites::PendingInvite`) instead of an onboarding registration.
//!
//! Changed by migration 4 (issue 7):
//! - `otp_requests(id, purpose, code_digest, created_at, wrong_attempts, person_id,
//!   pending)` — `code_digest` is keyed (`server_key::Keyed::OtpCode`); no destination
//!   or client address; the row is deleted when its code is used and purged once expired.
//! - `otp_sends(id, key, created_at)` — one row per code sent, keyed `to:<keyed digest of
//!   the destination>` and `from:<client address>`; purged after a day.
//! - `sessions.replaced_by` — the session a rotation made in this one's place.
//! - `invites.digest_keyed` — 1 once `code_digest` is keyed
//!   (`server_key::Keyed::InviteCode` over the plain digest).
//! - `people_login_email` — a unique index: an e-mail belongs to at most one activated
//!   account.
//!
//! Added by migration 5 (parcels, DESIGN.md §2.4):
//! - `parcels(id, unit_id, recipient, carrier, tracking, status, logged_by, logged_at,
//!   picked_up_at)` — `status` is `waiting | picked_up | returned`; `logged_by` a staff
//!   id.
//!
//! Added by migration 6 (device keys and parcel custody, issue 8):
//! - `device_keys(key_id, person_id, family_id, public_key, created_at, revoked_at)` —
//!   the public half of each sign-in's key (`family_id` is the sign-in's session family);
//!   revoked with the family.
//! - `parcel_handovers(id, unit_id, method, person_id, collected_by, staff_id, key_id,
//!   pass_step, signature_png, created_at)` — one row per handover at the counter; a
//!   pass (`key_id`, `pass_step`) hands over once (unique index).
//! - `parcels.handover_id`, `parcels.returned_at`, `parcels.returned_by`.
//!
//! Added by migration 7 (parcel photos, issue 8):
//! - `files(id, scope, content_type, size, sha256, bytes, created_by, created_at)` —
//!   the bytes records point at (`protocol::FileRef`); `scope` is the sync scope whose
//!   readers may download it (`unit:<id>` for a parcel photo); `sha256` is lowercase hex
//!   of `bytes`; `created_by` a staff or person id. A file never changes.
//! - `parcels.photo_file_id` — the parcel's current photo (a `files` id), if any.
//!
//! Added by migration 8 (meetings, issue 9):
//! - `meetings(id, project_id, title, kind, reconvened, status, created_by, created_at)` —
//!   `kind` `annual | extraordinary | committee`; `status` `draft | open | closed`.
//! - `agenda_items(id, meeting_id, position, title, resolution, status)` — `status`
//!   `pending | open | closed`.
//! - `meeting_proxies(meeting_id, unit_id, holder_person_id, created_at)` — one proxy per
//!   unit per meeting.
//! - `meeting_attendance(meeting_id, unit_id, recorded_at)` — the attendance register.
//! - `ballot_log(meeting_id, seq, prev, entry, hash)` — the hash-chained log
//!   (`domain::voting::chain`): `entry` is the entry's JSON, exactly as hashed.
//! - `item_results(item_id, tally, passed, chain_head)` — published at an item's close.
//!
//! Added by migration 15 (devices and sessions, issue 11):
//! - `sessions.device` — the label the device gave itself at sign-in
//!   (`domain::device_label`), copied to each row a refresh makes; NULL when it gave none
//!   or one the rule refused.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('epoch', '1'), ('retention_floor', '0');

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    project_id TEXT,
    token_digest TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    phone TEXT UNIQUE,
    email TEXT,
    legal_name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    activated_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX people_email ON people(email);

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    number TEXT NOT NULL,
    ratio_micros INTEGER NOT NULL,
    arrears_months INTEGER NOT NULL DEFAULT 0,
    owner_person_id TEXT NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    UNIQUE (project_id, number)
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE UNIQUE INDEX memberships_active ON memberships(person_id, unit_id) WHERE ended_at IS NULL;
CREATE INDEX memberships_unit ON memberships(unit_id);

CREATE TABLE onboarding_tokens (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    token_digest TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER,
    used_by TEXT,
    voided_at INTEGER
);
CREATE INDEX onboarding_tokens_unit ON onboarding_tokens(unit_id);

CREATE TABLE otp_requests (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    destination TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    wrong_attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at INTEGER,
    person_id TEXT,
    pending TEXT
);
CREATE INDEX otp_requests_destination ON otp_requests(destination, created_at);
CREATE INDEX otp_requests_client ON otp_requests(client_addr, created_at);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id),
    access_digest TEXT NOT NULL UNIQUE,
    access_expires_at INTEGER NOT NULL,
    refresh_digest TEXT NOT NULL UNIQUE,
    refresh_expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX sessions_family ON sessions(family_id);
CREATE INDEX sessions_person ON sessions(person_id);

CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX changes_scope_seq ON changes(scope, seq);

CREATE TABLE mutations (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    result TEXT NOT NULL,
    applied_at INTEGER NOT NULL
);
"#,
    // 2: invitation codes and the guessing record.
    r#"
CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    role TEXT NOT NULL,
    code_digest TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    accepted_by TEXT REFERENCES people(id),
    accepted_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX invites_unit_status ON invites(unit_id, status, expires_at);

CREATE TABLE invite_guess_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX invite_guess_failures_key ON invite_guess_failures(key, created_at);
"#,
    // 3: ownership ratios travel as exact decimal strings (`"ownership_ratio": "12.345"`)
    //    instead of integer millionths: logged unit records are rewritten in place, so a
    //    phone pulling old entries reads the same shape as new ones.
    r#"
UPDATE changes
SET record = json_set(
    json_remove(record, '$.unit.ratio_micros'),
    '$.unit.ownership_ratio',
    CASE WHEN json_extract(record, '$.unit.ratio_micros') % 1000000 = 0
         THEN printf('%d', json_extract(record, '$.unit.ratio_micros') / 1000000)
         ELSE rtrim(printf('%d.%06d',
                           json_extract(record, '$.unit.ratio_micros') / 1000000,
                           json_extract(record, '$.unit.ratio_micros') % 1000000), '0')
    END)
WHERE json_extract(record, '$.unit.ratio_micros') IS NOT NULL;
"#,
    // 4: closing issue 7's holes. One-time codes leave nothing behind: `otp_requests`
    //    keeps only a keyed digest and what the code confirms, and its row goes when the
    //    code is used or expires (pending codes of the old table, at most 5 minutes old,
    //    are dropped: people ask again). The send limits count `otp_sends`, keyed by a
    //    keyed digest of the destination, never the destination itself. A rotated
    //    session remembers its successor (a retried refresh replaces it). Invitation
    //    codes get keyed digests (`digest_keyed` marks rows rekeyed at start-up).
    //    Invitation creation is budgeted per person from the mutations ledger.
    r#"
DROP TABLE otp_requests;
CREATE TABLE otp_requests (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    code_digest TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    wrong_attempts INTEGER NOT NULL DEFAULT 0,
    person_id TEXT,
    pending TEXT
);
CREATE INDEX otp_requests_created ON otp_requests(created_at);
CREATE TABLE otp_sends (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX otp_sends_key ON otp_sends(key, created_at);
CREATE INDEX otp_sends_created ON otp_sends(created_at);
ALTER TABLE sessions ADD COLUMN replaced_by TEXT;
ALTER TABLE invites ADD COLUMN digest_keyed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX mutations_person_kind ON mutations(person_id, kind, applied_at);
-- A login e-mail belongs to one activated account. Where two share one (an unverified
-- profile edit made that possible), a registry owner keeps it over anyone else, then the
-- earliest activated; the others lose it.
UPDATE people SET email = NULL
WHERE activated_at IS NOT NULL AND email IS NOT NULL AND EXISTS (
    SELECT 1 FROM people q
    WHERE q.email = people.email AND q.activated_at IS NOT NULL AND q.id <> people.id
      AND (
        EXISTS (SELECT 1 FROM units u WHERE u.owner_person_id = q.id)
            > EXISTS (SELECT 1 FROM units u WHERE u.owner_person_id = people.id)
        OR (
            EXISTS (SELECT 1 FROM units u WHERE u.owner_person_id = q.id)
                = EXISTS (SELECT 1 FROM units u WHERE u.owner_person_id = people.id)
            AND (q.activated_at < people.activated_at
                 OR (q.activated_at = people.activated_at AND q.id < people.id))
        )
      )
);
CREATE UNIQUE INDEX people_login_email ON people(email)
    WHERE activated_at IS NOT NULL AND email IS NOT NULL;
"#,
    // 5: parcels (issue 8): what staff log for a unit, and who logged it.
    r#"
CREATE TABLE parcels (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    recipient TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking TEXT,
    status TEXT NOT NULL DEFAULT 'waiting',
    logged_by TEXT NOT NULL REFERENCES staff(id),
    logged_at INTEGER NOT NULL,
    picked_up_at INTEGER
);
CREATE INDEX parcels_unit_status ON parcels(unit_id, status);
"#,
    // 6: device keys and parcel custody (issue 8).
    r#"
CREATE TABLE device_keys (
    key_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    family_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX device_keys_family ON device_keys(family_id);
CREATE INDEX device_keys_person ON device_keys(person_id);
CREATE TABLE parcel_handovers (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    method TEXT NOT NULL,
    person_id TEXT REFERENCES people(id),
    collected_by TEXT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff(id),
    key_id TEXT,
    pass_step INTEGER,
    signature_png BLOB,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX parcel_handovers_pass ON parcel_handovers(key_id, pass_step)
    WHERE key_id IS NOT NULL;
ALTER TABLE parcels ADD COLUMN handover_id TEXT REFERENCES parcel_handovers(id);
ALTER TABLE parcels ADD COLUMN returned_at INTEGER;
ALTER TABLE parcels ADD COLUMN returned_by TEXT REFERENCES staff(id);
"#,
    // 7: files (issue 8, parcel photos; the binary channel slips and attachments reuse).
    r#"
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL
);
ALTER TABLE parcels ADD COLUMN photo_file_id TEXT REFERENCES files(id);
"#,
    // 8: meetings (issue 9): meetings, agenda items, proxies, the attendance register.
    r#"
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    reconvened INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    created_by TEXT NOT NULL REFERENCES staff(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX meetings_project ON meetings(project_id);
CREATE TABLE agenda_items (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    resolution TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    UNIQUE (meeting_id, position)
);
CREATE TABLE meeting_proxies (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    holder_person_id TEXT NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, unit_id)
);
CREATE INDEX meeting_proxies_holder ON meeting_proxies(meeting_id, holder_person_id);
CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (meeting_id, unit_id)
);
CREATE TABLE ballot_log (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    seq INTEGER NOT NULL,
    prev TEXT NOT NULL,
    entry TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (meeting_id, seq)
);
CREATE TABLE item_results (
    item_id TEXT PRIMARY KEY REFERENCES agenda_items(id),
    tally TEXT NOT NULL,
    passed INTEGER NOT NULL,
    chain_head TEXT NOT NULL
);
"#,
    // 9: the eligibility snapshot's units, frozen at a meeting's opening (issue 9): a
    // vote reads its unit's row; the snapshot itself stays the ballot log's first entry.
    // Proxy holders find their proxies by holder. The project's roster of people barred
    // from holding proxies (board, manager, their spouses, office staff; s.47).
    r#"
CREATE TABLE meeting_units (
    meeting_id TEXT NOT NULL REFERENCES meetings(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    weight_micros INTEGER NOT NULL,
    may_vote INTEGER NOT NULL,
    arrears_months INTEGER NOT NULL,
    proxy_holder TEXT REFERENCES people(id),
    PRIMARY KEY (meeting_id, unit_id)
);
CREATE INDEX meeting_proxies_by_holder ON meeting_proxies(holder_person_id);
CREATE TABLE project_roles (
    project_id TEXT NOT NULL REFERENCES projects(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, person_id, role)
);
"#,
    // 10: announcements (issue 10): posts to a whole project or to chosen units, their
    // attachment (one stored copy per scope it is logged in), and who opened (general)
    // or acknowledged (acknowledge) each, in which unit.
    r#"
CREATE TABLE announcements (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    kind TEXT NOT NULL,
    expires_at INTEGER,
    posted_by TEXT NOT NULL REFERENCES staff(id),
    posted_at INTEGER NOT NULL
);
CREATE INDEX announcements_project ON announcements(project_id);
CREATE TABLE announcement_units (
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    PRIMARY KEY (announcement_id, unit_id)
);
CREATE TABLE announcement_files (
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    scope TEXT NOT NULL,
    file_id TEXT NOT NULL REFERENCES files(id),
    PRIMARY KEY (announcement_id, scope)
);
CREATE TABLE announcement_opens (
    announcement_id TEXT NOT NULL REFERENCES announcements(id),
    person_id TEXT NOT NULL REFERENCES people(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    opened_at INTEGER NOT NULL,
    PRIMARY KEY (announcement_id, person_id, unit_id)
);
"#,
    // 11: invoices (issue 10): one per unit and period, its lines in order, where its
    // payment stands (`unpaid`, `slip_submitted`, `paid`, `rejected`), the slip, and who
    // decided. Amounts are integer satang. Uploads in progress (a phone's slip, sent in
    // chunks so a dropped connection resumes where it stopped).
    r#"
CREATE TABLE invoices (
    id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id),
    period TEXT NOT NULL,
    due TEXT NOT NULL,
    total INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'unpaid',
    received INTEGER,
    reject_reason TEXT,
    slip_file_id TEXT REFERENCES files(id),
    decided_by TEXT REFERENCES staff(id),
    decided_at INTEGER,
    issued_by TEXT NOT NULL REFERENCES staff(id),
    issued_at INTEGER NOT NULL,
    UNIQUE (unit_id, period)
);
CREATE TABLE invoice_lines (
    invoice_id TEXT NOT NULL REFERENCES invoices(id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (invoice_id, position)
);
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX uploads_person ON uploads(person_id);
CREATE TABLE upload_chunks (
    upload_id TEXT NOT NULL REFERENCES uploads(id),
    offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (upload_id, offset)
);
"#,
    // 12: privacy (issue 11): the versions of each document brought into force, and
    // every answer a person gave to one — agreements and withdrawals, never deleted (the
    // record of consent is what the controller must be able to show).
    r#"
CREATE TABLE policies (
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);
CREATE TABLE consent_events (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    given INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX consent_events_person ON consent_events(person_id, at);
"#,
    // 13: privacy requests (issue 11): erasure, correction, objection — filed by a
    // person, answered by staff within 30 days (`deadline`), with the answer kept.
    r#"
CREATE TABLE privacy_requests (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    detail TEXT,
    status TEXT NOT NULL,
    filed_at INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    answer TEXT,
    decided_by TEXT,
    decided_at INTEGER
);
CREATE INDEX privacy_requests_open ON privacy_requests(status, deadline);
CREATE INDEX privacy_requests_person ON privacy_requests(person_id);
"#,
    // 14: the audit log of staff actions (issue 11): one hash-chained log per project
    // (`domain::audit`). Append-only here too: the triggers refuse to change or delete
    // an entry (a PostgreSQL store would use a rule or revoked privileges instead).
    r#"
CREATE TABLE audit_log (
    project_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    staff_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (project_id, seq)
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#,
    // 15: devices and sessions (issue 11): the label a device gave itself at sign-in
    // (`domain::device_label`), kept on every row of its session family; NULL is an
    // unknown device.
    r#"
ALTER TABLE sessions ADD COLUMN device TEXT;
"#,
    // 16: erasure (issue 11): when a person was erased (their names and contact are
    // overwritten, the row stays so that ids elsewhere stay consistent).
    r#"
ALTER TABLE people ADD COLUMN erased_at INTEGER;
"#,
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Brings the database up to [`latest_version`], each step in its own transaction (the
/// core's migration runner, shared with the phone). Refuses a database from a newer build.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    use lobby_migrations::{apply_migrations, MigrationError};
    apply_migrations(conn, MIGRATIONS).map_err(|e| match e {
        MigrationError::Newer { found, known } => rusqlite::Error::InvalidParameterName(format!(
            "database schema version {found} is newer than this server ({known})"
        )),
        MigrationError::Sqlite(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap();
        migrate(&mut c).unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest_version());
        let epoch: String = c
            .query_row("SELECT value FROM meta WHERE key='epoch'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(epoch, "1");
    }

    #[test]
    fn two_accounts_sharing_an_email_keep_it_for_the_registry_owner_only() {
        let mut c = Connection::open_in_memory().unwrap();
        lobby_migrations::apply_migrations(&mut c, &MIGRATIONS[..3]).unwrap();
        c.execute_batch(
            "INSERT INTO projects (id, name, kind, created_at) VALUES ('p', 'ก', 'condominium', 0);
             INSERT INTO people (id, phone, email, legal_name, display_name, activated_at, created_at) VALUES
               ('tenant', '+66811111111', 'owner@example.com', 't', 't', 1, 0),
               ('owner', '+66822222222', 'owner@example.com', 'o', 'o', 2, 0),
               ('other', '+66833333333', 'other@example.com', 'x', 'x', 3, 0),
               ('unactivated', '+66844444444', 'other@example.com', 'u', 'u', NULL, 0);
             INSERT INTO units (id, project_id, number, ratio_micros, arrears_months, owner_person_id, created_at)
               VALUES ('u', 'p', '1', 1000000, 0, 'owner', 0);",
        )
        .unwrap();
        migrate(&mut c).unwrap();
        let email = |id: &str| -> Option<String> {
            c.query_row("SELECT email FROM people WHERE id = ?1", [id], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(email("owner").as_deref(), Some("owner@example.com"));
        assert_eq!(email("tenant"), None, "the earlier squatter loses it");
        assert_eq!(email("other").as_deref(), Some("other@example.com"));
        assert_eq!(email("unactivated").as_deref(), Some("other@example.com"));
        let dup = c.execute(
            "UPDATE people SET email = 'owner@example.com' WHERE id = 'other'",
            [],
        );
        assert!(dup.is_err(), "the unique index refuses a second holder");
    }

    #[test]
    fn logged_unit_records_of_version_2_read_as_exact_decimals_after_the_upgrade() {
        use lobby_model::protocol::Record;
        let mut c = Connection::open_in_memory().unwrap();
        lobby_migrations::apply_migrations(&mut c, &MIGRATIONS[..2]).unwrap();
        for (seq, micros) in [(1, 12_345_000), (2, 3_000_000), (3, 500_001)] {
            let old = format!(
                r#"{{"unit":{{"id":"u{seq}","project_id":"p","number":"12/{seq}","ratio_micros":{micros},"arrears_months":0}}}}"#
            );
            c.execute(
                "INSERT INTO changes(seq, scope, record, created_at) VALUES (?1, 'unit:u', ?2, 0)",
                rusqlite::params![seq, old],
            )
            .unwrap();
        }
        c.execute(
            "INSERT INTO changes(seq, scope, record, created_at) VALUES (4, 'project:p', '{\"project\":{\"id\":\"p\",\"name\":\"ก\",\"kind\":\"condominium\"}}', 0)",
            [],
        )
        .unwrap();
        migrate(&mut c).unwrap();
        let mut stmt = c
            .prepare("SELECT record FROM changes ORDER BY seq")
            .unwrap();
        let records: Vec<Record> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|r| serde_json::from_str(&r.unwrap()).unwrap())
            .collect();
        let ratios: Vec<String> = records
            .iter()
            .filter_map(|r| match r {
                Record::Unit(u) => Some(u.ownership_ratio.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(ratios, ["12.345", "3", "0.500001"]);
        assert!(
            matches!(records[3], Record::Project(_)),
            "other records untouched"
        );
    }
}
