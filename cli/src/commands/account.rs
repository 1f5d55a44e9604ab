//! `units`, `use`, `sync`, `status`, `profile`, `wipe`: the account on this device.

use lobby_core::{ErrorCode, Lobby, LobbyError, Result, SyncState};
use serde_json::json;

use super::{status_json, unit_json, unit_line};
use crate::args::ProfileAction;
use crate::output::Reply;

pub fn units(lobby: &Lobby) -> Result<Reply> {
    let units = lobby.units().list()?;
    let current = lobby.units().current()?;
    let mut human = String::new();
    if units.is_empty() {
        human.push_str("No units on this device yet (onboard, sign in, or sync).");
    }
    for u in &units {
        let mark = if current.as_ref().map(|c| &c.unit_id) == Some(&u.unit_id) {
            "*"
        } else {
            " "
        };
        human.push_str(&format!("{mark} {}\n", unit_line(u)));
    }
    Ok(Reply::new(
        json!({
            "current": current.map(|c| c.unit_id),
            "units": units.iter().map(unit_json).collect::<Vec<_>>(),
        }),
        human.trim_end().to_string(),
    ))
}

pub fn use_unit(lobby: &Lobby, unit_id: &str) -> Result<Reply> {
    let u = lobby.units().set_current(unit_id)?;
    Ok(Reply::new(
        json!({"current": u.unit_id}),
        format!("Current unit: {}", unit_line(&u)),
    ))
}

pub async fn sync(lobby: &Lobby) -> Result<Reply> {
    let r = lobby.sync().await?;
    if let SyncState::Error { code, message } = &r.state {
        return Err(LobbyError::new(*code, message.clone()));
    }
    let human = match r.state {
        SyncState::Offline => format!(
            "Offline: the server cannot be reached. {} change(s) wait on this device and will be sent later.",
            r.pending
        ),
        _ => format!("Synced: {} pulled, {} pushed, {} pending.", r.pulled, r.pushed, r.pending),
    };
    let mut v = json!({"state": r.state.name(), "pulled": r.pulled, "pushed": r.pushed, "pending": r.pending});
    if r.rejected > 0 {
        v["rejected"] = json!(r.rejected);
    }
    Ok(Reply::new(v, human))
}

pub fn status(lobby: &Lobby) -> Result<Reply> {
    let s = lobby.status();
    let human = format!(
        "State: {}. Pending: {}. Last sync: {}.",
        s.state.name(),
        s.pending,
        s.last_sync
            .map(super::auth::rfc3339)
            .unwrap_or_else(|| "never".into())
    );
    Ok(Reply::new(status_json(&s), human))
}

pub async fn profile(lobby: &Lobby, action: Option<ProfileAction>) -> Result<Reply> {
    match action {
        None => show_profile(lobby),
        Some(ProfileAction::VerifyEmail { code }) => {
            lobby.profile().confirm_email_change(&code).await?;
            let mut reply = show_profile(lobby)?;
            reply.json["status"] = json!("applied");
            reply.human = format!(
                "Your login e-mail is changed; the old address was told.\n{}",
                reply.human
            );
            Ok(reply)
        }
        Some(ProfileAction::VerifyPhone { code }) => {
            lobby.profile().confirm_phone_change(&code).await?;
            let mut reply = show_profile(lobby)?;
            reply.json["status"] = json!("applied");
            reply.human = format!(
                "Your phone number is changed; the old number was told.\n{}",
                reply.human
            );
            Ok(reply)
        }
        Some(ProfileAction::Set { name, email, phone }) => {
            if name.is_none() && email.is_none() && phone.is_none() {
                return Err(LobbyError::invalid("give --name, --email or --phone"));
            }
            let mut reply = match name {
                Some(name) => set_name(lobby, &name).await?,
                None => show_profile(lobby)?,
            };
            if let Some(email) = email {
                let sent = lobby.profile().request_email_change(&email).await?;
                reply.json["email_code_sent_to"] = json!(sent.sent_to);
                reply.human = format!(
                    "{}\nA code was sent to {}; enter it with `lobby profile verify-email --code CODE` to make it your login e-mail.",
                    reply.human, sent.sent_to
                );
            }
            if let Some(phone) = phone {
                let sent = lobby.profile().request_phone_change(&phone).await?;
                reply.json["phone_code_sent_to"] = json!(sent.sent_to);
                reply.human = format!(
                    "{}\nA code was sent to {}; enter it with `lobby profile verify-phone --code CODE` to make it your phone number.",
                    reply.human, sent.sent_to
                );
            }
            Ok(reply)
        }
    }
}

async fn set_name(lobby: &Lobby, name: &str) -> Result<Reply> {
    lobby.profile().set_display_name(name)?;
    let r = lobby.sync().await?;
    let rejected = lobby
        .outbox()?
        .into_iter()
        .rev()
        .find(|e| e.reject_code.is_some());
    if r.rejected > 0 {
        if let Some(e) = rejected {
            return Err(LobbyError::new(
                ErrorCode::parse(e.reject_code.as_deref().unwrap_or("server_error")),
                e.reject_message.unwrap_or_default(),
            ));
        }
    }
    let status = if r.pending > 0 { "pending" } else { "applied" };
    let human = if status == "pending" {
        "Saved on this device; it will be sent when the server can be reached.".to_string()
    } else {
        "Saved.".to_string()
    };
    let mut reply = show_profile(lobby)?;
    reply.json["status"] = json!(status);
    reply.human = format!("{human}\n{}", reply.human);
    Ok(reply)
}

fn show_profile(lobby: &Lobby) -> Result<Reply> {
    let p = lobby.profile().get()?.ok_or_else(|| {
        LobbyError::new(
            ErrorCode::Unauthorized,
            "not signed in on this device (or not synced yet)",
        )
    })?;
    Ok(Reply::new(
        json!({
            "person_id": p.person_id,
            "legal_name": p.legal_name,
            "display_name": p.display_name,
            "phone": p.phone,
            "email": p.email,
            "pending_edits": p.pending_edits,
        }),
        format!(
            "{} ({})\nphone: {}\ne-mail: {}{}",
            p.display_name,
            p.legal_name,
            p.phone.as_deref().unwrap_or("-"),
            p.email.as_deref().unwrap_or("-"),
            if p.pending_edits > 0 {
                format!(
                    "\n{} edit(s) not yet confirmed by the server",
                    p.pending_edits
                )
            } else {
                String::new()
            }
        ),
    ))
}

/// `wipe`: [`Lobby::sign_out_and_wipe`] — the sign-in ends on the server when it can be
/// reached, then every table and every account secret on the device go.
pub async fn wipe(lobby: &Lobby) -> Result<Reply> {
    let signed_in = lobby.auth().is_signed_in();
    let ended = lobby.sign_out_and_wipe().await?;
    let mut human = "Everything this device held for the account is deleted.".to_string();
    if signed_in && !ended {
        human.push_str(
            "\nThe server could not be reached: this device stays listed among your sessions until its sign-in expires, or until `lobby logout --everywhere` from another device.",
        );
    }
    Ok(Reply::new(json!({"signed_out_on_server": ended}), human))
}
