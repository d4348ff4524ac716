#!/usr/bin/python3
"""A real SMTP server for the email channel tests (Debian's python3-aiosmtpd).

    smtp_sink.py --dir DIR --port-file FILE [--port N] [--tls-cert PEM --tls-key PEM]
                 [--require-tls] [--auth USER:PASSWORD]

Listens on 127.0.0.1 on a free port (or --port), writes the port to FILE once it listens, and
saves every message it accepts as DIR/<n>.eml (the raw bytes) and DIR/<n>.json (the envelope, the
headers and bodies as Python's email parser decodes them, and whether the session was upgraded by
STARTTLS and who authenticated). The recipient's local part picks a fault:
  busy...@       451 at RCPT (try again later)
  busyonce...@   451 at RCPT the first time that address is seen, then accepted
  nobody...@     550 at RCPT (no such user)
  slow...@       waits 5 s before answering DATA (and then keeps the message)
  slowonce...@   the first time that address is seen, keeps the message and waits 5 s before
                 answering (an acknowledgement that comes too late); then answers at once
With --tls-cert and --tls-key the server offers STARTTLS (--require-tls: refuses mail before it);
with --auth it requires AUTH PLAIN or LOGIN with that user and password (after STARTTLS when TLS
is offered). Stops on SIGTERM.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        self.seen = set()  # addresses a "...once" fault has been played on

    def first_time(self, kind, address):
        if (kind, address) in self.seen:
            return False
        self.seen.add((kind, address))
        return True

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("busyonce"):
            if self.first_time("busy", address):
                return "451 4.3.2 mailbox busy, try again later"
        elif local.startswith("busy"):
            return "451 4.3.2 mailbox busy, try again later"
        if local.startswith("nobody"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # slowonce: the message is kept, and the answer comes too late (a lost acknowledgement).
        late = False
        for a in envelope.rcpt_tos:
            local = a.split("@", 1)[0]
            if local.startswith("slowonce"):
                late = late or self.first_time("slow", a)
            elif local.startswith("slow"):
                await asyncio.sleep(5)
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg.get("From", "")),
            "to": str(msg.get("To", "")),
            "to_name": msg["To"].addresses[0].display_name if msg.get("To") else "",
            "subject": str(msg.get("Subject", "")),
            "message_id": str(msg.get("Message-ID", "")),
            "date": str(msg.get("Date", "")),
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "defects": [type(d).__name__ for d in msg.defects],
            "max_line": max(len(line) for line in raw.split(b"\r\n")),
            "tls": session.ssl is not None,
            "authenticated_as": session.auth_data.login.decode("utf-8")
            if session.authenticated and isinstance(session.auth_data, LoginPassword) else None,
        }
        self.count += 1
        base = os.path.join(self.folder, "%03d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        if late:
            await asyncio.sleep(5)
        return "250 2.0.0 queued as %03d" % self.count


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode("utf-8")
              and auth_data.password == password.encode("utf-8"))
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return check


async def main(args):
    loop = asyncio.get_running_loop()
    sink = Sink(args.dir)
    options = {"hostname": "rectify-test", "enable_SMTPUTF8": True}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        options["tls_context"] = context
        options["require_starttls"] = args.require_tls
    if args.auth:
        user, password = args.auth.split(":", 1)
        options["authenticator"] = authenticator(user, password)
        options["auth_required"] = True
        options["auth_require_tls"] = bool(args.tls_cert)
    server = await loop.create_server(lambda: SMTP(sink, **options), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--auth")
    asyncio.run(main(parser.parse_args()))
