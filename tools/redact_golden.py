#!/usr/bin/python3
"""Redact what varies between runs and machines from a trustscan report (tools/make_golden.sh).

    redact_golden.py [--version V] [--host H] [--replace TEXT=PLACEHOLDER ...] FILE > REDACTED

What changes from run to run or machine to machine becomes a <placeholder>; everything else is
kept as trustscan wrote it:
  - times (scan start/end, event times, file mtime/ctime, Authenticode signing time: the test
    samples are signed at test time) and durations;
  - the host: host name, host/agent/event ids, kernel release; file inode, device, uid, gid;
  - hex digests of 32 characters and more (file SHA-256, Authenticode hashes, certificate
    thumbprints, imphash; not a commit id inside a URL of a rule's reference): the samples are compiled and signed at test time, so they change with
    the compilers, osslsigncode and the fresh test keys;
  - numbers the compilers decide: file sizes, bytes scanned, PE checksum, entry point, rule match
    offsets;
  - the tool version given with --version, and any literal TEXT given with --replace (absolute
    temporary and source paths).
The rules look at the key or label (JSON "key": value, CEF key=value, the table's first line, a
CSV column by header), so one rule serves every format that names the field the same way.
Line-per-event formats (.ndjson, .cef: order of completion when streamed) are sorted by file
path, the summary last. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import socket
import sys

# JSON keys (any format writing `"key": value`) whose value is replaced, and by what.
JSON_KEYS = {
    "<time>": ("@timestamp", "created", "start", "end", "started", "finished", "mtime", "ctime", "signing_time", "ingested"),
    "<duration>": ("duration_ms", "duration"),
    "<stat>": ("inode", "device", "uid", "gid"),
    "<n>": ("size", "bytes_scanned", "checksum", "entry_point", "offset"),
}
# JSON keys whose value is replaced only when it is a string (by_privilege's "kernel" is a count).
JSON_STRING_KEYS = {"<kernel>": ("kernel",)}
# CEF (and other key=value formats): key=VALUE up to the next space.
KV_KEYS = {
    "<time>": ("rt", "start", "end", "fileModificationTime"),
    "<n>": ("fsize",),
}
# CSV columns, by header name.
CSV_COLUMNS = {"size": "<n>"}
# Formats with one event per line, whose line order is that of completion.
LINE_PER_EVENT = (".ndjson", ".cef")
DIGEST_NAMES = {32: "<md5>", 40: "<sha1>", 64: "<sha256>", 96: "<sha384>", 128: "<sha512>"}

JSON_STRING = r'"(?:[^"\\]|\\.)*"'
JSON_VALUE = rf"(?:{JSON_STRING}|-?\d+(?:\.\d+)?)"
UUID = r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:-\d+)?\b"


def alternatives(names: tuple[str, ...]) -> str:
    return "|".join(re.escape(n) for n in names)


def rules(version: str | None, host: str) -> list[tuple[re.Pattern[str], str]]:
    """The substitutions, in order: ids before digests (a host id is 32 hex digits too)."""
    out = []
    for placeholder, keys in JSON_KEYS.items():
        out.append((re.compile(rf'("(?:{alternatives(keys)})"\s*:\s*){JSON_VALUE}'), rf'\g<1>"{placeholder}"'))
    for placeholder, keys in JSON_STRING_KEYS.items():
        out.append((re.compile(rf'("(?:{alternatives(keys)})"\s*:\s*){JSON_STRING}'), rf'\g<1>"{placeholder}"'))
    for placeholder, keys in KV_KEYS.items():
        out.append((re.compile(rf"(?<![\w.])((?:{alternatives(keys)})=)[^\s|]+"), rf"\g<1>{placeholder}"))
    h = re.escape(host)
    out += [
        (re.compile(rf'("(?:hostname|name)"\s*:\s*)"{h}"'), r'\g<1>"<host>"'),
        (re.compile(rf"(?<![\w.])(dvchost=){h}(?=\s|$)"), r"\g<1><host>"),
        # The table's first line: "trustscan VERSION on HOST, 0.8 s, 2 threads".
        (re.compile(r"^(trustscan \S+ on ).*?, \d+(?:\.\d+)? s, ", re.M), r"\g<1><host>, <duration>, "),
        # Monitoring formats: a scan's age or duration as perfdata (scan_age=12s) or metric value.
        (re.compile(r"\b(scan_age|duration|time)=\d+(?:\.\d+)?s\b"), r"\g<1>=<duration>s"),
        # The check's status line: "scan 12s ago".
        (re.compile(r"\bscan \d+s ago\b"), "scan <duration>s ago"),
        (re.compile(r"^(\w+_(?:seconds|timestamp_seconds)(?:\{[^}]*\})?) \S+$", re.M), r"\g<1> <n>"),
        (re.compile(UUID), "<id>"),
        (re.compile(r'("id"\s*:\s*)"[0-9a-f]{32}"'), r'\g<1>"<id>"'),
        (re.compile(r"(?<![0-9A-Za-z/])[0-9a-fA-F]{32,}(?![0-9A-Za-z])"),
         lambda m: DIGEST_NAMES.get(len(m.group(0)), f"<hex{len(m.group(0))}>")),
    ]
    if version:
        out.append((re.compile(rf"(?<![\w.]){re.escape(version)}(?![\w.])"), "<version>"))
    return out


def redact_csv(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return text
    columns = {i: CSV_COLUMNS[name] for i, name in enumerate(rows[0]) if name in CSV_COLUMNS}
    for row in rows[1:]:
        for i, placeholder in columns.items():
            if i < len(row) and row[i]:
                row[i] = placeholder
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text else "\n").writerows(rows)
    return out.getvalue()


def event_order(line: str) -> tuple[bool, str, str]:
    path = re.search(r'"path"\s*:\s*"((?:[^"\\]|\\.)*)"|filePath=(\S+)', line)
    return ("trustscan.summary" in line, (path.group(1) or path.group(2)) if path else "", line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("--version", help="the tool version, replaced by <version>")
    parser.add_argument("--host", default=socket.gethostname(), help="the host name (default: this host's)")
    parser.add_argument("--replace", action="append", default=[], metavar="TEXT=PLACEHOLDER",
                        help="replace literal TEXT (an absolute path) by PLACEHOLDER")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8", newline="") as f:
        text = f.read()
    for item in sorted(args.replace, key=lambda r: -len(r.partition("=")[0])):
        literal, _, placeholder = item.partition("=")
        if literal:
            text = text.replace(literal, placeholder)
    if args.file.endswith(".csv"):
        text = redact_csv(text)
    for pattern, replacement in rules(args.version, args.host):
        text = pattern.sub(replacement, text)
    if args.file.endswith(LINE_PER_EVENT):
        text = "".join(sorted(text.splitlines(keepends=True), key=event_order))
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
