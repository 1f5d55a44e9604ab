//! One file per area of the CLI; each function drives the core and builds a [`Reply`].

pub mod account;
pub mod announcements;
pub mod auth;
pub mod invites;
pub mod invoices;
pub mod meetings;
pub mod parcels;
pub mod privacy;
pub mod sessions;

use lobby_core::{SyncStatus, UnitSummary};
use serde_json::{json, Value};

pub fn unit_json(u: &UnitSummary) -> Value {
    json!({
        "unit_id": u.unit_id,
        "unit": u.unit_number,
        "project": u.project_name,
        "project_id": u.project_id,
        "role": u.role.as_str(),
        "ownership_ratio": u.ownership_ratio.to_json_number(),
        "arrears_months": u.arrears_months,
    })
}

pub fn unit_line(u: &UnitSummary) -> String {
    format!(
        "{} {} — {} ({})",
        u.unit_id,
        u.unit_number,
        u.project_name,
        u.role.as_str()
    )
}

pub fn status_json(s: &SyncStatus) -> Value {
    let mut v = json!({
        "state": s.state.name(),
        "pending": s.pending,
        "last_sync": s.last_sync.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    });
    if let lobby_core::SyncState::Error { code, message } = &s.state {
        v["error"] = json!({"code": code.as_str(), "message": message});
    }
    v
}
