#!/usr/bin/python3
"""check_samples.py OUTDIR [SAMPLE...] -- prove that every sample of tools/make_hostile_samples.sh has exactly
the property its manifest row claims, with tools independent of trustscan: osslsigncode verify
(Authenticode and catalog signatures, per signature), openssl (certificates, chains, CMS module
signatures), readelf, python3-hivex (the hives) and small parsers written here (DER names, the
VS_VERSIONINFO, WIN_CERTIFICATE, the serialized certificate Blob). Run through
tools/check_hostile_samples.sh; exits 1 naming every sample that lost its property.

Each manifest row's `check` column is "NAME ARG..."; check_NAME(sample, root, *args) below.
With SAMPLEs (manifest `sample` paths) only those rows are checked.
Arguments that carry text use Python escapes (\\uXXXX, \\UXXXXXXXX; no spaces).
"""
import hashlib
import os
import re
import struct
import subprocess
import sys
import tempfile

import hivex  # python3-hivex (hence /usr/bin/python3)

OUT = ""
SCRATCH = ""
L_PREFIXES = ["", "vol1/", "evidence/vol1/", "case42/evidence/vol1/"]


class CheckFailed(Exception):
    pass


def need(cond, message):
    if not cond:
        raise CheckFailed(message)


def run(*cmd, ok=True):
    p = subprocess.run(cmd, capture_output=True)
    if ok and p.returncode != 0:
        raise CheckFailed(f"{' '.join(cmd)} failed: {p.stderr.decode(errors='replace')[-400:]}")
    return p


def ca(name):
    return os.path.join(OUT, "ca", name + ".pem")


def trust(name):
    d = os.path.join(OUT, "trust", name)
    return [os.path.join(d, f) for f in sorted(os.listdir(d))]


def bundle(paths):
    path = os.path.join(SCRATCH, "bundle-%d.pem" % len(os.listdir(SCRATCH)))
    with open(path, "wb") as out:
        for p in paths:
            out.write(open(p, "rb").read())
    return path


# ---------------------------------------------------------------- osslsigncode
def verify(path, anchors):
    """osslsigncode verify of every signature of `path` against the PEM files `anchors`: a list of
    {subject, ok, digest_ok, text, errors} in signature-index order (0 = primary)."""
    p = run("osslsigncode", "verify", "-CAfile", bundle(anchors), "-in", path, ok=False)
    text = p.stdout.decode(errors="replace")
    blocks = re.split(r"^Signature Index: \d+.*$", text, flags=re.M)[1:]
    sigs = []
    for b in blocks:
        subject = re.search(r"Signer's certificate:\s*-+\s*Signer #0:\s*Subject: (.*)", b)
        cur = re.search(r"Current message digest\s*: (\S+)", b)
        calc = re.search(r"Calculated message digest\s*: (\S+)", b)
        status = re.search(r"^Signature verification: (\w+)", b, flags=re.M)
        desc = re.search(r"Text description: (.*)", b)
        sigs.append({"subject": subject.group(1).strip() if subject else None,
                     "digest_ok": bool(cur and calc and cur.group(1) == calc.group(1)),
                     "ok": bool(status and status.group(1) == "ok"),
                     "program": desc.group(1).strip() if desc else None,
                     "errors": re.findall(r"Error: (.*)", b)})
    return sigs, text + p.stderr.decode(errors="replace")


def subject_line(pem):
    """The subject as X509_NAME_oneline writes it (what osslsigncode prints)."""
    out = run("openssl", "x509", "-in", pem, "-noout", "-subject", "-nameopt", "compat").stdout.decode()
    return out.strip().split("=", 1)[1]


def issuer_line(pem):
    out = run("openssl", "x509", "-in", pem, "-noout", "-issuer", "-nameopt", "compat").stdout.decode()
    return out.strip().split("=", 1)[1]


def subject_default(pem):
    """The subject in openssl's default form (as `openssl pkcs7 -print_certs` writes it)."""
    return run("openssl", "x509", "-in", pem, "-noout", "-subject").stdout.decode().strip().split("=", 1)[1]


def bag_subjects(path):
    """Subjects of the certificates in the primary signature's certificate bag (default form)."""
    sig = os.path.join(SCRATCH, "sig.der")
    run("osslsigncode", "extract-signature", "-in", path, "-out", sig)
    out = run("openssl", "pkcs7", "-inform", "DER", "-in", sig, "-print_certs", "-noout").stdout.decode()
    os.unlink(sig)
    return re.findall(r"^subject=(.*)$", out, flags=re.M)


def primary_signed_by(path, signer, anchors, total=1):
    sigs, log = verify(path, anchors)
    need(len(sigs) == total, f"{total} signature(s) expected, osslsigncode saw {len(sigs)}")
    need(sigs[0]["ok"] and sigs[0]["digest_ok"], "primary signature does not verify:\n" + log[-1500:])
    need(sigs[0]["subject"] == subject_line(ca(signer)), f"primary signer is {sigs[0]['subject']}, not {signer}")
    need(der(ca(signer)) in open(path, "rb").read(), f"the certificate of {signer} is not in the file")
    return sigs


def der(pem):
    return run("openssl", "x509", "-in", pem, "-outform", "DER").stdout


# ---------------------------------------------------------------- PE, DER, resources
def pe_info(path):
    out = run(sys.executable, os.path.join(os.path.dirname(__file__), "pe_edit.py"), "info", path).stdout.decode()
    return dict(line.split(" ", 1) for line in out.splitlines())


def authentihash(path):
    out = run(sys.executable, os.path.join(os.path.dirname(os.path.dirname(__file__)), "authentihash.py"), path)
    sha256, sha1, _ = out.stdout.decode().split("  ", 2)
    return bytes.fromhex(sha256), bytes.fromhex(sha1)


def tlv(data, pos):
    """(tag, value start, value length) of the DER element at pos."""
    tag, n = data[pos], data[pos + 1]
    head = 2
    if n & 0x80:
        count = n & 0x7F
        n = int.from_bytes(data[pos + 2:pos + 2 + count], "big")
        head += count
    return tag, pos + head, n


def children(data, start, length):
    out, pos = [], start
    while pos < start + length:
        tag, v, n = tlv(data, pos)
        out.append((tag, v, n))
        pos = v + n
    return out


def subject_attributes(pem):
    """[(oid bytes hex, string tag, text)] of a certificate's subject, from its DER."""
    der = run("openssl", "x509", "-in", pem, "-outform", "DER").stdout
    _, v, n = tlv(der, 0)
    tbs = children(der, *tlv(der, v)[1:])
    i = 1 if tbs[0][0] == 0xA0 else 0
    _, sv, sn = tbs[i + 4]  # serial, signature, issuer, validity, subject
    attrs = []
    for _, rv, rn in children(der, sv, sn):            # RDN SETs
        for _, av, an in children(der, rv, rn):        # AttributeTypeAndValue
            (_, ov, on), (tag, tv, tn) = children(der, av, an)
            raw = der[tv:tv + tn]
            text = raw.decode("utf-16-be") if tag == 0x1E else raw.decode("utf-8")
            attrs.append((der[ov:ov + on].hex(), tag, text))
    return attrs


OID_O, OID_CN = "55040a", "550403"


def version_string(path, key):
    """The value of `key` in the file's VS_VERSIONINFO StringTable (String: wLength, wValueLength
    in UTF-16 units, wType, szKey, padding to 32 bits, value)."""
    data = open(path, "rb").read()
    needle = (key + "\0").encode("utf-16-le")
    hits = [m.start() for m in re.finditer(re.escape(needle), data)]
    need(len(hits) == 1, f"{len(hits)} '{key}' strings in the version resource")
    start = hits[0] - 6
    _, value_len, wtype = struct.unpack_from("<HHH", data, start)
    need(wtype == 1, "String is not text")
    value = hits[0] + len(needle)
    value += -(value - start) % 4
    return data[value:value + 2 * value_len].decode("utf-16-le").rstrip("\0")


def decode_arg(arg):
    return arg.encode().decode("unicode_escape")


# ---------------------------------------------------------------- hives
def hive_node(h, path):
    node = h.root()
    for part in path:
        node = h.node_get_child(node, part)
        if node is None:
            return None
    return node


def hive_value(h, node, name):
    v = h.node_get_value(node, name)
    need(v is not None, f"registry value {name} missing")
    return h.value_value(v)


def blob_certificate(blob):
    """The DER certificate (property 32) of a serialized certificate store element."""
    pos, found = 0, None
    while pos + 12 <= len(blob):
        prop, reserved, length = struct.unpack_from("<III", blob, pos)
        need(reserved == 1, "Blob property with reserved != 1")
        if prop == 32:
            found = blob[pos + 12:pos + 12 + length]
        pos += 12 + length
    need(pos == len(blob), "Blob properties do not end at the end of the Blob")
    need(found is not None, "Blob has no CERT_CERT_PROP_ID (32) property")
    return found


def windows_dir(root, depth):
    return os.path.join(root, L_PREFIXES[int(depth)] + "Windows")


def service(root, name, windows="Windows"):
    h = hivex.Hivex(os.path.join(root, windows, "System32", "config", "SYSTEM"))
    node = hive_node(h, ["ControlSet001", "Services", name])
    need(node is not None, f"service {name} not in the SYSTEM hive")
    typ = struct.unpack("<I", hive_value(h, node, "Type")[1])[0]
    start = struct.unpack("<I", hive_value(h, node, "Start")[1])[0]
    path = hive_value(h, node, "ImagePath")[1].decode("utf-16-le").rstrip("\0")
    return typ, start, path


# ---------------------------------------------------------------- the checks
def check_signed(sample, root, signer, decoys):
    """Primary signature by `signer` valid under the hostile root; `decoys` more signatures, each
    self-signed "O=Microsoft Corporation", intact (valid against its own certificate), untrusted."""
    n = int(decoys)
    sigs = primary_signed_by(sample, signer, trust("hostile"), 1 + n)
    for s in sigs[1:]:
        need(not s["ok"] and s["digest_ok"], "decoy signature verifies or its digest is broken")
        need("/O=Microsoft Corporation/" in s["subject"], f"decoy signer {s['subject']}")
        need(any("self-signed" in e for e in s["errors"]), "decoy not rejected as self-signed")
    if n:
        decoys_pem = [ca(f"decoys/decoy-{i}") for i in range(1, n + 1)]
        sigs, log = verify(sample, trust("hostile") + decoys_pem)
        need(all(s["ok"] for s in sigs), "a decoy signature is not intact:\n" + log[-1500:])
        need(len({s["subject"] for s in sigs[1:]}) == n, "decoy signer names are not distinct")


def catalog_files(root):
    found = []
    for dirpath, _, files in os.walk(root):
        found += [os.path.join(dirpath, f) for f in files if f.endswith(".cat")]
    return sorted(found)


def check_catalog_lists(cat, sample, signer_pem, anchors_ok, anchors_bad):
    sha256, sha1 = authentihash(sample)
    data = open(cat, "rb").read()
    for digest in (sha256, sha1):
        need(digest in data and (digest.hex().upper() + "\0").encode("utf-16-le") in data,
             f"{os.path.basename(cat)} does not list {os.path.basename(sample)}")
    run("openssl", "pkcs7", "-inform", "DER", "-in", cat, "-noout")
    good, log = verify(cat, anchors_ok)
    need(len(good) == 1 and good[0]["ok"], f"{cat} is not intact:\n" + log[-1500:])
    need(good[0]["subject"] == subject_line(signer_pem), f"{cat} signed by {good[0]['subject']}")
    if anchors_bad is not None:
        bad, _ = verify(cat, anchors_bad)
        need(len(bad) == 1 and not bad[0]["ok"], f"{cat} verifies against the real anchors")


def check_catalogs(sample, root, signer, count, cat_signer=None):
    """The embedded signature is intact (signer, no decoys); the image's CatRoot holds `count`
    catalogs listing the file, each intact under its own (untrusted) chain and not trusted."""
    n = int(count)
    primary_signed_by(sample, signer, trust("hostile"))
    cats = catalog_files(os.path.join(root, "Windows", "System32", "CatRoot"))
    need(len(cats) == n, f"{len(cats)} catalogs, expected {n}")
    for cat in cats:
        if cat_signer is None:  # a decoy: find which by its file name oemN.cat
            i = int(re.search(r"oem(\d+)\.cat$", cat).group(1))
            pem, chain = ca(f"decoys/decoy-{i}"), [ca(f"decoys/decoy-{i}")]
            need("/O=Microsoft Corporation/" in subject_line(pem), "decoy catalog signer is not 'Microsoft'")
        else:
            pem = ca(cat_signer)
            chain = [pem] if cat_signer.endswith("-self") else [ca("untrusted-root")]
            need("/O=AO Kaspersky Lab/" in subject_line(pem), "catalog signer does not claim Kaspersky")
        check_catalog_lists(cat, sample, pem, chain, trust("hostile") + trust("microsoft"))


def check_nested(sample, root, signer, nested):
    """A valid primary signature by `signer` and one nested signature by `nested` that is intact
    but does not chain to any test anchor."""
    sigs = primary_signed_by(sample, signer, trust("hostile"), 2)
    need(not sigs[1]["ok"] and sigs[1]["digest_ok"], "nested signature verifies or is broken")
    need(sigs[1]["subject"] == subject_line(ca(nested)), f"nested signer is {sigs[1]['subject']}")
    own = [ca(nested)] if nested.endswith("-self") else [ca("untrusted-root")]
    sigs, log = verify(sample, trust("hostile") + own)
    need(all(s["ok"] for s in sigs), "nested signature is not intact under its own chain:\n" + log[-1500:])


def module_parts(sample):
    data = open(sample, "rb").read()
    magic = b"~Module signature appended~\n"
    need(data.endswith(magic), "no module signature trailer")
    sig_len = struct.unpack(">I", data[-len(magic) - 4:-len(magic)])[0]
    id_type = data[-len(magic) - 12 + 2]
    need(id_type == 2, "module signature is not PKCS#7")
    content_end = len(data) - len(magic) - 12 - sig_len
    return data[:content_end], data[content_end:content_end + sig_len]


def rule_tokens():
    """The strings of the Kaspersky_ScanEngineSdk rule (rules/vendors/kaspersky.yar) and how many
    the rule needs: the sample must keep matching the project's own rule."""
    text = open(os.path.join(os.path.dirname(__file__), "..", "..", "rules", "vendors", "kaspersky.yar")).read()
    body = text[text.index("rule Kaspersky_ScanEngineSdk"):]
    body = body[:body.index("\n}")]
    tokens = re.findall(r'\$kav\d+ = "([^"]+)" ascii', body)
    count = int(re.search(r"and (\d+) of them", body).group(1))
    need(tokens and count, "Kaspersky_ScanEngineSdk rule not understood")
    return tokens, count


def check_module_common(sample, intree):
    out = run("readelf", "-hSW", sample).stdout.decode()
    need(re.search(r"Type:\s+REL", out) and ".modinfo" in out and ".gnu.linkonce.this_module" in out,
         "not a kernel-module-shaped ELF relocatable")
    modinfo = run("readelf", "-p", ".modinfo", sample).stdout.decode()
    need(("intree=Y" in modinfo) == intree, f"intree=Y {'missing' if intree else 'present'}")
    data = open(sample, "rb").read()
    tokens, count = rule_tokens()
    found = [t for t in tokens if t.encode() in data]
    need(len(found) >= count, f"only {found} of the rule's strings")


def check_module_claims(sample, root):
    """intree=Y, the rule's strings, and a PKCS#7 module signature that is intact (verifies with the
    generated key) whose signer is named "Build time autogenerated kernel key"."""
    check_module_common(sample, True)
    content, sig = module_parts(sample)
    cpath, spath = os.path.join(SCRATCH, "module"), os.path.join(SCRATCH, "module.p7s")
    open(cpath, "wb").write(content)
    open(spath, "wb").write(sig)
    printed = run("openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", spath).stdout.decode()
    need("CN=Build time autogenerated kernel key" in printed, "signer is not the autogenerated key name")
    need(re.search(r"certificates:\s*<ABSENT>", printed), "certificates embedded (sign-file embeds none)")
    run("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", spath, "-content", cpath,
        "-certfile", ca("kernel-key"), "-CAfile", ca("kernel-key"), "-purpose", "any", "-out", "/dev/null")


def check_module_plain(sample, root):
    check_module_common(sample, False)
    need(not open(sample, "rb").read().endswith(b"~Module signature appended~\n"), "module is signed")


def check_lookalike_cert(sample, root, ident, arg):
    """Signed, valid under the hostile root, by a certificate whose O and CN are exactly the
    look-alike text (UTF8String), which is not the plain ASCII name."""
    text = decode_arg(arg)
    need(text != "AO Kaspersky Lab" and any(ord(c) > 0x7E for c in text), "not a look-alike")
    pem = ca(f"lookalike-{ident}")
    primary_signed_by(sample, f"lookalike-{ident}", trust("hostile"))
    attrs = {oid: (tag, value) for oid, tag, value in subject_attributes(pem)}
    for oid in (OID_O, OID_CN):
        need(attrs.get(oid) == (0x0C, text), f"subject {oid} is {attrs.get(oid)!r}, expected {text!r}")


def check_lookalike_version(sample, root, arg):
    """Unsigned; VS_VERSIONINFO CompanyName is exactly the text."""
    text = decode_arg(arg)
    need(pe_info(sample)["cert_size"] == "0", "sample is signed")
    got = version_string(sample, "CompanyName")
    need(got == text, f"CompanyName {got!r}, expected {text!r}")


def check_selfsigned(sample, root, signer):
    """One signature, intact (valid against its own certificate), self-signed, untrusted."""
    sigs, _ = verify(sample, trust("hostile") + trust("microsoft"))
    need(len(sigs) == 1 and not sigs[0]["ok"] and sigs[0]["digest_ok"], "not an intact, untrusted signature")
    need(sigs[0]["subject"] == subject_line(ca(signer)), "unexpected signer")
    sigs, log = verify(sample, [ca(signer)])
    need(sigs[0]["ok"], "self-signed signature is not intact:\n" + log[-1500:])
    need(subject_line(ca(signer)) == issuer_line(ca(signer)), "certificate is not self-issued")


def check_kernel_traits(sample, root):
    """Native subsystem, WDM_DRIVER, an INIT section, no imports, a .dll name; validly signed."""
    info = pe_info(sample)
    need(info["subsystem"] == "1", "subsystem is not native")
    need(int(info["dll_characteristics"], 16) & 0x2000, "no IMAGE_DLLCHARACTERISTICS_WDM_DRIVER")
    need("INIT" in info["sections"].split(","), "no INIT section")
    need(info["imports"] == "-", f"imports {info['imports']}")
    need(sample.endswith(".dll"), "not named .dll")
    primary_signed_by(sample, "kaspersky", trust("hostile"))


def check_service_only(sample, root, name):
    """Nothing in the file says driver (not native, no WDM_DRIVER, no INIT, no imports, no driver
    extension); a kernel-driver service of the image loads it; validly signed."""
    info = pe_info(sample)
    need(info["subsystem"] != "1" and not int(info["dll_characteristics"], 16) & 0x2000, "has driver headers")
    need("INIT" not in info["sections"].split(",") and info["imports"] == "-", "INIT section or imports")
    need(os.path.splitext(sample)[1] not in (".sys", ".dll", ".exe", ".efi"), "has a binary extension")
    typ, start, path = service(root, name)
    need(typ == 1 and start <= 2, f"service Type {typ} Start {start}")
    rel = os.path.relpath(sample, os.path.join(root, "Windows")).replace("/", "\\").lower()
    need(path.lower() == "\\systemroot\\" + rel, f"ImagePath {path} is not the sample")
    primary_signed_by(sample, "kaspersky", trust("hostile"))


def check_ev_signed(sample, root, count):
    """`count` signatures, all valid under the hostile and test Microsoft roots; one by the EV leaf
    (C=CN, jurisdictionC/ST/L, serialNumber, businessCategory, EV policy); with 2, the other is the
    test WHCP signer (its EKUs) and carries the program name."""
    sigs, log = verify(sample, trust("hostile") + trust("microsoft"))
    need(len(sigs) == int(count) and all(s["ok"] for s in sigs), "signatures do not all verify:\n" + log[-1500:])
    ev = subject_line(ca("ev-leaf"))
    need(ev in [s["subject"] for s in sigs] and der(ca("ev-leaf")) in open(sample, "rb").read(), "no EV signature")
    attrs = {oid for oid, _, _ in subject_attributes(ca("ev-leaf"))}
    for oid in ("2b0601040182373c020103", "2b0601040182373c020102", "2b0601040182373c020101",  # jurisdictionC/ST/L
                "550405", "55040f", "550406"):                                                # serialNumber, businessCategory, C
        need(oid in attrs, f"EV subject lacks {oid}")
    need("2.23.140.1.3" in run("openssl", "x509", "-in", ca("ev-leaf"), "-noout", "-ext",
                               "certificatePolicies").stdout.decode(), "no EV policy OID")
    if int(count) == 2:
        whcp = [s for s in sigs if s["subject"] == subject_line(ca("whcp"))]
        need(len(whcp) == 1 and whcp[0]["program"] == "Shenzhen Example Kernel Technology Co., Ltd.",
             "no WHCP signature with the program name")
        eku = run("openssl", "x509", "-in", ca("whcp"), "-noout", "-ext", "extendedKeyUsage").stdout.decode()
        need("1.3.6.1.4.1.311.10.3.5" in eku and "Code Signing" in eku, f"WHCP EKUs: {eku}")


def check_trailing(sample, root, count):
    """The certificate table ends `count` bytes before the end of the file; osslsigncode rejects
    the file, and accepts it without those bytes."""
    n = int(count)
    info = pe_info(sample)
    need(int(info["cert_offset"]) + int(info["cert_size"]) + n == int(info["file_size"]), "no trailing bytes")
    _, log = verify(sample, trust("hostile"))
    need("not at the end of the file" in log, "osslsigncode does not see the trailing data")
    cut = os.path.join(SCRATCH, "cut.sys")
    open(cut, "wb").write(open(sample, "rb").read()[:-n])
    primary_signed_by(cut, "contoso", trust("hostile"))


def check_padding(sample, root, count):
    """The one WIN_CERTIFICATE holds at least `count` bytes after the PKCS#7 DER (dwLength and the
    directory size include them); the signature still verifies."""
    info = pe_info(sample)
    entries = info["win_certificates"].split(",")
    need(len(entries) == 1, "not one WIN_CERTIFICATE")
    offset, length = (int(x) for x in entries[0].split(":")[:2])
    data = open(sample, "rb").read()
    _, v, n = tlv(data, offset + 8)
    slack = length - 8 - (v + n - offset - 8)
    need(slack >= int(count), f"only {slack} bytes of padding inside the entry")
    need(int(info["cert_offset"]) + int(info["cert_size"]) == len(data), "table does not end the file")
    primary_signed_by(sample, "contoso", trust("hostile"))


def check_intermediate_eku(sample, root, kind):
    """The leaf (codeSigning) chains to the hostile root through int-KIND, whose EKU extension is
    serverAuth only / codeSigning / absent, and which is the one intermediate in the bag."""
    eku = run("openssl", "x509", "-in", ca(f"int-{kind}"), "-noout", "-ext", "extendedKeyUsage").stdout.decode()
    want = {"serverauth": "TLS Web Server Authentication", "codesign": "Code Signing", "noeku": ""}[kind]
    lines = [l.strip() for l in eku.splitlines()[1:]]
    need(lines == ([want] if want else []), f"intermediate EKU {lines}")
    subjects = bag_subjects(sample)
    need(subject_default(ca(f"int-{kind}")) in subjects, f"int-{kind} not in the signature's bag: {subjects}")
    need(sum("Intermediate CA" in s for s in subjects) == 1, "more than one intermediate in the bag")
    # osslsigncode (OpenSSL) builds the chain leaf -> int-KIND -> root and accepts all three:
    # it does not apply a CA's EKUs to the chain, as Windows does.
    sigs, log = verify(sample, trust("hostile"))
    need(len(sigs) == 1 and sigs[0]["ok"] and sigs[0]["digest_ok"], "no valid chain:\n" + log[-1500:])
    chain = log[log.index("Signing certificate chain verified using"):]
    need("Subject: " + subject_line(ca(f"int-{kind}")) in chain, f"chain does not pass through int-{kind}")


def cert_dates(pem):
    out = run("openssl", "x509", "-in", pem, "-noout", "-startdate", "-dateopt", "iso_8601").stdout.decode()
    return out.split("=", 1)[1].strip()


def check_kernel_shape(sample, root, shape, year=None):
    if shape == "whcp":
        sigs = primary_signed_by(sample, "whcp", trust("microsoft"))
        bag = bag_subjects(sample)
        need(any("Microsoft Windows Third Party Component CA 2014" in s for s in bag), "3rd-party CA not in the bag")
        issuer = run("openssl", "x509", "-in", ca("whcp"), "-noout", "-issuer").stdout.decode()
        need("Microsoft Windows Third Party Component CA 2014" in issuer, "WHCP leaf has another issuer")
        root_subject = subject_line(os.path.join(OUT, "trust", "microsoft", "root-certificate-authority-2010.pem"))
        need(root_subject.endswith("Microsoft Root Certificate Authority 2010"), root_subject)
        need(sigs[0]["program"], "no program name")
    elif shape == "cross":
        sigs = primary_signed_by(sample, f"xv-leaf-{year}", [p for p in trust("microsoft")
                                                            if "code-verification" in p])
        start = cert_dates(ca(f"xv-leaf-{year}"))
        need(start.startswith(f"{year}-06-01"), f"leaf notBefore {start}")
        need((start < "2015-07-29") == (year == "2014"), "leaf on the wrong side of 2015-07-29")
        bag = bag_subjects(sample)
        cross = subject_line(ca("xv-cross"))
        need(len(bag) == 3, f"bag {bag}")
        issuer = run("openssl", "x509", "-in", ca("xv-cross"), "-noout", "-issuer").stdout.decode()
        need("Microsoft Code Verification Root" in issuer and "Example Trust Services Root CA" in cross,
             "cross-certificate is not MCVR -> vendor root")
        # The same signature also chains to the vendor's own root (user-mode Authenticode's view).
        primary_signed_by(sample, f"xv-leaf-{year}", trust("crossvendor"))
        bad, _ = verify(sample, trust("hostile"))
        need(not bad[0]["ok"], "chains to an unrelated anchor")
    elif shape == "test":
        sigs, log = verify(sample, trust("wdk"))
        need(len(sigs) == 1 and sigs[0]["ok"], "test signature does not verify under its own root:\n" + log[-1500:])
        pem = trust("wdk")[0]
        cn = [value for oid, _, value in subject_attributes(pem) if oid == OID_CN]
        need(cn == ["WDKTestCert builder,133476543210987654"], f"not a WDKTestCert: {cn}")
        need(subject_line(pem) == issuer_line(pem), "WDKTestCert is not self-issued")
        bad, _ = verify(sample, trust("hostile") + trust("microsoft"))
        need(not bad[0]["ok"], "test signature trusted by a production anchor")
    else:
        raise CheckFailed(f"unknown shape {shape}")


def image_files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def check_catroot_only(sample, root, depth):
    """The Windows directory lies `depth` levels below the scan root; there are no hives (except in
    the l-hives controls); CatRoot holds one catalog, valid under the hostile root, listing the
    unsigned driver."""
    win = windows_dir(root, depth)
    need(os.path.isdir(win) and sample.startswith(win + "/"), "Windows directory not at that depth")
    hives = os.path.isfile(os.path.join(win, "System32", "config", "SYSTEM"))
    need(hives == ("/l-hives-" in root), "hives present" if hives else "hives missing")
    need(pe_info(sample)["cert_size"] == "0", "driver is signed")
    cats = catalog_files(os.path.join(win, "System32", "CatRoot"))
    need(len(cats) == 1, f"{len(cats)} catalogs")
    check_catalog_lists(cats[0], sample, ca("contoso"), trust("hostile"), trust("microsoft"))


def check_ntoskrnl_only(sample, root, depth):
    win = windows_dir(root, depth)
    rel = os.path.relpath(os.path.join(win, "System32", "ntoskrnl.exe"), root)
    need(image_files(root) == [rel], f"image holds {image_files(root)}")
    need(pe_info(sample)["subsystem"] == "1", "ntoskrnl.exe is not a native image")


def check_image_store(sample, root, variant):
    """The SOFTWARE hive's certificate stores hold exactly what the variant says (each entry under
    its SHA-1, the Blob's property 32 = the certificate's DER); the driver chains to the image-only
    root and to no test anchor; a kernel service loads it."""
    certs = {name: der(ca(name)) for name in ("image-root", "image-leaf")}
    want = {"none": [], "root": [(False, "ROOT", "image-root")],
            "disallowed-root": [(False, "ROOT", "image-root"), (False, "Disallowed", "image-root")],
            "disallowed-leaf": [(False, "ROOT", "image-root"), (False, "Disallowed", "image-leaf")],
            "policies-root": [(True, "ROOT", "image-root")],
            "policies-disallowed-root": [(False, "ROOT", "image-root"), (True, "Disallowed", "image-root")]}[variant]
    h = hivex.Hivex(os.path.join(root, "Windows", "System32", "config", "SOFTWARE"))
    found = []
    for policies in (False, True):
        stores = hive_node(h, (["Policies"] if policies else []) + ["Microsoft", "SystemCertificates"])
        for store in (h.node_children(stores) if stores else []):
            node = h.node_get_child(store, "Certificates")
            for entry in (h.node_children(node) if node else []):
                blob = blob_certificate(hive_value(h, entry, "Blob")[1])
                need(h.node_name(entry) == hashlib.sha1(blob).hexdigest().upper(), "key is not the SHA-1")
                name = next((n for n, d in certs.items() if d == blob), None)
                need(name is not None, "unknown certificate in a store")
                found.append((policies, h.node_name(store), name))
    need(sorted(found) == sorted(want), f"stores hold {found}, expected {want}")
    sigs, log = verify(sample, [ca("image-root")])
    need(len(sigs) == 1 and sigs[0]["ok"], "driver does not chain to the image root:\n" + log[-1500:])
    for anchors in ("hostile", "microsoft", "crossvendor", "wdk"):
        need(not verify(sample, trust(anchors))[0][0]["ok"], f"driver chains to trust/{anchors}")
    typ, start, _ = service(root, "wgfilter")
    need(typ == 1 and start == 1, "wgfilter is not a system-start kernel driver")


def run_checks(manifest, only):
    failures, rows = [], 0
    with open(manifest, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        need(header == ["sample", "root", "class", "real", "claimed", "trust", "options", "check", "expected"],
             "bad header")
        for line in f:
            cols = line.rstrip("\n").split("\t")
            sample, root, check = cols[0], cols[1], cols[7].split()
            if only and sample not in only:
                continue
            rows += 1
            root = os.path.join(OUT, sample if root == "-" else root)
            try:
                globals()["check_" + check[0]](os.path.join(OUT, sample), root, *check[1:])
            except (CheckFailed, OSError, KeyError, ValueError, IndexError, AttributeError,
                    subprocess.SubprocessError, RuntimeError) as e:
                failures.append(f"{sample}: {check[0]}: {type(e).__name__}: {e}")
    return rows, failures


def main(argv):
    global OUT, SCRATCH
    if len(argv) < 2:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    OUT = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory() as scratch:
        SCRATCH = scratch
        rows, failures = run_checks(os.path.join(OUT, "MANIFEST.tsv"), set(argv[2:]))
    print(f"check_hostile_samples: {rows - len(failures)} of {rows} samples have their property")
    if len(argv) > 2 and rows != len(set(argv[2:])):
        failures.append(f"{len(set(argv[2:])) - rows} of the given samples are not in the manifest")
    for f in failures:
        print("check_hostile_samples: FAIL " + f, file=sys.stderr)
    return 1 if failures or rows == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
