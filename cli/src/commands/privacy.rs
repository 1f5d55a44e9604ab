//! `lobby consents`, `lobby consent give|withdraw`: the person's answers to the terms,
//! the privacy policy and marketing (DESIGN.md §2.8). Each syncs first when it can (to
//! know the versions in force) and after (to record the answer); offline, an answer is
//! queued and says so.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::{Consent, Lobby, Result};
use serde_json::{json, Value};

use crate::output::Reply;

fn consent_json(c: &Consent) -> Value {
    json!({
        "kind": c.kind.as_str(),
        "version": c.version,
        "given": c.given,
        "at": c.at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "current_version": c.current_version,
        "ask": c.ask,
        "pending": c.pending,
    })
}

fn line(c: &Consent) -> String {
    let answer = match (&c.version, c.given) {
        (None, _) => "not answered".to_string(),
        (Some(v), true) => format!("agreed to version {v}"),
        (Some(v), false) => format!("refused or withdrawn (version {v})"),
    };
    let mut s = format!("{:<10} {answer}", c.kind.as_str());
    if c.pending {
        s.push_str(" — queued on this device");
    }
    if c.ask {
        match &c.current_version {
            Some(v) => s.push_str(&format!(" — please answer version {v}")),
            None => s.push_str(" — please answer"),
        }
    }
    s
}

pub async fn list(lobby: &Lobby) -> Result<Reply> {
    lobby.sync().await?;
    let list = lobby.consents().list()?;
    let human = list.iter().map(line).collect::<Vec<_>>().join("\n");
    Ok(Reply::new(
        json!({"consents": list.iter().map(consent_json).collect::<Vec<_>>()}),
        human,
    ))
}

pub async fn answer(
    lobby: &Lobby,
    give: bool,
    kind: &str,
    version: Option<String>,
) -> Result<Reply> {
    let kind = ConsentKind::parse(kind)?;
    lobby.sync().await?;
    if give {
        lobby.consents().give(kind, version.as_deref())?;
    } else {
        lobby.consents().withdraw(kind, version.as_deref())?;
    }
    lobby.sync().await?;
    let now = lobby
        .consents()
        .list()?
        .into_iter()
        .find(|c| c.kind == kind)
        .ok_or_else(|| lobby_core::LobbyError::internal("the consent is missing"))?;
    let mut human = line(&now);
    if now.pending {
        human.push_str("\n(offline: it is recorded when the server can be reached)");
    }
    Ok(Reply::new(consent_json(&now), human))
}
