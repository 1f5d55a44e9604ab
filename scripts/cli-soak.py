#!/usr/bin/env python3
"""The soak loop behind scripts/cli-soak.sh (run that; it picks or builds the binaries,
makes the work directory and cleans up the server even if this process dies).

Runs N `lobby` invocations against a development `lobby-server` that is stopped and
restarted on the same port and database, and classifies every exit:

  0, 1   normal (1 = a reported error: offline, rate_limited, ...)
  2      usage error: a bug of this script
  other  ABNORMAL: a signal (SIGABRT = 134, SIGSEGV = 139 in a shell), a panic (101),
         any other code, or no exit within --timeout seconds

and checks that every successful `--json` invocation printed exactly one JSON document
on stdout. Ends with one line on stdout:

  invocations=N abnormal=A usage_errors=U bad_output=B normal_errors=E seconds=S

and exits 1 when A, U or B is non-zero (3 when the setup fails, 130 when interrupted).
"""

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

OWNER_PHONE = "081-555-0199"
OWNER_PASSWORD = "Lumpini2026!"
REGISTRY_CSV = """unit,owner_name,ownership_ratio,phone,email
88/1,สมหญิง ทดสอบนาน,1.5,081-555-0199,somying@example.com
88/2,ประเสริฐ ทนทาน,1,0865550198,
"""
MAX_OUTSTANDING = 3  # our own invitations not yet revoked; the unit's cap is 5
STDERR_TAIL = 25
STDOUT_TAIL = 5
PROGRESS_EVERY = 500
SIGNAL_NAMES = {s.value: s.name for s in signal.Signals}


class Interrupted(Exception):
    pass


class SetupFailed(Exception):
    pass


def say(msg):
    print(f"[cli-soak] {msg}", file=sys.stderr, flush=True)


def describe_exit(rc):
    if rc == "timeout":
        return "timeout (killed)"
    if isinstance(rc, int) and rc < 0:
        name = SIGNAL_NAMES.get(-rc, f"signal {-rc}")
        return f"{rc} = killed by {name} (a shell reports {128 - rc})"
    return str(rc)


def one_json_document(stdout):
    """The one JSON document on stdout, or None when there is not exactly one."""
    try:
        text = stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        doc, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    if text[end:].strip():
        return None  # more than one document, or trailing text
    return doc


def tail(data, n):
    lines = data.decode("utf-8", "replace").rstrip("\n").splitlines()
    return lines[-n:]


class Soak:
    def __init__(self, opts):
        self.opts = opts
        self.work = Path(opts.work)
        self.lobby = opts.lobby
        self.server_bin = opts.server_bin
        self.home = self.work / "owner"
        self.db = self.work / "server.db"
        self.rng = random.Random(opts.seed)
        self.env = dict(os.environ)
        for k in ("LOBBY_HOME", "LOBBY_STAFF_TOKEN"):
            self.env.pop(k, None)
        # glibc writes "double free or corruption" to the tty unless told otherwise.
        self.env["LIBC_FATAL_STDERR_"] = "1"
        self.env.setdefault("RUST_BACKTRACE", "1")

        self.server = None
        self.server_starts = 0
        self.server_odd_exits = []
        self.addr = None
        self.url = None
        self.staff_token = None

        self.count = 0
        self.abnormal = 0
        self.usage_errors = 0
        self.bad_output = 0
        self.bad_error_output = 0
        self.normal_errors = 0
        self.error_codes = Counter()
        self.per_command = Counter()
        self.per_phase = Counter()
        self.sync_states = Counter()
        self.abnormal_codes = Counter()
        self.abnormal_examples = []
        self.outstanding = []  # invitation codes we made and have not revoked yet
        self.force_revoke = False
        self.t0 = time.monotonic()

    # ---- logs -------------------------------------------------------------------

    def log(self, name, header, argv, rc, out, err, phase):
        with open(self.work / name, "a", encoding="utf-8") as f:
            f.write(f"=== {header}: invocation #{self.count} phase={phase} "
                    f"elapsed={time.monotonic() - self.t0:.1f}s\n")
            f.write("command: " + " ".join(argv) + "\n")
            f.write(f"exit: {describe_exit(rc)}\n")
            f.write(f"stdout (last {STDOUT_TAIL} lines):\n")
            for line in tail(out, STDOUT_TAIL):
                f.write("  | " + line + "\n")
            f.write(f"stderr (last {STDERR_TAIL} lines):\n")
            for line in tail(err, STDERR_TAIL):
                f.write("  | " + line + "\n")
            f.write("\n")

    # ---- the server -------------------------------------------------------------

    def start_server(self):
        addr = self.addr or "127.0.0.1:0"
        for attempt in range(1, 21):
            self.server_starts += 1
            out_path = self.work / f"server-{self.server_starts}.stdout"
            with open(out_path, "wb") as out, open(self.work / "server.log", "ab") as log:
                proc = subprocess.Popen(
                    [self.server_bin, "serve", "--dev", "--addr", addr, "--db", str(self.db)],
                    stdin=subprocess.DEVNULL, stdout=out, stderr=log, env=self.env,
                    start_new_session=True,  # Ctrl-C is ours to forward, not the terminal's
                )
            self.server = proc
            (self.work / "server.pid").write_text(f"{proc.pid}\n")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                data = out_path.read_bytes()
                if b"\n" in data:
                    first = json.loads(data.split(b"\n", 1)[0])
                    self.url = first["listening"]
                    self.staff_token = first.get("staff_token")
                    self.addr = self.url.split("://", 1)[1].rstrip("/")
                    return
                if proc.poll() is not None:
                    break
                time.sleep(0.01)
            rc = proc.poll()
            if rc is None:
                self.stop_server()
                raise SetupFailed("the server printed no first line within 30 s")
            self.server = None
            (self.work / "server.pid").unlink(missing_ok=True)
            self.note_server_exit(rc, "at start")
            # Most likely the port is not free yet: try again shortly.
            time.sleep(0.1 * attempt)
        raise SetupFailed(f"the server would not start on {addr} (see server.log)")

    def stop_server(self):
        proc, self.server = self.server, None
        if proc is None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
            self.server_odd_exits.append("did not stop within 15 s of SIGTERM; killed")
            say("WARNING: the server did not stop within 15 s of SIGTERM; killed")
        else:
            if rc != 0:
                self.note_server_exit(rc, "after SIGTERM")
        (self.work / "server.pid").unlink(missing_ok=True)

    def note_server_exit(self, rc, when):
        msg = f"server exited {describe_exit(rc)} {when}"
        self.server_odd_exits.append(msg)
        say("WARNING: " + msg + " (see server.log)")

    def admin(self, *args):
        argv = [self.server_bin, "admin", "--server", self.url, "--token", self.staff_token,
                *args, "--json"]
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           env=self.env, timeout=60)
        doc = one_json_document(p.stdout)
        if p.returncode != 0 or doc is None:
            raise SetupFailed(f"lobby-server admin {' '.join(args)} exited {describe_exit(p.returncode)}: "
                              f"{p.stdout.decode(errors='replace').strip()} "
                              f"{p.stderr.decode(errors='replace').strip()}")
        return doc

    # ---- one lobby invocation ---------------------------------------------------

    def invoke(self, name, args, json_mode=True, phase="loop"):
        argv = [self.lobby, "--home", str(self.home), *args]
        if json_mode:
            argv.append("--json")
        try:
            p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                               env=self.env, timeout=self.opts.timeout)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
        self.count += 1
        self.per_command[(name, rc)] += 1
        self.per_phase[phase] += 1
        doc = one_json_document(out) if json_mode else None

        if rc == 0:
            if json_mode and doc is None:
                self.bad_output += 1
                self.log("bad-output.log", "BAD OUTPUT (exit 0 without exactly one JSON document)",
                         argv, rc, out, err, phase)
        elif rc == 1:
            self.normal_errors += 1
            if json_mode:
                code = None
                if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
                    code = doc["error"].get("code")
                if code is None:
                    self.bad_error_output += 1
                    self.log("bad-output.log", "BAD ERROR OUTPUT (exit 1 without one {\"error\": ...} document)",
                             argv, rc, out, err, phase)
                self.error_codes[code or "(no JSON error)"] += 1
            else:
                self.error_codes["(human output)"] += 1
        elif rc == 2:
            self.usage_errors += 1
            self.log("usage-errors.log", "USAGE ERROR (a bug of this script)", argv, rc, out, err, phase)
        else:
            self.abnormal += 1
            self.abnormal_codes[rc] += 1
            self.log("abnormal.log", "ABNORMAL EXIT", argv, rc, out, err, phase)
            last = tail(err, 1)
            if len(self.abnormal_examples) < 10:
                self.abnormal_examples.append(
                    f"#{self.count} {name} ({phase}): exit {describe_exit(rc)}; "
                    f"stderr: {last[0] if last else '(empty)'}")
        return rc, doc

    # ---- setup ------------------------------------------------------------------

    def setup(self):
        self.start_server()
        say(f"server {self.url} (db {self.db})")
        project = self.admin("project", "create", "--name", "โครงการ ทดสอบความทนทาน",
                             "--kind", "condominium")["project_id"]
        csv = self.work / "registry.csv"
        csv.write_text(REGISTRY_CSV, encoding="utf-8")
        units = self.admin("owners", "import", "--project", project, str(csv))["units"]
        payload = units[0]["onboarding_payload"]

        rc, doc = self.invoke("onboard complete",
                              ["--server", self.url, "onboard", "complete", "--payload", payload,
                               "--phone", OWNER_PHONE, "--password", OWNER_PASSWORD],
                              phase="setup")
        if not (isinstance(doc, dict) and "otp_sent_to" in doc) and rc in (0, 1, 2):
            raise SetupFailed(f"onboard complete exited {rc}: {doc}")
        code = self.admin("otp", "peek", "--to", OWNER_PHONE.replace("-", ""))["code"]
        rc, doc = self.invoke("onboard verify", ["onboard", "verify", "--code", code], phase="setup")
        if not (isinstance(doc, dict) and "person_id" in doc) and rc in (0, 1, 2):
            raise SetupFailed(f"onboard verify exited {rc}: {doc}")
        rc, doc = self.invoke("units", ["units"], phase="setup")
        if not (isinstance(doc, dict) and doc.get("units")):
            raise SetupFailed(f"after onboarding, units exited {describe_exit(rc)}: {doc}")
        say(f"owner onboarded (home {self.home}); {len(doc['units'])} unit(s), "
            f"current {doc.get('current')}")
        # An open meeting with one open item: votes go through the same queue as the rest.
        meeting = self.admin("meeting", "create", "--project", project, "--title",
                             "ประชุมใหญ่ทดสอบ", "--kind", "annual")["meeting_id"]
        self.item = self.admin("meeting", "item", "add", "--meeting", meeting, "--title",
                               "วาระทดสอบ", "--resolution", "majority_of_attendees")["item_id"]
        self.meeting = meeting
        self.admin("meeting", "open", "--meeting", meeting)
        self.admin("meeting", "item", "open", "--item", self.item)

    # ---- the loop ---------------------------------------------------------------

    def phase_length(self, up):
        n = self.opts.n
        if up:
            return self.rng.randint(max(20, min(n // 6, 150)), max(40, min(n // 3, 450)))
        return self.rng.randint(max(10, min(n // 20, 50)), max(20, min(n // 10, 150)))

    def refresh_outstanding(self, doc):
        if not isinstance(doc, dict) or not isinstance(doc.get("invites"), list):
            return
        live = [i.get("code") for i in doc["invites"]
                if i.get("status") in ("queued", "pending") and not i.get("revoke_pending")
                and i.get("code")]
        kept = [c for c in self.outstanding if c in live]
        newer = [c for c in reversed(live) if c not in kept]  # the list is newest first
        self.outstanding = kept + newer

    def step(self, phase):
        human = self.rng.random() < 0.10  # some invocations print for people, not --json
        r = self.rng.random()
        if r < 0.10:
            self.invoke("status", ["status"], not human, phase)
        elif r < 0.18:
            self.invoke("units", ["units"], not human, phase)
        elif r < 0.28:
            rc, doc = self.invoke("invite list", ["invite", "list"], not human, phase)
            self.refresh_outstanding(doc)
        elif r < 0.36:
            self.invoke("members", ["members"], not human, phase)
        elif r < 0.42:
            self.invoke("parcels", ["parcels"], not human, phase)
        elif r < 0.48:
            # The pickup pass needs no network: with the server up or down it must be made.
            out = str(self.home / "pickup.png")
            rc, doc = self.invoke("pickup-qr", ["pickup-qr", "--out", out], True, phase)
            if rc != 0 or not (isinstance(doc, dict)
                               and str(doc.get("payload", "")).startswith("LOBBY:PICKUP:1:")):
                self.bad_output += 1
                self.log("bad-output.log", "NO PICKUP PASS (pickup-qr must work offline)",
                         ["pickup-qr"], rc, json.dumps(doc).encode(), b"", phase)
        elif r < 0.52:
            # Accepted with the server up, pending (queued) with it down: never an error.
            choice = self.rng.choice(("approve", "disapprove", "abstain"))
            rc, doc = self.invoke("vote", ["vote", self.item, choice], True, phase)
            if rc != 0 or not (isinstance(doc, dict)
                               and doc.get("status") in ("accepted", "pending")):
                self.bad_output += 1
                self.log("bad-output.log", "VOTE NOT ACCEPTED OR QUEUED",
                         ["vote", self.item, choice], rc, json.dumps(doc).encode(), b"", phase)
        elif r < 0.55:
            self.invoke("meeting show", ["meeting", "show", self.meeting], not human, phase)
        elif r < 0.58:
            self.invoke("consents", ["consents"], not human, phase)
        elif r < 0.61:
            self.invoke("privacy requests", ["privacy", "requests"], not human, phase)
        elif r < 0.63:
            self.invoke("sessions", ["sessions"], not human, phase)  # online only
        elif r < 0.65:
            self.export(phase)
        elif r < 0.72:
            rc, doc = self.invoke("sync", ["sync"], not human, phase)
            if isinstance(doc, dict) and "state" in doc:
                self.sync_states[f"{phase}:{doc['state']}"] += 1
        else:
            revoke = self.outstanding and (
                self.force_revoke or len(self.outstanding) >= MAX_OUTSTANDING
                or self.rng.random() < 0.5)
            if revoke:
                code = self.outstanding.pop(0)  # the oldest: created some time ago
                if self.rng.random() < 0.5 and len(code) == 10:
                    code = code[:5] + "-" + code[5:]  # as shown to people
                self.invoke("invite revoke", ["invite", "revoke", code], True, phase)
                self.force_revoke = False
            else:
                role = self.rng.choice(("resident", "tenant"))
                rc, doc = self.invoke("invite create", ["invite", "create", "--role", role],
                                      True, phase)
                if isinstance(doc, dict) and doc.get("code"):
                    self.outstanding.append(doc["code"])
                elif isinstance(doc, dict) and isinstance(doc.get("error"), dict) \
                        and doc["error"].get("code") == "invite_cap_reached":
                    self.force_revoke = True
                    # Learn what is still open from the device itself.
                    rc, doc = self.invoke("invite list", ["invite", "list"], True, phase)
                    self.refresh_outstanding(doc)

    def export(self, phase):
        """Online only (and within 10 minutes of signing in): when it says it wrote the
        file, the file is whole, one JSON document of the size it said; when it fails,
        no file is left half-written under the name."""
        out = self.home / "export.json"
        if out.exists():
            out.unlink()
        rc, doc = self.invoke("export", ["export", "--out", str(out)], True, phase)
        if rc == 0:
            try:
                whole = (isinstance(doc, dict) and doc.get("bytes") == out.stat().st_size
                         and isinstance(json.loads(out.read_bytes()), dict))
            except (OSError, ValueError):
                whole = False
            if not whole:
                self.bad_output += 1
                self.log("bad-output.log", "EXPORT NOT WHOLE", ["export"], rc,
                         json.dumps(doc).encode(), b"", phase)
        elif out.exists():
            self.bad_output += 1
            self.log("bad-output.log", "A FAILED EXPORT LEFT A FILE", ["export"], rc,
                     json.dumps(doc).encode(), b"", phase)

    def progress(self):
        say(f"{self.count}/{self.opts.n} abnormal={self.abnormal} usage_errors={self.usage_errors} "
            f"bad_output={self.bad_output} normal_errors={self.normal_errors} "
            f"server={'up' if self.server else 'down'} starts={self.server_starts} "
            f"elapsed={time.monotonic() - self.t0:.0f}s")

    def run(self):
        self.setup()
        up, left = True, self.phase_length(True)
        while self.count < self.opts.n:
            if left <= 0:
                if up:
                    self.stop_server()
                else:
                    self.start_server()
                up = not up
                left = self.phase_length(up)
            before = self.count
            self.step("up" if up else "down")
            left -= self.count - before
            if self.count // PROGRESS_EVERY != before // PROGRESS_EVERY:
                self.progress()

    def report(self, interrupted):
        secs = int(round(time.monotonic() - self.t0))
        say(f"lobby: {self.lobby}")
        say(f"server starts: {self.server_starts}; invocations by phase: "
            + ", ".join(f"{p}={k}" for p, k in sorted(self.per_phase.items()))
            + "; sync states (phase:state): "
            + ", ".join(f"{s}={k}" for s, k in sorted(self.sync_states.items()))
            + f"; seed {self.opts.seed}")
        by_cmd = {}
        for (name, rc), k in sorted(self.per_command.items(), key=lambda x: (x[0][0], str(x[0][1]))):
            by_cmd.setdefault(name, []).append(f"{rc}:{k}")
        for name, parts in by_cmd.items():
            say(f"  {name:<15} exits {' '.join(parts)}")
        if self.error_codes:
            say("  exit-1 error codes: " + ", ".join(f"{c}={k}" for c, k in self.error_codes.most_common()))
        if self.bad_error_output:
            say(f"  exit-1 invocations without one {{\"error\"}} document: {self.bad_error_output} "
                "(see bad-output.log)")
        for msg in self.server_odd_exits:
            say("  server: " + msg)
        if self.abnormal:
            say("ABNORMAL exits by code: " + ", ".join(
                f"{describe_exit(c)} x{k}" for c, k in self.abnormal_codes.most_common()))
            for ex in self.abnormal_examples:
                say("  " + ex)
            say(f"details: {self.work / 'abnormal.log'}")
        if self.usage_errors:
            say(f"usage errors: see {self.work / 'usage-errors.log'}")
        if self.bad_output:
            say(f"bad output: see {self.work / 'bad-output.log'}")
        if interrupted:
            say("interrupted")
        print(f"invocations={self.count} abnormal={self.abnormal} usage_errors={self.usage_errors} "
              f"bad_output={self.bad_output} normal_errors={self.normal_errors} seconds={secs}",
              flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("--lobby", required=True)
    ap.add_argument("--server-bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="seconds before an invocation counts as hung (ABNORMAL)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory in any case")
    opts = ap.parse_args()
    if opts.seed is None:
        opts.seed = random.SystemRandom().randrange(1 << 31)
    if opts.n < 10:
        ap.error("N must be at least 10 (3 invocations onboard the owner)")

    # An abort must not litter the disk with cores.
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))

    def on_signal(signum, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    # Installed explicitly: a shell starts background jobs with SIGINT ignored.
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    soak = Soak(opts)
    say(f"N={opts.n} seed={opts.seed} work={opts.work}")
    interrupted = setup_failed = False
    try:
        soak.run()
    except Interrupted:
        interrupted = True
    except SetupFailed as e:
        setup_failed = True
        say(f"FAILED (setup or server restart): {e}")
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        soak.stop_server()
    soak.report(interrupted)

    failed = soak.abnormal or soak.usage_errors or soak.bad_output
    if failed or setup_failed or opts.keep:
        say(f"work directory kept: {opts.work}")
    else:
        shutil.rmtree(opts.work, ignore_errors=True)
    if interrupted:
        return 130
    if setup_failed:
        return 3
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
