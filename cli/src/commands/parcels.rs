//! `lobby parcels`: the parcels logged for the person's units, from the replica, with
//! their custody; `lobby pickup-qr`: a pickup pass, made offline; `lobby parcel-photo`:
//! one parcel's photo, saved to a file.

use std::path::{Path, PathBuf};

use lobby_core::{CustodyStep, ErrorCode, Lobby, LobbyError, ParcelFilter, ParcelStatus, Result};
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
        for e in &p.timeline {
            let line = match e.step {
                CustodyStep::Logged => {
                    format!("logged by {}", e.staff.as_deref().unwrap_or("staff"))
                }
                CustodyStep::HandedOver => format!(
                    "handed over to {} by {} ({})",
                    e.collected_by.as_deref().unwrap_or("?"),
                    e.staff.as_deref().unwrap_or("staff"),
                    e.method.as_deref().unwrap_or("?")
                ),
                CustodyStep::Returned => {
                    format!(
                        "returned to the carrier by {}",
                        e.staff.as_deref().unwrap_or("staff")
                    )
                }
            };
            human.push_str(&format!("\n      {}  {line}", rfc3339(e.at)));
        }
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
                "timeline": p.timeline.iter().map(|e| json!({
                    "step": match e.step {
                        CustodyStep::Logged => "logged",
                        CustodyStep::HandedOver => "handed_over",
                        CustodyStep::Returned => "returned",
                    },
                    "at": rfc3339(e.at),
                    "staff": e.staff,
                    "collected_by": e.collected_by,
                    "method": e.method,
                })).collect::<Vec<_>>(),
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

pub fn pickup_qr(lobby: &Lobby, out: Option<PathBuf>, unit: Option<String>) -> Result<Reply> {
    let pass = lobby.parcels().pickup_pass(unit.as_deref())?;
    let mut human = format!(
        "Show this at the counter until {}:\n{}",
        rfc3339(pass.valid_until),
        pass.payload
    );
    let mut written = None;
    if let Some(path) = out {
        let png = lobby.parcels().pickup_qr_png(&pass)?;
        std::fs::write(&path, png)
            .map_err(|e| LobbyError::invalid(format!("cannot write {}: {e}", path.display())))?;
        human.push_str(&format!("\nQR written to {}", path.display()));
        written = Some(path.display().to_string());
    }
    if !pass.key_registered {
        human.push_str(
            "\nThis phone's key is not on the server yet: sync once with a network, or the counter will refuse the pass.",
        );
    }
    let mut reply = json!({
        "payload": pass.payload,
        "valid_until": rfc3339(pass.valid_until),
        "unit_id": pass.unit_id,
        "key_registered": pass.key_registered,
    });
    if let Some(p) = written {
        reply["out"] = json!(p);
    }
    Ok(Reply::new(reply, human))
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
