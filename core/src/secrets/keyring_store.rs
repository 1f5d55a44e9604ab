//! Desktop secret store over the `keyring` crate (Keychain on macOS/iOS, kernel keyutils
//! on Linux). Each store has a namespace so two devices on one machine do not collide.

use super::SecretStore;
use crate::error::{ErrorCode, LobbyError, Result};

pub struct KeyringSecretStore {
    namespace: String,
}

impl KeyringSecretStore {
    /// On Linux, joins a session keyring first: without one, the first write fails.
    pub fn new(namespace: impl Into<String>) -> Self {
        #[cfg(target_os = "linux")]
        // SAFETY: keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL) takes no pointers we own; on
        // failure it returns -1 and the store reports errors on use.
        unsafe {
            const KEYCTL_JOIN_SESSION_KEYRING: libc::c_long = 1;
            libc::syscall(
                libc::SYS_keyctl,
                KEYCTL_JOIN_SESSION_KEYRING,
                std::ptr::null::<libc::c_char>(),
            );
        }
        KeyringSecretStore {
            namespace: namespace.into(),
        }
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&format!("lobby:{}", self.namespace), key).map_err(err)
    }
}

fn err(e: keyring::Error) -> LobbyError {
    LobbyError::new(ErrorCode::Storage, format!("keyring: {e}"))
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, key: &str) -> Result<Option<String>> {
        match self.entry(key)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(err(e)),
        }
    }

    fn set(&self, key: &str, value: &str) -> Result<()> {
        self.entry(key)?.set_password(value).map_err(err)
    }

    fn delete(&self, key: &str) -> Result<()> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_store_round_trips_within_a_process() {
        let s = KeyringSecretStore::new(format!("test-{}", std::process::id()));
        s.set("k", "ค่า").unwrap();
        assert_eq!(s.get("k").unwrap().as_deref(), Some("ค่า"));
        s.delete("k").unwrap();
        assert_eq!(s.get("k").unwrap(), None);
    }
}
