//! Rows of named tables as JSON objects, for the export of what only this phone holds
//! (`privacy/export.rs`): text and numbers as they are, binary columns by their length.

use rusqlite::types::ValueRef;
use serde_json::{json, Map, Value};

use super::{Result, Store};

impl Store {
    /// `table` → its rows, for each of `tables` (names from the capabilities'
    /// declarations, never input).
    pub fn dump_tables(&self, tables: &[&str]) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for table in tables {
            let mut stmt = self
                .connection()
                .prepare(&format!("SELECT * FROM \"{table}\""))?;
            let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
            let mut rows = stmt.query([])?;
            let mut list = Vec::new();
            while let Some(r) = rows.next()? {
                let mut o = Map::new();
                for (i, name) in names.iter().enumerate() {
                    let v = match r.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(n) => json!(n),
                        ValueRef::Real(f) => json!(f),
                        ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                        ValueRef::Blob(b) => json!({ "bytes": b.len() }),
                    };
                    o.insert(name.clone(), v);
                }
                list.push(Value::Object(o));
            }
            out.insert(table.to_string(), Value::Array(list));
        }
        Ok(out)
    }
}
