#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A faulty network peer for the sync tests (#13).

It stands where the municipal endpoint would be, on 127.0.0.1, and lets the
laptop's uploader down in one chosen way:

  reset-handshake   reads the TLS ClientHello, then resets the connection
  drop-handshake    reads the ClientHello, then closes the connection
  hang-handshake    reads the ClientHello and never answers
  lost-answer       completes TLS, reads the whole request, hands it to the
                    real endpoint (--upstream), then resets the connection
                    instead of passing the endpoint's answer on
  hang-after-body   the same, but holds the connection without answering
  answer            completes TLS, reads the whole request and answers
                    --status with --header lines and --body

Its first line on standard output is "listening on https://127.0.0.1:PORT",
as the endpoint's is. Each request it reads in full is counted on standard
error ("request N: METHOD PATH", "upstream answered STATUS").
"""

import argparse
import http.client
import socket
import ssl
import struct
import sys
import threading
import urllib.parse


def log(text):
    print(text, file=sys.stderr, flush=True)


def reset(sock):
    """Closes with an RST instead of a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def hold(sock):
    """Keeps the connection open, silent, until the other side gives up."""
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass
    sock.close()


def read_request(tls):
    """The request line, the header lines and the body (by Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers ended")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = tls.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the body ended")
        body += chunk
    return lines[0], headers, body


def forward(args, request_line, headers, body):
    """Hands the request to the real endpoint, as a proxy would."""
    url = urllib.parse.urlsplit(args.upstream)
    context = ssl.create_default_context(cafile=args.ca)
    conn = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=30)
    method, path, _ = request_line.split(" ", 2)
    passed = {name: value for name, value in headers.items()
              if name in ("authorization", "content-type", "vindplaats-installation-label")}
    conn.request(method, path, body=body, headers=passed)
    answer = conn.getresponse()
    answer.read()
    log(f"upstream answered {answer.status}")
    conn.close()


class Peer:
    def __init__(self, args):
        self.args = args
        self.requests = 0
        self.lock = threading.Lock()
        self.context = None
        if args.cert:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(args.cert, args.key)

    def serve(self, sock):
        mode = self.args.mode
        if mode.endswith("-handshake"):
            sock.recv(4096)  # the ClientHello
            if mode == "reset-handshake":
                reset(sock)
            elif mode == "drop-handshake":
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            else:
                hold(sock)
            return

        tls = self.context.wrap_socket(sock, server_side=True)
        request_line, headers, body = read_request(tls)
        with self.lock:
            self.requests += 1
            log(f"request {self.requests}: {request_line.rsplit(' ', 1)[0]}")
        if mode == "answer":
            self.answer(tls)
            return
        if self.args.upstream:
            forward(self.args, request_line, headers, body)
        if mode == "lost-answer":
            reset(tls)
        else:
            hold(tls)

    def answer(self, tls):
        body = self.args.body.encode()
        head = [f"HTTP/1.1 {self.args.status} Faulty Peer",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
                "Connection: close"]
        head += self.args.header
        tls.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        tls.close()

    def handle(self, sock):
        try:
            self.serve(sock)
        except (OSError, ConnectionError, ssl.SSLError) as error:
            log(f"connection ended: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["reset-handshake", "drop-handshake", "hang-handshake",
                                         "lost-answer", "hang-after-body", "answer"])
    parser.add_argument("--cert", help="server certificate (PEM), for the modes that complete TLS")
    parser.add_argument("--key", help="its key (PEM)")
    parser.add_argument("--upstream", help="the real endpoint, https://host:port")
    parser.add_argument("--ca", help="the CA file that verifies the real endpoint")
    parser.add_argument("--status", type=int, default=503)
    parser.add_argument("--header", action="append", default=[], help="an answer header line")
    parser.add_argument("--body", default='{"error": "faulty peer"}')
    args = parser.parse_args()

    peer = Peer(args)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    print(f"listening on https://127.0.0.1:{server.getsockname()[1]}", flush=True)
    while True:
        sock, _ = server.accept()
        threading.Thread(target=peer.handle, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
