//! The `lobby-server` command line as INTERFACE.md specifies it, run as a process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_lobby-server");

/// A `lobby-server` command whose process the kernel kills (SIGKILL) when the thread
/// that started it ends — a test thread, or the whole test process dying abruptly,
/// where no destructor runs (Linux's `PR_SET_PDEATHSIG`; it is tied to the spawning
/// thread, so a [`Served`] must not outlive the thread that made it). Elsewhere a plain
/// command: the [`Served`] guard still stops the server of a test that panics.
fn command() -> Command {
    #[allow(unused_mut)]
    let mut cmd = Command::new(BIN);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: between fork and exec only async-signal-safe calls (prctl, getppid,
        // _exit).
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died before the prctl: then nobody would signal us.
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
    }
    cmd
}

/// A running `lobby-server serve`, killed and reaped when dropped, so that a test that
/// fails (panics) anywhere does not leave its server behind; [`terminate`] stops it
/// cleanly instead, as the tests that pass do.
struct Served {
    child: Child,
    line: Value,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn serve(db: &std::path::Path, dev: bool) -> Served {
    let mut cmd = command();
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--db"]).arg(db);
    if dev {
        cmd.arg("--dev");
    }
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    // In the guard before anything that can fail, so a failure here kills it too.
    let mut s = Served {
        child,
        line: Value::Null,
    };
    let mut first = String::new();
    BufReader::new(s.child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    s.line = serde_json::from_str(&first).expect("first line is JSON");
    s
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

/// An invoice's `(period, due)` due `days` from today (UTC, the day the server counts
/// arrears by; negative: past due), the period being the due date's month.
fn due_in(days: i64) -> (String, String) {
    let due = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    (
        due.format("%Y-%m").to_string(),
        due.format("%Y-%m-%d").to_string(),
    )
}

fn run(args: &[&str]) -> (i32, Value) {
    let out = command().args(args).output().expect("run");
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
    // Due in 30 days, whatever day the test runs: not in arrears yet.
    let (period, due) = due_in(30);
    let (code, added) = admin(&[
        "invoice",
        "add",
        "--unit",
        unit_id,
        "--period",
        &period,
        "--due",
        &due,
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

/// Whether process `pid` exists (a zombie, killed but not reaped, counts).
fn exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// Issue 21: a test that fails with its server running kills it as it unwinds.
#[test]
fn a_test_that_panics_does_not_leave_its_server_running() {
    let dir = tempfile::tempdir().unwrap();
    let mut pid = None;
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let s = serve(&dir.path().join("db"), true);
        pid = Some(s.child.id());
        assert!(exists(s.child.id()));
        panic!("a failing assertion, with the server running");
    }));
    assert!(failed.is_err());
    let pid = pid.expect("the server started");
    assert!(!exists(pid), "server {pid} still running after the panic");
}

/// Issue 21: where no destructor runs (the test process killed; here the guard
/// forgotten and its thread ended), the kernel kills the server with SIGKILL.
#[cfg(target_os = "linux")]
#[test]
fn a_server_outliving_the_thread_that_started_it_is_killed_by_the_kernel() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let pid = std::thread::spawn(move || {
        let s = serve(&db, true);
        let pid = s.child.id();
        std::mem::forget(s);
        pid
    })
    .join()
    .unwrap() as libc::pid_t;
    // The server is still this process's child: reap it, waiting at most 10 s.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut status = 0;
    loop {
        // SAFETY: waits only for our own child `pid`.
        let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        assert!(r >= 0, "waitpid: {}", std::io::Error::last_os_error());
        if r == pid {
            break;
        }
        if std::time::Instant::now() > deadline {
            // SAFETY: our own child; killed and reaped so the test leaves nothing behind.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            panic!("server {pid} still running 10 s after the thread that started it ended");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL,
        "wait status {status:#x}"
    );
}
