#!/usr/bin/env bash
# Packaging tests, one per invocation: packaging_test.sh TRUSTSCAN SAMPLES_DIR SOURCE_DIR BUILD_DIR TEST_NAME
# The man page, the shell completions and the systemd units against the real binary's options, the
# install tree and the Debian package. Any failed check exits non-zero.
set -euo pipefail
TS=$1 SAMPLES=$2 SRC=$3 BUILD=$4 NAME=$5
WORK=$(mktemp -d /tmp/trustscan-pkg.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=../lib/test_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/test_lib.sh"
# Long and short option names of the help screens (trustscan, scan, data import/status/update),
# sorted, one per line.
help_options() {
  { "$TS" --help; "$TS" scan --help; for d in $(data_commands); do "$TS" data "$d" --help; done
    for c in explain vendors policies check; do "$TS" "$c" --help; done; } | options_of
}
# The output formats as the binary lists them (report/formats.cpp), space-separated, in order.
formats() { "$TS" __formats | cut -f1 | tr '\n' ' ' | sed 's/ $//'; }
# The option names in a help text on stdin, sorted, one per line.
options_of() { grep -oE '(^|[ ,])--?[a-z][a-z0-9-]*' | sed 's/^[ ,]//' | sort -u; }
# The .deb that deb_build made for this binary's version: its path.
built_deb() {
  local deb
  deb=$BUILD/package/trustscan_$("$TS" --version | head -1 | cut -d' ' -f2)_$(dpkg --print-architecture).deb
  [[ -f $deb ]] || fail "no $deb (made by the test pkg_deb_build): $(ls "$BUILD/package" 2>&1 | tr '\n' ' ')"
  echo "$deb"
}
# The commands of 'trustscan data' (import, status, update), from its help screen.
data_commands() { "$TS" data --help | awk '/^Subcommands:/ { on = 1; next } on && NF { print $1 }'; }

case $NAME in
man_page_options)
  # Every option of the help screens is an entry of trustscan.1, and the page names no other.
  # The page is built from docs/man/trustscan.1.in with the binary's formats filled in.
  MAN=$BUILD/man/trustscan.1
  [[ -f $MAN ]] || fail "$MAN missing (the build fills it from docs/man/trustscan.1.in)"
  ! grep -n '@TRUSTSCAN_[A-Z_]*@' "$MAN" >&2 || fail "a placeholder is left in $MAN"
  help_options >"$WORK/help"
  [[ $(wc -l <"$WORK/help") -ge 25 ]] || fail "too few options parsed from --help: $(tr '\n' ' ' <"$WORK/help")"
  # .TP entries: the line after .TP, roff hyphens (\-) as plain ones.
  awk 'prev == ".TP" { print } { prev = $0 }' "$MAN" | sed 's/\\-/-/g' \
    | grep -oE '(^|[ ,"])--?[a-z][a-z0-9-]*' | sed 's/^[ ,"]//' | sort -u >"$WORK/man"
  diff -u "$WORK/help" "$WORK/man" >&2 || fail "options of --help (-) and trustscan.1 (+) differ"
  # The formats of the --format entry and of its list are the binary's, in its order, the first
  # one the default.
  read -ra fmts <<<"$(formats)"
  [[ ${#fmts[@]} -ge 4 ]] || fail "too few formats from __formats: ${fmts[*]}"
  choices=$(printf '\\fI%s\\fR|' "${fmts[@]}")
  grep -qxF ".BR \\-f \", \" \\-\\-format \" \" ${choices%|}" "$MAN" || fail "--format entry does not list: ${fmts[*]}"
  [[ $(awk 'prev == ".TP" && /^\.I [a-z0-9]+$/ { print $2 } { prev = $0 }' "$MAN" | tr '\n' ' ' | sed 's/ $//') == "${fmts[*]}" ]] \
    || fail "the format list of the page is not: ${fmts[*]}"
  grep -qF "Output format (default \\fI${fmts[0]}\\fR)" "$MAN" || fail "default format is not ${fmts[0]}"
  "$TS" scan --help | grep -E -- "--format TEXT:\{[a-z,]*\}=${fmts[0]}( |\$)" >/dev/null \
    || fail "the binary's default format is not the first of __formats"
  # The page renders without groff warnings, with the sections a man page needs.
  groff -man -Tutf8 -ww -z "$MAN" 2>"$WORK/groff"
  [[ ! -s $WORK/groff ]] || { cat "$WORK/groff" >&2; fail "groff warnings"; }
  MANWIDTH=80 man -l "$MAN" 2>/dev/null | col -b >"$WORK/rendered"
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS 'EXIT STATUS' ENVIRONMENT FILES; do
    grep -q "^$section\$" "$WORK/rendered" || fail "rendered page lacks section $section"
  done
  grep -q "trustscan $("$TS" --version | head -1 | cut -d' ' -f2)" "$MAN" || fail ".TH does not carry the version of the binary"
  # The exit codes of the page are the ones in exit_codes.hpp.
  for code in $(grep -v 'InterruptedBase' "$SRC/scanner/app/exit_codes.hpp" | grep -oE '= [0-9]+,' | tr -dc '0-9\n'); do
    grep -A1 '^\.TP' "$MAN" | grep -x "\.B $code" >/dev/null || fail "exit code $code not documented"
  done
  # Interrupted scans: 128 + SIGINT, 128 + SIGTERM.
  grep -A1 '^\.TP' "$MAN" | grep -x '\.BR 130 ", " 143' >/dev/null || fail "exit codes 130/143 not documented"
  # Every command of 'trustscan data' has its entry in DATA SETS, and the synopsis names it.
  [[ $(data_commands | wc -l) -ge 3 ]] || fail "too few data commands parsed: $(data_commands | tr '\n' ' ')"
  awk '/^\.SH DATA SETS/ { on = 1; next } /^\.SH/ { on = 0 } on && prev == ".TP" { print } { prev = $0 }' "$MAN" >"$WORK/data-entries"
  sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$MAN" >"$WORK/synopsis"
  for d in $(data_commands); do
    grep -qE "^\.BI? \"?trustscan data $d\b" "$WORK/data-entries" || fail "DATA SETS has no entry for 'trustscan data $d'"
    grep -qw "$d" "$WORK/synopsis" || fail "SYNOPSIS does not name 'data $d'"
  done ;;
completion_options)
  need zsh; [[ -f /usr/share/bash-completion/bash_completion ]] || fail "bash-completion is missing"
  # Built from packaging/completion/*.in with the binary's formats filled in.
  BASH_C=$BUILD/completion/trustscan.bash ZSH_C=$BUILD/completion/_trustscan
  [[ -f $BASH_C && -f $ZSH_C ]] || fail "$BASH_C or $ZSH_C missing (the build fills them from packaging/completion/)"
  ! grep -n '@TRUSTSCAN_[A-Z_]*@' "$BASH_C" "$ZSH_C" >&2 || fail "a placeholder is left in a completion"
  bash -n "$BASH_C" || fail "bash syntax"
  zsh -n "$ZSH_C" || fail "zsh syntax"
  help_options >"$WORK/help"
  # bash: what the completion offers, asked as a shell would ask it.
  complete_bash() {  # complete_bash WORD... (the last one is completed)
    bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _trustscan; printf "%s\n" "${COMPREPLY[@]}"' _ "$BASH_C" "$@"
  }
  { complete_bash trustscan -; complete_bash trustscan scan -
    for d in $(data_commands); do complete_bash trustscan data "$d" -; done
    for c in explain vendors policies check; do complete_bash trustscan "$c" -; done; } | grep -E '^-' | sort -u >"$WORK/bash"
  diff -u "$WORK/help" "$WORK/bash" >&2 || fail "options of --help (-) and the bash completion (+) differ"
  read -ra fmts <<<"$(formats)"
  [[ ${#fmts[@]} -ge 4 ]] || fail "too few formats from __formats: ${fmts[*]}"
  [[ $(complete_bash trustscan scan --format '' | tr '\n' ' ') == "${fmts[*]} " ]] || fail "bash: --format values"
  [[ $(complete_bash trustscan scan --fail-on '' | tr '\n' ' ') == "none low medium high critical " ]] || fail "bash: --fail-on values"
  [[ $(complete_bash trustscan scan --format j) == json ]] || fail "bash: --format j"
  # The values offered are the ones the binary accepts, and it refuses others.
  for v in "${fmts[@]}"; do "$TS" scan --format "$v" --help >/dev/null || fail "--format $v refused"; done
  ! "$TS" scan --format xml --help >/dev/null 2>&1 || fail "--format xml accepted"
  # zsh: the same formats, each with its summary.
  zfmts=$(grep -oE "format:\(\([^)]*\)\)" "$ZSH_C" | grep -oE '[a-z]+\\:' | tr -d '\\:' | tr '\n' ' ' | sed 's/ $//')
  [[ $zfmts == "${fmts[*]}" ]] || fail "zsh: --format values '$zfmts', expected '${fmts[*]}'"
  # README's --format line names the same formats.
  grep -qF -- "--format $(IFS='|'; echo "${fmts[*]}") " "$SRC/README.md" || fail "README.md: --format line is not ${fmts[*]}"
  grep -q -- '--fail-on TEXT=low' <("$TS" scan --help) || fail "--fail-on changed: update both completions"
  # zsh: the option specs of _arguments.
  grep -oE -- "(^|[{,'\"(*)])--?[a-z][a-z0-9-]*" "$ZSH_C" | sed "s/^[{,'\"(*)]//" | sort -u >"$WORK/zsh"
  diff -u "$WORK/help" "$WORK/zsh" >&2 || fail "options of --help (-) and the zsh completion (+) differ"
  # data: the commands offered are those of 'trustscan data --help', each with only its own options
  # (bash as asked by a shell, zsh from the command's branch in _trustscan_data).
  [[ $(complete_bash trustscan data '' | grep -v '^-' | sort | tr '\n' ' ') == "$(data_commands | sort | tr '\n' ' ')" ]] \
    || fail "bash: data commands: $(complete_bash trustscan data '' | tr '\n' ' ')"
  for d in $(data_commands); do
    "$TS" data "$d" --help | options_of >"$WORK/help-$d"
    complete_bash trustscan data "$d" - | sort -u >"$WORK/bash-$d"
    diff -u "$WORK/help-$d" "$WORK/bash-$d" >&2 || fail "options of 'data $d --help' (-) and the bash completion (+) differ"
    awk -v d="$d" '$1 == d ")" { on = 1 } on { print } on && /;;/ { exit }' "$ZSH_C" \
      | grep -oE -- "(^|[{,'\"(*)])--?[a-z][a-z0-9-]*" | sed "s/^[{,'\"(*)]//" | sort -u >"$WORK/zsh-$d"
    diff -u "$WORK/help-$d" "$WORK/zsh-$d" >&2 || fail "options of 'data $d --help' (-) and the zsh completion (+) differ"
  done
  # bash: SRC of 'data import' is a directory; the values of --url, --mirror, --timeout are the user's.
  mkdir "$WORK/src.d" && touch "$WORK/file.f"
  [[ $(cd "$WORK" && complete_bash trustscan data import 's') == src.d ]] || fail "bash: data import SRC is not a directory"
  [[ -z $(cd "$WORK" && complete_bash trustscan data update --timeout '') ]] || fail "bash: --timeout offers values"
  # zsh: the function loads through compinit and is registered for trustscan.
  [[ $(cd "$WORK" && HOME=$WORK zsh -f -c "fpath=(${ZSH_C%/*} \$fpath); autoload -Uz compinit; compinit -u -d $WORK/zcd; print \${_comps[trustscan]}") == _trustscan ]] \
    || fail "zsh compinit does not register _trustscan" ;;
systemd_verify)
  command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
  # Configured copies: ExecStart= names the built binary (verify checks that it is executable);
  # MANPATH finds the built man page (verify runs man for Documentation=man:trustscan(1)).
  mkdir -p "$WORK/units"
  for u in trustscan.service trustscan.timer; do
    sed "s|/usr/bin/trustscan|$TS|" "$SRC/packaging/systemd/$u" >"$WORK/units/$u"
  done
  grep -q "^ExecStart=$TS scan " "$WORK/units/trustscan.service" || fail "ExecStart= not rewritten"
  export MANPATH=$BUILD/man:
  [[ -f $BUILD/man/man1/trustscan.1.gz ]] || fail "build/man/man1/trustscan.1.gz missing"
  (cd "$WORK/units" && systemd-analyze verify trustscan.service trustscan.timer) >"$WORK/verify" 2>&1 \
    || { cat "$WORK/verify" >&2; fail "systemd-analyze verify failed"; }
  [[ ! -s $WORK/verify ]] || { cat "$WORK/verify" >&2; fail "systemd-analyze verify warned"; }
  # The check can fail: a misspelt directive is reported.
  sed 's/^ProtectKernelTunables=/ProtectKernelTunable=/' "$WORK/units/trustscan.service" >"$WORK/units/broken.service"
  (cd "$WORK/units" && systemd-analyze verify broken.service) >"$WORK/verify" 2>&1 || true
  grep -q "Unknown key.*'ProtectKernelTunable'" "$WORK/verify" || { cat "$WORK/verify" >&2; fail "verify missed a broken unit"; }
  # Exposure score of the sandbox (0 = fully locked down, 10 = none); printed for the log.
  systemd-analyze security --offline=yes "$WORK/units/trustscan.service" >"$WORK/security" 2>&1 || true
  score=$(grep -oE 'Overall exposure level for trustscan.service: [0-9.]+' "$WORK/security" | grep -oE '[0-9.]+$') \
    || { cat "$WORK/security" >&2; fail "no exposure level"; }
  echo "exposure level: $score"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || { cat "$WORK/security" >&2; fail "exposure $score > 2.0"; }
  # The schedule parses and is daily.
  systemd-analyze calendar daily >/dev/null || fail "OnCalendar=daily does not parse"
  for want in 'OnCalendar=daily' 'Persistent=true' 'RandomizedDelaySec='; do
    grep -q "^$want" "$WORK/units/trustscan.timer" || fail "timer lacks $want"
  done
  grep -q '^SuccessExitStatus=1 3$' "$WORK/units/trustscan.service" || fail "exit 1 (findings) must not fail the unit" ;;
install_prefix)
  # `cmake --install` into a fresh prefix; the installed binary uses <prefix>/share/trustscan.
  P=$WORK/prefix
  cmake --install "$BUILD" --prefix "$P" >"$WORK/install.log" || { cat "$WORK/install.log" >&2; fail "cmake --install"; }
  for f in bin/trustscan share/trustscan/rules/index.yar share/trustscan/rules/policy/default.yaml \
           share/trustscan/signatures/vendors/russia-belarus.yaml share/trustscan/signatures/trust/apple \
           share/man/man1/trustscan.1.gz share/bash-completion/completions/trustscan \
           share/zsh/vendor-completions/_trustscan share/doc/trustscan/README.md \
           share/doc/trustscan/deployment.md share/doc/trustscan/datasets.md share/doc/trustscan/schema/event.schema.json \
           lib/systemd/system/trustscan.service lib/systemd/system/trustscan.timer etc/default/trustscan \
           etc/zabbix/zabbix_agent2.d/trustscan.conf; do
    [[ -e $P/$f ]] || fail "$f not installed"
  done
  # Units name this prefix.
  want=$(sed -n "s|^ExecStart=/usr/bin/trustscan scan |ExecStart=$P/bin/trustscan scan |p" "$SRC/packaging/systemd/trustscan.service")
  [[ $want == "ExecStart=$P/bin/trustscan scan "*' $TRUSTSCAN_OPTS $TRUSTSCAN_ROOTS' ]] || fail "source unit: $want"
  grep -qxF "$want" "$P/lib/systemd/system/trustscan.service" \
    || fail "installed unit: $(grep ^ExecStart "$P/lib/systemd/system/trustscan.service")"
  grep -qx "EnvironmentFile=-$P/etc/default/trustscan" "$P/lib/systemd/system/trustscan.service" || fail "installed unit: EnvironmentFile"
  unset TRUSTSCAN_DATA_DIR
  expect_exit 0 "$P/bin/trustscan" scan -f json "$SAMPLES/pe"
  # Proof that it reads <prefix>/share/trustscan: a broken policy there is what it complains about.
  printf 'name: broken\nno_such_key: 1\n' >"$P/share/trustscan/rules/policy/default.yaml"
  expect_exit 2 "$P/bin/trustscan" scan -f json "$SAMPLES/pe"
  grep -q "$P/share/trustscan/rules/policy/default.yaml" "$WORK/err" || fail "not read from the prefix: $(cat "$WORK/err")"
  # TRUSTSCAN_DATA_DIR overrides it; one without data is refused by name.
  TRUSTSCAN_DATA_DIR=$SRC expect_exit 0 "$P/bin/trustscan" scan -f json "$SAMPLES/pe"
  mkdir "$WORK/empty"
  TRUSTSCAN_DATA_DIR=$WORK/empty expect_exit 2 "$P/bin/trustscan" scan -f json "$SAMPLES/pe"
  grep -q "TRUSTSCAN_DATA_DIR=$WORK/empty has no signatures/ and rules/" "$WORK/err" || fail "bad TRUSTSCAN_DATA_DIR: $(cat "$WORK/err")"
  # Without <prefix>/share/trustscan: the compiled-in prefix, then the source tree it was built from.
  rm -rf "$P/share/trustscan"
  expect_exit 0 "$P/bin/trustscan" scan -f json "$SAMPLES/pe" ;;
deb_build)
  # The .deb of this build tree, made once for deb_contents and deb_lintian (CTest fixture
  # trustscan_deb): cpack installs the built files, it does not compile them again.
  need cpack cmake; need dpkg-deb dpkg; need dpkg-shlibdeps dpkg-dev
  rm -rf "$BUILD/package"
  start=$SECONDS
  cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$BUILD/package" >"$WORK/cpack.log" 2>&1 \
    || { cat "$WORK/cpack.log" >&2; fail "cpack -G DEB"; }
  DEB=$(built_deb)
  echo "package: ${DEB##*/}, $(stat -c %s "$DEB") bytes, made in $((SECONDS - start)) s" ;;
deb_contents)
  DEB=$(built_deb)
  version=$("$TS" --version | head -1 | cut -d' ' -f2)
  dpkg-deb -c "$DEB" | awk '{ print $6 }' >"$WORK/files"
  for f in ./usr/bin/trustscan ./usr/share/trustscan/rules/index.yar ./usr/share/trustscan/rules/policy/default.yaml \
           ./usr/share/trustscan/signatures/vendors/russia-belarus.yaml ./usr/share/man/man1/trustscan.1.gz \
           ./usr/lib/systemd/system/trustscan.service ./usr/lib/systemd/system/trustscan.timer ./etc/default/trustscan \
           ./usr/share/bash-completion/completions/trustscan ./usr/share/zsh/vendor-completions/_trustscan \
           ./usr/share/doc/trustscan/report-schema.md ./usr/share/doc/trustscan/deployment.md \
           ./usr/share/doc/trustscan/datasets.md ./etc/zabbix/zabbix_agent2.d/trustscan.conf; do
    grep -qx -- "$f" "$WORK/files" || fail "$f not in the package"
  done
  ! grep -q '^./usr/local' "$WORK/files" || fail "files under /usr/local"
  # Control fields: Depends computed by dpkg-shlibdeps, and the conffile.
  dpkg-deb -f "$DEB" Package Version Architecture Section Maintainer Depends | tee "$WORK/control"
  grep -qx 'Section: admin' "$WORK/control" || fail "section"
  grep -qx "Version: $version" "$WORK/control" || fail "version"
  for lib in libc6 libssl3 libyara9 libstdc++6 liblief0 libtsk19 libewf2 libcurl4 libicu72; do  # (libtsk19, libewf2, libcurl4: loaded when needed)
    grep -q "^Depends:.*\\b$lib\\b" "$WORK/control" || fail "Depends lacks $lib"
  done
  dpkg-deb --ctrl-tarfile "$DEB" | tar -x -C "$WORK" -f - ./conffiles ./postinst ./prerm ./postrm
  grep -qx /etc/default/trustscan "$WORK/conffiles" || fail "/etc/default/trustscan is not a conffile"
  grep -qx /etc/zabbix/zabbix_agent2.d/trustscan.conf "$WORK/conffiles" || fail "the Zabbix items are not a conffile"
  # The packaged binary is stripped, its units name /usr/bin/trustscan, and it runs from the
  # unpacked tree with the data beside it (<exe>/../share/trustscan), no source tree needed.
  dpkg-deb -x "$DEB" "$WORK/root"
  ! readelf -S "$WORK/root/usr/bin/trustscan" | grep '\.debug_info' >/dev/null || fail "binary not stripped"
  grep -q '^ExecStart=/usr/bin/trustscan scan ' "$WORK/root/usr/lib/systemd/system/trustscan.service" || fail "packaged unit"
  grep -q '^EnvironmentFile=-/etc/default/trustscan$' "$WORK/root/usr/lib/systemd/system/trustscan.service" || fail "packaged unit"
  printf 'name: broken\nno_such_key: 1\n' >"$WORK/root/usr/share/trustscan/rules/policy/default.yaml"
  env -u TRUSTSCAN_DATA_DIR "$WORK/root/usr/bin/trustscan" scan -f json "$SAMPLES/pe" >/dev/null 2>"$WORK/err" && fail "broken packaged policy not noticed"
  grep -q "$WORK/root/usr/share/trustscan/rules/policy/default.yaml" "$WORK/err" || fail "packaged binary does not use its own data: $(cat "$WORK/err")" ;;
deb_lintian)
  # lintian at its default level (errors and warnings) finds nothing in the package, with no
  # override shipped; the packaged binary has every hardening feature that dpkg-buildflags
  # (hardening=+all) enables (hardening-check); the changelog's version is the package's.
  need lintian; need hardening-check devscripts; need dpkg-buildflags dpkg-dev
  DEB=$(built_deb)
  ! dpkg-deb -c "$DEB" | grep 'lintian/overrides' >/dev/null || fail "the package ships lintian overrides"
  set +e
  lintian --no-cfg --display-info --fail-on error,warning "$DEB" >"$WORK/lintian" 2>"$WORK/lintian.err"
  rc=$?
  set -e
  cat "$WORK/lintian"
  grep -v 'running with root privileges is not recommended' "$WORK/lintian.err" >&2 || true
  ! grep -E '^[EW]: ' "$WORK/lintian" >/dev/null || fail "lintian: $(grep -cE '^E: ' "$WORK/lintian") errors, $(grep -cE '^W: ' "$WORK/lintian") warnings"
  [[ $rc == 0 ]] || fail "lintian exited $rc"
  mkdir "$WORK/root"
  dpkg-deb -x "$DEB" "$WORK/root"
  # hardening-check requires PIE, stack protector, fortify, relro, bind-now and control-flow
  # protection; a feature this dpkg-buildflags does not have (bookworm's dpkg 1.21 has no "branch")
  # is not asked for.
  DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --query-features hardening >"$WORK/features"
  skip=()
  grep -qx 'Feature: branch' "$WORK/features" || skip+=(--nocfprotection)
  for f in pie stackprotector fortify relro bindnow; do
    grep -qx "Feature: $f" "$WORK/features" || fail "dpkg-buildflags has no hardening feature $f"
  done
  hardening-check "${skip[@]}" "$WORK/root/usr/bin/trustscan" || fail "hardening-check ${skip[*]}"
  # The package's changelog and copyright (also checked by lintian): the top entry is this version.
  zcat "$WORK/root/usr/share/doc/trustscan/changelog.gz" >"$WORK/changelog"
  [[ $(dpkg-parsechangelog -l "$WORK/changelog" -S Version) == "$(dpkg-deb -f "$DEB" Version)" ]] \
    || fail "changelog.gz: top entry $(dpkg-parsechangelog -l "$WORK/changelog" -S Version), package $(dpkg-deb -f "$DEB" Version)"
  head -1 "$WORK/root/usr/share/doc/trustscan/copyright" | grep '^Format: .*copyright-format/1.0/' >/dev/null \
    || fail "copyright is not machine-readable (DEP-5)" ;;
man_page_lint)
  # The man page as mandoc, groff and man-db (lintian's check) read it: no error, warning or
  # style message (source lines of at most 80 bytes, also the generated format list).
  need mandoc; need groff groff-base; need man man-db
  MAN=$BUILD/man/trustscan.1
  [[ -f $MAN ]] || fail "$MAN missing (the build fills it from docs/man/trustscan.1.in)"
  lint() {  # lint PAGE: the findings, one per line, on stdout
    mandoc -T lint -W all "$1" 2>&1 || true
    groff -man -Tutf8 -ww -z "$1" 2>&1
    { LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$1" >/dev/null; } 2>&1
  }
  lint "$MAN" >"$WORK/lint"
  [[ ! -s $WORK/lint ]] || { cat "$WORK/lint" >&2; fail "man page lint"; }
  # No control character other than tab and newline in the source (a raw form feed rendered
  # '\fI' as 'I').
  ! LC_ALL=C grep -nP '[\x00-\x08\x0b-\x1f\x7f]' "$SRC/docs/man/trustscan.1.in" >&2 || fail "control characters in docs/man/trustscan.1.in"
  # The checks can fail: a raw form feed, an unknown macro and a bad date are reported.
  { printf '%s\n' '.TH T 1 "someday" "t 1" "User Commands"' '.SH NAME' 't \- t' '.SH DESCRIPTION' '.XX y'
    printf 'EWF \fI.E01\fR\n'; } >"$WORK/bad.1"
  lint "$WORK/bad.1" >"$WORK/lint"
  for want in 'bad character' 'unknown macro' 'cannot parse date' "macro 'XX' not defined"; do
    grep -q "$want" "$WORK/lint" || { cat "$WORK/lint" >&2; fail "lint missed: $want"; }
  done ;;
integrations)
  # Velociraptor artifact and Ansible playbook: valid YAML, the playbook passes ansible's syntax
  # check, and every field the artifact reads from the NDJSON exists in real trustscan output.
  PY=/usr/bin/python3
  $PY -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing"
  need ansible-playbook ansible-core
  ART=$SRC/tools/integrations/velociraptor/Custom.Trustscan.Scan.yaml.in  # the template: valid YAML
  PLAY=$SRC/tools/integrations/ansible/trustscan.yml
  ANSIBLE_LOCAL_TEMP=$WORK/ansible HOME=$WORK ansible-playbook --syntax-check -i localhost, "$PLAY" >"$WORK/syntax" 2>&1 \
    || { cat "$WORK/syntax" >&2; fail "ansible-playbook --syntax-check"; }
  VI=${SAMPLES%/*}/vendor-samples
  [[ -d $VI/vendor-image ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  # Findings (alerts), plain records, a path error (a FIFO given as a root: neither a directory
  # nor a file; a missing root is a usage error, exit 2) and the summary.
  mkfifo "$WORK/fifo-root"
  set +e; "$TS" scan -f ndjson --trust-store "$VI/vendor-image-ca" "$VI/vendor-image" "$WORK/fifo-root" >"$WORK/r.ndjson"; rc=$?; set -e
  [[ $rc == 1 ]] || fail "vendor image scan exited $rc"
  $PY - "$ART" "$PLAY" "$WORK/r.ndjson" <<'PY' || fail "integration files do not match trustscan's output"
import json, re, sys, yaml
art = yaml.safe_load(open(sys.argv[1]))
play = yaml.safe_load(open(sys.argv[2]))
events = [json.loads(l) for l in open(sys.argv[3])]
assert art["name"] == "Custom.Trustscan.Scan" and art["type"] == "CLIENT", art["name"]
assert [t["name"] for t in art["tools"]] == ["TrustscanDeb"], art["tools"]
params = {p["name"]: p for p in art["parameters"]}
assert {"Roots", "Policy", "ExtraArgs", "Records", "TrustscanPath", "InstallPackage", "UploadReport"} <= set(params), params
assert set(params["Records"]["choices"]) == {"findings", "privileged", "all"}
assert json.loads(params["Roots"]["default"]) == ["/"] and json.loads(params["ExtraArgs"]["default"]) == []
query = art["sources"][0]["query"]
for needed in ('execve(argv=Argv, sep="\\n"', 'parse_json(data=Stdout)', '"ndjson=-"', "FetchBinary(ToolName=\"TrustscanDeb\""):
    assert needed in query, needed
def resolve(e, path):
    for k in path:
        if not isinstance(e, dict) or k not in e:
            return None
        e = e[k]
    return e
paths = re.findall(r"\bE((?:\.[a-z_0-9]+)+)", query)
assert len(paths) >= 15, paths
missing = [p for p in sorted(set(paths)) if not any(resolve(e, p[1:].split(".")) is not None for e in events)]
assert not missing, f"fields read by the artifact that trustscan never writes: {missing}"
# The row filter's values are values trustscan writes.
kinds = {e["event"]["kind"] for e in events}
datasets = {e["event"]["dataset"] for e in events}
privs = {e["trustscan"].get("privilege") for e in events if "trustscan" in e}
assert "alert" in kinds and {"trustscan.summary", "trustscan.error"} <= datasets, (kinds, datasets)
assert {"kernel", "user"} <= privs, privs
for value in re.findall(r'"(trustscan\.[a-z]+)"', query):
    assert value in datasets, value
# Playbook: one play, the documented variables, the exit codes of exit_codes.hpp.
assert len(play) == 1
vars_ = play[0]["vars"]
for v in ("trustscan_deb", "trustscan_roots", "trustscan_opts", "trustscan_timer", "trustscan_scan_now", "trustscan_fetch_dir"):
    assert v in vars_, v
scan = next(t for t in play[0]["tasks"] if "ansible.builtin.command" in t)
assert scan["failed_when"] == "trustscan_now.rc not in [0, 1, 3]", scan["failed_when"]
PY
  ;;
syscall_filter)
  # Every system call trustscan makes while scanning is allowed by the unit's SystemCallFilter=
  # (groups expanded by systemd-analyze). A missing one would make the scheduled scan fail with
  # EPERM where a scan by hand works.
  command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
  need strace
  allowed_syscalls "$SRC/packaging/systemd/trustscan.service" >"$WORK/allowed"
  [[ $(wc -l <"$WORK/allowed") -gt 100 ]] || fail "allow-list expanded to too few calls"
  VI=${SAMPLES%/*}/vendor-samples
  set +e
  strace -f -qq -o "$WORK/trace" "$TS" scan -j2 -f ndjson -o "$WORK/r.ndjson" "$SAMPLES" "$VI" 2>/dev/null
  rc=$?
  set -e
  [[ $rc == 1 || $rc == 3 ]] || fail "traced scan exited $rc"
  grep -oE '^[0-9]+ +[a-z_0-9]+\(' "$WORK/trace" | awk '{ print $2 }' | tr -d '(' | sort -u >"$WORK/used"
  grep -qx openat2 "$WORK/used" || fail "trace does not show openat2: not a real scan?"
  echo "system calls used: $(wc -l <"$WORK/used")"
  comm -23 "$WORK/used" "$WORK/allowed" >"$WORK/denied"
  [[ ! -s $WORK/denied ]] || fail "denied by the unit's SystemCallFilter=: $(tr '\n' ' ' <"$WORK/denied")" ;;
velociraptor_artifact)
  # The Velociraptor artifact that cpack wrote beside the .deb (cmake/velociraptor_artifact.cmake):
  # the tool pinned to that .deb by its SHA-256, the structure of a real tool-wrapping artifact,
  # the VQL's functions and arguments, its argv run (tests/packaging/velociraptor_artifact_test.py).
  $PY -c 'import yaml' 2>/dev/null || fail "python3-yaml is missing"
  DEB=$(built_deb)
  ART=$BUILD/package/Custom.Trustscan.Scan.yaml
  [[ -f $ART ]] || fail "cpack wrote no $ART: $(ls "$BUILD/package" | tr '\n' ' ')"
  # By hand: the same file; with a URL, the tool's url; a file not named like the package is refused.
  cmake -DDEB="$DEB" -DOUT="$WORK/by-hand.yaml" -P "$SRC/cmake/velociraptor_artifact.cmake" >/dev/null
  cmp -s "$ART" "$WORK/by-hand.yaml" || fail "cpack's artifact and the one written by hand differ"
  cmake -DDEB="$DEB" -DURL=https://repo.example/trustscan.deb -DOUT="$WORK/url.yaml" \
    -P "$SRC/cmake/velociraptor_artifact.cmake" >/dev/null
  grep -qx '    url: "https://repo.example/trustscan.deb"' "$WORK/url.yaml" || fail "no tool url"
  cp "$DEB" "$WORK/other.deb"
  if cmake -DDEB="$WORK/other.deb" -P "$SRC/cmake/velociraptor_artifact.cmake" >"$WORK/log" 2>&1; then
    fail "an artifact for other.deb"
  fi
  VI=${SAMPLES%/*}/vendor-samples
  [[ -d $VI/vendor-image ]] || fail "vendor image missing (tools/make_vendor_image.sh $VI)"
  $PY "$SRC/tests/packaging/velociraptor_artifact_test.py" "$ART" "$DEB" "$TS" "$VI/vendor-image" \
    "$VI/vendor-image-ca"
  # The checks can fail: the same name, one byte more, is another .deb.
  mkdir "$WORK/other" && { cat "$DEB"; printf x; } >"$WORK/other/${DEB##*/}"
  if $PY "$SRC/tests/packaging/velociraptor_artifact_test.py" "$ART" "$WORK/other/${DEB##*/}" "$TS" \
    "$VI/vendor-image" "$VI/vendor-image-ca" >"$WORK/log" 2>&1; then
    fail "the artifact passed for another .deb"
  fi
  grep -q "AssertionError: ('$(sed -n 's/^    expected_hash: "\(.*\)"$/\1/p' "$ART")'" "$WORK/log" \
    || { cat "$WORK/log" >&2; fail "another .deb was refused, but not for its hash"; } ;;
*) fail "unknown test" ;;
esac
echo "ok: $NAME"
