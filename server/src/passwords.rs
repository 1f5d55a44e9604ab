//! Password hashing with Argon2id (DESIGN.md §2.2). The policy itself is
//! `lobby_model::domain::password`; this is only storage and comparison.
//!
//! Login against an unknown account verifies against a dummy hash, so "no such account"
//! and "wrong password" take the same time and give the same answer.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

use crate::error::{AppError, AppResult};

/// Hashes a password (Argon2id, default parameters, random salt) into a PHC string.
/// CPU-heavy: call from a blocking task.
pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::server("password salt", e))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::server("password hash", e))
}

/// Whether `password` matches `stored` (a PHC string). With `None` it checks against a
/// dummy hash and answers false, taking the same time. CPU-heavy: call from a blocking
/// task.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy_hash(), false),
    };
    let ok = match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    };
    ok && real
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut pw = [0u8; 24];
        rand::rngs::OsRng.fill_bytes(&mut pw);
        hash_password(&hex::encode(pw)).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_password_verifies_and_wrong_or_unknown_does_not() {
        let h = hash_password("Passw0rd!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(&h), "Passw0rd!"));
        assert!(!verify_password(Some(&h), "passw0rd!"));
        assert!(!verify_password(None, "Passw0rd!"));
        assert!(!verify_password(Some("not a hash"), "Passw0rd!"));
    }
}
