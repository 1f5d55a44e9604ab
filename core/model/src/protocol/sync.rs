//! The sync protocol's bodies (DESIGN.md §4): pull pages of the change log downstream,
//! push idempotent mutations upstream.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::*;
use crate::protocol::strict;

/// `scope` strings: `person:<id>`, `unit:<id>`, `project:<id>`, and `owners:<unit_id>`
/// (what only the unit's owners see: its invitations and members).
pub type Scope = String;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PullRequest {
    /// The schema epoch the client's replica was built under; `None` on first sync.
    #[serde(default, deserialize_with = "strict::opt_int32")]
    #[schema(maximum = 2147483647)]
    pub epoch: Option<u32>,
    /// Per-scope cursor: the highest change sequence already applied for that scope.
    /// A scope the client has never seen is simply absent (it starts at 0), so a unit
    /// added later is back-filled from its beginning.
    #[serde(default, deserialize_with = "strict::int64_map")]
    pub cursors: BTreeMap<Scope, i64>,
    /// Page size wanted; the server caps it (a value beyond `int32` is refused).
    #[serde(default, deserialize_with = "strict::opt_int32")]
    #[schema(maximum = 2147483647)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub epoch: u32,
    /// The client must drop its synced tables and cursors and pull again from nothing
    /// (cursor older than retention, or a new schema epoch). Its outbox stays.
    pub reset: bool,
    /// In ascending `seq` order.
    pub changes: Vec<Change>,
    /// The cursor of every scope the person may see now, after this page.
    pub cursors: BTreeMap<Scope, i64>,
    /// Scopes the client asked about that the person may no longer see: purge them.
    pub removed_scopes: Vec<Scope>,
    pub has_more: bool,
}

/// One entry of the server's change log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub scope: Scope,
    pub record: Record,
}

/// Declares the record kinds of the change log once: the [`Record`] enum (plus
/// `Deleted`), the matching [`EntityKind`], and `Record::kind` / `Record::id`. Every
/// record type has an `id: String`. Adding a kind is one line in the invocation below.
macro_rules! record_kinds {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $name:literal ),+ $(,)?) => {
        /// The state of one entity after a change (externally tagged: `{"unit": {...}}`).
        #[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
        #[serde(rename_all = "snake_case")]
        pub enum Record {
            $( $(#[$doc])* $variant($ty), )+
            /// The entity is gone (or the person may no longer see it).
            Deleted(DeletedRecord),
        }

        #[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, Hash)]
        #[serde(rename_all = "snake_case")]
        pub enum EntityKind {
            $( $variant, )+
        }

        impl EntityKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [EntityKind] = &[$( EntityKind::$variant, )+];

            /// The wire name (`"unit"`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $( EntityKind::$variant => $name, )+
                }
            }
        }

        impl Record {
            /// The kind of the record; for a deletion, the kind deleted.
            pub fn kind(&self) -> EntityKind {
                match self {
                    $( Record::$variant(_) => EntityKind::$variant, )+
                    Record::Deleted(d) => d.kind,
                }
            }

            /// The id of the entity.
            pub fn id(&self) -> &str {
                match self {
                    $( Record::$variant(r) => &r.id, )+
                    Record::Deleted(d) => &d.id,
                }
            }
        }
    };
}

record_kinds! {
    Project(ProjectRecord) = "project",
    Unit(UnitRecord) = "unit",
    Membership(MembershipRecord) = "membership",
    Profile(ProfileRecord) = "profile",
    Parcel(ParcelRecord) = "parcel",
    Invite(InviteRecord) = "invite",
    Member(MemberRecord) = "member",
    Meeting(MeetingRecord) = "meeting",
    AgendaItem(AgendaItemRecord) = "agenda_item",
    MeetingProxy(MeetingProxyRecord) = "meeting_proxy",
    VoteReceipt(VoteReceiptRecord) = "vote_receipt",
    Announcement(AnnouncementRecord) = "announcement",
    Invoice(InvoiceRecord) = "invoice",
    Policy(PolicyRecord) = "policy",
    Consent(ConsentRecord) = "consent",
    PrivacyRequest(PrivacyRequestRecord) = "privacy_request",
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeletedRecord {
    pub kind: EntityKind,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    /// At most 500.
    #[serde(deserialize_with = "strict::objects")]
    #[schema(max_items = 500)]
    pub mutations: Vec<MutationEnvelope>,
}

/// A queued change from the phone. `id` (UUIDv7, made on the phone) is the idempotency
/// key: the server applies each id at most once and answers a repeat with the stored
/// result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MutationEnvelope {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// Only the object form `{"<kind>": {...}}`.
    #[serde(deserialize_with = "strict::tagged_object")]
    pub mutation: Mutation,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Mutation {
    /// Edit the person's own contact fields. `None` leaves a field unchanged.
    ProfileUpdate {
        #[serde(default)]
        display_name: Option<String>,
        #[serde(default)]
        email: Option<String>,
    },
    /// An owner invites someone into `unit_id`. `invite_id` is made on the phone (so the
    /// phone can show and revoke it before the server confirms); `code` is the 10
    /// characters the phone generated. Refused with `invite_cap_reached` when the unit
    /// already has 5 residents, tenants and pending codes; `forbidden` unless the sender
    /// owns the unit.
    InviteCreate {
        invite_id: Uuid,
        unit_id: String,
        role: Role,
        code: String,
    },
    /// The owner revokes a pending code (revoking one already used or revoked is
    /// `applied` with no effect, so a retry is harmless).
    InviteRevoke { invite_id: Uuid },
    /// The owner ends a resident's or tenant's membership (`membership_id` from a
    /// [`MemberRecord`]); the removed person's phone purges the unit on its next sync.
    MemberRemove { membership_id: String },
    /// A vote for `unit_id` on an open agenda item (`approve`, `disapprove` or `abstain`),
    /// by the unit's owner or its registered proxy; a later vote replaces it until the
    /// item closes. `voting_closed` when it arrives after the item closed (by the
    /// server's clock), `not_eligible` for anyone else or a unit in arrears.
    Vote {
        item_id: String,
        unit_id: String,
        choice: String,
    },
    /// The phone registers the public half of the key pair it made at sign-in
    /// (`domain::device_key`): `public_key` is 64 hex digits. The server binds it to the
    /// pushing session's sign-in, revokes that sign-in's earlier key, and revokes this
    /// one when the sign-in ends.
    DeviceKeyRegister {
        key_id: Uuid,
        /// 64 hex digits (anything else is answered `rejected{invalid_input}`, like every
        /// rule a mutation breaks).
        public_key: String,
    },
    /// The person pays `invoice_id` with the slip photo uploaded as `upload_id`
    /// (`PUT /v1/uploads/{id}`, `size` bytes with SHA-256 `sha256`). The invoice becomes
    /// `slip_submitted`; `not_found` for an invoice of a unit the person is not a member
    /// of, `conflict` for one already paid, `invalid_input` for an upload missing,
    /// incomplete, not matching its digest or not a photo.
    InvoicePay {
        invoice_id: String,
        upload_id: Uuid,
        /// Bytes (a slip has at most 2 MiB: larger is answered `rejected`, like every
        /// rule a mutation breaks).
        #[serde(deserialize_with = "strict::int32")]
        #[schema(minimum = 0, maximum = 2147483647)]
        size: u32,
        sha256: String,
    },
    /// The person opened an announcement in `unit_id` (for an acknowledge kind: they
    /// acknowledge it). `not_found` when it is not addressed to that unit or the person
    /// is not a member of it; again: applied, no change.
    AnnouncementOpen {
        announcement_id: String,
        unit_id: String,
    },
    /// The person agrees to (`given`) or withdraws from `version` of a document: `kind`
    /// is `terms`, `privacy` or `marketing` (`domain::consent`). An agreement is to the
    /// version in force only (`conflict` otherwise, `not_found` when none is published);
    /// every answer is recorded, a withdrawal included.
    ConsentSet(ConsentAnswer),
    /// The person files a privacy request (`domain::privacy_request`): `kind` is
    /// `erasure`, `correction` or `objection`; `request_id` is made on the phone. The
    /// office must answer within 30 days. An erasure request is taken only from a
    /// sign-in of the last 10 minutes (`reauth_required` otherwise); a correction says
    /// what is wrong (`invalid_input` without).
    PrivacyRequestFile {
        request_id: Uuid,
        kind: String,
        #[serde(default)]
        detail: Option<String>,
    },
}

/// The bytes a mutation refers to, uploaded before it is pushed (`PUT /v1/uploads/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRef<'a> {
    pub upload_id: Uuid,
    pub size: u64,
    pub sha256: &'a str,
}

impl Mutation {
    /// The upload this mutation needs on the server first, if any.
    pub fn upload(&self) -> Option<UploadRef<'_>> {
        match self {
            Mutation::InvoicePay {
                upload_id,
                size,
                sha256,
                ..
            } => Some(UploadRef {
                upload_id: *upload_id,
                size: u64::from(*size),
                sha256,
            }),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::ProfileUpdate { .. } => "profile_update",
            Mutation::InviteCreate { .. } => "invite_create",
            Mutation::InviteRevoke { .. } => "invite_revoke",
            Mutation::MemberRemove { .. } => "member_remove",
            Mutation::DeviceKeyRegister { .. } => "device_key_register",
            Mutation::Vote { .. } => "vote",
            Mutation::AnnouncementOpen { .. } => "announcement_open",
            Mutation::InvoicePay { .. } => "invoice_pay",
            Mutation::ConsentSet { .. } => "consent_set",
            Mutation::PrivacyRequestFile { .. } => "privacy_request_file",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// One per mutation, same order.
    pub results: Vec<MutationResult>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MutationResult {
    pub id: Uuid,
    pub outcome: MutationOutcome,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MutationOutcome {
    Applied,
    Rejected { code: String, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(mutation: serde_json::Value) -> serde_json::Result<MutationEnvelope> {
        serde_json::from_value(serde_json::json!({
            "id": "0190f5e4-7a3b-7c00-8000-000000000001",
            "created_at": "2026-01-01T00:00:00Z",
            "mutation": mutation,
        }))
    }

    #[test]
    fn a_mutation_is_taken_in_its_object_form_only() {
        let m = envelope(serde_json::json!({"profile_update": {"display_name": "A"}})).unwrap();
        assert_eq!(m.mutation.kind(), "profile_update");
        for bad in [
            serde_json::json!({"profile_update": [null, null]}),
            serde_json::json!({"invite_revoke": ["0190f5e4-7a3b-7c00-8000-000000000001"]}),
            serde_json::json!({"member_remove": ["m1"]}),
            serde_json::json!({"profile_update": {}, "member_remove": {"membership_id": "m"}}),
            serde_json::json!("profile_update"),
            serde_json::json!([{"profile_update": {}}]),
        ] {
            assert!(envelope(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_mutation_envelope_is_taken_in_its_object_form_only() {
        let array = serde_json::json!({"mutations": [[
            "0190f5e4-7a3b-7c00-8000-000000000001",
            "2026-01-01T00:00:00Z",
            {"profile_update": {}},
        ]]});
        assert!(serde_json::from_value::<PushRequest>(array).is_err());
        let object = serde_json::json!({"mutations": [{
            "id": "0190f5e4-7a3b-7c00-8000-000000000001",
            "created_at": "2026-01-01T00:00:00Z",
            "mutation": {"profile_update": {}},
        }]});
        assert_eq!(
            serde_json::from_value::<PushRequest>(object)
                .unwrap()
                .mutations
                .len(),
            1
        );
    }

    #[test]
    fn pull_numbers_are_json_schema_integers_within_their_formats() {
        let req: PullRequest = serde_json::from_str(
            r#"{"epoch": 3.0, "limit": 2147483647, "cursors": {"unit:a": -4866.0, "unit:b": 7}}"#,
        )
        .unwrap();
        assert_eq!(req.epoch, Some(3));
        assert_eq!(req.limit, Some(2_147_483_647));
        assert_eq!(req.cursors["unit:a"], -4866);
        assert_eq!(req.cursors["unit:b"], 7);
        let req: PullRequest =
            serde_json::from_str(r#"{"cursors": {"unit:a": -9223372036854775808}}"#).unwrap();
        assert_eq!(req.cursors["unit:a"], i64::MIN);
        let req: PullRequest = serde_json::from_str(r#"{"epoch": null}"#).unwrap();
        assert_eq!((req.epoch, req.limit), (None, None));
        for bad in [
            r#"{"limit": 2147483648}"#,
            r#"{"limit": 4294967295}"#,
            r#"{"limit": -1}"#,
            r#"{"limit": 2.5}"#,
            r#"{"epoch": 2147483648}"#,
            r#"{"cursors": {"unit:a": 1.5}}"#,
            r#"{"cursors": {"unit:a": 9223372036854775808}}"#,
            r#"{"cursors": {"unit:a": -9223372036854775809}}"#,
            r#"{"cursors": {"unit:a": 1e300}}"#,
        ] {
            assert!(serde_json::from_str::<PullRequest>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_kind_has_its_wire_name() {
        for k in EntityKind::ALL {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }
}
