//! lobby-server: the reference backend the core syncs with (DESIGN.md §3, §4).
//!
//! The HTTP contract lives in `lobby_model::protocol` and the rules in
//! `lobby_model::domain`; this crate adds what only a server has, in three layers:
//!
//! - `http`: thin handlers (parse, bound, authenticate, call a capability, answer);
//! - capabilities, each owning its authorisation, rules and effects: [`accounts`],
//!   [`onboarding`], [`sign_in`], [`sessions`], [`otp_requests`], [`invites`],
//!   [`registry`], [`staff`], [`parcels`], [`files`] (stored files and who may download
//!   them), [`mutations`] (pushed mutations, one file per capability) and the
//!   [`change_log`] (what is logged; pull pages);
//! - [`storage`]: a narrow data-access interface in units of work (SQLite today), which
//!   another engine implements without re-implementing a rule.
//!
//! Plus OTP delivery, rate limits, the [`retention`] job (what is deleted when), the
//! staff endpoints and the `lobby-server` command line.
//!
//! Embedding (the CLI's `lobby demo` and the end-to-end tests):
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let server = lobby_server::start(lobby_server::ServerConfig {
//!     db_path: "/tmp/lobby.db".into(),
//!     addr: "127.0.0.1:0".parse()?,
//!     dev: true,
//!     otp_webhook: None,
//!     key_file: None,
//!     limits: Default::default(),
//! })
//! .await?;
//! let admin = lobby_server::AdminClient::new(&server.url, server.staff_token.as_deref().unwrap_or(""));
//! # let _ = admin;
//! server.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! Tests may open the SQLite file themselves (read-only is safest); the tables are listed
//! in [`storage::schema`].

pub mod accounts;
pub mod admin_client;
pub mod announcements;
pub mod arrears;
pub mod audit;
pub mod change_log;
pub mod cli;
pub mod config;
pub mod contact_change;
pub mod error;
pub mod files;
pub mod http;
pub mod http_client;
pub mod ids;
pub mod invites;
pub mod invoices;
pub mod meetings;
pub mod mutations;
pub mod onboarding;
pub mod openapi;
pub mod otp;
pub mod otp_requests;
pub mod otp_sender;
pub mod parcels;
pub mod password_attempts;
pub mod passwords;
pub mod pickup;
pub mod privacy;
pub mod rate_limit;
pub mod registry;
pub mod retention;
pub mod server;
pub mod server_key;
pub mod sessions;
pub mod sign_in;
pub mod staff;
pub mod state;
pub mod storage;
pub mod sync_rules;
#[cfg(test)]
mod test_support;
pub mod uploads;

pub use admin_client::AdminClient;
pub use config::ServerConfig;
pub use server::{start, RunningServer};
