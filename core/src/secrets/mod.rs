//! The secret store: where session tokens (and every other secret) live.
//!
//! Secrets never touch SQLite or logs. On a phone the app supplies the store (Android
//! Keystore, iOS Keychain) by implementing [`SecretStore`] through the FFI; on desktop the
//! `keyring` crate serves; tests use [`MemorySecretStore`]. The `lobby` CLI, whose "device"
//! is a directory that must keep its secrets from one process to the next, uses
//! [`FileSecretStore`] (mode 0600) because a per-process kernel keyring does not persist.

mod file;
#[cfg(feature = "keyring-store")]
mod keyring_store;

use std::collections::HashMap;
use std::sync::Mutex;

pub use file::FileSecretStore;
#[cfg(feature = "keyring-store")]
pub use keyring_store::KeyringSecretStore;

use crate::error::{ErrorCode, LobbyError, Result};

/// Names of the secrets the core keeps.
pub mod keys {
    pub const ACCESS_TOKEN: &str = "session.access_token";
    pub const REFRESH_TOKEN: &str = "session.refresh_token";
    /// The private half of this sign-in's device key (`domain::device_key`), which signs
    /// pickup passes.
    pub const DEVICE_KEY: &str = "session.device_key";
    /// The secrets of one sign-in, deleted when it ends (also indexed like every account
    /// secret; listed for wipe of a database older than the index).
    pub const SESSION: [&str; 3] = [ACCESS_TOKEN, REFRESH_TOKEN, DEVICE_KEY];
    /// The key of the phone's encrypted database (64 hex digits).
    pub const DATABASE_KEY: &str = "database.key";
}

/// A place to keep secrets. Implementations must be safe to call from any thread.
pub trait SecretStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>>;
    fn set(&self, key: &str, value: &str) -> Result<()>;
    /// Deleting a missing key is not an error.
    fn delete(&self, key: &str) -> Result<()>;
}

/// Secrets in memory only: for tests, and for apps that want nothing persisted.
#[derive(Default)]
pub struct MemorySecretStore {
    map: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The names of the secrets held (for tests and the demo; never the values).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .map
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }
}

fn poisoned() -> LobbyError {
    LobbyError::new(ErrorCode::Storage, "secret store lock poisoned")
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(self.map.lock().map_err(|_| poisoned())?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.map
            .lock()
            .map_err(|_| poisoned())?
            .insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        self.map.lock().map_err(|_| poisoned())?.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_sets_gets_and_deletes() {
        let s = MemorySecretStore::new();
        assert_eq!(s.get("a").unwrap(), None);
        s.set("a", "ความลับ").unwrap();
        assert_eq!(s.get("a").unwrap().as_deref(), Some("ความลับ"));
        s.delete("a").unwrap();
        s.delete("a").unwrap();
        assert_eq!(s.get("a").unwrap(), None);
    }
}
