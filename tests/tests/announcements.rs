//! Announcements end to end (DESIGN.md §2.5, issue 10): staff post, the phone counts
//! unread per unit offline, leaving the list clears general ones, opening an acknowledge
//! one acknowledges it (through the outbox, offline too), and staff see who has.

use lobby_core::domain::announcements::AnnouncementKind;
use lobby_core::protocol::AnnouncementPost;
use lobby_e2e::TestServer;

fn post(project: &str, title: &str, kind: &str, units: &[&str]) -> AnnouncementPost {
    AnnouncementPost {
        project_id: project.to_string(),
        title: title.into(),
        body: "เรียนท่านเจ้าของร่วม\nรายละเอียดตามประกาศ".into(),
        kind: kind.into(),
        unit_ids: units.iter().map(|u| u.to_string()).collect(),
        expires_at: None,
    }
}

#[tokio::test]
async fn unread_counts_clear_as_promised_and_staff_see_the_acknowledgement() {
    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let unit = units[0].unit_id.clone();
    let project = lobby.units().list().unwrap()[0].project_id.clone();
    let water = server
        .admin
        .announce(&post(&project, "งดจ่ายน้ำวันอังคาร", "general", &[]))
        .await
        .unwrap()
        .announcement_id;
    let rule = server
        .admin
        .announce(&post(&project, "กฎใหม่ของสระว่ายน้ำ", "acknowledge", &[&unit]))
        .await
        .unwrap()
        .announcement_id;
    // For another unit only: never shown here.
    server
        .admin
        .announce(&post(
            &project,
            "เฉพาะห้อง B-1203",
            "general",
            &[&units[2].unit_id],
        ))
        .await
        .unwrap();
    lobby.sync().await.unwrap();

    let list = lobby.announcements().list(Some(&unit)).unwrap();
    let titles: Vec<&str> = list.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["กฎใหม่ของสระว่ายน้ำ", "งดจ่ายน้ำวันอังคาร"]);
    let count = |lobby: &lobby_core::Lobby| {
        lobby
            .announcements()
            .unread_counts()
            .unwrap()
            .into_iter()
            .find(|c| c.unit_id == unit)
            .unwrap()
            .unread
    };
    assert_eq!(count(lobby), 2);

    // Leaving the list clears the general one only.
    lobby.announcements().list_left(Some(&unit)).unwrap();
    assert_eq!(count(lobby), 1);
    let left = lobby.announcements().list(Some(&unit)).unwrap();
    assert!(left
        .iter()
        .all(|a| a.unread == (a.kind == AnnouncementKind::Acknowledge)));

    // Opened with no signal: acknowledged on the phone at once, sent later.
    server.stop().await;
    let opened = lobby.announcements().open(&rule, Some(&unit)).unwrap();
    assert!(opened.opened && !opened.unread);
    assert_eq!(count(lobby), 0);
    // Opening again queues nothing more.
    lobby.announcements().open(&rule, Some(&unit)).unwrap();
    assert_eq!(lobby.status().pending, 1);
    server.restart().await;
    lobby.sync().await.unwrap();
    let readers = server.admin.announcement_readers(&rule).await.unwrap();
    assert_eq!(readers.readers.len(), 1);
    assert_eq!(readers.readers[0].unit_id, unit);
    assert!(readers.units_not_read.is_empty());
    let water_readers = server.admin.announcement_readers(&water).await.unwrap();
    assert!(
        water_readers.readers.is_empty(),
        "leaving the list is not a read receipt"
    );
    // A new general one after the list was left counts again.
    server
        .admin
        .announce(&post(&project, "ประชุมใหญ่ 15 ธ.ค.", "general", &[]))
        .await
        .unwrap();
    lobby.sync().await.unwrap();
    assert_eq!(count(lobby), 1);
    server.stop().await;
}

#[tokio::test]
async fn an_attachment_is_fetched_once_shown_offline_and_only_to_the_units_addressed() {
    let mut server = TestServer::start().await;
    let (phone, units) = server.onboarded_owner().await;
    let lobby = &phone.lobby;
    let unit = units[0].unit_id.clone();
    let project = lobby.units().list().unwrap()[0].project_id.clone();
    let pdf = b"%PDF-1.4\n% \xe0\xb8\x9b\xe0\xb8\xa3\xe0\xb8\xb0\xe0\xb8\x81\xe0\xb8\xb2\xe0\xb8\xa8\n%%EOF\n"
        .to_vec();
    let notice = server
        .admin
        .announce(&post(&project, "ประกาศพร้อมเอกสาร", "general", &[]))
        .await
        .unwrap()
        .announcement_id;
    let set = server
        .admin
        .set_announcement_attachment(&notice, pdf.clone())
        .await
        .unwrap();
    assert_eq!(set.content_type, "application/pdf");
    // Refused: not an image or a PDF; over 5 MiB.
    assert_eq!(
        server
            .admin
            .set_announcement_attachment(&notice, b"MZ not a document".to_vec())
            .await
            .unwrap_err()
            .code,
        lobby_core::ErrorCode::InvalidInput
    );
    let mut big = pdf.clone();
    big.resize(5 * 1024 * 1024 + 1, b' ');
    assert_eq!(
        server
            .admin
            .set_announcement_attachment(&notice, big)
            .await
            .unwrap_err()
            .code,
        lobby_core::ErrorCode::TooLarge
    );
    // One for another unit only: its attachment is not this phone's to fetch.
    let theirs = server
        .admin
        .announce(&post(
            &project,
            "เฉพาะ B-1203",
            "general",
            &[&units[2].unit_id],
        ))
        .await
        .unwrap()
        .announcement_id;
    server
        .admin
        .set_announcement_attachment(&theirs, pdf.clone())
        .await
        .unwrap();
    lobby.sync().await.unwrap();

    let listed = lobby.announcements().list(Some(&unit)).unwrap();
    let a = listed.iter().find(|a| a.announcement_id == notice).unwrap();
    assert_eq!(a.attachment.as_ref().unwrap().size, pdf.len() as u64);
    assert_eq!(
        lobby
            .announcements()
            .attachment(&notice, Some(&unit))
            .await
            .unwrap(),
        pdf
    );
    server.stop().await;
    assert_eq!(
        lobby
            .announcements()
            .attachment(&notice, Some(&unit))
            .await
            .unwrap(),
        pdf,
        "from the cache, offline"
    );
    assert_eq!(
        lobby
            .announcements()
            .attachment(&theirs, Some(&unit))
            .await
            .unwrap_err()
            .code,
        lobby_core::ErrorCode::NotFound
    );
}
