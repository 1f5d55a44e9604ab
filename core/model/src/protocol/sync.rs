//! The sync protocol's bodies (DESIGN.md §4): pull pages of the change log downstream,
//! push idempotent mutations upstream.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::*;

/// `scope` strings: `person:<id>`, `unit:<id>`, `project:<id>`, and `owners:<unit_id>`
/// (what only the unit's owners see: its invitations and members).
pub type Scope = String;

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct PullRequest {
    /// The schema epoch the client's replica was built under; `None` on first sync.
    #[serde(default)]
    pub epoch: Option<u32>,
    /// Per-scope cursor: the highest change sequence already applied for that scope.
    /// A scope the client has never seen is simply absent (it starts at 0), so a unit
    /// added later is back-filled from its beginning.
    #[serde(default)]
    pub cursors: BTreeMap<Scope, i64>,
    /// Page size wanted; the server caps it.
    #[serde(default)]
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
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeletedRecord {
    pub kind: EntityKind,
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub mutations: Vec<MutationEnvelope>,
}

/// A queued change from the phone. `id` (UUIDv7, made on the phone) is the idempotency
/// key: the server applies each id at most once and answers a repeat with the stored
/// result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MutationEnvelope {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
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
}

impl Mutation {
    pub fn kind(&self) -> &'static str {
        match self {
            Mutation::ProfileUpdate { .. } => "profile_update",
            Mutation::InviteCreate { .. } => "invite_create",
            Mutation::InviteRevoke { .. } => "invite_revoke",
            Mutation::MemberRemove { .. } => "member_remove",
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

    #[test]
    fn every_kind_has_its_wire_name() {
        for k in EntityKind::ALL {
            let json = serde_json::to_string(k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
    }
}
