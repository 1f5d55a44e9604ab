//! Payment slips at the server (DESIGN.md §2.6, issue 10), without the phone's core: the
//! resumable upload channel (`PUT/GET /v1/uploads/{id}`) and `invoice_pay` pushed raw,
//! so every check the phone makes is shown to be made again here — another unit's
//! invoice, a paid one, an unfinished or altered upload, something that is not a photo,
//! an upload over the limit, another person's upload.

mod common;

use std::io::Cursor;

use common::*;
use lobby_model::domain::files::{content_digest, MAX_PHOTO_BYTES};
use lobby_model::protocol::{InvoiceAdd, InvoiceLineRecord};
use reqwest::StatusCode;
use serde_json::Value;

const TWO: &str = "unit,owner_name,ownership_ratio,phone,email\n\
    A-1,เจ้าของ หนึ่ง,1,0810000001,\n\
    A-2,เจ้าของ สอง,1,0810000002,\n";

const CHUNK: usize = 256 * 1024;

/// A JPEG slip `side` pixels square (noise, so it does not compress much).
fn slip(side: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(side, side, |x, y| {
        let v = ((x * 7 + y * 13) ^ (x * y)) as u8;
        image::Rgb([v, v.wrapping_mul(3), 90])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn put(
    t: &TestServer,
    token: &str,
    id: &str,
    offset: usize,
    size: usize,
    sha: &str,
    chunk: &[u8],
) -> (StatusCode, Value) {
    let resp = t
        .http
        .put(format!(
            "{}/v1/uploads/{id}?offset={offset}&size={size}&sha256={sha}",
            t.url
        ))
        .bearer_auth(token)
        .body(chunk.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Sends the whole upload in chunks; its id.
async fn upload(t: &TestServer, token: &str, bytes: &[u8]) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let sha = content_digest(bytes);
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        let (s, v) = put(t, token, &id, i * CHUNK, bytes.len(), &sha, chunk).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    id
}

async fn pay(t: &TestServer, token: &str, invoice: &str, upload: &str, bytes: &[u8]) -> String {
    pay_as(
        t,
        token,
        invoice,
        upload,
        bytes.len(),
        &content_digest(bytes),
    )
    .await
}

async fn pay_as(
    t: &TestServer,
    token: &str,
    invoice: &str,
    upload: &str,
    size: usize,
    sha: &str,
) -> String {
    let body = serde_json::json!({"mutations": [{
        "id": uuid::Uuid::now_v7(),
        "created_at": chrono::Utc::now(),
        "mutation": {"invoice_pay": {
            "invoice_id": invoice, "upload_id": upload, "size": size, "sha256": sha}},
    }]});
    let out = t.post_ok("/v1/sync/push", body, Some(token)).await;
    let outcome = &out["results"][0]["outcome"];
    outcome["code"]
        .as_str()
        .or(outcome["status"].as_str())
        .unwrap_or("?")
        .to_string()
}

struct World {
    t: TestServer,
    tokens: Vec<String>,
    invoices: Vec<String>,
}

async fn world() -> World {
    let t = dev_server().await;
    let (_, imported) = t.project_with_owners(TWO).await;
    let mut tokens = Vec::new();
    let mut invoices = Vec::new();
    for (i, unit) in imported.units.iter().enumerate() {
        let grant = t
            .onboard(&unit.onboarding_payload, &format!("081000000{}", i + 1))
            .await;
        tokens.push(grant["access_token"].as_str().unwrap().to_string());
        let (period, due) = due_in(30);
        let added = t
            .admin
            .add_invoice(&InvoiceAdd {
                unit_id: unit.unit_id.clone(),
                period,
                due,
                lines: vec![InvoiceLineRecord {
                    description: "ค่าส่วนกลาง ธ.ค.".into(),
                    amount_satang: 250_000,
                }],
                total_satang: None,
            })
            .await
            .unwrap();
        invoices.push(added.invoice_id);
    }
    World {
        t,
        tokens,
        invoices,
    }
}

#[tokio::test]
async fn an_upload_resumes_from_what_the_server_has_and_a_repeated_chunk_is_stored_once() {
    let w = world().await;
    let (t, token) = (&w.t, &w.tokens[0]);
    let bytes = slip(900);
    assert!(bytes.len() > 2 * CHUNK && bytes.len() <= MAX_PHOTO_BYTES);
    let sha = content_digest(&bytes);
    let id = uuid::Uuid::now_v7().to_string();
    // Nothing yet: not_found, which tells the phone to start at 0.
    let (s, _) = t
        .request("GET", &format!("/v1/uploads/{id}"), None, Some(token))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = put(t, token, &id, 0, bytes.len(), &sha, &bytes[..CHUNK]).await;
    assert_eq!(
        (s, v["received"].as_u64()),
        (StatusCode::OK, Some(CHUNK as u64))
    );
    // The same chunk again (its answer was lost): already here, nothing appended.
    let (s, v) = put(t, token, &id, 0, bytes.len(), &sha, &bytes[..CHUNK]).await;
    assert_eq!(
        (s, v["received"].as_u64()),
        (StatusCode::OK, Some(CHUNK as u64))
    );
    // A chunk past a gap, or with another size or digest: conflict.
    let gap = &bytes[2 * CHUNK..2 * CHUNK + 1000];
    let (s, v) = put(t, token, &id, 2 * CHUNK, bytes.len(), &sha, gap).await;
    assert_eq!((s, code_of(&v)), (StatusCode::CONFLICT, "conflict"));
    let next = &bytes[CHUNK..2 * CHUNK];
    let (s, _) = put(t, token, &id, CHUNK, bytes.len() + 1, &sha, next).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = put(t, token, &id, CHUNK, bytes.len(), &"0".repeat(64), next).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Another person cannot see or add to it.
    let (s, _) = t
        .request(
            "GET",
            &format!("/v1/uploads/{id}"),
            None,
            Some(&w.tokens[1]),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = put(
        t,
        &w.tokens[1],
        &id,
        CHUNK,
        bytes.len(),
        &sha,
        &bytes[CHUNK..2 * CHUNK],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Resume where the server says.
    let (_, state) = t
        .request("GET", &format!("/v1/uploads/{id}"), None, Some(token))
        .await;
    let mut offset = state["received"].as_u64().unwrap() as usize;
    assert_eq!(offset, CHUNK);
    while offset < bytes.len() {
        let end = (offset + CHUNK).min(bytes.len());
        let (s, v) = put(
            t,
            token,
            &id,
            offset,
            bytes.len(),
            &sha,
            &bytes[offset..end],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        offset = v["received"].as_u64().unwrap() as usize;
    }
    assert_eq!(pay(t, token, &w.invoices[0], &id, &bytes).await, "applied");
    // The stored slip is exactly the bytes sent, once; the upload is gone.
    let stored: Vec<u8> = t
        .db()
        .query_row("SELECT bytes FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(content_digest(&stored), sha);
    assert_eq!(t.count("SELECT COUNT(*) FROM uploads"), 0);
    assert_eq!(t.count("SELECT COUNT(*) FROM upload_chunks"), 0);
}

#[tokio::test]
async fn uploads_over_the_limits_are_refused() {
    let w = world().await;
    let (t, token) = (&w.t, &w.tokens[0]);
    let id = uuid::Uuid::now_v7().to_string();
    let sha = "a".repeat(64);
    // A declared size over 2 MiB: too_large before a byte is kept.
    let (s, v) = put(t, token, &id, 0, MAX_PHOTO_BYTES + 1, &sha, &[1; 1024]).await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // A chunk over 256 KiB: too_large.
    let big = vec![1u8; CHUNK + 1];
    let (s, v) = put(t, token, &id, 0, MAX_PHOTO_BYTES, &sha, &big).await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    // An empty chunk, a size of 0, a digest that is not one: invalid_input.
    for (size, sha, chunk) in [
        (10, sha.as_str(), &[][..]),
        (0, sha.as_str(), &[1u8][..]),
        (10, "not-hex", &[1u8][..]),
    ] {
        let (s, v) = put(t, token, &id, 0, size, sha, chunk).await;
        assert_eq!(
            (s, code_of(&v)),
            (StatusCode::BAD_REQUEST, "invalid_input"),
            "{v}"
        );
    }
    // At most 10 unfinished uploads per person.
    for _ in 0..10 {
        let id = uuid::Uuid::now_v7().to_string();
        let (s, _) = put(t, token, &id, 0, 2048, &sha, &[1; 1024]).await;
        assert_eq!(s, StatusCode::OK);
    }
    let id = uuid::Uuid::now_v7().to_string();
    let (s, v) = put(t, token, &id, 0, 2048, &sha, &[1; 1024]).await;
    assert_eq!(
        (s, code_of(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM uploads"), 10);
    // Abandoned uploads go after 48 hours (here: all aged 49 but the newest, 47), and a
    // new one may start.
    t.db_write("UPDATE uploads SET created_at = created_at - 49 * 3600 * 1000");
    t.db_write(
        "UPDATE uploads SET created_at = created_at + 2 * 3600 * 1000
         WHERE id = (SELECT MAX(id) FROM uploads)",
    );
    let (s, _) = put(t, token, &id, 0, 2048, &sha, &[1; 1024]).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        t.count("SELECT COUNT(*) FROM uploads"),
        2,
        "one young, one new"
    );
    assert_eq!(
        t.count("SELECT COUNT(*) FROM upload_chunks"),
        2,
        "the old ones' bytes went with them"
    );
}

#[tokio::test]
async fn a_pushed_payment_is_checked_again_by_the_server() {
    let w = world().await;
    let (t, mine, theirs) = (&w.t, &w.tokens[0], &w.invoices[1]);
    let bytes = slip(300);
    // Another unit's invoice: not_found, as if it did not exist; the upload is kept.
    let id = upload(t, mine, &bytes).await;
    assert_eq!(pay(t, mine, theirs, &id, &bytes).await, "not_found");
    assert_eq!(t.count("SELECT COUNT(*) FROM uploads"), 1);
    // An unfinished upload, or one named with another digest or size: invalid_input.
    let half = uuid::Uuid::now_v7().to_string();
    let sha = content_digest(&bytes);
    let (s, _) = put(
        t,
        mine,
        &half,
        0,
        bytes.len(),
        &sha,
        &bytes[..bytes.len() / 2],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        pay(t, mine, &w.invoices[0], &half, &bytes).await,
        "invalid_input"
    );
    let other_sha = content_digest(b"something else");
    assert_eq!(
        pay_as(t, mine, &w.invoices[0], &id, bytes.len(), &other_sha).await,
        "invalid_input"
    );
    assert_eq!(
        pay_as(t, mine, &w.invoices[0], &id, bytes.len() - 1, &sha).await,
        "invalid_input"
    );
    // Someone else's complete upload cannot be used.
    assert_eq!(
        pay(t, &w.tokens[1], theirs, &id, &bytes).await,
        "invalid_input"
    );
    // Bytes that are not a photo: invalid_input, nothing stored.
    let pdf = b"%PDF-1.4\n% not a slip photo\n".repeat(10);
    let id_pdf = upload(t, mine, &pdf).await;
    assert_eq!(
        pay(t, mine, &w.invoices[0], &id_pdf, &pdf).await,
        "invalid_input"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM files"), 0);
    // The real thing, then staff confirm; a slip for the paid invoice is a conflict.
    assert_eq!(pay(t, mine, &w.invoices[0], &id, &bytes).await, "applied");
    t.admin
        .confirm_invoice(&w.invoices[0], 250_000)
        .await
        .unwrap();
    let again = upload(t, mine, &bytes).await;
    assert_eq!(
        pay(t, mine, &w.invoices[0], &again, &bytes).await,
        "conflict"
    );
    assert_eq!(t.count("SELECT COUNT(*) FROM files"), 1);
    let state: String = t
        .db()
        .query_row(
            "SELECT state FROM invoices WHERE id = ?1",
            [&w.invoices[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "paid");
}
