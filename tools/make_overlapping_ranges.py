#!/usr/bin/env python3
"""make_overlapping_ranges.py OUTDIR — forged binaries whose section / segment headers all cover
the same 30 MiB (issue 19, docs/time-budget.md). LIEF 0.9 copies every range, so before
parse/prepare.cpp bounded the ranges' total, 1,000 such headers kept LIEF busy 10-20 s inside one
call that no time budget reaches. Used by tools/bench_time_budget.sh. (A PE has at most 96 sections, --max-pe-sections: the same
shape cost 1.8 s there; not generated here.)"""
import struct
import sys

SPAN = 30 << 20


def elf(out, n):
    shoff = 0x1000 + SPAN
    hdr = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack(
        "<HHIQQQIHHHHHH", 2, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64, n + 1, 0)
    progbits = struct.pack("<IIQQQQIIQQ", 0, 1, 0, 0, 0x1000, SPAN, 0, 0, 1, 0)
    data = bytearray(shoff) + bytes(64) + progbits * n
    data[:len(hdr)] = hdr
    with open(f"{out}/sections-{n}.elf", "wb") as f:
        f.write(data)


def macho(out, n):
    data_at = (32 + n * 72 + 0xfff) & ~0xfff
    cmds = b"".join(struct.pack("<II16sQQQQiiII", 0x19, 72, b"S%d" % i, 0x100000000 + i * 0x10000000, SPAN,
                                data_at, SPAN, 5, 5, 0, 0) for i in range(n))
    head = struct.pack("<IiiIIIII", 0xfeedfacf, 0x01000007, 3, 2, n, n * 72, 0, 0) + cmds
    data = bytearray(data_at + SPAN)
    data[:len(head)] = head
    with open(f"{out}/segments-{n}.macho", "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_overlapping_ranges.py OUTDIR")
    for n in (10, 100, 1000):
        elf(sys.argv[1], n)
    macho(sys.argv[1], 1000)


if __name__ == "__main__":
    main()
