# Shared by the shell tests (tests/cli/*.sh, tests/packaging/packaging_test.sh). Source it after
# setting NAME (the test's name), WORK (its temporary directory) and SRC (the source tree).
# Defines functions only.
PY=${PY:-/usr/bin/python3}

fail() { echo "FAIL($NAME): $*" >&2; exit 1; }

need() {  # need CMD [PACKAGE]: a tool tools/setup.sh --test installs; missing is a failure, not a skip
  command -v "$1" >/dev/null || fail "$1 is missing (tools/setup.sh --test installs ${2:-$1})"
}

skip_without_real_tree() {  # skip_without_real_tree MESSAGE: exit 77 (a skip), but under
  # TRUSTSCAN_REQUIRE_REAL_TREE=1 (tools/setup.sh --test, so CI) a failure: there the tree is fetched
  [[ ${TRUSTSCAN_REQUIRE_REAL_TREE:-0} == 1 ]] && fail "$1 (TRUSTSCAN_REQUIRE_REAL_TREE=1 requires the real tree)"
  echo "SKIP: $1"
  exit 77
}

expect_exit() {  # expect_exit CODE CMD...: runs CMD with stdout/stderr in $WORK/out, $WORK/err
  local want=$1; shift
  set +e; "$@" >"$WORK/out" 2>"$WORK/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$WORK/err" >&2; fail "'$*' exited $got, expected $want"; }
}

validate_json() {  # validate_json FILE [--ndjson]: against docs/schema/ (tools/validate_report.py)
  [[ -x "$SRC/tools/validate_report.py" ]] && $PY -c 'import jsonschema' 2>/dev/null \
    || fail "schema validator unavailable (tools/validate_report.py, python3-jsonschema)"
  if [[ ${2:-} == --ndjson ]]; then
    $PY "$SRC/tools/validate_report.py" --ndjson --schema "$SRC/docs/schema/event.schema.json" "$1" \
      || fail "$1: NDJSON does not match the schema"
  else
    $PY "$SRC/tools/validate_report.py" --schema "$SRC/docs/schema/report.schema.json" "$1" \
      || fail "$1: JSON does not match the schema"
  fi
}

# opened_below LOG ROOT: the non-directories below ROOT that a run traced by
# `strace -f -y -e trace=openat,openat2 -o LOG` opened (got a descriptor for), one per line.
opened_below() {
  $PY - "$1" "$2" <<'PY'
import re, sys
root = sys.argv[2].rstrip("/") + "/"
seen, pending = set(), {}  # pending: pid -> its "<unfinished ...>" openat line
for line in open(sys.argv[1], errors="replace"):
    if "openat" not in line:
        continue
    pid = line.split(None, 1)[0]
    if "<unfinished ...>" in line:
        pending[pid] = line
        continue
    m = re.search(r" = (\d+)<(.*)>$", line)
    call = pending.pop(pid, "") + line if "resumed>" in line else line
    if not m or "O_DIRECTORY" in call:
        continue
    if m.group(2).startswith(root):
        seen.add(m.group(2)[len(root):])
for p in sorted(seen):
    print(p)
PY
}

# same_report A B: the reports agree on everything but timing and the cache counts.
same_report() {
  $PY - "$1" "$2" <<'PY'
import json, sys
def strip(p):
    d = json.load(open(p))
    for k in ("start", "end", "duration_ms"):
        d["scan"].pop(k)
    d["scan"]["verification"].pop("time")
    d["summary"].pop("cache", None)
    return d
a, b = strip(sys.argv[1]), strip(sys.argv[2])
for key in a:
    assert a[key] == b[key], key
assert a == b
PY
}

# allowed_syscalls UNIT: the system calls UNIT's SystemCallFilter= lines allow (groups expanded,
# recursively, by systemd-analyze; the ~ lines taken away), one per line, sorted.
allowed_syscalls() {
  command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (tools/setup.sh --test installs systemd)"
  _expand_syscalls() {
    local x
    for x in "$@"; do
      if [[ $x == @* ]]; then
        # shellcheck disable=SC2046  # one name per word
        _expand_syscalls $(systemd-analyze syscall-filter "$x" | sed -n 's/^    //p' | grep -v '^#')
      else
        echo "$x"
      fi
    done
  }
  local allow=() deny=() line v
  while IFS= read -r line; do
    v=${line#SystemCallFilter=}
    # shellcheck disable=SC2206  # split at whitespace as systemd does
    if [[ $v == '~'* ]]; then deny+=(${v#\~}); else allow+=($v); fi
  done < <(grep '^SystemCallFilter=' "$1")
  [[ ${#allow[@]} -gt 0 ]] || fail "no SystemCallFilter= allow-list in $1"
  comm -23 <(_expand_syscalls "${allow[@]}" | sort -u) <(_expand_syscalls "${deny[@]}" | sort -u)
}

# vendor_tree DIR: DIR/drivers with three drivers of the vendor image that are flagged for their
# vendor (Kaspersky, RU) when scanned with --trust-store "$VI/vendor-image-ca". Needs VI (the
# build's vendor-samples directory) and DRIVERS (its Windows/System32/drivers).
vendor_tree() {
  [[ -f $DRIVERS/klif.sys ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  mkdir -p "$1/drivers"
  cp "$DRIVERS/klif.sys" "$DRIVERS/oemavflt.sys" "$DRIVERS/oemhwflt.sys" "$1/drivers/"
}
