//! `invite create|list|revoke|accept`, `members [remove]`.
//!
//! Changes are queued on the device and sent at once when the server can be reached; the
//! answer says which happened (`queued` offline, `pending` once confirmed) or why the
//! server refused.

use lobby_core::domain::invites::{format_invite_code, invite_qr_payload};
use lobby_core::protocol::Role;
use lobby_core::{ErrorCode, Invite, Lobby, LobbyError, Result};
use serde_json::{json, Value};

use crate::args::{Invite as InviteCmd, MembersAction};
use crate::output::Reply;

fn invite_json(i: &Invite) -> Value {
    let mut v = json!({
        "invite_id": i.row.invite_id,
        "code": i.code,
        "role": i.row.role.as_str(),
        "status": i.row.status.as_str(),
        "expires_at": super::auth::rfc3339(i.row.expires_at),
    });
    if let Some(r) = &i.row.reason {
        v["reason"] = json!(r);
    }
    if let Some(a) = &i.row.accepted_by {
        v["accepted_by"] = json!(a);
    }
    if i.row.revoke_pending {
        v["revoke_pending"] = json!(true);
    }
    v
}

fn invite_line(i: &Invite) -> String {
    let code = i
        .code
        .as_deref()
        .map(format_invite_code)
        .unwrap_or_else(|| "(code not on this device)".into());
    let mut line = format!(
        "{code}  {:<8} {:<9} expires {}",
        i.row.role.as_str(),
        i.row.status.as_str(),
        super::auth::rfc3339(i.row.expires_at)
    );
    if let Some(r) = &i.row.reason {
        line.push_str(&format!("  refused: {r}"));
    }
    line
}

pub async fn invite(lobby: &Lobby, cmd: InviteCmd) -> Result<Reply> {
    match cmd {
        InviteCmd::Create { role, qr, unit } => {
            let role = Role::parse(&role)
                .ok_or_else(|| LobbyError::invalid("role must be resident or tenant"))?;
            let made = lobby.invites().create(role, unit.as_deref())?;
            let code = made.code.clone().unwrap_or_default();
            let mut qr_path = None;
            if let Some(path) = qr {
                let png = lobby_core::qr::render_png(&invite_qr_payload(&code))?;
                std::fs::write(&path, png).map_err(|e| {
                    LobbyError::invalid(format!("cannot write {}: {e}", path.display()))
                })?;
                qr_path = Some(path.display().to_string());
            }
            // Send it now if the server can be reached; offline it stays queued.
            let _ = lobby.sync().await?;
            let now = lobby
                .invites()
                .list(Some(&made.row.unit_id))?
                .into_iter()
                .find(|i| i.row.invite_id == made.row.invite_id)
                .unwrap_or(made);
            if let Some(reason) = &now.row.reason {
                return Err(LobbyError::new(
                    ErrorCode::parse(reason),
                    refusal_text(reason),
                ));
            }
            let mut v = invite_json(&Invite {
                code: Some(code.clone()),
                ..now.clone()
            });
            if let Some(p) = &qr_path {
                v["qr_png"] = json!(p);
            }
            let when = if now.row.status.as_str() == "queued" {
                "Saved on this device; it counts once the server confirms it (offline now)."
            } else {
                "Confirmed by the server."
            };
            Ok(Reply::new(
                v,
                format!(
                    "Invitation code for a {}: {}\nValid until {}. {when}{}",
                    now.row.role.as_str(),
                    format_invite_code(&code),
                    super::auth::rfc3339(now.row.expires_at),
                    qr_path
                        .map(|p| format!("\nQR written to {p}"))
                        .unwrap_or_default()
                ),
            ))
        }
        InviteCmd::List { unit } => {
            let invites = lobby.invites().list(unit.as_deref())?;
            let human = if invites.is_empty() {
                "No invitations.".to_string()
            } else {
                invites
                    .iter()
                    .map(invite_line)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Ok(Reply::new(
                json!({"invites": invites.iter().map(invite_json).collect::<Vec<_>>()}),
                human,
            ))
        }
        InviteCmd::Revoke { code } => {
            let revoked = lobby.invites().revoke(&code)?;
            let report = lobby.sync().await?;
            let status = if report.pending > 0 {
                "queued"
            } else {
                "revoked"
            };
            Ok(Reply::new(
                json!({"invite_id": revoked.row.invite_id, "status": status}),
                if status == "queued" {
                    "Revocation saved; it is sent when the server can be reached."
                } else {
                    "Revoked."
                },
            ))
        }
        InviteCmd::Accept {
            code,
            image,
            phone,
            name,
        } => {
            let sent = match (code, image) {
                (_, Some(path)) => {
                    let bytes = std::fs::read(&path).map_err(|e| {
                        LobbyError::invalid(format!("cannot read {}: {e}", path.display()))
                    })?;
                    lobby
                        .invites()
                        .accept_image(&bytes, &phone, name.as_deref())
                        .await?
                }
                (Some(code), None) => {
                    lobby
                        .invites()
                        .accept(&code, &phone, name.as_deref())
                        .await?
                }
                (None, None) => return Err(LobbyError::invalid("give the code or --image")),
            };
            Ok(Reply::new(
                json!({"otp_sent_to": sent.sent_to, "expires_at": super::auth::rfc3339(sent.expires_at)}),
                format!("The code is valid. A one-time code was sent to {}; finish with `lobby login verify --code …`.", sent.sent_to),
            ))
        }
    }
}

fn refusal_text(code: &str) -> String {
    match code {
        "invite_cap_reached" => {
            "the server refused: the unit already has 5 residents, tenants and pending invitations"
                .into()
        }
        "forbidden" => "the server refused: only the unit's owner can invite".into(),
        other => format!("the server refused the invitation ({other})"),
    }
}

pub async fn members(lobby: &Lobby, action: Option<MembersAction>) -> Result<Reply> {
    if let Some(MembersAction::Remove { person_id }) = action {
        let removed = lobby.invites().remove_member(&person_id, None)?;
        let report = lobby.sync().await?;
        let status = if report.pending > 0 {
            "queued"
        } else {
            "removed"
        };
        return Ok(Reply::new(
            json!({"person_id": removed.person_id, "status": status}),
            if status == "queued" {
                format!(
                    "Removal of {} saved; it is sent when the server can be reached.",
                    removed.name
                )
            } else {
                format!("{} no longer belongs to the unit; their phone loses its data on its next sync.", removed.name)
            },
        ));
    }
    let members = lobby.invites().members(None)?;
    let human = if members.is_empty() {
        "No residents or tenants.".to_string()
    } else {
        members
            .iter()
            .map(|m| {
                format!(
                    "{}  {} ({}){}",
                    m.person_id,
                    m.name,
                    m.role.as_str(),
                    if m.removal_pending {
                        " — removal queued"
                    } else {
                        ""
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Reply::new(
        json!({"members": members.iter().map(|m| json!({"person_id": m.person_id, "name": m.name, "role": m.role.as_str(), "removal_pending": m.removal_pending})).collect::<Vec<_>>()}),
        human,
    ))
}
