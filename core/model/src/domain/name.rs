//! The one rule for a name a person types and other people read: a display name (profile,
//! onboarding, invitation acceptance), an owner's legal name in the registry import, a
//! staff member's name, a project's name. One rule, so a name refused in one place cannot
//! slip in through another and show up spoofed in a staff list or a member list.
//!
//! **Why.** A name is shown beside other names. Characters that reorder text (the bidi
//! controls: `U+202A–U+202E`, `U+2066–U+2069`, `U+200E`/`U+200F`, `U+061C`) let
//! "ใจดี สมชาย" be stored as something that reads differently, or make the text after
//! the name (a role, a unit number) appear inside it. Invisible characters let a name
//! look empty, or let two names look identical while being different strings. So:
//!
//! - **Refused** (`invalid_input`): control characters (`Cc`), the bidi controls, the
//!   line and paragraph separators (`U+2028`, `U+2029`), the deprecated format controls
//!   (`U+206A–U+206F`), interlinear annotation (`U+FFF9–U+FFFB`) and the tag characters
//!   (`U+E0000–U+E007F`, invisible copies of ASCII used to smuggle hidden text; the price
//!   is the three subdivision-flag emoji that use them). Also more than
//!   [`MAX_COMBINING_RUN`] combining marks in a row ("zalgo" text that draws over the
//!   neighbouring lines).
//! - **Removed** (silently): zero-width and invisible characters — `U+200B` zero-width
//!   space, `U+200C`/`U+200D` zero-width non-joiner/joiner, `U+2060` word joiner, `U+FEFF`
//!   (zero-width no-break space), `U+00AD` soft hyphen, `U+180E` Mongolian vowel
//!   separator, the Hangul fillers (`U+115F`, `U+1160`, `U+3164`, `U+FFA0`) and the blank
//!   braille pattern `U+2800`. They draw nothing, so removing them changes nothing a
//!   reader sees and makes one visible name one stored string.
//! - **Then** the name, trimmed, must hold at least one visible character (not white
//!   space, not a combining mark or variation selector alone) and at most the caller's
//!   number of characters (characters, not bytes, so Thai counts as people see it).
//!
//! **Thai and `U+200B`.** Thai is written without spaces between words, and some
//! keyboards, word processors and web pages insert `U+200B` as a word-break hint
//! ("สมชาย\u{200B}ใจดี"). A name pasted from such a source is a legitimate name, so an
//! inner `U+200B` is removed rather than refused: refusing would make a person retype
//! a name that looks right to them, and keeping it would let "สมชาย" and
//! "สม\u{200B}ชาย" be two different people who look the same. The cost is that a line
//! break the hint allowed is no longer offered in a long name, which a name does not need.
//! (The same reasoning covers `U+200C`/`U+200D`: scripts that use them, Persian or
//! Devanagari, still read; an emoji sequence joined by `U+200D` shows as its parts.)
//!
//! Thai combining marks (ั ิ ี ึ ื ุ ู ็ ่ ้ ๊ ๋ ์ ํ) are ordinary characters here; a Thai
//! syllable stacks at most three of them.

use crate::error::{LobbyError, Result};

/// More combining marks than this in a row are refused. Thai stacks at most three (a vowel
/// above or below, a tone mark, and rarely a cancellation mark), Vietnamese two.
pub const MAX_COMBINING_RUN: usize = 4;

/// Checks a name: removes invisible characters, trims, refuses bidi and other control
/// and format characters, a name with nothing visible, and more than `max_chars`
/// characters. `what` names the field in the message ("the display name"). Returns the
/// name as it is to be stored. Errors are `invalid_input`.
pub fn check_name(raw: &str, what: &str, max_chars: usize) -> Result<String> {
    check(raw, what, max_chars, false)
}

/// The same rule for a block of text people read (an announcement's body): line breaks
/// (`\r\n` kept as `\n`) and tabs are allowed; everything a name refuses otherwise is
/// refused, and what it removes is removed.
pub fn check_text_block(raw: &str, what: &str, max_chars: usize) -> Result<String> {
    check(&raw.replace("\r\n", "\n"), what, max_chars, true)
}

fn check(raw: &str, what: &str, max_chars: usize, block: bool) -> Result<String> {
    let allowed = |c: char| block && (c == '\n' || c == '\t');
    if let Some(c) = raw.chars().find(|c| is_refused(*c) && !allowed(*c)) {
        return Err(LobbyError::invalid(format!(
            "{what} has a control or text-direction character (U+{:04X})",
            u32::from(c)
        )));
    }
    let cleaned: String = raw.chars().filter(|c| !is_invisible(*c)).collect();
    let name = cleaned.trim();
    if !name.chars().any(is_visible) {
        return Err(LobbyError::invalid(format!("{what} is empty")));
    }
    if name.chars().count() > max_chars {
        return Err(LobbyError::invalid(format!(
            "{what} may have at most {max_chars} characters"
        )));
    }
    let mut run = 0;
    for c in name.chars() {
        run = if is_combining_mark(c) { run + 1 } else { 0 };
        if run > MAX_COMBINING_RUN {
            return Err(LobbyError::invalid(format!(
                "{what} has more than {MAX_COMBINING_RUN} accents or marks on one letter"
            )));
        }
    }
    Ok(name.to_string())
}

/// Characters refused anywhere in a name.
fn is_refused(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c,
            '\u{2028}' | '\u{2029}'            // line / paragraph separator
            | '\u{206A}'..='\u{206F}'          // deprecated format controls
            | '\u{FFF9}'..='\u{FFFB}'          // interlinear annotation
            | '\u{E0000}'..='\u{E007F}'        // tags
        )
}

/// The characters that change the order text is displayed in.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}'    // LRE RLE PDF LRO RLO
        | '\u{2066}'..='\u{2069}'  // LRI RLI FSI PDI
        | '\u{200E}' | '\u{200F}'  // LRM RLM
        | '\u{061C}'               // ALM
    )
}

/// Characters that draw nothing; removed from a name.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            ..='\u{200D}'
                | '\u{2060}'
                | '\u{FEFF}'
                | '\u{00AD}'
                | '\u{180E}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{3164}'
                | '\u{FFA0}'
                | '\u{2800}'
    )
}

/// Combining marks of the scripts a name here is written in (Thai, Latin with accents,
/// the generic combining blocks). Not the whole Unicode `M` category: the model carries no
/// Unicode tables, and these are the marks that stack.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'      // combining diacritical marks
        | '\u{0E31}'                 // Thai MAI HAN-AKAT
        | '\u{0E34}'..='\u{0E3A}'    // Thai vowels above/below, PHINTHU
        | '\u{0E47}'..='\u{0E4E}'    // Thai MAITAIKHU, tone marks, THANTHAKHAT, NIKHAHIT, YAMAKKAN
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Whether a character shows something on its own (so a name of only these is empty).
fn is_visible(c: char) -> bool {
    !(c.is_whitespace()
        || is_invisible(c)
        || is_combining_mark(c)
        || matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{034F}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn ok(raw: &str) -> String {
        check_name(raw, "the name", 100).unwrap_or_else(|e| panic!("{raw:?}: {e}"))
    }

    fn refused(raw: &str) {
        assert_eq!(
            check_name(raw, "the name", 100).map_err(|e| e.code),
            Err(ErrorCode::InvalidInput),
            "{raw:?}"
        );
    }

    #[test]
    fn thai_names_with_their_marks_pass_unchanged() {
        for name in [
            "สมชาย ใจดี",
            "คุณสมชาย",
            "ผู้เช่า",
            "นางสาวกิ่งแก้ว ศรีสุข",
            "พระพุทธ์ ชื่นจิตต์",
            "ณัฐพงศ์ ปิ่นทอง",
            "น้ำฝน ตั๋วเงิน",
            "ก๋วยเตี๋ยว เก๊ก",
            "สุธีร์ ลึกซึ้ง",
            "Nguyễn Thị Hương",
            "Jane O'Neil-Smith",
            "李小龍",
            "Зоя",
            "😀 Somchai",
        ] {
            assert_eq!(ok(name), name);
        }
    }

    #[test]
    fn bidi_controls_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            refused(&format!("สมชาย{c}ใจดี"));
            refused(&format!("{c}Admin"));
        }
        // The classic spoof: "Juristic Office" typed backwards behind a right-to-left override.
        refused("\u{202E}eciffO citsiruJ");
    }

    #[test]
    fn control_and_other_harmful_format_characters_are_refused() {
        for bad in [
            "a\nb",
            "a\u{0}b",
            "a\u{7F}b",
            "a\u{85}b",
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{206A}b",
            "a\u{FFF9}b",
            "Somchai\u{E0041}\u{E0042}",
        ] {
            refused(bad);
        }
    }

    #[test]
    fn names_with_nothing_visible_are_empty() {
        for bad in [
            "",
            "   ",
            "\u{200B}",
            "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}",
            " \u{200B} \u{3000} ",
            "\u{3164}\u{3164}",
            "\u{115F}\u{1160}",
            "\u{2800}",
            "\u{00AD}",
            "\u{FE0F}",
            "\u{0E48}\u{0E49}",
            "\u{0301}",
        ] {
            refused(bad);
        }
    }

    #[test]
    fn an_inner_zero_width_space_is_removed_not_refused() {
        // The Thai word-break hint: kept out of the stored name, so the visible name is
        // one string.
        assert_eq!(ok("สมชาย\u{200B}ใจดี"), "สมชายใจดี");
        assert_eq!(ok("สม\u{200B}ชาย"), ok("สมชาย"));
        assert_eq!(ok("\u{FEFF} Jane \u{200B}"), "Jane");
        assert_eq!(ok("Ja\u{00AD}ne\u{2060}"), "Jane");
    }

    #[test]
    fn the_length_is_counted_in_characters_after_removal() {
        let at_limit = "ก".repeat(100);
        assert_eq!(ok(&at_limit), at_limit);
        refused(&"ก".repeat(101));
        // Invisible characters do not count against the limit.
        assert!(check_name(&format!("{at_limit}\u{200B}\u{200B}"), "the name", 100).is_ok());
    }

    #[test]
    fn stacked_marks_beyond_what_a_script_uses_are_refused() {
        assert!(check_name("กิ่", "the name", 100).is_ok());
        refused(&format!("ก{}", "\u{0E49}".repeat(MAX_COMBINING_RUN + 1)));
        refused(&format!("Z{}", "\u{0336}\u{0337}\u{0338}".repeat(3)));
    }

    #[test]
    fn the_message_names_the_field_and_not_the_value() {
        let e = check_name("\u{202E}secret", "the owner name", 200).unwrap_err();
        assert!(e.message.starts_with("the owner name"), "{}", e.message);
        assert!(!e.message.contains("secret"));
    }
}
