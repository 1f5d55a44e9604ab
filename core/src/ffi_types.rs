//! How the core's own types cross uniffi (behind the `uniffi` feature): the one custom
//! type the derived records need.
//!
//! Times in the core are `chrono::DateTime<Utc>`; at the boundary they are uniffi's
//! timestamp (`SystemTime`), which Kotlin sees as `java.time.Instant` and Swift as `Date`.
//! The conversion from the foreign side is checked (chrono's own `From<SystemTime>`
//! panics outside its range; a value from the app must not).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};

/// `chrono::DateTime<Utc>` under a one-word name, as `uniffi::custom_type!` needs.
pub type UtcDateTime = DateTime<Utc>;

uniffi::custom_type!(UtcDateTime, SystemTime, {
    remote,
    lower: |t| SystemTime::from(t),
    try_lift: |t| utc_from_system_time(t),
});

/// `t` as a UTC time; an error (not a panic) beyond chrono's range.
fn utc_from_system_time(t: SystemTime) -> uniffi::Result<UtcDateTime> {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs())?, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs())?;
            match before.subsec_nanos() {
                0 => (-secs, 0),
                n => (-secs - 1, 1_000_000_000 - n),
            }
        }
    };
    DateTime::from_timestamp(secs, nanos)
        .ok_or_else(|| uniffi::deps::anyhow::anyhow!("time out of range: {secs} s from 1970"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn times_before_and_after_1970_keep_their_nanoseconds() {
        for t in [
            UNIX_EPOCH + Duration::new(1_800_000_300, 250),
            UNIX_EPOCH - Duration::new(86_400, 250),
            UNIX_EPOCH,
        ] {
            let utc = utc_from_system_time(t).ok();
            assert_eq!(utc.map(SystemTime::from), Some(t));
        }
    }

    #[test]
    fn a_time_beyond_chronos_range_is_an_error_not_a_panic() {
        let far = UNIX_EPOCH + Duration::from_secs(400_000 * 366 * 86_400);
        assert!(utc_from_system_time(far).is_err());
    }
}
