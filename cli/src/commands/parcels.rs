//! `lobby parcels`: the parcels logged for the person's units, from the replica;
//! `lobby parcel-photo`: one parcel's photo, saved to a file.

use std::path::Path;

use lobby_core::{ErrorCode, Lobby, LobbyError, ParcelFilter, ParcelStatus, Result};
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
                "photo": p.photo.as_ref().map(|f| json!({
                    "file_id": f.file_id,
                    "content_type": f.content_type,
                    "size": f.size,
                    "cached": f.cached,
                })),
            })
        })
        .collect();
    Ok(Reply::new(json!({ "parcels": items }), human))
}

/// Writes the parcel's photo to `out`: `{"path", "bytes", "content_type"}`.
pub async fn photo(lobby: &Lobby, parcel_id: &str, out: &Path) -> Result<Reply> {
    let content_type = lobby
        .parcels()
        .list(&ParcelFilter::default())?
        .into_iter()
        .find(|p| p.parcel_id == parcel_id)
        .and_then(|p| p.photo)
        .map(|f| f.content_type)
        .unwrap_or_else(|| "image/jpeg".to_string());
    let bytes = lobby.parcels().photo(parcel_id).await?;
    std::fs::write(out, &bytes).map_err(|e| {
        LobbyError::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", out.display()),
        )
    })?;
    let path = out.display().to_string();
    let human = format!("Saved the photo ({} bytes) to {path}.", bytes.len());
    Ok(Reply::new(
        json!({"path": path, "bytes": bytes.len(), "content_type": content_type}),
        human,
    ))
}
