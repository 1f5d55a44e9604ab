//! The export (access and portability, issue 11): everything the server holds about the
//! signed-in person, one section per exported holding of [`personal_data::HOLDINGS`],
//! each row an object of the declared fields written by their [`Kind`]. The schema is
//! `docs/export.md`, generated from the same declaration.
//!
//! It reads one consistent snapshot. Like an erasure request it needs a sign-in from the
//! last 10 minutes (`reauth_required`): it hands over everything at once, so a phone left
//! unlocked must not be enough.

use chrono::{DateTime, Utc};
use lobby_model::domain::privacy_request::check_fresh_sign_in;
use lobby_model::protocol::{PersonalDataExport, EXPORT_FORMAT};
use serde_json::{json, Map, Value};

use super::personal_data::{Field, Kind, HOLDINGS};
use crate::error::AppResult;
use crate::storage::{Cell, PersonRows, Storage};

fn value(cell: Cell, kind: Kind) -> Value {
    match (cell, kind) {
        (Cell::Null, _) => Value::Null,
        (Cell::Bytes(n), _) => json!({ "bytes": n }),
        (Cell::Int(ms), Kind::Time) => DateTime::<Utc>::from_timestamp_millis(ms)
            .map(|t| Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
            .unwrap_or(Value::Null),
        (Cell::Int(i), Kind::Bool) => Value::Bool(i != 0),
        (Cell::Int(i), _) => Value::from(i),
        (Cell::Text(s), Kind::Json) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        (Cell::Text(s), _) => Value::String(s),
    }
}

fn object(fields: &[Field], row: Vec<Cell>) -> Value {
    let mut o = Map::new();
    for (f, c) in fields.iter().zip(row) {
        o.insert(f.column.to_string(), value(c, f.kind));
    }
    Value::Object(o)
}

/// The export of `person_id`, asked from the session family `family_id`.
pub fn export(
    db: &dyn Storage,
    person_id: &str,
    family_id: &str,
    now: DateTime<Utc>,
) -> AppResult<PersonalDataExport> {
    db.read(|tx| {
        let signed_in = tx.signed_in_at(family_id)?;
        check_fresh_sign_in(
            "an export of your data",
            signed_in.unwrap_or(DateTime::<Utc>::MIN_UTC),
            now,
        )?;
        let mut server = Map::new();
        for h in HOLDINGS {
            let Some(section) = h.section else { continue };
            let rows = PersonRows {
                table: h.table,
                link: h.link,
                person_id,
            };
            let columns: Vec<&str> = h.fields.iter().map(|f| f.column).collect();
            let rows = tx.person_rows(&rows, &columns, h.key)?;
            server.insert(
                section.to_string(),
                Value::Array(rows.into_iter().map(|r| object(h.fields, r)).collect()),
            );
        }
        Ok(PersonalDataExport {
            format: EXPORT_FORMAT.to_string(),
            generated_at: now,
            person_id: person_id.to_string(),
            server,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_written_by_their_declared_kind() {
        assert_eq!(value(Cell::Null, Kind::Time), Value::Null);
        assert_eq!(
            value(Cell::Int(1_795_000_000_000), Kind::Time),
            json!("2026-11-18T11:06:40.000Z")
        );
        assert_eq!(value(Cell::Int(1), Kind::Bool), json!(true));
        assert_eq!(value(Cell::Int(42), Kind::Int), json!(42));
        assert_eq!(value(Cell::Bytes(7), Kind::Bytes), json!({"bytes": 7}));
        assert_eq!(
            value(Cell::Text("{\"a\":1}".into()), Kind::Json),
            json!({"a": 1})
        );
        assert_eq!(
            value(Cell::Text("สมชาย".into()), Kind::Text),
            json!("สมชาย")
        );
    }
}
