//! The `lobby-server` command line as INTERFACE.md specifies it, run as a process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lobby-server");

struct Served {
    child: Child,
    line: Value,
}

fn serve(db: &std::path::Path, dev: bool) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(db);
    if dev {
        cmd.arg("--dev");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    Served {
        child,
        line: serde_json::from_str(&first).expect("first line is JSON"),
    }
}

fn terminate(mut s: Served) {
    let status = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = s.child.wait().expect("wait");
    assert!(exit.success(), "clean exit on SIGTERM: {exit:?}");
}

fn run(args: &[&str]) -> (i32, Value) {
    let out = Command::new(BIN).args(args).output().expect("run");
    let text = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    assert_eq!(text.lines().count(), 1, "exactly one JSON document: {text}");
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(&text).expect("JSON"),
    )
}

#[test]
fn serve_dev_prints_where_it_listens_and_a_staff_token_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), true);
    let url = s.line["listening"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(s.line["staff_token"].as_str().unwrap().len() > 40);
    terminate(s);
    let _ = url;
}

#[test]
fn serve_without_dev_prints_no_staff_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), false);
    assert!(s.line.get("staff_token").is_none());
    terminate(s);
}

#[test]
fn admin_commands_print_one_json_document_and_write_qr_pngs() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), true);
    let url = s.line["listening"].as_str().unwrap().to_string();
    let token = s.line["staff_token"].as_str().unwrap().to_string();
    let admin = |rest: &[&str]| {
        let mut args = vec!["admin", "--server", &url, "--token", &token];
        args.extend_from_slice(rest);
        args.push("--json");
        run(&args)
    };
    let (code, created) = admin(&[
        "project",
        "create",
        "--name",
        "หมู่บ้านสุขใจ",
        "--kind",
        "housing_estate",
    ]);
    assert_eq!(code, 0);
    let project = created["project_id"].as_str().unwrap().to_string();

    let csv = dir.path().join("owners.csv");
    std::fs::write(
        &csv,
        "unit,owner_name,ownership_ratio,phone,email\n12/345,สมชาย ใจดี,1,081-234-5678,\n",
    )
    .unwrap();
    let qr_dir = dir.path().join("qr");
    let (code, imported) = admin(&[
        "owners",
        "import",
        "--project",
        &project,
        csv.to_str().unwrap(),
        "--qr-dir",
        qr_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{imported}");
    let unit = &imported["units"][0];
    assert_eq!(unit["unit"], "12/345");
    assert_eq!(unit["owner"], "สมชาย ใจดี");
    let png = std::path::PathBuf::from(unit["qr_png"].as_str().unwrap());
    assert_eq!(png, qr_dir.join("12_345.png"));
    let decoded = lobby_core::qr::read_png_or_jpeg(&std::fs::read(&png).unwrap()).unwrap();
    assert_eq!(decoded, unit["onboarding_payload"].as_str().unwrap());

    let (code, re) = admin(&[
        "onboarding",
        "reissue",
        "--unit",
        unit["unit_id"].as_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(re["onboarding_payload"]
        .as_str()
        .unwrap()
        .starts_with("LOBBY:ONBOARD:1:"));

    let (code, err) = admin(&["otp", "peek", "--to", "0812345678"]);
    assert_eq!(code, 1);
    assert_eq!(err["error"]["code"], "not_found");

    let (code, bumped) = admin(&["sync", "bump-epoch"]);
    assert_eq!(code, 0);
    assert_eq!(bumped["epoch"], 2);

    // Announcements and invoices, with INTERFACE.md's names.
    let unit_id = unit["unit_id"].as_str().unwrap();
    let (code, posted) = admin(&[
        "announce",
        "--project",
        &project,
        "--title",
        "งดจ่ายน้ำ",
        "--body",
        "วันอังคาร",
        "--kind",
        "acknowledge",
        "--unit",
        unit_id,
    ]);
    assert_eq!(code, 0, "{posted}");
    let announcement = posted["announcement_id"].as_str().unwrap();
    let (code, readers) = admin(&["announcement", "readers", "--announcement", announcement]);
    assert_eq!(code, 0, "{readers}");
    assert_eq!(readers["read"], serde_json::json!([]));
    assert_eq!(readers["acknowledged"], serde_json::json!([]));
    assert_eq!(readers["not_yet"], serde_json::json!([unit_id]));
    let (code, added) = admin(&[
        "invoice",
        "add",
        "--unit",
        unit_id,
        "--period",
        "2026-11",
        "--due",
        "2026-11-30",
        "--line",
        "ค่าส่วนกลาง=250000",
        "--line",
        "ค่าน้ำ=18050",
    ]);
    assert_eq!(code, 0, "{added}");
    assert_eq!(added["total"], 268_050);
    let (code, owed) = admin(&["invoices", "outstanding", "--project", &project]);
    assert_eq!(code, 0, "{owed}");
    assert_eq!(owed["units"][0]["unit_id"], unit_id);
    assert_eq!(owed["units"][0]["unpaid"], 268_050);
    assert_eq!(owed["units"][0]["months_in_arrears"], 0);
    let (code, _) = admin(&[
        "invoice",
        "confirm",
        "--invoice",
        added["invoice_id"].as_str().unwrap(),
        "--amount",
        "268050",
    ]);
    assert_eq!(code, 0);

    // Privacy: policies, and the (empty) list of requests.
    let (code, p) = admin(&[
        "policy",
        "publish",
        "--kind",
        "privacy",
        "--version",
        "2026-12",
    ]);
    assert_eq!((code, p["version"].as_str()), (0, Some("2026-12")));
    let (code, list) = admin(&["privacy", "requests", "--project", &project]);
    assert_eq!(
        (code, list["requests"].as_array().map(Vec::len)),
        (0, Some(0))
    );
    let (code, err) = admin(&[
        "privacy",
        "decide",
        "--request",
        "01900000-0000-7000-8000-000000000000",
        "--approve",
    ]);
    assert_eq!(
        (code, err["error"]["code"].as_str()),
        (1, Some("not_found"))
    );
    // The audit log: the registry imported, a QR reissued, who read the announcement,
    // the confirmed invoice, the requests listed — and its chain holds.
    let (code, log) = admin(&["audit", "--project", &project, "--verify"]);
    assert_eq!((code, log["verified"].as_bool()), (0, Some(true)), "{log}");
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "owners.import",
            "onboarding.reissue",
            "announcement.readers",
            "invoice.confirm",
            "privacy_request.list"
        ]
    );
    // Retention, now: every category with its count (nothing is old enough here).
    let (code, run) = admin(&["retention", "run"]);
    assert_eq!(code, 0, "{run}");
    let removed = run["removed"].as_array().unwrap();
    assert!(removed.iter().any(|r| r["category"] == "closed_sessions"));
    assert!(removed.iter().all(|r| r["count"] == 0), "{run}");
    terminate(s);
}

#[test]
fn a_registry_with_bad_rows_fails_with_registry_invalid_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("db"), true);
    let url = s.line["listening"].as_str().unwrap().to_string();
    let token = s.line["staff_token"].as_str().unwrap().to_string();
    let (_, created) = run(&[
        "admin",
        "--server",
        &url,
        "--token",
        &token,
        "project",
        "create",
        "--name",
        "P",
        "--kind",
        "condominium",
        "--json",
    ]);
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        "unit,owner_name,ownership_ratio,phone,email\n1,A,x,,\n",
    )
    .unwrap();
    let (code, err) = run(&[
        "admin",
        "--server",
        &url,
        "--token",
        &token,
        "owners",
        "import",
        "--project",
        created["project_id"].as_str().unwrap(),
        csv.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(err["error"]["code"], "registry_invalid");
    assert!(err["error"]["message"].as_str().unwrap().contains("line 2"));
    terminate(s);
}

#[test]
fn staff_add_and_revoke_work_on_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let db = db.to_str().unwrap();
    let (code, added) = run(&["staff", "add", "--db", db, "--name", "นิติบุคคล", "--json"]);
    assert_eq!(code, 0);
    assert!(added["staff_token"].as_str().unwrap().len() > 40);
    let id = added["staff_id"].as_str().unwrap();
    let (code, _) = run(&["staff", "revoke", "--db", db, "--staff", id, "--json"]);
    assert_eq!(code, 0);
    let (code, err) = run(&["staff", "revoke", "--db", db, "--staff", "nobody", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(err["error"]["code"], "not_found");
    let (code, err) = run(&[
        "staff",
        "add",
        "--db",
        db,
        "--name",
        "x",
        "--project",
        "nope",
        "--json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(err["error"]["code"], "not_found");
}

#[test]
fn a_usage_error_exits_2_with_a_json_error() {
    let (code, err) = run(&[
        "admin", "--server", "http://x", "--token", "t", "project", "create", "--name", "N",
        "--kind", "castle", "--json",
    ]);
    assert_eq!(code, 2);
    assert_eq!(err["error"]["code"], "invalid_input");
}
