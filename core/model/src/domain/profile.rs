//! Profile fields the person edits themselves (DESIGN.md §2.1 item 6): display name and
//! contact fields. Checked by the core before a `ProfileUpdate` is queued and again by the
//! server when it applies one, so both refuse the same input with the same code.

use super::name::check_name;
use crate::error::Result;

pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// Checks a display name with the one name rule ([`super::name::check_name`]): 1–100
/// visible characters (not bytes, so Thai is counted as people see it) after trimming and
/// removing invisible characters; no control or text-direction characters. Returns the
/// name as it is to be stored.
pub fn check_display_name(raw: &str) -> Result<String> {
    check_name(raw, "the display name", MAX_DISPLAY_NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn thai_names_are_kept_and_trimmed() {
        assert_eq!(check_display_name("  สมชาย ใจดี ").unwrap(), "สมชาย ใจดี");
        for name in ["คุณสมชาย", "ผู้เช่า", "กิ่งแก้ว ศรีสุข", "ณัฐพงศ์", "น้ำฝน เก๊ก", "สุธีร์"]
        {
            assert_eq!(check_display_name(name).unwrap(), name);
        }
        // A Thai word-break hint is removed, not refused.
        assert_eq!(check_display_name("สมชาย\u{200B}ใจดี").unwrap(), "สมชายใจดี");
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
            // A spoofed name in a staff list: a right-to-left override, an isolate, a mark.
            "\u{202E}eciffO citsiruJ",
            "สมชาย\u{2067}ใจดี",
            "Jane\u{200F}",
            // Nothing visible.
            "\u{200B}",
            "\u{200B}\u{FEFF}\u{2060}",
            "\u{3164}",
        ] {
            assert_eq!(
                check_display_name(bad).unwrap_err().code,
                ErrorCode::InvalidInput,
                "{bad:?}"
            );
        }
    }
}
