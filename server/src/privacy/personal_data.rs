//! Where the server holds personal data: **one declaration** ([`HOLDINGS`]) that the
//! export (`export.rs`), the erasure (`erasure.rs`) and the export's documented schema
//! (`docs/export.md`, [`schema_markdown`]) are all derived from.
//!
//! Each [`Holding`] says how a table's rows belong to a person ([`PersonLink`]), which
//! columns the person gets in an export (under which section), and what an erasure does
//! to those rows ([`Erase`]) and why. Every table of the schema is either a holding, the
//! change log ([`CHANGE_LOG`], whose copies of records are redacted by what they say), or
//! listed in [`NOT_PERSONAL`] with the reason; a test fails on any table that is none of
//! these, so a table added later cannot be forgotten by the export or the erasure.
//!
//! Person ids are random and name nobody once the profile row no longer does
//! (`domain::erasure`); that is why records the law keeps (the ballot log, financial
//! records) are kept with their ids.

use crate::storage::PersonLink;

/// How a column's stored value is written in an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// Stored as Unix milliseconds; exported as RFC 3339 (UTC).
    Time,
    /// Stored as 0 or 1.
    Bool,
    /// A stored JSON document, exported as JSON.
    Json,
    /// Binary data, exported as `{"bytes": n}` (its length only).
    Bytes,
}

impl Kind {
    fn doc(self) -> &'static str {
        match self {
            Kind::Text => "string",
            Kind::Int => "integer",
            Kind::Time => "RFC 3339 time (UTC)",
            Kind::Bool => "boolean",
            Kind::Json => "JSON",
            Kind::Bytes => "`{\"bytes\": n}`",
        }
    }
}

/// One exported column.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub column: &'static str,
    pub kind: Kind,
    pub about: &'static str,
}

const fn f(column: &'static str, kind: Kind, about: &'static str) -> Field {
    Field {
        column,
        kind,
        about,
    }
}

/// What an erasure writes over a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blank {
    Null,
    /// `domain::erasure::ERASED` (for columns that may not be empty).
    Erased,
    /// The time of the erasure.
    Now,
}

/// What an erasure does to a holding's rows.
#[derive(Debug, Clone, Copy)]
pub enum Erase {
    Delete,
    Set(&'static [(&'static str, Blank)]),
    /// These text columns are replaced by `ERASED` where they name the person (text typed
    /// by staff: a parcel's recipient).
    RedactNames(&'static [&'static str]),
    /// Kept as it is: it holds ids only.
    Keep,
}

/// A table's rows that belong to a person.
#[derive(Debug, Clone, Copy)]
pub struct Holding {
    pub table: &'static str,
    pub link: PersonLink,
    /// A column that orders the rows (and finds one row, for [`Erase::RedactNames`]).
    pub key: &'static str,
    /// The export's section, or `None` when the rows are not exported (`why` says).
    pub section: Option<&'static str>,
    pub about: &'static str,
    pub fields: &'static [Field],
    pub erase: Erase,
    /// Why the erasure does what it does (and why a section is missing, if it is).
    pub why: &'static str,
}

/// The change log: its entries are copies of records; an erasure replaces, in every
/// entry, each string that names the person, and logs the redacted record again where
/// it is the latest (so replicas that already hold it are corrected).
pub const CHANGE_LOG: &str = "changes";

/// Tables that hold nothing about a resident, and why.
pub const NOT_PERSONAL: &[(&str, &str)] = &[
    ("meta", "the server's own settings"),
    ("sqlite_sequence", "SQLite's counters"),
    ("staff", "staff credentials: the office's, not a resident's"),
    ("projects", "the condominium or estate"),
    ("announcements", "what the office posted"),
    ("announcement_units", "which units a post is for"),
    ("announcement_files", "a post's attachment"),
    ("meetings", "the meeting the office called"),
    ("agenda_items", "its agenda"),
    ("meeting_attendance", "units present, not people"),
    ("item_results", "tallies of weights"),
    (
        "invoice_lines",
        "an invoice's lines (the invoice is exported)",
    ),
    ("policies", "the documents in force"),
    (
        "invite_guess_failures",
        "keyed digests of guessers' addresses: no way back, gone after their window",
    ),
    (
        "otp_sends",
        "keyed digests of destinations: no way back, gone after their window",
    ),
];

const INVITE_FIELDS: &[Field] = &[
    f("id", Kind::Text, "the invitation"),
    f("unit_id", Kind::Text, "its unit"),
    f("role", Kind::Text, "`resident` or `tenant`"),
    f("status", Kind::Text, "`pending`, `accepted`, `revoked`"),
    f("created_at", Kind::Time, "made"),
    f("expires_at", Kind::Time, "valid until"),
    f("accepted_by", Kind::Text, "the person who accepted it"),
    f("accepted_at", Kind::Time, "accepted"),
    f("revoked_at", Kind::Time, "revoked"),
];

/// The units a person owns: exported, and what an erasure is refused for.
pub const UNITS_OWNED: Holding = Holding {
    table: "units",
    link: PersonLink::Column("owner_person_id"),
    key: "id",
    section: Some("units_owned"),
    about: "Units the person owns in the owner registry.",
    fields: &[
        f("id", Kind::Text, "the unit"),
        f("project_id", Kind::Text, "its project"),
        f("number", Kind::Text, "its number"),
        f("ratio_micros", Kind::Int, "ownership ratio, in millionths"),
        f("created_at", Kind::Time, "registered"),
    ],
    erase: Erase::Keep,
    why: "an owner is not erased (`still_owns_unit`): the office transfers ownership first",
};

const IDS_ONLY: &str = "ids only: they name nobody once the profile is erased";

/// Every table row that belongs to a person, in the order an erasure visits them (rows
/// linked through another table before that table).
pub const HOLDINGS: &[Holding] = &[
    Holding {
        table: "people",
        link: PersonLink::Column("id"),
        key: "id",
        section: Some("profile"),
        about: "The account: names, contact, when it was activated.",
        fields: &[
            f("id", Kind::Text, "the person's id"),
            f("legal_name", Kind::Text, "name as in the owner registry"),
            f("display_name", Kind::Text, "name shown to neighbours"),
            f("phone", Kind::Text, "E.164 (`+66…`)"),
            f("email", Kind::Text, "login e-mail"),
            f("activated_at", Kind::Time, "first sign-in"),
            f("created_at", Kind::Time, "registered"),
            f("erased_at", Kind::Time, "when erased"),
        ],
        erase: Erase::Set(&[
            ("legal_name", Blank::Erased),
            ("display_name", Blank::Erased),
            ("phone", Blank::Null),
            ("email", Blank::Null),
            ("password_hash", Blank::Null),
            ("erased_at", Blank::Now),
        ]),
        why: "names and contact go; the row stays so that the ids elsewhere stay consistent",
    },
    Holding {
        table: "memberships",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: Some("memberships"),
        about: "Units the person belongs or belonged to, and as what.",
        fields: &[
            f("id", Kind::Text, "the membership"),
            f("unit_id", Kind::Text, "the unit"),
            f("role", Kind::Text, "`owner`, `resident` or `tenant`"),
            f("created_at", Kind::Time, "joined"),
            f("ended_at", Kind::Time, "left"),
        ],
        erase: Erase::Keep,
        why: "the erasure ends active ones first; who lived where and when is the unit's history (meetings' eligibility rests on it), with ids only",
    },
    UNITS_OWNED,
    Holding {
        table: "onboarding_tokens",
        link: PersonLink::Column("used_by"),
        key: "id",
        section: Some("onboarding"),
        about: "The onboarding QR the person used.",
        fields: &[
            f("id", Kind::Text, "the token"),
            f("unit_id", Kind::Text, "its unit"),
            f("created_at", Kind::Time, "issued"),
            f("used_at", Kind::Time, "used"),
        ],
        erase: Erase::Keep,
        why: IDS_ONLY,
    },
    Holding {
        table: "invites",
        link: PersonLink::Column("created_by"),
        key: "created_at",
        section: Some("invitations_made"),
        about: "Invitation codes the person made (codes themselves are kept as digests only).",
        fields: INVITE_FIELDS,
        erase: Erase::Keep,
        why: IDS_ONLY,
    },
    Holding {
        table: "invites",
        link: PersonLink::Column("accepted_by"),
        key: "created_at",
        section: Some("invitations_accepted"),
        about: "Invitations the person accepted.",
        fields: INVITE_FIELDS,
        erase: Erase::Keep,
        why: IDS_ONLY,
    },
    Holding {
        table: "parcels",
        link: PersonLink::UnitsDuring {
            unit: "unit_id",
            at: "logged_at",
        },
        key: "id",
        section: Some("parcels"),
        about: "Parcels logged for the person's units while they were a member.",
        fields: &[
            f("id", Kind::Text, "the parcel"),
            f("unit_id", Kind::Text, "its unit"),
            f("recipient", Kind::Text, "as written on it"),
            f("carrier", Kind::Text, "delivered by"),
            f("tracking", Kind::Text, "tracking number"),
            f("status", Kind::Text, "`waiting`, `picked_up` or `returned`"),
            f("logged_at", Kind::Time, "arrived"),
            f("picked_up_at", Kind::Time, "collected"),
            f("returned_at", Kind::Time, "returned to the sender"),
        ],
        erase: Erase::RedactNames(&["recipient"]),
        why: "the unit's parcel history stays for its other residents; a recipient naming the person does not",
    },
    Holding {
        table: "parcel_handovers",
        link: PersonLink::Column("person_id"),
        key: "id",
        section: Some("parcel_handovers"),
        about: "Parcels the person collected, and how.",
        fields: &[
            f("id", Kind::Text, "the handover"),
            f("unit_id", Kind::Text, "the unit"),
            f("method", Kind::Text, "`pickup_pass` or `signature`"),
            f("collected_by", Kind::Text, "who collected"),
            f("signature_png", Kind::Bytes, "a signature drawn at the counter"),
            f("created_at", Kind::Time, "when"),
        ],
        erase: Erase::Set(&[
            ("collected_by", Blank::Erased),
            ("signature_png", Blank::Null),
        ]),
        why: "custody evidence stays (which unit's parcel left when, by which method); the name and signature go",
    },
    Holding {
        table: "announcement_opens",
        link: PersonLink::Column("person_id"),
        key: "opened_at",
        section: Some("announcements_read"),
        about: "Announcements the person opened or acknowledged.",
        fields: &[
            f("announcement_id", Kind::Text, "the announcement"),
            f("unit_id", Kind::Text, "as a member of which unit"),
            f("opened_at", Kind::Time, "when"),
        ],
        erase: Erase::Delete,
        why: "reading is nobody else's business once the person is gone",
    },
    Holding {
        table: "invoices",
        link: PersonLink::UnitsDuring {
            unit: "unit_id",
            at: "issued_at",
        },
        key: "issued_at",
        section: Some("invoices"),
        about: "Invoices of the person's units issued while they were a member.",
        fields: &[
            f("id", Kind::Text, "the invoice"),
            f("unit_id", Kind::Text, "its unit"),
            f("period", Kind::Text, "`YYYY-MM`"),
            f("due", Kind::Text, "`YYYY-MM-DD`"),
            f("total", Kind::Int, "satang"),
            f("state", Kind::Text, "`unpaid`, `slip_submitted`, `paid`, `rejected`"),
            f("received", Kind::Int, "satang confirmed by staff"),
            f("reject_reason", Kind::Text, "why a slip was rejected"),
            f("slip_file_id", Kind::Text, "the slip (see `files_uploaded`)"),
            f("issued_at", Kind::Time, "issued"),
            f("decided_at", Kind::Time, "slip confirmed or rejected"),
        ],
        erase: Erase::Keep,
        why: "financial records are kept 7 years (Accounting Act B.E. 2543); they name units, not people",
    },
    Holding {
        table: "files",
        link: PersonLink::Column("created_by"),
        key: "created_at",
        section: Some("files_uploaded"),
        about: "Files the person sent (payment slips); the bytes are at `GET /v1/files/{id}`.",
        fields: &[
            f("id", Kind::Text, "the file"),
            f("content_type", Kind::Text, "its type"),
            f("size", Kind::Int, "bytes"),
            f("sha256", Kind::Text, "digest of the bytes"),
            f("created_at", Kind::Time, "sent"),
        ],
        erase: Erase::Keep,
        why: "payment slips are financial evidence, kept 7 years with the invoice",
    },
    Holding {
        table: "upload_chunks",
        link: PersonLink::Through {
            column: "upload_id",
            parent: "uploads",
            parent_key: "id",
            parent_column: "person_id",
        },
        key: "offset",
        section: None,
        about: "The bytes of an upload not finished yet.",
        fields: &[],
        erase: Erase::Delete,
        why: "not exported: the upload itself is listed in `uploads_in_progress`",
    },
    Holding {
        table: "uploads",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: Some("uploads_in_progress"),
        about: "Slips being sent, not finished.",
        fields: &[
            f("id", Kind::Text, "the upload"),
            f("size", Kind::Int, "bytes expected"),
            f("created_at", Kind::Time, "started"),
        ],
        erase: Erase::Delete,
        why: "an unfinished upload is nobody's record",
    },
    Holding {
        table: "ballot_log",
        link: PersonLink::JsonField {
            column: "entry",
            path: &["ballot", "cast_by"],
        },
        key: "seq",
        section: Some("votes"),
        about: "Votes the person cast, as ballot-log entries: `seq` and `hash` are the receipt.",
        fields: &[
            f("meeting_id", Kind::Text, "the meeting"),
            f("seq", Kind::Int, "place in the meeting's ballot log"),
            f("entry", Kind::Json, "`{\"ballot\": {item_id, unit_id, choice, weight, cast_by, proxy, at}}`"),
            f("hash", Kind::Text, "the entry's hash (the receipt)"),
        ],
        erase: Erase::Keep,
        why: "the ballot log is hash-chained and verified by every owner; it keeps ids only",
    },
    Holding {
        table: "meeting_proxies",
        link: PersonLink::Column("holder_person_id"),
        key: "created_at",
        section: Some("proxies_held"),
        about: "Units the person held a proxy for.",
        fields: &[
            f("meeting_id", Kind::Text, "the meeting"),
            f("unit_id", Kind::Text, "the unit"),
            f("created_at", Kind::Time, "recorded"),
        ],
        erase: Erase::Keep,
        why: "the meeting's record of who voted for whom (s.47); ids only",
    },
    Holding {
        table: "meeting_units",
        link: PersonLink::Column("proxy_holder"),
        key: "meeting_id",
        section: None,
        about: "A meeting's frozen eligibility naming the proxy holder.",
        fields: &[],
        erase: Erase::Keep,
        why: "not exported: the same as `proxies_held` and the ballot log's first entry; ids only",
    },
    Holding {
        table: "project_roles",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: Some("project_roles"),
        about: "Roles that bar the person from holding proxies (board, manager, staff).",
        fields: &[
            f("project_id", Kind::Text, "the project"),
            f("role", Kind::Text, "the role"),
            f("created_at", Kind::Time, "recorded"),
        ],
        erase: Erase::Keep,
        why: IDS_ONLY,
    },
    Holding {
        table: "consent_events",
        link: PersonLink::Column("person_id"),
        key: "at",
        section: Some("consents"),
        about: "Every answer the person gave to the terms, privacy policy and marketing notice.",
        fields: &[
            f("kind", Kind::Text, "`terms`, `privacy` or `marketing`"),
            f("version", Kind::Text, "the document's version"),
            f("given", Kind::Bool, "agreed (`false`: withdrawn)"),
            f("at", Kind::Time, "when"),
        ],
        erase: Erase::Keep,
        why: "the record of consent is what the controller must be able to show; ids only",
    },
    Holding {
        table: "privacy_requests",
        link: PersonLink::Column("person_id"),
        key: "filed_at",
        section: Some("privacy_requests"),
        about: "Erasure, correction and objection requests, with deadline and answer.",
        fields: &[
            f("id", Kind::Text, "the request"),
            f("kind", Kind::Text, "`erasure`, `correction` or `objection`"),
            f("detail", Kind::Text, "what the person wrote"),
            f("status", Kind::Text, "`open`, `approved` or `rejected`"),
            f("filed_at", Kind::Time, "filed"),
            f("deadline", Kind::Time, "the office answers by"),
            f("answer", Kind::Text, "the office's answer"),
            f("decided_at", Kind::Time, "answered"),
        ],
        erase: Erase::Set(&[("detail", Blank::Null)]),
        why: "the request and its answer are the proof that the erasure was done; what the person wrote goes",
    },
    Holding {
        table: "sessions",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: Some("sessions"),
        about: "Sign-ins: each refresh is a row of its family (one device's sign-in).",
        fields: &[
            f("id", Kind::Text, "the session"),
            f("family_id", Kind::Text, "the sign-in it belongs to"),
            f("device", Kind::Text, "the label the device gave itself"),
            f("created_at", Kind::Time, "started"),
            f("rotated_at", Kind::Time, "replaced by a refresh"),
            f("revoked_at", Kind::Time, "signed out"),
            f("refresh_expires_at", Kind::Time, "ends at the latest"),
        ],
        erase: Erase::Set(&[("device", Blank::Null)]),
        why: "revoked by the erasure (the phones wipe at their next contact); the device's label goes (it may carry a name); token digests and ids stay until retention removes them",
    },
    Holding {
        table: "device_keys",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: Some("device_keys"),
        about: "Public keys of the person's phones (they sign pickup passes).",
        fields: &[
            f("key_id", Kind::Text, "the key"),
            f("family_id", Kind::Text, "the sign-in it belongs to"),
            f("created_at", Kind::Time, "registered"),
            f("revoked_at", Kind::Time, "revoked"),
        ],
        erase: Erase::Keep,
        why: "revoked by the erasure; public keys verify past handovers (custody evidence)",
    },
    Holding {
        table: "mutations",
        link: PersonLink::Column("person_id"),
        key: "applied_at",
        section: Some("actions"),
        about: "Changes the person's phones sent (invitations, votes, consents, …).",
        fields: &[
            f("id", Kind::Text, "the change's id"),
            f("kind", Kind::Text, "what it was"),
            f("applied_at", Kind::Time, "when the server took it"),
        ],
        erase: Erase::Delete,
        why: "kept only so that a resent change is not applied twice; a signed-out person resends nothing",
    },
    Holding {
        table: "otp_requests",
        link: PersonLink::Column("person_id"),
        key: "created_at",
        section: None,
        about: "One-time codes in flight.",
        fields: &[],
        erase: Erase::Delete,
        why: "not exported: digests of codes that live 5 minutes",
    },
    Holding {
        table: "audit_log",
        link: PersonLink::Column("subject"),
        key: "seq",
        section: None,
        about: "Staff actions about the person (who, what, when).",
        fields: &[],
        erase: Erase::Keep,
        why: "not exported: the office's security log (append-only, hash-chained); ids only",
    },
];

/// The export's documented schema (`docs/export.md`), from [`HOLDINGS`].
pub fn schema_markdown() -> String {
    let mut md = String::from(
        "# The personal data export (`lobby-export/1`)\n\n\
         Generated from `server/src/privacy/personal_data.rs` (`HOLDINGS`); a test keeps \
         this file equal to it (`UPDATE_EXPORT_SCHEMA=1 cargo test -p lobby-server --lib \
         export_schema` rewrites it).\n\n\
         `lobby export --out FILE.json` writes one JSON document:\n\n\
         ```json\n\
         {\"format\": \"lobby-export/1\", \"generated_at\": \"…\", \"person_id\": \"…\",\n \
         \"server\": {\"<section>\": [{…}, …], …},\n \
         \"device\": {\"<table>\": [{…}, …], …}}\n\
         ```\n\n\
         `server` is what the server holds (`GET /v1/me/export`, which needs a sign-in from \
         the last 10 minutes: `reauth_required` otherwise). Each section is a list of \
         objects with the fields below; a missing value is `null`. `device` is what only \
         this phone holds: each of its local tables that is not a copy of server data \
         (queued changes, settings, optimistic effects), row by row, binary columns as \
         `{\"bytes\": n}`.\n\n\
         What an erasure does to each is in the last line of each section.\n",
    );
    for h in HOLDINGS {
        let Some(section) = h.section else { continue };
        md.push_str(&format!("\n## `{section}`\n\n{}\n\n", h.about));
        md.push_str("| field | type | meaning |\n|---|---|---|\n");
        for fl in h.fields {
            md.push_str(&format!(
                "| `{}` | {} | {} |\n",
                fl.column,
                fl.kind.doc(),
                fl.about
            ));
        }
        let erase = match h.erase {
            Erase::Delete => "deleted".to_string(),
            Erase::Keep => "kept".to_string(),
            Erase::Set(cols) => format!(
                "kept; {} overwritten",
                cols.iter()
                    .map(|(c, _)| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Erase::RedactNames(cols) => format!(
                "kept; {} replaced where it names the person",
                cols.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        md.push_str(&format!("\nOn erasure: {erase} — {}.\n", h.why));
    }
    md.push_str(
        "\n## Not exported\n\n\
         Held about the person but not in the export, and why:\n\n",
    );
    for h in HOLDINGS.iter().filter(|h| h.section.is_none()) {
        md.push_str(&format!("- `{}`: {} — {}.\n", h.table, h.about, h.why));
    }
    md.push_str(&format!(
        "- `{CHANGE_LOG}`: the sync change log's copies of the records above; on erasure \
         every string naming the person is replaced, and the latest copy of each record is \
         logged again so that phones holding it are corrected.\n"
    ));
    md
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every table of the schema is declared: a holding, the change log, or not personal.
    #[test]
    fn every_table_is_declared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        crate::storage::SqliteStorage::open(&path).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .unwrap();
        let tables: BTreeSet<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut declared: BTreeSet<String> = HOLDINGS.iter().map(|h| h.table.to_string()).collect();
        declared.insert(CHANGE_LOG.to_string());
        declared.extend(NOT_PERSONAL.iter().map(|(t, _)| t.to_string()));
        let undeclared: Vec<_> = tables.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "tables with no word on personal data: {undeclared:?} (privacy/personal_data.rs)"
        );
        let unknown: Vec<_> = declared.difference(&tables).collect();
        assert!(
            unknown.is_empty(),
            "declared but not in the schema: {unknown:?}"
        );
        // Each exported and overwritten column exists.
        for h in HOLDINGS {
            let cols: BTreeSet<String> = conn
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{}')",
                    h.table
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let mut named: Vec<&str> = h.fields.iter().map(|f| f.column).collect();
            named.push(h.key);
            match h.erase {
                Erase::Set(s) => named.extend(s.iter().map(|(c, _)| *c)),
                Erase::RedactNames(c) => named.extend(c.iter().copied()),
                _ => {}
            }
            for c in named {
                assert!(cols.contains(c), "{}.{c} is not a column", h.table);
            }
        }
    }

    #[test]
    fn sections_are_unique_and_exported_holdings_say_what_they_hold() {
        let mut seen = BTreeSet::new();
        for h in HOLDINGS {
            if let Some(s) = h.section {
                assert!(seen.insert(s), "section {s} twice");
                assert!(!h.fields.is_empty(), "{s} exports nothing");
            }
        }
    }

    #[test]
    fn export_schema_document_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/export.md");
        let want = schema_markdown();
        if std::env::var_os("UPDATE_EXPORT_SCHEMA").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "docs/export.md is not what HOLDINGS say: UPDATE_EXPORT_SCHEMA=1 cargo test -p lobby-server --lib export_schema"
        );
    }
}
