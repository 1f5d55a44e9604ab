//! [`Device`]: the phone's two stores — the encrypted database and the secret store — as
//! one thing the areas and the sync engine work with.
//!
//! **Account secrets are indexed.** Every secret the core keeps for the signed-in account
//! (session tokens, invitation codes, and what later areas add) is written through
//! [`Device::set_secret`], which first records the secret's *name* (never its value) in the
//! database's `secret_keys` table. A wipe then deletes every secret the account ever
//! left, whichever area made it, without a hand-kept list; and a secret can never exist
//! unindexed, because the name is recorded before the value is written. The device's own
//! database key is not an account secret and stays.

use std::sync::{Arc, Mutex};

use crate::error::{ErrorCode, LobbyError, Result};
use crate::secrets::SecretStore;
use crate::store::Store;

pub(crate) struct Device {
    /// `None` once the core was closed.
    pub store: Arc<Mutex<Option<Store>>>,
    pub secrets: Arc<dyn SecretStore>,
}

pub(crate) fn closed() -> LobbyError {
    LobbyError::new(ErrorCode::Closed, "the core was closed")
}

impl Device {
    /// Runs `f` on the store under its lock; a store failure shows as `storage`.
    pub fn with_store<T>(&self, f: impl FnOnce(&Store) -> crate::store::Result<T>) -> Result<T> {
        let s = self
            .store
            .lock()
            .map_err(|_| LobbyError::internal("store lock poisoned"))?;
        Ok(f(s.as_ref().ok_or_else(closed)?)?)
    }

    pub fn with_store_mut<T>(
        &self,
        f: impl FnOnce(&mut Store) -> crate::store::Result<T>,
    ) -> Result<T> {
        let mut s = self
            .store
            .lock()
            .map_err(|_| LobbyError::internal("store lock poisoned"))?;
        Ok(f(s.as_mut().ok_or_else(closed)?)?)
    }

    /// Keeps an account secret under `key`, its name indexed for wipe.
    pub fn set_secret(&self, key: &str, value: &str) -> Result<()> {
        self.with_store(|s| s.index_secret_key(key))?;
        self.secrets.set(key, value)
    }

    pub fn secret(&self, key: &str) -> Result<Option<String>> {
        self.secrets.get(key)
    }

    /// Deletes an account secret and its index entry.
    pub fn delete_secret(&self, key: &str) -> Result<()> {
        self.secrets.delete(key)?;
        self.with_store(|s| s.unindex_secret_key(key))
    }

    /// Names of the account secrets whose names start with `prefix`.
    pub fn secret_keys(&self, prefix: &str) -> Result<Vec<String>> {
        self.with_store(|s| s.secret_keys(prefix))
    }

    /// Deletes every account secret (the index lists them), then every row of every
    /// table of the database.
    pub fn wipe(&self) -> Result<()> {
        for key in self.secret_keys("")? {
            self.secrets.delete(&key)?;
        }
        // Tokens of a database older than the index.
        for key in crate::secrets::keys::SESSION {
            self.secrets.delete(key)?;
        }
        self.with_store_mut(|s| s.wipe())
    }
}
