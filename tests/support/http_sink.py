#!/usr/bin/python3
"""A local HTTP receiver for the webhook channel tests (Python's standard library only).

    http_sink.py --dir DIR --port-file FILE [--port N] [--dingtalk-secret SECRET]

Listens on 127.0.0.1 on a free port (or --port), writes the port to FILE once it listens, and
saves every POST as DIR/<n>.json: path, query, headers, the body, the body parsed as JSON, the
answer's status, and for a request with timestamp and sign in its query, whether the DingTalk
signature verifies under SECRET (computed as DingTalk's documentation does, with hmac, base64 and
quote_plus). The path picks the answer:
  /ok                200 {"ok":true}
  /robot             200 {"errcode":0,"errmsg":"ok"}
  /robot/<code>      200 {"errcode":<code>,"errmsg":"..."} (a number; /robot/send is /robot)
  /cgi-bin/webhook/send   as /robot (WeCom's own path)
  /status/<code>     <code> {"error":"..."}
  /slow              waits 5 s, then 200 (not saved)
  /flaky/<n>/REST    500 for the first n requests of each message (path and Idempotency-Key),
                     then as /REST
  /slowonce/REST     the first request of each message waits 5 s (saved), later ones as /REST
Any other path answers as /ok. Stops on SIGTERM.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The status line and headers go in one write and the body in another: without TCP_NODELAY a
    # kept-alive client waits for its delayed ACK (40 ms) on every request.
    disable_nagle_algorithm = True
    counter = 0
    lock = threading.Lock()
    seen = {}  # (path, idempotency key) -> requests so far

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        record = {
            "path": url.path,
            "raw_query": url.query,
            "query": query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        try:
            record["json"] = json.loads(body)
        except ValueError:
            record["json"] = None
        secret = self.server.dingtalk_secret
        if "sign" in query and "timestamp" in query:
            to_sign = ("%s\n%s" % (query["timestamp"], secret)).encode("utf-8")
            digest = hmac.new(secret.encode("utf-8"), to_sign, digestmod=hashlib.sha256).digest()
            expected = urllib.parse.quote_plus(base64.b64encode(digest))
            raw_sign = dict(p.split("=", 1) for p in url.query.split("&") if "=" in p)["sign"]
            record["sign_ok"] = raw_sign == expected
        with Handler.lock:
            key = (url.path, self.headers.get("Idempotency-Key", ""))
            Handler.seen[key] = Handler.seen.get(key, 0) + 1
            nth = Handler.seen[key]
        path, wait = url.path, 0
        status = None
        if path.startswith("/flaky/"):
            parts = path.split("/", 3)
            if nth <= int(parts[2]):
                status, answer = 500, {"error": "flaky by the test"}
            path = "/" + (parts[3] if len(parts) > 3 else "ok")
        elif path.startswith("/slowonce/"):
            wait = 5 if nth == 1 else 0
            path = "/" + path.split("/", 2)[2]
        elif path == "/slow":
            wait = 5
        if status is None:
            status, answer = 200, {"ok": True}
            code = path.split("/")[2] if path.startswith("/robot/") else ""
            if code.lstrip("-").isdigit():
                answer = {"errcode": int(code), "errmsg": "refused by the test"}
            elif path in ("/robot", "/cgi-bin/webhook/send") or path.startswith("/robot/"):
                answer = {"errcode": 0, "errmsg": "ok"}
            elif path.startswith("/status/"):
                status, answer = int(path.split("/")[2]), {"error": "status from the test"}
        record["status"] = status
        if url.path != "/slow":
            self.save(record)
        if wait:
            time.sleep(wait)
        data = json.dumps(answer).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def save(self, record):
        with Handler.lock:
            Handler.counter += 1
            n = Handler.counter
        if self.server.folder is None:
            return
        base = os.path.join(self.server.folder, "%06d" % n)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--dingtalk-secret", default="")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.folder = args.dir
    server.dingtalk_secret = args.dingtalk_secret
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
