//! Personal data by the declaration (`privacy::personal_data`) on SQLite: each
//! [`PersonLink`] becomes a `WHERE` clause over the table aliased `t`. Identifiers come
//! from the declaration's constants and are checked to be plain lower-case names before
//! they are quoted into SQL; values are always bound.

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, ToSql};

use super::SqliteTx;
use crate::error::{AppError, AppResult};
use crate::storage::{Cell, PersonLink, PersonRows, PersonalDataTx, StoredChange};

/// `"name"` for a declared identifier; anything but `[a-z0-9_]` is a programming error.
fn ident(name: &str) -> AppResult<String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(AppError::server(
            "personal data",
            format!("not a declared identifier: {name:?}"),
        ));
    }
    Ok(format!("\"{name}\""))
}

/// The condition selecting the rows of `t` that belong to the person bound as `?1`.
fn condition(link: PersonLink) -> AppResult<String> {
    Ok(match link {
        PersonLink::Column(c) => format!("t.{} = ?1", ident(c)?),
        PersonLink::UnitsDuring { unit, at } => {
            let (unit, at) = (ident(unit)?, ident(at)?);
            format!(
                "EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = ?1 AND m.unit_id = t.{unit}
                         AND t.{at} >= m.created_at AND (m.ended_at IS NULL OR t.{at} <= m.ended_at))"
            )
        }
        PersonLink::JsonField { column, path } => {
            let mut json_path = String::from("$");
            for p in path {
                ident(p)?;
                json_path.push('.');
                json_path.push_str(p);
            }
            format!("json_extract(t.{}, '{json_path}') = ?1", ident(column)?)
        }
        PersonLink::Through {
            column,
            parent,
            parent_key,
            parent_column,
        } => format!(
            "t.{} IN (SELECT {} FROM {} WHERE {} = ?1)",
            ident(column)?,
            ident(parent_key)?,
            ident(parent)?,
            ident(parent_column)?
        ),
    })
}

fn to_sql(c: &Cell) -> Box<dyn ToSql + '_> {
    match c {
        Cell::Null | Cell::Bytes(_) => Box::new(rusqlite::types::Null),
        Cell::Int(i) => Box::new(*i),
        Cell::Text(s) => Box::new(s.as_str()),
    }
}

fn cell(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Text(f.to_string()),
        ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Cell::Bytes(b.len()),
    }
}

/// `%needle%` for LIKE, with `%`, `_` and the escape itself escaped.
fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for ch in needle.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

impl PersonalDataTx for SqliteTx<'_> {
    fn person_rows(
        &mut self,
        rows: &PersonRows<'_>,
        columns: &[&str],
        key: &str,
    ) -> AppResult<Vec<Vec<Cell>>> {
        let cols = columns
            .iter()
            .map(|c| ident(c).map(|c| format!("t.{c}")))
            .collect::<AppResult<Vec<_>>>()?
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM {} AS t WHERE {} ORDER BY t.{}",
            ident(rows.table)?,
            condition(rows.link)?,
            ident(key)?
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let mut out = Vec::new();
        let mut q = stmt.query([rows.person_id])?;
        while let Some(r) = q.next()? {
            let mut row = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                row.push(cell(r.get_ref(i)?));
            }
            out.push(row);
        }
        Ok(out)
    }

    fn delete_person_rows(&mut self, rows: &PersonRows<'_>) -> AppResult<usize> {
        let sql = format!(
            "DELETE FROM {} AS t WHERE {}",
            ident(rows.table)?,
            condition(rows.link)?
        );
        Ok(self.tx.execute(&sql, [rows.person_id])?)
    }

    fn set_person_rows(&mut self, rows: &PersonRows<'_>, set: &[(&str, Cell)]) -> AppResult<usize> {
        if set.is_empty() {
            return Ok(0);
        }
        let assignments = set
            .iter()
            .enumerate()
            .map(|(i, (c, _))| ident(c).map(|c| format!("{c} = ?{}", i + 2)))
            .collect::<AppResult<Vec<_>>>()?
            .join(", ");
        let sql = format!(
            "UPDATE {} AS t SET {assignments} WHERE {}",
            ident(rows.table)?,
            condition(rows.link)?
        );
        let mut values: Vec<Box<dyn ToSql + '_>> = vec![Box::new(rows.person_id)];
        values.extend(set.iter().map(|(_, v)| to_sql(v)));
        Ok(self.tx.execute(&sql, params_from_iter(values.iter()))?)
    }

    fn set_cell(
        &mut self,
        table: &str,
        key: &str,
        key_value: &str,
        column: &str,
        value: &Cell,
    ) -> AppResult<()> {
        let sql = format!(
            "UPDATE {} SET {} = ?2 WHERE {} = ?1",
            ident(table)?,
            ident(column)?,
            ident(key)?
        );
        self.tx
            .execute(&sql, rusqlite::params![key_value, to_sql(value)])?;
        Ok(())
    }

    fn changes_containing(
        &mut self,
        needles: &[String],
        after: i64,
        limit: usize,
    ) -> AppResult<Vec<(String, StoredChange)>> {
        if needles.is_empty() {
            return Ok(Vec::new());
        }
        let likes = (0..needles.len())
            .map(|i| format!("record LIKE ?{} ESCAPE '\\'", i + 3))
            .collect::<Vec<_>>()
            .join(" OR ");
        let sql = format!(
            "SELECT seq, scope, record FROM changes WHERE seq > ?1 AND ({likes}) ORDER BY seq LIMIT ?2"
        );
        let mut values: Vec<Box<dyn ToSql>> = vec![
            Box::new(after),
            Box::new(i64::try_from(limit).unwrap_or(i64::MAX)),
        ];
        values.extend(
            needles
                .iter()
                .map(|n| Box::new(like_pattern(n)) as Box<dyn ToSql>),
        );
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
            Ok((
                r.get::<_, String>(1)?,
                StoredChange {
                    seq: r.get(0)?,
                    record_json: r.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn departed_people(
        &mut self,
        left_by: chrono::DateTime<chrono::Utc>,
        limit: usize,
    ) -> AppResult<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT p.id FROM people p
             WHERE p.erased_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM units u WHERE u.owner_person_id = p.id)
               AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.id AND m.ended_at IS NULL)
               AND (SELECT MAX(m.ended_at) FROM memberships m WHERE m.person_id = p.id) <= ?1
             ORDER BY p.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![super::ms(left_by), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn rewrite_change(&mut self, seq: i64, record_json: &str) -> AppResult<()> {
        self.tx.execute(
            "UPDATE changes SET record = ?2 WHERE seq = ?1",
            rusqlite::params![seq, record_json],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_the_sql() {
        assert_eq!(ident("parcels").unwrap(), "\"parcels\"");
        for bad in ["", "x; DROP TABLE people", "Parcels", "a\"b", "t.id"] {
            assert!(ident(bad).is_err(), "{bad}");
        }
        assert_eq!(like_pattern("a_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
