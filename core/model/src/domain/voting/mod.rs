//! Meetings and e-voting (DESIGN.md §2.7; Condominium Act ss.43–49, s.18/1): the rules
//! the server decides with and the phone checks with — one implementation of each.
//!
//! - [`weights`]: every unit's vote weight (ownership ratio or one per plot) after the
//!   s.45 cap, and *all votes*.
//! - [`eligibility`]: who may vote for a unit (owner or registered proxy; never a
//!   resident or tenant; never a unit in arrears ≥ 6 months at a general meeting) and
//!   who may hold proxies (at most 3 units per meeting; not the board, the manager,
//!   their spouses or office staff).
//! - [`resolution`]: the resolution types and their thresholds, as data.
//! - [`tally`]: the tally of an item at close (latest vote per unit, did-not-vote,
//!   attending, quorum) and whether it passed.
//! - [`chain`]: the hash-chained ballot log: its entries, their hashes, checking a
//!   chain and recomputing a tally from it.
//! - [`receipts`]: the phone's check of its receipts and the published results against
//!   the published log.
//!
//! Weights are exact decimals ([`crate::Weight`]); no float appears anywhere, so a tally
//! is the same to the last digit on the server, on the phone and by hand.

pub mod chain;
pub mod eligibility;
pub mod receipts;
pub mod resolution;
pub mod tally;
pub mod weights;
