//! lobby-model: what Lobby's phone core and its server share, and nothing else.
//!
//! - [`domain`]: the rules as pure functions (OTP, passwords, onboarding tokens, contact
//!   forms, the owner registry, invitation codes and their cap, exact [`domain::weight`]s,
//!   what a photo may be: [`domain::files`]),
//!   each in the file named for it, tested with tables of hand-computed cases;
//! - [`protocol`]: the HTTP contract's bodies, one file per area, from which the server
//!   derives its OpenAPI description;
//! - [`scope`]: the grammar of sync scopes (`person:…`, `unit:…`, `owners:…`);
//! - [`error`]: the stable error codes and the HTTP status each one answers with.
//!
//! This crate does no I/O and depends on no I/O crate (no database, no HTTP, no QR
//! decoding), so the server links it without the phone's store, and the phone's rules are
//! the server's rules. The `uniffi` feature derives the FFI traits on the shared types
//! (the phone's FFI crate turns it on); `qr-render` adds the PNG renderer of [`qr`].

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub mod domain;
pub mod error;
pub mod protocol;
#[cfg(feature = "qr-render")]
pub mod qr;
pub mod scope;

pub use domain::weight::Weight;
pub use error::{ErrorCode, LobbyError, Result};
