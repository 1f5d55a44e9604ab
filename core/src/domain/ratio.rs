//! Ownership ratios (อัตราส่วนกรรมสิทธิ์): the weight of a unit's vote (Condominium Act s.45).
//!
//! Kept as an exact fixed-point number — millionths — so sums and thresholds in tallies are
//! exact; never floating point. Shown as a decimal with its significant digits.

use std::fmt;

use crate::error::{LobbyError, Result};

/// Decimal places kept.
pub const RATIO_SCALE: u32 = 6;
const ONE: i64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OwnershipRatio(pub i64);

impl OwnershipRatio {
    pub fn from_micros(m: i64) -> Self {
        OwnershipRatio(m)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    /// Parses `"12.345"`, `"0.5"`, `"3"`. At most 6 decimals, not negative, not absurd.
    pub fn parse(s: &str) -> Result<OwnershipRatio> {
        let s = s.trim();
        let bad = || {
            LobbyError::invalid(format!(
                "ownership ratio {s:?} is not a decimal like 12.345"
            ))
        };
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > RATIO_SCALE as usize {
            return Err(LobbyError::invalid(format!(
                "ownership ratio {s:?} has more than {RATIO_SCALE} decimals"
            )));
        }
        if int.len() > 9 {
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
        for _ in frac.len()..RATIO_SCALE as usize {
            frac_val *= 10;
        }
        Ok(OwnershipRatio(int * ONE + frac_val))
    }

    /// For JSON output, where weights are numbers.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / ONE as f64
    }
}

impl fmt::Display for OwnershipRatio {
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
            let r = OwnershipRatio::parse(s).unwrap();
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
            assert!(OwnershipRatio::parse(s).is_err(), "{s}");
        }
    }
}
