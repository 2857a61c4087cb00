#!/usr/bin/env python3
"""hostile_verdicts.py TRUSTSCAN OUTDIR [--markdown FILE]

Runs TRUSTSCAN on every sample of tools/make_hostile_samples.sh (OUTDIR/MANIFEST.tsv: each row's
root, with `--verify-time 2026-01-01`, `--trust-store OUTDIR/trust/<dir>` for each directory of
its trust column and the options of its options column) and prints what it says about the sample, beside the intended truth: vendor and
confidence, the signature that stands for the file (status, source, trust, flags), privilege, the
finding and its severity, the Windows image found, and the exit code. With --markdown the table is
written to FILE as Markdown (docs/hostile-samples.md holds one run); otherwise as TSV on stdout.
"""
import json
import os
import subprocess
import sys

VERIFY_TIME = "2026-01-01"


def scan(trustscan, out, row):
    root = os.path.join(out, row["sample"] if row["root"] == "-" else row["root"])
    cmd = [trustscan, "scan", "-q", "-f", "json", "--verify-time", VERIFY_TIME]
    for t in ([] if row["trust"] == "-" else row["trust"].split(",")):
        cmd += ["--trust-store", os.path.join(out, "trust", t)]
    if row["options"] != "-":
        cmd += row["options"].split()
    p = subprocess.run(cmd + [root], capture_output=True)
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError:
        return p.returncode, None, p.stderr.decode(errors="replace").strip()[-200:]
    return p.returncode, report, None


def manifest_rows(out):
    """The rows of OUTDIR/MANIFEST.tsv, each a dict by column name."""
    with open(os.path.join(out, "MANIFEST.tsv"), encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def describe(report, path):
    """(vendor, signature, privilege, finding, image) for the record of `path`."""
    rec = next((f for f in report["files"] if f["file"]["path"] == path), None)
    if rec is None:
        return ("(not scanned)",) * 4 + (image_summary(report),)
    t = rec["trustscan"]
    v = t.get("vendor") or {}
    tier = f", {v['tier']}" if v.get("tier") else ""
    if v.get("id"):
        vendor = f"{v['id']} ({v.get('confidence', '?')}{tier})"
    elif v:  # schema 1.4: an unlisted publisher from a verified certificate
        vendor = f"publisher '{v['name']}' {t.get('country') or '-'} ({v.get('confidence', '?')}{tier})"
    else:
        vendor = "-"
    if v.get("contradictions"):
        vendor += f", {len(v['contradictions'])} contradiction(s)"
    services = {s["vendor"] for s in t.get("signing_services", [])}
    if services:
        vendor += "; service " + ",".join(sorted(services))
    cs = rec["file"].get("code_signature") or {}
    if not cs.get("exists"):
        sig = "unsigned"
    else:
        sig = f"{cs.get('status')} ({cs.get('source')}{', trusted' if cs.get('trusted') else ''})"
        flags = [f for f in cs.get("flags", []) if f != "revocation_not_checked"]
        if flags:
            sig += " " + ",".join(flags)
    n_auth = len((t.get("authenticode") or {}).get("signatures", []))
    n_cat = len(t.get("catalog_signatures", []))
    if n_auth > 1 or n_cat:
        sig += f"; {n_auth} embedded, {n_cat} catalog"
    mod = t.get("module_signature") or {}
    if mod:
        sig = f"module: {mod.get('status')}"
    finding = next((f for f in report.get("findings", []) if f["path"] == path), None)
    if finding:
        fv = finding["vendor"]
        basis = f", {finding['basis']}" if finding.get("basis", "verified") != "verified" else ""
        fin = f"{finding['severity']}: {fv['id'] or fv['name']} ({fv.get('country', '-')}{basis})"
    else:
        fin = (t.get("finding") or {}).get("status") or "none (no vendor)"
    return vendor, sig, f"{t.get('privilege')} ({t.get('type')})", fin, image_summary(report)


def image_summary(report):
    images = (report.get("windows") or {}).get("images", [])
    if not images:
        return "none"
    return "; ".join(os.path.basename(i["path"].rstrip("/")) or i["path"] for i in images)


def main(argv):
    if len(argv) not in (3, 5) or (len(argv) == 5 and argv[3] != "--markdown"):
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    trustscan, out = argv[1], os.path.abspath(argv[2])
    rows = manifest_rows(out)
    table = []
    for row in rows:
        rc, report, error = scan(trustscan, out, row)
        if report is None:
            cells = ("(no report: " + error + ")",) + ("-",) * 4
        else:
            cells = describe(report, os.path.join(out, row["sample"]))
        table.append([row["sample"], row["class"], row["real"], row["claimed"], row["expected"], *cells, str(rc)])
    head = ["sample", "class", "real vendor", "claimed", "expected (fixed)", "today: vendor (confidence, tier)",
            "today: signature", "today: privilege", "today: finding", "today: Windows image", "exit"]
    if len(argv) == 5:
        esc = lambda s: s.replace("|", "\\|")
        with open(argv[4], "w", encoding="utf-8") as f:
            f.write("| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n")
            for r in table:
                f.write("| " + " | ".join(esc(c) for c in r) + " |\n")
    else:
        print("\t".join(head))
        for r in table:
            print("\t".join(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
