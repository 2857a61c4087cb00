#!/usr/bin/python3
"""Check NDJSON events against the Elastic Common Schema field list.

    check_ecs_events.py --fields ECS_FIELDS.csv EVENTS.ndjson...

ECS_FIELDS.csv is ECS's generated field list (`generated/csv/fields.csv` of the elastic/ecs
repository: ECS_Version,Indexed,Field_Set,Field,Type,Level,Normalization,...). It is read at run
time and never copied into the project. Every field of every event outside `trustscan.*` must:

- be an ECS field (or an object on the way to one: `file` on the way to `file.path`);
- have a JSON value that fits its ECS type: keyword/text/wildcard -> string, long/integer ->
  integer, float -> number, boolean -> boolean, date -> ISO 8601 string, ip -> IP address,
  object/flattened -> object, nested -> objects whose fields are checked in turn; an array of
  such values is allowed for any field;

and every event must:

- declare `ecs.version` equal to the list's ECS_Version;
- carry `@timestamp`, `message`, `event.id` (unique across all inputs), `event.created`,
  `event.kind`, `host.hostname`, `host.os.type`, `agent.name`, `agent.type`, `agent.version`
  and `related.hash` (an array, maybe empty);
- use only allowed values for the categorization fields (ECS_ALLOWED below: ECS's field list has
  no allowed values, so they are written here by hand from ECS's reference pages
  "ECS categorization field: event.kind / event.category / event.type / event.outcome");
  every event.type must be one ECS expects for one of the event's categories (a file event of a
  driver, category [driver, file], may be of type creation: expected for file); `pipeline_error`
  (ECS reserves it for
  ingest pipeline failures) and `signal` (reserved for Kibana rules) are never produced by an
  agent.

Exit status: 0 every event conforms; 1 a problem was found (each printed as FILE:LINE: message);
2 usage error or unreadable field list.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import ipaddress
import json
import sys

# ECS reference, "ECS categorization field: event.kind": the allowed values.
KINDS = {"alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal"}
# Allowed but not for an agent: pipeline_error is for ingest pipeline failures, signal for Kibana.
RESERVED_KINDS = {"pipeline_error", "signal"}
# ECS reference, "ECS categorization field: event.category": each category's expected event types.
CATEGORY_TYPES = {
    "api": {"access", "admin", "allowed", "change", "creation", "deletion", "denied", "end", "info", "start", "user"},
    "authentication": {"start", "end", "info"},
    "configuration": {"access", "change", "creation", "deletion", "info"},
    "database": {"access", "change", "info", "error"},
    "driver": {"change", "end", "info", "start"},
    "email": {"info"},
    "file": {"access", "change", "creation", "deletion", "info"},
    "host": {"access", "change", "end", "info", "start"},
    "iam": {"admin", "change", "creation", "deletion", "group", "info", "user"},
    "intrusion_detection": {"allowed", "denied", "info"},
    "library": {"start"},
    "malware": {"info"},
    "network": {"access", "allowed", "connection", "denied", "end", "info", "protocol", "start"},
    "package": {"access", "change", "deletion", "info", "installation", "start"},
    "process": {"access", "change", "end", "info", "start"},
    "registry": {"access", "change", "creation", "deletion"},
    "session": {"start", "end", "info"},
    "threat": {"indicator"},
    "vulnerability": {"info"},
    "web": {"access", "error", "info"},
}
# ECS reference, "ECS categorization field: event.type": the allowed values.
TYPES = {"access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied", "device", "end",
         "error", "group", "indicator", "info", "installation", "protocol", "start", "user"}
OUTCOMES = {"failure", "success", "unknown"}

STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text", "version"}
INTEGER_TYPES = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT_TYPES = {"float", "double", "half_float", "scaled_float"}
OBJECT_TYPES = {"object", "flattened"}
# Fields whose ECS meaning the type alone does not pin down: (field, test, what ECS means).
MEANINGS = [("file.code_signature.flags", lambda v: isinstance(v, str) and v.isdigit(),
             "Apple's code-signing flags word, a number (ECS example 570522385)")]
REQUIRED = ["@timestamp", "message", "ecs.version", "event.id", "event.created", "event.kind", "host.hostname",
            "host.os.type", "agent.name", "agent.type", "agent.version", "related.hash"]


def load_fields(path):
    """{field: (type, normalization)} and the ECS version of the list."""
    fields, versions = {}, set()
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            fields[row["Field"]] = row["Type"]
            versions.add(row["ECS_Version"])
    if not fields or len(versions) != 1:
        raise ValueError(f"{path}: not an ECS fields.csv (fields {len(fields)}, versions {sorted(versions)})")
    return fields, versions.pop()


def is_date(v):
    if not isinstance(v, str):
        return False
    try:
        datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        return "T" in v
    except ValueError:
        return False


def fits(ecs_type, v):
    """Whether scalar JSON value `v` fits ECS type `ecs_type` (None: a type this checker does not know)."""
    if ecs_type in STRING_TYPES:
        return isinstance(v, str)
    if ecs_type in INTEGER_TYPES:
        return isinstance(v, int) and not isinstance(v, bool)
    if ecs_type in FLOAT_TYPES:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if ecs_type == "boolean":
        return isinstance(v, bool)
    if ecs_type == "date":
        return is_date(v)
    if ecs_type == "ip":
        try:
            ipaddress.ip_address(v)
            return True
        except (TypeError, ValueError):
            return False
    if ecs_type in OBJECT_TYPES:
        return isinstance(v, dict)
    if ecs_type == "geo_point":
        return isinstance(v, (dict, str, list))
    return None


class Checker:
    def __init__(self, fields, version):
        self.fields, self.version = fields, version
        self.prefixes = set()
        for name in fields:
            parts = name.split(".")
            for i in range(1, len(parts)):
                self.prefixes.add(".".join(parts[:i]))
        self.ids = {}

    def walk(self, name, value, out):
        """Checks `value` at dotted `name` (not under trustscan.*)."""
        ecs_type = self.fields.get(name)
        if ecs_type is None:
            if name not in self.prefixes:
                out.append(f"{name}: not an ECS field")
            elif not isinstance(value, dict):
                out.append(f"{name}: is {type(value).__name__}, ECS has fields under it (an object)")
            else:
                self.walk_object(name, value, out)
            return
        values = value if isinstance(value, list) else [value]
        for v in values:
            if ecs_type == "nested":
                if not isinstance(v, dict):
                    out.append(f"{name}: nested field holds {type(v).__name__}, not an object")
                else:
                    self.walk_object(name, v, out)
                continue
            ok = fits(ecs_type, v)
            if ok is None:
                out.append(f"{name}: ECS type {ecs_type} is not known to this checker")
            elif not ok:
                out.append(f"{name}: {json.dumps(v)[:80]} does not fit ECS type {ecs_type}")

    def walk_object(self, prefix, obj, out):
        for key, v in obj.items():
            name = f"{prefix}.{key}" if prefix else key
            if name == "trustscan" or name.startswith("trustscan."):
                continue
            self.walk(name, v, out)

    def categorization(self, ev, out):
        event = ev.get("event") if isinstance(ev.get("event"), dict) else {}
        kind = event.get("kind")
        if kind not in KINDS:
            out.append(f"event.kind: {kind!r} is not an ECS allowed value")
        elif kind in RESERVED_KINDS:
            out.append(f"event.kind: {kind!r} is reserved ({'ingest pipeline failures' if kind == 'pipeline_error' else 'Kibana rules'})")
        cats = event.get("category", [])
        types = event.get("type", [])
        cats = cats if isinstance(cats, list) else [cats]
        types = types if isinstance(types, list) else [types]
        for c in cats:
            if c not in CATEGORY_TYPES:
                out.append(f"event.category: {c!r} is not an ECS allowed value")
        for t in types:
            if t not in TYPES:
                out.append(f"event.type: {t!r} is not an ECS allowed value")
        known = [c for c in cats if c in CATEGORY_TYPES]
        if known:
            for t in types:
                if t in TYPES and not any(t in CATEGORY_TYPES[c] for c in known):
                    out.append(f"event.type: {t!r} is not expected for event.category {known}")
        if types and not cats:
            out.append("event.type without event.category")
        outcome = event.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            out.append(f"event.outcome: {outcome!r} is not an ECS allowed value")

    def required(self, ev, out):
        for name in REQUIRED:
            node = ev
            for part in ([name] if name == "@timestamp" else name.split(".")):
                node = node.get(part) if isinstance(node, dict) else None
            if node is None or node == "":
                out.append(f"{name}: missing")
        related = ev.get("related", {}).get("hash") if isinstance(ev.get("related"), dict) else None
        if related is not None and not isinstance(related, list):
            out.append("related.hash: not an array")
        version = ev.get("ecs", {}).get("version") if isinstance(ev.get("ecs"), dict) else None
        if version is not None and version != self.version:
            out.append(f"ecs.version: {version!r}, but the events are checked against ECS {self.version}")

    def event(self, ev, where):
        out = []
        if not isinstance(ev, dict):
            return [f"{where}: not a JSON object"]
        self.walk_object("", ev, out)
        for name, test, meaning in MEANINGS:
            node = ev
            for part in name.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None and not test(node):
                out.append(f"{name}: {json.dumps(node)[:80]} is not what ECS means by it: {meaning}")
        self.categorization(ev, out)
        self.required(ev, out)
        eid = ev.get("event", {}).get("id") if isinstance(ev.get("event"), dict) else None
        if isinstance(eid, str):
            if eid in self.ids:
                out.append(f"event.id: {eid!r} also at {self.ids[eid]}")
            else:
                self.ids[eid] = where
        return [f"{where}: {p}" for p in out]


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fields", required=True, help="ECS generated/csv/fields.csv")
    ap.add_argument("--max-problems", type=int, default=50, help="print at most this many problems (default 50)")
    ap.add_argument("inputs", nargs="+", help="NDJSON files")
    args = ap.parse_args(argv)
    try:
        fields, version = load_fields(args.fields)
    except (OSError, ValueError, KeyError) as e:
        print(f"check_ecs_events: {e}", file=sys.stderr)
        return 2
    checker = Checker(fields, version)
    problems = events = 0
    for path in args.inputs:
        try:
            lines = open(path, encoding="utf-8").read().splitlines()
        except OSError as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 1
        for n, line in enumerate(lines, 1):
            try:
                ev = json.loads(line)
            except ValueError as e:
                found = [f"{path}:{n}: not JSON: {e}"]
            else:
                found = checker.event(ev, f"{path}:{n}")
            events += 1
            for p in found:
                problems += 1
                if problems <= args.max_problems:
                    print(p)
    print(f"check_ecs_events: {events} events, {problems} problems (ECS {version}, {len(fields)} fields)",
          file=sys.stderr)
    return 1 if problems or not events else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
