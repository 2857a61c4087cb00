#!/usr/bin/env python3
"""macho_cdhash.py FILE... -- independent Mach-O CodeDirectory check, for cross-checking trustscan.

For every slice of every (thin or fat) Mach-O file, prints one line
  "<path>  slice=<i> cd_slot=<slot> hash=<sha1|sha256> cdhash=<first 20 bytes, hex> pages=<n> pages_ok=<yes|no>"
per CodeDirectory of its LC_CODE_SIGNATURE SuperBlob, computed with nothing but the standard
library from Apple's published layout (xnu osfmk/kern/cs_blobs.h): the cdhash is the digest of
the CodeDirectory blob cut to 20 bytes (what `codesign -dvvv` prints as CDHash), and every code
page hash is recomputed over the slice. Files are read in pieces (a 180 MiB file is not held
whole). Offsets come straight from the headers, not from trustscan's parser, so the check is
independent. Exit status 1 when a page hash does not match.
"""
import hashlib
import struct
import sys

FAT = (0xCAFEBABE, 0xCAFEBABF)
LC_CODE_SIGNATURE = 0x1D
HASHES = {1: ("sha1", 20), 2: ("sha256", 32), 3: ("sha256", 20), 4: ("sha384", 48)}


def pread(f, offset, size):
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise ValueError("short read at %d" % offset)
    return data


def slices(f, size):
    magic = struct.unpack(">I", pread(f, 0, 4))[0]
    if magic not in FAT:
        yield 0, size
        return
    n = struct.unpack(">I", pread(f, 4, 4))[0]
    wide = magic == 0xCAFEBABF
    entry = 32 if wide else 20
    for i in range(n):
        raw = pread(f, 8 + i * entry, entry)
        off, length = struct.unpack_from(">QQ" if wide else ">II", raw, 8)
        yield off, length


def code_signature(f, base):
    magic = pread(f, base, 4)
    order = {b"\xcf\xfa\xed\xfe": "<", b"\xce\xfa\xed\xfe": "<", b"\xfe\xed\xfa\xcf": ">", b"\xfe\xed\xfa\xce": ">"}.get(magic)
    if order is None:
        return None
    is64 = magic in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    ncmds, sizeofcmds = struct.unpack(order + "II", pread(f, base + 16, 8))
    cmds = pread(f, base + (32 if is64 else 28), sizeofcmds)
    at = 0
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from(order + "II", cmds, at)
        if cmd == LC_CODE_SIGNATURE:
            return struct.unpack_from(order + "II", cmds, at + 8)
        at += cmdsize
    return None


def check_directory(f, base, cd):
    flags, hash_offset, _ident, nspecial, ncode, code_limit = struct.unpack_from(">IIIIII", cd, 12)
    hash_size, hash_type, _platform, page_log2 = struct.unpack_from(">BBBB", cd, 36)
    version = struct.unpack_from(">I", cd, 8)[0]
    if version >= 0x20300 and len(cd) >= 64:
        code_limit = struct.unpack_from(">Q", cd, 56)[0] or code_limit
    name, size = HASHES[hash_type]
    assert size == hash_size
    page = (1 << page_log2) if page_log2 else code_limit
    ok = True
    for i in range(ncode):
        start = i * page
        data = pread(f, base + start, min(code_limit, start + page) - start)
        want = cd[hash_offset + i * hash_size: hash_offset + (i + 1) * hash_size]
        if hashlib.new(name, data).digest()[:hash_size] != want:
            ok = False
            break
    return name, hashlib.new(name, cd).hexdigest()[:40], ncode, ok


def main(paths):
    bad = False
    for path in paths:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            for index, (base, length) in enumerate(slices(f, size)):
                sig = code_signature(f, base)
                if sig is None:
                    print("%s  slice=%d unsigned" % (path, index))
                    continue
                dataoff, datasize = sig
                blob = pread(f, base + dataoff, datasize)
                count = struct.unpack_from(">I", blob, 8)[0]
                for n in range(count):
                    slot, offset = struct.unpack_from(">II", blob, 12 + n * 8)
                    magic, length_ = struct.unpack_from(">II", blob, offset)
                    if magic != 0xFADE0C02:
                        continue
                    name, cdhash, pages, ok = check_directory(f, base, blob[offset:offset + length_])
                    bad = bad or not ok
                    print("%s  slice=%d cd_slot=%#x hash=%s cdhash=%s pages=%d pages_ok=%s"
                          % (path, index, slot, name, cdhash, pages, "yes" if ok else "no"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
