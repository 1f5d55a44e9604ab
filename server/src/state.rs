//! What every handler shares: storage, the OTP sender, password-attempt limiters, and
//! whether this is a development server.

use std::net::IpAddr;
use std::sync::Arc;

use crate::config::Limits;
use crate::error::{AppError, AppResult};
use crate::otp_sender::{DevOtpSender, OtpSender};
use crate::password_attempts::PasswordAttempts;
use crate::server_key::ServerKey;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    /// The key of every keyed digest (`server_key`).
    pub key: Arc<ServerKey>,
    pub limits: Limits,
    pub sender: Arc<dyn OtpSender>,
    /// Only in development mode: the recording sender behind `otp peek`.
    pub dev_sender: Option<Arc<DevOtpSender>>,
    pub dev: bool,
    /// Failed password logins (per account and address, per account, per address).
    pub password_attempts: Arc<PasswordAttempts>,
}

impl AppState {
    pub fn new(
        storage: Arc<dyn Storage>,
        key: Arc<ServerKey>,
        limits: Limits,
        sender: Arc<dyn OtpSender>,
        dev_sender: Option<Arc<DevOtpSender>>,
        dev: bool,
    ) -> Self {
        AppState {
            storage,
            key,
            limits,
            sender,
            dev_sender,
            dev,
            password_attempts: Arc::new(PasswordAttempts::default()),
        }
    }

    /// Runs a storage operation on a blocking thread.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Storage) -> AppResult<T> + Send + 'static,
    {
        let storage = self.storage.clone();
        tokio::task::spawn_blocking(move || f(storage.as_ref()))
            .await
            .map_err(|e| AppError::server("blocking task", e))?
    }

    /// What pushed mutations are applied with.
    /// What mutations pushed by the session family `family_id` are applied with.
    pub fn mutation_context(&self, family_id: &str) -> crate::mutations::Context {
        crate::mutations::Context {
            key: self.key.clone(),
            limits: self.limits,
            family_id: Some(family_id.to_string()),
        }
    }

    /// Whether per-client-address limits apply to `ip`. A development server trusts
    /// loopback clients (demos and tests run every "device" from 127.0.0.1); everything
    /// else, and every client of a production server, is limited.
    pub fn limit_client(&self, ip: IpAddr) -> bool {
        !(self.dev && ip.is_loopback())
    }
}
