#!/usr/bin/env python3
"""pe_edit.py -- hostile edits of a signed PE for tools/make_hostile_samples.sh (standard library only).

  pe_edit.py trailing IN OUT N
      OUT = IN + N bytes after the certificate table (the table's directory entry and its
      WIN_CERTIFICATE are left as they are): data outside every hashed range that Authenticode
      does not cover, which osslsigncode rejects ("PE signature not at the end of the file").
  pe_edit.py pad IN OUT N
      CVE-2013-3900 padding: N bytes appended *inside* the last WIN_CERTIFICATE entry, its
      dwLength and the certificate-table directory size grown by N. The PKCS#7 blob is unchanged
      (DER carries its own length), so a verifier that ignores the entry's slack calls it valid;
      Windows with EnableCertPaddingCheck does not.
  pe_edit.py info FILE
      Prints the facts the property checks need, one "key value" per line: subsystem,
      dll_characteristics, characteristics, sections, imports (DLL names), cert_offset,
      cert_size, file_size, win_certificates (offset:dwLength:revision:type per entry).

N bytes are deterministic (a repeated marker), so two runs give the same file. Both edits
recompute the optional header's CheckSum (excluded from the Authenticode hash), so the edit is the
file's only defect.
"""
import struct
import sys


def headers(data):
    """(pe offset, optional-header offset, magic, data-directory offset) of a PE image."""
    if data[:2] != b"MZ":
        raise SystemExit("not a PE file (no MZ)")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe:pe + 4] != b"PE\0\0":
        raise SystemExit("not a PE file (no PE signature)")
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + (112 if magic == 0x20B else 96)
    return pe, opt, magic, dirs


def cert_dir(data):
    _, _, _, dirs = headers(data)
    entry = dirs + 4 * 8  # IMAGE_DIRECTORY_ENTRY_SECURITY
    off, size = struct.unpack_from("<II", data, entry)
    return entry, off, size


def with_checksum(data):
    """`data` with the PE CheckSum field recomputed (16-bit one's-complement-style sum of the file
    with the field taken as zero, folded, plus the file length; as IMAGEHLP's CheckSumMappedFile)."""
    _, opt, _, _ = headers(data)
    out = bytearray(data)
    struct.pack_into("<I", out, opt + 64, 0)
    padded = bytes(out) + b"\0" * (len(out) % 2)
    total = 0
    for (word,) in struct.iter_unpack("<H", padded):
        total += word
        total = (total & 0xFFFF) + (total >> 16)
    struct.pack_into("<I", out, opt + 64, (total & 0xFFFF) + len(data))
    return bytes(out)


def marker(n):
    unit = b"trustscan hostile sample padding "
    return (unit * (n // len(unit) + 1))[:n]


def trailing(data, n):
    _, off, size = cert_dir(data)
    if not off or off + size != len(data):
        raise SystemExit("trailing: the certificate table is not at the end of the file")
    return with_checksum(data + marker(n))


def pad(data, n):
    entry, off, size = cert_dir(data)
    if not off or off + size != len(data):
        raise SystemExit("pad: the certificate table is not at the end of the file")
    # Walk the entries (8-byte aligned) to the last one, which ends the table.
    pos, last = off, None
    while pos < off + size:
        length = struct.unpack_from("<I", data, pos)[0]
        if length < 8:
            raise SystemExit("pad: malformed WIN_CERTIFICATE")
        last = pos
        pos += (length + 7) & ~7
    length = struct.unpack_from("<I", data, last)[0]
    out = bytearray(data[:last + length]) + marker(n)
    out += b"\0" * (-len(out) % 8)  # keep the table quadword-aligned, as the format requires
    struct.pack_into("<I", out, last, length + n)
    struct.pack_into("<II", out, entry, off, len(out) - off)
    return with_checksum(bytes(out))


def rva_to_offset(sections, rva):
    for _, va, vsize, raw, rawsize in sections:
        if va <= rva < va + max(vsize, rawsize):
            return raw + rva - va
    return None


def info(data):
    pe, opt, magic, dirs = headers(data)
    nsec, = struct.unpack_from("<H", data, pe + 6)
    chars, = struct.unpack_from("<H", data, pe + 22)
    optsize, = struct.unpack_from("<H", data, pe + 20)
    subsystem, dllchars = struct.unpack_from("<HH", data, opt + 68)
    sections = []
    for i in range(nsec):
        s = pe + 24 + optsize + 40 * i
        name = data[s:s + 8].rstrip(b"\0").decode("latin-1")
        vsize, va, rawsize, raw = struct.unpack_from("<IIII", data, s + 8)
        sections.append((name, va, vsize, raw, rawsize))
    imp_rva, _ = struct.unpack_from("<II", data, dirs + 8)
    imports = []
    pos = rva_to_offset(sections, imp_rva) if imp_rva else None
    while pos is not None:
        name_rva = struct.unpack_from("<I", data, pos + 12)[0]
        if not name_rva:
            break
        n = rva_to_offset(sections, name_rva)
        imports.append(data[n:data.index(b"\0", n)].decode("latin-1"))
        pos += 20
    _, off, size = cert_dir(data)
    entries, pos = [], off
    while off and pos + 8 <= off + size:
        length, rev, typ = struct.unpack_from("<IHH", data, pos)
        entries.append(f"{pos}:{length}:{rev:#x}:{typ:#x}")
        if length < 8:
            break
        pos += (length + 7) & ~7
    print("subsystem", subsystem)
    print("dll_characteristics", hex(dllchars))
    print("characteristics", hex(chars))
    print("sections", ",".join(s[0] for s in sections))
    print("imports", ",".join(imports) or "-")
    print("cert_offset", off)
    print("cert_size", size)
    print("file_size", len(data))
    print("win_certificates", ",".join(entries) or "-")


def main(argv):
    if len(argv) == 5 and argv[1] in ("trailing", "pad"):
        data = open(argv[2], "rb").read()
        out = (trailing if argv[1] == "trailing" else pad)(data, int(argv[4]))
        open(argv[3], "wb").write(out)
    elif len(argv) == 3 and argv[1] == "info":
        info(open(argv[2], "rb").read())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
