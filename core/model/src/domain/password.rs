//! Password policy (DESIGN.md §2.2, from the incumbent's security policy): at least 8
//! characters, at most 128, with an upper-case letter, a lower-case letter, and a digit or
//! symbol. Checked by the core before anything is sent and again by the server.
//! Passwords are never stored on the phone; the server keeps an Argon2id hash.

use crate::error::{ErrorCode, LobbyError, Result};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks a candidate password against the policy. Length counts characters, not bytes,
/// so Thai text is measured as people see it.
pub fn check_password_policy(password: &str) -> Result<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(LobbyError::new(
            ErrorCode::PasswordTooShort,
            format!("a password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(LobbyError::new(
            ErrorCode::PasswordTooLong,
            format!("a password may have at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let upper = password.chars().any(char::is_uppercase);
    let lower = password.chars().any(char::is_lowercase);
    let digit_or_symbol = password
        .chars()
        .any(|c| c.is_ascii_digit() || (!c.is_alphanumeric() && !c.is_whitespace()));
    let mut missing = Vec::new();
    if !upper {
        missing.push("an upper-case letter");
    }
    if !lower {
        missing.push("a lower-case letter");
    }
    if !digit_or_symbol {
        missing.push("a digit or symbol");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LobbyError::new(
            ErrorCode::PasswordWeak,
            format!("the password needs {}", missing.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(pw: &str) -> Option<ErrorCode> {
        check_password_policy(pw).err().map(|e| e.code)
    }

    #[test]
    fn policy_table() {
        let cases: &[(&str, Option<ErrorCode>)] = &[
            ("Passw0rd", None),
            ("Password!", None),
            ("รหัสผ่านAb1", None),
            ("Pass0rd", Some(ErrorCode::PasswordTooShort)),
            ("password1", Some(ErrorCode::PasswordWeak)),
            ("PASSWORD1", Some(ErrorCode::PasswordWeak)),
            ("Passwordd", Some(ErrorCode::PasswordWeak)),
            ("รหัสผ่านยาวมาก1", Some(ErrorCode::PasswordWeak)),
            ("", Some(ErrorCode::PasswordTooShort)),
        ];
        for (pw, want) in cases {
            assert_eq!(code(pw), *want, "{pw}");
        }
    }

    #[test]
    fn length_limits_count_characters_not_bytes() {
        let at_limit = format!("Aa1{}", "ก".repeat(MAX_PASSWORD_CHARS - 3));
        assert_eq!(code(&at_limit), None);
        let over = format!("Aa1{}", "ก".repeat(MAX_PASSWORD_CHARS - 2));
        assert_eq!(code(&over), Some(ErrorCode::PasswordTooLong));
    }
}
