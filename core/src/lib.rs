//! lobby-core: the phone's core of Lobby's resident app.
//!
//! Layout (see DESIGN.md §3 and docs/architecture.md): the rules and the wire types come
//! from `lobby-model` (re-exported here as [`domain`] and [`protocol`]); this crate adds
//! the phone's I/O edges — `store/` (encrypted SQLite replica and outbox), `api/` (HTTP
//! client), `sync/` (the sync engine, pull, push, scheduler) and `secrets/`.
//! [`Lobby`] is the one object an app holds.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use lobby_model::{domain, protocol, scope};

pub mod api;
mod client;
pub mod error;
pub mod qr;
pub mod secrets;
pub mod store;
pub mod sync;

pub use client::{Invite, Lobby, LobbyConfig, OtpChallenge, Profile, ScannedOnboarding, SignedIn};
pub use error::{ErrorCode, LobbyError, Result};
pub use store::{InviteRow, LocalInviteStatus, MemberRow, UnitSummary};
pub use sync::{SyncReport, SyncState, SyncStatus};
