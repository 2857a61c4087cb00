#!/usr/bin/env python3
"""Writes LOLDrivers' API document (drivers.json) from a directory of its YAML files, the way the
LOLDrivers project makes it (bin/api_exports.py upstream: every yaml/*.yaml read with
yaml.safe_load in file-name order, the list dumped as JSON with indent 4).

Used by the tests (tests/cli/known_bad_json_test.sh) to serve and import the JSON form of the
same data at test time: the output is derived from the data set and is never committed.

Usage: loldrivers_json.py YAML_DIR OUT_JSON [--reverse]
  --reverse   write the entries in reverse order (the importer's feed must not depend on it)
"""
import datetime
import json
import pathlib
import sys

import yaml

# yaml.safe_load's rules; the libyaml parser when python3-yaml has it (much faster).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def jsonable(value):
    """yaml.safe_load turns unquoted dates into date objects; the API has them as text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] != "--reverse"):
        sys.stderr.write(__doc__)
        return 2
    files = sorted(pathlib.Path(argv[1]).glob("*.yaml"))
    if not files:
        sys.stderr.write(f"{argv[1]}: no .yaml files\n")
        return 2
    drivers = []
    for path in files:
        with path.open(encoding="utf-8") as stream:
            drivers.append(yaml.load(stream, Loader=LOADER))
    if len(argv) == 4:
        drivers.reverse()
    with open(argv[2], "w", encoding="utf-8") as out:
        json.dump(drivers, out, ensure_ascii=False, indent=4, default=jsonable)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
