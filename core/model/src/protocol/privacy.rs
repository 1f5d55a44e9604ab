//! Privacy (DESIGN.md §2.8, issue 11): the documents a person agrees to and their answers.
//!
//! - `policy` records (scope `policies:platform`, seen by everyone signed in): the version
//!   of each document in force. Publishing a new version logs one record, not one per
//!   person; each phone then works out with `domain::consent::to_ask` whom to ask.
//! - `consent` records (the person's scope): the person's latest answer per kind. Every
//!   answer is kept on the server as an event (withdrawals included); the record is the
//!   latest.
//! - `privacy_request` records (the person's scope): the requests they filed (erasure,
//!   correction, objection) with their deadline and the office's answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::consent::{check_answers, ConsentKind};
use crate::error::Result;

/// The version in force of one document (`id` = the kind).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PolicyRecord {
    pub id: String,
    /// `terms`, `privacy` or `marketing`.
    pub kind: String,
    pub version: String,
    pub published_at: DateTime<Utc>,
}

/// A person's latest answer about one kind (`id` = `<person_id>:<kind>`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ConsentRecord {
    pub id: String,
    pub kind: String,
    /// The version of the document answered.
    pub version: String,
    pub given: bool,
    pub at: DateTime<Utc>,
}

/// A person's answer about one document: the `consent_set` mutation's payload, and each
/// answer an onboarding carries (`OnboardingStartRequest::consents`). Checked with
/// `domain::consent` (`check_answer`, `check_answers`) on the phone and again on the
/// server. The rules are not in the schema: in a push, a broken rule is that mutation's
/// `rejected` outcome, not a refusal of the whole request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ConsentAnswer {
    /// `terms`, `privacy` or `marketing`.
    pub kind: String,
    /// The version of the document answered: 1 to 32 letters, digits, `.`, `-` or `_`.
    pub version: String,
    /// Agreed (`true`) or refused / withdrawn (`false`).
    pub given: bool,
}

impl ConsentAnswer {
    /// `answers` checked together (`domain::consent::check_answers`), typed.
    pub fn check_all(answers: &[ConsentAnswer]) -> Result<Vec<(ConsentKind, &str, bool)>> {
        let plain: Vec<(&str, &str, bool)> = answers
            .iter()
            .map(|a| (a.kind.as_str(), a.version.as_str(), a.given))
            .collect();
        check_answers(&plain)
    }
}

/// `POST /v1/admin/policies`: a new version of a document comes into force (platform
/// staff only).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyPublish {
    /// `terms`, `privacy` or `marketing`.
    #[schema(min_length = 1, max_length = 16)]
    pub kind: String,
    /// 1 to 32 letters, digits, `.`, `-` or `_`.
    #[schema(min_length = 1, max_length = 32)]
    pub version: String,
}

/// A version of a document brought into force: the answer to publishing it, and each
/// document in force as an onboarding preview lists it (what the new owner agrees to).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PolicyPublished {
    pub kind: String,
    pub version: String,
    pub published_at: DateTime<Utc>,
}

/// A request the person filed (`id` = the request id), in their scope, with its status
/// and the office's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PrivacyRequestRecord {
    pub id: String,
    /// `erasure`, `correction` or `objection`.
    pub kind: String,
    pub detail: Option<String>,
    /// `open`, `approved` or `rejected`.
    pub status: String,
    pub filed_at: DateTime<Utc>,
    /// When the office must have answered (30 days after filing).
    pub deadline: DateTime<Utc>,
    /// The office's reason or note.
    pub answer: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// One request as staff list it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PrivacyRequestSummary {
    pub request_id: String,
    pub kind: String,
    pub person_id: String,
    /// The person's legal name.
    pub name: String,
    pub detail: Option<String>,
    pub status: String,
    pub filed_at: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

/// `GET /v1/admin/projects/{project_id}/privacy-requests`: the open requests of the
/// project's members, soonest deadline first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PrivacyRequestList {
    pub requests: Vec<PrivacyRequestSummary>,
}

/// `POST /v1/admin/privacy-requests/{request_id}/decide`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrivacyDecide {
    pub approve: bool,
    /// Required to reject (the person is owed a reason); at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PrivacyDecided {
    pub request_id: String,
    /// `approved` or `rejected`.
    pub status: String,
    /// For an approved erasure: what was erased (tables and row counts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erasure: Option<ErasureReport>,
}

/// The format an export says it is in (`docs/export.md`).
pub const EXPORT_FORMAT: &str = "lobby-export/1";

/// `GET /v1/me/export`: everything the server holds about the signed-in person, by
/// section (`docs/export.md` documents each). Needs a sign-in from the last 10 minutes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct PersonalDataExport {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    pub generated_at: DateTime<Utc>,
    pub person_id: String,
    /// Section name → its rows, each an object of the documented fields.
    #[schema(value_type = Object)]
    pub server: serde_json::Map<String, serde_json::Value>,
}

/// What an approved erasure did: rows per table (no ids, no names).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Default)]
pub struct ErasureReport {
    pub tables: Vec<ErasedRows>,
    /// Change-log entries whose copies were redacted.
    pub change_log_entries: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErasedRows {
    pub table: String,
    /// `deleted` or `overwritten`.
    pub action: String,
    pub rows: u64,
}
