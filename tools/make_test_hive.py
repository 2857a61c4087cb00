#!/usr/bin/python3
"""Build a minimal Windows SYSTEM hive for the registry tests (issue 6), without Windows.

Usage: make_test_hive.py OUTDIR [--image | --spec SPEC.json]   -> writes OUTDIR/SYSTEM and OUTDIR/SOFTWARE

--image writes the services of the test Windows image (tools/make_windows_image.sh) instead of
the registry unit tests' set.
--spec writes the hives a JSON file describes (tools/make_hostile_samples.sh):
  {"computer_name": "NAME",
   "services": [{"name": "drv", "type": 1, "start": 3, "image_path": "System32\\drivers\\drv.sys",
                 "group": "...", "display_name": "..."}],          (optional keys: group, display_name)
   "certificates": [{"store": "ROOT", "policies": false, "der": "cert.der", "friendly_name": "..."}]}
  Each certificate goes to SOFTWARE\Microsoft\SystemCertificates\STORE\Certificates\<SHA-1>\Blob
  (or SOFTWARE\Policies\Microsoft\SystemCertificates\... with "policies": true) as Windows
  serializes a certificate store element (CertSerializeCertificateStoreElement, [MS-GPEF]
  2.2.1.1.1): properties {PropertyID u32, Reserved u32 = 1, Length u32, Value}, here SHA1_HASH (3)
  and FRIENDLY_NAME (11, UTF-16LE with NUL), then the certificate itself as property
  CERT_CERT_PROP_ID (32) holding its DER encoding.

hivex can edit a hive but cannot create one from nothing, so this script first writes the
smallest hive hivex accepts (stdlib only), then adds keys and values with python3-hivex
(Debian package python3-hivex; hence /usr/bin/python3, not a venv interpreter).

Empty hive layout (all integers little-endian; offsets of cells are relative to the first hbin):
  0x0000 regf base block, 4096 bytes: signature, sequence numbers, version 1.3, root cell
         offset, size of the hbin data, checksum (XOR of the first 127 dwords) at 0x1FC.
  0x1000 one hbin of 4096 bytes: 32-byte header, then cells. A cell is an int32 size
         (negative = allocated) followed by its record:
           root "nk" record (key node, flags HIVE_ENTRY|NO_DELETE|COMP_NAME, no subkeys/values)
           "sk" record (security descriptor, referenced by root; hivex copies it to new keys)
           one free cell filling the rest of the bin (hivex walks every cell of a bin).
"""
import hashlib
import json
import os
import struct
import sys

import hivex  # python3-hivex

PAGE = 0x1000
HBIN_HEADER = 0x20
NONE = 0xFFFFFFFF
FILETIME_2020 = 132223104000000000  # 2020-01-01, any fixed value keeps the output reproducible


def cell(record: bytes) -> bytes:
    """An allocated cell: negative size including the 4-byte size field, 8-byte aligned."""
    size = (4 + len(record) + 7) & ~7
    return struct.pack("<i", -size) + record.ljust(size - 4, b"\0")


def root_nk(sk_offset: int) -> bytes:
    name = b"ROOT"
    return (b"nk" + struct.pack("<H", 0x2C) + struct.pack("<Q", FILETIME_2020)
            + struct.pack("<IIIIIIIIII", 0, 0, 0, 0, NONE, NONE, 0, NONE, sk_offset, NONE)
            + struct.pack("<IIIII", 0, 0, 0, 0, 0)  # max name/class/value lengths, workvar
            + struct.pack("<HH", len(name), 0) + name)


def sk(self_offset: int) -> bytes:
    # Self-relative security descriptor with no owner, group, SACL or DACL (20 bytes).
    descriptor = struct.pack("<BBHIIII", 1, 0, 0x8000, 0, 0, 0, 0)
    return (b"sk" + struct.pack("<H", 0)
            + struct.pack("<IIII", self_offset, self_offset, 1, len(descriptor)) + descriptor)


def empty_hive() -> bytes:
    root_offset = HBIN_HEADER
    nk_cell_len = len(cell(root_nk(0)))
    sk_offset = root_offset + nk_cell_len
    cells = cell(root_nk(sk_offset)) + cell(sk(sk_offset))
    free = PAGE - HBIN_HEADER - len(cells)
    cells += struct.pack("<i", free) + bytes(free - 4)
    hbin = (b"hbin" + struct.pack("<IIII", 0, PAGE, 0, 0) + struct.pack("<Q", FILETIME_2020)
            + struct.pack("<I", 0) + cells)
    assert len(hbin) == PAGE

    base = bytearray(PAGE)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, FILETIME_2020, 1, 3, 0, 1,
                     root_offset, PAGE, 1)
    checksum = 0
    for i in range(127):
        checksum ^= struct.unpack_from("<I", base, i * 4)[0]
    struct.pack_into("<I", base, 0x1FC, checksum)
    return bytes(base) + hbin


def dword(name, v):
    return {"key": name, "t": 4, "value": struct.pack("<I", v)}


def string(name, s, kind=1):  # 1 REG_SZ, 2 REG_EXPAND_SZ; UTF-16LE with terminating NUL
    return {"key": name, "t": kind, "value": (s + "\0").encode("utf-16-le")}


def add(h, parent, name, values=()):
    node = h.node_add_child(parent, name)
    if values:
        h.node_set_values(node, list(values))
    return node


def main() -> int:
    args = sys.argv[1:]
    image = "--image" in args
    args = [a for a in args if a != "--image"]
    spec = None
    if "--spec" in args and args.index("--spec") + 1 < len(args):
        i = args.index("--spec")
        with open(args[i + 1], encoding="utf-8") as f:
            spec = json.load(f)
        args = args[:i] + args[i + 2:]
    if len(args) != 1 or (image and spec is not None):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    out_dir = args[0]
    os.makedirs(out_dir, exist_ok=True)
    if spec is not None:
        write_spec_system(os.path.join(out_dir, "SYSTEM"), spec)
        write_software(os.path.join(out_dir, "SOFTWARE"), spec.get("certificates", []))
        return 0
    (write_image_system if image else write_system)(os.path.join(out_dir, "SYSTEM"))
    write_software(os.path.join(out_dir, "SOFTWARE"))
    return 0


def open_empty(path):
    with open(path, "wb") as f:
        f.write(empty_hive())
    h = hivex.Hivex(path, write=True)
    return h, h.root()


def child(h, parent, name):
    """The subkey `name` of `parent`, created when missing."""
    return h.node_get_child(parent, name) or h.node_add_child(parent, name)


def store_property(prop_id, value):
    return struct.pack("<III", prop_id, 1, len(value)) + value


def certificate_blob(der, friendly_name):
    """A serialized certificate store element, as the registry store keeps it in `Blob`."""
    props = store_property(3, hashlib.sha1(der).digest())  # CERT_SHA1_HASH_PROP_ID
    if friendly_name:
        props += store_property(11, (friendly_name + "\0").encode("utf-16-le"))  # FRIENDLY_NAME
    return props + store_property(32, der)  # CERT_CERT_PROP_ID: the encoded certificate


def add_certificate(h, root, entry):
    with open(entry["der"], "rb") as f:
        der = f.read()
    parent = child(h, root, "Policies") if entry.get("policies") else root
    stores = child(h, child(h, parent, "Microsoft"), "SystemCertificates")
    certs = child(h, child(h, stores, entry["store"]), "Certificates")
    node = h.node_add_child(certs, hashlib.sha1(der).hexdigest().upper())
    h.node_set_values(node, [{"key": "Blob", "t": 3,  # REG_BINARY
                              "value": certificate_blob(der, entry.get("friendly_name", ""))}])


def write_software(path, certificates=()):
    h, root = open_empty(path)
    nt = add(h, add(h, root, "Microsoft"), "Windows NT")
    add(h, nt, "CurrentVersion", [
        string("ProductName", "Windows 10 Pro"), string("DisplayVersion", "22H2"),
        string("ReleaseId", "2009"), string("CurrentBuild", "19045"),
        string("EditionID", "Professional")])
    for entry in certificates:
        add_certificate(h, root, entry)
    h.commit(None)


def write_spec_system(path, spec):
    """A SYSTEM hive with ControlSet001 current, the computer name and the services of `spec`."""
    h, root = open_empty(path)
    add(h, root, "Select", [dword("Current", 1), dword("Default", 1), dword("LastKnownGood", 1)])
    control_set = add(h, root, "ControlSet001")
    computer = add(h, add(h, add(h, control_set, "Control"), "ComputerName"), "ComputerName")
    h.node_set_values(computer, [string("ComputerName", spec.get("computer_name", "TESTPC"))])
    services = add(h, control_set, "Services")
    for svc in spec.get("services", []):
        values = [dword("Type", svc["type"]), dword("Start", svc["start"]),
                  string("ImagePath", svc["image_path"], 2)]
        values += [string(k, svc[key]) for k, key in (("Group", "group"), ("DisplayName", "display_name"))
                   if key in svc]
        add(h, services, svc["name"], values)
    h.commit(None)


def write_system(path):
    h, root = open_empty(path)
    add(h, root, "Select", [dword("Current", 1), dword("Default", 1), dword("LastKnownGood", 1)])
    control_set = add(h, root, "ControlSet001")
    computer = add(h, add(h, add(h, control_set, "Control"), "ComputerName"), "ComputerName")
    h.node_set_values(computer, [string("ComputerName", "TESTPC")])
    services = add(h, control_set, "Services")
    klif = add(h, services, "klif", [
        dword("Type", 1), dword("Start", 0),
        string("ImagePath", r"system32\DRIVERS\klif.sys", 2),
        string("Group", "FSFilter Anti-Virus"), string("DisplayName", "Kaspersky Lab Interceptor")])
    instances = add(h, klif, "Instances", [string("DefaultInstance", "klif Instance")])
    add(h, instances, "klif Instance", [string("Altitude", "320400"), dword("Flags", 0)])
    add(h, services, "disk", [dword("Type", 1), dword("Start", 0), string("Group", "SCSI Class")])
    add(h, services, "missingdrv", [
        dword("Type", 1), dword("Start", 1),
        string("ImagePath", r"\SystemRoot\System32\drivers\missing.sys", 2)])
    add(h, services, "Spooler", [
        dword("Type", 0x10), dword("Start", 2),
        string("ImagePath", r"%SystemRoot%\System32\spoolsv.exe", 2),
        string("DisplayName", "Print Spooler")])
    # A decoy control set that must not be read (Select\Current points at 001).
    add(h, add(h, root, "ControlSet002"), "Services")
    h.commit(None)


def write_image_system(path):
    """The test Windows image: see tools/make_windows_image.sh for what each service checks."""
    h, root = open_empty(path)
    add(h, root, "Select", [dword("Current", 2), dword("Default", 2), dword("LastKnownGood", 1)])
    add(h, add(h, root, "ControlSet001"), "Services")  # not current: must not be read
    control_set = add(h, root, "ControlSet002")
    computer = add(h, add(h, add(h, control_set, "Control"), "ComputerName"), "ComputerName")
    h.node_set_values(computer, [string("ComputerName", "EVIDENCE-PC")])
    services = add(h, control_set, "Services")
    add(h, services, "testdrv", [  # catalog-signed, boot start, relative ImagePath
        dword("Type", 1), dword("Start", 0), string("ImagePath", r"System32\DRIVERS\driver.sys", 2),
        string("Group", "Boot Bus Extender"), string("DisplayName", "trustscan test driver")])
    add(h, services, "otherdrv", [  # in no catalog, demand start
        dword("Type", 1), dword("Start", 3), string("ImagePath", r"\SystemRoot\system32\drivers\other.sys", 2)])
    flt = add(h, services, "oemavflt", [  # rule-attributed Kaspersky engine, boot-start minifilter
        dword("Type", 2), dword("Start", 0),
        string("ImagePath", r"\??\C:\WINDOWS\system32\drivers\oemavflt.sys", 2),
        string("Group", "FSFilter Anti-Virus"), string("DisplayName", "OEM AV filter")])
    instances = add(h, flt, "Instances", [string("DefaultInstance", "oemavflt Instance")])
    add(h, instances, "oemavflt Instance", [string("Altitude", "328010"), dword("Flags", 0)])
    add(h, services, "missingdrv", [  # registered, file gone
        dword("Type", 1), dword("Start", 1), string("ImagePath", r"\SystemRoot\System32\drivers\missing.sys", 2)])
    add(h, services, "notesdrv", [  # registered, file is text
        dword("Type", 1), dword("Start", 3), string("ImagePath", r"system32\drivers\notes.sys", 2)])
    add(h, services, "Spooler", [  # a Win32 service whose executable is not in the image
        dword("Type", 0x10), dword("Start", 2), string("ImagePath", r"%SystemRoot%\System32\spoolsv.exe", 2),
        string("DisplayName", "Print Spooler")])
    add(h, services, "netshare", [  # UNC ImagePath: cannot be mapped into the image
        dword("Type", 0x10), dword("Start", 3), string("ImagePath", r"\\server\share\svc.exe", 2)])
    h.commit(None)


if __name__ == "__main__":
    sys.exit(main())
