#!/usr/bin/env bash
# fetch_real_tree.sh [--set NAME]... [--jobs N] DEST
# fetch_real_tree.sh --list
#
# Build a tree of REAL third-party binaries under DEST, laid out like an
# installed system / offline image:
#   * Debian packages are extracted straight into DEST
#     (DEST/boot/vmlinuz-*, DEST/lib/modules/*, DEST/usr/lib/shim/*, ...);
#   * npm tarballs are extracted into DEST/opt/npm/<package-name>/ (the
#     tarball's top directory, normally "package/", is stripped).
#
# The packages are data: tools/real_tree_packages.txt lists each with the sets
# it belongs to (docs/real-inputs.md says what each one is for):
#   tests    (default) exactly what the unit tests read: a kernel with modules,
#            shim, GRUB, fwupd, a few npm PE and Mach-O files (~60 MB download)
#   bench    the benchmark tree of tools/bench and docs/performance.md
#            (full kernel, wine, ordinary packages; ~210 MB)
#   drivers  third-party signed Windows kernel drivers (issue 15)
#   large    signed PE and Mach-O files of 100+ MiB (issues 16 and 21; ~290 MB)
# Sets add up: each --set adds its packages to DEST, nothing is removed.
#
# Downloads run in parallel (--jobs, default 4: all Debian packages are one
# job of three apt commands, each npm package is one `npm pack` job), use the
# machine's configured apt sources and npm registry, and are cached in ${TRUSTSCAN_CACHE:-/var/cache/trustscan}/downloads;
# every extraction is recorded in a manifest, so re-running only does the
# work that is missing (no network at all when everything is there).
# `apt-get update` runs only when a package has no candidate, at most once.
# Progress goes to the log file in the cache dir; the terminal only gets one
# line per package and a final summary.
#
# Exit status: 0 if at least one package is present in DEST, 1 otherwise
# (individual package failures are reported and skipped), 2 on usage errors.
#
# Environment:
#   TRUSTSCAN_CACHE        cache root (default /var/cache/trustscan)
#   TRUSTSCAN_NO_NPM=1     skip the npm packages
#   TRUSTSCAN_NO_DEB=1     skip the Debian packages
set -euo pipefail

LIST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)/real_tree_packages.txt

usage() { sed -n '2,3p' "${BASH_SOURCE[0]}" | sed 's/^# /usage: /' >&2; exit 2; }

# list_packages SET... -> "KIND SPEC" lines of every package in any of the sets
list_packages() {
    awk -v want="$(IFS=,; echo "$*")" '
        BEGIN { n = split(want, w, ","); for (i = 1; i <= n; i++) sel[w[i]] = 1 }
        { sub(/#.*/, "") }
        NF >= 3 {
            m = split($1, s, ",")
            for (i = 1; i <= m; i++) if (s[i] in sel) { if (!seen[$2 " " $3]++) print $2, $3; break }
        }' "$LIST"
}

# known_sets -> every set name used in the list
known_sets() { awk '{ sub(/#.*/, "") } NF >= 3 { n = split($1, s, ","); for (i = 1; i <= n; i++) print s[i] }' "$LIST" | sort -u; }

SETS=()
JOBS=4
while [[ $# -gt 0 ]]; do
    case $1 in
        --set) [[ $# -ge 2 ]] || usage; IFS=, read -ra more <<< "$2"; SETS+=("${more[@]}"); shift 2 ;;
        --set=*) IFS=, read -ra more <<< "${1#--set=}"; SETS+=("${more[@]}"); shift ;;
        --jobs) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || usage; JOBS=$2; shift 2 ;;
        --list) for s in $(known_sets); do echo "$s:"; list_packages "$s" | sed 's/^/  /'; done; exit 0 ;;
        -h|--help) sed -n '2,37p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) usage ;;
        *) break ;;
    esac
done
[[ $# -eq 1 && -n $1 ]] || usage
[[ ${#SETS[@]} -gt 0 ]] || SETS=(tests)
for s in "${SETS[@]}"; do
    known_sets | grep -x -- "$s" >/dev/null || { echo "fetch_real_tree: unknown set '$s' (known: $(known_sets | tr '\n' ' '))" >&2; exit 2; }
done

# ---------------------------------------------------------------- settings
CACHE=${TRUSTSCAN_CACHE:-/var/cache/trustscan}
DL=$CACHE/downloads
DEB_DL=$DL/deb
NPM_DL=$DL/npm
LOG=$CACHE/fetch_real_tree.log
DEB_PACKAGES=()
NPM_PACKAGES=()
while read -r kind spec; do
    case $kind in
        deb) DEB_PACKAGES+=("$spec") ;;
        npm) NPM_PACKAGES+=("$spec") ;;
        *) echo "fetch_real_tree: $LIST: unknown kind '$kind'" >&2; exit 2 ;;
    esac
done < <(list_packages "${SETS[@]}")

# ---------------------------------------------------------------- setup
mkdir -p "$DEB_DL" "$NPM_DL" "$1"
DEST=$(cd "$1" && pwd -P)
# Manifests live in the cache, keyed by the absolute DEST path, so DEST only
# ever contains files that came from the packages.
STAMPS=$CACHE/manifests/$(printf '%s' "$DEST" | sha256sum | cut -c1-16)
mkdir -p "$STAMPS"
printf '%s\n' "$DEST" > "$STAMPS/DEST"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT

exec 3>&1 4>&2              # 3/4: the user's terminal
exec >>"$LOG" 2>&1          # everything else: the log
exec 9>"$CACHE/.lock"
if ! flock -n 9; then
    echo "fetch_real_tree: another run holds $CACHE/.lock" >&4
    exit 1
fi

log()  { printf '[%(%F %T)T] %s\n' -1 "$*"; }
say()  { log "$*"; printf '%s\n' "$*" >&3; }
result() { printf '%s\t%s\t%s\n' "$@" >> "$RESULTS"; }   # STATUS NAME VERSION/INFO

log "==== fetch_real_tree.sh --set ${SETS[*]} $DEST (cache $CACHE, $JOBS jobs)"
say "fetch_real_tree: sets=${SETS[*]}  DEST=$DEST  cache=$CACHE  log=$LOG"

# Run "$@" in a subshell with errexit really in force (errexit is ignored in
# functions called from if/&&/|| contexts, so we must not call them that way).
run_step() {
    local label=$1; shift
    local rc
    set +e
    ( set -e; "$@" )
    rc=$?
    set -e
    if (( rc != 0 )); then
        say "  FAILED  $label (exit $rc, see $LOG)"
        result FAIL "$label" "exit $rc"
    fi
}

# spawn LABEL CMD...: run_step in the background, at most $JOBS at a time
spawn() {
    while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
    run_step "$@" &
}

# safe_name NAME -> a file-name-safe form of a package name
safe_name() { local n=${1#@}; n=${n//\//__}; printf '%s' "${n//@/=}"; }

# manifest_ok MANIFEST DIR: every path listed exists (file or symlink) in DIR
manifest_ok() {
    local manifest=$1 dir=$2 p
    [[ -s $manifest ]] || return 1
    while IFS= read -r p; do
        [[ -e $dir/$p || -L $dir/$p ]] || return 1
    done < "$manifest"
}

# tar_names: tar -v's member names -> manifest lines (no directories, no "./")
tar_names() { sed -e 's#^\./##' -e '/\/$/d' -e '/^$/d'; }

# ---------------------------------------------------------------- apt
APT_UPDATED=0
apt_update_once() {
    (( APT_UPDATED )) && return 0
    APT_UPDATED=1
    log "running apt-get update"
    apt-get update -q || log "apt-get update failed"
}

# kernel_package FLAVOUR -> the linux-image-* package linux-image-FLAVOUR depends on
kernel_package() {
    apt-cache depends "linux-image-$1" 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ && !k {k = $2} END {print k}'
}

# deb_files SPEC... -> "SPEC FILENAME" for every spec apt can download, without network
# (apt-get download --print-uris reads the package lists): one call for all, or, when that
# fails on an unknown package, one call per package.
deb_files() {
    local spec uris
    if ! uris=$(apt-get download --print-uris "$@" 2>/dev/null); then
        uris=
        for spec in "$@"; do uris+=$(apt-get download --print-uris "$spec" 2>/dev/null || true)$'\n'; done
    fi
    for spec in "$@"; do
        awk -v s="$spec" -v p="${spec%%:*}_" 'index($2, p) == 1 {print s, $2; exit}' <<< "$uris"
    done
}

# deb_version SPEC FILE -> the version in FILE (NAME_VERSION_ARCH.deb, ':' written %3a)
deb_version() { local v=${2#"${1%%:*}_"}; v=${v%_*}; printf '%s' "${v//%3a/:}"; }

# download_debs SPEC=VERSION...: one apt-get download for all (apt builds its package cache
# once and pipelines the files over one connection); one at a time when that fails
download_debs() {
    (( $# )) || return 0
    log "downloading $*"
    (cd "$DEB_DL" && apt-get download -q "$@") && return 0
    log "apt-get download of all failed; one package at a time"
    local s
    for s in "$@"; do (cd "$DEB_DL" && apt-get download -q "$s") || log "download of $s failed"; done
}

# extract_deb SPEC FILE: extract the downloaded FILE into DEST, once (manifest)
extract_deb() {
    local spec=$1 file=$2 pkg=${1%%:*} deb=$DEB_DL/$2 ver stamp
    ver=$(deb_version "$spec" "$file")
    [[ -s $deb ]] || { log "no $file in $DEB_DL (download failed)"; return 1; }
    stamp=$STAMPS/deb_${file%.deb}.files
    if manifest_ok "$stamp" "$DEST"; then
        say "  ok      deb $pkg $ver (already extracted)"
    else
        log "extracting $deb"
        # One decompression: extract and list in the same pass.
        dpkg-deb --fsys-tarfile "$deb" | tar -x -v -f - --no-same-owner -C "$DEST" | tar_names > "$stamp.tmp"
        mv "$stamp.tmp" "$stamp"
        say "  fetched deb $pkg $ver ($(wc -l < "$stamp") files)"
    fi
    result OK "deb:$pkg" "$ver"
}

# debs_job "SPEC FILE"...: download the files not in the cache, then extract each package
debs_job() {
    local pair spec file want=()
    for pair in "$@"; do
        read -r spec file <<< "$pair"
        [[ -s $DEB_DL/$file ]] || want+=("$spec=$(deb_version "$spec" "$file")")
    done
    download_debs "${want[@]}"
    for pair in "$@"; do
        read -r spec file <<< "$pair"
        run_step "deb:$spec" extract_deb "$spec" "$file"
    done
}

# fetch_debs SPEC...: resolve every package, download the missing ones, extract them (one
# job beside the npm jobs: each apt call re-reads the package lists, so there are three)
fetch_debs() {
    local specs=() pairs=() spec k resolved file
    for spec in "$@"; do
        if [[ $spec =~ ^@KERNEL:(.+)@$ ]]; then
            k=$(kernel_package "${BASH_REMATCH[1]}")
            [[ -n $k ]] || { apt_update_once; k=$(kernel_package "${BASH_REMATCH[1]}"); }
            if [[ -z $k ]]; then
                say "  FAILED  deb:linux-image-${BASH_REMATCH[1]} (cannot resolve linux-image-${BASH_REMATCH[1]})"
                result FAIL "deb:linux-image-${BASH_REMATCH[1]}" "unresolved"
                continue
            fi
            spec=$k
        fi
        specs+=("$spec")
    done
    (( ${#specs[@]} )) || return 0
    resolved=$(deb_files "${specs[@]}")
    if (( $(grep -c . <<< "$resolved" || true) < ${#specs[@]} )); then
        apt_update_once                       # a package without candidate: stale lists?
        resolved=$(deb_files "${specs[@]}")
    fi
    for spec in "${specs[@]}"; do
        file=$(awk -v s="$spec" '$1 == s {print $2; exit}' <<< "$resolved")
        if [[ -z $file ]]; then
            say "  FAILED  deb:$spec (no candidate in the configured apt sources)"
            result FAIL "deb:$spec" "no candidate"
            continue
        fi
        pairs+=("$spec $file")
    done
    (( ${#pairs[@]} )) || return 0
    debs_job "${pairs[@]}"
}

# ---------------------------------------------------------------- npm
npm_q() { npm --cache "$CACHE/npm-cache" --no-fund --no-audit --loglevel=warn "$@"; }

# npm_pack SPEC -> path of the tarball in $NPM_DL (prints it)
npm_pack() {
    local spec=$1 out
    out=$(cd "$NPM_DL" && npm_q pack --ignore-scripts "$spec" | tail -n1)
    [[ -n $out && -s $NPM_DL/$out ]] || return 1
    printf '%s\n' "$NPM_DL/$out"
}

fetch_npm() {
    local spec=$1 name ver tgz resolved target stamp
    if [[ $spec == @*/*@* || ( $spec != @* && $spec == *@* ) ]]; then
        name=${spec%@*}; ver=${spec##*@}
    else
        name=$spec; ver=
    fi
    resolved=$NPM_DL/$(safe_name "$spec").resolved   # remembers the tarball used

    if [[ -s $resolved && -s $(<"$resolved") ]]; then
        tgz=$(<"$resolved")
    else
        tgz=
        if [[ -n $ver ]]; then
            log "npm pack $name@$ver"
            tgz=$(npm_pack "$name@$ver") || { log "npm pack $name@$ver failed, trying latest"; tgz=; }
        fi
        if [[ -z $tgz ]]; then
            log "npm pack $name@latest"
            tgz=$(npm_pack "$name@latest")
        fi
        gzip -t "$tgz"                               # sanity: a complete gzip
        printf '%s\n' "$tgz" > "$resolved"
    fi

    local tver=${tgz%.tgz}; tver=${tver##*/}; tver=${tver#"$(safe_name "${name/\//-}")-"}
    target=$DEST/opt/npm/$name
    stamp=$STAMPS/npm_$(basename "$tgz" .tgz).files
    if manifest_ok "$stamp" "$target"; then
        say "  ok      npm $name $tver (already extracted)"
    else
        log "extracting $tgz into $target"
        rm -rf "$target"
        mkdir -p "$target"
        tar -x -v -z -f "$tgz" -C "$target" --strip-components=1 --no-same-owner | cut -d/ -f2- | tar_names > "$stamp.tmp"
        mv "$stamp.tmp" "$stamp"
        say "  fetched npm $name $tver ($(wc -l < "$stamp") files)"
    fi
    if [[ -n $ver && $ver != "$tver" ]]; then
        say "  NOTE    npm $name: $ver unavailable, used $tver"
        result OK "npm:$name" "$tver (requested $ver)"
    else
        result OK "npm:$name" "$tver"
    fi
}

# ---------------------------------------------------------------- summary
summary() {
    # One pass over DEST in perl: counts by kind, bytes, and magic numbers.
    find "$DEST" -type f -print0 | perl -0 -ne '
        chomp; my $f = $_;
        my $b = lc((split m{/}, $f)[-1]);
        my $k = $b =~ /\.ko$/         ? ".ko"
              : $b =~ /\.ko\.xz$/     ? ".ko.xz"
              : $b =~ /\.ko\.zst$/    ? ".ko.zst"
              : $b =~ /\.sys$/        ? ".sys"
              : $b =~ /\.efi(\.signed)?$/ ? ".efi/.efi.signed"
              : $b =~ /^vmlinuz/      ? "vmlinuz"
              : $b =~ /\.exe$/        ? ".exe"
              : $b =~ /\.dll$/        ? ".dll"
              : $b =~ /\.node$/       ? ".node"
              :                         "other";
        my $s = -s $f; $n{$k}++; $sz{$k} += $s; $tot += $s; $cnt++;
        my $m = "";
        if (open my $fh, "<:raw", $f) { read $fh, $m, 4; close $fh }
        my $t = $m eq "\x7fELF" ? "ELF"
              : substr($m,0,2) eq "MZ" ? "PE/MZ"
              : $m =~ /^(\xfe\xed\xfa[\xce\xcf]|[\xce\xcf]\xfa\xed\xfe)$/ ? "Mach-O"
              : $m eq "\xca\xfe\xba\xbe" ? "Mach-O fat (or Java class)"
              : "";
        $magic{$t}++ if $t ne "";
        END {
            printf "  %-18s %8s %12s\n", "kind", "files", "MiB";
            for my $k (".ko", ".ko.xz", ".ko.zst", ".sys", ".efi/.efi.signed", "vmlinuz",
                       ".exe", ".dll", ".node", "other") {
                printf "  %-18s %8d %12.1f\n", $k, $n{$k} // 0, ($sz{$k} // 0) / 1048576;
            }
            printf "  %-18s %8d %12.1f\n", "TOTAL", $cnt, $tot / 1048576;
            print  "  by magic:";
            printf " %s=%d", $_, $magic{$_} for sort keys %magic;
            print "\n";
        }'
    printf '  disk used (du -sh): %s\n' "$(du -sh "$DEST" | cut -f1)"
}

# ---------------------------------------------------------------- main
# One job for all Debian packages, one per npm package, side by side, at most $JOBS at a time.
if [[ ${TRUSTSCAN_NO_DEB:-0} != 1 ]] && (( ${#DEB_PACKAGES[@]} )); then
    spawn "deb" fetch_debs "${DEB_PACKAGES[@]}"
fi
if [[ ${TRUSTSCAN_NO_NPM:-0} != 1 ]]; then
    for p in "${NPM_PACKAGES[@]}"; do
        spawn "npm:$p" fetch_npm "$p"
    done
fi
wait

ok=$(grep -c '^OK' "$RESULTS" || true)
bad=$(grep -c '^FAIL' "$RESULTS" || true)
{
    echo
    echo "fetch_real_tree: $ok package(s) present, $bad failed  (sets ${SETS[*]}, DEST=$DEST)"
    { grep '^OK' "$RESULTS" || true; } | sort -k2 | awk -F'\t' '{printf "  %-40s %s\n", $2, $3}'
    { grep '^FAIL' "$RESULTS" || true; } | sort -k2 | awk -F'\t' '{printf "  FAILED %-33s %s\n", $2, $3}'
    echo
    summary
} | tee -a "$LOG" >&3

(( ok > 0 )) || exit 1
