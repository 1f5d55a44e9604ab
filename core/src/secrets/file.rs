//! A secret store in one JSON file with mode 0600, for the `lobby` CLI only.
//!
//! Never use it in a phone shell: phones have hardware-backed stores. Writes go to a
//! temporary file that is renamed over the old one, so a crash never leaves half a file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::SecretStore;
use crate::error::{ErrorCode, LobbyError, Result};

pub struct FileSecretStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileSecretStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileSecretStore {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    fn read(&self) -> Result<BTreeMap<String, String>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| storage(format!("secret file is damaged: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(storage(format!("cannot read secret file: {e}"))),
        }
    }

    fn write(&self, map: &BTreeMap<String, String>) -> Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(".secrets.tmp");
        let bytes = serde_json::to_vec(map)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&tmp)
            .map_err(|e| storage(format!("cannot write secret file: {e}")))?;
        f.write_all(&bytes)
            .and_then(|_| f.sync_all())
            .map_err(|e| storage(format!("cannot write secret file: {e}")))?;
        std::fs::rename(&tmp, &self.path)
            .map_err(|e| storage(format!("cannot write secret file: {e}")))
    }
}

fn storage(msg: String) -> LobbyError {
    LobbyError::new(ErrorCode::Storage, msg)
}

impl SecretStore for FileSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| storage("lock poisoned".into()))?;
        Ok(self.read()?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| storage("lock poisoned".into()))?;
        let mut map = self.read()?;
        map.insert(key.to_string(), value.to_string());
        self.write(&map)
    }

    fn delete(&self, key: &str) -> Result<()> {
        let _g = self
            .lock
            .lock()
            .map_err(|_| storage("lock poisoned".into()))?;
        let mut map = self.read()?;
        if map.remove(key).is_some() {
            self.write(&map)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_survive_a_new_store_on_the_same_file_and_the_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        FileSecretStore::new(&path).set("k", "v").unwrap();
        assert_eq!(
            FileSecretStore::new(&path).get("k").unwrap().as_deref(),
            Some("v")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_damaged_file_is_a_storage_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.json");
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(
            FileSecretStore::new(&path).get("k").unwrap_err().code,
            ErrorCode::Storage
        );
    }
}
