//! Owner-registry import (DESIGN.md §2.1 step 1).

mod common;

use common::*;
use lobby_model::ErrorCode;

#[tokio::test]
async fn import_keeps_thai_names_exactly_and_stores_phones_in_e164() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    assert_eq!(imported.units.len(), 3);
    assert_eq!(imported.units[0].unit, "12/345");
    assert_eq!(imported.units[0].owner, "สมชาย ใจดี");
    assert!(imported.units[0]
        .onboarding_payload
        .starts_with("LOBBY:ONBOARD:1:"));
    let legal: String = t
        .db()
        .query_row(
            "SELECT legal_name FROM people WHERE phone = '+66812345678'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(legal, "สมชาย ใจดี");
    assert_eq!(
        t.count("SELECT COUNT(*) FROM people WHERE phone LIKE '0%' OR phone LIKE '%-%'"),
        0
    );
    t.shutdown().await;
}

#[tokio::test]
async fn the_same_phone_on_several_rows_is_one_person() {
    let t = dev_server().await;
    t.project_with_owners(REGISTRY).await;
    assert_eq!(t.count("SELECT COUNT(*) FROM people"), 2);
    assert_eq!(
        t.count("SELECT COUNT(DISTINCT owner_person_id) FROM units WHERE number IN ('12/345', '12/346')"),
        1
    );
    t.shutdown().await;
}

#[tokio::test]
async fn each_unit_gets_its_own_random_onboarding_token_stored_only_as_a_digest() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    assert_eq!(
        t.count("SELECT COUNT(DISTINCT token_digest) FROM onboarding_tokens"),
        3
    );
    let token = imported.units[0]
        .onboarding_payload
        .split(':')
        .nth(3)
        .unwrap()
        .to_string();
    let stored: i64 = t
        .db()
        .query_row(
            "SELECT COUNT(*) FROM onboarding_tokens WHERE token_digest = ?1",
            [&token],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0, "the raw token must not be stored");
    t.shutdown().await;
}

#[tokio::test]
async fn a_bad_row_is_reported_with_its_line_number_and_nothing_is_imported() {
    let t = dev_server().await;
    let project = t.project().await;
    let csv =
        "unit,owner_name,ownership_ratio,phone,email\n1,A,1,0811111111,\n2,B,abc,,\n3,C,1,12345,\n";
    let e = t
        .admin
        .import_owners(&project, csv.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RegistryInvalid);
    assert!(e.message.contains("line 3"), "{}", e.message);
    assert!(e.message.contains("line 4"), "{}", e.message);
    assert!(!e.message.contains("line 2:"), "{}", e.message);
    assert_eq!(t.count("SELECT COUNT(*) FROM units"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM people"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM onboarding_tokens"), 0);
    t.shutdown().await;
}

#[tokio::test]
async fn a_unit_number_already_in_the_project_is_a_row_problem_and_nothing_is_imported() {
    let t = dev_server().await;
    let (project, _) = t.project_with_owners(REGISTRY).await;
    let csv =
        "unit,owner_name,ownership_ratio,phone,email\nC-1,New Owner,1,,\nB-1203,Jane Doe,2,,\n";
    let e = t
        .admin
        .import_owners(&project, csv.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RegistryInvalid);
    assert!(e.message.contains("line 3"), "{}", e.message);
    assert_eq!(t.count("SELECT COUNT(*) FROM units"), 3);
    t.shutdown().await;
}

#[tokio::test]
async fn a_non_utf8_registry_is_refused_not_a_crash() {
    let t = dev_server().await;
    let project = t.project().await;
    let e = t
        .admin
        .import_owners(
            &project,
            b"unit,owner_name,ownership_ratio,phone,email\n1,\xff\xfe,1,,\n".to_vec(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::RegistryInvalid);
    assert!(e.message.contains("line 2"));
    t.shutdown().await;
}

#[tokio::test]
async fn import_into_an_unknown_project_is_not_found() {
    let t = dev_server().await;
    let e = t
        .admin
        .import_owners("no-such-project", REGISTRY.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    t.shutdown().await;
}

#[tokio::test]
async fn a_project_limited_staff_token_acts_only_on_its_project() {
    let t = dev_server().await;
    let mine = t.project().await;
    let other = t.project().await;
    let limited = lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&mine)));
    limited
        .import_owners(&mine, REGISTRY.as_bytes().to_vec())
        .await
        .expect("own project");
    let e = limited
        .import_owners(&other, REGISTRY.as_bytes().to_vec())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let e = limited
        .create_project("x", lobby_model::protocol::ProjectKind::HousingEstate)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    t.shutdown().await;
}
