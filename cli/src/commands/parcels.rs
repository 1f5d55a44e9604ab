//! `lobby parcels`: the parcels logged for the person's units, from the replica.

use lobby_core::{Lobby, ParcelFilter, ParcelStatus, Result};
use serde_json::json;

use super::auth::rfc3339;
use crate::output::Reply;

pub fn list(lobby: &Lobby, status: Option<String>, recipient: Option<String>) -> Result<Reply> {
    let filter = ParcelFilter {
        status: status.as_deref().map(ParcelStatus::parse).transpose()?,
        recipient,
    };
    let parcels = lobby.parcels().list(&filter)?;
    let mut human = match parcels.len() {
        0 => "No parcels.".to_string(),
        n => format!("{n} parcel(s):"),
    };
    for p in &parcels {
        human.push_str(&format!(
            "\n  {} — {} ({}{}) {}",
            p.recipient,
            p.carrier,
            p.status.as_str(),
            p.tracking
                .as_deref()
                .map(|t| format!(", {t}"))
                .unwrap_or_default(),
            rfc3339(p.logged_at)
        ));
    }
    let items: Vec<_> = parcels
        .iter()
        .map(|p| {
            json!({
                "parcel_id": p.parcel_id,
                "unit_id": p.unit_id,
                "recipient": p.recipient,
                "carrier": p.carrier,
                "tracking": p.tracking,
                "status": p.status.as_str(),
                "logged_at": rfc3339(p.logged_at),
                "picked_up_at": p.picked_up_at.map(rfc3339),
            })
        })
        .collect();
    Ok(Reply::new(json!({ "parcels": items }), human))
}
