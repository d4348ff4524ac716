#!/usr/bin/python3
"""A real SMTP server for the email channel tests (Debian's python3-aiosmtpd).

    smtp_sink.py --dir DIR --port-file FILE

Listens on 127.0.0.1 on a free port, writes the port to FILE once it listens, and saves every
message it accepts as DIR/<n>.eml (the raw bytes) and DIR/<n>.json (the envelope, and the headers
and bodies as Python's email parser decodes them). The recipient's local part picks a fault:
  busy...@     451 at RCPT (try again later)
  nobody...@   550 at RCPT (no such user)
  slow...@     waits 5 s before answering DATA
Stops on SIGTERM.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0]
        if local.startswith("busy"):
            return "451 4.3.2 mailbox busy, try again later"
        if local.startswith("nobody"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@", 1)[0].startswith("slow") for a in envelope.rcpt_tos):
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
        }
        self.count += 1
        base = os.path.join(self.folder, "%03d" % self.count)
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 2.0.0 queued as %03d" % self.count


async def main(args):
    loop = asyncio.get_running_loop()
    sink = Sink(args.dir)
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="rectify-test", enable_SMTPUTF8=True), "127.0.0.1", 0)
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
    asyncio.run(main(parser.parse_args()))
