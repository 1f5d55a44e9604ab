//! The export of everything held about the person (issue 11, `docs/export.md`): the
//! server's part (`GET /v1/me/export`, which needs a sign-in from the last 10 minutes)
//! and what only this phone holds — its queued changes, its settings and each
//! capability's optimistic effects (`Capability::local_tables`, so an area added later
//! is exported too). The replica is a copy of the server's part and is not repeated.

use serde_json::Value;

use super::PrivacyClient;
use crate::error::{LobbyError, Result};

/// Tables of the phone's own, besides the capabilities' optimistic effects.
const DEVICE_TABLES: &[&str] = &["outbox", "settings"];

impl PrivacyClient<'_> {
    /// The export as one JSON document (pretty-printed, UTF-8). Needs the network and a
    /// fresh sign-in (`reauth_required`: sign in again, then repeat).
    pub async fn export(&self) -> Result<String> {
        let inner = self.lobby.inner.clone();
        let server: lobby_model::protocol::PersonalDataExport = self
            .lobby
            .spawn(async move {
                inner
                    .authed(|api, token| async move { api.export(&token).await })
                    .await
            })
            .await?;
        let mut tables: Vec<&str> = DEVICE_TABLES.to_vec();
        tables.extend(crate::capability::local_tables());
        let device = self.lobby.inner.with_store(|s| s.dump_tables(&tables))?;
        let mut doc = serde_json::to_value(&server)
            .map_err(|e| LobbyError::internal(format!("export: {e}")))?;
        if let Value::Object(o) = &mut doc {
            o.insert("device".to_string(), Value::Object(device));
        }
        serde_json::to_string_pretty(&doc).map_err(|e| LobbyError::internal(format!("export: {e}")))
    }
}
