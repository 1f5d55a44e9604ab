//! The phone's side of the upload channel (issue 10: payment slips): a queued mutation
//! that refers to an upload (`Mutation::upload`) has its bytes in `uploads_local`, and
//! before the mutation is pushed they are sent to `PUT /v1/uploads/{id}` in chunks,
//! starting where the server says it is (`GET` first), so a connection dropped half way
//! resumes instead of sending everything again, and a chunk sent twice is stored once.
//! The mutation itself then names the complete upload; the server takes it exactly once.

use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::client::Inner;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::UploadRef;

/// Bytes per request (the server takes at most 256 KiB).
pub(crate) const CHUNK: usize = 256 * 1024;

impl Inner {
    /// Makes sure the server has the whole upload of mutation `mutation_id`; `Ok(false)`
    /// when this phone no longer has its bytes (the mutation cannot be completed).
    pub(crate) async fn send_upload(&self, mutation_id: Uuid, u: &UploadRef<'_>) -> Result<bool> {
        let id = mutation_id.to_string();
        let bytes: Option<Vec<u8>> = self.with_store(|s| {
            Ok(s.conn
                .query_row(
                    "SELECT bytes FROM uploads_local WHERE mutation_id = ?1",
                    [&id],
                    |r| r.get(0),
                )
                .optional()?)
        })?;
        let Some(bytes) = bytes else {
            return Ok(false);
        };
        if bytes.len() as u64 != u.size {
            return Ok(false);
        }
        let upload_id = u.upload_id.to_string();
        let sha256 = u.sha256.to_string();
        let mut offset = match self
            .authed(|api, token| {
                let id = upload_id.clone();
                async move { api.upload_state(&token, &id).await }
            })
            .await
        {
            Ok(state) => state.received,
            Err(e) if e.code == ErrorCode::NotFound => 0,
            Err(e) => return Err(e),
        };
        while (offset as usize) < bytes.len() {
            let start = offset as usize;
            let end = (start + CHUNK).min(bytes.len());
            let chunk = bytes[start..end].to_vec();
            let state = self
                .authed(|api, token| {
                    let (id, sha, chunk) = (upload_id.clone(), sha256.clone(), chunk.clone());
                    async move {
                        api.put_upload_chunk(&token, &id, offset, u.size, &sha, chunk)
                            .await
                    }
                })
                .await?;
            if state.received <= offset {
                return Err(LobbyError::new(
                    ErrorCode::ServerError,
                    "the server did not take the upload's chunk",
                ));
            }
            offset = state.received;
        }
        Ok(true)
    }
}
