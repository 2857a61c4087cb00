#!/usr/bin/env python3
"""make_catalog.py -- test-time helper for tools/make_catalog_samples.sh (standard library only).

  make_catalog.py ctl OUT SHA1:SHA256:NAME... [--random N]
      Writes the *contents octets* of a CertificateTrustList (szOID_CTL, 1.3.6.1.4.1.311.10.1) as
      MakeCat lays it out: subjectAlgorithm 1.3.6.1.4.1.311.12.1.2, member tags = upper-case hex
      of the Authenticode hash in UTF-16LE with a terminating NUL, each member carrying a
      CAT_NAMEVALUE "File" attribute and an SpcIndirectDataContent with the hash and algorithm.
      Each SHA1:SHA256:NAME gives two members (SHA-1 and SHA-256). --random N adds N members with
      deterministic random SHA-256 hashes. Signing the contents octets (openssl cms -binary) gives
      exactly the messageDigest Windows computes over the CTL (contents octets, as Authenticode).
  make_catalog.py winform IN.p7 OUT.cat
      Turns `openssl cms -sign` output (eContent wrapped in an OCTET STRING) into the form Windows
      writes (the CTL directly as [0] EXPLICIT SEQUENCE): the same bytes with tag 0x04 -> 0x30.
  make_catalog.py tamper IN.cat OUT.cat NAME
      Copies IN.cat changing one character of the UTF-16LE string NAME inside the signed content.
"""
import hashlib
import sys


def tlv(tag, value):
    n = len(value)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + value


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_of(*items):
    return tlv(0x31, b"".join(sorted(items)))


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def integer(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")
    return tlv(0x02, b)


OID_CATALOG_LIST = "1.3.6.1.4.1.311.12.1.1"
OID_CATALOG_MEMBER = "1.3.6.1.4.1.311.12.1.2"
OID_NAMEVALUE = "1.3.6.1.4.1.311.12.2.1"
OID_INDIRECT = "1.3.6.1.4.1.311.2.1.4"
OID_PE_IMAGE = "1.3.6.1.4.1.311.2.1.15"
OID_SHA1 = "1.3.14.3.2.26"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"


def member(digest, alg_oid, name):
    tag = (digest.hex().upper() + "\0").encode("utf-16-le")
    attrs = [
        seq(oid(OID_INDIRECT), set_of(seq(
            seq(oid(OID_PE_IMAGE), seq(tlv(0x03, b"\x00"), tlv(0xA0, tlv(0xA2, tlv(0x80, b""))))),
            seq(seq(oid(alg_oid), tlv(0x05, b"")), tlv(0x04, digest))))),
    ]
    if name:
        attrs.append(seq(oid(OID_NAMEVALUE), set_of(seq(
            tlv(0x1E, "File".encode("utf-16-be")), integer(0x10010001),
            tlv(0x04, (name + "\0").encode("utf-16-le"))))))
    return seq(tlv(0x04, tag), set_of(*attrs))


def ctl_contents(specs, random_count):
    members = []
    for spec in specs:
        sha1, sha256, name = spec.split(":", 2)
        members.append(member(bytes.fromhex(sha1), OID_SHA1, name))
        members.append(member(bytes.fromhex(sha256), OID_SHA256, name))
    for i in range(random_count):
        digest = hashlib.sha256(b"trustscan catalog member %d" % i).digest()
        members.append(member(digest, OID_SHA256, "file%05d.dll" % i))
    list_id = hashlib.sha1(b"".join(members)).digest()[:16]
    return b"".join([
        seq(oid(OID_CATALOG_LIST)),
        tlv(0x04, list_id),
        tlv(0x17, b"250101000000Z"),
        seq(oid(OID_CATALOG_MEMBER), tlv(0x05, b"")),
        seq(*members),
    ])


def read_tlv(data, pos):
    tag = data[pos]
    n = data[pos + 1]
    head = 2
    if n & 0x80:
        count = n & 0x7F
        if count == 0:
            raise ValueError("indefinite length: sign without -stream")
        n = int.from_bytes(data[pos + 2:pos + 2 + count], "big")
        head += count
    return tag, pos + head, n  # tag, start of value, length


def winform(data):
    data = bytearray(data)
    tag, v, _ = read_tlv(data, 0)            # ContentInfo
    assert tag == 0x30
    tag, v, n = read_tlv(data, v)            # contentType OID
    tag, v, _ = read_tlv(data, v + n)        # [0]
    assert tag == 0xA0
    tag, v, _ = read_tlv(data, v)            # SignedData
    assert tag == 0x30
    tag, p, n = read_tlv(data, v)            # version
    tag, p2, n = read_tlv(data, p + n)       # digestAlgorithms
    tag, e, _ = read_tlv(data, p2 + n)       # encapContentInfo
    assert tag == 0x30
    tag, p, n = read_tlv(data, e)            # eContentType
    tag, p, _ = read_tlv(data, p + n)        # [0]
    assert tag == 0xA0
    assert data[p] == 0x04, "eContent is not a primitive OCTET STRING"
    data[p] = 0x30
    return bytes(data)


def main(argv):
    if len(argv) >= 3 and argv[1] == "ctl":
        rest = argv[3:]
        count = 0
        if "--random" in rest:
            i = rest.index("--random")
            count = int(rest[i + 1])
            rest = rest[:i] + rest[i + 2:]
        open(argv[2], "wb").write(ctl_contents(rest, count))
    elif len(argv) == 4 and argv[1] == "winform":
        open(argv[3], "wb").write(winform(open(argv[2], "rb").read()))
    elif len(argv) == 5 and argv[1] == "tamper":
        data = open(argv[2], "rb").read()
        needle = argv[4].encode("utf-16-le")
        at = data.find(needle)
        if at < 0:
            raise SystemExit("tamper: name not found")
        changed = bytearray(data)
        changed[at] ^= 0x01
        open(argv[3], "wb").write(bytes(changed))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
