#!/usr/bin/env python3
"""windows_recognition_test.py TRUSTSCAN OUTDIR

Issue 16, "a Windows installation is recognised by any of its hives, CatRoot or
System32/ntoskrnl.exe, at the root or up to three directory levels below" (acceptance 4: a
CatRoot-only image → catalog signature found). Scans the hostile samples of class l
(tools/make_hostile_samples.sh OUTDIR, docs/hostile-samples.md) as each MANIFEST row says (root,
--trust-store, --verify-time 2026-01-01) and asserts for every row: exactly one Windows image, at
the base the sample's path names, at the row's depth; the parts found and missing (checked against
the tree itself); no hive error; the catalog signature of catdrv.sys valid and trusted with the
row's anchors (untrusted without them, absent with --no-windows-image); the exit code. Then the
negative and edge cases, built here from the samples: a Windows tree four levels down and a plain
`Windows` directory without any part are not images; the parts are found in any case; a
CatRoot-only tree two levels down inside an ext4 disk image is found through libtsk; a directory
too large to look into is a probe warning (JSON `windows.probe_warnings`, table `WINDOWS PROBE:`).
Exit status 0 when every assertion holds, 1 otherwise (each failure printed).
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
PARTS = ("system_hive", "software_hive", "catroot", "ntoskrnl")
DRIVER = "C:\\Windows\\System32\\drivers\\catdrv.sys"


def check(cond, sample, what):
    if not cond:
        FAILURES.append(f"{sample}: {what}")


def find_nocase(directory, name):
    """The entry of `directory` called `name` in any case, or None."""
    try:
        return next((os.path.join(directory, e) for e in sorted(os.listdir(directory)) if e.lower() == name.lower()), None)
    except (FileNotFoundError, NotADirectoryError):
        return None


def parts_on_disk(base):
    """Which parts the tree at `base` really has, looked up independently of trustscan."""
    system32 = find_nocase(find_nocase(base, "Windows") or "/nonexistent", "System32") or "/nonexistent"
    config = find_nocase(system32, "config") or "/nonexistent"
    have = {
        "system_hive": find_nocase(config, "SYSTEM"),
        "software_hive": find_nocase(config, "SOFTWARE"),
        "catroot": find_nocase(system32, "CatRoot"),
        "ntoskrnl": find_nocase(system32, "ntoskrnl.exe"),
    }
    ok = {"catroot": os.path.isdir}
    return [p for p in PARTS if have[p] and ok.get(p, os.path.isfile)(have[p])]


def run(trustscan, args):
    p = subprocess.run([trustscan, "scan", "-q", "-f", "json", "--verify-time", VERIFY_TIME, *args], capture_output=True)
    try:
        return p.returncode, json.loads(p.stdout)
    except json.JSONDecodeError:
        return p.returncode, None


def record_of(report, name):
    return next((f for f in report["files"] if f["file"]["name"] == name), None)


def images_of(report):
    return (report.get("windows") or {}).get("images", [])


def expect_catalog_signed(sample, rec, image_path, trusted):
    """catdrv.sys: no embedded signature; the image's CatRoot catalog stands for it."""
    check(rec is not None, sample, "catdrv.sys not scanned")
    if rec is None:
        return
    cs = rec["file"].get("code_signature") or {}
    check(rec["trustscan"]["authenticode"]["status"] == "unsigned", sample, "catdrv.sys has an embedded signature")
    check(cs.get("source") == "catalog" and cs.get("status") == ("valid" if trusted else "untrusted")
          and cs.get("trusted") is trusted, sample, f"code_signature {cs}")
    check(str(cs.get("catalog", "")).startswith(image_path + "/Windows/System32/CatRoot/"), sample,
          f"catalog {cs.get('catalog')} not in the image's CatRoot {image_path}")
    cats = rec["trustscan"].get("catalog_signatures", [])
    check(len(cats) == 1 and cats[0]["member_file_name"] == "catdrv.sys", sample, f"catalog_signatures {cats}")
    check(rec["trustscan"].get("windows", {}).get("path") == DRIVER, sample,
          f"Windows path {rec['trustscan'].get('windows')}")


def check_row(trustscan, out, row):
    sample = row["sample"]
    kind, depth = row["check"].split()
    depth = int(depth)
    root = os.path.join(out, row["root"])
    prefix = sample[len(row["root"]) + 1:].split("Windows/System32/")[0].rstrip("/")
    base = os.path.join(root, prefix) if prefix else root
    check(len(prefix.split("/")) == depth if prefix else depth == 0, sample, f"prefix {prefix!r} is not {depth} deep")
    rc, report, error = scan(trustscan, out, row)
    if report is None:
        FAILURES.append(f"{sample}: no report ({error})")
        return
    images = images_of(report)
    check(len(images) == 1, sample, f"{len(images)} Windows images: {[i['path'] for i in images]}")
    if not images:
        return
    image = images[0]
    found = parts_on_disk(base)
    check(image["path"] == base and image["depth"] == depth, sample, f"image at {image['path']} depth {image['depth']}")
    check(image["parts"]["found"] == found and image["parts"]["missing"] == [p for p in PARTS if p not in found],
          sample, f"parts {image['parts']} (on disk: {found})")
    want = {"catroot_only": ["catroot"], "ntoskrnl_only": ["ntoskrnl"]}[kind]
    if row["class"] == "l-control":
        want = ["system_hive", "software_hive", "catroot"]
    check(found == want, sample, f"the sample has {found}, the manifest says {want}")
    check(image["recognised_by"] == found[0] if found else False, sample, f"recognised_by {image['recognised_by']}")
    check(image["errors"] == [], sample, f"image errors {image['errors']}")
    if kind == "ntoskrnl_only":
        rec = record_of(report, "ntoskrnl.exe")
        check(rec is not None and rec["trustscan"].get("windows", {}).get("path") == "C:\\Windows\\System32\\ntoskrnl.exe",
              sample, "ntoskrnl.exe not joined to the image")
        check(report["windows"]["catalogs"]["files"] == 0 and image["catalog_files"] == 0, sample, "catalogs loaded")
        check(any("no CatRoot" in w for w in image["warnings"]), sample, f"warnings {image['warnings']}")
        check(rc == 0, sample, f"exit {rc} (an unsigned kernel of no vendor is no finding)")
        return
    expect_catalog_signed(sample, record_of(report, "catdrv.sys"), base, True)
    check(image["catalog_files"] == 1 and report["windows"]["catalogs"]["by_status"] == {"valid": 1}, sample,
          f"catalogs {report['windows']['catalogs']}")
    services = [(s["name"], s["file_status"]) for s in image["services"]]
    check(services == ([("catdrv", "scanned")] if row["class"] == "l-control" else []), sample, f"services {services}")
    check(rc == 0, sample, f"exit {rc}")
    # The row's anchors are what make the catalog trusted; without the probe there is no catalog.
    rc2, untrusted = run(trustscan, [root])
    check(untrusted is not None, sample + " (no --trust-store)", f"no report (exit {rc2})")
    if untrusted is not None:
        expect_catalog_signed(sample + " (no --trust-store)", record_of(untrusted, "catdrv.sys"), base, False)
    rc3, off = run(trustscan, ["--no-windows-image", "--trust-store", os.path.join(out, "trust", row["trust"]), root])
    rec = record_of(off, "catdrv.sys") if off else None
    check(off is not None and "windows" not in off and rec and rec["file"]["code_signature"] == {"exists": False},
          sample + " (--no-windows-image)", "catalog signature found without the probe")


def expect_no_image(what, rc, report, rec_name):
    check(report is not None, what, "no report")
    if report is None:
        return
    check(images_of(report) == [] and "windows" not in report, what, f"images {[i['path'] for i in images_of(report)]}")
    rec = record_of(report, rec_name)
    # A kernel-mode PE outside any image still has trustscan.windows with kernel_load only.
    check(rec is not None and "image" not in rec["trustscan"].get("windows", {}), what, "record joined to an image")
    if rec_name == "catdrv.sys" and rec:
        check(rec["file"]["code_signature"] == {"exists": False}, what, f"signature {rec['file']['code_signature']}")


def negative_cases(trustscan, out, tmp):
    trust = ["--trust-store", os.path.join(out, "trust", "hostile")]
    # Four levels down: the d3 CatRoot-only image one directory deeper.
    deep = os.path.join(tmp, "deep")
    shutil.copytree(os.path.join(out, "images", "l-catroot-only-d3"), os.path.join(deep, "extra"), symlinks=True)
    rc, report = run(trustscan, trust + [deep])
    expect_no_image("catroot-only 4 levels down", rc, report, "catdrv.sys")
    check(rc == 0, "catroot-only 4 levels down", f"exit {rc}")
    # ... while the same tree scanned from one level lower is found 3 levels down.
    rc, report = run(trustscan, trust + [os.path.join(deep, "extra")])
    check(report is not None and [i["depth"] for i in images_of(report)] == [3], "catroot-only 3 levels down",
          f"images {images_of(report) if report else None}")
    # A plain directory named Windows: System32, drivers, an empty config, no part.
    plain = os.path.join(tmp, "plain")
    drivers = os.path.join(plain, "vol1", "Windows", "System32", "drivers")
    os.makedirs(drivers)
    os.makedirs(os.path.join(plain, "vol1", "Windows", "System32", "config"))
    shutil.copy(os.path.join(out, "images", "l-catroot-only-d0", "Windows", "System32", "drivers", "catdrv.sys"), drivers)
    rc, report = run(trustscan, trust + [plain])
    expect_no_image("plain Windows directory", rc, report, "catdrv.sys")
    # Any case: WINDOWS/system32/NTOSKRNL.EXE one level down.
    cased = os.path.join(tmp, "cased", "VOL1", "WINDOWS", "system32")
    os.makedirs(cased)
    shutil.copy(os.path.join(out, "images", "l-ntoskrnl-only-d0", "Windows", "System32", "ntoskrnl.exe"),
                os.path.join(cased, "NTOSKRNL.EXE"))
    rc, report = run(trustscan, [os.path.join(tmp, "cased")])
    images = images_of(report) if report else []
    check(len(images) == 1 and images[0]["path"].endswith("/cased/VOL1") and images[0]["parts"]["found"] == ["ntoskrnl"],
          "upper-case parts", f"images {images}")


def limit_case(trustscan, out, tmp):
    """A directory too large to look into (more than 100,000 entries) is a probe warning in the
    JSON report and the table; the image beside it is still found."""
    big = os.path.join(tmp, "big")
    many = os.path.join(big, "many")
    os.makedirs(many)
    for i in range(100_001):
        open(os.path.join(many, f"f{i}"), "w").close()
    kernel = os.path.join(big, "vol1", "Windows", "System32")
    os.makedirs(kernel)
    shutil.copy(os.path.join(out, "images", "l-ntoskrnl-only-d0", "Windows", "System32", "ntoskrnl.exe"), kernel)
    rc, report = run(trustscan, [big])
    what = "probe limit"
    warnings = (report or {}).get("windows", {}).get("probe_warnings", [])
    check(len(warnings) == 1 and "'many' has more than 100000 entries and was not looked into" in warnings[0]
          and warnings[0].startswith(big + ": "), what, f"probe_warnings {warnings}")
    check([i["path"] for i in images_of(report or {})] == [os.path.join(big, "vol1")], what, "image beside it not found")
    p = subprocess.run([trustscan, "scan", big], capture_output=True, text=True)
    check("WINDOWS PROBE: " + big + ": Windows image probe: 'many' has more than" in p.stdout, what,
          "no WINDOWS PROBE line in the table")
    check("  recognised by ntoskrnl.exe, 1 level down; missing: SYSTEM hive, SOFTWARE hive, CatRoot" in p.stdout,
          what, "no recognition line in the table")


def disk_image_case(trustscan, out, tmp):
    """The CatRoot-only tree two levels down, inside an ext4 file system image (libtsk)."""
    if not shutil.which("mke2fs"):
        print("windows_recognition_test: mke2fs missing (e2fsprogs): disk-image case not run", file=sys.stderr)
        return
    img = os.path.join(tmp, "catroot-d2.img")
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", os.path.join(out, "images", "l-catroot-only-d2"), img, "8M"],
                   check=True, stdout=subprocess.DEVNULL)
    rc, report = run(trustscan, ["--trust-store", os.path.join(out, "trust", "hostile"), img])
    what = "ext4 image, CatRoot 2 levels down"
    images = images_of(report) if report else []
    check(len(images) == 1 and images[0]["path"] == img + "/evidence/vol1" and images[0]["depth"] == 2
          and images[0]["parts"]["found"] == ["catroot"], what, f"images {images}")
    if report:
        expect_catalog_signed(what, record_of(report, "catdrv.sys"), img + "/evidence/vol1", True)
    check(rc == 0, what, f"exit {rc}")


def main(argv):
    if len(argv) != 3:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    trustscan, out = argv[1], os.path.abspath(argv[2])
    selected = [r for r in manifest_rows(out) if r["class"] in ("l", "l-control")]
    if len(selected) != 10:
        print(f"expected 10 class-l rows in {out}/MANIFEST.tsv, found {len(selected)}", file=sys.stderr)
        return 1
    for row in selected:
        check_row(trustscan, out, row)
    with tempfile.TemporaryDirectory() as tmp:
        negative_cases(trustscan, out, tmp)
        disk_image_case(trustscan, out, tmp)
        limit_case(trustscan, out, tmp)
    for f in FAILURES:
        print("FAIL " + f, file=sys.stderr)
    print(f"windows_recognition_test: {len(selected)} rows + negative cases, {len(FAILURES)} failure(s)")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
