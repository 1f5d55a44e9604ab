//! The TLS configuration of the core's HTTP client: who decides whether a server's
//! certificate is to be trusted.
//!
//! Why this module exists: reqwest's own `rustls` setup asks rustls-platform-verifier,
//! which on Linux needs the system's CA certificates and refuses to build *any* client
//! without them — even one that only ever talks clear-text HTTP to a development server
//! on this device. A phone core must not fail for want of a file in `/etc/ssl`, so the
//! core builds its rustls [`ClientConfig`] itself and hands it to reqwest:
//!
//! - **iOS, macOS, Android**: the platform's verifier decides (rustls-platform-verifier:
//!   Security.framework with the device's trust settings; Android's TrustManager over the
//!   device's CA store), revocation included where the platform checks it. On Android the
//!   verifier needs the app's `Context` through JNI first: `LobbyTls.init(context)`
//!   (`bindings/src/android_tls.rs`); until then an `https://` client is refused with
//!   `tls_unavailable` rather than panicking at the first handshake.
//! - **Elsewhere** (Linux desktops and servers, the CLI, the tests): the system's roots
//!   (rustls-native-certs, which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`) when it has
//!   any, else the Mozilla set bundled in the binary (webpki-roots), checked by webpki.
//! - **`http://` to loopback** (the only clear-text address allowed, `check_server_url`):
//!   no roots at all. TLS is never used there, so its configuration trusts nothing and
//!   cannot fail for want of roots or of a platform verifier.
//!
//! The crypto provider is the one reqwest itself would use: the process default when the
//! app installed one, else aws-lc-rs (what reqwest's `rustls` feature links) — no second
//! provider. A client that still cannot be built is `tls_unavailable`, never `internal`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rustls::client::danger::ServerCertVerifier;
use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, RootCertStore};

use crate::error::{ErrorCode, LobbyError, Result};

/// What the client talks to, as far as TLS is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Peer {
    /// `https://` anywhere: certificates are checked.
    Https,
    /// `http://` to this device: no TLS, no roots needed.
    LoopbackHttp,
}

/// A client that cannot be built: its own stable code, with the reason.
pub(crate) fn unavailable(why: impl std::fmt::Display) -> LobbyError {
    LobbyError::new(
        ErrorCode::TlsUnavailable,
        format!("this device cannot set up secure connections: {why}"),
    )
}

/// The TLS configuration for a client of `peer`, as this platform decides.
pub(crate) fn client_config(peer: Peer) -> Result<ClientConfig> {
    client_config_with(peer, default_provider(), system_verifier)
}

/// [`client_config`] with the crypto provider and the maker of the `https://` verifier
/// given (the tests give one without roots, or one that fails). A loopback peer never
/// asks for the verifier.
pub(crate) fn client_config_with(
    peer: Peer,
    provider: Arc<CryptoProvider>,
    https_verifier: impl FnOnce(Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>>,
) -> Result<ClientConfig> {
    match peer {
        Peer::LoopbackHttp => loopback_config(provider),
        Peer::Https => https_config(provider, https_verifier),
    }
}

/// A reason and the reasons under it (reqwest's own message is just "builder error").
pub(crate) fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The crypto provider reqwest would pick: the process default, else aws-lc-rs.
fn default_provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

/// Loopback `http://`: a configuration that trusts no certificate, never used. Should an
/// odd process-default provider refuse the default TLS versions, aws-lc-rs itself is
/// used: nothing about this configuration may stop a loopback client.
fn loopback_config(provider: Arc<CryptoProvider>) -> Result<ClientConfig> {
    trusting_nothing(provider)
        .or_else(|_| trusting_nothing(Arc::new(rustls::crypto::aws_lc_rs::default_provider())))
}

fn trusting_nothing(provider: Arc<CryptoProvider>) -> Result<ClientConfig> {
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(unavailable)?
        .with_root_certificates(RootCertStore::empty())
        .with_no_client_auth();
    Ok(finish(config))
}

/// `https://`: TLS 1.2 and 1.3 with `provider`, certificates checked by the verifier
/// `verifier` makes (injectable for the tests).
fn https_config(
    provider: Arc<CryptoProvider>,
    verifier: impl FnOnce(Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>>,
) -> Result<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(unavailable)?;
    let verifier = verifier(provider)?;
    let config = builder
        .dangerous() // only in name: this is how a verifier other than webpki is plugged in
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(finish(config))
}

/// What reqwest sets on a configuration it builds itself: ALPN for HTTP/1.1 (reqwest is
/// built without HTTP/2). SNI stays on (the rustls default).
fn finish(mut config: ClientConfig) -> ClientConfig {
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    config
}

// The platform's verifier (iOS, macOS, Android). Compiled everywhere so that it is checked
// on every build; used only where the platform has a verifier of its own.

#[cfg(any(target_os = "android", target_vendor = "apple"))]
fn system_verifier(provider: Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>> {
    platform_verifier(provider)
}

/// Set once the Android shell has handed the platform verifier the app's `Context`.
static PLATFORM_VERIFIER_READY: AtomicBool = AtomicBool::new(false);

/// Records that the platform verifier was initialised (Android: `LobbyTls.init(context)`,
/// called by `lobby-ffi`'s JNI entry point once `rustls_platform_verifier::android::
/// init_with_env` succeeded). Harmless elsewhere.
pub fn set_platform_verifier_ready() {
    PLATFORM_VERIFIER_READY.store(true, Ordering::SeqCst);
}

/// On Android the verifier calls into the JVM through the `Context` it was given, and
/// panics at the first handshake without one: refuse the client up front instead.
fn require_platform_verifier_ready(ready: bool) -> Result<()> {
    if ready {
        Ok(())
    } else {
        Err(unavailable(
            "the platform's certificate verifier was not initialised \
             (Android: call LobbyTls.init(context) before the first connection)",
        ))
    }
}

#[cfg_attr(
    not(any(target_os = "android", target_vendor = "apple")),
    allow(dead_code)
)]
fn platform_verifier(provider: Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>> {
    if cfg!(target_os = "android") {
        require_platform_verifier_ready(PLATFORM_VERIFIER_READY.load(Ordering::SeqCst))?;
    }
    let verifier = rustls_platform_verifier::Verifier::new(provider).map_err(unavailable)?;
    Ok(Arc::new(verifier))
}

// Elsewhere: the system's roots, else the bundled ones, checked by webpki.

#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
fn system_verifier(provider: Arc<CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>> {
    roots_verifier(provider, system_roots())
}

/// Where the roots came from.
#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RootsSource {
    /// The system's CA certificates (this many usable ones).
    System(usize),
    /// None usable on the system: the Mozilla set bundled in the binary.
    Bundled(usize),
}

/// The trust anchors from the system's CA certificates `native` (as rustls-native-certs
/// loaded them; unparsable ones are skipped), or the bundled set when none is usable.
#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
pub(crate) fn root_store(
    native: Vec<rustls::pki_types::CertificateDer<'static>>,
) -> (RootCertStore, RootsSource) {
    let mut roots = RootCertStore::empty();
    let (added, ignored) = roots.add_parsable_certificates(native);
    if ignored > 0 {
        tracing::debug!("{ignored} system CA certificates could not be parsed; skipped");
    }
    if added > 0 {
        return (roots, RootsSource::System(added));
    }
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let n = roots.len();
    (roots, RootsSource::Bundled(n))
}

/// The system's roots (or the bundled ones), loaded once per process.
#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: std::sync::OnceLock<Arc<RootCertStore>> = std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let loaded = rustls_native_certs::load_native_certs();
            for e in &loaded.errors {
                tracing::debug!("loading the system's CA certificates: {e}");
            }
            let (roots, source) = root_store(loaded.certs);
            match source {
                RootsSource::System(n) => tracing::debug!("TLS: {n} system CA certificates"),
                RootsSource::Bundled(n) => tracing::warn!(
                    "TLS: no usable CA certificates on this system; using the {n} bundled roots"
                ),
            }
            Arc::new(roots)
        })
        .clone()
}

#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
pub(crate) fn roots_verifier(
    provider: Arc<CryptoProvider>,
    roots: Arc<RootCertStore>,
) -> Result<Arc<dyn ServerCertVerifier>> {
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
        .build()
        .map_err(unavailable)?;
    Ok(verifier)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn aws_lc() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::aws_lc_rs::default_provider())
    }

    #[test]
    fn loopback_http_needs_no_roots_and_no_verifier() {
        let config = client_config(Peer::LoopbackHttp).expect("loopback config");
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        // Not even asked for: a loopback client builds where no verifier can be made.
        client_config_with(Peer::LoopbackHttp, aws_lc(), |_| {
            panic!("a loopback client asked for certificate roots")
        })
        .expect("loopback config without roots");
    }

    #[cfg(not(any(target_os = "android", target_vendor = "apple")))]
    #[test]
    fn without_system_roots_the_bundled_set_is_used() {
        let (roots, source) = root_store(Vec::new());
        assert!(
            matches!(source, RootsSource::Bundled(n) if n > 100),
            "{source:?}"
        );
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        // Garbage in the system's store does not count as roots either.
        let junk = rustls::pki_types::CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        let (_, source) = root_store(vec![junk]);
        assert!(matches!(source, RootsSource::Bundled(_)), "{source:?}");
        // And those roots make a working https configuration.
        let config = https_config(aws_lc(), |p| roots_verifier(p, Arc::new(roots)))
            .expect("https config on the bundled roots");
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_verifier_that_cannot_be_made_is_tls_unavailable() {
        let e = https_config(aws_lc(), |_| Err(unavailable("no roots, no platform")))
            .expect_err("no verifier");
        assert_eq!(e.code, ErrorCode::TlsUnavailable);
        assert!(e.message.contains("no roots, no platform"), "{}", e.message);

        // A crypto provider that offers no cipher suite: no TLS version can be used.
        let broken = Arc::new(CryptoProvider {
            cipher_suites: Vec::new(),
            ..rustls::crypto::aws_lc_rs::default_provider()
        });
        let e = https_config(broken.clone(), |_| unreachable!("never asked"))
            .expect_err("no cipher suites");
        assert_eq!(e.code, ErrorCode::TlsUnavailable);
        // Even then a loopback client is configured (on aws-lc-rs itself).
        assert!(trusting_nothing(broken.clone()).is_err());
        assert!(loopback_config(broken).is_ok());
    }

    #[test]
    fn an_android_verifier_without_its_context_is_refused_with_a_clear_reason() {
        let e = require_platform_verifier_ready(false).expect_err("not initialised");
        assert_eq!(e.code, ErrorCode::TlsUnavailable);
        assert!(
            e.message.contains("LobbyTls.init(context)"),
            "{}",
            e.message
        );
        assert!(require_platform_verifier_ready(true).is_ok());
    }
}
