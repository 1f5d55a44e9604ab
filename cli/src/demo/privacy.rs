//! The demo's privacy steps (issue 11): the platform brings its terms, privacy policy and
//! marketing notice into force; the owner's phone learns by sync what to ask, the owner
//! agrees to the first two and refuses marketing; a new privacy policy asks again.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::{Lobby, Result};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, Tour};

pub(super) async fn run(tour: &mut Tour, admin: &AdminClient, owner: &Lobby) -> Result<()> {
    for (kind, version) in [
        ("terms", "2026-11"),
        ("privacy", "2026-11"),
        ("marketing", "1"),
    ] {
        admin.publish_policy(kind, version).await?;
    }
    owner.sync().await?;
    let asked = owner.consents().to_ask()?;
    owner.consents().give(ConsentKind::Terms, None)?;
    owner.consents().give(ConsentKind::Privacy, None)?;
    owner.consents().withdraw(ConsentKind::Marketing, None)?;
    owner.sync().await?;
    let after = owner.consents().to_ask()?;
    admin.publish_policy("privacy", "2027-01").await?;
    owner.sync().await?;
    let again = owner.consents().to_ask()?;
    if asked.len() != 3 || !after.is_empty() || again != [ConsentKind::Privacy] {
        return Err(fail("consents were not asked as the rule says"));
    }
    owner.consents().give(ConsentKind::Privacy, None)?;
    owner.sync().await?;
    let kinds = |k: &[ConsentKind]| k.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    tour.step(
        "Consents: terms, privacy policy and marketing, each recorded with its version",
        format!(
            "asked: {}; the owner agreed to the terms and the privacy policy (2026-11) and refused marketing — recorded, with the time.\nA new privacy policy (2027-01) came into force: asked again about {}, agreed",
            kinds(&asked).join(", "),
            kinds(&again).join(", ")
        ),
        json!({"asked": kinds(&asked), "asked_again": kinds(&again)}),
    );
    Ok(())
}
