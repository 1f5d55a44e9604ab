//! lobby-ffi: the uniffi facade over `lobby-core` for the Android (Kotlin) and iOS (Swift)
//! shells.
//!
//! This crate adds no behaviour. Each exported method is a short delegation to
//! [`lobby_core::Lobby`]; the files follow the core's domains:
//!
//! - [`client`]: [`LobbyClient`], the one object an app holds, and the [`SecretStore`]
//!   the app implements (Android Keystore, iOS Keychain);
//! - [`onboarding`], [`auth`], [`units`], [`profile`], [`invites`], [`sync`]: the client's
//!   methods per journey; [`invites`] also has the invitation code's free functions,
//!   [`sync`] the [`SyncStateListener`] and its [`TaskHandle`];
//! - [`qr`] and [`checks`]: free functions the app calls without a client;
//! - [`records`]: the plain values that cross the boundary;
//! - [`errors`]: [`LobbyError`], the one error type, carrying the core's stable
//!   `ErrorCode` (Kotlin sees it as `LobbyException`).
//!
//! What a caller must know: network methods are `async` (Kotlin `suspend`, Swift `async`)
//! and run on the core's own runtime; local reads are synchronous, work offline and are
//! fast enough for the main thread only in small amounts. Call `start_background_sync`
//! once at start-up, or queued changes wait for the next explicit `sync`. Enums the core
//! exports itself (`ErrorCode`, `Role`, `ProjectKind`, `SyncState`, `OutboxState`,
//! `LocalInviteStatus`) come from lobby-core's own uniffi component.

uniffi::setup_scaffolding!();

pub mod auth;
pub mod checks;
pub mod client;
pub mod errors;
pub mod invites;
pub mod onboarding;
pub mod profile;
pub mod qr;
pub mod records;
pub mod sync;
pub mod units;

pub use client::{LobbyClient, SecretStore};
pub use errors::LobbyError;
pub use sync::{SyncStateListener, TaskHandle};
