#!/usr/bin/env python3
"""Writes a ledger of N items of the Xinshao org for the API benchmark (bench/api/run.sh).

    bench/api/make_ledger.py ORG_YAML N > ledger.csv

Items are spread evenly over the townships and their village teams; each is given to a person of
its unit (a village team's items to its township's people when the team has none of its own),
with a limit of 10 working days, seven in ten registered from 2017-05-22 to 05-31 (overdue by one
to six working days on 2017-06-15, before the escalation chain's interviews open tasks of their
own) and the rest from 06-01 to 06-14 (not yet due). Deterministic: the same N gives the same file.
"""
import csv
import random
import sys

import yaml


def main():
    org_path, n = sys.argv[1], int(sys.argv[2])
    org = yaml.safe_load(open(org_path, encoding="utf-8"))
    people = {}
    for p in org["people"]:
        people.setdefault(p["unit"], []).append(p["id"])
    units = []

    def walk(unit, township_people):
        mine = people.get(unit["id"], [])
        if unit.get("kind") in ("township", "village_team"):
            units.append((unit["id"], mine or township_people))
        for child in unit.get("units", []) or []:
            walk(child, mine if unit.get("kind") == "township" else township_people)

    for root in org["units"]:
        walk(root, [])
    units = [(u, ps) for u, ps in units if ps]
    rng = random.Random(2017)
    late = ["2017-05-%02d" % d for d in range(22, 32)]
    early = ["2017-06-%02d" % d for d in range(1, 15)]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["id", "title", "unit", "responsible", "registered_at", "time_limit"])
    for i in range(n):
        unit, ps = units[i % len(units)]
        out.writerow([
            "B-%06d" % i,
            "基准测试问题%d：扶贫档案资料不全" % i,
            unit,
            ps[rng.randrange(len(ps))],
            rng.choice(late) if rng.random() < 0.7 else rng.choice(early),
            "10wd",
        ])


if __name__ == "__main__":
    main()
