//! Limits on wrong passwords (DESIGN.md §2.2, issue 7).
//!
//! Why three counters: counting per account alone let anyone lock an owner out by typing
//! wrong passwords for them. Now the tight limit is per account *and* client address
//! together ([`PER_ACCOUNT_AND_ADDRESS`]), so a guesser locks only themselves; a looser
//! limit per account across all addresses ([`PER_ACCOUNT`]) still stops guessing spread
//! over many addresses, and a verified OTP — proof of the phone or mailbox — lifts it
//! ([`PasswordAttempts::unlock`]); a per-address limit ([`PER_ADDRESS`], sized for many
//! residents behind one carrier-NAT address) stops one address trying many accounts.
//!
//! In memory (each API instance counts its own; noted in docs/threat-model.md). Keys are
//! digests, never a phone number or e-mail.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use lobby_model::domain::contact::Destination;
use lobby_model::domain::secret_token::secret_digest;

use crate::config::PASSWORD_WINDOW_SECS;
use crate::error::AppError;
use crate::rate_limit::RateLimiter;

/// Wrong passwords for one account from one address, per window.
pub const PER_ACCOUNT_AND_ADDRESS: usize = 10;
/// Wrong passwords for one account from all addresses, per window.
pub const PER_ACCOUNT: usize = 50;
/// Wrong passwords from one address for all accounts, per window.
pub const PER_ADDRESS: usize = 100;

pub struct PasswordAttempts {
    pair: RateLimiter,
    account: RateLimiter,
    address: RateLimiter,
}

impl Default for PasswordAttempts {
    fn default() -> Self {
        let window = Duration::from_secs(PASSWORD_WINDOW_SECS);
        PasswordAttempts {
            pair: RateLimiter::new(PER_ACCOUNT_AND_ADDRESS, window),
            account: RateLimiter::new(PER_ACCOUNT, window),
            address: RateLimiter::new(PER_ADDRESS, window),
        }
    }
}

fn account_key(destination: &str) -> String {
    secret_digest(destination)
}

impl PasswordAttempts {
    /// The counters an attempt for `destination` from `client` counts under; the
    /// address-wide one only when `limit_client` (a dev server's loopback is exempt).
    fn counters(
        &self,
        destination: &Destination,
        client: IpAddr,
        limit_client: bool,
    ) -> Vec<(&RateLimiter, String)> {
        let account = account_key(destination.as_str());
        let mut c = vec![
            (&self.pair, format!("{account}@{client}")),
            (&self.account, account),
        ];
        if limit_client {
            c.push((&self.address, client.to_string()));
        }
        c
    }

    /// `rate_limited` (with the wait) when any counter of this attempt is used up.
    pub fn check(
        &self,
        destination: &Destination,
        client: IpAddr,
        limit_client: bool,
        now: Instant,
    ) -> Result<(), AppError> {
        for (limiter, key) in self.counters(destination, client, limit_client) {
            if let Err(secs) = limiter.check(&key, now) {
                return Err(AppError::rate_limited(
                    "too many failed sign-ins; try again later, or sign in with a code",
                    secs,
                ));
            }
        }
        Ok(())
    }

    /// Counts one wrong password.
    pub fn record_failure(
        &self,
        destination: &Destination,
        client: IpAddr,
        limit_client: bool,
        now: Instant,
    ) {
        for (limiter, key) in self.counters(destination, client, limit_client) {
            limiter.record(&key, now);
        }
    }

    /// A verified OTP proved the account's phone or mailbox: its wrong passwords, from
    /// every address, no longer count.
    pub fn unlock(&self, destinations: &[String]) {
        for d in destinations {
            let account = account_key(d);
            let pairs = format!("{account}@");
            self.account.forget(|k| k == account);
            self.pair.forget(|k| k.starts_with(&pairs));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Destination {
        Destination::Phone("+66812345678".into())
    }

    #[test]
    fn a_guesser_locks_their_own_address_not_the_owner() {
        let a = PasswordAttempts::default();
        let (attacker, owner) = ("10.0.0.66".parse().unwrap(), "10.0.0.7".parse().unwrap());
        let now = Instant::now();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            assert!(a.check(&phone(), attacker, true, now).is_ok());
            a.record_failure(&phone(), attacker, true, now);
        }
        assert!(a.check(&phone(), attacker, true, now).is_err());
        assert!(a.check(&phone(), owner, true, now).is_ok());
    }

    #[test]
    fn many_addresses_hit_the_account_limit_and_a_verified_otp_lifts_it() {
        let a = PasswordAttempts::default();
        let now = Instant::now();
        for i in 0..PER_ACCOUNT {
            let ip: IpAddr = format!("10.0.{}.{}", i / 200, i % 200).parse().unwrap();
            a.record_failure(&phone(), ip, true, now);
        }
        let owner: IpAddr = "10.9.9.9".parse().unwrap();
        assert!(a.check(&phone(), owner, true, now).is_err());
        a.unlock(&["+66812345678".to_string()]);
        assert!(a.check(&phone(), owner, true, now).is_ok());
    }
}
