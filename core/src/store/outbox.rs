//! The outbox: changes made on this phone, waiting for the server.
//!
//! A mutation is written here in the same transaction as its optimistic local effect,
//! under a UUIDv7 id that the server uses as the idempotency key — so sending it twice
//! (after a lost response, a crash, a retry) applies it once. Entries leave the outbox
//! when the server answers `applied`; a `rejected` answer keeps the entry in state
//! `rejected` (with the server's code) so the app can tell the person, and deletes the
//! optimistic effect. Transient failures leave it `queued` with a later `next_attempt_at`.

use chrono::{DateTime, Utc};
use rusqlite::params;
use uuid::Uuid;

use super::Result;
use super::Store;
use crate::capability::{local_tables, Queued, CAPABILITIES};
use crate::error::LobbyError;
use crate::protocol::{Mutation, MutationEnvelope};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum OutboxState {
    Queued,
    Rejected,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    pub envelope: MutationEnvelope,
    pub attempts: u32,
    pub state: OutboxState,
    pub reject_code: Option<String>,
    pub reject_message: Option<String>,
}

impl Store {
    /// Queues `mutation` and applies its optimistic effect, in one transaction.
    ///
    /// Secrets never enter the outbox: each area strips its own from the stored form
    /// (`Capability::outbox_form`) and puts
    /// them back before the push. The optimistic effect is the owning area's
    /// (`Capability::on_enqueue`).
    pub fn enqueue(
        &mut self,
        person_id: &str,
        mutation: Mutation,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        self.enqueue_with_upload(person_id, mutation, None, now)
    }

    /// [`Store::enqueue`] for a mutation that refers to an upload
    /// (`Mutation::upload`): its bytes are kept in `uploads_local` in the same
    /// transaction, until the server answers the mutation (`files/upload.rs` sends them
    /// first).
    pub fn enqueue_with_upload(
        &mut self,
        person_id: &str,
        mutation: Mutation,
        upload: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let mut stored = mutation.clone();
        for c in CAPABILITIES {
            c.outbox_form(&mut stored);
        }
        let body = serde_json::to_string(&stored)?;
        let tx = self.conn.transaction()?;
        let mutation_id = id.to_string();
        tx.execute(
            "INSERT INTO outbox(id, person_id, kind, body, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![
                mutation_id,
                person_id,
                mutation.kind(),
                body,
                now.to_rfc3339()
            ],
        )?;
        let queued = Queued {
            mutation_id: &mutation_id,
            person_id,
            mutation: &mutation,
            now,
        };
        for c in CAPABILITIES {
            c.on_enqueue(&tx, &queued)?;
        }
        if let (Some(u), Some(bytes)) = (mutation.upload(), upload) {
            tx.execute(
                "INSERT INTO uploads_local (mutation_id, upload_id, sha256, bytes)
                 VALUES (?1, ?2, ?3, ?4)",
                params![mutation_id, u.upload_id.to_string(), u.sha256, bytes],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Queued entries of `person_id` due at `now`, oldest first.
    pub fn outbox_due(
        &self,
        person_id: &str,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<MutationEnvelope>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, body FROM outbox
             WHERE state = 'queued' AND person_id = ?1 AND next_attempt_at <= ?2
             ORDER BY seq LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![person_id, now.to_rfc3339(), limit as i64], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, created, body) = row?;
            out.push(MutationEnvelope {
                id: Uuid::parse_str(&id)
                    .map_err(|e| LobbyError::internal(format!("outbox id: {e}")))?,
                created_at: DateTime::parse_from_rfc3339(&created)
                    .map_err(|e| LobbyError::internal(format!("outbox time: {e}")))?
                    .with_timezone(&Utc),
                mutation: serde_json::from_str(&body)?,
            });
        }
        Ok(out)
    }

    /// All entries of `person_id`, oldest first (for the app to show pending and refused).
    pub fn outbox_entries(&self, person_id: &str) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, created_at, body, attempts, state, reject_code, reject_message
             FROM outbox WHERE person_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, created, body, attempts, state, code, message) = row?;
            out.push(OutboxEntry {
                envelope: MutationEnvelope {
                    id: Uuid::parse_str(&id)
                        .map_err(|e| LobbyError::internal(format!("outbox id: {e}")))?,
                    created_at: DateTime::parse_from_rfc3339(&created)
                        .map_err(|e| LobbyError::internal(format!("outbox time: {e}")))?
                        .with_timezone(&Utc),
                    mutation: serde_json::from_str(&body)?,
                },
                attempts: attempts as u32,
                state: if state == "rejected" {
                    OutboxState::Rejected
                } else {
                    OutboxState::Queued
                },
                reject_code: code,
                reject_message: message,
            });
        }
        Ok(out)
    }

    /// Number of entries still waiting for the server.
    pub fn pending_count(&self) -> Result<u32> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE state = 'queued'",
            [],
            |r| r.get::<_, i64>(0),
        )? as u32)
    }

    /// The server applied `id`: drop it and its optimistic effect (the pulled server
    /// state now carries the change).
    pub fn outbox_applied(&mut self, id: Uuid) -> Result<()> {
        let tx = self.conn.transaction()?;
        let id = id.to_string();
        drop_optimistic(&tx, &id)?;
        tx.execute("DELETE FROM outbox WHERE id = ?1", [&id])?;
        tx.commit()?;
        Ok(())
    }

    /// The server refused `id`: roll back its optimistic effect, keep the refusal.
    pub fn outbox_rejected(&mut self, id: Uuid, code: &str, message: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let id = id.to_string();
        drop_optimistic(&tx, &id)?;
        tx.execute(
            "UPDATE outbox SET state = 'rejected', reject_code = ?2, reject_message = ?3 WHERE id = ?1",
            params![id, code, message],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// A transient failure: try again at `next`.
    pub fn outbox_retry_later(
        &mut self,
        ids: &[Uuid],
        next: DateTime<Utc>,
        error: &str,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for id in ids {
            tx.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
                 WHERE id = ?1",
                params![id.to_string(), next.to_rfc3339(), error],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Earliest time a queued entry is due (for the retry timer).
    pub fn outbox_next_due(&self, person_id: &str) -> Result<Option<DateTime<Utc>>> {
        let s: Option<String> = self.conn.query_row(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued' AND person_id = ?1",
            [person_id],
            |r| r.get(0),
        )?;
        Ok(s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    /// Max attempts among queued entries (drives the backoff).
    pub fn outbox_max_attempts(&self) -> Result<u32> {
        let n: Option<i64> = self.conn.query_row(
            "SELECT MAX(attempts) FROM outbox WHERE state = 'queued'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.unwrap_or(0) as u32)
    }

    /// Forget refusals the person has seen.
    pub fn clear_rejected(&self) -> Result<()> {
        self.conn
            .execute("DELETE FROM outbox WHERE state = 'rejected'", [])?;
        Ok(())
    }
}

/// Removes a mutation's optimistic effects from every area's local tables.
fn drop_optimistic(tx: &rusqlite::Transaction<'_>, mutation_id: &str) -> Result<()> {
    for t in local_tables() {
        tx.execute(
            &format!("DELETE FROM {t} WHERE mutation_id = ?1"),
            [mutation_id],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn edit(name: &str) -> Mutation {
        Mutation::ProfileUpdate {
            display_name: Some(name.into()),
            email: None,
        }
    }

    #[test]
    fn queued_mutation_and_its_optimistic_effect_are_written_together() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue("p1", edit("สมชาย"), t0()).unwrap();
        assert_eq!(s.pending_count().unwrap(), 1);
        let due = s.outbox_due("p1", t0(), 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].id, id);
        assert_eq!(id.get_version_num(), 7);
        let edits: i64 = s
            .connection()
            .query_row("SELECT COUNT(*) FROM profile_edits", [], |r| r.get(0))
            .unwrap();
        assert_eq!(edits, 1);
    }

    #[test]
    fn rejection_rolls_back_the_optimistic_effect_and_keeps_the_reason() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue("p1", edit(""), t0()).unwrap();
        s.outbox_rejected(id, "invalid_input", "empty name")
            .unwrap();
        let edits: i64 = s
            .connection()
            .query_row("SELECT COUNT(*) FROM profile_edits", [], |r| r.get(0))
            .unwrap();
        assert_eq!(edits, 0);
        assert_eq!(s.pending_count().unwrap(), 0);
        let entries = s.outbox_entries("p1").unwrap();
        assert_eq!(entries[0].state, OutboxState::Rejected);
        assert_eq!(entries[0].reject_code.as_deref(), Some("invalid_input"));
    }

    #[test]
    fn retry_later_hides_the_entry_until_it_is_due() {
        let mut s = Store::open_in_memory().unwrap();
        let id = s.enqueue("p1", edit("a"), t0()).unwrap();
        let later = t0() + chrono::Duration::seconds(30);
        s.outbox_retry_later(&[id], later, "offline").unwrap();
        assert!(s.outbox_due("p1", t0(), 10).unwrap().is_empty());
        assert_eq!(s.outbox_due("p1", later, 10).unwrap().len(), 1);
        assert_eq!(s.outbox_next_due("p1").unwrap(), Some(later));
        assert_eq!(s.outbox_max_attempts().unwrap(), 1);
    }

    #[test]
    fn outbox_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lobby.db");
        let key = crate::store::DatabaseKey::generate();
        {
            let mut s = Store::open(&path, &key).unwrap();
            s.enqueue("p1", edit("a"), t0()).unwrap();
        }
        let s = Store::open(&path, &key).unwrap();
        assert_eq!(s.pending_count().unwrap(), 1);
    }
}
