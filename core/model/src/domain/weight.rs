//! [`Weight`]: the one exact number type for ownership ratios (อัตราส่วนกรรมสิทธิ์) and the
//! vote weights derived from them (Condominium Act s.45).
//!
//! A tally must come out the same to the last digit on the server, on the phone and in a
//! hand computation, so weights are never floating point: a `Weight` is a non-negative
//! decimal with up to [`WEIGHT_SCALE`] places, kept as an integer count of millionths.
//! Sums are exact; comparisons against fractions of a total ([`Weight::at_least`]) cross-
//! multiply in 128-bit integers.
//!
//! **On the wire** a weight is always a decimal string with its significant digits
//! (`"12.345"`, `"3"`), in every HTTP body and FFI record: JSON numbers would be read as
//! binary floats by many clients. The CLI prints weights as JSON numbers written exactly
//! ([`Weight::to_json_number`]), as INTERFACE.md asks.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{LobbyError, Result};

/// Decimal places kept.
pub const WEIGHT_SCALE: u32 = 6;
const ONE: i64 = 1_000_000;
/// Largest integer part accepted when parsing (no building has a billion units).
const MAX_INT_DIGITS: usize = 9;

/// An exact non-negative decimal with up to six places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Weight(i64);

/// A unit's ownership ratio is its vote weight before the s.45 cap.
pub type OwnershipRatio = Weight;

impl Weight {
    pub const ZERO: Weight = Weight(0);

    /// From a count of millionths (as stored in a database column).
    pub fn from_micros(m: i64) -> Self {
        Weight(m.max(0))
    }

    /// Whole units: one vote per plot in a housing estate.
    pub fn whole(n: u32) -> Self {
        Weight(i64::from(n) * ONE)
    }

    /// The count of millionths (for storage).
    pub fn micros(self) -> i64 {
        self.0
    }

    /// Parses `"12.345"`, `"0.5"`, `"3"`, `".25"`. At most six decimals, not negative, no
    /// exponent, no Thai digits, not absurdly large.
    pub fn parse(s: &str) -> Result<Weight> {
        let s = s.trim();
        let bad = || LobbyError::invalid(format!("{s:?} is not a decimal like 12.345"));
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > WEIGHT_SCALE as usize {
            return Err(LobbyError::invalid(format!(
                "{s:?} has more than {WEIGHT_SCALE} decimals"
            )));
        }
        if int.len() > MAX_INT_DIGITS {
            return Err(bad());
        }
        let int: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let mut frac_val: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        for _ in frac.len()..WEIGHT_SCALE as usize {
            frac_val *= 10;
        }
        Ok(Weight(int * ONE + frac_val))
    }

    /// Whether `self ≥ total × num / den`, exactly (`den` > 0).
    pub fn at_least(self, total: Weight, num: u32, den: u32) -> bool {
        i128::from(self.0) * i128::from(den) >= i128::from(total.0) * i128::from(num)
    }

    /// Whether `self > total × num / den`, exactly (`den` > 0).
    pub fn more_than(self, total: Weight, num: u32, den: u32) -> bool {
        i128::from(self.0) * i128::from(den) > i128::from(total.0) * i128::from(num)
    }

    /// `self − other`, never below zero.
    pub fn saturating_sub(self, other: Weight) -> Weight {
        Weight((self.0 - other.0).max(0))
    }

    /// The weight as a JSON number written exactly (`12.345`, never `12.3449999`).
    pub fn to_json_number(self) -> serde_json::Value {
        // A decimal with at most 15 significant digits survives the f64 round trip, but
        // writing the digits ourselves removes the question entirely.
        serde_json::from_str(&self.to_string()).unwrap_or(serde_json::Value::Null)
    }
}

impl Add for Weight {
    type Output = Weight;

    fn add(self, rhs: Weight) -> Weight {
        Weight(self.0.saturating_add(rhs.0))
    }
}

impl Sum for Weight {
    fn sum<I: Iterator<Item = Weight>>(iter: I) -> Weight {
        iter.fold(Weight::ZERO, Add::add)
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let int = self.0 / ONE;
        let frac = self.0 % ONE;
        if frac == 0 {
            write!(f, "{int}")
        } else {
            let digits = format!("{frac:06}");
            write!(f, "{int}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl std::str::FromStr for Weight {
    type Err = LobbyError;

    fn from_str(s: &str) -> Result<Weight> {
        Weight::parse(s)
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Weight, D::Error> {
        let s = String::deserialize(d)?;
        Weight::parse(&s).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl utoipa::PartialSchema for Weight {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^[0-9]{0,9}(\.[0-9]{1,6})?$"))
            .description(Some(
                "An exact decimal (ownership ratio or vote weight), e.g. \"12.345\"",
            ))
            .examples(["12.345"])
            .into()
    }
}

impl utoipa::ToSchema for Weight {}

#[cfg(feature = "uniffi")]
uniffi::custom_type!(Weight, String, {
    lower: |w| w.to_string(),
    try_lift: |s| Ok(Weight::parse(&s)?),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (s, micros, shown) in [
            ("12.345", 12_345_000, "12.345"),
            ("0.5", 500_000, "0.5"),
            ("3", 3_000_000, "3"),
            (".25", 250_000, "0.25"),
            ("1.000001", 1_000_001, "1.000001"),
        ] {
            let r = Weight::parse(s).unwrap();
            assert_eq!(r.micros(), micros, "{s}");
            assert_eq!(r.to_string(), shown);
        }
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for s in [
            "",
            ".",
            "-1",
            "1.2.3",
            "1e3",
            "๑.๕",
            "1.0000001",
            "abc",
            "10000000000",
        ] {
            assert!(Weight::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn travels_as_a_decimal_string_and_reads_back_the_same() {
        let w = Weight::parse("12.345").unwrap();
        assert_eq!(serde_json::to_string(&w).unwrap(), "\"12.345\"");
        let back: Weight = serde_json::from_str("\"12.345\"").unwrap();
        assert_eq!(back, w);
        assert!(
            serde_json::from_str::<Weight>("12.345").is_err(),
            "a float is refused"
        );
        assert!(serde_json::from_str::<Weight>("\"-1\"").is_err());
    }

    #[test]
    fn a_sum_of_tenths_is_exact_where_floats_are_not() {
        let tenth = Weight::parse("0.1").unwrap();
        let total: Weight = std::iter::repeat_n(tenth, 3).sum();
        assert_eq!(total, Weight::parse("0.3").unwrap());
        assert_ne!(0.1f64 + 0.1 + 0.1, 0.3, "the float sum is not");
        assert_eq!(total.to_json_number().to_string(), "0.3");
    }

    #[test]
    fn fractions_of_a_total_compare_exactly() {
        let total = Weight::parse("100").unwrap();
        let half = Weight::parse("50").unwrap();
        assert!(half.at_least(total, 1, 2));
        assert!(!half.more_than(total, 1, 2));
        let third = Weight::parse("33.333333").unwrap();
        assert!(
            !third.at_least(total, 1, 3),
            "33.333333 is short of a third"
        );
        assert!(Weight::parse("33.333334").unwrap().at_least(total, 1, 3));
    }
}
