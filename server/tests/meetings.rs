//! Meeting set-up (DESIGN.md §2.7, issue 9): staff create a meeting, its agenda, proxies
//! (at most 3 units per holder) and the attendance register, within their project.

mod common;

use common::*;
use lobby_model::protocol::{ItemAdd, MeetingCreate, ProxyAdd};
use lobby_model::ErrorCode;

/// Five units with five owners; the fifth owner will hold proxies.
const FIVE: &str = "unit,owner_name,ownership_ratio,phone,email\n\
    A-1,เจ้าของ หนึ่ง,1,0810000001,\n\
    A-2,เจ้าของ สอง,1,0810000002,\n\
    A-3,เจ้าของ สาม,1,0810000003,\n\
    A-4,เจ้าของ สี่,1,0810000004,\n\
    A-5,ผู้รับมอบ ฉันทะ,1,0810000005,\n";

fn meeting(project: &str) -> MeetingCreate {
    MeetingCreate {
        project_id: project.to_string(),
        title: "ประชุมใหญ่สามัญประจำปี 2569".into(),
        kind: "annual".into(),
        reconvened: false,
    }
}

fn item(title: &str, resolution: &str) -> ItemAdd {
    ItemAdd {
        title: title.into(),
        resolution: resolution.into(),
    }
}

#[tokio::test]
async fn a_meeting_gets_its_agenda_in_order_and_bad_kinds_and_types_are_refused() {
    let t = dev_server().await;
    let project = t.project().await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    for (title, resolution) in [
        ("รับรองรายงานการประชุม", "majority_of_attendees"),
        ("อนุมัติงบประมาณ", "half_of_all"),
        ("แจ้งเพื่อทราบ", "information"),
    ] {
        t.admin
            .add_item(&m, &item(title, resolution))
            .await
            .expect("item added");
    }
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM agenda_items WHERE meeting_id = '{m}' AND (
                (position = 1 AND resolution = 'majority_of_attendees')
             OR (position = 2 AND resolution = 'half_of_all')
             OR (position = 3 AND resolution = 'information'))"
        )),
        3
    );
    let bad_kind = MeetingCreate {
        kind: "general".into(),
        ..meeting(&project)
    };
    assert_eq!(
        t.admin.create_meeting(&bad_kind).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    assert_eq!(
        t.admin
            .add_item(&m, &item("x", "two_thirds"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::InvalidInput
    );
    let spoofed = item("\u{202E}ปลอม", "information");
    assert_eq!(
        t.admin.add_item(&m, &spoofed).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
    // Another project's staff cannot see the meeting or create one in this project.
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited
            .add_item(&m, &item("x", "information"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        limited
            .create_meeting(&meeting(&project))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}

#[tokio::test]
async fn one_holder_takes_three_units_by_proxy_and_a_fourth_is_proxy_limit() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    t.onboard(&imported.units[4].onboarding_payload, "0810000005")
        .await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let proxy = |i: usize, holder: &str| ProxyAdd {
        unit_id: imported.units[i].unit_id.clone(),
        holder: holder.into(),
    };
    for i in 0..3 {
        t.admin
            .add_proxy(&m, &proxy(i, "081-000-0005"))
            .await
            .expect("within the limit");
    }
    // The same registration again changes nothing and is not a fourth unit.
    t.admin
        .add_proxy(&m, &proxy(0, "+66810000005"))
        .await
        .unwrap();
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "0810000005"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::ProxyLimit
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM meeting_proxies WHERE meeting_id = '{m}'"
        )),
        3
    );
    // A holder with no account; a malformed phone.
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "0899999999"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        t.admin
            .add_proxy(&m, &proxy(3, "12"))
            .await
            .unwrap_err()
            .code,
        ErrorCode::PhoneInvalid
    );
    // The limit is per meeting: another meeting starts from zero.
    let m2 = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    t.admin
        .add_proxy(&m2, &proxy(3, "0810000005"))
        .await
        .unwrap();
    t.shutdown().await;
}

#[tokio::test]
async fn attendance_is_recorded_once_for_units_of_the_meetings_project_only() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(FIVE).await;
    let (_, theirs) = t.project_with_owners(REGISTRY).await;
    let m = t
        .admin
        .create_meeting(&meeting(&project))
        .await
        .unwrap()
        .meeting_id;
    let unit = &imported.units[0].unit_id;
    t.admin.attend(&m, unit).await.unwrap();
    t.admin.attend(&m, unit).await.unwrap();
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = '{m}'"
        )),
        1
    );
    assert_eq!(
        t.admin
            .attend(&m, &theirs.units[0].unit_id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        t.admin
            .attend("no-such-meeting", unit)
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}
