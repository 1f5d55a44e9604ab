//! The rows the storage interface reads and writes, in the product's words.
//!
//! They are plain data: what a row holds, never what it means. Whether a session is
//! still valid, a token still usable or an invitation still pending is decided above
//! storage from these fields (times are `DateTime<Utc>`; how an engine stores them is its
//! business).

use chrono::{DateTime, Utc};
use lobby_model::domain::invites::StoredInviteState;
use lobby_model::protocol::{MutationOutcome, Role, UnitRecord};

/// What an insert of a row with a unique key did. `Duplicate`: a row with the same key
/// (or another unique field) exists; nothing was written and the transaction goes on.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Yes,
    Duplicate,
}

/// A staff credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    /// `Some`: this credential may act only on that project.
    pub project_id: Option<String>,
}

impl StaffMember {
    /// Whether this credential may act on `project_id` (an unlimited one acts on all).
    pub fn manages(&self, project_id: &str) -> bool {
        self.project_id.as_deref().is_none_or(|p| p == project_id)
    }
}

/// A staff credential about to be stored (only its token's digest).
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub id: String,
    pub name: String,
    pub project_id: Option<String>,
    pub token_digest: String,
}

/// A stored staff credential.
#[derive(Debug, Clone)]
pub struct StoredStaff {
    pub member: StaffMember,
    pub revoked: bool,
}

/// A unit with its registry owner.
#[derive(Debug, Clone)]
pub struct StoredUnit {
    pub record: UnitRecord,
    /// The owner named in the registry (who may not have an account yet).
    pub owner_person_id: String,
}

/// A person: from the registry import on, with an account once activated.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub legal_name: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub activated_at: Option<DateTime<Utc>>,
}

impl Person {
    pub fn is_activated(&self) -> bool {
        self.activated_at.is_some()
    }
}

/// A person about to be stored.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub legal_name: String,
    pub display_name: String,
    pub activated_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Fields to set on a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PersonChange {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: Option<String>,
    pub activated_at: Option<DateTime<Utc>>,
}

/// A membership of a person in a unit (with the unit's project).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub id: String,
    pub person_id: String,
    pub unit_id: String,
    pub project_id: String,
    pub role: Role,
    pub ended: bool,
}

/// A membership about to be stored.
#[derive(Debug, Clone)]
pub struct NewMembership {
    pub id: String,
    pub person_id: String,
    pub unit_id: String,
    pub role: Role,
}

/// An onboarding token to store (only its digest).
#[derive(Debug, Clone)]
pub struct NewOnboardingToken {
    pub id: String,
    pub digest: String,
    pub expires_at: DateTime<Utc>,
}

/// A token row's state as stored: used, replaced by a reissue, its expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenState {
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    pub voided: bool,
}

/// A stored onboarding token.
#[derive(Debug, Clone)]
pub struct StoredToken {
    pub id: String,
    pub unit_id: String,
    pub state: TokenState,
}

/// A one-time code request about to be stored.
#[derive(Debug, Clone)]
pub struct NewOtpRow {
    pub id: String,
    /// `otp_sender::OtpPurpose::as_str`.
    pub purpose: String,
    /// Keyed digest of `request_id` and the code (`server_key::Keyed::OtpCode`).
    pub code_digest: String,
    pub created_at: DateTime<Utc>,
    pub person_id: Option<String>,
    /// What the code confirms, as JSON the caller wrote (read back as is).
    pub pending: Option<String>,
}

/// A stored one-time code request.
#[derive(Debug, Clone)]
pub struct StoredOtp {
    pub purpose: String,
    pub code_digest: String,
    pub created_at: DateTime<Utc>,
    pub wrong_attempts: u32,
    pub person_id: Option<String>,
    pub pending: Option<String>,
}

/// A session row about to be stored (digests only).
#[derive(Debug, Clone)]
pub struct NewSessionRow {
    pub id: String,
    pub family_id: String,
    pub person_id: String,
    pub access_digest: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_digest: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The device's label (`domain::device_label`), already checked; `None`: unknown.
    pub device: Option<String>,
}

/// A stored session row.
#[derive(Debug, Clone)]
pub struct StoredSession {
    pub id: String,
    pub family_id: String,
    pub person_id: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
    /// When a refresh rotated this session away (`None`: still current).
    pub rotated_at: Option<DateTime<Utc>>,
    /// The session that rotation made in its place.
    pub replaced_by: Option<String>,
    pub revoked: bool,
    /// The device's label, carried to each row a refresh makes.
    pub device: Option<String>,
}

/// One sign-in (session family) of a person, summed over its rows.
#[derive(Debug, Clone)]
pub struct StoredSessionFamily {
    pub family_id: String,
    pub device: Option<String>,
    /// The family's first row: the sign-in.
    pub signed_in_at: DateTime<Utc>,
    /// The family's newest row: the last sign-in or refresh.
    pub last_seen: DateTime<Utc>,
    /// The newest row's refresh expiry (each refresh pushes it later).
    pub refresh_expires_at: DateTime<Utc>,
    /// Whether the family was signed out (a revocation covers every row).
    pub revoked: bool,
}

impl StoredSession {
    pub fn rotated(&self) -> bool {
        self.rotated_at.is_some()
    }
}

/// An invitation about to be stored.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub id: String,
    pub unit_id: String,
    pub role: Role,
    pub code_digest: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored invitation.
#[derive(Debug, Clone)]
pub struct StoredInvite {
    pub id: String,
    pub unit_id: String,
    pub role: Role,
    pub state: StoredInviteState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The person who accepted it.
    pub accepted_by: Option<String>,
}

/// One change-log entry as stored: its record is JSON text, handed on unparsed.
#[derive(Debug, Clone)]
pub struct StoredChange {
    pub seq: i64,
    pub record_json: String,
}

/// A pushed mutation's recorded result.
#[derive(Debug, Clone)]
pub struct StoredMutation {
    pub person_id: String,
    pub outcome: MutationOutcome,
}

/// An upload in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUpload {
    pub id: String,
    pub person_id: String,
    pub size: u64,
    pub sha256: String,
    /// Bytes received so far.
    pub received: u64,
}

/// One answer of a person to a document, about to be stored.
#[derive(Debug, Clone)]
pub struct NewConsent<'a> {
    /// The mutation that carried it.
    pub id: &'a str,
    pub person_id: &'a str,
    pub kind: &'a str,
    pub version: &'a str,
    pub given: bool,
    pub at: DateTime<Utc>,
}

/// A privacy request as kept (`privacy/requests.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPrivacyRequest {
    pub id: String,
    pub person_id: String,
    pub kind: String,
    pub detail: Option<String>,
    pub status: String,
    pub filed_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub answer: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// An invoice staff issue, about to be stored (checked lines, their total).
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub id: String,
    pub unit_id: String,
    pub period: String,
    pub due: chrono::NaiveDate,
    pub lines: Vec<lobby_model::protocol::InvoiceLineRecord>,
    pub total: i64,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
}

/// A change of an invoice's payment state.
#[derive(Debug, Clone)]
pub struct InvoiceDecision<'a> {
    /// The states it may change from.
    pub from: &'a [&'a str],
    pub to: &'a str,
    pub received: Option<i64>,
    pub reject_reason: Option<&'a str>,
    /// A new slip (kept otherwise).
    pub slip_file_id: Option<&'a str>,
    /// Staff deciding (none when the resident sends a slip).
    pub by: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// An announcement staff post, about to be stored with its target units (none: the
/// whole project).
#[derive(Debug, Clone)]
pub struct NewAnnouncement {
    pub id: String,
    pub project_id: String,
    pub title: String,
    pub body: String,
    pub kind: &'static str,
    pub unit_ids: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub posted_by: String,
    pub posted_at: DateTime<Utc>,
}

/// A stored announcement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnnouncement {
    pub id: String,
    pub project_id: String,
    pub title: String,
    pub body: String,
    pub kind: String,
    /// Empty: the whole project.
    pub unit_ids: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub posted_at: DateTime<Utc>,
}

/// Someone opened an announcement in a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOpen {
    pub person_id: String,
    pub unit_id: String,
    pub at: DateTime<Utc>,
}

/// A parcel staff log, about to be stored (`status` starts `waiting`).
#[derive(Debug, Clone)]
pub struct NewParcel {
    pub id: String,
    pub unit_id: String,
    pub recipient: String,
    pub carrier: String,
    pub tracking: Option<String>,
    /// The staff credential that logged it.
    pub logged_by: String,
    pub logged_at: DateTime<Utc>,
}

/// A handover about to be stored.
#[derive(Debug, Clone)]
pub struct NewHandover {
    pub id: String,
    pub unit_id: String,
    /// `qr` or `signature`.
    pub method: &'static str,
    /// The pass holder (method `qr`).
    pub person_id: Option<String>,
    /// The collector's name.
    pub collected_by: String,
    pub staff_id: String,
    /// The pass used (method `qr`): its key and time step.
    pub key_id: Option<String>,
    pub pass_step: Option<i64>,
    /// The signature picture (method `signature`).
    pub signature_png: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
}

/// A device key about to be stored.
#[derive(Debug, Clone)]
pub struct NewDeviceKey {
    pub key_id: String,
    pub person_id: String,
    /// The session family (sign-in) that registered it.
    pub family_id: String,
    /// 64 hex digits.
    pub public_key: String,
    pub created_at: DateTime<Utc>,
}

/// A stored device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDeviceKey {
    pub key_id: String,
    pub person_id: String,
    pub family_id: String,
    pub public_key: String,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A file about to be stored (`protocol::FileRef` plus its bytes and its scope).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub id: String,
    /// The sync scope whose readers may download it.
    pub scope: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// The staff credential or person that stored it.
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A stored file's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFileMeta {
    pub id: String,
    pub scope: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}

/// What staff look parcels up by (each filter only when given).
#[derive(Debug, Clone, Copy, Default)]
pub struct ParcelSearch<'a> {
    pub project_id: Option<&'a str>,
    pub unit_id: Option<&'a str>,
    /// `waiting`, `picked_up` or `returned`.
    pub status: Option<&'a str>,
    /// Part of the recipient's name.
    pub recipient: Option<&'a str>,
}

/// A meeting about to be stored.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub id: String,
    pub project_id: String,
    pub title: String,
    /// `annual`, `extraordinary` or `committee`.
    pub kind: &'static str,
    pub reconvened: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// A stored meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeeting {
    pub id: String,
    pub project_id: String,
    pub title: String,
    pub kind: String,
    pub reconvened: bool,
    /// `draft`, `open` or `closed`.
    pub status: String,
}

/// An agenda item about to be stored (its position is the next one of its meeting).
#[derive(Debug, Clone)]
pub struct NewAgendaItem {
    pub id: String,
    pub meeting_id: String,
    pub title: String,
    pub resolution: &'static str,
}

/// A stored agenda item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAgendaItem {
    pub id: String,
    pub meeting_id: String,
    pub position: i64,
    pub title: String,
    pub resolution: String,
    /// `pending`, `open` or `closed`.
    pub status: String,
}

/// A closed item's published result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredItemResult {
    /// The tally's JSON.
    pub tally: String,
    pub passed: bool,
    pub chain_head: String,
}

/// How the rows of a table belong to a person (the declaration of personal data,
/// `privacy::personal_data`, names one per table; an engine turns it into its query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonLink {
    /// `column` holds the person's id.
    Column(&'static str),
    /// The row is about a unit (`unit`) the person was a member of, at a time (`at`)
    /// within that membership (from its start, to its end if it ended).
    UnitsDuring {
        unit: &'static str,
        at: &'static str,
    },
    /// The JSON document in `column` holds the person's id at `path` (the ballot log's
    /// `{"ballot": {"cast_by": …}}`).
    JsonField {
        column: &'static str,
        path: &'static [&'static str],
    },
    /// `column` names a row of `parent` (by its `parent_key`) whose `parent_column` holds
    /// the person's id (an upload's chunks).
    Through {
        column: &'static str,
        parent: &'static str,
        parent_key: &'static str,
        parent_column: &'static str,
    },
}

/// The rows of `table` that belong to `person_id` by `link`.
#[derive(Debug, Clone, Copy)]
pub struct PersonRows<'a> {
    pub table: &'static str,
    pub link: PersonLink,
    pub person_id: &'a str,
}

/// One stored value as read for an export or written by an erasure: what every engine can
/// say of a column without knowing its meaning (the declaration gives the meaning).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Text(String),
    /// Binary data, by its length (an export lists a signature image, never its bytes).
    Bytes(usize),
}
