#!/usr/bin/python3
"""Parses an iCalendar file with Debian's python3-icalendar and prints what a calendar app would
show, as JSON: the calendar's properties and, per event, its UID, summary, start and end (a date
as YYYY-MM-DD for all-day events, an ISO instant in UTC for timed ones), sequence and the alarms'
triggers in UTC. Fails (exit 1) on anything the parser rejects.

    ics_dump.py FILE
"""
import datetime
import json
import sys

import icalendar


def value(v):
    if v is None:
        return None
    d = v.dt
    if isinstance(d, datetime.datetime):
        if d.tzinfo is None:
            return "floating:" + d.isoformat()
        return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.isoformat()


def main():
    with open(sys.argv[1], "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    out = {
        "version": str(cal.get("VERSION")),
        "prodid": str(cal.get("PRODID")),
        "name": str(cal.get("X-WR-CALNAME")),
        "timezone": str(cal.get("X-WR-TIMEZONE")),
        "events": [],
    }
    for ev in cal.walk("VEVENT"):
        out["events"].append({
            "uid": str(ev.get("UID")),
            "summary": str(ev.get("SUMMARY")),
            "description": str(ev.get("DESCRIPTION")),
            "start": value(ev.get("DTSTART")),
            "end": value(ev.get("DTEND")),
            "all_day": not isinstance(ev.get("DTSTART").dt, datetime.datetime),
            "stamp": value(ev.get("DTSTAMP")),
            "sequence": int(ev.get("SEQUENCE", 0)),
            "alarms": [value(a.get("TRIGGER")) for a in ev.walk("VALARM")],
        })
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
