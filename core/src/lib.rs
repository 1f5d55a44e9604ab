//! lobby-core: the shared core of Lobby's resident app.
//!
//! Layout (see DESIGN.md §3): `domain/` holds the rules as pure functions (shared with the
//! server), `protocol` the HTTP contract, and the I/O edges sit in `store/` (SQLite
//! replica and outbox), `api/` (HTTP client), `sync/` (pull, push, scheduler) and
//! `secrets/`. [`Lobby`] is the one object an app holds.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod api;
mod client;
pub mod domain;
pub mod error;
pub mod protocol;
pub mod qr;
pub mod secrets;
pub mod store;
pub mod sync;

pub use client::{Invite, Lobby, LobbyConfig, OtpChallenge, Profile, ScannedOnboarding, SignedIn};
pub use error::{ErrorCode, LobbyError, Result};
pub use store::{InviteRow, LocalInviteStatus, MemberRow, UnitSummary};
pub use sync::{SyncReport, SyncState, SyncStatus};
