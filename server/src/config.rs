//! Server configuration and the fixed limits the server enforces.
//!
//! Limits are constants rather than options: they are part of the contract the core and
//! the OpenAPI description rely on, and tests assert them.

use std::net::SocketAddr;
use std::path::PathBuf;

/// How to run one server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The SQLite database file (created and migrated on start).
    pub db_path: PathBuf,
    /// Where to listen; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Development mode: a dev staff credential, the recording OTP sender and
    /// `GET /v1/admin/otp/peek`. Never for production.
    pub dev: bool,
    /// Where the webhook OTP sender POSTs `{to, code, purpose}`.
    pub otp_webhook: Option<String>,
    /// The server key file (`server_key`); `None`: `<db_path>.key`, created on first
    /// start. Every API instance of one database must be given the same key.
    pub key_file: Option<PathBuf>,
    /// Budgets that are not part of the client contract ([`Limits::default`] in
    /// production; the load generator raises them to measure what they would hide).
    pub limits: Limits,
}

/// Per-person budgets the server enforces beyond the contract's fixed limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `invite_create` mutations one person may push per 24 hours
    /// (`domain::invites::INVITE_CREATES_PER_DAY`); `None`: not counted at all (the load
    /// generator, which measures the cap's race, not the budget).
    pub invite_creates_per_day: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            invite_creates_per_day: Some(lobby_model::domain::invites::INVITE_CREATES_PER_DAY),
        }
    }
}

/// Largest JSON request body.
pub const MAX_JSON_BODY: usize = 2 * 1024 * 1024;
/// Largest owner-registry CSV body.
pub const MAX_CSV_BODY: usize = 10 * 1024 * 1024;
/// Longest free-text field accepted where no stricter rule applies (bytes).
pub const MAX_FIELD_BYTES: usize = 512;
/// Longest login identifier (a phone or an e-mail), bytes.
pub const MAX_LOGIN_ID_BYTES: usize = 254;
/// Longest password accepted at login before any hashing (bytes; the policy allows 128
/// characters, which is at most 512 bytes of UTF-8).
pub const MAX_PASSWORD_BYTES: usize = 512;
/// Most mutations in one push.
pub const MAX_MUTATIONS_PER_PUSH: usize = 500;
/// Default and largest pull page.
pub const DEFAULT_PULL_LIMIT: u32 = 5_000;
pub const MAX_PULL_LIMIT: u32 = 10_000;
/// Most scopes a client may name in one pull.
pub const MAX_PULL_SCOPES: usize = 10_000;
/// Password login: the window failed attempts are counted over (the limits themselves
/// are in `password_attempts`).
pub const PASSWORD_WINDOW_SECS: u64 = 15 * 60;
