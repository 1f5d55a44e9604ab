//! The CLI's "device": a home directory holding the database, settings and secrets.
//!
//! Secrets go in `secrets.json` (mode 0600) inside the home. The CLI's device *is* the
//! directory: its secrets must move and vanish with it (tests make a home per phone). The
//! Linux kernel keyring (`core/examples/keyring_probe.rs`) did keep a secret from one
//! process to the next on this machine, but it is per user, not per home, and is lost at
//! reboot — so it is kept for desktop apps, not the CLI. Phone shells use their platform
//! stores (Keystore, Keychain) through the FFI.

use std::path::PathBuf;
use std::sync::Arc;

use lobby_core::secrets::FileSecretStore;
use lobby_core::{Lobby, LobbyConfig, LobbyError, Result};

pub fn home_dir(home: Option<PathBuf>) -> PathBuf {
    home.unwrap_or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".lobby")
    })
}

/// How the CLI names itself in the person's list of signed-in devices.
pub fn device_label() -> String {
    format!("lobby CLI on {}", std::env::consts::OS)
}

pub fn open(home: PathBuf, server: Option<String>) -> Result<Lobby> {
    std::fs::create_dir_all(&home).map_err(|e| {
        LobbyError::new(
            lobby_core::ErrorCode::Storage,
            format!("cannot create {}: {e}", home.display()),
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700));
    }
    let secrets = Arc::new(FileSecretStore::new(home.join("secrets.json")));
    Lobby::open(
        LobbyConfig {
            data_dir: home,
            server_url: server,
            device_label: Some(device_label()),
        },
        secrets,
    )
}
