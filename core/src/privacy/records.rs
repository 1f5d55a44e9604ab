//! How policies and consents are kept on the phone (`store/schema.rs`, migration 11).

use rusqlite::{params, CachedStatement};

use crate::protocol::{EntityKind, Record};
use crate::store::{wrong_kind, SyncedTable};

pub(super) const TABLES: &[SyncedTable] = &[
    SyncedTable {
        kind: EntityKind::Policy,
        table: "policies",
        columns: &["kind", "version", "published_at"],
        upsert: upsert_policy,
    },
    SyncedTable {
        kind: EntityKind::Consent,
        table: "consents",
        columns: &["kind", "version", "given", "at"],
        upsert: upsert_consent,
    },
    SyncedTable {
        kind: EntityKind::PrivacyRequest,
        table: "privacy_requests",
        columns: &[
            "kind",
            "detail",
            "status",
            "filed_at",
            "deadline",
            "answer",
            "decided_at",
        ],
        upsert: upsert_request,
    },
];

fn upsert_request(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::PrivacyRequest(p) = r else {
        return Err(wrong_kind("privacy_requests"));
    };
    s.execute(params![
        p.id,
        scope,
        p.kind,
        p.detail,
        p.status,
        p.filed_at,
        p.deadline,
        p.answer,
        p.decided_at
    ])
}

fn upsert_policy(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Policy(p) = r else {
        return Err(wrong_kind("policies"));
    };
    s.execute(params![p.id, scope, p.kind, p.version, p.published_at])
}

fn upsert_consent(s: &mut CachedStatement<'_>, scope: &str, r: &Record) -> rusqlite::Result<usize> {
    let Record::Consent(c) = r else {
        return Err(wrong_kind("consents"));
    };
    s.execute(params![c.id, scope, c.kind, c.version, c.given, c.at])
}
