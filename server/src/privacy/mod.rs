//! Privacy rights under the PDPA (DESIGN.md §2.8, issue 11), kept by the product rather
//! than promised in a policy. One module per right:
//!
//! - `consents`: the documents in force (terms, privacy policy, marketing notice) and
//!   every answer a person gave to them.
//! - `requests`: erasure, correction and objection requests, with their 30-day
//!   deadline and staff's answer.

pub mod consents;
pub mod requests;
