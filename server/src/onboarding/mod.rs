//! Owner onboarding by QR (DESIGN.md §2.1), above storage.
//!
//! - [`token`]: what a stored token's state means (used, replaced, expired).
//! - [`target`]: what a token points at (project, unit, registry owner), for the preview.
//! - [`verify`]: the registration an onboarding OTP confirms, completing it (account,
//!   owner membership, token used, changes logged, session — one unit of work) and a
//!   signed-in person claiming another unit.

pub mod target;
pub mod token;
pub mod verify;

pub use target::{onboarding_target, OnboardingTarget};
pub use token::{check_token_state, unknown_token, TokenState, TOKEN_TTL_DAYS};
pub use verify::{claim_onboarding, complete_onboarding, PendingMode, PendingOnboarding};
