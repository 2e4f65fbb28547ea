#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The team-sync relay (#16) against hostile clients, with the real
endpoint over TLS on 127.0.0.1: malformed and oversized bodies, lengths
that lie, tokens of other teams and devices and tokens in addresses, path
tricks, ids, codes and numbers that are not well formed, invite codes tried
by brute force, the device limit and the storage quota; the endpoint stays
up, answers every error in JSON with a kind, keeps its memory bounded and
logs no token. Prints TAP. Needs VP_ENDPOINT."""

import http.client
import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

ENDPOINT = os.environ["VP_ENDPOINT"]
REPORT_TEAM = "noord"
BUCKETS = (1024, 4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024)


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


class Relay:
    """One endpoint process hosting the relay, with small limits."""

    def __init__(self, directory):
        self.db = os.path.join(directory, "endpoint.db")
        self.relay_db = os.path.join(directory, "relay.db")
        self.cert = os.path.join(directory, "cert.pem")
        self.key = os.path.join(directory, "key.pem")
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", self.key, "-out", self.cert)
        self.report_token = run(ENDPOINT, "issue-token", "--db", self.db, "--team", REPORT_TEAM,
                                "--name", "Wijkteam Noord", "--municipality", "GM0363")
        self.log_path = os.path.join(directory, "server.log")
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [ENDPOINT, "serve", "--db", self.db, "--cert", self.cert, "--key", self.key,
             "--address", "127.0.0.1", "--port", "0", "--relay-db", self.relay_db,
             "--relay-quota", "1", "--relay-max-devices", "3", "--relay-invite-rate", "10"],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode()
        assert line.startswith("listening on https://127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])
        self.context = ssl.create_default_context(cafile=self.cert)

    def alive(self):
        return self.process.poll() is None

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
        assert self.process.returncode == 0, self.process.returncode

    def request(self, method, path, body=None, token=None, source="127.0.0.1", headers=None):
        """One request on a new connection: (status, body bytes)."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context, timeout=20,
                                           source_address=(source, 0))
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def raw(self, data, source="127.0.0.1", wait=5):
        """Sends bytes as they are; the status, or None when the connection
        was closed without one."""
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=wait, source_address=(source, 0))
        with self.context.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
            conn.sendall(data)
            answer = b""
            try:
                while b"\r\n" not in answer:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            except (ssl.SSLError, ConnectionError, socket.timeout):
                pass
        return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else None


def relay_has_invite(relay, code):
    import sqlite3
    db = sqlite3.connect(relay.relay_db)
    n, = db.execute("SELECT count(*) FROM relay_invites WHERE code = ?", (code,)).fetchone()
    db.close()
    return n > 0


def error_kind(data):
    body = json.loads(data)
    assert isinstance(body.get("error"), str) and body["error"], body
    return body.get("kind")


def expect(result, status, kind=None):
    got, data = result
    assert got == status, (got, data[:300])
    if status >= 400:
        k = error_kind(data)
        assert kind is None or k == kind, (k, kind)
    return data


def blob(team, device, sequence, size=1024, epoch=1):
    """A blob as the relay sees one: a clear header, then bytes it cannot read."""
    header = bytes([1]) + team + device + epoch.to_bytes(4, "big") + sequence.to_bytes(8, "big")
    return header + secrets.token_bytes(size - len(header))


class Team:
    def __init__(self, relay):
        self.relay = relay
        self.id = secrets.token_bytes(16)
        self.admin = secrets.token_bytes(16)
        data = expect(relay.request("POST", "/v1/relay/teams", {
            "report_team": REPORT_TEAM, "team": self.id.hex(), "device": self.admin.hex()},
            token=relay.report_token), 201)
        self.token = json.loads(data)["token"]
        self.path = f"/v1/relay/teams/{self.id.hex()}"
        self.sequence = 0

    def invite(self):
        code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(8))
        expect(self.relay.request("PUT", f"{self.path}/invites/{code}", secrets.token_bytes(32),
                                  token=self.token), 201)
        return code

    def join(self, code, source="127.0.0.1"):
        device = secrets.token_bytes(16)
        return device, self.relay.request("POST", f"/v1/relay/invites/{code}/join", {
            "device": device.hex(), "public_key": secrets.token_bytes(32).hex(),
            "nonce": secrets.token_bytes(16).hex()}, source=source)

    def push(self, size=1024, token=None):
        self.sequence += 1
        return self.relay.request("POST", f"{self.path}/blobs", blob(self.id, self.admin, self.sequence, size),
                                  token=token or self.token)


def test_bodies(relay, team):
    """Malformed JSON and binary bodies are refused with a reason; nothing is
    stored from them."""
    for body in (b"", b"{", b"[]", b"null", b'{"cursor": -1}', b'{"cursor": 1.5}', b'{"cursor": "1"}',
                 b'{"cursor": 99999999999999999999999}', b"\xff\xfe", b'{"cursor": 1e400}'):
        expect(relay.request("POST", f"{team.path}/ack", body, token=team.token), 400, "invalid")
    for body in ({"snapshot": 0, "covers": 0}, {"snapshot": -1, "covers": 0}, {"snapshot": 1},
                 {"snapshot": 4294967296, "covers": 0}):
        expect(relay.request("POST", f"{team.path}/compact", body, token=team.token), 400, "invalid")
    for body in ({}, {"report_team": REPORT_TEAM, "team": "00" * 16, "device": "11" * 16},
                 {"report_team": REPORT_TEAM, "team": "AB" * 16, "device": "11" * 16},
                 {"report_team": "../x", "team": "ab" * 16, "device": "11" * 16}):
        status, data = relay.request("POST", "/v1/relay/teams", body, token=relay.report_token)
        assert status == 400, (status, data)
        error_kind(data) if data.startswith(b'{"error"') else json.loads(data)["error"]
    code = team.invite()
    for body in ({"device": "11" * 16}, {"device": "11" * 16, "public_key": "22" * 31, "nonce": "33" * 16},
                 {"device": "11" * 16, "public_key": "zz" * 32, "nonce": "33" * 16}):
        expect(relay.request("POST", f"/v1/relay/invites/{code}/join", body, source="127.0.0.5"), 400, "invalid")
    # A commitment and a wrapped key have exact lengths; blobs a bucket's size.
    expect(relay.request("PUT", f"{team.path}/invites/ABCDEFGH", b"x" * 31, token=team.token), 400, "invalid")
    expect(relay.request("PUT", f"{team.path}/devices/{team.admin.hex()}/keys/1", b"x" * 10, token=team.token),
           400, "invalid")
    for size in (0, 1, 1023, 1025, 3000):
        body = blob(team.id, team.admin, team.sequence + 1, 1024)[:size] + b"\0" * max(0, size - 1024)
        expect(relay.request("POST", f"{team.path}/blobs", body, token=team.token), 400, "invalid")
    # A header that is not format 1.
    bad = bytearray(blob(team.id, team.admin, team.sequence + 1))
    bad[0] = 2
    expect(relay.request("POST", f"{team.path}/blobs", bytes(bad), token=team.token), 400, "invalid")


def test_lengths(relay, team):
    """A declared length over the limit is answered before the body; one that
    lies (more declared than sent, or less) does not hurt."""
    head = (f"POST {team.path}/blobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {team.token}\r\n"
            f"Content-Length: {64 * 1024 * 1024 + 1}\r\n\r\n").encode()
    assert relay.raw(head) == 413
    head = (f"POST /v1/relay/invites/ABCDEFGH/join HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n").encode()
    assert relay.raw(head, source="127.0.0.6") == 413
    # No token: refused before a large body is read.
    head = (f"POST {team.path}/blobs HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n").encode()
    assert relay.raw(head) == 401
    # Fewer bytes than declared, then silence: the connection times out.
    head = (f"POST {team.path}/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {team.token}\r\n"
            f"Content-Length: 500\r\n\r\n{{").encode()
    assert relay.raw(head, wait=2) is None
    # More bytes than declared: the rest is a request of its own, and bad.
    body = b'{"cursor": 0}GARBAGE GARBAGE\r\n\r\n'
    head = (f"POST {team.path}/ack HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {team.token}\r\n"
            f"Content-Length: 13\r\n\r\n").encode()
    assert relay.raw(head + body) in (200, 400)
    # Chunked bodies over the limit are cut off: answered 413, or the
    # connection closed where the layer cannot answer mid-body.
    head = (f"PUT {team.path}/invites/ABCDEFGH HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {team.token}\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n100\r\n").encode() + b"x" * 256 + b"\r\n0\r\n\r\n"
    assert relay.raw(head) in (413, None)
    assert not relay_has_invite(relay, "ABCDEFGH")
    assert relay.alive()


def test_tokens(relay, team, other):
    """Tokens of another team, unknown ones, and tokens in the address."""
    expect(relay.request("GET", f"{team.path}/blobs", token=other.token), 403, "refused")
    expect(relay.request("GET", f"{team.path}/devices", token="x" * 43), 401, "refused")
    expect(relay.request("GET", f"{team.path}/devices", token="x" * 5000), 401, "refused")
    expect(relay.request("GET", f"{team.path}/devices?token={team.token}"), 401, "refused")
    expect(relay.request("GET", f"{team.path}/devices?access_token={team.token}"), 401, "refused")
    expect(relay.request("GET", f"{team.path}/devices", headers={"Cookie": f"token={team.token}"}), 401)
    # A report token is not a relay token, nor the reverse.
    expect(relay.request("GET", f"{team.path}/devices", token=relay.report_token), 401, "refused")
    # A blob whose header names another team or device than the token.
    expect(relay.request("POST", f"{team.path}/blobs", blob(other.id, team.admin, 1), token=team.token), 400)
    expect(relay.request("POST", f"{team.path}/blobs", blob(team.id, other.admin, 1), token=team.token), 400)
    # The admin of another team cannot act on this one.
    expect(relay.request("DELETE", f"{team.path}/devices/{team.admin.hex()}", token=other.token), 403)


def test_paths(relay, team):
    """Path tricks and ids, codes and numbers that are not well formed."""
    uid = team.id.hex()
    cases = [
        ("GET", "/v1/relay/", 404), ("GET", "/v1/relay/teams", 405), ("GET", "/v1/relay/teams/", 404),
        ("GET", f"/v1/relay/teams/{uid}/../{uid}/devices", None), ("GET", f"/v1/relay/teams/{uid.upper()}/devices", 400),
        ("GET", f"/v1/relay/teams/{uid[:-1]}/devices", 400), ("GET", f"/v1/relay/teams/{uid}0/devices", 400),
        ("GET", f"/v1/relay/teams/{uid}/devices/", 404), ("GET", f"/v1/relay/teams/{uid}/devices%2F", 404),
        ("GET", f"/v1/relay/teams/{uid}%00/devices", None), ("GET", "/v1/relay/invites/abcdefgh", 400),
        ("GET", "/v1/relay/invites/ABCD-EFGH", 400), ("GET", "/v1/relay/invites/ABCDEFGU", 400),
        ("GET", "/v1/relay/invites/ABCDEFGHJ", 400), ("GET", "/v1/relay/invites/" + "A" * 600, 404),
        ("DELETE", f"/v1/relay/teams/{uid}/blobs", 405), ("PUT", f"/v1/relay/teams/{uid}/ack", 405),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=-1", 400), ("GET", f"/v1/relay/teams/{uid}/blobs?after=+1", 400),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=01", 400),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=99999999999999999999", 400),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=9223372036854775808", 400),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=9223372036854775807", 200),
        ("GET", f"/v1/relay/teams/{uid}/blobs?limit=0", 400),
        ("GET", f"/v1/relay/teams/{uid}/blobs?after=0&limit=99999999999", 400),
        ("POST", f"/v1/relay/teams/{uid}/blobs?snapshot=-1", 400),
        ("PUT", f"/v1/relay/teams/{uid}/devices/{team.admin.hex()}/keys/4294967296", 400),
        ("PUT", f"/v1/relay/teams/{uid}/devices/{team.admin.hex()}/keys/-1", 400),
    ]
    for method, path, status in cases:
        got, data = relay.request(method, path, token=team.token)
        assert got < 500, (method, path, got)
        if status is not None:
            assert got == status, (method, path, got, data[:200])
        if got >= 400:
            error_kind(data)
    status, data = relay.request("GET", f"/v1/relay/teams/{uid}/blobs?after=9223372036854775807", token=team.token)
    assert status == 200 and data == b"", (status, data)


def test_brute_force(relay, team):
    """Guessing invite codes: after 10 tries a minute from one address the
    relay answers 429; another address has its own count."""
    statuses = []
    for _ in range(14):
        code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(8))
        statuses.append(relay.request("GET", f"/v1/relay/invites/{code}", source="127.0.0.9")[0])
    assert statuses[:10] == [404] * 10, statuses
    assert statuses[10:] == [429] * 4, statuses
    # Joining counts as a try too, also with the right code.
    code = team.invite()
    assert team.join(code, source="127.0.0.9")[1][0] == 429
    status, data = relay.request("GET", f"/v1/relay/invites/{code}", source="127.0.0.10")
    assert status == 200 and json.loads(data)["team"] == team.id.hex(), (status, data)


def test_devices_limit(relay, team):
    """At most three laptops (pending and active) in a team."""
    sources = iter(f"127.0.1.{i}" for i in range(1, 50))
    joined = 0
    while True:
        code = team.invite()
        _, (status, data) = team.join(code, source=next(sources))
        if status != 201:
            break
        joined += 1
        assert joined < 10
    assert status == 507 and error_kind(data) == "quota", (status, data)
    assert joined == 2, joined


def test_quota(relay, team):
    """A team's storage is bounded (1 MiB here)."""
    for _ in range(4):
        expect(team.push(256 * 1024), 201)
    expect(team.push(1024), 507, "quota")
    team.sequence -= 1
    status, data = relay.request("GET", f"{team.path}/blobs?after=0", token=team.token)
    assert status == 200 and len(data) == 4 * (12 + 256 * 1024), (status, len(data))


def test_flood(relay, team):
    """Many malformed requests and oversized declarations: the relay stays
    up and its memory bounded."""
    before = relay.rss_kib()
    for i in range(150):
        relay.request("POST", f"{team.path}/ack", b"{" * 1000, token=team.token)
        relay.raw((f"POST {team.path}/blobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {team.token}\r\n"
                   f"Content-Length: 999999999999\r\n\r\n").encode())
        relay.request("GET", f"/v1/relay/teams/{'ab' * 16}/devices", token=secrets.token_urlsafe(32))
    after = relay.rss_kib()
    assert relay.alive()
    assert after - before < 20 * 1024, (before, after)
    expect(relay.request("GET", f"{team.path}/devices", token=team.token), 200)


def test_log(relay, tokens):
    """No token reaches the log; its lines are paths and statuses."""
    relay.stop()
    with open(relay.log_path, "rb") as log:
        text = log.read()
    for token in tokens:
        assert token.encode() not in text
    assert b"/v1/relay/teams" in text


def main():
    tests = []
    with tempfile.TemporaryDirectory(prefix="vp-relay-hostile-") as directory:
        relay = Relay(directory)
        team = Team(relay)
        other = Team(relay)
        full = Team(relay)
        crowded = Team(relay)
        tests = [
            ("malformed bodies are refused with a reason", lambda: test_bodies(relay, team)),
            ("lengths over the limit or that lie", lambda: test_lengths(relay, team)),
            ("tokens of other teams, unknown and in addresses", lambda: test_tokens(relay, team, other)),
            ("path tricks, ids, codes and numbers", lambda: test_paths(relay, team)),
            ("guessing invite codes is rate limited", lambda: test_brute_force(relay, other)),
            ("at most the device limit per team", lambda: test_devices_limit(relay, crowded)),
            ("the storage quota per team", lambda: test_quota(relay, full)),
            ("a flood leaves the relay up and bounded", lambda: test_flood(relay, team)),
            ("no token in the log", lambda: test_log(relay, [team.token, other.token, full.token,
                                                              crowded.token, relay.report_token])),
        ]
        print(f"1..{len(tests)}")
        failed = 0
        for number, (name, run_test) in enumerate(tests, 1):
            try:
                run_test()
                print(f"ok {number} {name}")
            except Exception:
                failed += 1
                print(f"not ok {number} {name}")
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}")
            sys.stdout.flush()
        if relay.alive():
            relay.process.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
