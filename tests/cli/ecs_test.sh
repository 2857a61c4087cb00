#!/usr/bin/env bash
# NDJSON events conform to the Elastic Common Schema (issue 20), checked against ECS's own field
# list — ../shared/data/ecs/fields.csv beside the repository (present in development and CI, never
# committed) — by tools/check_ecs_events.py: every field outside trustscan.* exists in ECS with a
# fitting JSON type, categorization values are ECS's allowed ones, ecs.version is the list's
# version, and every event has event.id (unique), event.created, host.*, agent.*, message and
# related.hash. One case per invocation:
#   ecs_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
#   real_tree   the real-binary tree (tools/fetch_real_tree.sh; skipped when not fetched) with the
#               public data sets imported (--data-dir)
#   disk_image  disk images (tools/make_disk_images.sh): alerts, a Windows image's missing service,
#               an unreadable volume (an error event), the summary
#   events      a tree with every kind of skip, alerts, and a baseline run (new, changed, gone)
#   fixes       the events of issue 20's ECS defects, one by one: a scan error is no
#               pipeline_error, no event.type indicator, file.code_signature holds ECS fields only,
#               the image scan names the scanning host
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-ecs.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
SHARED=$(cd "$SRC/.." && pwd)/shared/data
FIELDS=$SHARED/ecs/fields.csv
[[ -f $FIELDS ]] || fail "$FIELDS missing (the ECS field list beside the repository)"
VI=$BUILD/vendor-samples
CA=(--trust-store "$VI/vendor-image-ca" --trust-store "$BUILD/windows-samples/catalog-ca")

check_ecs() {  # check_ecs FILE...: every event conforms (tools/check_ecs_events.py)
  $PY "$SRC/tools/check_ecs_events.py" --fields "$FIELDS" "$@" || fail "events do not conform to ECS: $*"
}

# datasets FILE KIND...: each "dataset/kind" (e.g. trustscan.file/alert) occurs in FILE.
datasets() {
  local file=$1; shift
  $PY - "$file" "$@" <<'PY' || fail "$1: not every kind of event was produced"
import json, sys
seen = {f'{e["event"]["dataset"]}/{e["event"]["kind"]}' for e in map(json.loads, open(sys.argv[1]))}
missing = [k for k in sys.argv[2:] if k not in seen]
assert not missing, (missing, sorted(seen))
PY
}

case $NAME in
real_tree)
  REAL=${TRUSTSCAN_REAL_TREE:-/var/cache/trustscan/realtree}
  [[ -d $REAL/usr ]] || skip_without_real_tree "$REAL not fetched (tools/fetch_real_tree.sh)"
  expect_exit 0 "$TS" data import "$SHARED" --data-dir "$WORK/data"
  set +e; "$TS" scan -q -f ndjson -o "$WORK/real.ndjson" --fail-on none --data-dir "$WORK/data" "$REAL" 2>"$WORK/err"
  rc=$?; set -e
  [[ $rc == 0 || $rc == 3 ]] || { cat "$WORK/err" >&2; fail "real tree scan exited $rc"; }
  [[ $(wc -l <"$WORK/real.ndjson") -gt 1000 ]] || fail "too few events from the real tree"
  check_ecs "$WORK/real.ndjson"
  datasets "$WORK/real.ndjson" trustscan.file/event trustscan.summary/state
  # Linker-signed (ad-hoc) Mach-O slices whose hashes match are a verified signature: ECS valid,
  # not trusted — also in a universal binary with an unsigned slice (fsevents.node: status
  # unsigned, i.e. partly unsigned, but nothing failed to verify).
  $PY - "$WORK/real.ndjson" <<'PY' || fail "a linker-signed Mach-O is reported as an invalid signature"
import json, sys
linker = {}
for e in map(json.loads, open(sys.argv[1])):
    sigs = e.get("trustscan", {}).get("macho_signatures") or []
    if sigs and all(s["kind"] == "linker_signed" and s["status"] == "untrusted" for s in sigs):
        linker[e["file"]["path"].rsplit("/", 1)[-1]] = e["file"]["code_signature"]
# the tests set's two: esbuild (darwin-arm64) and fsevents.node's signed slice (real_tree_packages.txt)
assert {"esbuild", "fsevents.node"} <= linker.keys(), linker
bad = {n: cs for n, cs in linker.items() if not cs["valid"] or cs["trusted"]}
assert not bad, bad
assert linker["fsevents.node"]["status"] == "unsigned", linker["fsevents.node"]
PY
  ;;
disk_image)
  DI=$BUILD/disk-images
  [[ -f $DI/ext4.img && -f $DI/corrupt.img ]] || fail "disk images missing (tools/make_disk_images.sh $DI)"
  expect_exit 1 "$TS" scan -q -f ndjson -o "$WORK/img.ndjson" "${CA[@]}" --hash-image \
    "$DI/ext4.img" "$DI/corrupt.img" "$DI/deleted.img" "$DI/windows.img" "$DI/ext4.E01"
  check_ecs "$WORK/img.ndjson"
  validate_json "$WORK/img.ndjson" --ndjson
  datasets "$WORK/img.ndjson" trustscan.file/event trustscan.file/alert trustscan.error/event \
    trustscan.service/event trustscan.summary/state ;;
events)
  T=$WORK/tree; mkdir -p "$T/drivers" "$T/elf" "$T/x"
  D=$VI/vendor-image/Windows/System32/drivers
  [[ -f $D/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  cp "$D/klif.sys" "$D/oemhwflt.sys" "$D/oemavflt.sys" "$T/drivers/"
  cp "$BUILD"/samples/elf/* "$T/elf/" 2>/dev/null || true
  cp -r "$BUILD/samples/macho" "$BUILD/samples/modsig" "$T/"
  ln -s /etc/hostname "$T/outside-link"                      # a symlink leaving the root
  mkfifo "$T/fifo"                                            # a special file
  head -c $((2 << 20)) /dev/zero >"$T/x/big.bin"              # above --max-file-size
  cp "$D/oemhwflt.sys" "$T/x/excluded.sys"                    # --exclude
  args=(--max-file-size 1M --exclude '*/x/excluded.sys' "${CA[@]}")
  expect_exit 1 "$TS" scan -q -f json -o "$WORK/before.json" "${args[@]}" "$T"
  expect_exit 1 "$TS" scan -q -f ndjson -o "$WORK/full.ndjson" "${args[@]}" "$T"
  cp "$D/SentinelMonitor.sys" "$T/drivers/"                                             # new
  printf '\x01' | dd of="$T/drivers/klif.sys" bs=1 seek=1100 conv=notrunc 2>/dev/null  # changed
  rm "$T/drivers/oemhwflt.sys"                                                          # gone (signed)
  expect_exit 1 "$TS" scan -q -f ndjson -o "$WORK/delta.ndjson" --baseline "$WORK/before.json" "${args[@]}" "$T"
  check_ecs "$WORK/full.ndjson" "$WORK/delta.ndjson"
  validate_json "$WORK/full.ndjson" --ndjson
  validate_json "$WORK/delta.ndjson" --ndjson
  datasets "$WORK/full.ndjson" trustscan.file/event trustscan.file/alert trustscan.skipped/event trustscan.summary/state
  $PY - "$WORK/full.ndjson" "$WORK/delta.ndjson" <<'PY' || fail "skip or baseline events not as expected"
import json, sys
full, delta = ([json.loads(l) for l in open(p)] for p in sys.argv[1:3])
reasons = {e["trustscan"]["skip_reason"] for e in full if e["event"]["dataset"] == "trustscan.skipped"}
assert {"symlink", "special_file", "too_large", "excluded"} <= reasons, reasons
changes = sorted((e["file"]["name"], e["trustscan"]["baseline"]["change"], e["event"]["type"]) for e in delta
                 if e["event"]["dataset"] == "trustscan.file")
assert changes == [("SentinelMonitor.sys", "new", ["creation"]), ("klif.sys", "changed", ["change"]),
                   ("oemhwflt.sys", "gone", ["deletion"])], changes
gone = [e for e in delta if e.get("trustscan", {}).get("baseline", {}).get("change") == "gone"][0]
assert gone["message"].startswith("gone since the baseline: "), gone["message"]
# The gone record comes from the JSON report, whose file.code_signature keeps source and flags.
assert set(gone["file"]["code_signature"]) <= {"exists", "valid", "trusted", "status", "subject_name",
                                               "digest_algorithm", "thumbprint_sha256", "timestamp"}, gone["file"]
assert gone["trustscan"]["code_signature"]["source"] == "embedded", gone["trustscan"].get("code_signature")
PY
  ;;
fixes)
  DI=$BUILD/disk-images
  [[ -f $DI/corrupt.img ]] || fail "disk images missing (tools/make_disk_images.sh $DI)"
  expect_exit 1 "$TS" scan -q -f ndjson -o "$WORK/img.ndjson" "${CA[@]}" "$DI/corrupt.img" "$DI/windows.img"
  $PY - "$WORK/img.ndjson" "$(hostname)" <<'PY' || fail "issue 20's ECS defects are back"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
errors = [e for e in ev if e["event"]["dataset"] == "trustscan.error"]
assert errors, "no error event (corrupt.img has an unreadable volume)"
for e in errors:
    assert e["event"]["kind"] == "event" and e["event"]["outcome"] == "failure", e["event"]
    assert e["event"]["category"] == ["file"] and e["event"]["type"] == ["access"], e["event"]
    assert e["error"]["message"] and e["message"].startswith("cannot scan "), e
alerts = [e for e in ev if e["event"]["kind"] == "alert"]
assert alerts, "no alert"
for e in ev:
    assert "indicator" not in e["event"].get("type", []), e["event"]
    cs = e.get("file", {}).get("code_signature", {})
    assert not {"flags", "source", "catalog"} & set(cs), cs
    # An image scan: host is the machine that scanned it, on every event.
    assert e["host"]["hostname"] == sys.argv[2] and e["host"]["os"]["type"] == "linux", e["host"]
    assert e["agent"]["name"] == "trustscan" and e["agent"]["version"], e["agent"]
    assert isinstance(e["related"]["hash"], list) and e["message"], e
catalog = [e for e in ev if e.get("trustscan", {}).get("code_signature", {}).get("source") == "catalog"]
assert catalog and catalog[0]["trustscan"]["code_signature"]["catalog"].endswith(".cat"), "no catalog-signed driver"
files = [e for e in ev if e["event"]["dataset"] == "trustscan.file" and "hash" in e["file"]]
assert all(e["file"]["hash"]["sha256"] in e["related"]["hash"] for e in files), "related.hash lacks file.hash.sha256"
assert len({e["event"]["id"] for e in ev}) == len(ev), "event.id not unique"
PY
  ;;
*) fail "unknown test $NAME" ;;
esac
echo "PASS($NAME)"
