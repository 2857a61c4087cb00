#!/usr/bin/python3
"""Check that includes between scanner/ folders point one way: down the stage order.

    check_includes.py [--root DIR]        # default: the repository holding this script

Every folder of scanner/ has a rank (LAYERS below, lowest first). A file of one folder may include
headers of its own folder and of lower-ranked folders; a `#include "X/..."` of a higher-ranked
folder is a back-dependency and fails the check with FILE:LINE and both folders. A folder that
has no rank fails too, so a new folder is placed in the order on purpose (add it to LAYERS).

The order follows the data flow of docs/architecture.md (discover -> map -> identify -> parse ->
verify -> match -> attribute -> policy -> report) and today's includes:
  - core: error/result types, limits, small helpers with no dependencies
  - results: the plain result headers of each stage (HEADER_LAYER), which the record holds
  - record: the per-file record (facts, then the verdicts of the later stages) of issue 18
  - io: the file-source interface, reads, hashing, decompression (discover walks an io::FileSource)
  - config: strict YAML documents, shared by the vendor-list and policy loaders
  - image: disk image files as io::FileSources (libtsk)
  - discover, identify, parse, verify: the per-file stages in order
  - windows: offline registry of Windows images; joined to the record after verify
  - datasets: imported third-party data (app's `data` command writes it; its importers use verify's
    parsers, and the loaders of match and later stages read it)
  - match, attribute, policy: the later per-file stages
  - cache: stored outcomes of the stages that read bytes (map ... match)
  - pipeline: runs the stages
  - report: turns the pipeline's ScanResult into output (pipeline never includes report)
  - app: the command line
  - capi: the C API of libtrustscan.so.1, a client like app
Only quoted includes of the form "folder/file" are checked; system and third-party includes
(<...>) are the business of the one folder that owns each library (docs/architecture.md).

ALLOWED lists today's back-dependencies, each with the issue that removes it. Remove an entry
when its include is gone: an entry that no longer matches anything fails the check, so the list
can only shrink.
Exit status: 0 clean, 1 violations, 2 usage error. Needs only the Python standard library.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

# Lowest first. Folders on one line are listed in the order they may include each other.
LAYERS = [
    "core",
    "results",  # not a folder: the plain result headers of HEADER_LAYER
    "record",
    "io",
    "config",
    "image",
    "discover",
    "identify",
    "parse",
    "verify",
    "windows",
    "datasets",
    "match",
    "attribute",
    "policy",
    "cache",
    "pipeline",
    "report",
    "app",
    "capi",
]

# Single headers that sit lower than their folder: plain result types that any stage may hold
# (in the per-file record, record/file_record.hpp) without depending on the service that computes
# them. Each may include only core/ and other result headers (docs/architecture.md, "The record").
HEADER_LAYER: dict[str, str] = {
    header: "results"
    for header in (
        "attribute/attribution.hpp",
        "datasets/known_bad_kinds.hpp",
        "discover/file_ref.hpp",
        "image/location.hpp",
        "match/known_bad_match.hpp",
        "match/rule_match.hpp",
        "parse/binary_model.hpp",
        "parse/privilege.hpp",
        "policy/verdict.hpp",
        "policy/severity.hpp",
        "verify/signature.hpp",
        "verify/cert_info.hpp",
        "verify/kernel_load.hpp",
        "verify/signature_status.hpp",
        "windows/service.hpp",
    )
}

# Today's back-dependencies: (including file, included header) -> why it is allowed for now.
ALLOWED: dict[tuple[str, str], str] = {}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def layer_of(relative: str) -> str:
    """The layer of a path relative to scanner/: its own override, else its folder."""
    return HEADER_LAYER.get(relative, relative.split("/", 1)[0])


def check(scanner: pathlib.Path) -> tuple[list[str], set[tuple[str, str]]]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    problems: list[str] = []
    used: set[tuple[str, str]] = set()
    for path in sorted(scanner.rglob("*")):
        if path.suffix not in (".hpp", ".cpp", ".h") or not path.is_file():
            continue
        relative = path.relative_to(scanner).as_posix()
        if "/" not in relative:
            continue  # files directly in scanner/ (none today) belong to no stage
        own = layer_of(relative)
        if own not in rank:
            problems.append(f"scanner/{relative}:1: folder '{own}' has no place in the stage order "
                            f"(add it to LAYERS in tools/check_includes.py)")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or "/" not in m.group(1):
                continue
            target = m.group(1)
            other = layer_of(target)
            if other not in rank or not (scanner / target).exists():
                continue  # not one of ours (a generated or third-party header)
            if rank[other] <= rank[own]:
                continue
            if (relative, target) in ALLOWED:
                used.add((relative, target))
                continue
            problems.append(f"scanner/{relative}:{number}: stage '{own}' includes \"{target}\" of the later "
                            f"stage '{other}' (order: {' < '.join(LAYERS)})")
    return problems, used


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    scanner = args.root / "scanner"
    if not scanner.is_dir():
        print(f"check_includes: {scanner} is not a directory", file=sys.stderr)
        return 2
    for header, layer in HEADER_LAYER.items():
        if layer not in LAYERS:
            print(f"check_includes: HEADER_LAYER[{header!r}] names unknown layer {layer!r}", file=sys.stderr)
            return 2
    problems, used = check(scanner)
    for key in sorted(set(ALLOWED) - used):
        problems.append(f"tools/check_includes.py: allow-list entry {key[0]} -> {key[1]} ({ALLOWED[key]}) "
                        f"matches nothing any more: remove it")
    for p in problems:
        print(p)
    if problems:
        print(f"check_includes: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_includes: ok ({len(ALLOWED)} allowed back-dependencies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
