//! Small key/value settings: server URL, signed-in person, current unit, sync epoch,
//! the pending OTP step. Never secrets — those live in the secret store.

use rusqlite::{params, OptionalExtension};

use super::Result;
use super::Store;

pub mod keys {
    pub const SERVER_URL: &str = "server_url";
    pub const PERSON_ID: &str = "person_id";
    pub const CURRENT_UNIT: &str = "current_unit";
    pub const EPOCH: &str = "sync_epoch";
    pub const LAST_SYNC: &str = "last_sync";
    /// How the last sync ended (`idle`, `offline`, `error:<code>`), so a restarted app
    /// shows the truth before its first sync.
    pub const LAST_SYNC_STATE: &str = "last_sync_state";
    pub const PENDING_OTP: &str = "pending_otp";
    /// An e-mail typed at onboarding: it becomes the login e-mail only through a code
    /// sent to it, which the phone asks for right after the sign-in.
    pub const ONBOARDING_EMAIL: &str = "onboarding_email";
}

impl Store {
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn clear_setting(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])?;
        Ok(())
    }
}
