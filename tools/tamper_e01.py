#!/usr/bin/env python3
"""Writes a tampered copy of an uncompressed single-segment EWF (E01) image (issue 20 tests).

    tools/tamper_e01.py IN.E01 OUT.E01 [OFFSET]

Flips one byte of the media at OFFSET (default 510: inside the first sector, which ext2/3/4
leaves unused, so the file system still reads) and recomputes the Adler-32 of the chunk that holds
it, as someone altering evidence with care would: the image reads without any checksum error,
only the MD5/SHA-1 stored at acquisition no longer match the media. IN must be made with
`ewfacquire -c none` (chunks stored as they are, each followed by its Adler-32).
"""
import struct
import sys
import zlib

SECTION_HEADER = 76  # type[16] next u64 size u64 padding[40] adler32 u32


def sections(data):
    """(type, data offset, next) of every section, from the one after the 13-byte file header."""
    off = 13
    while True:
        kind = data[off:off + 16].rstrip(b"\0").decode()
        nxt = struct.unpack_from("<Q", data, off + 16)[0]
        yield kind, off + SECTION_HEADER
        if kind in ("done", "next") or nxt <= off:
            return
        off = nxt


def main():
    src, dst = sys.argv[1], sys.argv[2]
    offset = int(sys.argv[3]) if len(sys.argv) > 3 else 510
    data = bytearray(open(src, "rb").read())
    found = dict((kind, at) for kind, at in sections(data) if kind in ("volume", "disk", "sectors"))
    volume = found.get("volume", found.get("disk"))
    if volume is None or "sectors" not in found:
        sys.exit("tamper_e01: no volume or sectors section (not a single-segment EWF-E01?)")
    sectors_per_chunk, bytes_per_sector = struct.unpack_from("<II", data, volume + 8)
    chunk = sectors_per_chunk * bytes_per_sector
    start = found["sectors"] + (offset // chunk) * (chunk + 4)  # each chunk: data, then its Adler-32
    stored = struct.unpack_from("<I", data, start + chunk)[0]
    if stored != zlib.adler32(bytes(data[start:start + chunk])):
        sys.exit("tamper_e01: the chunk is not stored uncompressed with its Adler-32 (use ewfacquire -c none)")
    data[start + offset % chunk] ^= 0xFF
    struct.pack_into("<I", data, start + chunk, zlib.adler32(bytes(data[start:start + chunk])))
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
