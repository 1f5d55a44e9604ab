#!/usr/bin/env python3
"""Prepares a fresh development lobby-server for scripts/schemathesis.sh: a project, an
owner registry of two units, and two signed-in owners (onboarding QR -> OTP peeked with
the dev staff token -> verify). Prints shell assignments on stdout:

    SESSION_TOKEN=...   an owner's access token (sync, claim, onboarding start)
    LOGOUT_TOKEN=...    another owner's access token, only for /v1/auth/logout (which
                        revokes it), so the other operations keep a valid session

Usage: schemathesis-setup.py URL STAFF_TOKEN
Standard library only.
"""

import json
import sys
import urllib.error
import urllib.request

REGISTRY = (
    "unit,owner_name,ownership_ratio,phone,email\n"
    "A-101,Somchai Jaidee,1.25,081-234-5678,somchai@example.com\n"
    "A-102,Jane Doe,0.75,089-999-9999,\n"
)
PASSWORD = "Passw0rd!"


def call(base, method, path, body=None, token=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", content_type)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"schemathesis-setup: {method} {path}: {e.code} {e.read()[:300]!r}")


def onboard(base, staff, payload, phone):
    sent = call(
        base,
        "POST",
        "/v1/onboarding/start",
        {"payload": payload, "phone": phone, "password": PASSWORD},
    )
    code = call(base, "GET", f"/v1/admin/otp/peek?to={phone}", token=staff)["code"]
    grant = call(
        base,
        "POST",
        "/v1/onboarding/verify",
        {"request_id": sent["request_id"], "code": code},
    )
    return grant["access_token"]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    base, staff = sys.argv[1].rstrip("/"), sys.argv[2]
    project = call(
        base, "POST", "/v1/admin/projects", {"name": "Schemathesis", "kind": "condominium"}, staff
    )["project_id"]
    units = call(
        base,
        "POST",
        f"/v1/admin/projects/{project}/owners",
        REGISTRY,
        staff,
        content_type="text/csv",
    )["units"]
    session = onboard(base, staff, units[0]["onboarding_payload"], "0812345678")
    logout = onboard(base, staff, units[1]["onboarding_payload"], "0899999999")
    print(f"SESSION_TOKEN={session}")
    print(f"LOGOUT_TOKEN={logout}")


if __name__ == "__main__":
    main()
