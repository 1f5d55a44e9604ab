//! What an onboarding token points at, as the preview shows it.

use lobby_model::protocol::{ProjectRecord, UnitRecord};

use crate::error::{AppError, AppResult};
use crate::storage::{Storage, TokenState};

/// What an onboarding token points at.
#[derive(Debug, Clone)]
pub struct OnboardingTarget {
    pub token: TokenState,
    pub project: ProjectRecord,
    pub unit: UnitRecord,
    /// The registry owner's legal name.
    pub owner_name: String,
    /// Whether the registry owner already has an activated account.
    pub owner_activated: bool,
}

/// The token's target, whatever the token's state (the caller judges it).
pub fn onboarding_target(
    db: &dyn Storage,
    token_digest: &str,
) -> AppResult<Option<OnboardingTarget>> {
    db.read(|tx| {
        let Some(token) = tx.onboarding_token(token_digest)? else {
            return Ok(None);
        };
        let unit = tx
            .unit(&token.unit_id)?
            .ok_or_else(|| AppError::server("onboarding", "token without unit"))?;
        let owner = tx
            .person(&unit.owner_person_id)?
            .ok_or_else(|| AppError::server("onboarding", "unit without owner"))?;
        let project = tx
            .project(&unit.record.project_id)?
            .ok_or_else(|| AppError::server("onboarding", "unit without project"))?;
        Ok(Some(OnboardingTarget {
            token: token.state,
            project,
            unit: unit.record,
            owner_name: owner.legal_name.clone(),
            owner_activated: owner.is_activated(),
        }))
    })
}
