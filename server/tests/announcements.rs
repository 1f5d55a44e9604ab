//! Announcements (DESIGN.md §2.5, issue 10): staff post to a project or chosen units,
//! members open and acknowledge through push, staff see who has and which units have not.

mod common;

use common::*;
use lobby_model::protocol::AnnouncementPost;
use lobby_model::ErrorCode;

const THREE: &str = "unit,owner_name,ownership_ratio,phone,email\n\
    A-1,เจ้าของ หนึ่ง,1,0810000001,\n\
    A-2,เจ้าของ สอง,1,0810000002,\n\
    A-3,เจ้าของ สาม,1,0810000003,\n";

fn post(project: &str, kind: &str, units: &[&str]) -> AnnouncementPost {
    AnnouncementPost {
        project_id: project.to_string(),
        title: "งดจ่ายน้ำวันอังคาร".into(),
        body: "เรียนท่านเจ้าของร่วม\nจะงดจ่ายน้ำวันอังคาร 09:00–12:00".into(),
        kind: kind.into(),
        unit_ids: units.iter().map(|u| u.to_string()).collect(),
        expires_at: None,
    }
}

async fn open(t: &TestServer, token: &str, announcement: &str, unit: &str) -> String {
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"announcement_open": {"announcement_id": announcement, "unit_id": unit}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

#[tokio::test]
async fn members_open_and_acknowledge_and_staff_see_who_has_and_which_units_have_not() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(THREE).await;
    let u: Vec<String> = imported.units.iter().map(|u| u.unit_id.clone()).collect();
    let mut tokens = Vec::new();
    for (i, unit) in imported.units.iter().enumerate() {
        let grant = t
            .onboard(&unit.onboarding_payload, &format!("081000000{}", i + 1))
            .await;
        tokens.push(grant["access_token"].as_str().unwrap().to_string());
    }
    let all = t
        .admin
        .announce(&post(&project, "general", &[]))
        .await
        .unwrap()
        .announcement_id;
    let ack = t
        .admin
        .announce(&post(&project, "acknowledge", &[&u[0], &u[1]]))
        .await
        .unwrap()
        .announcement_id;
    // Logged once for the project, once per chosen unit.
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM changes WHERE record LIKE '%{all}%'"
        )),
        1
    );
    assert_eq!(
        t.count(&format!(
            "SELECT COUNT(*) FROM changes WHERE record LIKE '%{ack}%'"
        )),
        2
    );

    assert_eq!(open(&t, &tokens[0], &all, &u[0]).await, "applied");
    assert_eq!(open(&t, &tokens[0], &all, &u[0]).await, "applied"); // again: no change
    assert_eq!(open(&t, &tokens[1], &ack, &u[1]).await, "applied");
    // Not addressed to A-3; not a member of A-1; unknown.
    assert_eq!(open(&t, &tokens[2], &ack, &u[2]).await, "not_found");
    assert_eq!(open(&t, &tokens[2], &all, &u[0]).await, "not_found");
    assert_eq!(open(&t, &tokens[2], "nope", &u[2]).await, "not_found");

    let r = t.admin.announcement_readers(&ack).await.unwrap();
    assert_eq!(r.kind, "acknowledge");
    assert_eq!(r.readers.len(), 1);
    assert_eq!(
        (r.readers[0].unit.as_str(), r.readers[0].name.as_str()),
        ("A-2", "สมชาย")
    );
    let not: Vec<&str> = r.units_not_read.iter().map(|x| x.unit.as_str()).collect();
    assert_eq!(not, ["A-1"]);
    let r = t.admin.announcement_readers(&all).await.unwrap();
    assert_eq!(r.readers.len(), 1);
    assert_eq!(r.units_not_read.len(), 2);
    t.shutdown().await;
}

#[tokio::test]
async fn bad_posts_are_refused_and_other_projects_see_nothing() {
    let t = dev_server().await;
    let (project, imported) = t.project_with_owners(THREE).await;
    let long = AnnouncementPost {
        body: "ก".repeat(20_001),
        ..post(&project, "general", &[])
    };
    let past = AnnouncementPost {
        expires_at: Some(chrono::Utc::now() - chrono::Duration::minutes(1)),
        ..post(&project, "general", &[])
    };
    let spoofed = AnnouncementPost {
        title: "ประกาศ\u{202E}ปลอม".into(),
        ..post(&project, "general", &[])
    };
    for bad in [long, past, spoofed, post(&project, "urgent", &[])] {
        assert_eq!(
            t.admin.announce(&bad).await.unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
    // A unit of another project; another project's staff.
    let other = t.project().await;
    assert_eq!(
        t.admin
            .announce(&post(&other, "general", &[&imported.units[0].unit_id]))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let mine = t
        .admin
        .announce(&post(&project, "general", &[]))
        .await
        .unwrap()
        .announcement_id;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other)));
    assert_eq!(
        limited
            .announce(&post(&project, "general", &[]))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    assert_eq!(
        limited.announcement_readers(&mine).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    t.shutdown().await;
}
