#!/usr/bin/env bash
# tools/bench_lookups.sh REPORT.json [BUILD_DIR]
#
# The cost of the vendor list's lookups, per call and for a whole scan, on the names a real scan
# met: the lookups the attributor makes for every parsed file of REPORT.json (a `trustscan scan -f
# json` report, e.g. of /var/cache/trustscan/realtree): signer O/CN of Authenticode, catalog and
# Mach-O signatures, module signer DN, program name, CompanyName, LegalCopyright, file name. Each
# is looked up PASSES times (default 200) by BUILD_DIR/tests/vendor_lookups_bench (default build/)
# against signatures/vendors. Prints the load time, per kind the mean ns per call (also for the
# names that match nothing: the path that adds the look-alike fold) and the total for one scan's
# lookups, to compare with the scan's CPU time. docs/vendors.md has figures.
set -euo pipefail
[[ $# -ge 1 ]] || { sed -n '2,11p' "$0" >&2; exit 2; }
report=$(realpath "$1")
build=$(realpath "${2:-$(dirname "$0")/../build}")
cd "$(dirname "$0")/.."
names=$(mktemp)
trap 'rm -f "$names"' EXIT
python3 - "$report" >"$names" <<'PY'
import json
import os
import sys

# The lookups the attributor makes for a file (scanner/attribute/attributor.cpp), from its record.
clean = lambda s: s.replace("\t", " ").replace("\n", " ")


def subject(signer):
    print(f"subject\t{clean(signer.get('organization', ''))}\t{clean(signer.get('common_name', ''))}")


report = json.load(open(sys.argv[1], encoding="utf-8"))
for f in report["files"]:
    t = f.get("trustscan", {})
    if "type" not in t:
        continue  # not parsed: not attributed
    authenticode = [s for s in (t.get("authenticode") or {}).get("signatures", [])]
    catalogs = [c["signature"] for c in t.get("catalog_signatures", []) if "signature" in c]
    for s in authenticode + catalogs:
        subject(s.get("signer") or {})
        if s.get("program_name"):
            print(f"company\t{clean(s['program_name'])}")
    module = t.get("module_signature") or {}
    if module.get("status", "unsigned") != "unsigned":
        signer = module.get("signer") or {}
        print(f"dn\t{clean(signer.get('subject') or signer.get('issuer', ''))}")
    for s in t.get("macho_signatures", []):
        if (s.get("signer") or {}).get("common_name"):
            subject(s["signer"])
    info = (t.get("pe") or {}).get("version_info") or {}
    if info.get("CompanyName"):
        print(f"company\t{clean(info['CompanyName'])}")
    if info.get("LegalCopyright"):
        print(f"copyright\t{clean(info['LegalCopyright'])}")
    print(f"file\t{clean(os.path.basename(f['file']['path']))}")
PY
echo "names: $(wc -l <"$names") from $report"
"$build/tests/vendor_lookups_bench" signatures/vendors "$names" "${PASSES:-200}"
