#!/usr/bin/env bash
# make_samples.sh OUTDIR
#
# Builds small, deterministic synthetic binaries (PE, ELF, Mach-O, non-binaries)
# into OUTDIR for the trustscan test suite, checks that each one really is what it
# claims to be, and writes OUTDIR/MANIFEST.tsv:
#   relative_path <TAB> format <TAB> expected_file_type <TAB> expected_privilege
#
# Every tool is required except the Mach-O toolchain: if clang cannot link Mach-O
# (or llvm-lipo/llvm-otool are absent) a warning is printed and no Mach-O rows are
# written. Tools can be overridden through the environment variables below.
# shellcheck disable=SC2054  # commas inside -Wl,... array elements are intended
set -euo pipefail

MINGW_PREFIX=${MINGW_PREFIX:-x86_64-w64-mingw32-}
MINGW_CC=${MINGW_CC:-${MINGW_PREFIX}gcc}
MINGW_WINDRES=${MINGW_WINDRES:-${MINGW_PREFIX}windres}
MINGW_DLLTOOL=${MINGW_DLLTOOL:-${MINGW_PREFIX}dlltool}
MINGW_OBJDUMP=${MINGW_OBJDUMP:-${MINGW_PREFIX}objdump}
CC=${CC:-gcc}
READELF=${READELF:-readelf}
XZ=${XZ:-xz}
ZSTD=${ZSTD:-zstd}
MACHO_CC=${MACHO_CC:-clang-14}
ELF32_CC=${ELF32_CC:-clang-14}  # with ld.lld: a 32-bit shared object without a 32-bit C library
LIPO=${LIPO:-llvm-lipo-14}
OTOOL=${OTOOL:-llvm-otool-14}

die()  { echo "make_samples: error: $*" >&2; exit 1; }
warn() { echo "make_samples: warning: $*" >&2; }

[[ $# -eq 1 && -n $1 ]] || die "usage: $0 OUTDIR"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../samples/src" && pwd) || die "samples/src/ not found (expected beside tools/)"
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/trustscan-samples.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

export LC_ALL=C SOURCE_DATE_EPOCH=0
unset ZSTD_CLEVEL ZSTD_NBTHREADS XZ_DEFAULTS XZ_OPT
MANIFEST_ROWS=()

# ---------------------------------------------------------------- helpers
require() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found (override via environment, see $0)"
    done
}

# add_row RELPATH FORMAT FILE_TYPE PRIVILEGE
add_row() {
    [[ -e $OUT/$1 ]] || die "internal: sample $1 was not produced"
    MANIFEST_ROWS+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4")
}

# expect FILE REGEX CMD... : run "CMD... FILE" and require its output to match REGEX.
expect() {
    local file=$1 re=$2 out
    shift 2
    out=$("$@" "$file" 2>&1) || die "'$* $file' failed: $out"
    grep -Eq -- "$re" <<<"$out" || die "$file: '$*' output does not match /$re/"
}

# hex_bytes HEX : write the bytes spelled by the hex string HEX (e.g. "7f454c46") to stdout.
# shellcheck disable=SC2001  # ${var//??/...&} would need bash >= 5.2
hex_bytes() {
    printf '%b' "$(sed 's/../\\x&/g' <<<"$1")"
}

# prng_bytes SEED COUNT : COUNT deterministic, random-looking bytes on stdout (SHA-256 chain).
prng_bytes() {
    local seed=$1 count=$2 i=0 hex=""
    while (( ${#hex} < count * 2 )); do
        hex+=$(printf '%s-%d' "$seed" "$i" | sha256sum | cut -c1-64)
        i=$((i + 1))
    done
    hex_bytes "${hex:0:count*2}"
}

# ---------------------------------------------------------------- PE
PE_FLAGS=(-Os -s -Wl,--no-insert-timestamp)
PE_KERNEL_FLAGS=("${PE_FLAGS[@]}" -ffreestanding -nostdlib -fno-stack-protector -mno-stack-arg-probe
                 -Wl,--subsystem,native -Wl,--entry,DriverEntry
                 -Wl,--image-base,0x140000000)

pe_implib()  { "$MINGW_DLLTOOL" -d "$SRC/$1.def" -l "$WORK/lib$1.a"; }
pe_res()     { "$MINGW_WINDRES" -I "$SRC" -O coff -i "$SRC/$1.rc" -o "$WORK/$1.res.o"; }
# pe_check FILE SUBSYSTEM_NUMBER [IMPORTED_DLL...]
pe_check() {
    local f=$1 sub=$2 dll
    shift 2
    expect "$f" "^Subsystem[[:space:]]+0*${sub}[[:space:]]" "$MINGW_OBJDUMP" -p
    for dll in "$@"; do expect "$f" "DLL Name: $dll\$" "$MINGW_OBJDUMP" -p; done
}

build_pe() {
    require "$MINGW_CC" "$MINGW_WINDRES" "$MINGW_DLLTOOL" "$MINGW_OBJDUMP"
    local d=$OUT/pe
    mkdir -p "$d"
    pe_implib ntoskrnl; pe_implib hal; pe_implib fltmgr
    pe_res pe_driver; pe_res pe_version

    "$MINGW_CC" "${PE_FLAGS[@]}" -o "$d/hello.exe" "$SRC/pe_hello.c"
    "$MINGW_CC" "${PE_FLAGS[@]}" -shared -Wl,--image-base,0x180000000 -o "$d/plugin.dll" "$SRC/pe_plugin.c"
    "$MINGW_CC" "${PE_FLAGS[@]}" -o "$d/version.exe" "$SRC/pe_hello.c" "$WORK/pe_version.res.o"
    # driver.sys is linked -shared (IMAGE_FILE_DLL set, as some gcc-built drivers are);
    # minifilter.sys is not (like MSVC /DRIVER output), so both shapes are covered.
    "$MINGW_CC" "${PE_KERNEL_FLAGS[@]}" -shared -o "$d/driver.sys" "$SRC/pe_driver.c" \
        "$WORK/pe_driver.res.o" "$WORK/libntoskrnl.a" "$WORK/libhal.a"
    "$MINGW_CC" "${PE_KERNEL_FLAGS[@]}" -o "$d/minifilter.sys" "$SRC/pe_minifilter.c" \
        "$WORK/libfltmgr.a" "$WORK/libntoskrnl.a"
    "$MINGW_CC" "${PE_FLAGS[@]}" -ffreestanding -nostdlib -fno-stack-protector -mno-stack-arg-probe \
        -Wl,--subsystem,10 -Wl,--entry,efi_main -o "$d/app.efi" "$SRC/pe_efi_app.c"

    pe_check "$d/hello.exe" 3 KERNEL32.dll
    pe_check "$d/version.exe" 3
    pe_check "$d/plugin.dll" 3
    expect "$d/plugin.dll" 'plugin_name' "$MINGW_OBJDUMP" -p
    pe_check "$d/driver.sys" 1 ntoskrnl.exe HAL.dll
    pe_check "$d/minifilter.sys" 1 FLTMGR.SYS ntoskrnl.exe
    pe_check "$d/app.efi" a
    expect "$d/driver.sys" 'VALUE "CompanyName", "Example Driver Vendor Ltd"' "$MINGW_WINDRES" -O rc -i
    expect "$d/version.exe" 'VALUE "OriginalFilename", "version.exe"' "$MINGW_WINDRES" -O rc -i

    add_row pe/hello.exe      pe exe             user
    add_row pe/plugin.dll     pe dll             user
    add_row pe/driver.sys     pe driver          kernel
    add_row pe/minifilter.sys pe driver          kernel
    add_row pe/app.efi        pe efi_application boot
    add_row pe/version.exe    pe exe             user
}

# ---------------------------------------------------------------- ELF
# append_fake_module_sig SRC DST : DST = SRC + fake PKCS#7 blob + struct module_signature + magic.
append_fake_module_sig() {
    local siglen=64
    {
        cat "$1"
        hex_bytes "3082$(printf %04x $((siglen - 4)))"   # DER SEQUENCE header of the fake PKCS#7
        prng_bytes module-signature $((siglen - 4))
        # algo=0 hash=0 id_type=2(PKEY_ID_PKCS7) signer_len=0 key_id_len=0 pad[3] sig_len(be32)
        hex_bytes "0000020000000000$(printf %08x "$siglen")"
        printf '~Module signature appended~\n'
    } >"$2"
}

build_elf() {
    require "$CC" "$READELF" "$XZ" "$ZSTD" sha256sum
    local d=$OUT/elf kflags=(-O2 -fno-pic -ffreestanding -fno-stack-protector -fno-asynchronous-unwind-tables -fno-common)
    mkdir -p "$d"
    case $("$CC" -dumpmachine) in x86_64*) kflags+=(-mcmodel=kernel -mno-red-zone) ;; esac

    "$CC" -O2 -fPIE -pie -s -o "$d/hello" "$SRC/elf_hello.c"
    "$CC" -O2 -fPIC -shared -s -Wl,-soname,libdemo.so -o "$d/libdemo.so" "$SRC/elf_libdemo.c"
    # The same library as 32-bit x86 (i386), so that the ELF32 side of the readers is compared
    # with LIEF too (parse/plain_elf_linked.cpp); it links against nothing.
    local elf32=0
    if command -v "$ELF32_CC" >/dev/null 2>&1; then
        "$ELF32_CC" -target i386-linux-gnu -O2 -fPIC -shared -nostdlib -fuse-ld=lld -s \
            -Wl,-soname,libdemo32.so -o "$d/libdemo32.so" "$SRC/elf_libdemo.c"
        expect "$d/libdemo32.so" 'Class:[[:space:]]+ELF32' "$READELF" -h
        expect "$d/libdemo32.so" 'SONAME.*libdemo32\.so' "$READELF" -d
        elf32=1
    else
        warn "'$ELF32_CC' not found; no 32-bit ELF sample"
    fi
    "$CC" "${kflags[@]}" -c -o "$d/demo.ko" "$SRC/elf_demo_module.c"
    append_fake_module_sig "$d/demo.ko" "$d/demo-signed.ko"
    "$XZ" --check=crc32 --lzma2=dict=1MiB -T1 -c "$d/demo.ko" >"$d/demo.ko.xz"
    "$ZSTD" -q -19 -T1 --no-progress -c "$d/demo.ko" >"$d/demo.ko.zst"

    expect "$d/hello" 'Type:[[:space:]]+DYN' "$READELF" -h
    expect "$d/hello" 'INTERP' "$READELF" -l
    expect "$d/libdemo.so" 'SONAME.*libdemo\.so' "$READELF" -d
    expect "$d/demo.ko" 'Type:[[:space:]]+REL' "$READELF" -h
    expect "$d/demo.ko" '\.gnu\.linkonce\.this_module' "$READELF" -SW
    expect "$d/demo.ko" '\.modinfo' "$READELF" -SW
    expect "$d/demo.ko" ' __this_module$' "$READELF" -sW
    expect "$d/demo.ko" ' init_module$' "$READELF" -sW
    expect "$d/demo.ko" 'vermagic=6\.1\.0-99-amd64 SMP preempt mod_unload modversions ' "$READELF" -p .modinfo
    [[ $(tail -c 28 "$d/demo-signed.ko") == '~Module signature appended~' ]] || die "demo-signed.ko: bad magic"
    "$XZ" -t "$d/demo.ko.xz" || die "demo.ko.xz does not verify"
    "$ZSTD" -q -t "$d/demo.ko.zst" || die "demo.ko.zst does not verify"

    add_row elf/hello          elf exe           user
    add_row elf/libdemo.so     elf shared_object user
    if ((elf32)); then add_row elf/libdemo32.so elf shared_object user; fi
    local ko
    for ko in demo.ko demo-signed.ko demo.ko.xz demo.ko.zst; do
        add_row "elf/$ko" elf kernel_module kernel
    done
}

# ---------------------------------------------------------------- Mach-O
MACHO_FLAGS=(-Os -fuse-ld=lld -nostdlib -fno-stack-protector)

# macho_link ARCH OUTFILE ARGS... (OUTFILE basename doubles as the ad-hoc code-signature id)
macho_link() {
    local arch=$1 out=$2
    shift 2
    "$MACHO_CC" -target "$arch-apple-macos11" "${MACHO_FLAGS[@]}" -o "$out" "$@"
}

# set_macho_filetype FILE VALUE : overwrite mach_header.filetype (offset 12, little-endian u32).
set_macho_filetype() {
    hex_bytes "$(printf %02x000000 "$2")" |
        dd of="$1" bs=1 seek=12 count=4 conv=notrunc status=none
}

build_macho() {
    local t
    for t in "$MACHO_CC" "$LIPO" "$OTOOL"; do
        command -v "$t" >/dev/null 2>&1 || { warn "'$t' not found; skipping Mach-O samples"; return 0; }
    done
    if ! macho_link x86_64 "$WORK/hello-x86_64" "$SRC/macho_hello.c" "$SRC/libSystem.tbd" 2>"$WORK/macho.err"; then
        warn "$MACHO_CC cannot link Mach-O; skipping Mach-O samples: $(head -n 3 "$WORK/macho.err")"
        return 0
    fi
    local d=$OUT/macho
    mkdir -p "$d"
    cp "$WORK/hello-x86_64" "$d/hello-x86_64"
    macho_link arm64 "$WORK/hello-arm64" "$SRC/macho_hello.c" "$SRC/libSystem.tbd"
    "$LIPO" -create "$WORK/hello-x86_64" "$WORK/hello-arm64" -output "$d/hello-fat"
    macho_link x86_64 "$d/bundle" -bundle "$SRC/macho_bundle.c" "$SRC/libSystem.tbd"
    # ld64.lld has no -kext: link an MH_BUNDLE against nothing and retype it MH_KEXT_BUNDLE (0xB).
    "$MACHO_CC" -target x86_64-apple-macos11 -Os -mkernel -c -o "$WORK/macho_kext.o" "$SRC/macho_kext.c"
    macho_link x86_64 "$WORK/demo.kext" -bundle -Wl,-undefined,dynamic_lookup "$WORK/macho_kext.o"
    set_macho_filetype "$WORK/demo.kext" 11
    cp "$WORK/demo.kext" "$d/demo.kext"

    # otool -h columns: magic cputype cpusubtype caps filetype ...
    expect "$d/hello-x86_64" '^ *0xfeedfacf +16777223 +[0-9]+ +0x[0-9a-f]+ +2 ' "$OTOOL" -h
    expect "$d/hello-fat" '^x86_64 arm64 *$' "$LIPO" -archs
    expect "$d/bundle" '^ *0xfeedfacf +[0-9]+ +[0-9]+ +0x[0-9a-f]+ +8 ' "$OTOOL" -h
    expect "$d/demo.kext" '^ *0xfeedfacf +[0-9]+ +[0-9]+ +0x[0-9a-f]+ +11 ' "$OTOOL" -h

    add_row macho/hello-x86_64 macho     exe    user
    add_row macho/hello-fat    macho_fat exe    user
    add_row macho/bundle       macho     bundle user
    add_row macho/demo.kext    macho     kext   kernel
}

# ---------------------------------------------------------------- non-binaries
build_other() {
    local d=$OUT/other
    mkdir -p "$d"
    printf 'trustscan sample corpus\n\nPlain text; scanners should skip this file cheaply.\n' >"$d/readme.txt"
    prng_bytes trustscan-data 4096 >"$d/data.bin"
    : >"$d/empty"
    printf 'This is not a Windows program, only text with an .exe name.\r\n' >"$d/fake.exe"
    head -c 200 "$OUT/pe/hello.exe" >"$d/truncated.exe"
    printf '\177ELF' >"$d/elf-magic-only"

    [[ $(wc -c <"$d/data.bin") -eq 4096 && $(wc -c <"$d/truncated.exe") -eq 200 &&
       $(wc -c <"$d/elf-magic-only") -eq 4 && $(head -c 2 "$d/truncated.exe") == MZ ]] ||
        die "non-binary samples have unexpected sizes"

    add_row other/readme.txt      unknown none  none
    add_row other/data.bin        unknown none  none
    add_row other/empty           unknown none  none
    add_row other/fake.exe        unknown none  none
    add_row other/truncated.exe   pe      error none
    add_row other/elf-magic-only  elf     error none
}

# ---------------------------------------------------------------- main
main() {
    rm -rf "$OUT/pe" "$OUT/elf" "$OUT/macho" "$OUT/other" "$OUT/MANIFEST.tsv"
    cd "$WORK"
    build_pe
    build_elf
    build_macho
    build_other
    {
        printf 'relative_path\tformat\texpected_file_type\texpected_privilege\n'
        printf '%s\n' "${MANIFEST_ROWS[@]}"
    } >"$OUT/MANIFEST.tsv.tmp"
    mv "$OUT/MANIFEST.tsv.tmp" "$OUT/MANIFEST.tsv"
    echo "make_samples: wrote ${#MANIFEST_ROWS[@]} samples to $OUT"
}

main
