#!/usr/bin/env python3
"""Checks of the table report (issue 20), used by table_width_test.sh.

table_check.py width TABLE WIDTH        no line wider than WIDTH display columns
table_check.py paths TABLE JSON         every path the JSON report of the same scan lists for a
                                        kernel-/boot-privileged binary, a file with errors, a
                                        skipped path or an unreadable path is in the table whole
                                        (after joining path continuation lines)
table_check.py columns TABLE            in every table of rows (a header line of upper-case column
                                        names), every column starts after a space
table_check.py rows TABLE               prints the rows of KERNEL- AND BOOT-PRIVILEGED BINARIES as
                                        JSON (one object per row: the header's columns)
"""
import json
import re
import sys
import unicodedata

CONTINUATION = "↳ "


def cols(ch):
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\u200e\u200f\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(s):
    return sum(cols(c) for c in s)


def lines_of(path):
    return open(path, encoding="utf-8").read().split("\n")[:-1]


def joined(lines):
    out = []
    for line in lines:
        stripped = line.lstrip(" ")
        if stripped.startswith(CONTINUATION) and out:
            out[-1] += stripped[len(CONTINUATION):]
        else:
            out.append(line)
    return out


def check_width(table, limit):
    bad = [(n + 1, width(l), l) for n, l in enumerate(lines_of(table)) if width(l) > limit]
    for n, w, l in bad[:10]:
        print(f"line {n}: {w} columns > {limit}: {l}", file=sys.stderr)
    return not bad


def check_paths(table, report):
    d = json.load(open(report, encoding="utf-8"))
    want = set()
    for f in d["files"]:
        t = f["trustscan"]
        if t.get("privilege") in ("kernel", "boot") or t.get("errors"):
            want.add(f["file"]["path"])
    want |= {s["path"] for s in d["skipped"]} | {e["path"] for e in d["errors"]}
    text = "\n".join(joined(lines_of(table)))
    missing = sorted(p for p in want if p not in text)
    for p in missing[:10]:
        print(f"not whole in the table: {p}", file=sys.stderr)
    if not want:
        print("the JSON report lists no path to look for", file=sys.stderr)
    return want and not missing


def to_columns(line):
    """The line as a list with one entry per display column (a wide character, then '')."""
    out = []
    for ch in line:
        out.append(ch)
        out.extend([""] * (cols(ch) - 1))
    return out


HEADER = re.compile(r"^ *[A-Z][A-Z()/ -]*[A-Z)]$")


def tables(lines):
    """(header line, [row lines]) for every table of rows: a header of at least three upper-case
    column names, then its rows up to a blank or less indented line (detail and path lines, more
    indented than the header, are left out)."""
    for i, h in enumerate(lines):
        names = re.findall(r"\S+", h)
        if not HEADER.match(h) or len(names) < 3 or not all(n.isupper() for n in names) or "  " not in h.strip():
            continue
        indent = len(h) - len(h.lstrip(" "))
        rows = []
        for line in lines[i + 1:]:
            if not line.strip() or len(line) - len(line.lstrip(" ")) < indent:
                break
            if len(line) - len(line.lstrip(" ")) == indent:
                rows.append(line)
        yield h, rows


def starts(header):
    return [m.start() for m in re.finditer(r"(?<=\s)\S+|^\S+", header)]


def check_columns(table):
    ok, seen = True, 0
    for header, rows in tables(lines_of(table)):
        seen += 1
        for row in rows:
            c = to_columns(row)
            for s in starts(header)[1:]:
                if s < len(c) and s > 0 and c[s - 1] not in (" ",):
                    print(f"column at {s} of '{header.strip()}' not separated: {row}", file=sys.stderr)
                    ok = False
    if not seen:
        print("no table of rows found", file=sys.stderr)
    return ok and seen


def kernel_rows(table):
    lines = lines_of(table)
    i = next(k for k, l in enumerate(lines) if l.startswith("KERNEL- AND BOOT-PRIVILEGED BINARIES"))
    out, section = [], []
    for l in lines[i + 1:]:
        if not l.strip():
            break
        section.append(l)
    if not section:
        return out
    header, body = section[0], section[1:]
    names = re.findall(r"\S+", header)
    pos = starts(header)
    for row in body:
        if row.startswith(" ") or row.startswith("..."):
            continue  # a path below its row, a kernel-load line, the --limit count
        c = to_columns(row)
        cells = {}
        for k, name in enumerate(names):
            end = pos[k + 1] if k + 1 < len(pos) else len(c)
            cells[name] = "".join(c[pos[k]:end]).strip()
        out.append(cells)
    return out


def main():
    what = sys.argv[1]
    if what == "width":
        return check_width(sys.argv[2], int(sys.argv[3]))
    if what == "paths":
        return check_paths(sys.argv[2], sys.argv[3])
    if what == "columns":
        return check_columns(sys.argv[2])
    if what == "rows":
        print(json.dumps(kernel_rows(sys.argv[2])))
        return True
    raise SystemExit(f"unknown check {what}")


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
