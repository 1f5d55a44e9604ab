//! How projects, units and memberships are kept on the phone (tables in `store/schema.rs`,
//! migration 1).

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[
    SyncedTable {
        kind: EntityKind::Project,
        table: "projects",
        columns: &["name", "kind"],
        upsert: upsert_project,
    },
    SyncedTable {
        kind: EntityKind::Unit,
        table: "units",
        columns: &["project_id", "number", "ratio_micros", "arrears_months"],
        upsert: upsert_unit,
    },
    SyncedTable {
        kind: EntityKind::Membership,
        table: "memberships",
        columns: &["unit_id", "project_id", "role"],
        upsert: upsert_membership,
    },
];

fn upsert_project(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Project(p) = r else {
        return Err(wrong_kind("projects"));
    };
    s.execute(params![p.id, scope, p.name, p.kind.as_str()])
}

fn upsert_unit(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Unit(u) = r else {
        return Err(wrong_kind("units"));
    };
    s.execute(params![
        u.id,
        scope,
        u.project_id,
        u.number,
        u.ownership_ratio.micros(),
        u.arrears_months
    ])
}

fn upsert_membership(
    s: &mut CachedStatement<'_>,
    scope: &str,
    r: &Record,
) -> rusqlite::Result<usize> {
    let Record::Membership(m) = r else {
        return Err(wrong_kind("memberships"));
    };
    s.execute(params![
        m.id,
        scope,
        m.unit_id,
        m.project_id,
        m.role.as_str()
    ])
}
