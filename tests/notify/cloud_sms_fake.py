#!/usr/bin/python3
"""A fake of the two cloud SMS services for the sms channel's tests (Python's standard library).

    cloud_sms_fake.py --dir DIR --port-file FILE --secret-id ID --secret-key KEY

POST /tencent  is Tencent Cloud SMS SendSms (API 2021-01-11): it checks the TC3-HMAC-SHA256
               Authorization header as Tencent's documentation computes it (hashlib, hmac).
POST /aliyun   is Alibaba Cloud dysmsapi SendSms (2017-05-25, RPC style): it checks the HMAC-SHA1
               Signature of the form parameters as Alibaba's documentation computes it.
A wrong signature gets the provider's own refusal (AuthFailure.SignatureFailure,
SignatureDoesNotMatch). Every request is saved as DIR/<n>.json: provider, phone, template, params,
the dedup key the provider keeps (SessionContext / OutId), sig_ok, and the answer ("accepted",
"refused", "throttled", "cut", "slow"). The phone number's last four digits pick a fault, applied
to the first request of each dedup key only (later ones are answered normally):
  0429  HTTP 429          0503  the provider's throttle code (RequestLimitExceeded /
  0777  the connection is cut before any answer              isv.BUSINESS_LIMIT_CONTROL)
  0888  answers nothing for 5 s (the client gives up first; the message is not taken)
  0404  always: the provider's "invalid number" refusal
Receipts (status reports) of the messages it took, by the same last four digits:
  0444  the operator reports the message undelivered (Tencent FAIL, Alibaba SendStatus 2)
  0555  no report ever comes (Alibaba answers SendStatus 1, waiting)
  0666  the report comes again on every pull (a duplicate)
  0999  the report names a serial number the fake never gave (an unknown id)
  else  delivered (Tencent SUCCESS, Alibaba SendStatus 3)
POST /tencent with X-TC-Action PullSmsSendStatus answers the reports not pulled yet (each once,
but 0666's again), signed like SendSms; POST /aliyun with Action QuerySendDetails answers one
message by PhoneNumber, SendDate (yyyymmdd, China time) and BizId. A query with a wrong signature
gets the provider's refusal and nothing; each query is saved too (api "pull" / "query").
Stops on SIGTERM.
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
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def tc3_authorization(secret_id, secret_key, host, payload, timestamp):
    canonical = "\n".join([
        "POST", "/", "",
        "content-type:application/json; charset=utf-8\nhost:" + host + "\n",
        "content-type;host",
        hashlib.sha256(payload).hexdigest()])
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    scope = date + "/sms/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()
    signing = mac(mac(mac(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return ("TC3-HMAC-SHA256 Credential=%s/%s, SignedHeaders=content-type;host, Signature=%s"
            % (secret_id, scope, signature))


def aliyun_signature(secret, method, params):
    def enc(s):
        return urllib.parse.quote(s, safe="~")
    query = "&".join(enc(k) + "=" + enc(params[k]) for k in sorted(params))
    to_sign = method + "&" + enc("/") + "&" + enc(query)
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    lock = threading.Lock()
    counter = 0
    seen = {}  # dedup key -> requests so far
    taken = []  # messages accepted: {"provider", "id", "phone", "key", "day", "pulled"}

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
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

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        path = urllib.parse.urlsplit(self.path).path
        body = self.rfile.read(length)
        if path == "/tencent":
            self.tencent(body)
        elif path == "/aliyun":
            self.aliyun(body)
        else:
            self.answer(404, {"error": "no such path"})

    @staticmethod
    def report_of(phone):
        for suffix, report in (("0444", "fail"), ("0555", "none"), ("0666", "again"),
                               ("0999", "stray")):
            if phone.endswith(suffix):
                return report
        return "delivered"

    def take(self, provider, ident, phone, key, day):
        with Handler.lock:
            Handler.taken.append({"provider": provider, "id": ident, "phone": phone, "key": key,
                                  "day": day, "pulled": False})

    def tencent_pull(self, sig_ok):
        if not sig_ok:
            self.save({"api": "pull", "provider": "tencent", "sig_ok": False, "answer": "refused"})
            self.answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                     "Message": "signature mismatch"},
                                           "RequestId": "r"}})
            return
        reports = []
        with Handler.lock:
            for m in Handler.taken:
                report = Handler.report_of(m["phone"])
                if m["provider"] != "tencent" or report == "none":
                    continue
                if m["pulled"] and report != "again":
                    continue
                m["pulled"] = True
                ok = report != "fail"
                reports.append({
                    "UserReceiveTime": "2017-05-08 10:00:05", "CountryCode": "86",
                    "SubscriberNumber": m["phone"][3:], "PhoneNumber": m["phone"],
                    "SerialNo": "9999:stray" if report == "stray" else m["id"],
                    "ReportStatus": "SUCCESS" if ok else "FAIL",
                    "Description": "DELIVRD" if ok else "UNDELIV", "SessionContext": m["key"]})
        self.save({"api": "pull", "provider": "tencent", "sig_ok": True,
                   "answer": [r["SerialNo"] + " " + r["ReportStatus"] for r in reports]})
        self.answer(200, {"Response": {"PullSmsSendStatusSet": reports, "RequestId": "r"}})

    def aliyun_query(self, params, sig_ok):
        if not sig_ok:
            self.save({"api": "query", "provider": "aliyun", "sig_ok": False, "answer": "refused"})
            self.answer(400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"})
            return
        found = None
        with Handler.lock:
            for m in Handler.taken:
                if m["provider"] == "aliyun" and m["id"] == params.get("BizId") and \
                        m["phone"] == params.get("PhoneNumber") and \
                        m["day"] == params.get("SendDate"):
                    found = dict(m)
        dtos = []
        if found:
            report = Handler.report_of(found["phone"])
            status = {"fail": 2, "none": 1}.get(report, 3)
            dtos.append({"PhoneNum": found["phone"], "SendStatus": status,
                         "ErrCode": {2: "UNDELIV", 1: ""}.get(status, "DELIVERED"),
                         "OutId": found["key"], "TemplateCode": "t", "Content": "",
                         "SendDate": "", "ReceiveDate": ""})
        self.save({"api": "query", "provider": "aliyun", "sig_ok": True,
                   "biz_id": params.get("BizId"), "answer": [d["SendStatus"] for d in dtos]})
        self.answer(200, {"Code": "OK", "Message": "OK", "RequestId": "r",
                          "TotalCount": len(dtos), "SmsSendDetailDTOs": {"SmsSendDetailDTO": dtos}})

    def fault(self, phone, key):
        with Handler.lock:
            count = Handler.seen.get(key, 0)
            Handler.seen[key] = count + 1
        if phone.endswith("0404"):
            return "invalid"
        if count > 0:
            return None
        for suffix, fault in (("0429", "429"), ("0503", "throttle"), ("0777", "cut"),
                              ("0888", "slow")):
            if phone.endswith(suffix):
                return fault
        return None

    def respond_fault(self, fault, record, throttle_answer):
        if fault == "slow":
            time.sleep(5)
            record["answer"] = "slow"
            self.save(record)
            self.close_connection = True
            return True
        if fault == "cut":
            record["answer"] = "cut"
            self.save(record)
            self.close_connection = True
            self.connection.shutdown(2)
            return True
        if fault == "429":
            record["answer"] = "throttled"
            self.save(record)
            self.answer(429, {"error": "too many requests"})
            return True
        if fault == "throttle":
            record["answer"] = "throttled"
            self.save(record)
            self.answer(200, throttle_answer)
            return True
        return False

    def tencent(self, body):
        host = self.headers.get("Host", "")
        ts = int(self.headers.get("X-TC-Timestamp", "0"))
        expected = tc3_authorization(self.server.secret_id, self.server.secret_key, host, body, ts)
        action = self.headers.get("X-TC-Action")
        sig_ok = self.headers.get("Authorization", "") == expected and \
            action in ("SendSms", "PullSmsSendStatus") and \
            self.headers.get("X-TC-Version") == "2021-01-11"
        req = json.loads(body)
        if action == "PullSmsSendStatus":
            self.tencent_pull(sig_ok and req.get("SmsSdkAppId") == "1400006666")
            return
        phone = req["PhoneNumberSet"][0]
        key = req.get("SessionContext", "")
        record = {"provider": "tencent", "phone": phone, "template": req.get("TemplateId"),
                  "params": req.get("TemplateParamSet"), "sign_name": req.get("SignName"),
                  "app_id": req.get("SmsSdkAppId"), "key": key, "sig_ok": sig_ok}
        if not sig_ok:
            record["answer"] = "refused"
            self.save(record)
            self.answer(200, {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure",
                                                     "Message": "signature mismatch"},
                                           "RequestId": "r"}})
            return
        fault = self.fault(phone, key)
        if self.respond_fault(fault, record, {"Response": {"Error": {
                "Code": "RequestLimitExceeded", "Message": "too frequent"}, "RequestId": "r"}}):
            return
        if fault == "invalid":
            record["answer"] = "refused"
            self.save(record)
            self.answer(200, {"Response": {"SendStatusSet": [{
                "SerialNo": "", "PhoneNumber": phone, "Code": "InvalidParameterValue.IncorrectPhoneNumber",
                "Message": "incorrect phone number", "SessionContext": key}], "RequestId": "r"}})
            return
        record["answer"] = "accepted"
        self.save(record)
        serial = "2019:%d" % Handler.counter
        self.take("tencent", serial, phone, key, "")
        self.answer(200, {"Response": {"SendStatusSet": [{
            "SerialNo": serial, "PhoneNumber": phone, "Fee": 1,
            "SessionContext": key, "Code": "Ok", "Message": "send success", "IsoCode": "CN"}],
            "RequestId": "r"}})

    def aliyun(self, body):
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        signature = params.pop("Signature", "")
        sig_ok = signature == aliyun_signature(self.server.secret_key, "POST", params) and \
            params.get("AccessKeyId") == self.server.secret_id and \
            params.get("SignatureMethod") == "HMAC-SHA1"
        if params.get("Action") == "QuerySendDetails":
            self.aliyun_query(params, sig_ok)
            return
        sig_ok = sig_ok and params.get("Action") == "SendSms"
        phone = params.get("PhoneNumbers", "")
        key = params.get("OutId", "")
        record = {"provider": "aliyun", "phone": phone, "template": params.get("TemplateCode"),
                  "params": json.loads(params.get("TemplateParam", "{}")),
                  "sign_name": params.get("SignName"), "key": key, "sig_ok": sig_ok,
                  "nonce": params.get("SignatureNonce"), "timestamp": params.get("Timestamp")}
        if not sig_ok:
            record["answer"] = "refused"
            self.save(record)
            self.answer(400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"})
            return
        fault = self.fault(phone, key)
        if self.respond_fault(fault, record, {"Code": "isv.BUSINESS_LIMIT_CONTROL",
                                              "Message": "flow control"}):
            return
        if fault == "invalid":
            record["answer"] = "refused"
            self.save(record)
            self.answer(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "illegal number"})
            return
        record["answer"] = "accepted"
        self.save(record)
        biz = "biz-%d" % Handler.counter
        # The day Alibaba files it under: the request's time in China (UTC+8).
        sent = datetime.strptime(params.get("Timestamp", "1970-01-01T00:00:00Z"),
                                 "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        day = datetime.fromtimestamp(sent.timestamp() + 8 * 3600, timezone.utc).strftime("%Y%m%d")
        self.take("aliyun", biz, phone, key, day)
        self.answer(200, {"Code": "OK", "Message": "OK", "BizId": biz, "RequestId": "r"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--secret-id", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.folder = args.dir
    server.secret_id = args.secret_id
    server.secret_key = args.secret_key
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
