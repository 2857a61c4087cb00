#!/usr/bin/env python3
"""compare_records.py CLI_NDJSON LIB_LINES [--min-findings N] [--report CLI_JSON]

Checks that the records a libtrustscan client printed (samples/c, samples/python: one JSON line per
record, the plain ts_record fields and the schema JSON under "record") are the CLI's: the same
binaries, by path, SHA-256, signature, type, privilege, vendor, country and verdict, as the
`trustscan scan -o ndjson` file events of the same roots. Also checks each line's plain fields
against its own record JSON. With --report, each record must also be, whole and field for field,
the record of the same path in the `files` of the CLI's JSON report (`-o json=CLI_JSON`) of the
same roots. Exits 1 with the differences otherwise.
"""
import json
import sys


# file.code_signature fields of both the report record and the NDJSON event (ECS's; the report's
# trustscan additions, flags and source, are not in the event).
SIGNATURE_FIELDS = ("exists", "status", "subject_name", "trusted", "valid", "digest_algorithm", "thumbprint_sha256",
                    "timestamp")


RANK = ["low", "medium", "high", "critical"]


def projection(obj):
    """The fields both outputs carry for a record: the report record or an NDJSON file event."""
    f, t = obj["file"], obj["trustscan"]
    signature = {k: v for k, v in (f.get("code_signature") or {}).items() if k in SIGNATURE_FIELDS}
    finding = t.get("finding") or {}
    vendor = t.get("vendor") or {}
    return (f["path"], (f.get("hash") or {}).get("sha256"), json.dumps(signature, sort_keys=True),
            t.get("type"), t.get("privilege"), vendor.get("id"), t.get("country"), finding.get("status"),
            finding.get("severity"), t.get("known_bad_severity"))


def plain_problems(line):
    """The plain fields of ts_record against the record JSON of the same line."""
    rec = line["record"]
    f, t = rec["file"], rec["trustscan"]
    finding = t.get("finding") or {}
    is_finding = finding.get("status") == "finding" or "known_bad_severity" in t
    # the worse of the finding's and the known-bad finding's, as the state file; else the verdict's own
    ranked = [s for s in (finding.get("severity") if finding.get("status") == "finding" else None,
                          t.get("known_bad_severity")) if s is not None]
    severity = max(ranked, key=RANK.index) if ranked else None
    if severity is None:
        severity = finding.get("severity")
    want = {"path": f["path"], "sha256": (f.get("hash") or {}).get("sha256"),
            "signature_status": (f.get("code_signature") or {}).get("status"),
            "vendor": (t.get("vendor") or {}).get("name"), "country": t.get("country"),
            "privilege": t.get("privilege"), "finding": is_finding, "severity": severity}
    return [f"{f['path']}: {k} is {line.get(k)!r}, its record says {v!r}" for k, v in want.items() if line.get(k) != v]


def whole_record_problems(report_file, lib_records):
    """Each library record against the JSON report's record of the same path, whole."""
    with open(report_file, encoding="utf-8") as f:
        report = {r["file"]["path"]: r for r in json.load(f)["files"]}
    mine = {r["file"]["path"]: r for r in lib_records}
    problems = [f"only in the CLI's report: {p}" for p in sorted(report.keys() - mine.keys())[:10]]
    problems += [f"only from the library: {p}" for p in sorted(mine.keys() - report.keys())[:10]]
    for path in sorted(report.keys() & mine.keys()):
        a, b = report[path], mine[path]
        if a != b:
            keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
            problems.append(f"{path}: differs from the CLI's report in {', '.join(keys)}")
    if len(problems) > 20:
        problems = problems[:20] + [f"... and {len(problems) - 20} more"]
    if not problems:
        print(f"whole records: {len(mine)} identical to the CLI's JSON report")
    return problems


def main(argv):
    cli_file, lib_file = argv[1], argv[2]
    min_findings = int(argv[argv.index("--min-findings") + 1]) if "--min-findings" in argv else 0
    cli = []
    for text in open(cli_file, encoding="utf-8"):
        ev = json.loads(text)
        if ev.get("event", {}).get("dataset") == "trustscan.file":
            cli.append(projection(ev))
    lib, records, problems = [], [], []
    for text in open(lib_file, encoding="utf-8"):
        line = json.loads(text)
        records.append(line["record"])
        lib.append(projection(line["record"]))
        problems += plain_problems(line)
    if "--report" in argv:
        problems += whole_record_problems(argv[argv.index("--report") + 1], records)
    cli.sort(key=repr)
    lib.sort(key=repr)
    if not cli:
        problems.append("the CLI reported no binaries: nothing was compared")
    if cli != lib:
        only_cli = [r for r in cli if r not in lib]
        only_lib = [r for r in lib if r not in cli]
        problems.append(f"records differ: {len(cli)} from the CLI, {len(lib)} from the library")
        problems += [f"  only CLI:     {r}" for r in only_cli[:10]]
        problems += [f"  only library: {r}" for r in only_lib[:10]]
        if len(set(lib)) != len(lib):
            problems.append("  the library printed a record twice")
    findings = sum(1 for r in lib if r[7] == "finding" or r[9] is not None)
    if findings < min_findings:
        problems.append(f"{findings} findings, expected at least {min_findings}")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"compared {len(cli)} records ({findings} findings): {'identical' if not problems else 'DIFFERENT'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
