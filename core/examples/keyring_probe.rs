//! Does the desktop keyring keep a secret from one process to the next on this machine?
//! `keyring_probe set` in one process, then `keyring_probe get` in another.
//! (It decides whether the `lobby` CLI can use the keyring for its "device" secrets.)

use lobby_core::secrets::{KeyringSecretStore, SecretStore};

fn main() {
    let store = KeyringSecretStore::new("probe");
    match std::env::args().nth(1).as_deref() {
        Some("set") => println!("set: {:?}", store.set("probe-key", "probe-value")),
        Some("get") => println!("get: {:?}", store.get("probe-key")),
        _ => println!("usage: keyring_probe set|get"),
    }
}
