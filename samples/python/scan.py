#!/usr/bin/env python3
"""Scans roots with libtrustscan through ctypes, one thread, and prints one JSON line per binary:
the plain fields of ts_record and the record itself (the report's schema JSON) under "record".

    python3 scan.py ROOT...

The library is libtrustscan.so.1 as the dynamic loader finds it, or $TRUSTSCAN_LIBRARY.
$TRUSTSCAN_CONFIG, when set, is a JSON object of options (ts_config_set_json).
"""
import ctypes
import json
import os
import sys


class Record(ctypes.Structure):
    """struct ts_record of trustscan.h (fields may be appended: check struct_size)."""
    _fields_ = [("struct_size", ctypes.c_size_t), ("json", ctypes.c_char_p), ("json_length", ctypes.c_size_t),
                ("path", ctypes.c_char_p), ("sha256", ctypes.c_char_p), ("severity", ctypes.c_char_p),
                ("signature_status", ctypes.c_char_p), ("vendor", ctypes.c_char_p), ("country", ctypes.c_char_p),
                ("privilege", ctypes.c_char_p), ("finding", ctypes.c_int)]


RECORD_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Record), ctypes.c_void_p)
ERROR_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p)


def load(path):
    lib = ctypes.CDLL(path)
    lib.ts_version.restype = ctypes.c_char_p
    lib.ts_status_message.restype = ctypes.c_char_p
    lib.ts_last_error.restype = ctypes.c_char_p
    lib.ts_config_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    lib.ts_config_set_json.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.ts_config_free.argtypes = [ctypes.c_void_p]
    lib.ts_context_open.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.ts_context_close.argtypes = [ctypes.c_void_p]
    lib.ts_scan_path.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p, RECORD_FN, ERROR_FN,
                                 ctypes.c_void_p]
    return lib


def text(value):
    return None if value is None else value.decode("utf-8")


def main(argv):
    if len(argv) < 2:
        print(f"usage: {argv[0]} ROOT...", file=sys.stderr)
        return 2
    lib = load(os.environ.get("TRUSTSCAN_LIBRARY", "libtrustscan.so.1"))

    def check(status):
        if status != 0:
            raise SystemExit(f"scan.py: {text(lib.ts_status_message(status))}: {text(lib.ts_last_error())}")

    config, context = ctypes.c_void_p(), ctypes.c_void_p()
    check(lib.ts_config_new(ctypes.byref(config)))
    try:
        if os.environ.get("TRUSTSCAN_CONFIG"):
            check(lib.ts_config_set_json(config, os.environ["TRUSTSCAN_CONFIG"].encode()))
        check(lib.ts_context_open(config, ctypes.byref(context)))
    finally:
        lib.ts_config_free(config)

    @RECORD_FN
    def on_record(rec, _user):
        r = rec.contents
        plain = {name: text(getattr(r, name))
                 for name in ("path", "sha256", "severity", "signature_status", "vendor", "country", "privilege")}
        plain["finding"] = bool(r.finding)
        plain["record"] = json.loads(ctypes.string_at(r.json, r.json_length))
        print(json.dumps(plain))
        return 0

    @ERROR_FN
    def on_error(path, message, _user):
        print(f"scan.py: {text(path)}: {text(message)}", file=sys.stderr)

    try:
        for root in argv[1:]:
            check(lib.ts_scan_path(context, root.encode(), None, on_record, on_error, None))
    finally:
        lib.ts_context_close(context)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
