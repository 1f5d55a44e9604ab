//! Meetings and e-voting (DESIGN.md §2.7): the staff endpoints' bodies, the records a
//! phone syncs (meetings and agenda items in `meetings:<project>` scope; a proxy holder's proxies
//! and a voter's receipts in `person:` scope) and the published ballot log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::voting::chain::ChainEntry;
use crate::domain::voting::tally::Tally;

/// `POST /v1/admin/meetings`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingCreate {
    #[schema(min_length = 1, max_length = 64)]
    pub project_id: String,
    /// 1 to 200 characters (the one name rule).
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// `annual`, `extraordinary` or `committee`.
    #[schema(pattern = "^(annual|extraordinary|committee)$")]
    pub kind: String,
    /// Called again after a failed quorum (no quorum needed, s.43).
    #[serde(default)]
    pub reconvened: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingCreated {
    pub meeting_id: String,
}

/// `POST /v1/admin/meetings/{meeting_id}/items`
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ItemAdd {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// `majority_of_attendees`, `half_of_all`, `half_of_all_reconvened`,
    /// `quarter_of_all` or `information`.
    #[schema(
        pattern = "^(majority_of_attendees|half_of_all|half_of_all_reconvened|quarter_of_all|information)$"
    )]
    pub resolution: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ItemAdded {
    pub item_id: String,
}

/// `POST /v1/admin/meetings/{meeting_id}/proxies`: `holder` (a phone number) votes for
/// `unit_id` at this meeting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProxyAdd {
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: String,
    /// The holder's phone number, in any common Thai form.
    #[schema(min_length = 1, max_length = 32)]
    pub holder: String,
}

/// `POST /v1/admin/projects/{project_id}/roles`: the person with this phone number is a
/// board member, the manager, the spouse of either, or office staff of the project — and
/// so may not hold proxies at its meetings (s.47).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoleAdd {
    /// The person's phone number, in any common Thai form.
    #[schema(min_length = 1, max_length = 32)]
    pub phone: String,
    /// `board`, `manager`, `spouse` or `staff`.
    #[schema(pattern = "^(board|manager|spouse|staff)$")]
    pub role: String,
}

/// `POST /v1/admin/meetings/{meeting_id}/attendance`: staff record the unit present.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceAdd {
    #[schema(min_length = 1, max_length = 64)]
    pub unit_id: String,
}

/// `POST /v1/admin/items/{item_id}/close`: the item's published result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ItemClosed {
    /// `{"approve", "disapprove", "abstain", "did_not_vote", "attending", "all_votes"}` as
    /// exact decimal strings, and `"quorum"`.
    #[schema(value_type = Object)]
    pub tally: serde_json::Value,
    pub passed: bool,
    /// The ballot log's head after the item's closing entry (hex SHA-256).
    pub chain_head: String,
}

/// A meeting as members of its project see it (scope `meetings:<project_id>`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MeetingRecord {
    pub id: String,
    pub project_id: String,
    pub title: String,
    /// `annual`, `extraordinary` or `committee`.
    pub kind: String,
    pub reconvened: bool,
    /// `draft`, `open` or `closed`.
    pub status: String,
}

/// An agenda item (scope `meetings:<project_id>` of its meeting). `result` is present only once
/// the item has closed: results stay hidden while voting is open.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AgendaItemRecord {
    pub id: String,
    pub meeting_id: String,
    /// 1, 2, … in agenda order.
    pub position: u32,
    pub title: String,
    /// `majority_of_attendees`, `half_of_all`, `half_of_all_reconvened`,
    /// `quarter_of_all` or `information`.
    pub resolution: String,
    /// `pending`, `open` or `closed`.
    pub status: String,
    #[serde(default)]
    pub result: Option<Box<ItemResultRecord>>,
}

/// A closed item's published result: its tally, whether it passed, and the ballot log's
/// head after its closing entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ItemResultRecord {
    pub tally: Tally,
    pub passed: bool,
    pub chain_head: String,
}

/// A unit the person holds by proxy at a meeting (scope `person:<holder>`); its id is
/// `<meeting_id>/<unit_id>`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MeetingProxyRecord {
    pub id: String,
    pub meeting_id: String,
    pub project_id: String,
    pub unit_id: String,
    pub unit_number: String,
}

/// The receipt of one accepted vote (scope `person:<voter>`): `id` is the hash of its
/// entry in the meeting's ballot log, which the phone later finds in the published log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct VoteReceiptRecord {
    pub id: String,
    pub meeting_id: String,
    pub item_id: String,
    pub unit_id: String,
    /// `approve`, `disapprove` or `abstain`.
    pub choice: String,
    /// The entry's place in the ballot log.
    pub seq: u64,
    pub proxy: bool,
    pub cast_at: DateTime<Utc>,
    /// The pushed mutation that cast it (absent when cast another way).
    #[serde(default)]
    pub mutation_id: Option<String>,
}

/// `GET /v1/meetings/{meeting_id}/ballot-log`: the published part of the meeting's ballot
/// log — everything up to the last point where no item with ballots was still open (so
/// no open item's votes are revealed), or the whole log once the meeting has closed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BallotLog {
    pub meeting_id: String,
    /// The links in order from the snapshot (`domain::voting::chain::ChainEntry`).
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<ChainEntry>,
    /// The meeting has closed and this is the whole log.
    pub complete: bool,
}
