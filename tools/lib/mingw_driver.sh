# shellcheck shell=bash
# Shared by tools/make_vendor_image.sh and tools/make_hostile_samples.sh: link an inert test kernel
# driver with mingw-w64. Source it; it defines KFLAGS and mingw_driver. MINGW_PREFIX selects the
# toolchain (default x86_64-w64-mingw32-).

# A freestanding native-subsystem image (no CRT, entry DriverEntry, a kernel image base), linked
# without a timestamp so that it is reproducible.
# shellcheck disable=SC2034,SC2054  # KFLAGS is for the sourcing scripts too; -Wl,... commas intended
KFLAGS=(-Os -s -Wl,--no-insert-timestamp -ffreestanding -nostdlib -fno-stack-protector -mno-stack-arg-probe
        -Wl,--subsystem,native -Wl,--entry,DriverEntry -Wl,--image-base,0x140000000)

# mingw_driver OUT SOURCE BANNER [more arguments...]: SOURCE built with -DBANNER="BANNER\n" into
# OUT; the further arguments (options, objects, import libraries) follow SOURCE on the command line.
mingw_driver() {
    local out=$1 source=$2 banner=$3
    shift 3
    "${MINGW_PREFIX:-x86_64-w64-mingw32-}gcc" "${KFLAGS[@]}" "-DBANNER=\"$banner\\n\"" -o "$out" "$source" "$@"
}
