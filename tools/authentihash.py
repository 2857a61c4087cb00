#!/usr/bin/env python3
"""authentihash.py FILE... -- independent Authenticode image hash, for cross-checking trustscan.

Prints "<sha256>  <sha1>  <path>" per PE file ("-" for non-PE files), computed with nothing but
the standard library, following the same rules as osslsigncode 2.9 (docs/authenticode.md):

  * hash [0, CheckSum) and [CheckSum + 4, certificate-table directory entry)
  * skip the 8-byte certificate-table directory entry
  * hash up to the start of the certificate table if there is one, else to the end of the file,
    then (unsigned files only) zero bytes up to the next multiple of 8.

Offsets come straight from the headers, not from trustscan's parser, so the check is independent.
"""
import hashlib
import struct
import sys


def layout(data):
    """(checksum_offset, security_entry_offset, cert_offset, cert_size) or None if not a PE."""
    if len(data) < 0x40 or data[:2] != b"MZ":
        return None
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if pe + 26 > len(data) or data[pe:pe + 4] != b"PE\0\0":
        return None
    opt = pe + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    if magic not in (0x10B, 0x20B):
        return None
    security = opt + (112 if magic == 0x20B else 96) + 4 * 8
    if security + 8 > len(data):
        return None
    cert_off, cert_size = struct.unpack_from("<II", data, security)
    return opt + 64, security, cert_off, cert_size


def authentihash(data):
    lay = layout(data)
    if lay is None:
        return None
    checksum, security, cert_off, cert_size = lay
    signed = cert_off != 0 and cert_size != 0
    if signed and (cert_off < security + 8 or cert_off + cert_size > len(data)):
        return None  # malformed certificate table
    end = cert_off if signed else len(data)
    pieces = [data[:checksum], data[checksum + 4:security], data[security + 8:end]]
    if not signed and len(data) % 8:
        pieces.append(b"\0" * (8 - len(data) % 8))
    sha256, sha1 = hashlib.sha256(), hashlib.sha1()
    for piece in pieces:
        sha256.update(piece)
        sha1.update(piece)
    return sha256.hexdigest(), sha1.hexdigest()


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    for path in paths:
        with open(path, "rb") as f:
            result = authentihash(f.read())
        if result is None:
            print("-  -  " + path)
        else:
            print(f"{result[0]}  {result[1]}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
