#!/usr/bin/env python3
"""lookalike_privilege_test.py TRUSTSCAN OUTDIR

Scans the hostile samples of classes e and g (tools/make_hostile_samples.sh OUTDIR, issue 15) the
way OUTDIR/MANIFEST.tsv says (root, trust anchors, options, --verify-time 2026-01-01) and asserts
the verdicts of docs/hostile-samples.md:
  e  every look-alike of "AO Kaspersky Lab" (Cyrillic letters, zero-width, bidi, BOM, full-width,
     Kelvin sign, mathematical bold) as a verified signer's O/CN or as the only CompanyName is
     attributed to Kaspersky by evidence whose note says "look-alike of ..."; the native-script
     legal name АО «Лаборатория Касперского» is Kaspersky's listed name, not a look-alike; the
     exactly named control (a/kaspersky-signed.sys) has no look-alike evidence;
  g  the import-less Kaspersky driver named .dll is kernel by its headers, and the PE without
     driver traits that an image registers as a kernel-driver service is kernel too.
Exit status 0 when every assertion holds, 1 otherwise (each failure printed).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from hostile_verdicts import VERIFY_TIME, manifest_rows  # noqa: E402

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)


def record(trustscan, out, row):
    """The JSON record of the row's sample, scanned as the manifest says."""
    root = os.path.join(out, row["sample"] if row["root"] == "-" else row["root"])
    cmd = [trustscan, "scan", "-q", "-f", "json", "--verify-time", VERIFY_TIME]
    for t in [] if row["trust"] == "-" else row["trust"].split(","):
        cmd += ["--trust-store", os.path.join(out, "trust", t)]
    if row["options"] != "-":
        cmd += row["options"].split()
    p = subprocess.run(cmd + [root], capture_output=True)
    report = json.loads(p.stdout)
    path = os.path.join(out, row["sample"])
    return next((f for f in report["files"] if f["file"]["path"] == path), None)


def kaspersky_evidence(rec, kind):
    vendor = rec["trustscan"].get("vendor") or {}
    return [e for e in vendor.get("evidence", []) if e["vendor"] == "kaspersky" and e["kind"] == kind]


def check_lookalike(rec, sample):
    kind = "signer" if "/cert-" in sample else "company_name"
    native = sample.endswith("-native.sys")
    evidence = kaspersky_evidence(rec, kind)
    check(evidence, f"{sample}: no {kind} evidence for kaspersky")
    check((rec["trustscan"].get("vendor") or {}).get("id") == "kaspersky", f"{sample}: not attributed to kaspersky")
    for e in evidence:
        look_alike = e.get("note", "").startswith("look-alike of ")
        if native:
            check(not look_alike, f"{sample}: the native legal name is reported as a look-alike ({e})")
            check(e.get("matched") == "АО «Лаборатория Касперского»", f"{sample}: matched {e.get('matched')!r}")
        else:
            check(look_alike, f"{sample}: {kind} evidence without 'look-alike of' ({e})")


def main(argv):
    if len(argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    trustscan, out = argv[1], os.path.abspath(argv[2])
    manifest = manifest_rows(out)
    e_rows = [r for r in manifest if r["class"] == "e"]
    check(len(e_rows) == 22, f"expected 22 class-e samples, found {len(e_rows)}")
    for row in e_rows:
        rec = record(trustscan, out, row)
        check(rec is not None, f"{row['sample']}: not in the report")
        if rec is not None:
            check_lookalike(rec, row["sample"])

    control = next(r for r in manifest if r["sample"] == "a/kaspersky-signed.sys")
    rec = record(trustscan, out, control)
    for e in (rec["trustscan"].get("vendor") or {}).get("evidence", []):
        check(not e.get("note", "").startswith("look-alike"), f"{control['sample']}: look-alike evidence {e}")

    g_rows = [r for r in manifest if r["class"] == "g"]
    check(len(g_rows) == 2, f"expected 2 class-g samples, found {len(g_rows)}")
    for row in g_rows:
        rec = record(trustscan, out, row)
        check(rec is not None, f"{row['sample']}: not in the report")
        if rec is None:
            continue
        t = rec["trustscan"]
        check(t.get("privilege") == "kernel", f"{row['sample']}: privilege {t.get('privilege')} ({t.get('privilege_reason')})")
        if row["sample"].endswith(".dll"):
            reason = t.get("privilege_reason", "")
            check(t.get("type") == "driver", f"{row['sample']}: type {t.get('type')}")
            for trait in ("native subsystem", "WDM_DRIVER", "INIT section"):
                check(trait in reason, f"{row['sample']}: privilege reason {reason!r} lacks {trait!r}")
        else:
            check("driver service" in t.get("privilege_reason", ""), f"{row['sample']}: reason {t.get('privilege_reason')}")

    for f in FAILURES:
        print("FAIL:", f)
    print(f"{len(e_rows) + len(g_rows) + 1} samples, {len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
