//! The demo's privacy steps (issue 11): the platform brings its terms, privacy policy and
//! marketing notice into force; the owner's phone learns by sync what to ask, the owner
//! agrees to the first two and refuses marketing; a new privacy policy asks again. Then
//! the owner files an objection and an erasure request; the office lists them by
//! deadline, approves one and rejects the other with its reason.

use lobby_core::domain::consent::ConsentKind;
use lobby_core::domain::privacy_request::{RequestKind, RequestStatus};
use lobby_core::{Lobby, Result};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, Tour};

pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    project_id: &str,
    owner: &Lobby,
) -> Result<()> {
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

    let objection = owner.privacy().file_request(
        RequestKind::Objection,
        Some("ไม่ประสงค์ให้นำเบอร์โทรไปใช้เพื่อการตลาด"),
    )?;
    let erasure = owner.privacy().file_request(RequestKind::Erasure, None)?;
    owner.sync().await?;
    let open = admin.privacy_requests(project_id).await?.requests;
    admin
        .decide_privacy_request(&objection.request_id, true, None)
        .await?;
    let reason = "ท่านยังเป็นเจ้าของห้อง 12/345: ข้อมูลการเป็นเจ้าของต้องเก็บไว้ตามกฎหมาย";
    admin
        .decide_privacy_request(&erasure.request_id, false, Some(reason))
        .await?;
    owner.sync().await?;
    let answered = owner.privacy().requests()?;
    let status_of = |id: &str| {
        answered
            .iter()
            .find(|r| r.request_id == id)
            .map(|r| r.status)
    };
    if open.len() != 2
        || status_of(&objection.request_id) != Some(RequestStatus::Approved)
        || status_of(&erasure.request_id) != Some(RequestStatus::Rejected)
    {
        return Err(fail(
            "the privacy requests were not answered as staff decided",
        ));
    }
    tour.step(
        "Privacy requests: an objection and an erasure, answered within the deadline",
        format!(
            "the owner filed an objection and an erasure request (due by {}); the office saw {} open, soonest deadline first.\nObjection approved; erasure rejected with its reason (\"{reason}\"); both answers synced to the phone",
            erasure.deadline.format("%Y-%m-%d"),
            open.len()
        ),
        json!({"open_for_staff": open.len(), "objection": "approved", "erasure": "rejected"}),
    );
    Ok(())
}
