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
    /// The form kept in the settings between runs (`Syncing` is never kept).
    pub fn persisted(&self) -> String {
        match self {
            SyncState::Error { code, .. } => format!("error:{}", code.as_str()),
            other => other.name().to_string(),
        }
    }

    /// Reads [`SyncState::persisted`] back; anything unknown is `Idle`.
    pub fn from_persisted(s: &str) -> SyncState {
        match s {
            "offline" => SyncState::Offline,
            _ => match s.strip_prefix("error:") {
                Some(code) => SyncState::Error {
                    code: ErrorCode::parse(code),
                    message: "the last sync failed".to_string(),
                },
                None => SyncState::Idle,
            },
        }
    }

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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncStatus {
    pub state: SyncState,
    /// Changes queued on this phone, not yet confirmed by the server.
    pub pending: u32,
    pub last_sync: Option<DateTime<Utc>>,
}

/// What one `sync` call did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    pub state: SyncState,
    pub pulled: u64,
    pub pushed: u64,
    pub rejected: u64,
    pub pending: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_state_survives_a_restart_in_its_persisted_form() {
        for state in [
            SyncState::Idle,
            SyncState::Offline,
            SyncState::Error {
                code: ErrorCode::Unauthorized,
                message: "x".into(),
            },
        ] {
            let back = SyncState::from_persisted(&state.persisted());
            assert_eq!(back.name(), state.name());
        }
        assert_eq!(SyncState::from_persisted("garbage"), SyncState::Idle);
    }
}
