//! The owner registry the juristic office imports (DESIGN.md §2.1, INTERFACE.md):
//! CSV, UTF-8, header `unit,owner_name,ownership_ratio,phone,email`.
//!
//! Parsing is all-or-nothing: every bad row is reported with its line number and, if there
//! is any, nothing is imported. Names are kept as written (Thai included), checked by the
//! one name rule (`domain::name`: surrounding spaces and invisible characters removed,
//! control and text-direction characters refused); phones are normalised to E.164 so an owner listed on several
//! rows with the same number in different forms becomes one person.

use std::collections::HashMap;

use super::contact::{normalize_email, normalize_thai_phone};
use super::csv_file::open;
pub use super::csv_file::RowProblem;
use super::name::check_name;
use super::weight::OwnershipRatio;
use crate::error::{ErrorCode, LobbyError, Result};

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_UNIT_CHARS: usize = 40;
pub const MAX_REGISTRY_ROWS: usize = 50_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: usize,
    pub unit: String,
    pub owner_name: String,
    pub ratio: OwnershipRatio,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Parses a registry file. `Err` carries every problem found, in line order.
pub fn parse_owner_registry(
    bytes: &[u8],
) -> std::result::Result<Vec<RegistryRow>, Vec<RowProblem>> {
    let mut reader = open(
        bytes,
        &["unit", "owner_name", "ownership_ratio", "phone", "email"],
    )
    .map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let mut units: HashMap<String, usize> = HashMap::new();
    let mut phone_names: HashMap<String, (String, usize)> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                problems.push(RowProblem {
                    line,
                    message: format!("unreadable row: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if rows.len() + problems.len() >= MAX_REGISTRY_ROWS {
            problems.push(RowProblem {
                line,
                message: format!("more than {MAX_REGISTRY_ROWS} rows"),
            });
            break;
        }
        match parse_row(&record, line) {
            Ok(row) => {
                if let Some(first) = units.insert(row.unit.clone(), line) {
                    problems.push(RowProblem {
                        line,
                        message: format!("unit {} is already listed on line {first}", row.unit),
                    });
                    continue;
                }
                if let Some(phone) = &row.phone {
                    if let Some((name, first)) = phone_names.get(phone) {
                        if *name != row.owner_name {
                            problems.push(RowProblem {
                                line,
                                message: format!(
                                    "this phone number belongs to a different owner name on line {first}"
                                ),
                            });
                            continue;
                        }
                    } else {
                        phone_names.insert(phone.clone(), (row.owner_name.clone(), line));
                    }
                }
                rows.push(row);
            }
            Err(message) => problems.push(RowProblem { line, message }),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(RowProblem {
            line: 1,
            message: "the file has no rows".into(),
        });
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn parse_row(r: &csv::StringRecord, line: usize) -> std::result::Result<RegistryRow, String> {
    let field = |i: usize| r.get(i).map(str::trim).unwrap_or("");
    let unit = field(0);
    if unit.is_empty() {
        return Err("the unit number is empty".into());
    }
    if unit.chars().count() > MAX_UNIT_CHARS || unit.chars().any(char::is_control) {
        return Err(format!(
            "the unit number is longer than {MAX_UNIT_CHARS} characters or has control characters"
        ));
    }
    let owner_name =
        check_name(field(1), "the owner name", MAX_NAME_CHARS).map_err(|e| e.message)?;
    let ratio = OwnershipRatio::parse(field(2)).map_err(|e| e.message)?;
    if ratio.micros() == 0 {
        return Err("the ownership ratio must be more than 0".into());
    }
    let phone = match field(3) {
        "" => None,
        p => Some(
            normalize_thai_phone(p)
                .map_err(|_| format!("phone {p:?} is not a Thai phone number"))?,
        ),
    };
    let email = match field(4) {
        "" => None,
        e => {
            Some(normalize_email(e).map_err(|_| format!("e-mail {e:?} is not an e-mail address"))?)
        }
    };
    Ok(RegistryRow {
        line,
        unit: unit.to_string(),
        owner_name,
        ratio,
        phone,
        email,
    })
}

/// Renders problems as the single error the boundary reports (first 20 listed).
pub fn registry_error(problems: &[RowProblem]) -> LobbyError {
    let mut msg = format!(
        "{} problem(s) in the registry; nothing was imported",
        problems.len()
    );
    for p in problems.iter().take(20) {
        msg.push_str(&format!("\nline {}: {}", p.line, p.message));
    }
    LobbyError::new(ErrorCode::RegistryInvalid, msg)
}

/// Parse, turning problems into the boundary error.
pub fn parse_owner_registry_or_error(bytes: &[u8]) -> Result<Vec<RegistryRow>> {
    parse_owner_registry(bytes).map_err(|p| registry_error(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "unit,owner_name,ownership_ratio,phone,email\n\
12/345,สมชาย ใจดี,1.25,081-234-5678,somchai@example.com\n\
12/346,สมชาย ใจดี,0.75,+66812345678,\n\
B-1203,Jane Doe,2,,jane@example.com\n";

    #[test]
    fn thai_names_are_kept_exactly_and_phones_normalised() {
        let rows = parse_owner_registry(GOOD.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].owner_name, "สมชาย ใจดี");
        assert_eq!(rows[0].phone.as_deref(), Some("+66812345678"));
        assert_eq!(rows[1].phone.as_deref(), Some("+66812345678"));
        assert_eq!(rows[2].phone, None);
        assert_eq!(rows[1].ratio.micros(), 750_000);
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn bad_rows_are_reported_with_their_line_numbers() {
        let csv = "unit,owner_name,ownership_ratio,phone,email\n\
1,A,1,,\n\
2,,1,,\n\
3,C,abc,,\n\
1,D,1,,\n\
5,E,1,12345,\n";
        let problems = parse_owner_registry(csv.as_bytes()).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6]);
    }

    #[test]
    fn owner_names_follow_the_one_name_rule() {
        // A right-to-left override, an isolate, a name of zero-width characters only:
        // each is a problem on its own line; a Thai word-break hint is removed.
        let csv = "unit,owner_name,ownership_ratio,phone,email\n\
1,\u{202E}eciffO citsiruJ,1,,\n\
2,สมชาย\u{2067}ใจดี,1,,\n\
3,\u{200B}\u{200D}\u{FEFF},1,,\n\
4,ผู้เช่า ใจดี,1,,\n\
5,สมชาย\u{200B}ใจดี,1,,\n";
        let problems = parse_owner_registry(csv.as_bytes()).unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4]);
        assert!(problems[0].message.starts_with("the owner name"));
        let ok = "unit,owner_name,ownership_ratio,phone,email\n\
4,ผู้เช่า ใจดี,1,,\n\
5,สมชาย\u{200B}ใจดี,1,,\n";
        let rows = parse_owner_registry(ok.as_bytes()).unwrap();
        assert_eq!(rows[0].owner_name, "ผู้เช่า ใจดี");
        assert_eq!(rows[1].owner_name, "สมชายใจดี");
    }

    #[test]
    fn same_phone_with_another_name_is_a_problem() {
        let csv =
            "unit,owner_name,ownership_ratio,phone,email\n1,A,1,0812345678,\n2,B,1,081-234-5678,\n";
        let p = parse_owner_registry(csv.as_bytes()).unwrap_err();
        assert_eq!(p[0].line, 3);
    }

    #[test]
    fn non_utf8_and_wrong_header_are_refused() {
        let p =
            parse_owner_registry(b"unit,owner_name,ownership_ratio,phone,email\n1,\xff\xfe,1,,\n")
                .unwrap_err();
        assert_eq!(p[0].line, 2);
        assert!(parse_owner_registry(b"a,b,c\n1,2,3\n").is_err());
        assert!(parse_owner_registry(b"unit,owner_name,ownership_ratio,phone,email\n").is_err());
    }

    #[test]
    fn a_row_with_missing_columns_is_reported() {
        let p = parse_owner_registry(b"unit,owner_name,ownership_ratio,phone,email\n1,A\n")
            .unwrap_err();
        assert_eq!(p[0].line, 2);
    }
}
