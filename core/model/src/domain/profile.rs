//! Profile fields the person edits themselves (DESIGN.md §2.1 item 6): display name and
//! contact fields. Checked by the core before a `ProfileUpdate` is queued and again by the
//! server when it applies one, so both refuse the same input with the same code.

use crate::error::{LobbyError, Result};

pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// Checks a display name: 1–100 characters (not bytes, so Thai is counted as people see
/// it) after trimming, no control characters. Returns the trimmed name.
pub fn check_display_name(raw: &str) -> Result<String> {
    let name = raw.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(LobbyError::invalid("the display name is empty"));
    }
    if n > MAX_DISPLAY_NAME_CHARS {
        return Err(LobbyError::invalid(format!(
            "the display name may have at most {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(LobbyError::invalid(
            "the display name has control characters",
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn thai_names_are_kept_and_trimmed() {
        assert_eq!(check_display_name("  สมชาย ใจดี ").unwrap(), "สมชาย ใจดี");
    }

    #[test]
    fn empty_too_long_and_control_characters_are_invalid_input() {
        let at_limit = "ก".repeat(MAX_DISPLAY_NAME_CHARS);
        assert!(check_display_name(&at_limit).is_ok());
        for bad in [
            "",
            "   ",
            "a\nb",
            "a\u{0}b",
            &"ก".repeat(MAX_DISPLAY_NAME_CHARS + 1),
        ] {
            assert_eq!(
                check_display_name(bad).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
