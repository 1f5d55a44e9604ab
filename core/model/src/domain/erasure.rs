//! Erasure of a person (DESIGN.md §2.8, issue 11): what the server may not erase, and how
//! text that names the person is found and replaced.
//!
//! - **Owners stay** ([`check_erasable`]): every unit has an owner in the registry the
//!   office keeps under the Condominium Act, so a person who still owns a unit is
//!   refused (`still_owns_unit`) until the office transfers the ownership.
//! - **Ids are pseudonyms.** Person ids are random; once the profile row no longer holds
//!   a name, phone or e-mail, an id in the ballot log, an invoice's slip or a membership
//!   names nobody. So what the law keeps (the ballot log, whose hashes must keep
//!   verifying; financial records) keeps its ids and loses nothing that identifies.
//! - **Text that names the person** — a parcel's recipient typed by staff, a copy of the
//!   profile in the change log — is found by its [`Identifiers`] (the legal and display
//!   names, the phone in the forms people write it, the e-mail) and replaced whole by
//!   [`ERASED`] ([`redact_text`], [`redact_json`]). Whole names only: a first name alone
//!   would also match neighbours who share it.

use serde_json::Value;

use crate::error::{ErrorCode, LobbyError, Result};

/// What replaces a name or any text that named an erased person (Thai first: the app's
/// users read Thai; shells may translate it).
pub const ERASED: &str = "ผู้ใช้ที่ลบแล้ว (erased)";

/// Shortest name searched for: a one-letter display name would match everything.
const MIN_NEEDLE_CHARS: usize = 2;

/// `still_owns_unit` while the person owns a unit.
pub fn check_erasable(units_owned: usize) -> Result<()> {
    if units_owned > 0 {
        return Err(LobbyError::new(
            ErrorCode::StillOwnsUnit,
            format!(
                "this person still owns {units_owned} unit(s): the office transfers the ownership first, then the erasure can go ahead"
            ),
        ));
    }
    Ok(())
}

/// What identifies a person in free text, lower-cased (Latin letters match in any case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identifiers {
    needles: Vec<String>,
}

impl Identifiers {
    /// From the profile: names, the phone (stored `+66…`) in its `+66`, `0…` and dashed
    /// forms, the e-mail.
    pub fn new(names: &[&str], phone: Option<&str>, email: Option<&str>) -> Identifiers {
        let mut needles: Vec<String> = names
            .iter()
            .map(|n| n.trim().to_lowercase())
            .filter(|n| n.chars().count() >= MIN_NEEDLE_CHARS)
            .collect();
        if let Some(p) = phone.map(str::trim).filter(|p| !p.is_empty()) {
            needles.push(p.to_string());
            if let Some(rest) = p.strip_prefix("+66") {
                let local = format!("0{rest}");
                if local.len() == 10 {
                    needles.push(format!("{}-{}-{}", &local[..3], &local[3..6], &local[6..]));
                }
                needles.push(local);
            }
        }
        if let Some(e) = email.map(str::trim).filter(|e| !e.is_empty()) {
            needles.push(e.to_lowercase());
        }
        needles.sort();
        needles.dedup();
        Identifiers { needles }
    }

    /// The strings to look for (for a storage engine's pre-filter; the decision is
    /// [`Identifiers::names_in`]).
    pub fn needles(&self) -> &[String] {
        &self.needles
    }

    /// Whether `text` contains any of them.
    pub fn names_in(&self, text: &str) -> bool {
        if self.needles.is_empty() {
            return false;
        }
        let lower = text.to_lowercase();
        self.needles.iter().any(|n| lower.contains(n.as_str()))
    }
}

/// [`ERASED`] when `text` names the person, else `None` (leave it).
pub fn redact_text(text: &str, who: &Identifiers) -> Option<&'static str> {
    who.names_in(text).then_some(ERASED)
}

/// Replaces, anywhere in `value`, each string that names the person by [`ERASED`]; keys
/// and ids are left (an id names nobody). Whether anything changed.
pub fn redact_json(value: &mut Value, who: &Identifiers) -> bool {
    match value {
        Value::String(s) if who.names_in(s) => {
            *s = ERASED.to_string();
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| redact_json(v, who) | changed),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |changed, v| redact_json(v, who) | changed),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn somchai() -> Identifiers {
        Identifiers::new(
            &["สมชาย ใจดี", "Somchai J"],
            Some("+66812345678"),
            Some("Somchai@Example.com"),
        )
    }

    #[test]
    fn an_owner_is_refused_with_its_own_code() {
        assert!(check_erasable(0).is_ok());
        let e = check_erasable(2).unwrap_err();
        assert_eq!(e.code, ErrorCode::StillOwnsUnit);
        assert!(e.message.contains("transfers the ownership"));
    }

    #[test]
    fn the_phone_is_found_in_the_forms_people_write_it() {
        let who = somchai();
        for text in [
            "+66812345678",
            "โทร 0812345678",
            "081-234-5678 (ฝากป้อม)",
            "SOMCHAI@example.COM",
            "คุณสมชาย ใจดี ชั้น 3",
            "somchai j",
        ] {
            assert!(who.names_in(text), "{text}");
            assert_eq!(redact_text(text, &who), Some(ERASED));
        }
        for text in ["สมชาย ใจงาม", "0812345679", "Somchai", ""] {
            assert!(!who.names_in(text), "{text}");
        }
    }

    #[test]
    fn a_one_letter_name_or_nothing_matches_nothing() {
        let who = Identifiers::new(&["A", " "], None, None);
        assert!(who.needles().is_empty());
        assert!(!who.names_in("A building"));
    }

    #[test]
    fn json_strings_naming_the_person_go_ids_and_keys_stay() {
        let who = somchai();
        let mut record = json!({
            "kind": "member",
            "member": {"id": "p-1", "name": "สมชาย ใจดี", "phone": "+66812345678",
                       "role": "owner", "tags": ["Somchai J", "other"], "n": 3}
        });
        assert!(redact_json(&mut record, &who));
        assert_eq!(
            record,
            json!({
                "kind": "member",
                "member": {"id": "p-1", "name": ERASED, "phone": ERASED,
                           "role": "owner", "tags": [ERASED, "other"], "n": 3}
            })
        );
        // Done twice, nothing more changes.
        assert!(!redact_json(&mut record, &who));
    }
}
