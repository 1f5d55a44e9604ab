//! Deserializers that accept exactly what the OpenAPI description allows where serde's
//! derives accept more: integers written as integral JSON numbers (`3.0` is the integer
//! 3 in JSON Schema), `int32` bounds on `u32` fields, and the object form only of an
//! externally tagged enum (derived struct variants also take a sequence, so
//! `{"profile_update": [null, null]}` would otherwise pass), and likewise the object form
//! only of a struct inside a list. (The server refuses a request body that is not an
//! object before it looks at the fields.)

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, Error};
use serde::{Deserialize, Deserializer};
use serde_json::{Number, Value};

/// The largest `int32`: what the description's `format: int32` allows.
pub(crate) const INT32_MAX: u32 = i32::MAX as u32;

/// An integral JSON number as `i64` (`7` and `7.0`; not `7.5`, not beyond `i64`).
fn integral(n: &Number) -> Option<i64> {
    // 2^63 as f64. An integer literal beyond `i64` reaches here as an f64 of at least
    // this magnitude (-9223372036854775809 rounds to -2^63), so both ends are open;
    // -2^63 itself is still taken when written as an integer (`as_i64`).
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f > -LIMIT && *f < LIMIT)
            .map(|f| f as i64)
    })
}

/// An optional `int32` that is not negative (`format: int32, minimum: 0`).
pub(crate) fn opt_int32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let Some(n) = Option::<Number>::deserialize(d)? else {
        return Ok(None);
    };
    integral(&n)
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v <= INT32_MAX)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("expected an integer from 0 to {INT32_MAX}")))
}

/// An `int32` that is not negative (`format: int32, minimum: 0`).
pub(crate) fn int32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    opt_int32(d)?.ok_or_else(|| D::Error::custom("expected an integer, not null"))
}

/// A map of `int64` values.
pub(crate) fn int64_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, i64>, D::Error> {
    BTreeMap::<String, Number>::deserialize(d)?
        .into_iter()
        .map(|(k, n)| match integral(&n) {
            Some(v) => Ok((k, v)),
            None => Err(D::Error::custom("expected a 64-bit integer")),
        })
        .collect()
}

/// A list of structs, each in its object form only (a derived struct also takes a
/// sequence of its fields' values).
pub(crate) fn objects<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Vec::<Value>::deserialize(d)?
        .into_iter()
        .map(|value| match value {
            Value::Object(_) => T::deserialize(value).map_err(D::Error::custom),
            _ => Err(D::Error::custom("expected an object")),
        })
        .collect()
}

/// An externally tagged enum whose variants all hold objects, in its object form only:
/// `{"<variant>": {...}}`.
pub(crate) fn tagged_object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    match &value {
        Value::Object(map) if map.len() == 1 && map.values().all(Value::is_object) => {
            T::deserialize(value).map_err(D::Error::custom)
        }
        _ => Err(D::Error::custom(
            "expected an object with one key (the kind) whose value is an object",
        )),
    }
}
