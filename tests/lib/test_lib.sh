# Shared by the shell tests (tests/cli/*.sh, tests/packaging/packaging_test.sh). Source it after
# setting NAME (the test's name), WORK (its temporary directory) and SRC (the source tree).
# Defines functions only.
PY=${PY:-/usr/bin/python3}

fail() { echo "FAIL($NAME): $*" >&2; exit 1; }

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
