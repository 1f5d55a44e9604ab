//! The sync engine (DESIGN.md §4): push the outbox, then pull the server's changes.
//!
//! **Upstream.** Every queued mutation carries a UUIDv7 idempotency key; the server
//! applies each key once and repeats the stored answer for a repeat. So the engine can
//! resend freely after a lost response or a crash. `applied` removes the entry and its
//! optimistic effect; `rejected` rolls the effect back and keeps the refusal for the app;
//! a transient failure (offline, 5xx, rate limited) schedules a retry with capped,
//! jittered backoff ([`backoff`]) — on a timer, see `scheduler`, not only on the next
//! local write.
//!
//! **Downstream.** Pull pages of changes for every scope the person may see, with
//! per-scope cursors; each page, its cursors and its purged scopes are one SQLite
//! transaction, and applying is idempotent. A `reset` answer drops the replica (never the
//! outbox) and pulls again from nothing.
//!
//! **Session ended elsewhere.** A sync refused as `unauthorized` after the refresh token
//! was refused (signed out everywhere from another phone) wipes the person's data from
//! this phone, as a logout here would; the state stays `error(unauthorized)` so the app
//! shows its sign-in screen.
//!
//! **State.** [`SyncStatus`] is published on a watch channel: idle, syncing, offline,
//! error, plus the pending count. Callers must start the `scheduler` at app start-up
//! (`Lobby::start_background_sync`) or queued changes wait for the next explicit sync.
//!
//! **Areas.** The engine names no record kind or mutation. Each area's hooks
//! (`crate::capability::Capability`) run at three points: `before_push`
//! (e.g. invitation codes are put back from the secret store), `on_rejected` (e.g. a
//! refused invitation's code is deleted) and `after_pull` (e.g. codes that can no longer
//! be used are forgotten). Downstream, the store applies pages from the areas' table
//! declarations.

pub mod backoff;
pub mod pipeline;
pub(crate) mod scheduler;
mod state;

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::Utc;
use tokio::sync::{watch, Notify};

pub use state::{SyncReport, SyncState, SyncStatus};

use crate::api::is_transient;
use crate::capability::CAPABILITIES;
use crate::client::Inner;
use crate::device::Device;
use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::{MutationOutcome, PullRequest, PushRequest};
use crate::store::setting_keys;

/// Changes asked for per pull page; each page is one transaction on the phone.
pub const PULL_PAGE_SIZE: u32 = 10_000;
/// Mutations sent per push request.
pub const PUSH_BATCH: usize = 100;
/// Why a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncTrigger {
    /// The person or the app asked (`Lobby::sync`): send every queued change now.
    Explicit,
    /// The background timer: send only changes whose backoff has passed.
    Timer,
}

/// Resets accepted in one sync before giving up (a server bug must not loop forever).
const MAX_RESETS_PER_SYNC: u32 = 2;

/// The sync engine's own state: the published status, the one-sync-at-a-time lock, the
/// scheduler's wake-up and its failure count.
pub(crate) struct SyncEngine {
    status: watch::Sender<SyncStatus>,
    lock: tokio::sync::Mutex<()>,
    wake: Notify,
    /// Consecutive failed syncs (drives the scheduler's backoff).
    failures: AtomicU32,
}

impl SyncEngine {
    pub(crate) fn new(initial: SyncStatus) -> SyncEngine {
        SyncEngine {
            status: watch::channel(initial).0,
            lock: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
            failures: AtomicU32::new(0),
        }
    }

    pub(crate) fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    pub(crate) fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.subscribe()
    }

    /// Wakes the scheduler (a change was queued).
    pub(crate) fn nudge(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await
    }

    pub(crate) fn failures(&self) -> u32 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The core was closed: whatever was running stopped.
    pub(crate) fn mark_idle(&self) {
        self.status.send_modify(|st| st.state = SyncState::Idle);
    }

    pub(crate) fn publish_state(&self, device: &Device, state: SyncState) -> Result<()> {
        let pending = device.with_store(|s| s.pending_count())?;
        let last_sync = device
            .with_store(|s| s.setting(setting_keys::LAST_SYNC))?
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        self.status.send_replace(SyncStatus {
            state,
            pending,
            last_sync,
        });
        Ok(())
    }

    pub(crate) fn publish_pending(&self, device: &Device) -> Result<()> {
        let pending = device.with_store(|s| s.pending_count())?;
        self.status.send_modify(|st| st.pending = pending);
        Ok(())
    }

    /// One full sync: push, then pull. Only one runs at a time.
    ///
    /// `trigger` decides which queued mutations go: an explicit sync (the person asked)
    /// sends every queued one now; the timer sends only those whose backoff has passed.
    pub(crate) async fn run(&self, core: &Inner, trigger: SyncTrigger) -> Result<SyncReport> {
        let _guard = self.lock.lock().await;
        let device = &core.device;
        self.publish_state(device, SyncState::Syncing)?;
        let mut report = SyncReport {
            state: SyncState::Idle,
            pulled: 0,
            pushed: 0,
            rejected: 0,
            pending: 0,
        };
        let outcome = async {
            self.push(core, &mut report, trigger).await?;
            self.pull(core, &mut report).await
        }
        .await;
        if matches!(&outcome, Err(e) if e.code == ErrorCode::Unauthorized) {
            self.forget_ended_session(core)?;
        }
        let state = match &outcome {
            Ok(()) => {
                device.with_store(|s| {
                    s.set_setting(setting_keys::LAST_SYNC, &Utc::now().to_rfc3339())
                })?;
                self.failures.store(0, Ordering::Relaxed);
                SyncState::Idle
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                if e.code == ErrorCode::Offline {
                    SyncState::Offline
                } else {
                    SyncState::Error {
                        code: e.code,
                        message: e.message.clone(),
                    }
                }
            }
        };
        device.with_store(|s| s.set_setting(setting_keys::LAST_SYNC_STATE, &state.persisted()))?;
        self.publish_state(device, state.clone())?;
        report.state = state;
        report.pending = device.with_store(|s| s.pending_count())?;
        tracing::info!(
            pulled = report.pulled,
            pushed = report.pushed,
            pending = report.pending,
            state = report.state.name(),
            "sync finished"
        );
        Ok(report)
    }

    /// After an `unauthorized` sync: when the server refused this phone's refresh token
    /// (the session ended elsewhere — "log out everywhere" on another phone, a copied
    /// token) the tokens are already gone; the person's data goes too, as at logout. Done
    /// here, after the pull's applier has stopped, so no page lands after the wipe. A
    /// phone that was never signed in, or is between the steps of a sign-in (a code
    /// waiting), has no person and keeps what it has.
    fn forget_ended_session(&self, core: &Inner) -> Result<()> {
        if core.has_session() || core.person_id()?.is_none() {
            return Ok(());
        }
        tracing::info!("the server ended this phone's session; its data is wiped");
        core.forget_session()
    }

    async fn push(
        &self,
        core: &Inner,
        report: &mut SyncReport,
        trigger: SyncTrigger,
    ) -> Result<()> {
        let device = &core.device;
        let Some(person) = core.person_id()? else {
            return Ok(());
        };
        // An explicit sync sends what is queued even if its retry is not yet due; each
        // entry is sent at most once per call, so a failing batch is not retried here.
        let due_by = match trigger {
            SyncTrigger::Explicit => Utc::now() + chrono::Duration::days(36_500),
            SyncTrigger::Timer => Utc::now(),
        };
        let mut sent = std::collections::HashSet::new();
        loop {
            let mut batch: Vec<_> = device
                .with_store(|s| s.outbox_due(&person, due_by, PUSH_BATCH))?
                .into_iter()
                .filter(|m| !sent.contains(&m.id))
                .collect();
            if batch.is_empty() {
                return Ok(());
            }
            for c in CAPABILITIES {
                c.before_push(device, &mut batch)?;
            }
            self.send_uploads(core, &mut batch).await?;
            if batch.is_empty() {
                continue;
            }
            let ids: Vec<_> = batch.iter().map(|m| m.id).collect();
            sent.extend(ids.iter().copied());
            let req = PushRequest { mutations: batch };
            let resp = match core
                .authed(|api, token| {
                    let req = req.clone();
                    async move { api.push(&token, &req).await }
                })
                .await
            {
                Ok(r) => r,
                Err(e) if is_transient(e.code) => {
                    let attempts = device.with_store(|s| s.outbox_max_attempts())?;
                    let next = Utc::now()
                        + chrono::Duration::from_std(backoff::retry_delay(attempts))
                            .unwrap_or_default();
                    device.with_store_mut(|s| s.outbox_retry_later(&ids, next, e.code.as_str()))?;
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            if resp.results.len() != ids.len() {
                return Err(LobbyError::new(
                    ErrorCode::ServerError,
                    "the server answered a different number of mutations",
                ));
            }
            for (r, envelope) in resp.results.into_iter().zip(&req.mutations) {
                if r.id != envelope.id {
                    return Err(LobbyError::new(
                        ErrorCode::ServerError,
                        "the server answered the mutations out of order",
                    ));
                }
                match r.outcome {
                    MutationOutcome::Applied => {
                        device.with_store_mut(|s| s.outbox_applied(r.id))?;
                        report.pushed += 1;
                    }
                    MutationOutcome::Rejected { code, message } => {
                        tracing::warn!(mutation = %r.id, code = %code, "server rejected a queued change");
                        device.with_store_mut(|s| s.outbox_rejected(r.id, &code, &message))?;
                        for c in CAPABILITIES {
                            c.on_rejected(device, envelope)?;
                        }
                        report.rejected += 1;
                    }
                }
            }
            self.publish_pending(device)?;
        }
    }

    /// Sends the uploads the batch's mutations refer to (`files/upload.rs`), resuming
    /// where the server stopped. A transient failure leaves the batch for a later retry
    /// (with backoff, as a failed push does); an upload the server refuses, or whose bytes
    /// this phone lost, refuses its mutation here and takes it out of the batch.
    async fn send_uploads(
        &self,
        core: &Inner,
        batch: &mut Vec<crate::protocol::MutationEnvelope>,
    ) -> Result<()> {
        let device = &core.device;
        let mut refused = Vec::new();
        for m in batch.iter() {
            let Some(u) = m.mutation.upload() else {
                continue;
            };
            match core.send_upload(m.id, &u).await {
                Ok(true) => {}
                Ok(false) => refused.push((
                    m.id,
                    ErrorCode::InvalidInput,
                    "the file to send was lost from this device".to_string(),
                )),
                Err(e) if is_transient(e.code) => {
                    let ids: Vec<_> = batch.iter().map(|m| m.id).collect();
                    let attempts = device.with_store(|s| s.outbox_max_attempts())?;
                    let next = Utc::now()
                        + chrono::Duration::from_std(backoff::retry_delay(attempts))
                            .unwrap_or_default();
                    device.with_store_mut(|s| s.outbox_retry_later(&ids, next, e.code.as_str()))?;
                    return Err(e);
                }
                Err(e) => refused.push((m.id, e.code, e.message)),
            }
        }
        for (id, code, message) in &refused {
            tracing::warn!(mutation = %id, code = %code, "an upload was refused; its change is refused");
            device.with_store_mut(|s| s.outbox_rejected(*id, code.as_str(), message))?;
            if let Some(envelope) = batch.iter().find(|m| m.id == *id) {
                for c in CAPABILITIES {
                    c.on_rejected(device, envelope)?;
                }
            }
        }
        batch.retain(|m| !refused.iter().any(|(id, _, _)| *id == m.id));
        Ok(())
    }

    /// Pulls until the server has nothing more, fetching and parsing the next page while
    /// the previous one is applied ([`pipeline`]). The next request's cursors come from the
    /// last page received; the stored cursors only ever reflect applied pages, so stopping
    /// anywhere (error, crash) resumes from what is really on the phone.
    async fn pull(&self, core: &Inner, report: &mut SyncReport) -> Result<()> {
        let device = &core.device;
        let mut resets = 0;
        loop {
            let (mut epoch, mut cursors) = device.with_store(|s| Ok((s.epoch()?, s.cursors()?)))?;
            let (pages, applier) = pipeline::spawn_applier(device.store.clone());
            let fetched: Result<bool> = async {
                loop {
                    let req = PullRequest {
                        epoch,
                        cursors: cursors.clone(),
                        limit: Some(PULL_PAGE_SIZE),
                    };
                    let page = core
                        .authed(|api, token| {
                            let req = req.clone();
                            async move { api.pull(&token, &req).await }
                        })
                        .await?;
                    if page.reset {
                        return Ok(true);
                    }
                    epoch = Some(page.epoch);
                    cursors = page.cursors.clone();
                    let more = page.has_more;
                    if pages.send(page).await.is_err() || !more {
                        // A closed channel means the applier failed: its error is reported below.
                        return Ok(false);
                    }
                }
            }
            .await;
            drop(pages);
            let applied = applier
                .await
                .map_err(|e| LobbyError::internal(format!("apply task: {e}")))??;
            report.pulled += applied;
            if fetched? {
                resets += 1;
                if resets > MAX_RESETS_PER_SYNC {
                    return Err(LobbyError::new(
                        ErrorCode::ServerError,
                        "the server keeps asking for a reset",
                    ));
                }
                tracing::info!("server asked for a replica reset");
                device.with_store_mut(|s| s.reset_replica())?;
                continue;
            }
            device.with_store(|s| s.checkpoint())?;
            core.ensure_current_unit()?;
            for c in CAPABILITIES {
                c.after_pull(device).inspect_err(|e| {
                    tracing::warn!(area = c.name(), code = %e.code, "after-pull step failed");
                })?;
            }
            return Ok(());
        }
    }
}
