//! `lobby sessions`: the person's signed-in devices (issue 11), asked of the server.
//! A device that gave no label, or one the server refused, shows as "unknown device".

use lobby_core::{Lobby, Result, SessionInfo};
use serde_json::{json, Value};

use super::auth::rfc3339;
use crate::output::Reply;

/// What a sign-in without a (valid) label is called, in the JSON and the text.
pub const UNKNOWN_DEVICE: &str = "unknown device";

fn device(s: &SessionInfo) -> &str {
    s.device.as_deref().unwrap_or(UNKNOWN_DEVICE)
}

fn session_json(s: &SessionInfo) -> Value {
    json!({
        "session_id": s.session_id,
        "device": device(s),
        "signed_in_at": rfc3339(s.signed_in_at),
        "last_seen": rfc3339(s.last_seen),
        "current": s.current,
    })
}

pub async fn list(lobby: &Lobby) -> Result<Reply> {
    let sessions = lobby.auth().sessions().await?;
    let mut human = format!(
        "{} signed-in device(s), the most recently seen first:",
        sessions.len()
    );
    for s in &sessions {
        human.push_str(&format!(
            "\n  {} {}{} — last seen {}, signed in {}",
            if s.current { "*" } else { " " },
            device(s),
            if s.current { " (this device)" } else { "" },
            rfc3339(s.last_seen),
            rfc3339(s.signed_in_at),
        ));
    }
    human.push_str("\nNot yours? `lobby logout --everywhere` signs every device out.");
    Ok(Reply::new(
        json!({"sessions": sessions.iter().map(session_json).collect::<Vec<_>>()}),
        human,
    ))
}
