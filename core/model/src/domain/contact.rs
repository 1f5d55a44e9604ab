//! Contact addresses: Thai phone numbers and e-mail addresses.
//!
//! Phones arrive in every form people write them (`081-234-5678`, `0812345678`,
//! `+66 81 234 5678`, `66812345678`) and are stored in E.164 (`+66812345678`) so the same
//! person is found whatever the form. Masking is for anything shown back to a user who has
//! not proved they own the address (OTP "sent to" lines): enough to recognise, not to read.

use crate::error::{ErrorCode, LobbyError, Result};

/// Longest e-mail address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;

/// Normalises a Thai phone number to E.164 (`+66` followed by 8 or 9 digits).
pub fn normalize_thai_phone(raw: &str) -> Result<String> {
    let mut digits = String::with_capacity(raw.len());
    let mut plus = false;
    for (i, c) in raw.trim().chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(phone_invalid()),
        }
    }
    let national = if plus {
        digits.strip_prefix("66").ok_or_else(phone_invalid)?
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else if digits.len() == 11 {
        digits.strip_prefix("66").ok_or_else(phone_invalid)?
    } else {
        return Err(phone_invalid());
    };
    let national = national.strip_prefix('0').unwrap_or(national);
    let ok = match national.len() {
        9 => matches!(national.as_bytes()[0], b'6' | b'8' | b'9'),
        8 => national.as_bytes()[0] != b'0',
        _ => false,
    };
    if ok {
        Ok(format!("+66{national}"))
    } else {
        Err(phone_invalid())
    }
}

fn phone_invalid() -> LobbyError {
    LobbyError::new(
        ErrorCode::PhoneInvalid,
        "not a Thai phone number (e.g. 081-234-5678 or +66812345678)",
    )
}

/// Normalises an e-mail address: trimmed, lower case, one `@`, a dotted domain.
pub fn normalize_email(raw: &str) -> Result<String> {
    let e = raw.trim().to_lowercase();
    let invalid = || LobbyError::new(ErrorCode::EmailInvalid, "not an e-mail address");
    if e.is_empty() || e.len() > MAX_EMAIL_LEN || e.chars().any(char::is_whitespace) {
        return Err(invalid());
    }
    let (local, domain) = e.split_once('@').ok_or_else(invalid)?;
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return Err(invalid());
    }
    Ok(e)
}

/// A login or OTP destination: a phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Phone(String),
    Email(String),
}

impl Destination {
    /// Reads what the person typed: anything with `@` is an e-mail, the rest a phone.
    pub fn parse(raw: &str) -> Result<Destination> {
        if raw.contains('@') {
            normalize_email(raw).map(Destination::Email)
        } else {
            normalize_thai_phone(raw).map(Destination::Phone)
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Destination::Phone(p) | Destination::Email(p) => p,
        }
    }

    pub fn masked(&self) -> String {
        match self {
            Destination::Phone(p) => mask_phone(p),
            Destination::Email(e) => mask_email(e),
        }
    }
}

/// `+66812345678` → `+66 8x-xxx-5678`-style masking: country code, first digit, last 4.
pub fn mask_phone(e164: &str) -> String {
    let national = e164.strip_prefix("+66").unwrap_or(e164);
    let n = national.chars().count();
    if n < 5 {
        return "***".to_string();
    }
    let first: String = national.chars().take(1).collect();
    let last: String = national.chars().skip(n - 4).collect();
    format!("+66 {first}{}{last}", "•".repeat(n - 5))
}

/// `somchai@example.com` → `s•••@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_thai_mobile_form_normalises_to_the_same_e164() {
        for raw in [
            "081-234-5678",
            "0812345678",
            "+66812345678",
            "+66 81 234 5678",
            "66812345678",
            "(081) 234-5678",
            "+66 081 234 5678",
        ] {
            assert_eq!(normalize_thai_phone(raw).unwrap(), "+66812345678", "{raw}");
        }
    }

    #[test]
    fn bangkok_landline_keeps_its_eight_digits() {
        assert_eq!(normalize_thai_phone("02-123-4567").unwrap(), "+6621234567");
    }

    #[test]
    fn malformed_phones_are_refused_with_phone_invalid() {
        for raw in [
            "",
            "12345",
            "081-234-567x",
            "+1 415 555 0100",
            "0712345678",
            "๐๘๑๒๓๔๕๖๗๘",
        ] {
            let e = normalize_thai_phone(raw).unwrap_err();
            assert_eq!(e.code, ErrorCode::PhoneInvalid, "{raw}");
        }
    }

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(
            normalize_email(" Somchai@Example.COM ").unwrap(),
            "somchai@example.com"
        );
        for bad in ["", "a@b", "@x.com", "a b@x.com", "a@@x.com", "a@x.com."] {
            assert_eq!(
                normalize_email(bad).unwrap_err().code,
                ErrorCode::EmailInvalid,
                "{bad}"
            );
        }
    }

    #[test]
    fn masks_hide_all_but_recognisable_ends() {
        assert_eq!(mask_phone("+66812345678"), "+66 8••••5678");
        assert_eq!(mask_email("somchai@example.com"), "s•••@example.com");
        assert_eq!(
            Destination::parse("081-234-5678").unwrap(),
            Destination::Phone("+66812345678".into())
        );
    }
}
