//! Black-box tests of the `lobby` binary (INTERFACE.md): a real server on loopback, the
//! CLI run as a separate process per command, as a script would.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use lobby_core::protocol::ProjectKind;
use lobby_server::{AdminClient, ServerConfig};
use serde_json::Value;

const REGISTRY: &str = include_str!("../../fixtures/registry/demo.csv");

struct Run {
    code: i32,
    json: Value,
    stdout: String,
}

fn lobby(home: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_lobby"))
        .arg("--home")
        .arg(home)
        .args(args)
        .arg("--json")
        .output()
        .expect("lobby runs");
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    Run {
        code: out.status.code().unwrap_or(-1),
        json,
        stdout,
    }
}

async fn server(dir: &Path) -> (lobby_server::RunningServer, AdminClient) {
    let s = lobby_server::start(ServerConfig {
        db_path: dir.join("server.db"),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        dev: true,
        otp_webhook: None,
        key_file: None,
        limits: Default::default(),
    })
    .await
    .expect("server starts");
    let admin = AdminClient::new(&s.url, s.staff_token.as_deref().expect("staff token"));
    (s, admin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_onboards_through_the_cli_and_keeps_the_units_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ ทดสอบ").await;
    let home = dir.path().join("phone");
    let url = server.url.clone();

    // Scan a photo of the QR.
    let png = dir.path().join("qr.png");
    std::fs::write(
        &png,
        lobby_core::qr::render_png(&units[0].onboarding_payload).unwrap(),
    )
    .unwrap();
    let r = tokio::task::spawn_blocking({
        let (home, png, url) = (home.clone(), png.clone(), url.clone());
        move || {
            lobby(
                &home,
                &[
                    "--server",
                    &url,
                    "onboard",
                    "scan",
                    "--image",
                    png.to_str().unwrap(),
                ],
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["owner"], "สมชาย ใจดี");
    assert_eq!(r.json["unit"], "12/345");
    assert_eq!(r.json["new_account"], true);

    let payload = units[0].onboarding_payload.clone();
    let r = run(
        &home,
        &[
            "onboard",
            "complete",
            "--payload",
            &payload,
            "--phone",
            "081-234-5678",
            "--password",
            "Lumpini2026!",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["otp_sent_to"], "+66 8••••5678");
    let code = admin.peek_otp("0812345678").await.unwrap().code;
    let r = run(&home, &["onboard", "verify", "--code", &code]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.json["person_id"].is_string());
    assert_eq!(r.json["units"].as_array().unwrap().len(), 1);

    // The second unit's QR: same account.
    let second = units[1].onboarding_payload.clone();
    let r = run(&home, &["onboard", "scan", &second]).await;
    assert_eq!(r.json["new_account"], false, "{}", r.stdout);
    let r = run(&home, &["onboard", "complete", "--payload", &second]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(&home, &["units"]).await;
    assert_eq!(r.json["units"].as_array().unwrap().len(), 2, "{}", r.stdout);
    let unit_id = units[1].unit_id.clone();
    assert_eq!(
        run(&home, &["use", &unit_id]).await.json["current"],
        unit_id.as_str()
    );

    // The login e-mail: a code to the new address, then verify-email.
    let r = run(
        &home,
        &["profile", "set", "--email", "somchai.new@example.com"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["email"], "somchai@example.com", "not yet changed");
    assert!(r.json["email_code_sent_to"].is_string(), "{}", r.stdout);
    let code = admin
        .peek_otp("somchai.new@example.com")
        .await
        .unwrap()
        .code;
    let r = run(&home, &["profile", "verify-email", "--code", &code]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["email"], "somchai.new@example.com", "{}", r.stdout);
    let r = run(&home, &["profile", "verify-email", "--code", &code]).await;
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "no_pending_otp", "{}", r.stdout);

    // A parcel staff log reaches the phone by sync, with its photo.
    let parcel_id = admin
        .add_parcel(&lobby_core::protocol::admin::ParcelAdd {
            unit_id: units[0].unit_id.clone(),
            recipient: "คุณสมชาย ใจดี".into(),
            carrier: "Kerry Express".into(),
            tracking: None,
        })
        .await
        .unwrap()
        .parcel_id;
    let jpeg = {
        let img = image::RgbImage::from_pixel(24, 16, image::Rgb([10, 120, 200]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    };
    admin
        .set_parcel_photo(&parcel_id, jpeg.clone())
        .await
        .unwrap();
    assert_eq!(run(&home, &["sync"]).await.code, 0);
    let photo_path = home.join("parcel.jpg");
    let photo_arg = photo_path.to_string_lossy().to_string();
    let r = run(&home, &["parcel-photo", &parcel_id, "--out", &photo_arg]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["bytes"], jpeg.len(), "{}", r.stdout);
    assert_eq!(r.json["content_type"], "image/jpeg");
    assert_eq!(r.json["path"], photo_arg.as_str());
    assert_eq!(std::fs::read(&photo_path).unwrap(), jpeg);

    // The server goes away.
    server.shutdown().await.unwrap();
    std::fs::remove_file(&photo_path).unwrap();
    let r = run(&home, &["parcel-photo", &parcel_id, "--out", &photo_arg]).await;
    assert_eq!(
        r.code, 0,
        "the photo comes from the phone's cache: {}",
        r.stdout
    );
    assert_eq!(std::fs::read(&photo_path).unwrap(), jpeg);
    let r = run(
        &home,
        &["parcels", "--recipient", "สมชาย", "--status", "waiting"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        r.json["parcels"].as_array().unwrap().len(),
        1,
        "{}",
        r.stdout
    );
    assert_eq!(r.json["parcels"][0]["carrier"], "Kerry Express");
    assert_eq!(
        r.json["parcels"][0]["photo"]["cached"], true,
        "{}",
        r.stdout
    );
    let r = run(&home, &["parcels", "--status", "lost"]).await;
    assert_eq!(r.code, 2, "a usage error: {}", r.stdout);

    // The pickup QR is made with the server down, and an independent scanner reads it.
    let png = home.join("pickup.png");
    let r = run(
        &home,
        &[
            "pickup-qr",
            "--out",
            png.to_str().unwrap(),
            "--unit",
            &units[0].unit_id,
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let payload = r.json["payload"].as_str().unwrap().to_string();
    assert!(payload.starts_with("LOBBY:PICKUP:1:"), "{}", r.stdout);
    assert_eq!(r.json["key_registered"], true, "{}", r.stdout);
    let until =
        chrono::DateTime::parse_from_rfc3339(r.json["valid_until"].as_str().unwrap()).unwrap();
    let left = until.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        left.num_seconds() > 50 && left.num_seconds() <= 90,
        "{left}"
    );
    assert_eq!(independent_scan(&png).as_deref(), Some(payload.as_str()));
    let r = run(&home, &["units"]).await;
    assert_eq!(r.code, 0);
    assert_eq!(r.json["units"].as_array().unwrap().len(), 2);
    assert_eq!(r.json["current"], unit_id.as_str());
    let r = run(&home, &["sync"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["state"], "offline");
    // A new process still knows how the last sync ended.
    let r = run(&home, &["status"]).await;
    assert_eq!(r.code, 0);
    assert_eq!(r.json["state"], "offline", "{}", r.stdout);
    assert!(r.json["last_sync"].is_string());
}

/// The text a scanner that shares no code with ours (zxing-cpp, through the Python that
/// `scripts/qr-scanner.sh` prepares and `scripts/test.sh` exports as `LOBBY_QR_SCANNER`)
/// reads from the PNG. Without the variable, `cargo test` alone, the check is skipped
/// with a notice; the test suite's command always sets it, so there it can fail.
fn independent_scan(png: &Path) -> Option<String> {
    let Ok(python) = std::env::var("LOBBY_QR_SCANNER") else {
        eprintln!("LOBBY_QR_SCANNER not set: the independent-scanner check is skipped");
        let bytes = std::fs::read(png).unwrap();
        return lobby_core::qr::read_png_or_jpeg(&bytes).ok();
    };
    let out = Command::new(python)
        .args([
            "-c",
            "import sys, zxingcpp; from PIL import Image\n\
             found = zxingcpp.read_barcodes(Image.open(sys.argv[1]))\n\
             assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode, found\n\
             print(found[0].text, end='')",
            png.to_str().unwrap(),
        ])
        .output()
        .expect("the scanner runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

/// The owner of `payload`'s unit onboards through the CLI into `home` (0812345678).
/// A condominium named `name` with the demo registry imported: the project and its units.
async fn project_with_owners(
    admin: &AdminClient,
    name: &str,
) -> (
    lobby_core::protocol::admin::ProjectCreated,
    Vec<lobby_core::protocol::admin::ImportedUnit>,
) {
    let project = admin
        .create_project(name, ProjectKind::Condominium)
        .await
        .unwrap();
    let units = admin
        .import_owners(&project.project_id, REGISTRY.as_bytes().to_vec())
        .await
        .unwrap()
        .units;
    (project, units)
}

async fn onboard_by_cli(home: &Path, url: &str, admin: &AdminClient, payload: &str) {
    run(
        home,
        &[
            "--server",
            url,
            "onboard",
            "complete",
            "--payload",
            payload,
            "--phone",
            "0812345678",
            "--password",
            "Lumpini2026!",
        ],
    )
    .await;
    let code = admin.peek_otp("0812345678").await.unwrap().code;
    assert_eq!(
        run(home, &["onboard", "verify", "--code", &code])
            .await
            .code,
        0
    );
}

async fn run(home: &Path, args: &[&str]) -> Run {
    let home = home.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        lobby(&home, &refs)
    })
    .await
    .unwrap()
}

#[test]
fn a_tampered_payload_is_one_json_error_with_its_code_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let r = lobby(
        dir.path(),
        &[
            "--server",
            "http://127.0.0.1:9",
            "onboard",
            "scan",
            "LOBBY:ONBOARD:1:AAAA:1:BBBB",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "onboarding_token_invalid");
    assert_eq!(r.stdout.trim().lines().count(), 1);
}

#[test]
fn a_usage_error_exits_2_with_a_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = lobby(dir.path(), &["onboard", "verify"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.json["error"]["code"], "usage");
}

#[test]
fn a_weak_password_is_refused_on_the_device_with_its_own_code() {
    let dir = tempfile::tempdir().unwrap();
    let payload = lobby_core::domain::onboarding::OnboardingPayload::issue(
        chrono::Utc::now(),
        chrono::Duration::days(1),
    )
    .encode();
    let r = lobby(
        dir.path(),
        &[
            "--server",
            "http://127.0.0.1:9",
            "onboard",
            "complete",
            "--payload",
            &payload,
            "--phone",
            "0812345678",
            "--password",
            "alllowercase1",
        ],
    );
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "password_weak");
}

#[test]
fn demo_runs_the_whole_journey_as_one_json_document() {
    let r = lobby(tempfile::tempdir().unwrap().path(), &["demo"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["ok"], true);
    let steps = r.json["steps"].as_array().unwrap();
    assert!(steps.len() >= 15, "{} steps", steps.len());
    assert!(steps
        .iter()
        .all(|s| s["title"].is_string() && s["said"].is_string()));
    // Numbered 1, 2, … in the order they ran.
    for (i, s) in steps.iter().enumerate() {
        assert_eq!(s["step"], i + 1, "{s}");
    }
    let audit = steps
        .iter()
        .find(|s| s["title"].as_str().unwrap().starts_with("The audit log"))
        .expect("the audit log step");
    assert_eq!(audit["detail"]["verified"], true);
    assert!(audit["detail"]["entries"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_through_the_cli_create_a_qr_accept_it_list_and_remove_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ เชิญ").await;
    let owner = dir.path().join("owner");
    let tenant = dir.path().join("tenant");
    onboard_by_cli(&owner, &server.url, &admin, &units[0].onboarding_payload).await;

    let qr = dir.path().join("invite.png");
    let r = run(
        &owner,
        &[
            "invite",
            "create",
            "--role",
            "tenant",
            "--qr",
            qr.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["status"], "pending");
    let invite_code = r.json["code"].as_str().unwrap().to_string();
    assert_eq!(invite_code.len(), 10);
    let read_back = lobby_core::qr::read_png_or_jpeg(&std::fs::read(&qr).unwrap()).unwrap();
    assert!(read_back.contains(&invite_code));

    let r = run(
        &tenant,
        &[
            "--server",
            &server.url,
            "invite",
            "accept",
            "--image",
            qr.to_str().unwrap(),
            "--phone",
            "086-555-0101",
            "--name",
            "มานี",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let otp = admin.peek_otp("0865550101").await.unwrap().code;
    assert_eq!(
        run(&tenant, &["login", "verify", "--code", &otp])
            .await
            .code,
        0
    );
    let r = run(&tenant, &["units"]).await;
    assert_eq!(r.json["units"][0]["role"], "tenant", "{}", r.stdout);

    run(&owner, &["sync"]).await;
    let r = run(&owner, &["invite", "list"]).await;
    assert_eq!(r.json["invites"][0]["status"], "accepted", "{}", r.stdout);
    let r = run(&owner, &["members"]).await;
    assert_eq!(r.json["members"][0]["name"], "มานี", "{}", r.stdout);
    let person = r.json["members"][0]["person_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = run(&owner, &["members", "remove", &person]).await;
    assert_eq!(r.json["status"], "removed", "{}", r.stdout);
    run(&tenant, &["sync"]).await;
    assert_eq!(
        run(&tenant, &["units"]).await.json["units"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // A used code is refused with its own code.
    let r = run(
        &tenant,
        &["invite", "accept", &invite_code, "--phone", "086-555-0202"],
    )
    .await;
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "invite_used");
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_through_the_cli_vote_change_result_at_close_and_receipts_verify() {
    use lobby_core::protocol::{ItemAdd, MeetingCreate};

    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (project, units) = project_with_owners(&admin, "โครงการ ประชุม").await;
    let owner = dir.path().join("owner");
    onboard_by_cli(&owner, &server.url, &admin, &units[0].onboarding_payload).await;
    let meeting = admin
        .create_meeting(&MeetingCreate {
            project_id: project.project_id.clone(),
            title: "ประชุมใหญ่วิสามัญ".into(),
            kind: "extraordinary".into(),
            reconvened: false,
        })
        .await
        .unwrap()
        .meeting_id;
    let item = admin
        .add_item(
            &meeting,
            &ItemAdd {
                title: "ซ่อมลิฟต์".into(),
                resolution: "half_of_all".into(),
            },
        )
        .await
        .unwrap()
        .item_id;
    admin.meeting_action(&meeting, "open").await.unwrap();
    admin.open_item(&item).await.unwrap();

    // A vote on an item this device has not synced yet (its id came from elsewhere): the
    // CLI fetches it first.
    let r = run(&owner, &["vote", &item, "abstain"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["status"], "accepted");
    let r = run(&owner, &["meetings"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["meetings"][0]["meeting_id"], meeting.as_str());
    assert_eq!(r.json["meetings"][0]["status"], "open");
    let r = run(&owner, &["meeting", "show", &meeting]).await;
    assert_eq!(r.json["items"][0]["status"], "open");
    assert_eq!(r.json["items"][0]["my_vote"], "abstain");
    assert!(r.json["items"][0].get("result").is_none());
    // An item the server does not have either: not_found, exit 1.
    let r = run(
        &owner,
        &["vote", "01900000-0000-7000-8000-000000000000", "approve"],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(r.json["error"]["code"], "not_found");

    let r = run(&owner, &["vote", &item, "approve"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["status"], "accepted");
    assert_eq!(r.json["receipts"].as_array().unwrap().len(), 1);
    let r = run(&owner, &["vote", &item, "disapprove"]).await;
    assert_eq!(r.json["status"], "accepted", "{}", r.stdout);
    let r = run(&owner, &["meeting", "show", &meeting]).await;
    assert_eq!(r.json["items"][0]["my_vote"], "disapprove");
    // Not a choice: a usage error.
    assert_eq!(run(&owner, &["vote", &item, "yes"]).await.code, 2);

    admin.close_item(&item).await.unwrap();
    let r = run(&owner, &["meeting", "show", &meeting]).await;
    // By hand: 12/345 (1.25) disapproves alone; all votes 1.25 + 0.75 + 2.5 + 1.5 = 6;
    // attending 1.25 < 6/4: no quorum, so nothing passes.
    let result = &r.json["items"][0]["result"];
    assert_eq!(result["tally"]["disapprove"].to_string(), "1.25");
    assert_eq!(result["tally"]["approve"].to_string(), "0");
    assert_eq!(result["tally"]["all_votes"].to_string(), "6");
    assert_eq!(result["tally"]["quorum"], false);
    assert_eq!(result["passed"], false);
    let r = run(&owner, &["vote", &item, "approve"]).await;
    assert_eq!(r.code, 1);
    assert_eq!(r.json["error"]["code"], "voting_closed");

    let r = run(&owner, &["receipts", "verify", &meeting]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["verified"], 3, "abstain, approve, disapprove");
    assert_eq!(r.json["missing"].as_array().unwrap().len(), 0);
    assert_eq!(r.json["tally_matches"], true);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcements_through_the_cli_unread_then_read_and_acknowledged() {
    use lobby_core::protocol::AnnouncementPost;

    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (project, units) = project_with_owners(&admin, "โครงการ ประกาศ").await;
    let owner = dir.path().join("owner");
    onboard_by_cli(&owner, &server.url, &admin, &units[0].onboarding_payload).await;
    let post = |title: &str, kind: &str| AnnouncementPost {
        project_id: project.project_id.clone(),
        title: title.into(),
        body: "บรรทัดแรก\nบรรทัดที่สอง".into(),
        kind: kind.into(),
        unit_ids: Vec::new(),
        expires_at: None,
    };
    admin.announce(&post("งดจ่ายน้ำ", "general")).await.unwrap();
    let ack = admin
        .announce(&post("กฎสระว่ายน้ำ", "acknowledge"))
        .await
        .unwrap()
        .announcement_id;

    let r = run(&owner, &["announcements"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["unread"], 2);
    assert_eq!(r.json["announcements"].as_array().unwrap().len(), 2);
    // The list was left: the general one is read now, the acknowledge one is not.
    let r = run(&owner, &["announcements"]).await;
    assert_eq!(r.json["unread"], 1);
    let r = run(&owner, &["announcements", "open", &ack]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["acknowledged"], true);
    assert_eq!(r.json["body"], "บรรทัดแรก\nบรรทัดที่สอง");
    assert_eq!(run(&owner, &["announcements"]).await.json["unread"], 0);
    let readers = admin.announcement_readers(&ack).await.unwrap();
    assert_eq!(readers.readers.len(), 1);
    let r = run(&owner, &["announcements", "open", "no-such-id"]).await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("not_found"))
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_through_the_cli_listed_and_paid_with_a_slip() {
    use lobby_core::protocol::{InvoiceAdd, InvoiceLineRecord};

    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ ค่าส่วนกลาง").await;
    let owner = dir.path().join("owner");
    onboard_by_cli(&owner, &server.url, &admin, &units[0].onboarding_payload).await;
    // Due in 30 days, whatever day the test runs (unpaid, not yet overdue).
    let due = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    let added = admin
        .add_invoice(&InvoiceAdd {
            unit_id: units[0].unit_id.clone(),
            period: due.format("%Y-%m").to_string(),
            due: due.format("%Y-%m-%d").to_string(),
            lines: vec![InvoiceLineRecord {
                description: "ค่าส่วนกลาง".into(),
                amount_satang: 268_050,
            }],
            total_satang: None,
        })
        .await
        .unwrap();
    let r = run(&owner, &["invoices"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["invoices"][0]["total"], 268_050);
    assert_eq!(r.json["invoices"][0]["status"], "unpaid");
    let slip = dir.path().join("slip.png");
    image::RgbImage::from_pixel(400, 700, image::Rgb([250, 250, 250]))
        .save(&slip)
        .unwrap();
    let r = run(
        &owner,
        &[
            "invoices",
            "pay",
            &added.invoice_id,
            "--slip",
            slip.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["status"], "slip_submitted");
    assert_eq!(
        run(&owner, &["invoices"]).await.json["invoices"][0]["status"],
        "slip_submitted"
    );
    let r = run(
        &owner,
        &["invoices", "pay", "nope", "--slip", slip.to_str().unwrap()],
    )
    .await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("not_found"))
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_through_the_cli_asked_given_and_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (project, units) = project_with_owners(&admin, "โครงการ ยินยอม").await;
    let owner = dir.path().join("owner");
    onboard_by_cli(&owner, &server.url, &admin, &units[0].onboarding_payload).await;
    admin.publish_policy("terms", "2026-11").await.unwrap();
    admin.publish_policy("marketing", "1").await.unwrap();

    let r = run(&owner, &["consents"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let kinds: Vec<(&str, bool)> = r.json["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["ask"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("terms", true), ("privacy", false), ("marketing", true)]
    );
    let r = run(&owner, &["consent", "give", "--kind", "terms"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        (
            r.json["version"].as_str(),
            r.json["given"].as_bool(),
            r.json["pending"].as_bool()
        ),
        (Some("2026-11"), Some(true), Some(false))
    );
    let r = run(&owner, &["consent", "withdraw", "--kind", "marketing"]).await;
    assert_eq!(
        (r.json["given"].as_bool(), r.json["ask"].as_bool()),
        (Some(false), Some(false))
    );
    // An old version, an unknown kind: refused, exit 1.
    let r = run(
        &owner,
        &["consent", "give", "--kind", "terms", "--version", "2025-01"],
    )
    .await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("conflict"))
    );
    let r = run(&owner, &["consent", "give", "--kind", "cookies"]).await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("invalid_input"))
    );
    let r = run(&owner, &["consents"]).await;
    assert!(r.json["consents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["ask"].as_bool().unwrap()));

    // Privacy requests.
    let r = run(&owner, &["privacy", "request", "correction"]).await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("invalid_input"))
    );
    let r = run(&owner, &["privacy", "request", "erasure"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["status"], "open");
    let erasure = r.json["request_id"].as_str().unwrap().to_string();
    assert!(r.json["deadline"].as_str().unwrap().ends_with('Z'));
    let open = admin
        .privacy_requests(&project.project_id)
        .await
        .unwrap()
        .requests;
    assert_eq!(open.len(), 1);
    admin
        .decide_privacy_request(&erasure, false, Some("ยังเป็นเจ้าของห้อง"))
        .await
        .unwrap();
    let r = run(&owner, &["privacy", "requests"]).await;
    assert_eq!(r.json["requests"][0]["request_id"], erasure.as_str());
    assert_eq!(r.json["requests"][0]["status"], "rejected");
    assert_eq!(r.json["requests"][0]["answer"], "ยังเป็นเจ้าของห้อง");

    // The export: one JSON document, the server's part and the phone's own.
    let out = owner.join("me.json");
    let r = run(&owner, &["export", "--out", out.to_str().unwrap()]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["path"], out.to_str().unwrap());
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        r.json["bytes"].as_u64(),
        Some(std::fs::metadata(&out).unwrap().len())
    );
    assert_eq!(doc["format"], "lobby-export/1");
    assert_eq!(
        doc["server"]["privacy_requests"][0]["request_id"].as_str(),
        None
    );
    assert_eq!(doc["server"]["privacy_requests"][0]["id"], erasure.as_str());
    assert!(doc["device"]["settings"].as_array().is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "readable by its owner only");
    }
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consents_answered_at_onboarding_through_the_cli_are_not_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ ยินยอม").await;
    admin.publish_policy("terms", "2026-12").await.unwrap();
    admin.publish_policy("privacy", "2026-12").await.unwrap();
    let owner = dir.path().join("owner");
    let payload = units[0].onboarding_payload.as_str();

    let r = run(
        &owner,
        &["--server", &server.url, "onboard", "scan", payload],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let listed: Vec<(&str, &str)> = r.json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap(), p["version"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, [("terms", "2026-12"), ("privacy", "2026-12")]);
    assert!(r.json["policies"][0]["published_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let complete = |flags: &[&str]| {
        let mut args = vec![
            "onboard",
            "complete",
            "--payload",
            payload,
            "--phone",
            "0812345678",
            "--password",
            "Lumpini2026!",
        ];
        args.extend_from_slice(flags);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    // An unknown kind, a kind with nothing published, a kind twice: clear errors, exit 1.
    for (flags, code) in [
        (&["--agree", "cookies"][..], "invalid_input"),
        (
            &["--agree", "terms", "--decline", "marketing"][..],
            "not_found",
        ),
        (
            &["--agree", "terms", "--decline", "terms"][..],
            "invalid_input",
        ),
    ] {
        let args = complete(flags);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(&owner, &refs).await;
        assert_eq!(
            (r.code, r.json["error"]["code"].as_str()),
            (1, Some(code)),
            "{flags:?}: {}",
            r.stdout
        );
        assert!(!r.json["error"]["message"].as_str().unwrap().is_empty());
    }
    let args = complete(&["--agree", "terms", "--agree", "privacy"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&owner, &refs).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let code = admin.peek_otp("0812345678").await.unwrap().code;
    let r = run(&owner, &["onboard", "verify", "--code", &code]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);

    let r = run(&owner, &["consents"]).await;
    let shown: Vec<(&str, Option<&str>, bool, bool)> = r.json["consents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["version"].as_str(),
                c["given"].as_bool().unwrap(),
                c["ask"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("terms", Some("2026-12"), true, false),
            ("privacy", Some("2026-12"), true, false),
            ("marketing", None, false, false),
        ]
    );
    server.shutdown().await.unwrap();
}

/// A phone of the core itself (not the CLI), signing in with the owner's password.
async fn phone_signs_in(dir: &Path, url: &str, label: Option<&str>) -> lobby_core::Lobby {
    let phone = lobby_core::Lobby::open(
        lobby_core::LobbyConfig {
            data_dir: dir.to_path_buf(),
            server_url: Some(url.to_string()),
            device_label: label.map(str::to_string),
        },
        std::sync::Arc::new(lobby_core::secrets::MemorySecretStore::new()),
    )
    .unwrap();
    phone
        .auth()
        .login_password("0812345678", "Lumpini2026!")
        .await
        .unwrap();
    phone
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_through_the_cli_list_every_device_and_logout_everywhere_ends_them() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ อุปกรณ์").await;
    let cli = dir.path().join("cli");
    onboard_by_cli(&cli, &server.url, &admin, &units[0].onboarding_payload).await;
    let pixel = phone_signs_in(
        &dir.path().join("pixel"),
        &server.url,
        Some("Pixel 8 · Android 15"),
    )
    .await;
    let unlabelled = phone_signs_in(&dir.path().join("old"), &server.url, None).await;

    let r = run(&cli, &["sessions"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let sessions = r.json["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3, "{}", r.stdout);
    for s in sessions {
        for key in [
            "session_id",
            "device",
            "signed_in_at",
            "last_seen",
            "current",
        ] {
            assert!(!s[key].is_null(), "{key} in {s}");
        }
    }
    let devices: Vec<(&str, bool)> = sessions
        .iter()
        .map(|s| {
            (
                s["device"].as_str().unwrap(),
                s["current"].as_bool().unwrap(),
            )
        })
        .collect();
    let this_cli = format!("lobby CLI on {}", std::env::consts::OS);
    assert_eq!(
        devices,
        [
            ("unknown device", false),
            ("Pixel 8 · Android 15", false),
            (this_cli.as_str(), true),
        ],
        "the most recently seen first"
    );

    // Log out everywhere from the CLI: the phones' next sync wipes them.
    let r = run(&cli, &["logout", "--everywhere"]).await;
    assert_eq!((r.code, r.json["revoked"].as_bool()), (0, Some(true)));
    for phone in [&pixel, &unlabelled] {
        let report = phone.sync().await.unwrap();
        assert_eq!(report.state.name(), "error");
        assert!(phone.units().list().unwrap().is_empty());
        assert!(!phone.auth().is_signed_in());
        phone.close();
    }
    let r = run(&cli, &["sessions"]).await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("unauthorized"))
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_number_is_corrected_through_the_cli_with_a_code_to_the_new_number() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ ทดสอบ").await;
    let home = dir.path().join("phone");
    onboard_by_cli(&home, &server.url, &admin, &units[0].onboarding_payload).await;

    // One pending code at a time: a new e-mail and a new phone are asked separately.
    let r = run(
        &home,
        &[
            "profile",
            "set",
            "--email",
            "a@example.com",
            "--phone",
            "0876543210",
        ],
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = run(&home, &["profile", "set", "--phone", "12345"]).await;
    assert_eq!(
        (r.code, r.json["error"]["code"].as_str()),
        (1, Some("phone_invalid"))
    );

    let r = run(&home, &["profile", "set", "--phone", "087-654-3210"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["phone"], "+66812345678", "not yet changed");
    assert_eq!(r.json["phone_code_sent_to"], "+66 8••••3210");
    let code = admin.peek_otp("0876543210").await.unwrap().code;
    let r = run(&home, &["profile", "verify-phone", "--code", &code]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["phone"], "+66876543210", "{}", r.stdout);
    assert_eq!(r.json["status"], "applied");

    // The new number signs in; the old one is nobody's.
    let other = dir.path().join("tablet");
    let before = admin.peek_otp("0812345678").await.unwrap().code;
    let r = run(
        &other,
        &[
            "--server",
            &server.url,
            "login",
            "otp",
            "--to",
            "0812345678",
        ],
    )
    .await;
    let after = admin.peek_otp("0812345678").await.unwrap().code;
    assert_eq!(
        before, after,
        "no code goes to the old number: {}",
        r.stdout
    );
    // (A second code to the new number within the minute would be `rate_limited`.)
    let r = run(
        &other,
        &[
            "login",
            "password",
            "--to",
            "0876543210",
            "--password",
            "Lumpini2026!",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misuse_is_reported_through_the_cli_with_logout_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (project, units) = project_with_owners(&admin, "โครงการ ทดสอบ").await;
    let home = dir.path().join("phone");
    onboard_by_cli(&home, &server.url, &admin, &units[0].onboarding_payload).await;

    // Reporting without ending every sign-in would leave the intruder in.
    let r = run(&home, &["logout", "--report-misuse"]).await;
    assert_eq!(r.code, 2, "{}", r.stdout);
    let r = run(
        &home,
        &[
            "logout",
            "--everywhere",
            "--report-misuse",
            "--detail",
            "มีคนเข้าบัญชีที่ไม่ใช่ฉัน",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let request_id = r.json["misuse_report"]["request_id"]
        .as_str()
        .expect("a request id")
        .to_string();
    assert!(r.json["misuse_report"]["deadline"].is_string());
    assert_eq!(
        run(&home, &["units"]).await.json["units"],
        serde_json::json!([])
    );

    let open = admin
        .privacy_requests(&project.project_id)
        .await
        .unwrap()
        .requests;
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].kind, "misuse");

    let r = run(
        &home,
        &[
            "login",
            "password",
            "--to",
            "0812345678",
            "--password",
            "Lumpini2026!",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(&home, &["privacy", "requests"]).await;
    let listed = r.json["requests"].as_array().expect("requests").clone();
    assert!(
        listed
            .iter()
            .any(|q| q["request_id"] == request_id.as_str() && q["kind"] == "misuse"),
        "{}",
        r.stdout
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wiping_a_device_ends_its_sign_in_on_the_server_and_still_wipes_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (server, admin) = server(dir.path()).await;
    let (_, units) = project_with_owners(&admin, "โครงการ ล้างเครื่อง").await;
    let cli = dir.path().join("cli");
    onboard_by_cli(&cli, &server.url, &admin, &units[0].onboarding_payload).await;
    let pixel = phone_signs_in(&dir.path().join("pixel"), &server.url, Some("Pixel 8")).await;
    assert_eq!(pixel.auth().sessions().await.unwrap().len(), 2);

    // Online: the sign-in ends on the server, so the other device no longer lists it.
    let r = run(&cli, &["wipe"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["signed_out_on_server"], true);
    let left = pixel.auth().sessions().await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(left[0].current, "only the Pixel's own sign-in is left");
    let r = run(&cli, &["units"]).await;
    assert_eq!(r.json["units"].as_array().map(Vec::len), Some(0));

    // Offline: the device is wiped all the same, and says the server was not told. (The
    // wipe took the remembered server address too.)
    let r = run(
        &cli,
        &[
            "--server",
            &server.url,
            "login",
            "password",
            "--to",
            "0812345678",
            "--password",
            "Lumpini2026!",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    pixel.close();
    server.shutdown().await.unwrap();
    let r = run(&cli, &["wipe"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.json["signed_out_on_server"], false);
    let r = run(&cli, &["status"]).await;
    assert_eq!(r.code, 0, "{}", r.stdout);
    let r = run(&cli, &["units"]).await;
    assert_eq!(r.json["units"].as_array().map(Vec::len), Some(0));
}
