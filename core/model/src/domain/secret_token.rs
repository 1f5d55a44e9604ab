//! Random bearer secrets (onboarding tokens, session tokens) and how they are kept.
//!
//! Every secret is drawn from the operating system's CSPRNG and written in Crockford
//! base32 (no I/L/O/U, so it survives being read aloud or printed in a QR). The server
//! keeps only a SHA-256 digest of each, so a leaked database reveals no usable token.

use data_encoding::{Encoding, Specification};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Crockford's base32 alphabet, upper case, no padding.
pub fn crockford() -> &'static Encoding {
    static ENC: OnceLock<Encoding> = OnceLock::new();
    ENC.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
        spec.translate.from.push_str("abcdefghjkmnpqrstvwxyzOoIiLl");
        spec.translate.to.push_str("ABCDEFGHJKMNPQRSTVWXYZ001111");
        match spec.encoding() {
            Ok(enc) => enc,
            // The specification above is a constant; this branch cannot be reached.
            Err(_) => data_encoding::BASE32_NOPAD,
        }
    })
}

/// `bytes` random bytes from the OS CSPRNG, Crockford base32 encoded.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    crockford().encode(&buf)
}

/// The digest under which the server stores a secret.
pub fn secret_digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_bytes_make_thirty_two_crockford_characters() {
        let s = random_secret(20);
        assert_eq!(s.len(), 32);
        assert!(s
            .chars()
            .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
        assert_ne!(s, random_secret(20));
    }

    #[test]
    fn digest_is_stable_hex() {
        assert_eq!(secret_digest("abc").len(), 64);
        assert_eq!(secret_digest("abc"), secret_digest("abc"));
    }
}
