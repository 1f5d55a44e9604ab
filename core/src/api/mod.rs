//! The HTTP client for the server's API (contract in [`crate::protocol`]).
//!
//! Maps every failure onto an [`ErrorCode`]: no connection, a timeout or a response cut
//! short is `offline` (transient: retry later); a 5xx is `server_error` (transient); a
//! 4xx carries the server's own stable code. TLS is rustls; no OpenSSL is linked. Who
//! checks a server's certificate (the platform, the system's roots, the bundled ones) is
//! [`tls`]'s business; a client that cannot be built is `tls_unavailable`.

mod tls;

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ErrorCode, LobbyError, Result};
use crate::protocol::*;

pub use tls::set_platform_verifier_ready;

/// How long to wait for a connection, and for a whole request.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether a failure is worth retrying later (as opposed to a final answer).
pub fn is_transient(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::Offline | ErrorCode::ServerError | ErrorCode::RateLimited
    )
}

/// `https://` anywhere, `http://` only to a loopback host; which of the two it is.
fn check_server_url(base: &str) -> Result<tls::Peer> {
    let bad = || {
        LobbyError::invalid(
            "the server address must be https://… (http:// only for a server on this device)",
        )
    };
    let url = reqwest::Url::parse(base).map_err(|_| bad())?;
    let host = url.host_str().unwrap_or("");
    match url.scheme() {
        "https" if !host.is_empty() => Ok(tls::Peer::Https),
        "http" => {
            let bare = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = bare.eq_ignore_ascii_case("localhost")
                || bare
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if loopback {
                Ok(tls::Peer::LoopbackHttp)
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

/// The default headers of every request: the device's label, when it has a valid one
/// (`domain::device_label`; an invalid one is left out, as the server would drop it).
fn default_headers(device_label: Option<&str>) -> reqwest::header::HeaderMap {
    use crate::domain::device_label::{check_device_label, encode_header, DEVICE_HEADER};
    let mut headers = reqwest::header::HeaderMap::new();
    let value = device_label
        .and_then(|l| check_device_label(l).ok())
        .and_then(|l| reqwest::header::HeaderValue::from_str(&encode_header(&l)).ok());
    if let Some(v) = value {
        headers.insert(DEVICE_HEADER, v);
    }
    headers
}

#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    /// A client of the server at `base_url`: `https://`, or `http://` to this device
    /// itself only (loopback: a development server). Tokens, codes and personal data
    /// never travel in clear text over a network (MASVS-NETWORK-1). `device_label` goes
    /// with every request as `Lobby-Device`; the server keeps it with a sign-in.
    pub fn new(base_url: &str, device_label: Option<&str>) -> Result<ApiClient> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let peer = check_server_url(&base)?;
        ApiClient::with_tls(base, device_label, tls::client_config(peer)?)
    }

    /// The client over a TLS configuration made already (`tls::client_config`; any other
    /// type makes reqwest refuse to build, which is `tls_unavailable` too).
    fn with_tls(
        base: String,
        device_label: Option<&str>,
        tls: impl std::any::Any,
    ) -> Result<ApiClient> {
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .default_headers(default_headers(device_label))
            // The API never redirects; following one could leave TLS or the server.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("lobby-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| tls::unavailable(format!("http client: {}", tls::with_sources(&e))))?;
        Ok(ApiClient { http, base })
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        bearer: Option<&str>,
    ) -> Result<R> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.map_err(transport_error)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transport_error)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                LobbyError::new(
                    ErrorCode::ServerError,
                    format!("unexpected answer from the server: {e}"),
                )
            });
        }
        Err(error_answer(status, &bytes))
    }

    /// Downloads a file (`GET /v1/files/{id}`): its content type and bytes. A body
    /// longer than `max_bytes` is refused (`server_error`) without being read whole.
    pub async fn file(&self, bearer: &str, file_id: &str, max_bytes: u64) -> Result<Downloaded> {
        let url = format!("{}/v1/files/{}", self.base, encode_path_segment(file_id));
        let resp = self
            .http
            .get(url)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(transport_error)?;
        let status = resp.status();
        let too_long = || {
            LobbyError::new(
                ErrorCode::ServerError,
                "the server sent a longer file than the record names",
            )
        };
        if status.is_success() && resp.content_length().is_some_and(|n| n > max_bytes) {
            return Err(too_long());
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/octet-stream")
            .to_string();
        let bytes = resp.bytes().await.map_err(transport_error)?;
        if !status.is_success() {
            return Err(error_answer(status, &bytes));
        }
        if bytes.len() as u64 > max_bytes {
            return Err(too_long());
        }
        Ok(Downloaded {
            content_type,
            bytes: bytes.to_vec(),
        })
    }

    pub async fn onboarding_preview(&self, payload: &str) -> Result<OnboardingPreview> {
        self.post(
            "/v1/onboarding/preview",
            &OnboardingPreviewRequest {
                payload: payload.into(),
            },
            None,
        )
        .await
    }

    pub async fn onboarding_start(
        &self,
        req: &OnboardingStartRequest,
        bearer: Option<&str>,
    ) -> Result<OtpSent> {
        self.post("/v1/onboarding/start", req, bearer).await
    }

    pub async fn onboarding_verify(&self, req: &OtpVerifyRequest) -> Result<SessionGrant> {
        self.post("/v1/onboarding/verify", req, None).await
    }

    pub async fn onboarding_claim(&self, bearer: &str, payload: &str) -> Result<OnboardingClaimed> {
        self.post(
            "/v1/onboarding/claim",
            &OnboardingClaimRequest {
                payload: payload.into(),
            },
            Some(bearer),
        )
        .await
    }

    pub async fn invite_accept(&self, req: &InviteAcceptRequest) -> Result<OtpSent> {
        self.post("/v1/invites/accept", req, None).await
    }

    pub async fn login_otp(&self, to: &str) -> Result<OtpSent> {
        self.post("/v1/auth/otp", &OtpLoginRequest { to: to.into() }, None)
            .await
    }

    pub async fn login_otp_verify(&self, req: &OtpVerifyRequest) -> Result<SessionGrant> {
        self.post("/v1/auth/otp/verify", req, None).await
    }

    pub async fn login_password(&self, to: &str, password: &str) -> Result<SessionGrant> {
        self.post(
            "/v1/auth/password",
            &PasswordLoginRequest {
                to: to.into(),
                password: password.into(),
            },
            None,
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<SessionGrant> {
        self.post(
            "/v1/auth/refresh",
            &RefreshRequest {
                refresh_token: refresh_token.into(),
            },
            None,
        )
        .await
    }

    pub async fn logout(&self, bearer: &str, req: &LogoutRequest) -> Result<LoggedOut> {
        self.post("/v1/auth/logout", req, Some(bearer)).await
    }

    pub async fn email_change(&self, bearer: &str, email: &str) -> Result<OtpSent> {
        self.post(
            "/v1/me/email",
            &EmailChangeRequest {
                email: email.into(),
            },
            Some(bearer),
        )
        .await
    }

    pub async fn email_change_verify(&self, bearer: &str, req: &OtpVerifyRequest) -> Result<Empty> {
        self.post("/v1/me/email/verify", req, Some(bearer)).await
    }

    pub async fn phone_change(&self, bearer: &str, phone: &str) -> Result<OtpSent> {
        self.post(
            "/v1/me/phone",
            &PhoneChangeRequest {
                phone: phone.into(),
            },
            Some(bearer),
        )
        .await
    }

    pub async fn phone_change_verify(&self, bearer: &str, req: &OtpVerifyRequest) -> Result<Empty> {
        self.post("/v1/me/phone/verify", req, Some(bearer)).await
    }

    /// The person's signed-in devices (`GET /v1/me/sessions`).
    pub async fn sessions(&self, bearer: &str) -> Result<SessionList> {
        let resp = self
            .http
            .get(format!("{}/v1/me/sessions", self.base))
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(transport_error)?;
        read_json(resp).await
    }

    pub async fn pull(&self, bearer: &str, req: &PullRequest) -> Result<PullResponse> {
        self.post("/v1/sync/pull", req, Some(bearer)).await
    }

    pub async fn push(&self, bearer: &str, req: &PushRequest) -> Result<PushResponse> {
        self.post("/v1/sync/push", req, Some(bearer)).await
    }

    /// How much of an upload the server has (`not_found`: none yet).
    pub async fn upload_state(&self, bearer: &str, upload_id: &str) -> Result<UploadState> {
        let url = format!(
            "{}/v1/uploads/{}",
            self.base,
            encode_path_segment(upload_id)
        );
        let resp = self
            .http
            .get(url)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(transport_error)?;
        read_json(resp).await
    }

    /// Sends one chunk of an upload at `offset`.
    pub async fn put_upload_chunk(
        &self,
        bearer: &str,
        upload_id: &str,
        offset: u64,
        size: u64,
        sha256: &str,
        chunk: Vec<u8>,
    ) -> Result<UploadState> {
        let url = format!(
            "{}/v1/uploads/{}?offset={offset}&size={size}&sha256={}",
            self.base,
            encode_path_segment(upload_id),
            encode_path_segment(sha256)
        );
        let resp = self
            .http
            .put(url)
            .bearer_auth(bearer)
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(chunk)
            .send()
            .await
            .map_err(transport_error)?;
        read_json(resp).await
    }

    /// Everything the server holds about the person (`GET /v1/me/export`).
    pub async fn export(&self, bearer: &str) -> Result<PersonalDataExport> {
        let resp = self
            .http
            .get(format!("{}/v1/me/export", self.base))
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(transport_error)?;
        read_json(resp).await
    }

    /// The published part of a meeting's ballot log (`GET /v1/meetings/{id}/ballot-log`).
    pub async fn ballot_log(&self, bearer: &str, meeting_id: &str) -> Result<BallotLog> {
        let url = format!(
            "{}/v1/meetings/{}/ballot-log",
            self.base,
            encode_path_segment(meeting_id)
        );
        let resp = self
            .http
            .get(url)
            .bearer_auth(bearer)
            .send()
            .await
            .map_err(transport_error)?;
        read_json(resp).await
    }
}

/// A JSON answer, or the refusal it is.
async fn read_json<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(transport_error)?;
    if !status.is_success() {
        return Err(error_answer(status, &bytes));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        LobbyError::new(
            ErrorCode::ServerError,
            format!("the server sent an answer this app cannot read: {e}"),
        )
    })
}

/// A downloaded file.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A refusal's stable code and message (`ApiError`), or a generic error when the body is
/// not one.
fn error_answer(status: reqwest::StatusCode, bytes: &[u8]) -> LobbyError {
    match serde_json::from_slice::<ApiError>(bytes) {
        Ok(e) => {
            let mut message = e.error.message;
            if let Some(secs) = e.error.retry_after_secs {
                if !message.contains("try again") {
                    message.push_str(&format!(" (try again in {secs} s)"));
                }
            }
            LobbyError::new(ErrorCode::parse(&e.error.code), message)
        }
        Err(_) if status.is_server_error() => LobbyError::new(
            ErrorCode::ServerError,
            format!("the server failed (HTTP {})", status.as_u16()),
        ),
        Err(_) => LobbyError::new(
            ErrorCode::ServerError,
            format!("unexpected HTTP {} from the server", status.as_u16()),
        ),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (ids are UUIDs; this
/// keeps any other id inside its path segment).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn transport_error(e: reqwest::Error) -> LobbyError {
    // Never include the URL's query or body; reqwest's Display has neither.
    let why = if e.is_timeout() {
        "the server did not answer in time"
    } else if e.is_connect() {
        "cannot reach the server"
    } else {
        "the connection to the server broke"
    };
    LobbyError::new(ErrorCode::Offline, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_url_must_be_https_or_loopback_http() {
        assert!(ApiClient::new("ftp://x", None).is_err());
        assert!(ApiClient::new("not a url", None).is_err());
        for clear_text in [
            "http://lobby.example.com",
            "http://192.168.1.20:8080",
            "http://10.0.2.2:8080",
        ] {
            let e = ApiClient::new(clear_text, None).err().map(|e| e.code);
            assert_eq!(e, Some(ErrorCode::InvalidInput), "{clear_text}");
        }
        for ok in [
            "https://lobby.example.com/",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(ApiClient::new(ok, None).is_ok(), "{ok}");
        }
        assert_eq!(
            ApiClient::new("http://127.0.0.1:1/", None)
                .unwrap()
                .base_url(),
            "http://127.0.0.1:1"
        );
    }

    #[test]
    fn path_segments_keep_ids_and_escape_the_rest() {
        assert_eq!(
            encode_path_segment("0190f5e4-7a3b-7c00-8000-000000000001"),
            "0190f5e4-7a3b-7c00-8000-000000000001"
        );
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn only_a_valid_device_label_is_sent_and_it_is_encoded() {
        let sent = |label| {
            default_headers(Some(label))
                .get("Lobby-Device")
                .map(|v| v.as_bytes().to_vec())
        };
        assert_eq!(
            sent("Pixel 8 · Android 15").as_deref(),
            Some(&b"Pixel 8 %C2%B7 Android 15"[..])
        );
        assert_eq!(sent("\u{202E}evil"), None);
        assert_eq!(sent(&"a".repeat(65)), None);
        assert!(default_headers(None).is_empty());
    }

    #[tokio::test]
    async fn unreachable_server_is_offline() {
        // Port 9 on loopback: nothing listens; the connection is refused at once.
        let api = ApiClient::new("http://127.0.0.1:9", None).unwrap();
        let e = api.login_otp("0812345678").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Offline);
        assert!(is_transient(e.code));
    }

    #[tokio::test]
    async fn a_loopback_client_builds_and_talks_without_any_roots() {
        let base = "http://127.0.0.1:9".to_string();
        assert_eq!(check_server_url(&base).unwrap(), tls::Peer::LoopbackHttp);
        let config = tls::client_config_with(tls::Peer::LoopbackHttp, tls::tests::aws_lc(), |_| {
            Err(tls::unavailable("no roots on this machine"))
        })
        .expect("no roots needed");
        let api = ApiClient::with_tls(base, None, config).expect("loopback client");
        // It is a working client: nothing listens there, so the answer is `offline`.
        let e = api.login_otp("0812345678").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Offline);
    }

    #[cfg(not(any(target_os = "android", target_vendor = "apple")))]
    #[test]
    fn an_https_client_builds_without_system_roots_on_the_bundled_ones() {
        let base = "https://lobby.example.com".to_string();
        assert_eq!(check_server_url(&base).unwrap(), tls::Peer::Https);
        let (roots, source) = tls::root_store(Vec::new());
        assert!(matches!(source, tls::RootsSource::Bundled(_)), "{source:?}");
        let config = tls::client_config_with(tls::Peer::Https, tls::tests::aws_lc(), |p| {
            tls::roots_verifier(p, std::sync::Arc::new(roots))
        })
        .expect("https config on the bundled roots");
        ApiClient::with_tls(base, None, config).expect("https client");
    }

    #[test]
    fn a_client_that_cannot_be_built_is_tls_unavailable_not_internal() {
        // No verifier for https (no roots, no platform verifier).
        let e = tls::client_config_with(tls::Peer::Https, tls::tests::aws_lc(), |_| {
            Err(tls::unavailable("no roots on this machine"))
        })
        .expect_err("no verifier");
        assert_eq!(e.code, ErrorCode::TlsUnavailable);
        // reqwest refusing to build (here: a TLS configuration it does not know).
        let e = ApiClient::with_tls("https://lobby.example.com".into(), None, 0u8)
            .err()
            .expect("reqwest refuses");
        assert_eq!(e.code, ErrorCode::TlsUnavailable);
        assert!(
            e.message.starts_with(
                "this device cannot set up secure connections: http client: builder error: "
            ),
            "{}",
            e.message
        );
        // A device fault, not a network one: retrying later does not help.
        assert!(!is_transient(ErrorCode::TlsUnavailable));
    }
}
