#!/usr/bin/env python3
"""api_test.py LIBRARY TRUSTSCAN TREE: the behaviour of libtrustscan's C API through ctypes.

Versions and status texts, configuration errors and their messages, a path scan whose record JSON
is exactly the CLI's "files" entry, fd and buffer scans named by their display name (and nothing
left behind in the staging directory), cancellation by the callback and by a token (set before a
scan, and fired from another thread while two scans that share it run).
"""
import ctypes
import glob
import hashlib
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "samples", "python"))
import scan as sample  # noqa: E402  (the sample's ctypes declarations of trustscan.h)

LIB_PATH, TS, TREE = sys.argv[1:4]
lib = sample.load(LIB_PATH)
lib.ts_abi_version.restype = ctypes.c_int
lib.ts_config_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
lib.ts_scan_fd.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p, sample.RECORD_FN,
                           sample.ERROR_FN, ctypes.c_void_p]
lib.ts_scan_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p,
                               sample.RECORD_FN, sample.ERROR_FN, ctypes.c_void_p]
lib.ts_scan_options_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
lib.ts_scan_options_set_cancel.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
lib.ts_scan_options_free.argtypes = [ctypes.c_void_p]
lib.ts_cancel_token_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
lib.ts_cancel.argtypes = [ctypes.c_void_p]
lib.ts_cancel_token_free.argtypes = [ctypes.c_void_p]
OK, INVALID, CONFIG, IO, CANCELLED = 0, 1, 2, 3, 5
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def last_error():
    return lib.ts_last_error().decode()


def new_config(**keys):
    config = ctypes.c_void_p()
    assert lib.ts_config_new(ctypes.byref(config)) == OK
    for k, v in keys.items():
        assert lib.ts_config_set(config, k.replace("_", "-").encode(), v.encode()) == OK, last_error()
    return config


def open_context(config):
    context = ctypes.c_void_p()
    status = lib.ts_context_open(config, ctypes.byref(context))
    lib.ts_config_free(config)
    return status, context


def check_refused(setter, handle, key, value, word, what):
    """setter(handle, KEY, VALUE) refuses with TS_E_INVALID_ARGUMENT and a message naming `word`."""
    status = setter(handle, key.encode(), value.encode())
    check(status == INVALID and word in last_error(), f"{what}: {status} {last_error()}")


class Collector:
    """Records and errors of one scan; stops after `stop_after` records when set."""

    def __init__(self, stop_after=None, on_first=None):
        self.records, self.errors, self.stop_after, self.on_first = [], [], stop_after, on_first
        self.on_record = sample.RECORD_FN(self._record)
        self.on_error = sample.ERROR_FN(lambda p, m, _u: self.errors.append((p.decode(), m.decode())))

    def _record(self, rec, _user):
        r = rec.contents
        self.records.append({"path": r.path.decode(), "json": json.loads(ctypes.string_at(r.json, r.json_length)),
                             "sha256": r.sha256 and r.sha256.decode(), "size": r.struct_size})
        if self.on_first is not None and len(self.records) == 1:
            self.on_first()
        return 1 if self.stop_after is not None and len(self.records) >= self.stop_after else 0


# --- versions and status texts
version = subprocess.run([TS, "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
check(lib.ts_version().decode() == version, f"ts_version {lib.ts_version()} is not the CLI's {version}")
check(lib.ts_abi_version() == 1, "ts_abi_version is not 1")
texts = [lib.ts_status_message(s).decode() for s in range(7)]
check(len(set(texts)) == 7 and texts[0] == "ok", f"status texts: {texts}")

# --- configuration errors, each with its own message
config = ctypes.c_void_p()
lib.ts_config_new(ctypes.byref(config))
check_refused(lib.ts_config_set, config, "no-such-key", "1", "no-such-key", "unknown key")
check_refused(lib.ts_config_set, config, "match-all", "maybe", "maybe", "bad boolean")
check(lib.ts_config_set(config, b"threads", b"-3") == INVALID, "negative threads accepted")
check(lib.ts_config_set_json(config, b"[1, 2]") == INVALID and "object" in last_error(), f"JSON array: {last_error()}")
check(lib.ts_config_set_json(config, b'{"flag-country": ["RU", "BY"], "threads": 2, "match-all": false}') == OK,
      f"JSON config refused: {last_error()}")
# Keys mean what the options of `trustscan scan` mean (the CLI's own parser): sizes with units,
# a value set twice replaced, a list grown, a CLI-only option refused.
check(lib.ts_config_set(config, b"max-file-size", b"512MB") == OK, f"max-file-size 512MB refused: {last_error()}")
check_refused(lib.ts_config_set, config, "max-file-size", "512XB", "unit", "max-file-size 512XB")
check(lib.ts_config_set(config, b"threads", b"1") == OK and lib.ts_config_set(config, b"threads", b"2") == OK,
      f"threads set twice: {last_error()}")
check(lib.ts_config_set(config, b"verify-time", b"yesterday") == OK, "verify-time is checked when the context opens")
check_refused(lib.ts_config_set, config, "kernel", "/nonexistent/vmlinuz", "vmlinuz",
              "kernel: a missing image accepted")
check_refused(lib.ts_config_set, config, "output", "json=/tmp/x", "output", "a CLI-only option accepted")
lib.ts_config_free(config)
status, _ = open_context(new_config(verify_time="yesterday"))
check(status == CONFIG and "verify-time" in last_error(), f"bad verify-time: {status} {last_error()}")
status, _ = open_context(new_config(policy="/nonexistent/policy.yaml"))
check(status == CONFIG and "/nonexistent/policy.yaml" in last_error(), f"missing policy: {status} {last_error()}")
status, _ = open_context(new_config(share_dir="/nonexistent"))
check(status == CONFIG and "/nonexistent" in last_error(), f"bad share-dir: {status} {last_error()}")

# --- one context for the scans
status, context = open_context(new_config())
assert status == OK, last_error()
binaries = sorted(p for p in glob.glob(os.path.join(TREE, "**"), recursive=True)
                  if os.path.isfile(p) and open(p, "rb").read(4) in (b"MZ\x90\x00", b"\x7fELF"))
assert len(binaries) >= 3, f"too few binaries under {TREE}"
one = binaries[0]
data = open(one, "rb").read()

# A path: the record JSON is the CLI's "files" entry, field for field.
c = Collector()
check(lib.ts_scan_path(context, one.encode(), None, c.on_record, c.on_error, None) == OK, f"scan_path: {last_error()}")
report = json.loads(subprocess.run([TS, "scan", "-f", "json", one], capture_output=True, text=True).stdout)
check(len(c.records) == 1 and c.records[0]["json"] == report["files"][0], "path scan: record JSON is not the CLI's")
check(c.records and c.records[0]["size"] == ctypes.sizeof(sample.Record), "struct_size")
check(lib.ts_scan_path(context, b"/nonexistent/x", None, c.on_record, c.on_error, None) == IO
      and "/nonexistent/x" in last_error(), f"missing root: {last_error()}")

# The same options through the library and the CLI give the same records, whole; and they are not
# the defaults' records (the options took effect): a verification time before the test CA,
# strict padding, no Windows-image detection, size limits with units, every file streamed.
SIGNED = os.path.join(os.path.dirname(TREE), "samples", "signed")
OPTIONS = {"verify-time": "2001-01-01", "strict-padding": "yes", "no-windows-image": "true",
           "max-file-size": "64MB", "stream-threshold": "1K"}
status, tuned = open_context(new_config(**{k.replace("-", "_"): v for k, v in OPTIONS.items()}))
check(status == OK, f"tuned context: {last_error()}")
tuned_records, default_records = Collector(), Collector()
lib.ts_scan_path(tuned, SIGNED.encode(), None, tuned_records.on_record, tuned_records.on_error, None)
lib.ts_scan_path(context, SIGNED.encode(), None, default_records.on_record, default_records.on_error, None)
lib.ts_context_close(tuned)
cli_args = [a for k, v in OPTIONS.items() for a in ((f"--{k}",) if v in ("yes", "true") else (f"--{k}", v))]
report = json.loads(subprocess.run([TS, "scan", "-f", "json", *cli_args, SIGNED], capture_output=True,
                                   text=True).stdout)
by_path = lambda records: {r["json"]["file"]["path"]: r["json"] for r in records}  # noqa: E731
check(by_path(tuned_records.records) == {r["file"]["path"]: r for r in report["files"]} and report["files"],
      "the library's records with the options are not the CLI's with the same options")
check(by_path(tuned_records.records) != by_path(default_records.records), "the options changed no record")

# A buffer and fds: named by the display name, hashed as the bytes, nothing left staged.
before = set(glob.glob("/dev/shm/libtrustscan.*"))
c = Collector()
check(lib.ts_scan_buffer(context, data, len(data), b"memory/driver.bin", None, c.on_record, c.on_error, None) == OK,
      f"scan_buffer: {last_error()}")
sha = hashlib.sha256(data).hexdigest()
check([(r["path"], r["sha256"]) for r in c.records] == [("memory/driver.bin", sha)], f"buffer: {c.records}")
check(c.records and c.records[0]["json"]["file"]["path"] == "memory/driver.bin", "buffer: JSON path")
memfd = os.memfd_create("sample")
os.write(memfd, data)
c = Collector()
check(lib.ts_scan_fd(context, memfd, b"fd-sample", None, c.on_record, c.on_error, None) == OK, f"memfd: {last_error()}")
check([(r["path"], r["sha256"]) for r in c.records] == [("fd-sample", sha)], f"memfd: {c.records}")
os.close(memfd)
fd = os.open(one, os.O_RDONLY)
c = Collector()
check(lib.ts_scan_fd(context, fd, None, None, c.on_record, c.on_error, None) == OK, f"file fd: {last_error()}")
check([(r["path"], r["sha256"]) for r in c.records] == [(f"fd:{fd}", sha)], f"file fd: {c.records}")
os.close(fd)
# An input above max-file-size (512 MiB by default) is not copied: reported as the walk skips it.
memfd = os.memfd_create("huge")
os.ftruncate(memfd, 600 << 20)
c = Collector()
check(lib.ts_scan_fd(context, memfd, b"huge.sys", None, c.on_record, c.on_error, None) == OK,
      f"huge memfd: {last_error()}")
check(c.records == [] and c.errors == [("huge.sys", f"not scanned (too_large): {600 << 20} bytes")],
      f"huge memfd: {c.records} {c.errors}")
os.close(memfd)
check(set(glob.glob("/dev/shm/libtrustscan.*")) == before, "staged files left in /dev/shm")

# Scan options: the walk's options of `trustscan scan`, read by its definition.
lib.ts_scan_options_set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
options = ctypes.c_void_p()
lib.ts_scan_options_new(ctypes.byref(options))
check_refused(lib.ts_scan_options_set, options, "one-file-system", "maybe", "maybe",
              "scan option one-file-system=maybe")
check_refused(lib.ts_scan_options_set, options, "output", "json", "output",
              "a CLI-only option accepted as a scan option")
check(lib.ts_scan_options_set(options, b"exclude", b"*.sys") == OK and
      lib.ts_scan_options_set(options, b"one-file-system", b"yes") == OK, f"scan options: {last_error()}")
everything, excluded = Collector(), Collector()
lib.ts_scan_path(context, TREE.encode(), None, everything.on_record, everything.on_error, None)
lib.ts_scan_path(context, TREE.encode(), options, excluded.on_record, excluded.on_error, None)
sys_paths = [r["path"] for r in everything.records if r["path"].endswith(".sys")]
# (records come in the order the workers finish them: compared as sets of paths)
check(sys_paths and sorted(r["path"] for r in excluded.records) == sorted(r["path"] for r in everything.records
                                                                      if not r["path"].endswith(".sys")),
      f"exclude *.sys: {len(excluded.records)} records of {len(everything.records)} ({len(sys_paths)} .sys)")
lib.ts_scan_options_free(options)

# Cancellation: by the callback's return value, and by a token set before the scan.
c = Collector(stop_after=1)
check(lib.ts_scan_path(context, TREE.encode(), None, c.on_record, c.on_error, None) == CANCELLED,
      "a callback's non-zero return does not cancel")
check(len(c.records) == 1, f"records after the callback stopped the scan: {len(c.records)}")
options, token = ctypes.c_void_p(), ctypes.c_void_p()
lib.ts_scan_options_new(ctypes.byref(options))
lib.ts_cancel_token_new(ctypes.byref(token))
lib.ts_scan_options_set_cancel(options, token)
lib.ts_cancel(token)
c = Collector()
check(lib.ts_scan_path(context, TREE.encode(), options, c.on_record, c.on_error, None) == CANCELLED
      and not c.records, "a cancelled token does not stop the scan")
lib.ts_scan_options_free(options)
lib.ts_cancel_token_free(token)

# A token cancelled while two scans that share it run (from a third thread, once both have
# delivered a record): both stop early, with TS_E_CANCELLED. The tree is the host's /usr/bin
# (hundreds of binaries: seconds of work), so the scans are still running when the token fires.
options, token = ctypes.c_void_p(), ctypes.c_void_p()
lib.ts_scan_options_new(ctypes.byref(options))
lib.ts_cancel_token_new(ctypes.byref(token))
lib.ts_scan_options_set_cancel(options, token)
started = [threading.Event(), threading.Event()]
collectors = [Collector(on_first=started[0].set), Collector(on_first=started[1].set)]
statuses = [None, None]


def scan_in_thread(i):
    statuses[i] = lib.ts_scan_path(context, b"/usr/bin", options, collectors[i].on_record, collectors[i].on_error,
                                   None)


threads = [threading.Thread(target=scan_in_thread, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
check(all(e.wait(120) for e in started), "the shared-token scans delivered no record")
lib.ts_cancel(token)
cancelled_at = time.monotonic()
for t in threads:
    t.join(120)
stopped_after = time.monotonic() - cancelled_at
check(not any(t.is_alive() for t in threads), "a scan did not return after its token was cancelled")
check(statuses == [CANCELLED, CANCELLED], f"shared token cancelled mid-scan: statuses {statuses}")
# Not a speed test: only that the scans stop rather than run to their end (minutes under load).
check(stopped_after < 30, "the scans took over 30 s to stop after the token was cancelled")
full = subprocess.run([TS, "scan", "-q", "-f", "json", "-o", "/dev/stdout", "/usr/bin"],
                      capture_output=True, text=True)
total = len(json.loads(full.stdout)["files"]) if full.stdout else 0
check(all(len(c.records) < total for c in collectors),
      f"records after the cancel: {[len(c.records) for c in collectors]} of {total}: the scans ran to their end")
print(f"shared token cancelled mid-scan: {[len(c.records) for c in collectors]} records of {total}, "
      f"returned {stopped_after:.2f} s after ts_cancel")
lib.ts_scan_options_free(options)
lib.ts_cancel_token_free(token)
lib.ts_context_close(context)
print(f"api_test: {len(failures)} failures")
sys.exit(1 if failures else 0)
