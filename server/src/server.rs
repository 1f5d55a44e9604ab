//! Starting and stopping a server: open and migrate storage, pick the OTP sender, make
//! the dev staff credential in development mode, bind, serve with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use lobby_model::domain::secret_token::{random_secret, secret_digest};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::ServerConfig;
use crate::invites::rekey_stored_codes;
use crate::otp_sender::{
    DevOtpSender, FanOutOtpSender, OtpSender, UndeliveredOtpSender, WebhookOtpSender,
};
use crate::server_key::ServerKey;
use crate::staff::add_staff;
use crate::state::AppState;
use crate::storage::{NewStaff, SqliteStorage, Storage};

/// A server running on the current tokio runtime. Dropping it also shuts it down (in the
/// background); [`RunningServer::shutdown`] waits until it has.
pub struct RunningServer {
    /// `http://HOST:PORT`.
    pub url: String,
    /// The development staff token (`Some` only in dev mode).
    pub staff_token: Option<String>,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish, and returns.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.context("server task")?.context("server")?;
        tracing::info!("server stopped");
        Ok(())
    }
}

/// The sender every code goes through, and the dev recorder behind it (dev mode only).
type Senders = (Arc<dyn OtpSender>, Option<Arc<DevOtpSender>>);

fn senders(config: &ServerConfig) -> anyhow::Result<Senders> {
    let webhook: Option<Arc<dyn OtpSender>> = match &config.otp_webhook {
        Some(url) => Some(Arc::new(WebhookOtpSender::new(url.clone())?)),
        None => None,
    };
    if config.dev {
        tracing::warn!(
            "DEVELOPMENT MODE: OTP codes are recorded in memory and readable through \
             /v1/admin/otp/peek, a dev staff token is printed, and loopback clients skip \
             per-address limits. NEVER USE --dev IN PRODUCTION."
        );
        let dev = Arc::new(DevOtpSender::new());
        let sender: Arc<dyn OtpSender> = match webhook {
            Some(w) => Arc::new(FanOutOtpSender(vec![dev.clone(), w])),
            None => dev.clone(),
        };
        return Ok((sender, Some(dev)));
    }
    match webhook {
        Some(w) => Ok((w, None)),
        None => {
            tracing::warn!("no --otp-webhook configured: OTP codes will not be delivered");
            Ok((Arc::new(UndeliveredOtpSender), None))
        }
    }
}

/// Starts a server as configured and returns once it is listening.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let db_path = config.db_path.clone();
    let storage: Arc<dyn Storage> = Arc::new(
        tokio::task::spawn_blocking(move || SqliteStorage::open(&db_path))
            .await
            .context("opening the database")?
            .with_context(|| format!("opening the database {}", config.db_path.display()))?,
    );
    let key_path = config
        .key_file
        .clone()
        .unwrap_or_else(|| ServerKey::default_path(&config.db_path));
    let key = Arc::new(
        tokio::task::spawn_blocking(move || ServerKey::load_or_create(&key_path))
            .await
            .context("loading the server key")??,
    );
    let (s, k) = (storage.clone(), key.clone());
    let rekeyed = tokio::task::spawn_blocking(move || rekey_stored_codes(s.as_ref(), &k))
        .await
        .context("rekeying invitation codes")?
        .map_err(|e| anyhow::anyhow!("rekeying invitation codes: {e}"))?;
    if rekeyed > 0 {
        tracing::info!(rekeyed, "invitation codes stored with keyed digests");
    }
    let (sender, dev_sender) = senders(&config)?;

    let staff_token = if config.dev {
        let token = random_secret(32);
        let staff = NewStaff {
            id: uuid::Uuid::now_v7().to_string(),
            name: "dev".to_string(),
            project_id: None,
            token_digest: secret_digest(&token),
        };
        let s = storage.clone();
        tokio::task::spawn_blocking(move || add_staff(s.as_ref(), &staff, Utc::now()))
            .await
            .context("creating the dev staff credential")?
            .map_err(|e| anyhow::anyhow!("creating the dev staff credential: {e}"))?;
        Some(token)
    } else {
        None
    };

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    let storage_for_janitor = storage.clone();
    let app = crate::http::router(AppState::new(
        storage,
        key,
        config.limits,
        sender,
        dev_sender,
        config.dev,
    ))
    .into_make_service_with_connect_info::<SocketAddr>();
    let (shutdown, stop) = oneshot::channel::<()>();
    let janitor = tokio::spawn(janitor(storage_for_janitor));
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.await;
            })
            .await;
        janitor.abort();
        served
    });
    tracing::info!(%url, dev = config.dev, "listening");
    Ok(RunningServer {
        url,
        staff_token,
        shutdown,
        task,
    })
}

/// How often the janitor runs the retention job.
const JANITOR_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the retention job (`crate::retention`: what must not outlive its use, each
/// category in its own unit of work) every [`JANITOR_EVERY`]; the job logs what it
/// removed and what failed.
async fn janitor(storage: Arc<dyn Storage>) {
    let mut tick = tokio::time::interval(JANITOR_EVERY);
    loop {
        tick.tick().await;
        let s = storage.clone();
        let ran =
            tokio::task::spawn_blocking(move || crate::retention::run(s.as_ref(), Utc::now()))
                .await;
        if let Err(e) = ran {
            tracing::warn!(error = %e, "retention task");
        }
    }
}
