//! Privacy rights under the PDPA (DESIGN.md §2.8, issue 11), kept by the product rather
//! than promised in a policy. One module per right:
//!
//! - `consents`: the documents in force (terms, privacy policy, marketing notice) and
//!   every answer a person gave to them.
//! - `requests`: erasure, correction and objection requests, with their 30-day
//!   deadline and staff's answer.
//! - `personal_data`: where personal data is held — the one declaration the export and
//!   the erasure are derived from.
//! - `export`: everything held about the person, as documented JSON (`docs/export.md`).
//! - `erasure`: carrying out an approved erasure.

pub mod consents;
pub mod erasure;
pub mod export;
pub mod personal_data;
pub mod requests;
