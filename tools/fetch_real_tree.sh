#!/usr/bin/env bash
# fetch_real_tree.sh DEST
#
# Build a tree of REAL third-party binaries under DEST, laid out like an
# installed system / offline image:
#   * Debian packages are extracted with `dpkg-deb -x` straight into DEST
#     (DEST/boot/vmlinuz-*, DEST/lib/modules/*, DEST/usr/lib/shim/*, ...);
#   * npm tarballs are extracted into DEST/opt/npm/<package-name>/ (the
#     tarball's top directory, normally "package/", is stripped).
#
# Downloads are cached in ${TRUSTSCAN_CACHE:-/var/cache/trustscan}/downloads
# and every extraction is recorded in a manifest, so re-running only does the
# work that is missing.  Progress goes to the log file in the cache dir; the
# terminal only gets one line per package and a final summary.
#
# Exit status: 0 if at least one package is present in DEST, 1 otherwise
# (individual package failures are reported and skipped), 2 on usage errors.
#
# Environment:
#   TRUSTSCAN_CACHE        cache root (default /var/cache/trustscan)
#   TRUSTSCAN_NO_NPM=1     skip the npm packages
#   TRUSTSCAN_NO_DEB=1     skip the Debian packages
set -euo pipefail

usage() { echo "usage: $0 DEST" >&2; exit 2; }
[[ $# -eq 1 && -n $1 && $1 != -* ]] || usage

# ---------------------------------------------------------------- settings
CACHE=${TRUSTSCAN_CACHE:-/var/cache/trustscan}
DL=$CACHE/downloads
DEB_DL=$DL/deb
NPM_DL=$DL/npm
LOG=$CACHE/fetch_real_tree.log

# Debian packages. "@KERNEL@" is resolved to the linux-image-6.1.0-*-amd64
# package that linux-image-amd64 currently depends on.
# (shim-signed-common is left out: it only ships a shell script.)
DEB_PACKAGES=(
    @KERNEL@
    shim-signed
    shim-helpers-amd64-signed
    grub-efi-amd64-signed
    fwupd-amd64-signed
    libwine:amd64
    # ordinary packages: ELF executables, shared objects, non-binary files
    coreutils
    mokutil
    libssl3
    libyara9
    python3-jsonschema
)

# npm packages, pinned to known-good versions; on failure the latest
# published version is tried instead.
NPM_PACKAGES=(
    @vscode/vsce-sign-win32-x64@2.0.6
    node-notifier@10.0.1
    7zip-bin@5.2.0
    @node-rs/crc32-win32-x64-msvc@1.10.8
    fsevents@2.3.3
    @esbuild/darwin-x64@0.28.2
    @esbuild/darwin-arm64@0.28.2
    @esbuild/win32-x64@0.28.2
    @sentry/cli-darwin@3.8.0
    @vscode/vsce-sign-darwin-x64@2.0.6
    innosetup-compiler@6.3.1   # Inno Setup binaries under Certum Trusted Network CA 2 (issue 16)
)

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

log "==== fetch_real_tree.sh $DEST (cache $CACHE)"
say "fetch_real_tree: DEST=$DEST  cache=$CACHE  log=$LOG"

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

# ---------------------------------------------------------------- apt
APT_UPDATED=0
apt_update_once() {
    (( APT_UPDATED )) && return 0
    log "running apt-get update"
    apt-get update -q
    APT_UPDATED=1
}

# candidate_version PKG -> the version apt would download ('' if unknown)
candidate_version() {
    apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" {v = $2} END {print v}'
}

resolve_kernel() {
    local k
    k=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ && !k {k = $2} END {print k}')
    if [[ -z $k ]]; then
        apt_update_once
        k=$(apt-cache depends linux-image-amd64 |
            awk '/Depends: linux-image-[0-9]/ && !k {k = $2} END {print k}')
    fi
    [[ -n $k ]] || { log "cannot resolve linux-image-amd64 dependency"; return 1; }
    printf '%s\n' "$k"
}

fetch_deb() {
    local spec=$1 pkg=${1%%:*} ver deb stamp
    ver=$(candidate_version "$spec")
    if [[ -z $ver ]]; then
        apt_update_once
        ver=$(candidate_version "$spec")
    fi
    [[ -n $ver ]] || { log "no candidate for $spec"; return 1; }

    # apt-get download names files NAME_VERSION_ARCH.deb, ':' as '%3a'
    local vfile=${ver//:/%3a}
    deb=$(compgen -G "$DEB_DL/${pkg}_${vfile}_*.deb" | head -n1 || true)
    if [[ -z $deb ]]; then
        log "downloading $spec=$ver"
        (cd "$DEB_DL" && apt-get download -q "$spec=$ver")
        deb=$(compgen -G "$DEB_DL/${pkg}_${vfile}_*.deb" | head -n1 || true)
        [[ -n $deb ]] || { log "download of $spec=$ver produced no .deb"; return 1; }
        dpkg-deb --info "$deb" >/dev/null     # sanity: a readable archive
    fi

    stamp=$STAMPS/deb_$(basename "$deb" .deb).files
    if manifest_ok "$stamp" "$DEST"; then
        say "  ok      deb $pkg $ver (already extracted)"
    else
        log "extracting $deb"
        dpkg-deb -x "$deb" "$DEST"
        dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's#^\./##' -e '/\/$/d' -e '/^$/d' > "$stamp.tmp"
        mv "$stamp.tmp" "$stamp"
        say "  fetched deb $pkg $ver ($(wc -l < "$stamp") files)"
    fi
    result OK "deb:$pkg" "$ver"
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
        printf '%s\n' "$tgz" > "$resolved"
    fi
    gzip -t "$tgz"                                   # sanity: a complete gzip

    local tver=${tgz%.tgz}; tver=${tver##*/}; tver=${tver#"$(safe_name "${name/\//-}")-"}
    target=$DEST/opt/npm/$name
    stamp=$STAMPS/npm_$(basename "$tgz" .tgz).files
    if manifest_ok "$stamp" "$target"; then
        say "  ok      npm $name $tver (already extracted)"
    else
        log "extracting $tgz into $target"
        rm -rf "$target"
        mkdir -p "$target"
        tar -xzf "$tgz" -C "$target" --strip-components=1 --no-same-owner
        tar -tzf "$tgz" | cut -d/ -f2- | sed -e '/\/$/d' -e '/^$/d' > "$stamp.tmp"
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
if [[ ${TRUSTSCAN_NO_DEB:-0} != 1 ]]; then
    for p in "${DEB_PACKAGES[@]}"; do
        if [[ $p == @KERNEL@ ]]; then
            set +e; kpkg=$(resolve_kernel); rc=$?; set -e
            if (( rc != 0 )) || [[ -z $kpkg ]]; then
                say "  FAILED  deb:linux-image (cannot resolve linux-image-amd64)"
                result FAIL "deb:linux-image" "unresolved"
                continue
            fi
            p=$kpkg
        fi
        run_step "deb:$p" fetch_deb "$p"
    done
fi
if [[ ${TRUSTSCAN_NO_NPM:-0} != 1 ]]; then
    for p in "${NPM_PACKAGES[@]}"; do
        run_step "npm:$p" fetch_npm "$p"
    done
fi

ok=$(grep -c '^OK' "$RESULTS" || true)
bad=$(grep -c '^FAIL' "$RESULTS" || true)
{
    echo
    echo "fetch_real_tree: $ok package(s) present, $bad failed  (DEST=$DEST)"
    { grep '^OK' "$RESULTS" || true; } | awk -F'\t' '{printf "  %-40s %s\n", $2, $3}'
    { grep '^FAIL' "$RESULTS" || true; } | awk -F'\t' '{printf "  FAILED %-33s %s\n", $2, $3}'
    echo
    summary
} | tee -a "$LOG" >&3

(( ok > 0 )) || exit 1
