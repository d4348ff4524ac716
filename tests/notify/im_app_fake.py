#!/usr/bin/python3
"""A fake of WeCom's and DingTalk's server APIs for the app-message channels' tests (Python's
standard library only).

    im_app_fake.py --dir DIR --port-file FILE --secret SECRET

WeCom:    GET  /cgi-bin/gettoken?corpid=C&corpsecret=S
          POST /cgi-bin/message/send?access_token=T        {"touser","agentid","text":{...}}
DingTalk: GET  /gettoken?appkey=K&appsecret=S
          POST /topapi/message/corpconversation/asyncsend_v2?access_token=T
                                                            {"agent_id","userid_list","msg":{...}}
A token is issued only for SECRET (else errcode 40001 / 40089) and lives expires_in = 7200 s.
Every request is saved as DIR/<n>.json: api ("token" or "send"), provider, the token used, the
user id, the text, and the answer. The user id picks a behaviour:
  expired-once   the first send answers 42001 (the token expired) and revokes that token
  busy-once      the first send answers the busy code (WeCom 45009, DingTalk 90018)
  nobody         always the unknown-user code (WeCom 81013, DingTalk 33012)
  outside-app    WeCom: errcode 0, but the user is named in `invaliduser` (outside the app's
                 visible range: WeCom sends to the others and names the ones it could not)
  left-company   DingTalk: the send is taken (a task_id), and getsendresult lists the user in
                 invalid_user_id_list; any other user it lists in unread_user_id_list
POST /topapi/message/corpconversation/getsendresult?access_token=T {"agent_id","task_id"}
answers the send_result of a task it gave (errcode 0), or errcode 40001 for a bad token.
anything else    errcode 0. Stops on SIGTERM.
"""
import argparse
import json
import os
import signal
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    lock = threading.Lock()
    counter = 0
    tokens = set()
    issued = 0
    seen = {}
    tasks = {}  # DingTalk task id -> user id

    def log_message(self, fmt, *args):
        pass

    def answer(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def save(self, record):
        with Handler.lock:
            Handler.counter += 1
            n = Handler.counter
        base = os.path.join(self.server.folder, "%04d" % n)
        with open(base + ".json.tmp", "w") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")

    def send_result(self, body, token):
        with Handler.lock:
            valid = token in Handler.tokens
            user = Handler.tasks.get(body.get("task_id"))
        record = {"api": "result", "provider": "dingtalk", "token": token,
                  "task_id": body.get("task_id"), "user": user}
        if not valid:
            record["answer"] = 40001
            self.save(record)
            self.answer({"errcode": 40001, "errmsg": "invalid token"})
            return
        record["answer"] = 0
        self.save(record)
        self.answer({"errcode": 0, "errmsg": "ok",
                     "send_result": send_result_of(user) if user else {}})

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        provider = "wecom" if url.path == "/cgi-bin/gettoken" else "dingtalk"
        secret = q.get("corpsecret" if provider == "wecom" else "appsecret", "")
        if secret != self.server.secret:
            self.save({"api": "token", "provider": provider, "answer": "refused"})
            self.answer({"errcode": 40001 if provider == "wecom" else 40089,
                         "errmsg": "invalid credential"})
            return
        with Handler.lock:
            Handler.issued += 1
            token = "%s-token-%d" % (provider, Handler.issued)
            Handler.tokens.add(token)
        self.save({"api": "token", "provider": provider, "answer": "issued", "token": token})
        self.answer({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        url = urllib.parse.urlsplit(self.path)
        token = dict(urllib.parse.parse_qsl(url.query)).get("access_token", "")
        if url.path == "/topapi/message/corpconversation/getsendresult":
            self.send_result(body, token)
            return
        if url.path == "/cgi-bin/message/send":
            provider, user, text = "wecom", body.get("touser"), body["text"]["content"]
            busy, unknown = 45009, 81013
        else:
            provider, user, text = "dingtalk", body.get("userid_list"), \
                body["msg"]["text"]["content"]
            busy, unknown = 90018, 33012
        record = {"api": "send", "provider": provider, "token": token, "user": user,
                  "text": text, "body": body}
        with Handler.lock:
            valid = token in Handler.tokens
            count = Handler.seen.get(user, 0)
            Handler.seen[user] = count + 1
        if not valid:
            code = 42001
        elif user == "expired-once" and count == 0:
            with Handler.lock:
                Handler.tokens.discard(token)
            code = 42001
        elif user == "busy-once" and count == 0:
            code = busy
        elif user == "nobody":
            code = unknown
        else:
            code = 0
        record["answer"] = code
        self.save(record)
        answer = {"errcode": code, "errmsg": "ok" if code == 0 else "error"}
        if code == 0:
            answer["msgid" if provider == "wecom" else "task_id"] = "m-%d" % Handler.counter
            if provider == "dingtalk":
                answer["task_id"] = 7000 + Handler.counter
                with Handler.lock:
                    Handler.tasks[answer["task_id"]] = user
            if provider == "wecom":
                answer["invaliduser"] = user if user == "outside-app" else ""
        self.answer(answer)


def send_result_of(user):
    lists = {"invalid_user_id_list": [], "forbidden_list": [], "failed_user_id_list": [],
             "read_user_id_list": [], "unread_user_id_list": []}
    lists["invalid_user_id_list" if user == "left-company" else "unread_user_id_list"].append(user)
    return lists


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.folder = args.dir
    server.secret = args.secret
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
