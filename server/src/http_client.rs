//! The server's own outgoing HTTP clients — the `lobby-server admin …` commands and the
//! OTP webhook — built so that a machine without system CA certificates (a slim
//! container, a fresh root) still gets a working client: reqwest's default (the
//! platform's roots) when it builds, else the Mozilla roots bundled in the binary
//! (webpki-roots). Building never panics; the phone's own client has the same rule in
//! `lobby-core`'s `api/tls.rs`.

use std::sync::Arc;
use std::time::Duration;

/// A client with `timeout`, or why none could be built.
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    let builder = || reqwest::Client::builder().timeout(timeout);
    match builder().build() {
        Ok(client) => Ok(client),
        Err(default_error) => {
            tracing::warn!("no usable system CA certificates; using the bundled roots");
            let config = bundled_roots_config()
                .map_err(|e| format!("http client: {default_error}; bundled roots: {e}"))?;
            builder()
                .tls_backend_preconfigured(config)
                .build()
                .map_err(|e| format!("http client: {default_error}; bundled roots: {e}"))
        }
    }
}

/// TLS 1.2 and 1.3 with aws-lc-rs (the provider reqwest links), trusting webpki-roots.
fn bundled_roots_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_roots_make_a_client() {
        let config = bundled_roots_config().expect("config");
        reqwest::Client::builder()
            .tls_backend_preconfigured(config)
            .build()
            .expect("a client on the bundled roots");
    }
}
