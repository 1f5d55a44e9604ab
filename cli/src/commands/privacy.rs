//! `lobby consents`, `lobby consent give|withdraw`: the person's answers to the terms,
//! the privacy policy and marketing; `lobby privacy request|requests`: erasure,
//! correction and objection requests (DESIGN.md §2.8). Each syncs first when it can and
//! after (to send what was queued); offline, it is queued and says so.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::domain::privacy_request::RequestKind;
use lobby_core::{Consent, ErrorCode, Lobby, LobbyError, PrivacyRequest, Result};
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

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn request_json(r: &PrivacyRequest) -> Value {
    json!({
        "request_id": r.request_id,
        "kind": r.kind.as_str(),
        "detail": r.detail,
        "status": r.status.as_str(),
        "filed_at": rfc3339(r.filed_at),
        "deadline": rfc3339(r.deadline),
        "answer": r.answer,
        "pending": r.pending,
        "refused": r.refused,
    })
}

fn request_line(r: &PrivacyRequest) -> String {
    let mut s = format!(
        "{} {} — {}, answer due by {}",
        r.request_id,
        r.kind.as_str(),
        r.status.as_str(),
        r.deadline.format("%Y-%m-%d")
    );
    if r.pending {
        s.push_str(" (queued on this device)");
    }
    if let Some(code) = &r.refused {
        s.push_str(&format!(" — NOT FILED: refused {code}"));
    }
    if let Some(a) = &r.answer {
        s.push_str(&format!("\n    the office: {a}"));
    }
    s
}

pub async fn request(lobby: &Lobby, kind: &str, detail: Option<String>) -> Result<Reply> {
    let kind = RequestKind::parse(kind)?;
    let filed = lobby.privacy().file_request(kind, detail.as_deref())?;
    lobby.sync().await?;
    let now = lobby
        .privacy()
        .requests()?
        .into_iter()
        .find(|r| r.request_id == filed.request_id)
        .ok_or_else(|| LobbyError::internal("the filed request is missing"))?;
    if let Some(code) = &now.refused {
        let code = ErrorCode::parse(code);
        return Err(if code == ErrorCode::ReauthRequired {
            LobbyError::new(
                code,
                "an erasure request needs a sign-in from the last 10 minutes: sign in again \
                 (lobby login …), then repeat it",
            )
        } else {
            LobbyError::new(code, "the server refused the request")
        });
    }
    let mut human = request_line(&now);
    if now.pending {
        human.push_str("\n(offline: it is sent when the server can be reached)");
    }
    Ok(Reply::new(request_json(&now), human))
}

pub async fn requests(lobby: &Lobby) -> Result<Reply> {
    lobby.sync().await?;
    let list = lobby.privacy().requests()?;
    let human = if list.is_empty() {
        "no privacy requests".to_string()
    } else {
        list.iter().map(request_line).collect::<Vec<_>>().join("\n")
    };
    Ok(Reply::new(
        json!({"requests": list.iter().map(request_json).collect::<Vec<_>>()}),
        human,
    ))
}

/// `export --out FILE.json`: written next to its final name, then renamed, so a failure
/// never leaves half a file under that name; readable by the owner only (it is all of
/// their personal data).
pub async fn export(lobby: &Lobby, out: &std::path::Path) -> Result<Reply> {
    let doc = lobby.privacy().export().await?;
    let io = |e: std::io::Error| LobbyError::internal(format!("writing {}: {e}", out.display()));
    let tmp = out.with_extension("json.part");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(io)?;
        f.write_all(doc.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, out).map_err(io)?;
    let parsed: Value = serde_json::from_str(&doc).unwrap_or(Value::Null);
    let count = |part: &str| {
        parsed[part]
            .as_object()
            .map(|o| {
                o.values()
                    .filter_map(Value::as_array)
                    .map(Vec::len)
                    .sum::<usize>()
            })
            .unwrap_or(0)
    };
    let human = format!(
        "wrote {} ({} bytes): {} rows the server holds, {} only this phone holds (schema: docs/export.md)",
        out.display(),
        doc.len(),
        count("server"),
        count("device")
    );
    Ok(Reply::new(
        json!({"path": out.display().to_string(), "bytes": doc.len()}),
        human,
    ))
}
