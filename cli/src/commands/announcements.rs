//! `lobby announcements [--unit U]` and `lobby announcements open ID`: the office's
//! notices from the phone's side (DESIGN.md §2.5). Both sync first when they can and
//! work from the device when they cannot; opening is sent through the outbox.

use lobby_core::domain::announcements::AnnouncementKind;
use lobby_core::{Announcement, Lobby, LobbyError, Result};
use serde_json::json;

use super::auth::rfc3339;
use crate::output::Reply;

fn kind_str(k: AnnouncementKind) -> &'static str {
    k.as_str()
}

fn acknowledged(a: &Announcement) -> bool {
    a.kind == AnnouncementKind::Acknowledge && a.opened
}

pub async fn list(lobby: &Lobby, unit: Option<String>) -> Result<Reply> {
    lobby.sync().await?;
    let list = lobby.announcements().list(unit.as_deref())?;
    let unread = list.iter().filter(|a| a.unread).count();
    // Showing the list and returning is "opening and leaving the list".
    lobby.announcements().list_left(unit.as_deref())?;
    let mut human = match list.len() {
        0 => "No announcements.".to_string(),
        n => format!("{n} announcement(s), {unread} unread:"),
    };
    for a in &list {
        human.push_str(&format!(
            "\n  {} {} [{}{}] {}  {}",
            if a.unread { "●" } else { " " },
            a.title,
            kind_str(a.kind),
            if acknowledged(a) {
                ", acknowledged"
            } else {
                ""
            },
            rfc3339(a.posted_at),
            a.announcement_id
        ));
    }
    Ok(Reply::new(
        json!({
            "announcements": list.iter().map(|a| json!({
                "announcement_id": a.announcement_id,
                "title": a.title,
                "kind": kind_str(a.kind),
                "read": !a.unread,
                "acknowledged": acknowledged(a),
                "posted_at": rfc3339(a.posted_at),
                "expires_at": a.expires_at.map(rfc3339),
            })).collect::<Vec<_>>(),
            "unread": unread,
        }),
        human,
    ))
}

pub async fn open(
    lobby: &Lobby,
    announcement_id: &str,
    unit: Option<String>,
    save_attachment: Option<std::path::PathBuf>,
) -> Result<Reply> {
    lobby.sync().await?;
    let a = lobby
        .announcements()
        .open(announcement_id, unit.as_deref())?;
    // Tell the server now if it can be reached; otherwise the outbox keeps it.
    lobby.sync().await?;
    let ack = acknowledged(&a);
    let mut saved = None;
    if let Some(path) = save_attachment {
        let bytes = lobby
            .announcements()
            .attachment(announcement_id, unit.as_deref())
            .await?;
        std::fs::write(&path, &bytes)
            .map_err(|e| LobbyError::invalid(format!("cannot write {}: {e}", path.display())))?;
        saved = Some(path.display().to_string());
    }
    Ok(Reply::new(
        json!({
            "announcement_id": a.announcement_id,
            "title": a.title,
            "body": a.body,
            "kind": kind_str(a.kind),
            "acknowledged": ack,
            "posted_at": rfc3339(a.posted_at),
            "attachment": a.attachment.as_ref().map(|f| json!({
                "content_type": f.content_type, "size": f.size, "saved_to": saved,
            })),
        }),
        format!(
            "{}\n{}\n\n{}{}",
            a.title,
            rfc3339(a.posted_at),
            a.body,
            if ack { "\n\n(acknowledged)" } else { "" }
        ),
    ))
}
