//! [`Lobby`]: the one object an app holds. It owns the [`Device`] (encrypted database and
//! secret store), the HTTP client, the [`SyncEngine`] and the core's tokio runtime, and
//! hands out a sub-client per area: [`Lobby::auth`], [`Lobby::units`], [`Lobby::profile`],
//! [`Lobby::invites`] (each defined in its area's module). Sync, the outbox and the
//! device itself (server address, wipe, close) stay on the root.
//!
//! Local reads (`units().list()`, `status`, `profile().get()`) are synchronous and work
//! with no network.
//! Network work is `async` and runs on the core's own multi-thread runtime, whatever
//! executor awaits it (uniffi's, the CLI's, a test's).
//!
//! At start-up an app should call [`Lobby::start_background_sync`], or queued changes wait
//! until the next explicit [`Lobby::sync`].
//!
//! **Shutting down.** Call [`Lobby::close`] before the process ends (the CLI does, at every
//! exit): it stops the runtime, *waits for its threads to end*, and closes the database.
//! Waiting matters: the database is SQLCipher, linked with OpenSSL, whose exit handlers
//! free per-thread state; a runtime thread still ending while they run crashes the process
//! (`double free`, seen in about 1 % of CLI runs before `close` existed). Dropping the
//! last `Lobby` without `close` does the same, except on one of the core's own threads,
//! where it cannot wait for itself and only signals the threads to stop.

mod tables;

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::api::ApiClient;
use crate::device::{closed, Device};
use crate::error::{ErrorCode, LobbyError, Result};
use crate::secrets::{keys, SecretStore};
use crate::store::{setting_keys, DatabaseKey, OutboxEntry, Store};
use crate::sync::{SyncEngine, SyncReport, SyncState, SyncStatus, SyncTrigger};

/// Where the core keeps its data and which server it talks to.
#[derive(Debug, Clone)]
pub struct LobbyConfig {
    /// Directory for the local database (created if missing).
    pub data_dir: PathBuf,
    /// Server base URL. `None` keeps the one remembered from earlier use.
    pub server_url: Option<String>,
    /// How this device names itself in the person's list of signed-in devices, e.g.
    /// "Pixel 8 · Android 15" (sent as `Lobby-Device`; kept by the server with each
    /// sign-in). One that the name rule refuses (`domain::device_label`) is not sent:
    /// the device is then listed as unknown, and signing in works all the same.
    pub device_label: Option<String>,
}

/// What the root object and every sub-client share.
pub(crate) struct Inner {
    pub(crate) device: Device,
    api: Mutex<Option<ApiClient>>,
    device_label: Option<String>,
    pub(crate) sync: SyncEngine,
}

/// How long [`Lobby::close`] waits for in-flight work (a page being applied) to finish.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(10);

/// The core's runtime, taken out exactly once by [`RuntimeHolder::shut_down`].
struct RuntimeHolder {
    rt: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
}

impl RuntimeHolder {
    fn handle(&self) -> Result<tokio::runtime::Handle> {
        match self.rt.lock() {
            Ok(rt) if rt.is_some() => Ok(self.handle.clone()),
            _ => Err(closed()),
        }
    }

    /// Stops the runtime and joins its threads. Safe from any thread: inside some async
    /// context (blocking there is refused by tokio) the join happens on a helper thread;
    /// on one of the runtime's own threads it can only signal them to stop.
    fn shut_down(&self) {
        let rt = match self.rt.lock() {
            Ok(mut rt) => rt.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let Some(rt) = rt else { return };
        let on_own_thread =
            tokio::runtime::Handle::try_current().is_ok_and(|h| h.id() == self.handle.id());
        if on_own_thread {
            rt.shutdown_background();
        } else if tokio::runtime::Handle::try_current().is_ok() {
            let joined = std::thread::Builder::new()
                .name("lobby-shutdown".into())
                .spawn(move || rt.shutdown_timeout(SHUTDOWN_WAIT))
                .map(|t| t.join());
            if !matches!(joined, Ok(Ok(()))) {
                tracing::warn!("the core's runtime could not be joined at shutdown");
            }
        } else {
            rt.shutdown_timeout(SHUTDOWN_WAIT);
        }
    }
}

impl Drop for RuntimeHolder {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Creates the data directory (and missing parents) readable by this app's user only
/// (0700 on unix, whatever the umask); an existing directory is left as it is (the
/// platform's app directory already is private). The files in it are 0600
/// (`Store::open`).
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[derive(Clone)]
pub struct Lobby {
    pub(crate) inner: Arc<Inner>,
    rt: Arc<RuntimeHolder>,
}

impl Lobby {
    /// Opens the device: its database in `config.data_dir`, its secrets in `secrets`.
    pub fn open(config: LobbyConfig, secrets: Arc<dyn SecretStore>) -> Result<Lobby> {
        create_private_dir(&config.data_dir).map_err(|e| {
            LobbyError::new(
                ErrorCode::Storage,
                format!("cannot create the data directory: {e}"),
            )
        })?;
        let key = match secrets.get(keys::DATABASE_KEY)? {
            Some(hex) => DatabaseKey::from_hex(&hex)?,
            None => {
                let key = DatabaseKey::generate();
                secrets.set(keys::DATABASE_KEY, key.as_hex())?;
                key
            }
        };
        let (store, set_aside) = Store::open_or_set_aside(&config.data_dir.join("lobby.db"), &key)?;
        if set_aside {
            tracing::warn!(
                "the local database could not be read with this device's key; started an empty one"
            );
        }
        if let Some(url) = &config.server_url {
            ApiClient::new(url, None)?;
            store.set_setting(setting_keys::SERVER_URL, url)?;
        }
        let pending = store.pending_count()?;
        let last_sync = store
            .setting(setting_keys::LAST_SYNC)?
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        let state = store
            .setting(setting_keys::LAST_SYNC_STATE)?
            .map(|s| SyncState::from_persisted(&s))
            .unwrap_or(SyncState::Idle);
        let status = SyncStatus {
            state,
            pending,
            last_sync,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("lobby-core")
            .enable_all()
            .build()
            .map_err(|e| LobbyError::internal(format!("cannot start the runtime: {e}")))?;
        let handle = rt.handle().clone();
        Ok(Lobby {
            inner: Arc::new(Inner {
                device: Device {
                    store: Arc::new(Mutex::new(Some(store))),
                    secrets,
                },
                api: Mutex::new(None),
                device_label: config.device_label,
                sync: SyncEngine::new(status),
            }),
            rt: Arc::new(RuntimeHolder {
                rt: Mutex::new(Some(rt)),
                handle,
            }),
        })
    }

    /// Runs `f` on the core's runtime and waits for it from any executor.
    pub(crate) async fn spawn<F, T>(&self, f: F) -> Result<T>
    where
        F: Future<Output = Result<T>> + Send + 'static,
        T: Send + 'static,
    {
        let task = self.rt.handle()?.spawn(f);
        match task.await {
            Ok(out) => out,
            Err(e) if e.is_cancelled() => Err(closed()),
            Err(e) => Err(LobbyError::internal(format!("task failed: {e}"))),
        }
    }

    /// Pushes queued changes, then pulls the server's.
    pub async fn sync(&self) -> Result<SyncReport> {
        let inner = self.inner.clone();
        self.spawn(async move { inner.sync.run(&inner, SyncTrigger::Explicit).await })
            .await
    }

    /// Starts the background timer that syncs periodically and retries queued changes
    /// with backoff. Idempotent enough: call once at app start-up.
    pub fn start_background_sync(&self) -> Result<()> {
        self.rt
            .handle()?
            .spawn(crate::sync::scheduler::run(self.inner.clone()));
        Ok(())
    }

    /// The current sync status (local; no network).
    pub fn status(&self) -> SyncStatus {
        self.inner.sync.status()
    }

    /// A receiver that sees every change of the sync status, starting with the current one.
    pub fn watch_status(&self) -> watch::Receiver<SyncStatus> {
        self.inner.sync.watch()
    }

    /// Spawns `f` on the core's runtime without waiting (for listener forwarding).
    pub fn spawn_detached<F>(&self, f: F) -> Option<tokio::task::JoinHandle<()>>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.rt.handle().ok().map(|h| h.spawn(f))
    }

    /// Shuts the core down: stops background sync and in-flight work, waits (up to 10 s)
    /// for the runtime's threads to end, then closes the database. Every later call
    /// answers `closed`; calling `close` again does nothing. Call it before the process
    /// exits. It blocks, so call it where blocking is acceptable (not a UI thread in a
    /// hot path); from inside an async context it joins on a helper thread.
    pub fn close(&self) {
        self.rt.shut_down();
        let store = match self.inner.device.store.lock() {
            Ok(mut s) => s.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(store) = store {
            store.close();
        }
        self.inner.sync.mark_idle();
    }

    /// Whether [`Lobby::close`] has run.
    pub fn is_closed(&self) -> bool {
        self.rt.handle().is_err()
    }

    /// The remembered server URL.
    pub fn server_url(&self) -> Result<Option<String>> {
        self.inner
            .with_store(|s| s.setting(setting_keys::SERVER_URL))
    }

    /// Changes the server (e.g. after `--server`); keeps local data.
    pub fn set_server_url(&self, url: &str) -> Result<()> {
        ApiClient::new(url, None)?;
        self.inner
            .with_store(|s| s.set_setting(setting_keys::SERVER_URL, url))?;
        if let Ok(mut api) = self.inner.api.lock() {
            *api = None;
        }
        Ok(())
    }

    /// Queued and refused changes of the signed-in person, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        match self.inner.person_id()? {
            Some(p) => self.inner.with_store(|s| s.outbox_entries(&p)),
            None => Ok(Vec::new()),
        }
    }

    /// Deletes everything this account left on the phone: every row of every table of
    /// the database (replica, outbox, settings) and every account secret (session
    /// tokens, invitation codes, …), found through the secret index (`device.rs`). The
    /// device's database key stays; the database is empty.
    pub fn wipe(&self) -> Result<()> {
        self.inner.device.wipe()?;
        self.inner.publish_state(SyncState::Idle)
    }

    /// "Erase this phone" as a person means it: the phone's sign-in ends on the server
    /// too — a logout, when the server can be reached, so the erased device is not left
    /// among the person's sessions — and then [`Lobby::wipe`]. Offline the wipe happens
    /// all the same (the tokens go with it; the sign-in stays listed until it expires or
    /// the person logs out everywhere). Whether the server was told.
    pub async fn sign_out_and_wipe(&self) -> Result<bool> {
        let auth = self.auth();
        let told = auth.is_signed_in() && auth.logout(false).await?;
        self.wipe()?;
        Ok(told)
    }
}

impl Inner {
    /// Runs `f` on the store under its lock; a store failure shows as `storage`.
    pub(crate) fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> crate::store::Result<T>,
    ) -> Result<T> {
        self.device.with_store(f)
    }

    pub(crate) fn with_store_mut<T>(
        &self,
        f: impl FnOnce(&mut Store) -> crate::store::Result<T>,
    ) -> Result<T> {
        self.device.with_store_mut(f)
    }

    pub(crate) fn api(&self) -> Result<ApiClient> {
        let mut cached = self
            .api
            .lock()
            .map_err(|_| LobbyError::internal("api lock poisoned"))?;
        if let Some(api) = cached.as_ref() {
            return Ok(api.clone());
        }
        let url = self
            .with_store(|s| s.setting(setting_keys::SERVER_URL))?
            .ok_or_else(|| LobbyError::invalid("no server is configured for this device"))?;
        let api = ApiClient::new(&url, self.device_label.as_deref())?;
        *cached = Some(api.clone());
        Ok(api)
    }

    pub(crate) fn person_id(&self) -> Result<Option<String>> {
        self.with_store(|s| s.setting(setting_keys::PERSON_ID))
    }

    pub(crate) fn require_person(&self) -> Result<String> {
        self.person_id()?
            .ok_or_else(|| LobbyError::new(ErrorCode::Unauthorized, "not signed in on this device"))
    }

    pub(crate) fn has_session(&self) -> bool {
        matches!(self.device.secret(keys::REFRESH_TOKEN), Ok(Some(_)))
    }

    pub(crate) fn publish_state(&self, state: SyncState) -> Result<()> {
        self.sync.publish_state(&self.device, state)
    }

    /// After a change is queued: publish the pending count and wake the sync timer.
    pub(crate) fn after_local_write(&self) -> Result<()> {
        self.sync.publish_pending(&self.device)?;
        self.sync.nudge();
        Ok(())
    }

    /// Calls the API with the access token, refreshing it once if the server says the
    /// session is no longer valid.
    pub(crate) async fn authed<T, F, Fut>(&self, call: F) -> Result<T>
    where
        F: Fn(ApiClient, String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let api = self.api()?;
        let token = self.device.secret(keys::ACCESS_TOKEN)?.ok_or_else(|| {
            LobbyError::new(ErrorCode::Unauthorized, "not signed in on this device")
        })?;
        match call(api.clone(), token).await {
            Err(e) if e.code == ErrorCode::Unauthorized => {
                let token = self.refresh_session(&api).await?;
                call(api, token).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::MemorySecretStore;

    fn open(dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Lobby {
        Lobby::open(
            LobbyConfig {
                data_dir: dir.to_path_buf(),
                server_url: Some("http://127.0.0.1:9".into()),
                device_label: None,
            },
            secrets,
        )
        .unwrap()
    }

    #[test]
    fn the_database_key_is_made_once_and_kept_in_the_secret_store() {
        let dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(MemorySecretStore::new());
        drop(open(dir.path(), secrets.clone()));
        let key = secrets
            .get(keys::DATABASE_KEY)
            .unwrap()
            .expect("a key was made");
        let again = open(dir.path(), secrets.clone());
        assert_eq!(secrets.get(keys::DATABASE_KEY).unwrap(), Some(key));
        assert_eq!(
            again.server_url().unwrap().as_deref(),
            Some("http://127.0.0.1:9")
        );
    }

    #[test]
    fn a_phone_whose_secret_store_lost_the_key_starts_a_fresh_database() {
        let dir = tempfile::tempdir().unwrap();
        drop(open(dir.path(), Arc::new(MemorySecretStore::new())));
        // A new secret store (reinstalled app, reset Keystore): the old file is unreadable.
        let lobby = Lobby::open(
            LobbyConfig {
                data_dir: dir.path().to_path_buf(),
                server_url: None,
                device_label: None,
            },
            Arc::new(MemorySecretStore::new()),
        )
        .unwrap();
        assert_eq!(
            lobby.server_url().unwrap(),
            None,
            "nothing of the unreadable file was read"
        );
        assert!(lobby.units().list().unwrap().is_empty());
    }
}
