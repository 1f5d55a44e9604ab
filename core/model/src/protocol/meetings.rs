//! Meetings and e-voting (DESIGN.md §2.7): the staff endpoints' bodies so far (issue 9).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
