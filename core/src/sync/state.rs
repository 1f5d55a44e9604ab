//! Observable sync state: what the app shows ("syncing…", "offline — 2 changes waiting").

use chrono::{DateTime, Utc};

use crate::error::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncState {
    Idle,
    Syncing,
    /// The server could not be reached; queued changes wait for the retry timer.
    Offline,
    /// A non-transient failure (e.g. the session was revoked: sign in again).
    Error {
        code: ErrorCode,
        message: String,
    },
}

impl SyncState {
    pub fn name(&self) -> &'static str {
        match self {
            SyncState::Idle => "idle",
            SyncState::Syncing => "syncing",
            SyncState::Offline => "offline",
            SyncState::Error { .. } => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub state: SyncState,
    /// Changes queued on this phone, not yet confirmed by the server.
    pub pending: u32,
    pub last_sync: Option<DateTime<Utc>>,
}

/// What one `sync` call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub state: SyncState,
    pub pulled: u64,
    pub pushed: u64,
    pub rejected: u64,
    pub pending: u32,
}
