#!/usr/bin/python3
"""Prints the first sheet of an XLSX workbook as JSON, for the API's report tests.

    /usr/bin/python3 xlsx_cells.py BOOK.xlsx

Reads the workbook as Excel would, with nothing but the standard library (zipfile and the
sheet's XML): {"rows": [[cell, ...], ...], "header_bold": bool, "widths": [width, ...],
"kinds": [[kind, ...], ...]}. Each cell is text as the API's CSV writes it: shared and inline
strings as they are, numbers without a trailing .0, booleans true/false, and a number formatted as
a date (yyyy-mm-dd) as 2017-05-08, or as a date and time as 2017-04-21T09:00. kinds says what
the cell was stored as: s (text), n (number), d (date), b (boolean), "" (empty).
"""

import datetime
import json
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def column_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - ord("A") + 1)
    return n - 1


def main(path):
    book = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", NS):
            shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
    styles = ET.fromstring(book.read("xl/styles.xml"))
    formats = {int(f.get("numFmtId")): f.get("formatCode")
               for f in styles.findall("m:numFmts/m:numFmt", NS)}
    fonts = styles.findall("m:fonts/m:font", NS)
    xfs = styles.findall("m:cellXfs/m:xf", NS)

    def style(s):
        xf = xfs[int(s)] if s is not None else xfs[0]
        code = formats.get(int(xf.get("numFmtId", "0")), "")
        bold = fonts[int(xf.get("fontId", "0"))].find("m:b", NS) is not None
        return code, bold

    sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows, kinds = [], []
    header_bold = True
    for r in sheet.findall("m:sheetData/m:row", NS):
        cells, cell_kinds = [], []
        for c in r.findall("m:c", NS):
            i = column_index(c.get("r"))
            while len(cells) < i:
                cells.append("")
                cell_kinds.append("")
            t, v = c.get("t"), c.find("m:v", NS)
            code, bold = style(c.get("s"))
            if int(r.get("r")) == 1:
                header_bold = header_bold and bold
            if t == "s":
                cells.append(shared[int(v.text)])
                cell_kinds.append("s")
            elif t == "inlineStr":
                cells.append("".join(x.text or "" for x in c.iter(f"{{{NS['m']}}}t")))
                cell_kinds.append("s")
            elif t == "b":
                cells.append("true" if v.text == "1" else "false")
                cell_kinds.append("b")
            elif v is None:
                cells.append("")
                cell_kinds.append("")
            elif "yy" in code:
                when = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=float(v.text))
                when = when.replace(microsecond=0) + datetime.timedelta(
                    seconds=round(when.microsecond / 1e6))
                cells.append(when.strftime("%Y-%m-%dT%H:%M" if "hh" in code else "%Y-%m-%d"))
                cell_kinds.append("d")
            else:
                x = float(v.text)
                cells.append(str(int(x)) if x == int(x) else repr(x))
                cell_kinds.append("n")
        rows.append(cells)
        kinds.append(cell_kinds)
    # A sheet leaves empty cells out: each row as wide as the header.
    width = max((len(r) for r in rows), default=0)
    for cells, cell_kinds in zip(rows, kinds):
        cells.extend([""] * (width - len(cells)))
        cell_kinds.extend([""] * (width - len(cell_kinds)))
    widths = [float(col.get("width")) for col in sheet.findall("m:cols/m:col", NS)]
    print(json.dumps({"rows": rows, "kinds": kinds, "header_bold": header_bold, "widths": widths},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
