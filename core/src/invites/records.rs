//! How a unit's invitations and members are kept on the owner's phone (tables in
//! `store/schema.rs`, migration 2). Both arrive in the unit's `owners:` scope.

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[
    SyncedTable {
        kind: EntityKind::Invite,
        table: "invites",
        columns: &[
            "unit_id",
            "role",
            "status",
            "created_at",
            "expires_at",
            "accepted_by",
        ],
        upsert: upsert_invite,
    },
    SyncedTable {
        kind: EntityKind::Member,
        table: "members",
        columns: &["unit_id", "person_id", "name", "role"],
        upsert: upsert_member,
    },
];

fn upsert_invite(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Invite(i) = r else {
        return Err(wrong_kind("invites"));
    };
    s.execute(params![
        i.id,
        scope,
        i.unit_id,
        i.role.as_str(),
        i.status.as_str(),
        i.created_at.to_rfc3339(),
        i.expires_at.to_rfc3339(),
        i.accepted_by
    ])
}

fn upsert_member(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Member(m) = r else {
        return Err(wrong_kind("members"));
    };
    s.execute(params![
        m.id,
        scope,
        m.unit_id,
        m.person_id,
        m.name,
        m.role.as_str()
    ])
}
