#!/usr/bin/env python3
"""Mutation harness: corrupts real binaries and scans the mutants with a trustscan binary.

  tools/mutate.py --trustscan build-sanitize/trustscan --count 10000 --seed 1 \
      [--tree /var/cache/trustscan/realtree --tree build/samples] [--json report.json]

1. Picks originals (>= 20, --pick) from the trees: PE (signed and unsigned, EXE/DLL/SYS/EFI),
   ELF executables and kernel modules (signed and unsigned), thin and fat Mach-O (signed and
   not), chosen per category with the seeded RNG among files up to --max-original-size.
2. Writes --count mutants, each with 1-3 mutations: byte flips, truncations, corruption of the
   header fields that hold offsets, sizes and counts (PE: e_lfanew, COFF and optional header,
   data directories, section table; ELF: ehdr, section and program headers, the module-signature
   trailer; Mach-O: fat arch table, mach header, load commands, segments and sections,
   LC_CODE_SIGNATURE, the code-signature SuperBlob and CodeDirectory), duplicated and
   overlapping sections / load commands, and copied or inserted chunks.
3. Scans them in batches (one directory per batch, `trustscan scan DIR -f json`), each under a
   wall-clock limit; any batch that crashes (signal, sanitizer report, unexpected exit code) or
   hangs is rescanned file by file to name the culprits, which are kept in WORK/culprits/.
4. Reports crashes, hangs, per-file errors (by stage/code), exit codes and peak RSS (ru_maxrss of
   each scan process, via os.wait4).

Deterministic for a given --seed and set of trees. Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

# ------------------------------------------------------------------------------ classification

KO_MAGIC = b"~Module signature appended~\n"


def u16(b, o, e="<"):
    return struct.unpack_from(e + "H", b, o)[0]


def u32(b, o, e="<"):
    return struct.unpack_from(e + "I", b, o)[0]


def u64(b, o, e="<"):
    return struct.unpack_from(e + "Q", b, o)[0]


def classify(path, head, size):
    """Category of a file from its first bytes, or None when it is not a binary we mutate."""
    name = os.path.basename(path).lower()
    if head[:2] == b"MZ" and len(head) >= 0x40:
        lfanew = u32(head, 0x3C)
        if lfanew + 0x78 + 0x88 <= len(head) and head[lfanew:lfanew + 4] == b"PE\0\0":
            opt = lfanew + 24
            magic = u16(head, opt)
            dirs = opt + (112 if magic == 0x20B else 96)
            signed = dirs + 40 <= len(head) and u32(head, dirs + 36) > 0
            kind = "efi" if name.endswith((".efi", ".efi.signed")) else "sys" if name.endswith(".sys") else "pe"
            return ("pe-signed-" if signed else "pe-unsigned-") + kind
        return None
    if head[:4] == b"\x7fELF":
        if name.endswith(".ko"):
            return "ko-signed" if size > 28 and tail_is_signed(path) else "ko-unsigned"
        return "elf"
    magic = head[:4]
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf") and len(head) >= 8 and 0 < u32(head, 4, ">") <= 8:
        return "macho-fat"
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        sig = macho_signature(head)
        if sig is None:
            return "macho-unsigned"
        # CMS-signed (Developer ID & co.) or ad-hoc/linker-signed: look for a non-empty CMS blob.
        with open(path, "rb") as f:
            f.seek(sig[0])
            blob = f.read(min(sig[1], 1 << 20))
        return "macho-signed-cms" if superblob_has_cms(blob) else "macho-signed-adhoc"
    return None


def tail_is_signed(path):
    with open(path, "rb") as f:
        f.seek(-len(KO_MAGIC), os.SEEK_END)
        return f.read() == KO_MAGIC


def macho_signature(head):
    """(dataoff, datasize) of LC_CODE_SIGNATURE in a thin Mach-O's first bytes, or None."""
    e = "<" if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe") else ">"
    is64 = head[:4] in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    at, ncmds = (32 if is64 else 28), u32(head, 16, e)
    for _ in range(min(ncmds, 512)):
        if at + 16 > len(head):
            return None
        cmd, size = u32(head, at, e), u32(head, at + 4, e)
        if cmd == 0x1D:
            return u32(head, at + 8, e), u32(head, at + 12, e)
        if size < 8:
            return None
        at += size
    return None


def superblob_has_cms(blob):
    """True when the SuperBlob indexes a CMS wrapper (slot 0x10000) longer than its 8-byte header."""
    if len(blob) < 12 or blob[:4] != b"\xfa\xde\x0c\xc0":
        return False
    for i in range(min(u32(blob, 8, ">"), 32)):
        if 12 + 8 * i + 8 > len(blob):
            return False
        slot, off = u32(blob, 12 + 8 * i, ">"), u32(blob, 16 + 8 * i, ">")
        if slot == 0x10000 and off + 8 <= len(blob) and u32(blob, off + 4, ">") > 8:
            return True
    return False


def pick_originals(trees, count, max_size, rng):
    """Up to `count` files, spread over the categories found (each category at least once)."""
    by_cat = collections.defaultdict(list)
    for tree in trees:
        for root, dirs, files in os.walk(tree):
            dirs.sort()
            for fn in sorted(files):
                p = os.path.join(root, fn)
                try:
                    if os.path.islink(p) or not os.path.isfile(p):
                        continue
                    size = os.path.getsize(p)
                    if size < 64 or size > max_size:
                        continue
                    with open(p, "rb") as f:
                        head = f.read(65536)
                except OSError:
                    continue
                cat = classify(p, head, size)
                if cat:
                    by_cat[cat].append(p)
    cats = sorted(by_cat)
    if not cats:
        sys.exit("mutate.py: no PE/ELF/Mach-O files found in " + ", ".join(trees))
    for c in cats:
        rng.shuffle(by_cat[c])
    picked, i = [], 0
    while len(picked) < count and any(by_cat.values()):
        c = cats[i % len(cats)]
        if by_cat[c]:
            picked.append((c, by_cat[c].pop()))
        i += 1
    return picked


# ------------------------------------------------------------------------------ field maps
# Each returns a list of (offset, width, endian, label) for header fields that are offsets,
# sizes or counts, read from the original file (a mutant is a copy, so offsets stay valid).

def pe_fields(b):
    f = []
    if len(b) < 0x40:
        return f
    f.append((0x3C, 4, "<", "e_lfanew"))
    pe = u32(b, 0x3C)
    if pe + 24 > len(b) or b[pe:pe + 4] != b"PE\0\0":
        return f
    coff = pe + 4
    f += [(coff + 2, 2, "<", "NumberOfSections"), (coff + 8, 4, "<", "PointerToSymbolTable"),
          (coff + 12, 4, "<", "NumberOfSymbols"), (coff + 16, 2, "<", "SizeOfOptionalHeader")]
    opt = pe + 24
    if opt + 2 > len(b):
        return f
    plus = u16(b, opt) == 0x20B
    f += [(opt + 56, 4, "<", "SizeOfImage"), (opt + 60, 4, "<", "SizeOfHeaders"),
          (opt + 16, 4, "<", "AddressOfEntryPoint")]
    nrva = opt + (108 if plus else 92)
    f.append((nrva, 4, "<", "NumberOfRvaAndSizes"))
    dirs = opt + (112 if plus else 96)
    for i in range(16):  # export, import, resource, exception, security, reloc, debug, ...
        f += [(dirs + 8 * i, 4, "<", "DataDirectory[%d].VirtualAddress" % i),
              (dirs + 8 * i + 4, 4, "<", "DataDirectory[%d].Size" % i)]
    if len(b) >= coff + 20:
        sect = opt + u16(b, coff + 16)
        for i in range(min(u16(b, coff + 2), 96)):
            s = sect + 40 * i
            f += [(s + 8, 4, "<", "Section.VirtualSize"), (s + 12, 4, "<", "Section.VirtualAddress"),
                  (s + 16, 4, "<", "Section.SizeOfRawData"), (s + 20, 4, "<", "Section.PointerToRawData"),
                  (s + 24, 4, "<", "Section.PointerToRelocations"), (s + 32, 2, "<", "Section.NumberOfRelocations")]
    # The certificate table: WIN_CERTIFICATE dwLength of the first entry.
    sec = dirs + 32
    if sec + 8 <= len(b):
        off = u32(b, sec)
        if 0 < off and off + 8 <= len(b):
            f.append((off, 4, "<", "WIN_CERTIFICATE.dwLength"))
    return [x for x in f if x[0] + x[1] <= len(b)]


def elf_fields(b):
    f = []
    if len(b) < 52:
        return f
    is64, e = b[4] == 2, "<" if b[5] == 1 else ">"
    if is64 and len(b) >= 64:
        f += [(32, 8, e, "e_phoff"), (40, 8, e, "e_shoff"), (54, 2, e, "e_phentsize"), (56, 2, e, "e_phnum"),
              (58, 2, e, "e_shentsize"), (60, 2, e, "e_shnum"), (62, 2, e, "e_shstrndx")]
        phoff, phnum, shoff, shnum = u64(b, 32, e), u16(b, 56, e), u64(b, 40, e), u16(b, 60, e)
        ph, sh = 56, 64
        w = 8
    else:
        f += [(28, 4, e, "e_phoff"), (32, 4, e, "e_shoff"), (42, 2, e, "e_phentsize"), (44, 2, e, "e_phnum"),
              (46, 2, e, "e_shentsize"), (48, 2, e, "e_shnum"), (50, 2, e, "e_shstrndx")]
        phoff, phnum, shoff, shnum = u32(b, 28, e), u16(b, 44, e), u32(b, 32, e), u16(b, 48, e)
        ph, sh = 32, 40
        w = 4
    for i in range(min(phnum, 64)):
        p = phoff + ph * i
        if is64:
            f += [(p + 8, 8, e, "p_offset"), (p + 32, 8, e, "p_filesz"), (p + 40, 8, e, "p_memsz")]
        else:
            f += [(p + 4, 4, e, "p_offset"), (p + 16, 4, e, "p_filesz"), (p + 20, 4, e, "p_memsz")]
    for i in range(min(shnum, 4096)):
        s = shoff + sh * i
        if is64:
            f += [(s, 4, e, "sh_name"), (s + 4, 4, e, "sh_type"), (s + 24, 8, e, "sh_offset"),
                  (s + 32, 8, e, "sh_size"), (s + 40, 4, e, "sh_link"), (s + 44, 4, e, "sh_info"),
                  (s + 56, 8, e, "sh_entsize")]
        else:
            f += [(s, 4, e, "sh_name"), (s + 4, 4, e, "sh_type"), (s + 16, 4, e, "sh_offset"),
                  (s + 20, 4, e, "sh_size"), (s + 24, 4, e, "sh_link"), (s + 28, 4, e, "sh_info"),
                  (s + 36, 4, e, "sh_entsize")]
    if b.endswith(KO_MAGIC) and len(b) >= 40:
        # struct module_signature: ... id_type at -28-12+2, sig_len (big-endian) at -28-4.
        f += [(len(b) - 32, 4, ">", "module_signature.sig_len"), (len(b) - 38, 1, ">", "module_signature.id_type")]
    del w
    return [x for x in f if x[0] + x[1] <= len(b)]


def macho_thin_fields(b, base, f):
    if base + 28 > len(b):
        return
    m = b[base:base + 4]
    e = "<" if m in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe") else ">"
    is64 = m in (b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xcf")
    f += [(base + 16, 4, e, "ncmds"), (base + 20, 4, e, "sizeofcmds")]
    at, ncmds = base + (32 if is64 else 28), u32(b, base + 16, e)
    for _ in range(min(ncmds, 512)):
        if at + 8 > len(b):
            return
        cmd, size = u32(b, at, e), u32(b, at + 4, e)
        f.append((at + 4, 4, e, "cmdsize"))
        if cmd in (0x19, 0x1):  # LC_SEGMENT_64 / LC_SEGMENT
            if cmd == 0x19:
                f += [(at + 40, 8, e, "segment.fileoff"), (at + 48, 8, e, "segment.filesize"),
                      (at + 64, 4, e, "segment.nsects")]
                sect, ssize, nsects = at + 72, 80, u32(b, at + 64, e) if at + 68 <= len(b) else 0
                for i in range(min(nsects, 256)):
                    s = sect + ssize * i
                    f += [(s + 40, 8, e, "section.size"), (s + 48, 4, e, "section.offset"),
                          (s + 56, 4, e, "section.reloff"), (s + 60, 4, e, "section.nreloc")]
            else:
                f += [(at + 32, 4, e, "segment.fileoff"), (at + 36, 4, e, "segment.filesize"),
                      (at + 48, 4, e, "segment.nsects")]
        elif cmd == 0x1D and at + 16 <= len(b):  # LC_CODE_SIGNATURE
            f += [(at + 8, 4, e, "LC_CODE_SIGNATURE.dataoff"), (at + 12, 4, e, "LC_CODE_SIGNATURE.datasize")]
            sig = base + u32(b, at + 8, e)
            if sig + 12 <= len(b) and b[sig:sig + 4] == b"\xfa\xde\x0c\xc0":  # SuperBlob (big-endian)
                f += [(sig + 4, 4, ">", "SuperBlob.length"), (sig + 8, 4, ">", "SuperBlob.count")]
                for i in range(min(u32(b, sig + 8, ">"), 16)):
                    idx = sig + 12 + 8 * i
                    if idx + 8 > len(b):
                        break
                    f.append((idx + 4, 4, ">", "SuperBlob.index.offset"))
                    blob = sig + u32(b, idx + 4, ">")
                    if blob + 44 <= len(b) and b[blob:blob + 4] == b"\xfa\xde\x0c\x02":  # CodeDirectory
                        f += [(blob + 4, 4, ">", "CodeDirectory.length"), (blob + 16, 4, ">", "CodeDirectory.hashOffset"),
                              (blob + 20, 4, ">", "CodeDirectory.identOffset"),
                              (blob + 24, 4, ">", "CodeDirectory.nSpecialSlots"),
                              (blob + 28, 4, ">", "CodeDirectory.nCodeSlots"), (blob + 32, 4, ">", "CodeDirectory.codeLimit"),
                              (blob + 36, 1, ">", "CodeDirectory.hashSize"), (blob + 39, 1, ">", "CodeDirectory.pageSize")]
                    elif blob + 8 <= len(b):
                        f.append((blob + 4, 4, ">", "blob.length"))
        elif cmd in (0x2, 0xB):  # LC_SYMTAB / LC_DYSYMTAB
            f += [(at + 8, 4, e, "symtab.off"), (at + 12, 4, e, "symtab.n")]
        if size < 8:
            return
        at += size


def macho_fields(b):
    f = []
    if len(b) < 8:
        return f
    if b[:4] in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        fat64 = b[3] == 0xBF
        entry = 32 if fat64 else 20
        f.append((4, 4, ">", "nfat_arch"))
        for i in range(min(u32(b, 4, ">"), 8)):
            a = 8 + entry * i
            if a + entry > len(b):
                break
            if fat64:
                off = u64(b, a + 8, ">")
                f += [(a + 8, 8, ">", "fat_arch.offset"), (a + 16, 8, ">", "fat_arch.size")]
            else:
                off = u32(b, a + 8, ">")
                f += [(a + 8, 4, ">", "fat_arch.offset"), (a + 12, 4, ">", "fat_arch.size")]
            macho_thin_fields(b, off, f)
    else:
        macho_thin_fields(b, 0, f)
    return [x for x in f if x[0] + x[1] <= len(b)]


def fields_for(cat, b):
    if cat.startswith("pe"):
        return pe_fields(b)
    if cat.startswith(("ko", "elf")):
        return elf_fields(b)
    return macho_fields(b)


# Table entries whose duplication makes sections/commands overlap: (table offset, entry size,
# count) for the PE section table, ELF section headers and Mach-O load commands.
def tables_for(cat, b):
    try:
        if cat.startswith("pe"):
            pe = u32(b, 0x3C)
            opt = pe + 24
            return [(opt + u16(b, pe + 20), 40, u16(b, pe + 6), [(20, 4, "<"), (16, 4, "<")])]
        if cat.startswith(("ko", "elf")):
            e = "<" if b[5] == 1 else ">"
            if b[4] == 2:
                return [(u64(b, 40, e), 64, u16(b, 60, e), [(24, 8, e), (32, 8, e)])]
            return [(u32(b, 32, e), 40, u16(b, 48, e), [(16, 4, e), (20, 4, e)])]
    except struct.error:
        return []
    return []


# ------------------------------------------------------------------------------ mutations

def interesting(rng, old, width, size):
    top = (1 << (8 * width)) - 1
    choices = [0, 1, top, top >> 1, (top >> 1) + 1, size, size + 1, max(size - 1, 0), old * 2, old + 1,
               max(old - 1, 0), old + rng.randint(1, 4096), old ^ (1 << rng.randrange(8 * width)),
               rng.randint(0, top), size // 2, 0x1000, 0xFFFF]
    return rng.choice(choices) & top


def mutate_once(rng, cat, data, orig):
    kind = rng.choices(["flip", "truncate", "field", "overlap", "chunk"], weights=[3, 1, 6, 2, 1])[0]
    n = len(data)
    if kind == "flip" and n:
        for _ in range(rng.randint(1, 16)):
            # Half of the flips land in the headers (first 4 KiB), the rest anywhere.
            at = rng.randrange(min(n, 4096)) if rng.random() < 0.5 else rng.randrange(n)
            data[at] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
        return "flip"
    if kind == "truncate" and n > 1:
        r = rng.random()
        if r < 0.3:
            cut = rng.randrange(1, min(n, 4096))  # inside the headers
        elif r < 0.6:
            cut = max(1, n - rng.randint(1, min(n - 1, 8192)))  # inside the tail (signatures live there)
        else:
            cut = rng.randrange(1, n)
        del data[cut:]
        return "truncate"
    if kind == "field":
        fields = fields_for(cat, orig)
        fields = [f for f in fields if f[0] + f[1] <= n]
        if fields:
            off, width, e, label = rng.choice(fields)
            fmt = e + {1: "B", 2: "H", 4: "I", 8: "Q"}[width]
            old = struct.unpack_from(fmt, data, off)[0]
            struct.pack_into(fmt, data, off, interesting(rng, old, width, n))
            return "field:" + label
        return mutate_once(rng, cat, data, orig) if rng.random() < 0.5 else "none"
    if kind == "overlap":
        if cat.startswith("macho"):
            # Duplicate a load command over the one after it (two segments/signatures at once).
            f = [x for x in macho_fields(orig) if x[3] == "cmdsize" and x[0] + 4 <= n]
            if len(f) >= 2:
                i = rng.randrange(len(f) - 1)
                a, b2 = f[i][0] - 4, f[i + 1][0] - 4
                size = struct.unpack_from(f[i][2] + "I", data, a + 4)[0]
                if 8 <= size <= 4096 and b2 + size <= n:
                    data[b2:b2 + size] = data[a:a + size]
                    return "overlap:loadcommand"
            return "none"
        for table, esize, count, rng_fields in tables_for(cat, orig):
            if count >= 2 and table + esize * count <= n:
                i, j = rng.sample(range(count), 2)
                if rng.random() < 0.5:  # whole entry duplicated
                    data[table + esize * j:table + esize * (j + 1)] = data[table + esize * i:table + esize * (i + 1)]
                    return "overlap:duplicate-entry"
                # Only the file range duplicated: j now overlaps i.
                for off, width, e in rng_fields:
                    data[table + esize * j + off:table + esize * j + off + width] = \
                        data[table + esize * i + off:table + esize * i + off + width]
                return "overlap:same-range"
        return "none"
    if kind == "chunk" and n > 16:
        ln = rng.randint(1, min(4096, n // 2))
        src, dst = rng.randrange(n - ln), rng.randrange(n - ln)
        if rng.random() < 0.5:
            data[dst:dst + ln] = data[src:src + ln]
        else:
            data[dst:dst] = data[src:src + ln]
        return "chunk"
    return "none"


def make_mutant(rng, cat, orig):
    data = bytearray(orig)
    done = [mutate_once(rng, cat, data, orig) for _ in range(rng.choice([1, 1, 2, 3]))]
    if bytes(data) == orig:  # never scan an unchanged copy
        data[rng.randrange(len(data))] ^= 0xFF
        done.append("flip")
    return bytes(data), done


# ------------------------------------------------------------------------------ scanning

SANITIZER_EXIT = 86
OK_EXITS = {0, 1, 3}  # clean, findings, per-file errors (scanner/app/exit_codes.hpp)


def scan_env(supp):
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "exitcode=%d:detect_leaks=1:disable_coredump=1:abort_on_error=0" % SANITIZER_EXIT
    env["UBSAN_OPTIONS"] = "exitcode=%d:print_stacktrace=1:halt_on_error=1" % SANITIZER_EXIT
    env["LSAN_OPTIONS"] = "exitcode=%d:suppressions=%s:print_suppressions=0" % (SANITIZER_EXIT, supp)
    return env


def run_scan(args, target, out_json, timeout):
    """Runs one scan; returns dict(exit, signal, hung, seconds, maxrss_kib, stderr)."""
    cmd = [args.trustscan, "scan", target, "-f", "json", "-o", out_json, "-j", str(args.threads),
           "--fail-on", "none"]
    err_path = out_json + ".stderr"
    start = time.monotonic()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=args.env,
                                start_new_session=True)
        hung = False
        deadline = start + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                hung = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    proc.returncode = 0  # reaped by wait4 above; keep Popen from trying again
    with open(err_path, "rb") as f:
        stderr = f.read().decode("utf-8", "replace")
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return {"exit": code, "signal": sig, "hung": hung, "seconds": time.monotonic() - start,
            "maxrss_kib": ru.ru_maxrss, "stderr": stderr}


def crashed(r):
    if r["hung"]:
        return False
    if r["signal"] is not None:
        return True
    return r["exit"] not in OK_EXITS or "Sanitizer" in r["stderr"] or "runtime error:" in r["stderr"]


def first_report_line(stderr):
    for line in stderr.splitlines():
        if "ERROR: " in line or "runtime error:" in line or "SUMMARY:" in line:
            return line.strip()[:300]
    return stderr.strip().splitlines()[-1][:300] if stderr.strip() else ""


def file_errors(out_json):
    """(files scanned, files with errors, Counter of 'stage/code') from a JSON report."""
    try:
        with open(out_json) as f:
            d = json.load(f)
    except (OSError, ValueError):
        return 0, 0, collections.Counter()
    codes = collections.Counter()
    bad = 0
    for rec in d.get("files", []):
        errs = rec.get("trustscan", {}).get("errors", [])
        if errs:
            bad += 1
        for e in errs:
            codes["%s/%s" % (e.get("stage", "?"), e.get("code", "?"))] += 1
    for e in d.get("errors", []):
        bad += 1
        codes["%s/%s" % (e.get("stage", "?"), e.get("code", "?"))] += 1
    return len(d.get("files", [])), bad, codes


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trustscan", required=True, help="trustscan binary to test (e.g. build-sanitize/trustscan)")
    ap.add_argument("--tree", action="append", help="tree of real binaries (repeatable; default: "
                    "$TRUSTSCAN_REAL_TREE or /var/cache/trustscan/realtree, plus build/samples if present)")
    ap.add_argument("--count", type=int, default=1000, help="mutants to write and scan (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="RNG seed (default 1)")
    ap.add_argument("--pick", type=int, default=24, help="originals to mutate (default 24, at least 20)")
    ap.add_argument("--max-original-size", type=int, default=16 << 20,
                    help="largest original, bytes (default 16 MiB: the Developer ID-signed Mach-O of the real tree)")
    ap.add_argument("--batch-size", type=int, default=250, help="mutants per scan (default 250)")
    ap.add_argument("--batch-timeout", type=float, default=300, help="wall-clock limit per batch scan, s (default 300)")
    ap.add_argument("--file-timeout", type=float, default=60, help="limit per single-file rescan, s (default 60)")
    ap.add_argument("--threads", type=int, default=1, help="trustscan -j (default 1)")
    ap.add_argument("--rss-limit-mib", type=int, default=1024,
                    help="a batch whose scan peaks above this is searched for its culprits like a crash (default 1024)")
    ap.add_argument("--only-batches", help="comma-separated batch numbers to scan (the others are generated, "
                    "so that mutants stay the same, but not scanned): to reproduce a finding quickly")
    ap.add_argument("--work", help="work directory (default: a temporary one, removed unless culprits were found)")
    ap.add_argument("--json", help="write the summary as JSON here")
    args = ap.parse_args()
    if args.only_batches is not None:
        args.only_batches = {int(x) for x in args.only_batches.split(",") if x.strip()}
    if args.pick < 20:
        ap.error("--pick must be at least 20")
    args.trustscan = os.path.abspath(args.trustscan)
    if not os.access(args.trustscan, os.X_OK):
        ap.error("not an executable: " + args.trustscan)
    trees = args.tree or [os.environ.get("TRUSTSCAN_REAL_TREE", "/var/cache/trustscan/realtree")] + \
        [p for p in [os.path.join(here, "..", "build", "samples")] if os.path.isdir(p)]
    trees = [t for t in trees if os.path.isdir(t)]
    if not trees:
        ap.error("no tree of binaries found (use --tree)")
    args.env = scan_env(os.path.join(here, "lsan.supp"))

    rng = random.Random(args.seed)
    originals = pick_originals(trees, args.pick, args.max_original_size, rng)
    if len(originals) < 20:
        sys.exit("mutate.py: only %d usable originals found (need 20)" % len(originals))
    contents = [open(p, "rb").read() for _, p in originals]

    work = args.work or tempfile.mkdtemp(prefix="trustscan-mutate.")
    os.makedirs(work, exist_ok=True)
    culprit_dir = os.path.join(work, "culprits")
    print("mutate.py: %d originals, %d mutants, seed %d, work %s" % (len(originals), args.count, args.seed, work))
    for cat, p in originals:
        print("  %-20s %9d  %s" % (cat, os.path.getsize(p), p))

    totals = {"mutants": 0, "batches": 0, "crashed_batches": 0, "hung_batches": 0, "crashes": 0, "hangs": 0,
              "large_rss_batches": 0, "large_rss_files": 0,
              "files_reported": 0, "files_with_errors": 0, "peak_rss_kib": 0, "scan_seconds": 0.0}
    error_codes = collections.Counter()
    mutation_kinds = collections.Counter()
    exits = collections.Counter()
    culprits = []
    started = time.monotonic()

    index = 0
    while index < args.count:
        batch_no = totals["batches"]
        bdir = os.path.join(work, "batch-%04d" % batch_no)
        os.makedirs(bdir)
        names = {}
        for _ in range(min(args.batch_size, args.count - index)):
            k = rng.randrange(len(originals))
            cat, path = originals[k]
            data, done = make_mutant(rng, cat, contents[k])
            for d in done:
                mutation_kinds[d.split(":")[0]] += 1
            name = "m%06d-%s" % (index, os.path.basename(path))
            with open(os.path.join(bdir, name), "wb") as f:
                f.write(data)
            names[name] = (path, done)
            index += 1
        if args.only_batches is not None and batch_no not in args.only_batches:
            shutil.rmtree(bdir)
            totals["batches"] += 1
            continue
        totals["mutants"] += len(names)
        out = os.path.join(work, "batch-%04d.json" % batch_no)
        r = run_scan(args, bdir, out, args.batch_timeout)
        totals["batches"] += 1
        totals["scan_seconds"] += r["seconds"]
        totals["peak_rss_kib"] = max(totals["peak_rss_kib"], r["maxrss_kib"])
        exits["signal %d" % r["signal"] if r["signal"] is not None else "hang" if r["hung"] else "exit %s" % r["exit"]] += 1
        too_big = r["maxrss_kib"] > args.rss_limit_mib * 1024
        bad = crashed(r) or r["hung"] or too_big
        if too_big:
            totals["large_rss_batches"] += 1
        if bad:
            if crashed(r) or r["hung"]:
                totals["crashed_batches" if not r["hung"] else "hung_batches"] += 1
            what = "HUNG" if r["hung"] else "CRASHED (%s)" % first_report_line(r["stderr"]) if crashed(r) else \
                "PEAK RSS %d MiB" % (r["maxrss_kib"] // 1024)
            print("batch %d: %s; rescanning its %d files one by one" % (batch_no, what, len(names)), flush=True)
            os.makedirs(culprit_dir, exist_ok=True)
            for name in sorted(names):
                one = os.path.join(bdir, name)
                rr = run_scan(args, one, out + ".one.json", args.file_timeout)
                totals["peak_rss_kib"] = max(totals["peak_rss_kib"], rr["maxrss_kib"])
                big = rr["maxrss_kib"] > args.rss_limit_mib * 1024
                if rr["hung"] or crashed(rr) or big:
                    what = "hang" if rr["hung"] else "crash" if crashed(rr) else "rss %d MiB" % (rr["maxrss_kib"] // 1024)
                    totals["hangs" if rr["hung"] else "crashes" if crashed(rr) else "large_rss_files"] += 1
                    shutil.copy(one, os.path.join(culprit_dir, name))
                    with open(os.path.join(culprit_dir, name + ".stderr"), "w") as f:
                        f.write(rr["stderr"])
                    culprits.append({"file": name, "original": names[name][0], "mutations": names[name][1],
                                     "kind": what, "signal": rr["signal"], "exit": rr["exit"],
                                     "seconds": round(rr["seconds"], 1), "report": first_report_line(rr["stderr"])})
                    print("  %s %s (%s) %s" % (what, name, ", ".join(names[name][1]), first_report_line(rr["stderr"])))
        else:
            n, b, codes = file_errors(out)
            totals["files_reported"] += n
            totals["files_with_errors"] += b
            error_codes.update(codes)
        shutil.rmtree(bdir)
        for p in (out, out + ".stderr", out + ".one.json", out + ".one.json.stderr"):
            if os.path.exists(p):
                os.remove(p)
        print("batch %d: %d mutants, %.1f s, max RSS %d MiB, %s" % (
            batch_no, len(names), r["seconds"], r["maxrss_kib"] // 1024,
            "hung" if r["hung"] else "signal %s" % r["signal"] if r["signal"] else "exit %s" % r["exit"]),
            flush=True)

    totals["wall_seconds"] = round(time.monotonic() - started, 1)
    totals["scan_seconds"] = round(totals["scan_seconds"], 1)
    summary = {"seed": args.seed, "trustscan": args.trustscan, "trees": trees,
               "originals": [{"category": c, "path": p, "size": os.path.getsize(p)} for c, p in originals],
               "totals": totals, "exits": dict(exits), "per_file_errors": dict(error_codes.most_common()),
               "mutations": dict(mutation_kinds), "culprits": culprits}
    print("\nmutants %d in %d batches (%.0f s): crashes %d, hangs %d (crashed batches %d, hung batches %d)" % (
        totals["mutants"], totals["batches"], totals["wall_seconds"], totals["crashes"], totals["hangs"],
        totals["crashed_batches"], totals["hung_batches"]))
    print("files reported %d, with per-file errors %d; peak RSS %.1f MiB (batches above %d MiB: %d, files: %d)" % (
        totals["files_reported"], totals["files_with_errors"], totals["peak_rss_kib"] / 1024, args.rss_limit_mib,
        totals["large_rss_batches"], totals["large_rss_files"]))
    print("per-file errors by stage/code: " + ", ".join("%s %d" % kv for kv in error_codes.most_common()))
    print("mutations applied: " + ", ".join("%s %d" % kv for kv in sorted(mutation_kinds.items())))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    if not culprits and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    elif culprits:
        print("culprits kept in " + culprit_dir)
    return 1 if culprits else 0


if __name__ == "__main__":
    sys.exit(main())
