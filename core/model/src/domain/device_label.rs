//! The label a phone gives itself ("Pixel 8 · Android 15", "lobby CLI on linux"), so the
//! person can tell their signed-in devices apart in the session list (issue 11: which
//! device, last seen) and end the one they do not recognise.
//!
//! **Why a rule.** The label is shown to the person next to their other devices, so it is
//! text others' software wrote and the person reads: the one name rule applies
//! ([`super::name::check_name`]: no direction overrides, no control characters, nothing
//! invisible), with at most [`MAX_DEVICE_LABEL_CHARS`] characters. Unlike a name, a label
//! that fails is never an error for the person: the server stores it as "no label" and
//! lists the session as an unknown device. A sign-in must not fail because a phone model
//! string is odd.
//!
//! **On the wire.** The label travels in the [`DEVICE_HEADER`] request header. Header
//! values are bytes that proxies may only be trusted with as visible ASCII, so the phone
//! sends the UTF-8 label percent-encoded ([`encode_header`]); the server decodes
//! ([`decode_header`]), which also takes a plain UTF-8 value as it is (a `%` that does
//! not start an escape makes the value unreadable: no label).

use crate::error::Result;

use super::name::check_name;

/// The request header that carries the label.
pub const DEVICE_HEADER: &str = "Lobby-Device";

/// Longest label kept, in characters.
pub const MAX_DEVICE_LABEL_CHARS: usize = 64;

/// Longest header value read (every character of a full label percent-encoded as four
/// bytes is 12 bytes); anything longer is no label, without decoding it.
pub const MAX_DEVICE_HEADER_BYTES: usize = MAX_DEVICE_LABEL_CHARS * 12;

/// Checks a label with the one name rule; the label as it is to be stored, or
/// `invalid_input`.
pub fn check_device_label(raw: &str) -> Result<String> {
    check_name(raw, "the device label", MAX_DEVICE_LABEL_CHARS)
}

/// The header value for `label`: RFC 3986 unreserved characters and spaces as they are,
/// every other byte of its UTF-8 as `%XX`.
pub fn encode_header(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for b in label.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b' ') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The label a header value carries, checked; `None` when it is too long, not UTF-8
/// once decoded, or refused by [`check_device_label`].
pub fn decode_header(value: &[u8]) -> Option<String> {
    if value.len() > MAX_DEVICE_HEADER_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' {
            let hex = value.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            bytes.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            i += 3;
        } else {
            bytes.push(value[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    check_device_label(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_survives_the_header_in_thai_and_with_symbols() {
        for label in [
            "Pixel 8 · Android 15",
            "iPhone ของสมชาย",
            "lobby CLI on linux",
            "100% mine",
        ] {
            let header = encode_header(label);
            assert!(header.bytes().all(|b| b.is_ascii_graphic() || b == b' '));
            assert_eq!(decode_header(header.as_bytes()).as_deref(), Some(label));
        }
    }

    #[test]
    fn a_plain_utf8_header_is_read_as_it_is() {
        assert_eq!(
            decode_header("Galaxy A54".as_bytes()).as_deref(),
            Some("Galaxy A54")
        );
        assert_eq!(
            decode_header("โทรศัพท์".as_bytes()).as_deref(),
            Some("โทรศัพท์")
        );
    }

    #[test]
    fn refused_labels_are_no_label() {
        let at_limit = "ก".repeat(MAX_DEVICE_LABEL_CHARS);
        assert_eq!(
            decode_header(encode_header(&at_limit).as_bytes()),
            Some(at_limit.clone())
        );
        for bad in [
            format!("{at_limit}ก"),        // 65 characters
            "\u{202E}8 lexiP".to_string(), // a direction override
            "Pixel\n8".to_string(),        // a control character
            "\u{200B}".to_string(),        // nothing visible
            String::new(),
        ] {
            assert_eq!(
                decode_header(encode_header(&bad).as_bytes()),
                None,
                "{bad:?}"
            );
        }
        for unreadable in [&b"50%"[..], b"%zz", b"%C3", b"%+1", b"\xff\xfe"] {
            assert_eq!(decode_header(unreadable), None, "{unreadable:?}");
        }
        assert_eq!(
            decode_header(&vec![b'a'; MAX_DEVICE_HEADER_BYTES + 1]),
            None
        );
    }

    #[test]
    fn zero_width_characters_are_removed_as_in_a_name() {
        assert_eq!(
            check_device_label(" Pixel\u{200B} 8 ").ok().as_deref(),
            Some("Pixel 8")
        );
    }
}
