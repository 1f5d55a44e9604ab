//! What the load generators (`lobby-invite-load`, `lobby-pickup-load`, `lobby-vote-load`,
//! `lobby-privacy-load`) share: one JSON POST with an optional bearer, its non-2xx answer
//! an error naming the URL; an owner's onboarding through the API; a run on a fresh
//! database in a temporary directory; the exit code of a run.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context};
use serde_json::Value;

/// Runs `measure` on `server.db` in a new temporary directory, removed afterwards.
pub async fn on_temp_db<F, Fut>(name: &str, measure: F) -> anyhow::Result<bool>
where
    F: FnOnce(PathBuf) -> Fut,
    Fut: Future<Output = anyhow::Result<bool>>,
{
    let dir = std::env::temp_dir().join(format!("{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let outcome = measure(dir.join("server.db")).await;
    remove(&dir);
    outcome
}

fn remove(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
}

/// 0 when every check held, 1 when one failed, 2 when the run could not be made.
pub fn exit_code(name: &str, outcome: anyhow::Result<bool>) -> ExitCode {
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{name}: {e:#}");
            ExitCode::from(2)
        }
    }
}

pub async fn post(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut req = http.post(url).json(body);
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await?;
    let status = resp.status();
    let value: Value = resp.json().await?;
    if !status.is_success() {
        return Err(anyhow!("{url}: {status} {value}"));
    }
    Ok(value)
}

/// An owner's onboarding through the API — start, the code read through the development
/// server's peek, verify: the session grant (`access_token`, `person_id`, …).
pub async fn onboard(
    http: &reqwest::Client,
    url: &str,
    admin: &lobby_server::AdminClient,
    payload: &str,
    phone: &str,
) -> anyhow::Result<Value> {
    let sent = post(
        http,
        &format!("{url}/v1/onboarding/start"),
        None,
        &serde_json::json!({"payload": payload, "phone": phone, "password": "Passw0rd!"}),
    )
    .await?;
    let code = admin.peek_otp(phone).await?.code;
    post(
        http,
        &format!("{url}/v1/onboarding/verify"),
        None,
        &serde_json::json!({"request_id": sent["request_id"], "code": code}),
    )
    .await
}

/// A session grant's access token.
pub fn access_token(grant: &Value) -> anyhow::Result<&str> {
    grant["access_token"]
        .as_str()
        .ok_or_else(|| anyhow!("no access token in {grant}"))
}
