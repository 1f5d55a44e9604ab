//! Retry delays: exponential, capped, with jitter, so a thousand phones coming back from a
//! lobby with no signal do not all hit the server in the same second.

use std::time::Duration;

use rand::Rng;

pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_CAP: Duration = Duration::from_secs(300);

/// The delay before retry number `attempt` (0-based): uniformly random in
/// `[d/2, d]` where `d = min(cap, base · 2^attempt)`.
pub fn retry_delay(attempt: u32) -> Duration {
    let d = backoff_ceiling(attempt);
    let half = d / 2;
    let jitter = rand::thread_rng().gen_range(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

/// The upper bound of [`retry_delay`] for `attempt`.
pub fn backoff_ceiling(attempt: u32) -> Duration {
    BACKOFF_BASE
        .checked_mul(1u32.checked_shl(attempt.min(20)).unwrap_or(u32::MAX))
        .unwrap_or(BACKOFF_CAP)
        .min(BACKOFF_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_then_stay_at_the_cap() {
        assert_eq!(backoff_ceiling(0), Duration::from_secs(1));
        assert_eq!(backoff_ceiling(3), Duration::from_secs(8));
        assert_eq!(backoff_ceiling(9), BACKOFF_CAP);
        assert_eq!(backoff_ceiling(u32::MAX), BACKOFF_CAP);
    }

    #[test]
    fn jitter_stays_within_half_and_full_ceiling() {
        for attempt in 0..12 {
            let c = backoff_ceiling(attempt);
            for _ in 0..50 {
                let d = retry_delay(attempt);
                assert!(d >= c / 2 && d <= c, "{attempt}: {d:?} vs {c:?}");
            }
        }
    }
}
