#!/usr/bin/env python3
"""kernel_load_test.py TRUSTSCAN OUTDIR

Asserts `trustscan.windows.kernel_load` (issue 16, verify/kernel_load.hpp, docs/windows.md "Would
Windows load this driver") on the class-k hostile samples (tools/hostile/issue16.sh build_class_k,
docs/hostile-samples.md): each MANIFEST row's sample scanned as the row says (root, --trust-store,
--verify-time 2026-01-01) must get the exact kernel_load value and basis its shape (the `check`
column, "kernel_shape ...") stands for, with the dates in the reason. Then the same samples with
other anchors: the WHCP names with no anchor, or an anchor of another name, are never `allowed`;
the cross-signed drivers with the vendor's own root also trusted (the main chain stops there, the
kernel's path through the cross-certificate still counts), and with the Code Verification Root
missing. Every kernel-mode PE of the scans carries kernel_load; the table and NDJSON show it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from hostile_verdicts import VERIFY_TIME, manifest_rows, scan  # noqa: E402

FAILURES = []
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# kernel_shape argument -> (kernel_load, basis, text the reason must hold)
SHAPES = {
    "whcp": ("allowed", "whcp", "Hardware Dev Center signature ("),
    "cross 2014": ("legacy_cross_signed", "cross_signed_before_2015_07_29", "issued 2014-06-01, before 2015-07-29"),
    "cross 2016": ("not_allowed", "cross_signed_after_2015_07_29",
                   "loads only on machines upgraded from an earlier release or with Secure Boot off"),
    "test": ("test_signing_only", "test_signed", "Windows loads it only with test signing on"),
}


def check(cond, sample, what):
    if not cond:
        FAILURES.append(f"{sample}: {what}")


def kernel_load_of(report, path):
    rec = next((f for f in report["files"] if f["file"]["path"] == path), None)
    if rec is None:
        return None
    return rec["trustscan"].get("windows", {})


def every_kernel_pe_has_it(report, label):
    for rec in report["files"]:
        t = rec["trustscan"]
        kernel = t.get("format") == "pe" and t.get("privilege") == "kernel"
        has = "kernel_load" in t.get("windows", {})
        check(kernel == has, label, f"{rec['file']['path']}: privilege {t.get('privilege')}, kernel_load present {has}")


def expect(trustscan, out, row, trust, want, label):
    """Scans `row`'s sample with the anchor directories `trust` and checks (value, basis, reason text)."""
    rc, report, error = scan(trustscan, out, dict(row, trust=trust))
    if report is None:
        FAILURES.append(f"{label}: no report ({error})")
        return None
    every_kernel_pe_has_it(report, label)
    w = kernel_load_of(report, os.path.join(out, row["sample"]))
    if w is None or "kernel_load" not in w:
        FAILURES.append(f"{label}: no trustscan.windows.kernel_load")
        return None
    value, basis, text = want
    got = (w["kernel_load"], w["kernel_load_basis"])
    check(got == (value, basis), label, f"kernel_load {got}, want {(value, basis)}: {w['kernel_load_reason']}")
    check(text in w["kernel_load_reason"], label, f"reason lacks {text!r}: {w['kernel_load_reason']}")
    return w


def other_anchors(trustscan, out, rows):
    """The same shapes under anchors that must change the answer (or must not)."""
    by_shape = {r["check"].split(" ", 1)[1]: r for r in rows}
    whcp, cross14, cross16 = by_shape["whcp"], by_shape["cross 2014"], by_shape["cross 2016"]
    test_only = ("test_signing_only", "test_signed", "only with test signing on")
    # The Microsoft names without the Microsoft anchor: a test signature, never allowed.
    expect(trustscan, out, whcp, "-", test_only, "whcp, no anchor")
    w = expect(trustscan, out, whcp, "wdk", test_only, "whcp, only the WDK anchor")
    if w:
        check("a Microsoft name, not Microsoft's key" in w["kernel_load_reason"], "whcp, only the WDK anchor",
              w["kernel_load_reason"])
    # Vendor root trusted too: OpenSSL's chain stops at it, the kernel path still reaches MCVR.
    expect(trustscan, out, cross14, "microsoft,crossvendor", SHAPES["cross 2014"], "cross 2014, vendor root trusted")
    expect(trustscan, out, cross16, "crossvendor,microsoft", SHAPES["cross 2016"], "cross 2016, vendor root trusted")
    # Code Verification Root missing: the cross-certificate is noticed, not believed.
    expect(trustscan, out, cross14, "crossvendor", test_only[:2] + ("no anchor verifies",),
           "cross 2014, no Code Verification Root")


def other_formats(trustscan, out, row):
    """The table's kernel section and the NDJSON event show the decision too."""
    sample = os.path.join(out, row["sample"])
    base = [trustscan, "scan", "-q", "--verify-time", VERIFY_TIME, "--trust-store", os.path.join(out, "trust", "microsoft")]
    table = subprocess.run(base + ["-f", "table", sample], capture_output=True, text=True).stdout
    check("windows kernel load: legacy_cross_signed (cross_signed_before_2015_07_29)" in table, "table",
          "no kernel load line in the table")
    ndjson = subprocess.run(base + ["-f", "ndjson", sample], capture_output=True, text=True).stdout
    lines = ndjson.splitlines()
    events = [json.loads(line) for line in lines if line.strip()]
    files = [e for e in events if e.get("file", {}).get("path") == sample]
    check(len(files) == 1 and files[0]["trustscan"]["windows"]["kernel_load"] == "legacy_cross_signed", "ndjson",
          f"{len(files)} file events: {[e.get('trustscan', {}).get('windows') for e in files]}")
    # Both documents against docs/schema/ (a driver outside a Windows image: `windows` holds only kernel_load).
    report = subprocess.run(base + ["-f", "json", sample], capture_output=True, text=True).stdout
    validate = os.path.join(SOURCE, "tools", "validate_report.py")
    for name, text, extra in (("report", report, []), ("events", ndjson, ["--ndjson"])):
        schema = os.path.join(SOURCE, "docs", "schema", "report.schema.json" if not extra else "event.schema.json")
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write(text)
        p = subprocess.run([sys.executable, validate, *extra, "--schema", schema, f.name], capture_output=True, text=True)
        os.unlink(f.name)
        check(p.returncode == 0, f"schema ({name})", (p.stdout + p.stderr)[-600:])


SECURE_BOOT = """
import struct, sys, hivex
h = hivex.Hivex(sys.argv[1], write=True)
node = h.node_get_child(h.root(), "ControlSet001")
for name in ("Control", "SecureBoot", "State"):
    node = h.node_get_child(node, name) or h.node_add_child(node, name)
h.node_set_value(node, {"key": "UEFISecureBootEnabled", "t": 4, "value": struct.pack("<I", int(sys.argv[2]))})
h.commit(None)
"""


def image_state(trustscan, out, row):
    """The late cross-signed driver inside a Windows image whose SYSTEM hive says Secure Boot is off / on
    (ControlSet001\\Control\\SecureBoot\\State\\UEFISecureBootEnabled, written with python3-hivex)."""
    for state, text in ((None, None), (0, "Secure Boot is off: it loads here"), (1, "Secure Boot is on")):
        with tempfile.TemporaryDirectory() as tmp:
            img = os.path.join(tmp, "img")
            shutil.copytree(os.path.join(out, "images", "m-store-none"), img)
            driver = os.path.join(img, "Windows", "System32", "drivers", "fabk.sys")
            shutil.copy(os.path.join(out, row["sample"]), driver)
            if state is not None:
                hive = os.path.join(img, "Windows", "System32", "config", "SYSTEM")
                subprocess.run(["/usr/bin/python3", "-c", SECURE_BOOT, hive, str(state)], check=True)
            p = subprocess.run([trustscan, "scan", "-q", "-f", "json", "--verify-time", VERIFY_TIME, "--trust-store",
                                os.path.join(out, "trust", "microsoft"), img], capture_output=True, text=True)
            label = f"image, UEFISecureBootEnabled {state}"
            w = kernel_load_of(json.loads(p.stdout), driver) if p.stdout else None
            if not w or "kernel_load" not in w:
                FAILURES.append(f"{label}: no kernel_load ({p.stderr[-200:]})")
                continue
            reason = w["kernel_load_reason"]
            check(w["kernel_load"] == "not_allowed" and w["image"], label, f"{w['kernel_load']}: {reason}")
            check("this image's registry" not in reason if text is None else text in reason, label, reason)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    trustscan, out = argv[1], os.path.abspath(argv[2])
    k_rows = [r for r in manifest_rows(out) if r["check"].startswith("kernel_shape ")]
    check(len(k_rows) == len(SHAPES), "MANIFEST", f"{len(k_rows)} kernel_shape rows, want {len(SHAPES)}")
    for row in k_rows:
        shape = row["check"].split(" ", 1)[1]
        if shape not in SHAPES:
            FAILURES.append(f"{row['sample']}: unknown shape {shape!r}")
            continue
        expect(trustscan, out, row, row["trust"], SHAPES[shape], row["sample"])
    if len(k_rows) == len(SHAPES):
        other_anchors(trustscan, out, k_rows)
        other_formats(trustscan, out, next(r for r in k_rows if r["check"] == "kernel_shape cross 2014"))
        image_state(trustscan, out, next(r for r in k_rows if r["check"] == "kernel_shape cross 2016"))
    for failure in FAILURES:
        print("FAIL", failure)
    print(f"kernel_load: {len(k_rows)} samples, {len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
