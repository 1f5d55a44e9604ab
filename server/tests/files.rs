//! Parcel photos and the file download channel (issue 8): staff attach a JPEG to a
//! parcel; the unit's members learn of it by sync and download it; nobody else can tell
//! it exists.

mod common;

use common::*;
use lobby_model::domain::files::{content_digest, MAX_PHOTO_BYTES};
use lobby_model::protocol::admin::ParcelAdd;
use lobby_model::protocol::{PullResponse, Record};
use lobby_model::ErrorCode;
use reqwest::StatusCode;
use serde_json::json;

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn parcel(t: &TestServer, unit_id: &str) -> String {
    t.admin
        .add_parcel(&ParcelAdd {
            unit_id: unit_id.to_string(),
            recipient: "สมชาย ใจดี".into(),
            carrier: "Kerry Express".into(),
            tracking: None,
        })
        .await
        .expect("logged")
        .parcel_id
}

/// `GET /v1/files/{id}` with a bearer and an optional `If-None-Match`.
async fn download(
    t: &TestServer,
    file_id: &str,
    bearer: &str,
    if_none_match: Option<&str>,
) -> reqwest::Response {
    let mut req = t
        .http
        .get(format!("{}/v1/files/{file_id}", t.url))
        .bearer_auth(bearer);
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    req.send().await.expect("sent")
}

async fn put_photo(
    t: &TestServer,
    parcel_id: &str,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let resp = t
        .http
        .put(format!("{}/v1/admin/parcels/{parcel_id}/photo", t.url))
        .bearer_auth(&t.staff_token)
        .header("Content-Type", "image/jpeg")
        .body(body)
        .send()
        .await
        .expect("sent");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(json!(null)))
}

fn token(grant: &serde_json::Value) -> &str {
    grant["access_token"].as_str().expect("access token")
}

#[tokio::test]
async fn a_photo_reaches_the_units_members_by_sync_and_downloads_with_its_etag() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let parcel_id = parcel(&t, &imported.units[0].unit_id).await;
    let photo = jpeg(40, 30);
    let set = t
        .admin
        .set_parcel_photo(&parcel_id, photo.clone())
        .await
        .expect("photo set");

    let page: PullResponse = serde_json::from_value(
        t.post_ok("/v1/sync/pull", json!({}), Some(token(&grant)))
            .await,
    )
    .unwrap();
    let record = page
        .changes
        .iter()
        .rev()
        .find_map(|c| match &c.record {
            Record::Parcel(p) if p.id == parcel_id => Some(p.clone()),
            _ => None,
        })
        .expect("the parcel is pulled");
    let file = record.photo.expect("the latest record names the photo");
    assert_eq!(file.id, set.file_id);
    assert_eq!(file.size, photo.len() as u64);
    assert_eq!(file.sha256, content_digest(&photo));
    assert_eq!(file.content_type, "image/jpeg");

    let resp = download(&t, &file.id, token(&grant), None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let header = |r: &reqwest::Response, h: &str| {
        r.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(header(&resp, "content-type"), "image/jpeg");
    assert_eq!(header(&resp, "cache-control"), "private");
    let etag = header(&resp, "etag");
    assert_eq!(etag, format!("\"{}\"", file.sha256));
    assert_eq!(resp.bytes().await.unwrap().to_vec(), photo);

    let again = download(&t, &file.id, token(&grant), Some(&etag)).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let stale = download(&t, &file.id, token(&grant), Some("\"0000\"")).await;
    assert_eq!(stale.status(), StatusCode::OK);

    // No session, no file.
    let anonymous = t
        .http
        .get(format!("{}/v1/files/{}", t.url, file.id))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    t.shutdown().await;
}

#[tokio::test]
async fn a_replaced_photo_is_a_new_file_and_the_old_one_is_gone() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let grant = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    let parcel_id = parcel(&t, &imported.units[0].unit_id).await;
    let first = t
        .admin
        .set_parcel_photo(&parcel_id, jpeg(8, 8))
        .await
        .unwrap();
    let second = t
        .admin
        .set_parcel_photo(&parcel_id, jpeg(16, 16))
        .await
        .unwrap();
    assert_ne!(first.file_id, second.file_id);
    assert_eq!(
        download(&t, &first.file_id, token(&grant), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&t, &second.file_id, token(&grant), None)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM files"), 1);
    t.shutdown().await;
}

#[tokio::test]
async fn an_oversized_body_is_413_too_large_and_what_is_not_a_jpeg_is_invalid_input() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let parcel_id = parcel(&t, &imported.units[0].unit_id).await;

    let mut big = jpeg(8, 8);
    big.resize(MAX_PHOTO_BYTES + 1, 0);
    let (status, body) = put_photo(&t, &parcel_id, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(code_of(&body), "too_large");

    let (status, body) = put_photo(&t, &parcel_id, b"GIF89a not a jpeg".to_vec()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code_of(&body), "invalid_input");

    let mut at_limit = jpeg(8, 8);
    at_limit.resize(MAX_PHOTO_BYTES, 0);
    let (status, _) = put_photo(&t, &parcel_id, at_limit).await;
    assert_eq!(status, StatusCode::OK, "exactly the limit is taken");
    assert_eq!(t.count("SELECT COUNT(*) FROM files"), 1);
    t.shutdown().await;
}

#[tokio::test]
async fn another_unit_a_removed_member_and_another_projects_staff_get_not_found() {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(REGISTRY).await;
    let owner = t
        .onboard(&imported.units[0].onboarding_payload, "081-234-5678")
        .await;
    // Jane owns B-1203 only.
    let jane = t
        .onboard(&imported.units[2].onboarding_payload, "0899999999")
        .await;
    let parcel_id = parcel(&t, &imported.units[0].unit_id).await;
    let set = t
        .admin
        .set_parcel_photo(&parcel_id, jpeg(8, 8))
        .await
        .unwrap();

    let unknown = download(
        &t,
        "01900000-0000-7000-8000-000000000000",
        token(&jane),
        None,
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown: serde_json::Value = unknown.json().await.unwrap();
    let theirs = download(&t, &set.file_id, token(&jane), None).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let theirs: serde_json::Value = theirs.json().await.unwrap();
    assert_eq!(
        theirs, unknown,
        "the same answer as for a file that does not exist"
    );

    // The owner can, until the membership ends (staff end it on a change of ownership).
    assert_eq!(
        download(&t, &set.file_id, token(&owner), None)
            .await
            .status(),
        StatusCode::OK
    );
    t.db_write(&format!(
        "UPDATE memberships SET ended_at = 1 WHERE unit_id = '{}'",
        imported.units[0].unit_id
    ));
    assert_eq!(
        download(&t, &set.file_id, token(&owner), None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Staff limited to another project cannot tell the parcel exists.
    let other_project = t.project().await;
    let limited =
        lobby_server::AdminClient::new(&t.url, &add_staff(&t.db_path, Some(&other_project)));
    let refused = limited
        .set_parcel_photo(&parcel_id, jpeg(8, 8))
        .await
        .unwrap_err();
    let missing = limited
        .set_parcel_photo("01900000-0000-7000-8000-000000000000", jpeg(8, 8))
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotFound);
    assert_eq!(
        (refused.code, refused.message),
        (missing.code, missing.message)
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM files"), 1);
    t.shutdown().await;
}
