//! The demo's announcements (issue 10): staff post a general notice and one to
//! acknowledge; the owner's phone counts them unread, leaving the list clears the general
//! one, opening the other acknowledges it, and staff see who did.

use lobby_core::protocol::AnnouncementPost;
use lobby_core::{Lobby, Result};
use lobby_server::AdminClient;
use serde_json::json;

use super::{fail, Tour};

pub(super) async fn run(
    tour: &mut Tour,
    admin: &AdminClient,
    project_id: &str,
    unit_id: &str,
    owner: &Lobby,
) -> Result<()> {
    let post = |title: &str, body: &str, kind: &str| AnnouncementPost {
        project_id: project_id.to_string(),
        title: title.into(),
        body: body.into(),
        kind: kind.into(),
        unit_ids: Vec::new(),
        expires_at: None,
    };
    admin
        .announce(&post(
            "งดจ่ายน้ำวันอังคาร 09:00–12:00",
            "เรียนท่านเจ้าของร่วมและผู้พักอาศัย\nการประปาจะซ่อมท่อประธาน จึงงดจ่ายน้ำชั่วคราว",
            "general",
        ))
        .await?;
    let rule = admin
        .announce(&post(
            "กฎใหม่ของสระว่ายน้ำ (โปรดรับทราบ)",
            "ตั้งแต่ 1 ธันวาคม สระว่ายน้ำเปิด 06:00–21:00 และงดนำอาหารลงสระ",
            "acknowledge",
        ))
        .await?
        .announcement_id;
    owner.sync().await?;
    let unread = |lobby: &Lobby| -> Result<u32> {
        Ok(lobby
            .announcements()
            .unread_counts()?
            .into_iter()
            .find(|c| c.unit_id == unit_id)
            .map(|c| c.unread)
            .unwrap_or(0))
    };
    let before = unread(owner)?;
    owner.announcements().list_left(Some(unit_id))?;
    let after_list = unread(owner)?;
    owner.announcements().open(&rule, Some(unit_id))?;
    let after_open = unread(owner)?;
    owner.sync().await?;
    let readers = admin.announcement_readers(&rule).await?;
    if (before, after_list, after_open) != (2, 1, 0) || readers.readers.len() != 1 {
        return Err(fail("unread counts or acknowledgements are wrong"));
    }
    tour.step(
        "Staff post announcements; the phone counts them and the owner acknowledges",
        format!(
            "unread on the phone: {before} → leaving the list clears the general notice: {after_list} → opening the pool rule acknowledges it: {after_open}.\nStaff see: acknowledged by {} ({}); {} unit(s) not yet",
            readers.readers[0].name,
            readers.readers[0].unit,
            readers.units_not_read.len()
        ),
        json!({"unread": [before, after_list, after_open], "acknowledged_by": readers.readers.len(), "units_not_yet": readers.units_not_read.len()}),
    );
    Ok(())
}
