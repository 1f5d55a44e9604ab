//! The data-access operations of one transaction, one trait per area. [`Tx`] combines
//! them; capability modules take `&mut dyn Tx`.
//!
//! Every method is plain data access: read rows, insert or update rows, count rows,
//! append to or read the change log. None decides anything: a method never refuses
//! because of what a row says (the caller reads the row and decides), never picks what
//! to log, never checks a caller's rights. Conditional updates (`mark_*` "if still …")
//! report whether a row changed, so a caller can detect a concurrent change; they are
//! compare-and-set, not rules.
//!
//! Errors are server errors (`AppError::server`) except where a result type says
//! otherwise ([`Inserted::Duplicate`]).

use chrono::{DateTime, Utc};
use lobby_model::protocol::{
    InvoiceRecord, MutationOutcome, ParcelRecord, ProjectRecord, Record, Role, UnitRecord,
};

use super::rows::{
    Cell, Inserted, InvoiceDecision, Membership, NewAgendaItem, NewAnnouncement, NewConsent,
    NewDeviceKey, NewFile, NewHandover, NewInvite, NewInvoice, NewMeeting, NewMembership,
    NewOnboardingToken, NewOtpRow, NewParcel, NewPerson, NewSessionRow, NewStaff, ParcelSearch,
    Person, PersonChange, PersonRows, StoredAgendaItem, StoredAnnouncement, StoredChange,
    StoredDeviceKey, StoredFileMeta, StoredInvite, StoredItemResult, StoredMeeting, StoredMutation,
    StoredOpen, StoredOtp, StoredPrivacyRequest, StoredSession, StoredSessionFamily, StoredStaff,
    StoredToken, StoredUnit, StoredUpload,
};
use crate::error::AppResult;
use lobby_model::domain::audit::AuditLink;
use lobby_model::domain::voting::chain::{ChainEntry, SnapshotUnit};

/// Staff credentials.
pub trait StaffTx {
    fn insert_staff(&mut self, staff: &NewStaff, now: DateTime<Utc>) -> AppResult<Inserted>;
    /// Sets the revocation time unless one is set; `false` when there is no such row.
    fn mark_staff_revoked(&mut self, staff_id: &str, now: DateTime<Utc>) -> AppResult<bool>;
    fn staff_by_token(&mut self, token_digest: &str) -> AppResult<Option<StoredStaff>>;
}

/// Projects and units.
pub trait UnitsTx {
    fn insert_project(
        &mut self,
        project: &ProjectRecord,
        now: DateTime<Utc>,
    ) -> AppResult<Inserted>;
    fn project(&mut self, project_id: &str) -> AppResult<Option<ProjectRecord>>;
    fn unit(&mut self, unit_id: &str) -> AppResult<Option<StoredUnit>>;
    /// Sets the unit's months in arrears; whether the unit exists.
    fn set_unit_arrears(&mut self, unit_id: &str, months: u32) -> AppResult<bool>;
    fn unit_by_number(&mut self, project_id: &str, number: &str) -> AppResult<Option<StoredUnit>>;
    fn insert_unit(
        &mut self,
        unit: &UnitRecord,
        owner_person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
}

/// People and their accounts.
pub trait PeopleTx {
    fn person(&mut self, person_id: &str) -> AppResult<Option<Person>>;
    /// Phones are unique: at most one person.
    fn person_by_phone(&mut self, phone: &str) -> AppResult<Option<Person>>;
    /// Activated people with this e-mail, earliest activation first.
    fn activated_people_by_email(&mut self, email: &str) -> AppResult<Vec<Person>>;
    fn insert_person(&mut self, person: &NewPerson) -> AppResult<()>;
    /// Sets the fields that are `Some`.
    fn update_person(&mut self, person_id: &str, change: &PersonChange) -> AppResult<()>;
    /// Sets or clears the person's e-mail.
    fn set_person_email(&mut self, person_id: &str, email: Option<&str>) -> AppResult<()>;
}

/// Memberships of people in units.
pub trait MembershipsTx {
    fn membership(&mut self, membership_id: &str) -> AppResult<Option<Membership>>;
    /// The person's unended membership of the unit (there is at most one).
    fn active_membership(
        &mut self,
        person_id: &str,
        unit_id: &str,
    ) -> AppResult<Option<Membership>>;
    /// The person's unended memberships, oldest first.
    fn active_memberships_of(&mut self, person_id: &str) -> AppResult<Vec<Membership>>;
    /// Unended memberships of the unit with one of `roles`.
    fn count_active_memberships(&mut self, unit_id: &str, roles: &[Role]) -> AppResult<usize>;
    fn insert_membership(&mut self, m: &NewMembership, now: DateTime<Utc>) -> AppResult<()>;
    /// Ends the membership if it has not ended; whether it did.
    fn end_membership(&mut self, membership_id: &str, now: DateTime<Utc>) -> AppResult<bool>;
}

/// Onboarding tokens (digests only).
pub trait OnboardingTokensTx {
    fn onboarding_token(&mut self, token_digest: &str) -> AppResult<Option<StoredToken>>;
    fn insert_onboarding_token(
        &mut self,
        unit_id: &str,
        token: &NewOnboardingToken,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// Voids the unit's tokens that are neither used nor voided.
    fn void_unused_onboarding_tokens(&mut self, unit_id: &str, now: DateTime<Utc>)
        -> AppResult<()>;
    fn mark_onboarding_token_used(
        &mut self,
        token_id: &str,
        person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// Deletes the tokens used at or before `used_before`; how many.
    fn purge_used_onboarding_tokens(&mut self, used_before: DateTime<Utc>) -> AppResult<usize>;
    /// Deletes the unused tokens (voided or not) that expired at or before
    /// `expired_before`; how many.
    fn purge_expired_onboarding_tokens(
        &mut self,
        expired_before: DateTime<Utc>,
    ) -> AppResult<usize>;
}

/// One-time code requests, and the sends the limits count.
pub trait OtpTx {
    /// When codes were sent under this limit key after `since`.
    fn otp_sends(&mut self, key: &str, since: DateTime<Utc>) -> AppResult<Vec<DateTime<Utc>>>;
    /// Counts one send under `key`.
    fn record_otp_send(&mut self, key: &str, at: DateTime<Utc>) -> AppResult<()>;
    fn insert_otp_request(&mut self, request: &NewOtpRow) -> AppResult<()>;
    fn otp_request(&mut self, request_id: &str) -> AppResult<Option<StoredOtp>>;
    /// Adds one to the request's wrong attempts.
    fn count_wrong_otp_attempt(&mut self, request_id: &str) -> AppResult<()>;
    /// Deletes the request (its code was used); whether it was still there.
    fn delete_otp_request(&mut self, request_id: &str) -> AppResult<bool>;
    /// Deletes the requests made at or before `made_before`; how many.
    fn purge_otp_requests(&mut self, made_before: DateTime<Utc>) -> AppResult<usize>;
    /// Deletes the sends counted at or before `sent_before`; how many.
    fn purge_otp_sends(&mut self, sent_before: DateTime<Utc>) -> AppResult<usize>;
}

/// Sessions (digests only).
pub trait SessionsTx {
    fn insert_session(&mut self, session: &NewSessionRow) -> AppResult<()>;
    fn session_by_access(&mut self, access_digest: &str) -> AppResult<Option<StoredSession>>;
    fn session_by_refresh(&mut self, refresh_digest: &str) -> AppResult<Option<StoredSession>>;
    fn session(&mut self, session_id: &str) -> AppResult<Option<StoredSession>>;
    /// Records that `replaced_by` took the session's place (the first rotation's time
    /// is kept).
    fn mark_session_rotated(
        &mut self,
        session_id: &str,
        replaced_by: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// Revokes the family's sessions not yet revoked.
    fn revoke_session_family(&mut self, family_id: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// Revokes the person's sessions not yet revoked.
    fn revoke_person_sessions(&mut self, person_id: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// Deletes the sessions that ended — revoked, or their refresh token expired — at or
    /// before `ended_before`, except a family's first row (`id = family_id`) while
    /// another row of its family has not ended by then; how many.
    fn purge_ended_sessions(&mut self, ended_before: DateTime<Utc>) -> AppResult<usize>;
    /// Every session family of the person (revoked and expired ones too), one entry each.
    fn person_session_families(&mut self, person_id: &str) -> AppResult<Vec<StoredSessionFamily>>;
}

/// Invitation codes (digests only).
pub trait InvitesTx {
    fn insert_invite(&mut self, invite: &NewInvite) -> AppResult<Inserted>;
    fn invite(&mut self, invite_id: &str) -> AppResult<Option<StoredInvite>>;
    fn invite_by_code(&mut self, code_digest: &str) -> AppResult<Option<StoredInvite>>;
    /// Up to `limit` invitations whose stored digest is not keyed yet: `(id, digest)`.
    fn unkeyed_invite_digests(&mut self, limit: usize) -> AppResult<Vec<(String, String)>>;
    /// Replaces an invitation's digest by its keyed form.
    fn set_keyed_invite_digest(&mut self, invite_id: &str, digest: &str) -> AppResult<()>;
    /// The unit's pending invitations that expire after `at`.
    fn count_pending_invites(&mut self, unit_id: &str, at: DateTime<Utc>) -> AppResult<usize>;
    /// Marks a still-pending invitation revoked; whether it did.
    fn mark_invite_revoked(&mut self, invite_id: &str, now: DateTime<Utc>) -> AppResult<bool>;
    /// Marks a still-pending invitation accepted by `person_id`; whether it did.
    fn mark_invite_accepted(
        &mut self,
        invite_id: &str,
        person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
}

/// Wrong invitation codes, per key.
pub trait InviteGuessesTx {
    /// Failure times of `key` after `since`, oldest first.
    fn guess_failures_since(
        &mut self,
        key: &str,
        since: DateTime<Utc>,
    ) -> AppResult<Vec<DateTime<Utc>>>;
    fn record_guess_failure(&mut self, key: &str, at: DateTime<Utc>) -> AppResult<()>;
    /// Deletes every failure at or before `until` (any key); how many.
    fn forget_guess_failures(&mut self, until: DateTime<Utc>) -> AppResult<usize>;
}

/// The change log (global, monotonic `seq`) and the sync epoch.
pub trait ChangeLogTx {
    /// Appends `record` in `scope`; its `seq`, greater than every earlier one.
    fn append_change(&mut self, scope: &str, record: &Record, now: DateTime<Utc>)
        -> AppResult<i64>;
    /// The scope's entries with `seq > after`, in `seq` order, at most `limit`.
    fn changes_after(
        &mut self,
        scope: &str,
        after: i64,
        limit: usize,
    ) -> AppResult<Vec<StoredChange>>;
    /// The greatest `seq` ever logged (0 for an empty log).
    fn change_log_head(&mut self) -> AppResult<i64>;
    /// Entries with `seq <= floor` may be gone.
    fn retention_floor(&mut self) -> AppResult<i64>;
    fn sync_epoch(&mut self) -> AppResult<u32>;
    fn set_sync_epoch(&mut self, epoch: u32) -> AppResult<()>;
}

/// Pushed mutations' ids and results (the idempotency record).
pub trait MutationsTx {
    fn mutation(&mut self, mutation_id: &str) -> AppResult<Option<StoredMutation>>;
    fn record_mutation(
        &mut self,
        mutation_id: &str,
        person_id: &str,
        kind: &str,
        outcome: &MutationOutcome,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// How many mutations of `kind` the person pushed after `since` (any outcome),
    /// counted up to `at_most`.
    fn count_mutations_since(
        &mut self,
        person_id: &str,
        kind: &str,
        since: DateTime<Utc>,
        at_most: usize,
    ) -> AppResult<usize>;
}

/// Parcels staff logged, and their custody: handovers and returns.
pub trait ParcelsTx {
    fn insert_parcel(&mut self, parcel: &NewParcel) -> AppResult<()>;
    /// The parcel with its custody (staff names, handover, return) and its photo's
    /// description (if it has one).
    fn parcel(&mut self, parcel_id: &str) -> AppResult<Option<ParcelRecord>>;
    /// Up to `limit` parcels, newest first, of units of `project_id` (all projects when
    /// `None`), of `unit_id`, with `status`, whose recipient contains `recipient`
    /// (ignoring case) — each filter only when given.
    fn find_parcels(
        &mut self,
        filter: &ParcelSearch<'_>,
        limit: usize,
    ) -> AppResult<Vec<ParcelRecord>>;
    /// The unit's `waiting` parcels, oldest first.
    fn waiting_parcels(&mut self, unit_id: &str) -> AppResult<Vec<ParcelRecord>>;
    /// Whether a handover already used this pass (`key_id`, `step`).
    fn pass_used(&mut self, key_id: &str, step: i64) -> AppResult<bool>;
    /// A pass used twice reads as [`Inserted::Duplicate`].
    fn insert_handover(&mut self, handover: &NewHandover) -> AppResult<Inserted>;
    /// Marks a `waiting` parcel picked up by the handover; whether it was waiting.
    fn mark_parcel_handed_over(
        &mut self,
        parcel_id: &str,
        handover_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
    /// Marks a `waiting` parcel returned to the carrier; whether it was waiting.
    fn mark_parcel_returned(
        &mut self,
        parcel_id: &str,
        staff_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
    /// Points the parcel at its photo (a stored file); whether the parcel exists.
    fn set_parcel_photo(&mut self, parcel_id: &str, file_id: &str) -> AppResult<bool>;
}

/// Meetings: the meetings, their agenda, proxies and the attendance register.
pub trait MeetingsTx {
    fn insert_meeting(&mut self, meeting: &NewMeeting) -> AppResult<()>;
    fn meeting(&mut self, meeting_id: &str) -> AppResult<Option<StoredMeeting>>;
    /// Appends the item after the meeting's last one.
    fn insert_agenda_item(&mut self, item: &NewAgendaItem) -> AppResult<()>;
    /// The registered proxy holder of the unit at the meeting, if any.
    fn proxy_holder(&mut self, meeting_id: &str, unit_id: &str) -> AppResult<Option<String>>;
    /// How many units the person holds by proxy at the meeting.
    fn count_held_proxies(&mut self, meeting_id: &str, holder_person_id: &str) -> AppResult<usize>;
    /// Registers (or replaces) the unit's proxy holder at the meeting.
    fn set_proxy(
        &mut self,
        meeting_id: &str,
        unit_id: &str,
        holder_person_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    fn agenda_item(&mut self, item_id: &str) -> AppResult<Option<StoredAgendaItem>>;
    fn agenda_items(&mut self, meeting_id: &str) -> AppResult<Vec<StoredAgendaItem>>;
    /// Sets the meeting's status if it is `from`; whether it was.
    fn set_meeting_status(&mut self, meeting_id: &str, from: &str, to: &str) -> AppResult<bool>;
    /// Sets the item's status if it is `from`; whether it was.
    fn set_item_status(&mut self, item_id: &str, from: &str, to: &str) -> AppResult<bool>;
    /// The units in the meeting's attendance register, in the order recorded.
    fn attendance(&mut self, meeting_id: &str) -> AppResult<Vec<String>>;
    /// Every registered proxy of the meeting: (unit id, holder person id).
    fn proxies(&mut self, meeting_id: &str) -> AppResult<Vec<(String, String)>>;
    /// The project's units.
    fn project_units(&mut self, project_id: &str) -> AppResult<Vec<StoredUnit>>;
    /// The meeting's ballot log in order.
    fn ballot_log(&mut self, meeting_id: &str) -> AppResult<Vec<ChainEntry>>;
    /// The last link's sequence number and hash (its entry is not read).
    fn last_ballot_link(&mut self, meeting_id: &str) -> AppResult<Option<(u64, String)>>;
    /// The link at `seq` (0: the snapshot).
    fn ballot_entry(&mut self, meeting_id: &str, seq: u64) -> AppResult<Option<ChainEntry>>;
    /// Appends a link; a sequence number taken reads as [`Inserted::Duplicate`].
    fn append_ballot_entry(&mut self, meeting_id: &str, link: &ChainEntry) -> AppResult<Inserted>;
    fn store_item_result(&mut self, item_id: &str, result: &StoredItemResult) -> AppResult<()>;
    fn item_result(&mut self, item_id: &str) -> AppResult<Option<StoredItemResult>>;
    /// Keeps the snapshot's units, frozen at the meeting's opening, one row each (a vote
    /// reads its unit's row instead of the whole snapshot).
    fn freeze_units(&mut self, meeting_id: &str, units: &[SnapshotUnit]) -> AppResult<()>;
    /// The unit as frozen at the meeting's opening.
    fn frozen_unit(&mut self, meeting_id: &str, unit_id: &str) -> AppResult<Option<SnapshotUnit>>;
    /// The projects of the meetings where the person holds a proxy (they see those
    /// projects' meetings even without a unit there).
    fn proxy_projects(&mut self, person_id: &str) -> AppResult<Vec<String>>;
    /// Puts the person on the project's roster with `role` (again: no change).
    fn add_project_role(
        &mut self,
        project_id: &str,
        person_id: &str,
        role: &str,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// The person's roles in the project's roster.
    fn project_roles(&mut self, project_id: &str, person_id: &str) -> AppResult<Vec<String>>;
    /// Records the unit present; whether it was not already.
    fn record_attendance(
        &mut self,
        meeting_id: &str,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
}

/// Announcements and who opened them.
pub trait AnnouncementsTx {
    fn insert_announcement(&mut self, a: &NewAnnouncement) -> AppResult<()>;
    fn announcement(&mut self, id: &str) -> AppResult<Option<StoredAnnouncement>>;
    /// Records that the person opened it in the unit; whether it was the first time.
    fn record_announcement_open(
        &mut self,
        id: &str,
        person_id: &str,
        unit_id: &str,
        now: DateTime<Utc>,
    ) -> AppResult<bool>;
    /// Points the announcement's copy in `scope` at `file_id`; the file it named before.
    fn set_announcement_file(
        &mut self,
        id: &str,
        scope: &str,
        file_id: &str,
    ) -> AppResult<Option<String>>;
    /// The file of the announcement's copy in `scope`.
    fn announcement_file(&mut self, id: &str, scope: &str) -> AppResult<Option<String>>;
    /// Every open of the announcement, oldest first.
    fn announcement_opens(&mut self, id: &str) -> AppResult<Vec<StoredOpen>>;
}

/// Invoices and their payment.
pub trait InvoicesTx {
    /// A unit billed for that period already reads as [`Inserted::Duplicate`].
    fn insert_invoice(&mut self, invoice: &NewInvoice) -> AppResult<Inserted>;
    /// The invoice with its lines and slip, as phones see it.
    fn invoice(&mut self, invoice_id: &str) -> AppResult<Option<InvoiceRecord>>;
    /// Changes the payment state if it is one of `d.from`; whether it was.
    fn decide_invoice(&mut self, invoice_id: &str, d: &InvoiceDecision<'_>) -> AppResult<bool>;
    /// Every invoice of the unit: (period, state, due, total).
    fn unit_invoice_states(
        &mut self,
        unit_id: &str,
    ) -> AppResult<Vec<(String, String, chrono::NaiveDate, i64)>>;
}

/// Device keys: the public halves the phones registered.
pub trait DeviceKeysTx {
    /// A key id already stored reads as [`Inserted::Duplicate`].
    fn insert_device_key(&mut self, key: &NewDeviceKey) -> AppResult<Inserted>;
    fn device_key(&mut self, key_id: &str) -> AppResult<Option<StoredDeviceKey>>;
    /// How many keys the sign-in registered, revoked ones included.
    fn count_family_device_keys(&mut self, family_id: &str) -> AppResult<usize>;
    /// Revokes the sign-in's keys not yet revoked, except `keep`.
    fn revoke_family_device_keys(
        &mut self,
        family_id: &str,
        keep: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<()>;
    /// Revokes every key of the person not yet revoked.
    fn revoke_person_device_keys(&mut self, person_id: &str, now: DateTime<Utc>) -> AppResult<()>;
    /// Deletes the keys revoked at or before `revoked_before` whose sign-in has no
    /// session row left and that no parcel handover names; how many.
    fn purge_revoked_device_keys(&mut self, revoked_before: DateTime<Utc>) -> AppResult<usize>;
}

/// Files records point at (photos; later slips and attachments), with the scope whose
/// readers may download each.
pub trait FilesTx {
    fn insert_file(&mut self, file: &NewFile) -> AppResult<()>;
    /// The file's description, without reading its bytes.
    fn file_meta(&mut self, file_id: &str) -> AppResult<Option<StoredFileMeta>>;
    fn file_bytes(&mut self, file_id: &str) -> AppResult<Option<Vec<u8>>>;
    /// Deletes the file; whether it was there.
    fn delete_file(&mut self, file_id: &str) -> AppResult<bool>;
    /// Starts an upload (nothing received yet); a taken id reads as a duplicate.
    fn create_upload(&mut self, upload: &StoredUpload, now: DateTime<Utc>) -> AppResult<Inserted>;
    fn upload(&mut self, upload_id: &str) -> AppResult<Option<StoredUpload>>;
    /// Appends a chunk at `offset` (which must be the bytes received so far).
    fn append_upload_chunk(&mut self, upload_id: &str, offset: u64, bytes: &[u8]) -> AppResult<()>;
    /// The bytes received, in order.
    fn upload_bytes(&mut self, upload_id: &str) -> AppResult<Vec<u8>>;
    fn delete_upload(&mut self, upload_id: &str) -> AppResult<()>;
    /// Uploads the person has in progress.
    fn count_uploads(&mut self, person_id: &str) -> AppResult<usize>;
    /// Deletes the uploads started before `started_before`, never finished or taken;
    /// how many.
    fn purge_uploads(&mut self, started_before: DateTime<Utc>) -> AppResult<usize>;
}

/// Documents in force and the answers people gave to them (`privacy/consents.rs`).
pub trait PrivacyTx {
    /// A version already published reads as [`Inserted::Duplicate`].
    fn publish_policy(
        &mut self,
        kind: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Inserted>;
    /// The version of `kind` in force (the last published).
    fn current_policy(&mut self, kind: &str) -> AppResult<Option<String>>;
    /// The version of `kind` in force and when it was published.
    fn policy_in_force(&mut self, kind: &str) -> AppResult<Option<(String, DateTime<Utc>)>>;
    fn add_consent(&mut self, c: &NewConsent<'_>) -> AppResult<()>;
    /// A request id already taken reads as [`Inserted::Duplicate`].
    fn insert_privacy_request(&mut self, r: &StoredPrivacyRequest) -> AppResult<Inserted>;
    fn privacy_request(&mut self, id: &str) -> AppResult<Option<StoredPrivacyRequest>>;
    /// Records the answer if the request is still open; whether it was.
    fn decide_privacy_request(
        &mut self,
        id: &str,
        status: &str,
        answer: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> AppResult<bool>;
    /// The open requests of people with an active membership in the project (`None`:
    /// every open request), soonest deadline first, with the person's legal name.
    fn open_privacy_requests(
        &mut self,
        project_id: Option<&str>,
    ) -> AppResult<Vec<(StoredPrivacyRequest, String)>>;
    /// The projects where the person has an active membership.
    fn person_projects(&mut self, person_id: &str) -> AppResult<Vec<String>>;
    /// When the session family `family_id` signed in (its first session).
    fn signed_in_at(&mut self, family_id: &str) -> AppResult<Option<DateTime<Utc>>>;
}

/// The audit log of staff actions (`audit.rs`): one chain per project, append-only.
pub trait AuditTx {
    /// The last link of the project's chain: its place and hash.
    fn last_audit_link(&mut self, project_id: &str) -> AppResult<Option<(u64, String)>>;
    /// Appends a link; a place already taken (a concurrent append) is an error, so the
    /// chain never forks.
    fn append_audit_link(&mut self, project_id: &str, link: &AuditLink) -> AppResult<()>;
    /// The project's whole chain, oldest first.
    fn audit_links(&mut self, project_id: &str) -> AppResult<Vec<AuditLink>>;
}

/// One open transaction: every area's operations, plus undoing part of the work.
/// Personal data by the declaration (`privacy::personal_data`): the export reads it, an
/// erasure deletes or overwrites it. Table and column names come from that declaration
/// (compile-time constants, never input); values are bound.
pub trait PersonalDataTx {
    /// `columns` of the rows, in `key`'s order.
    fn person_rows(
        &mut self,
        rows: &PersonRows<'_>,
        columns: &[&str],
        key: &str,
    ) -> AppResult<Vec<Vec<Cell>>>;
    /// Deletes the rows; how many.
    fn delete_person_rows(&mut self, rows: &PersonRows<'_>) -> AppResult<usize>;
    /// Sets `columns` of the rows; how many rows.
    fn set_person_rows(&mut self, rows: &PersonRows<'_>, set: &[(&str, Cell)]) -> AppResult<usize>;
    /// Sets one column of the row of `table` whose `key` column is `key_value`.
    fn set_cell(
        &mut self,
        table: &str,
        key: &str,
        key_value: &str,
        column: &str,
        value: &Cell,
    ) -> AppResult<()>;
    /// Change-log entries with `seq > after` whose record contains any of `needles`
    /// (Latin letters in any case; a pre-filter — the caller decides), in `seq` order, at
    /// most `limit`, with their scope.
    fn changes_containing(
        &mut self,
        needles: &[String],
        after: i64,
        limit: usize,
    ) -> AppResult<Vec<(String, StoredChange)>>;
    /// Replaces an entry's record in place (its `seq` and scope stay).
    fn rewrite_change(&mut self, seq: i64, record_json: &str) -> AppResult<()>;
    /// People not erased, with no active membership and no unit owned, whose last
    /// membership ended at or before `left_by`; at most `limit`.
    fn departed_people(&mut self, left_by: DateTime<Utc>, limit: usize) -> AppResult<Vec<String>>;
}

pub trait Tx:
    StaffTx
    + UnitsTx
    + PeopleTx
    + MembershipsTx
    + OnboardingTokensTx
    + OtpTx
    + SessionsTx
    + InvitesTx
    + InviteGuessesTx
    + ChangeLogTx
    + MutationsTx
    + ParcelsTx
    + DeviceKeysTx
    + MeetingsTx
    + AnnouncementsTx
    + InvoicesTx
    + FilesTx
    + PrivacyTx
    + AuditTx
    + PersonalDataTx
{
    /// Runs `work` inside this transaction such that, when it returns `Err`, its writes
    /// are undone (a savepoint) and the error is returned; the transaction stays usable.
    fn undo_on_error(
        &mut self,
        work: &mut dyn FnMut(&mut dyn Tx) -> AppResult<()>,
    ) -> AppResult<()>;
}
