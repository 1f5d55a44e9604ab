//! The server's secret key, and the keyed digests of short codes made with it.
//!
//! Why: a 6-digit OTP or a 50-bit invitation code stored as a plain SHA-256 digest is
//! recovered from a copy of the database by trying every code (all 20 OTPs of a test
//! database fell in 7.6 s; issue 7). Keyed with HMAC-SHA-256 under a key that is *not*
//! in the database, the digests are useless without the key too.
//!
//! The key is 32 random bytes in a file of its own (`--key-file`; by default
//! `<database>.key` beside the database, created mode 0600 on first start). Operators put
//! it in their secret store and give every API instance of one database the same file;
//! losing it voids pending codes (people ask for new ones) and nothing else.
//!
//! Long random secrets (session and onboarding tokens, 160–256 bits) stay plain SHA-256:
//! they cannot be enumerated, and a staff tool can look them up without the key.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const KEY_BYTES: usize = 32;

/// What a keyed digest is of: each purpose has its own domain, so a digest made for one
/// can never be replayed as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyed {
    /// An OTP, bound to its request: `request_id`, `code`.
    OtpCode,
    /// A destination (phone or e-mail) as the OTP send limits count it.
    OtpDestination,
    /// An invitation code (its SHA-256 digest, so stored plain digests can be rekeyed).
    InviteCode,
}

impl Keyed {
    fn domain(self) -> &'static [u8] {
        match self {
            Keyed::OtpCode => b"lobby/otp-code/1",
            Keyed::OtpDestination => b"lobby/otp-destination/1",
            Keyed::InviteCode => b"lobby/invite-code/1",
        }
    }
}

/// The server's MAC key. Its `Debug` never shows the bytes.
#[derive(Clone)]
pub struct ServerKey([u8; KEY_BYTES]);

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// A fresh random key (tests, and the first start of a server).
    pub fn generate() -> ServerKey {
        let mut k = [0u8; KEY_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut k);
        ServerKey(k)
    }

    /// Where a database's key lives unless configured: `<database>.key`.
    pub fn default_path(db_path: &Path) -> PathBuf {
        let mut p = db_path.as_os_str().to_owned();
        p.push(".key");
        PathBuf::from(p)
    }

    /// Reads the key file, or creates it (mode 0600, written once) when it does not
    /// exist. A file of the wrong size is an error, never silently replaced.
    pub fn load_or_create(path: &Path) -> anyhow::Result<ServerKey> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let Ok(k) = <[u8; KEY_BYTES]>::try_from(bytes.as_slice()) else {
                    bail!(
                        "the server key file {} holds {} bytes, not {KEY_BYTES}",
                        path.display(),
                        bytes.len()
                    );
                };
                Ok(ServerKey(k))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = ServerKey::generate();
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut f = opts
                    .open(path)
                    .with_context(|| format!("creating the server key file {}", path.display()))?;
                f.write_all(&key.0)?;
                f.sync_all()?;
                tracing::info!(path = %path.display(), "created a new server key");
                Ok(key)
            }
            Err(e) => {
                Err(e).with_context(|| format!("reading the server key file {}", path.display()))
            }
        }
    }

    /// HMAC-SHA-256 of `parts` (length-prefixed, so `("a","bc")` and `("ab","c")` differ)
    /// under this key and `what`'s domain, hex.
    pub fn digest(&self, what: Keyed, parts: &[&str]) -> String {
        let mut mac = match Hmac::<Sha256>::new_from_slice(&self.0) {
            Ok(m) => m,
            // HMAC takes keys of any length; this branch cannot be reached.
            Err(_) => return String::new(),
        };
        mac.update(what.domain());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_need_the_key_and_differ_by_purpose_and_split() {
        let a = ServerKey::generate();
        let b = ServerKey::generate();
        let d = a.digest(Keyed::OtpCode, &["req", "123456"]);
        assert_eq!(d.len(), 64);
        assert_eq!(d, a.digest(Keyed::OtpCode, &["req", "123456"]));
        assert_ne!(d, b.digest(Keyed::OtpCode, &["req", "123456"]));
        assert_ne!(d, a.digest(Keyed::InviteCode, &["req", "123456"]));
        assert_ne!(d, a.digest(Keyed::OtpCode, &["req1", "23456"]));
        assert!(!format!("{a:?}").contains(&hex::encode(a.0)));
    }

    #[test]
    fn the_key_file_is_created_private_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = ServerKey::default_path(&dir.path().join("lobby.db"));
        assert!(path.ends_with("lobby.db.key"));
        let k1 = ServerKey::load_or_create(&path).unwrap();
        let k2 = ServerKey::load_or_create(&path).unwrap();
        assert_eq!(k1.0, k2.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, b"short").unwrap();
        let err = ServerKey::load_or_create(&path).unwrap_err().to_string();
        assert!(err.contains("5 bytes"), "{err}");
    }
}
