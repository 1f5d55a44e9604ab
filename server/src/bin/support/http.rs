//! What the load generators (`lobby-invite-load`, `lobby-pickup-load`, `lobby-vote-load`)
//! share: one JSON POST with an optional bearer, its non-2xx answer an error naming the URL.

use anyhow::anyhow;
use serde_json::Value;

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
