#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reference endpoint against hostile clients and a faulty network
(issue #12), with the real server over TLS on 127.0.0.1: old TLS versions,
answers before the body, idle and half-sent connections, one address
holding many connections, file descriptors running out, what reaches the
log, and a soak of malformed requests, idle connections and concurrent
valid reports. Prints TAP. Needs VP_ENDPOINT and VP_DEMO_MUNICIPALITY."""

import os
import resource
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ENDPOINT = os.environ["VP_ENDPOINT"]
DEMO = os.environ["VP_DEMO_MUNICIPALITY"]
TEAM = "centrum"
INSTALLATION = "0" * 31 + "1"


def run(*argv, **kwargs):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs).stdout.strip()


class Server:
    """One endpoint process with a database of a demo municipality."""

    def __init__(self, directory, *options, nofile=None):
        self.directory = directory
        self.db = os.path.join(directory, "endpoint.db")
        self.cert = os.path.join(directory, "cert.pem")
        self.key = os.path.join(directory, "key.pem")
        if not os.path.exists(self.cert):
            run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", self.key, "-out", self.cert)
            run(DEMO, "--db", self.db, "--months", "2", "--last", "2026-10")
        self.token = run(ENDPOINT, "issue-token", "--db", self.db, "--team", TEAM, "--name", "Wijkteam Centrum",
                         "--municipality", "GM0363", "--group", "Centrum")
        self.log_path = os.path.join(directory, "server.log")
        self.log = open(self.log_path, "ab")

        def limit():
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.process = subprocess.Popen(
            [ENDPOINT, "serve", "--db", self.db, "--cert", self.cert, "--key", self.key,
             "--address", "127.0.0.1", "--port", "0", *options],
            stdout=subprocess.PIPE, stderr=self.log, preexec_fn=limit)
        line = self.process.stdout.readline().decode()
        assert line.startswith("listening on https://127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])

    def rss_kib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
        assert self.process.returncode == 0, self.process.returncode

    def context(self, **versions):
        context = ssl.create_default_context(cafile=self.cert)
        for name, value in versions.items():
            setattr(context, name, value)
        return context

    def tls(self, source="127.0.0.1", timeout=10, context=None):
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=timeout, source_address=(source, 0))
        return (context or self.context()).wrap_socket(raw, server_hostname="127.0.0.1")

    def request(self, head, body=b"", source="127.0.0.1", timeout=10):
        """Sends one request on a new connection; the status, or None when
        the connection was closed without an answer."""
        with self.tls(source, timeout) as conn:
            conn.sendall(head + body)
            return read_status(conn)

    def valid_get(self, source="127.0.0.1"):
        return self.request(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", source=source)

    def report_body(self, installation, period="2026-10"):
        db = sqlite3.connect(self.db)
        body, = db.execute("SELECT body FROM reports WHERE team = ? AND period = ? LIMIT 1",
                           (TEAM, period)).fetchone()
        old, = db.execute("SELECT installation FROM reports WHERE team = ? AND period = ? LIMIT 1",
                          (TEAM, period)).fetchone()
        db.close()
        return body.replace(f'"installation":"{old}"', f'"installation":"{installation}"').encode()

    def put(self, installation, token=None, source="127.0.0.1"):
        body = self.report_body(installation)
        head = (f"PUT /v1/reports/{TEAM}/{installation}/2026-10 HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {token or self.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
        return self.request(head, body, source=source)

    def rows(self, installation_prefix):
        db = sqlite3.connect(self.db)
        n, = db.execute("SELECT count(*) FROM reports WHERE installation LIKE ?",
                        (installation_prefix + "%",)).fetchone()
        db.close()
        return n


def read_status(conn):
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ssl.SSLError, ConnectionError, socket.timeout):
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return None
    return int(data[9:12])


def closed_by_peer(sock, wait):
    """Whether the server closes the connection within wait seconds (it may
    send a TLS alert first)."""
    deadline = time.monotonic() + wait
    try:
        while True:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            if sock.recv(64) == b"":
                return True
    except (ConnectionError, ssl.SSLError):
        return True
    except socket.timeout:
        return False


results = []


def test(function):
    results.append(function)
    return function


@test
def tls_versions(directory):
    server = Server(directory)
    try:
        for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            context = server.context(minimum_version=version, maximum_version=version)
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
            try:
                server.tls(context=context).close()
            except (ssl.SSLError, ConnectionError):
                continue
            raise AssertionError(f"{version.name} was accepted")
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with server.tls(context=server.context(minimum_version=version, maximum_version=version)) as conn:
                assert conn.version() == version.name.replace("v1_", "v1.").replace("TLS", "TLS"), conn.version()
    finally:
        server.stop()


@test
def answers_before_the_body(directory):
    server = Server(directory)
    try:
        path = f"/v1/reports/{TEAM}/{INSTALLATION}/2026-10"
        cases = [
            # no token, a body of 50 MB announced and never sent
            (f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n", 401),
            # no token, a chunked body without end
            (f"PUT {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 401),
            # a wrong token
            (f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {'0' * 64}\r\nContent-Length: 900\r\n\r\n", 401),
            # the right token, a declared body over --max-body
            (f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
             f"Content-Length: 50000000\r\n\r\n", 413),
            # an unknown address with a body
            ("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n", 404),
            # the sign-in form with more than a form's worth
            ("POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n", 413),
        ]
        for head, expected in cases:
            started = time.monotonic()
            status = server.request(head.encode(), timeout=5)
            assert status == expected, (head.split("\r\n")[0], status)
            assert time.monotonic() - started < 2, head
        # A body that grows past the limit while it arrives is cut off: the
        # connection breaks long before 64 MiB are in (what was sent before
        # that sits in socket buffers, a few MiB at most on loopback).
        with server.tls() as conn:
            conn.sendall(b"POST /sign-in HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            sent = 0
            started = time.monotonic()
            try:
                for _ in range(64 * 1024):
                    conn.sendall(b"400\r\n" + b"a" * 1024 + b"\r\n")
                    sent += 1024
            except (ConnectionError, ssl.SSLError, socket.timeout):
                pass
            assert sent < 16 * 1024 * 1024, sent
            assert time.monotonic() - started < 10
        assert server.valid_get() == 200
    finally:
        server.stop()


@test
def idle_and_half_sent_connections_close(directory):
    server = Server(directory, "--timeout", "2", "--max-per-address", "500")
    try:
        idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(100)]
        half = []
        for _ in range(50):
            conn = server.tls()
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            half.append(conn)
        time.sleep(4)
        still_open = sum(not closed_by_peer(s, 0.5) for s in idle + half)
        for s in idle + half:
            s.close()
        assert still_open == 0, f"{still_open} of 150 still open"
        assert server.valid_get() == 200
    finally:
        server.stop()


@test
def one_address_cannot_hold_the_server(directory):
    server = Server(directory, "--max-per-address", "20")
    try:
        held = []
        for _ in range(100):
            try:
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
            except OSError:
                pass
        started = time.monotonic()
        # Another address is answered at once.
        assert server.valid_get(source="127.0.0.2") == 200
        assert time.monotonic() - started < 1.5
        for s in held:
            s.close()
    finally:
        server.stop()


def open_fds(server):
    return len(os.listdir(f"/proc/{server.process.pid}/fd"))


@test
def file_descriptors_run_out(directory):
    """With 128 file descriptors the server takes 64 connections at a time;
    300 more wait for a free place instead of breaking accept(), idle ones
    are dropped after the timeout, and the server accepts again."""
    server = Server(directory, "--max-per-address", "1000", "--timeout", "2", nofile=128)
    try:
        held = []
        for _ in range(300):
            try:
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
            except OSError:
                pass
        time.sleep(0.5)
        assert open_fds(server) <= 128, open_fds(server)
        # A valid request while they are held is answered once the idle ones
        # time out.
        started = time.monotonic()
        assert server.request(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                              source="127.0.0.2", timeout=30) == 200
        assert time.monotonic() - started < 20
        for s in held:
            s.close()
        time.sleep(0.5)
        for _ in range(3):
            assert server.valid_get() == 200
        assert server.alive()
    finally:
        server.stop()


@test
def the_log_holds_printable_text(directory):
    server = Server(directory)
    try:
        server.request(b"\x1b[31mGET" + b"A" * 20000 + b" /\x1b]0;owned\x07 HTTP/1.1\r\nHost: x\r\n\r\n")
        server.request(b"GET /%1b%5b31mred HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert server.valid_get() == 200
    finally:
        server.stop()
    with open(server.log_path, "rb") as log:
        lines = log.read().split(b"\n")
    for line in lines:
        assert all(32 <= byte < 127 for byte in line), line[:120]
        assert len(line) < 400, len(line)
    assert any(b"GET /sign-in 200" in line for line in lines)


def malformed_requests(server, count):
    """count requests that are not HTTP, or not valid HTTP."""
    garbage = [
        b"\x00\x01\x02\x03" * 64,
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, foo\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n\r\n",
        b"PUT /v1/reports/a/b/c HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 2000 + b"\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /sign-in HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n",
        b"\r\n\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nCookie: vp_session=" + b"f" * 5000 + b"\r\n\r\n",
    ]
    for i in range(count):
        payload = garbage[i % len(garbage)]
        try:
            if i % 4 == 0:
                # Not even TLS; the client goes away at once.
                with socket.create_connection(("127.0.0.1", server.port), timeout=2) as raw:
                    raw.sendall(payload)
                    raw.shutdown(socket.SHUT_WR)
                    raw.settimeout(0.2)
                    raw.recv(64)
            else:
                # Some of these are never answered (an incomplete request
                # waits for the rest): the client waits a little, then goes.
                with server.tls(timeout=2) as conn:
                    conn.settimeout(0.2)
                    conn.sendall(payload)
                    read_status(conn)
        except (OSError, ssl.SSLError):
            pass


@test
def soak(directory):
    """5,000 malformed requests, 200 idle connections, 100 concurrent valid
    reports and a round of file descriptors running out; after each round a
    valid request is answered, at the end the server runs, its memory grew
    by less than 24 MiB, and every valid report was stored."""
    server = Server(directory, "--timeout", "3", "--max-per-address", "400", nofile=256)
    try:
        assert server.valid_get() == 200
        before = server.rss_kib()

        threads = [threading.Thread(target=malformed_requests, args=(server, 625)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert server.alive()
        assert server.valid_get() == 200

        idle = []
        for _ in range(200):
            try:
                idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
            except OSError:
                pass
        assert server.valid_get(source="127.0.0.2") == 200
        for s in idle:
            s.close()
        assert server.valid_get() == 200

        statuses = []

        def send(i):
            for attempt in range(20):
                status = server.put(f"{i + 1:032x}")
                if status in (200, 201):
                    statuses.append(status)
                    return
                time.sleep(0.2)
            statuses.append(status)

        threads = [threading.Thread(target=send, args=(i,)) for i in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert statuses.count(201) == 100, statuses
        assert server.valid_get() == 200

        held = []
        for _ in range(400):
            try:
                held.append(socket.create_connection(("127.0.0.1", server.port), timeout=2))
            except OSError:
                pass
        for s in held:
            s.close()
        time.sleep(0.5)
        assert server.valid_get() == 200

        after = server.rss_kib()
        assert server.alive()
        rows = server.rows("0" * 29)
        print(f"# soak: 5000 malformed requests, 200 idle connections, 100 concurrent reports, "
              f"{len(held)} connections at the file limit; crashes 0; RSS {before} KiB before, "
              f"{after} KiB after; rows expected 100, found {rows}")
        assert rows == 100, rows
        assert after - before < 24 * 1024, (before, after)
    finally:
        server.stop()


def main():
    only = sys.argv[1:]
    chosen = [t for t in results if not only or t.__name__ in only]
    print(f"1..{len(chosen)}")
    failed = 0
    for number, function in enumerate(chosen, 1):
        with tempfile.TemporaryDirectory(prefix="vp-hostile-") as directory:
            try:
                function(directory)
                print(f"ok {number} {function.__name__}")
            except Exception:
                failed += 1
                print(f"not ok {number} {function.__name__}")
                for line in traceback.format_exc().splitlines():
                    print(f"# {line}")
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
