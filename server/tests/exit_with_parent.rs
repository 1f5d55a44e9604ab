//! `lobby-server serve --parent-pid PID`: the test harnesses (the Swift and Kotlin
//! tests, which cannot always run their cleanup) start servers with it, so that a test
//! process that crashes or is killed leaves no server behind.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn alive(pid: u32) -> bool {
    // A zombie has ended even while its /proc entry remains: read its state.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// The short-lived shell, reaped whatever happens to the test.
struct Shell(std::process::Child);

impl Shell {
    fn wait(&mut self) {
        let _ = self.0.wait();
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server as the child of a short-lived shell and returns its pid once it runs.
fn server_under_a_shell(dir: &Path, flag: &str) -> (u32, Shell) {
    let server = env!("CARGO_BIN_EXE_lobby-server");
    let db = dir.join("server.db");
    // The shell starts the server in the background as its own child and exits a moment
    // later (time for the test to find the server): the server is orphaned.
    let flag = flag.replace("PID", "$$");
    let script = format!(
        "'{server}' serve --db '{}' --addr 127.0.0.1:0 --dev {flag} >/dev/null 2>&1 &\n\
         echo started\n\
         sleep 1",
        db.display()
    );
    let mut shell = Shell(
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh starts"),
    );
    let mut out = BufReader::new(shell.0.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("read");
    assert_eq!(line.trim(), "started");
    // Find the server among the processes whose command line names this database.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(pid) = find_server(&db) {
            return (pid, shell);
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn find_server(db: &Path) -> Option<u32> {
    let needle = db.to_string_lossy().to_string();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmd
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).to_string())
            .collect();
        if args.first().is_some_and(|a| a.ends_with("lobby-server")) && args.contains(&needle) {
            return Some(pid);
        }
    }
    None
}

fn wait_gone(pid: u32, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    !alive(pid)
}

#[test]
fn a_server_started_with_parent_pid_ends_when_its_parent_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pid, mut shell) = server_under_a_shell(dir.path(), "--parent-pid PID");
    // The shell has exited (or does now): the server is an orphan and must stop itself.
    shell.wait();
    assert!(
        wait_gone(pid, Duration::from_secs(10)),
        "server {pid} still running after its parent ended"
    );
}

#[test]
fn without_the_flag_an_orphaned_server_keeps_running() {
    // The control: the flag, not the shell's exit, is what stops the server above.
    let dir = tempfile::tempdir().expect("tempdir");
    let (pid, mut shell) = server_under_a_shell(dir.path(), "");
    shell.wait();
    std::thread::sleep(Duration::from_secs(1));
    let still_running = alive(pid);
    // SAFETY: sending a signal to a pid we found; at worst it no longer exists.
    unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    assert!(still_running, "the server ended without --parent-pid");
    assert!(wait_gone(pid, Duration::from_secs(10)));
}
