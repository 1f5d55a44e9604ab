//! How meetings, agenda items, proxies and vote receipts are kept on the phone (tables in
//! `store/schema.rs`, migration 7). An item's published result is kept as its JSON.

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[
    SyncedTable {
        kind: EntityKind::Meeting,
        table: "meetings",
        columns: &["project_id", "title", "kind", "reconvened", "status"],
        upsert: upsert_meeting,
    },
    SyncedTable {
        kind: EntityKind::AgendaItem,
        table: "agenda_items",
        columns: &[
            "meeting_id",
            "position",
            "title",
            "resolution",
            "status",
            "result",
        ],
        upsert: upsert_item,
    },
    SyncedTable {
        kind: EntityKind::MeetingProxy,
        table: "meeting_proxies",
        columns: &["meeting_id", "project_id", "unit_id", "unit_number"],
        upsert: upsert_proxy,
    },
    SyncedTable {
        kind: EntityKind::VoteReceipt,
        table: "vote_receipts",
        columns: &[
            "meeting_id",
            "item_id",
            "unit_id",
            "choice",
            "seq",
            "proxy",
            "cast_at",
            "mutation_id",
        ],
        upsert: upsert_receipt,
    },
];

fn upsert_meeting(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Meeting(m) = r else {
        return Err(wrong_kind("meetings"));
    };
    s.execute(params![
        m.id,
        scope,
        m.project_id,
        m.title,
        m.kind,
        m.reconvened,
        m.status
    ])
}

fn upsert_item(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::AgendaItem(i) = r else {
        return Err(wrong_kind("agenda_items"));
    };
    let result = match &i.result {
        Some(r) => Some(
            serde_json::to_string(r)
                .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
        ),
        None => None,
    };
    s.execute(params![
        i.id,
        scope,
        i.meeting_id,
        i.position,
        i.title,
        i.resolution,
        i.status,
        result
    ])
}

fn upsert_proxy(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::MeetingProxy(p) = r else {
        return Err(wrong_kind("meeting_proxies"));
    };
    s.execute(params![
        p.id,
        scope,
        p.meeting_id,
        p.project_id,
        p.unit_id,
        p.unit_number
    ])
}

fn upsert_receipt(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::VoteReceipt(v) = r else {
        return Err(wrong_kind("vote_receipts"));
    };
    s.execute(params![
        v.id,
        scope,
        v.meeting_id,
        v.item_id,
        v.unit_id,
        v.choice,
        i64::try_from(v.seq).unwrap_or(i64::MAX),
        v.proxy,
        v.cast_at,
        v.mutation_id
    ])
}
