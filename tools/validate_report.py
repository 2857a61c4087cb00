#!/usr/bin/python3
"""Validate trustscan reports against the JSON Schemas in docs/schema/.

    validate_report.py [--schema docs/schema/report.schema.json] REPORT.json...
    validate_report.py --ndjson [--schema docs/schema/event.schema.json] EVENTS.ndjson...

A file of `-` is read from standard input. Every *.schema.json next to --schema is loaded too,
so relative `$ref`s between the schemas resolve offline. Each problem is printed as

    FILE:LINE: /json/pointer: message  [schema: /path/in/schema]

Exit status: 0 every input is valid; 1 an input is invalid or unreadable; 2 usage error or bad
schema. Needs only the Python standard library and python3-jsonschema (>= 4.0, Debian's 4.10).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import datetime
import json
import pathlib
import re
import sys
from json.decoder import scanstring

try:
    import jsonschema
    from jsonschema import FormatChecker
except ImportError:  # pragma: no cover - depends on the host
    sys.exit("validate_report: python3-jsonschema is required (apt-get install python3-jsonschema); "
             "run this script with /usr/bin/python3")

REPO = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_REPORT_SCHEMA = REPO / "docs" / "schema" / "report.schema.json"
DEFAULT_EVENT_SCHEMA = REPO / "docs" / "schema" / "event.schema.json"
MAX_MESSAGE = 300


class Problem:
    __slots__ = ("line", "pointer", "message", "schema_path")

    def __init__(self, line, pointer, message, schema_path=""):
        self.line, self.pointer, self.message, self.schema_path = line, pointer, message, schema_path

    def render(self, name: str) -> str:
        where = f"{name}:{self.line}" if self.line else name
        text = self.message if len(self.message) <= MAX_MESSAGE else self.message[:MAX_MESSAGE] + "..."
        out = f"{where}: {self.pointer or '/'}: {text}" if self.pointer is not None else f"{where}: {text}"
        return out + (f"  [schema: {self.schema_path}]" if self.schema_path else "")


# ------------------------------------------------------------------------------------- parsing
class JsonSyntaxError(ValueError):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate object key {key!r}")
        seen[key] = value
    return seen


def _no_constants(name):
    raise ValueError(f"{name} is not valid JSON")


def strict_loads(text: str):
    """json.loads, but duplicate keys, NaN and Infinity are errors (RFC 8259 interoperability)."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)


def pointer_of(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")


def value_lines(text: str) -> dict[str, int]:
    """Maps the JSON pointer of every value in `text` (already known to be valid JSON) to the
    1-based line on which it starts. Used only to place schema errors in a multi-line document."""
    newlines = [i for i, c in enumerate(text) if c == "\n"]
    lines: dict[str, int] = {}

    def line_at(pos: int) -> int:
        return bisect.bisect_right(newlines, pos - 1) + 1

    # Iterative walk: a stack of (container kind, pointer, next index) avoids deep recursion.
    pos = _WS.match(text, 0).end()
    stack: list[list] = []  # [kind, pointer, index]
    pointer = ""
    while True:
        lines[pointer] = line_at(pos)
        c = text[pos]
        if c == "{" or c == "[":
            pos = _WS.match(text, pos + 1).end()
            close = "}" if c == "{" else "]"
            if text[pos] == close:
                pos += 1
            else:
                stack.append([c, pointer, 0])
                if c == "{":
                    key, pos = scanstring(text, pos + 1)
                    pos = _WS.match(text, pos).end() + 1  # ':'
                    pos = _WS.match(text, pos).end()
                    pointer = stack[-1][1] + pointer_of([key])
                else:
                    pointer = stack[-1][1] + "/0"
                continue
        elif c == '"':
            _, pos = scanstring(text, pos + 1)
        elif c in "tfn":
            pos += next(len(lit) for lit in _LITERALS if text.startswith(lit, pos))
        else:
            pos = _NUMBER.match(text, pos).end()
        # Value done: move to the next sibling, closing containers as needed.
        while stack:
            pos = _WS.match(text, pos).end()
            kind, parent, index = stack[-1]
            if text[pos] == ",":
                pos = _WS.match(text, pos + 1).end()
                stack[-1][2] = index + 1
                if kind == "{":
                    key, pos = scanstring(text, pos + 1)
                    pos = _WS.match(text, pos).end() + 1
                    pos = _WS.match(text, pos).end()
                    pointer = parent + pointer_of([key])
                else:
                    pointer = f"{parent}/{index + 1}"
                break
            pos += 1  # '}' or ']'
            stack.pop()
        else:
            return lines


# ------------------------------------------------------------------------------------ schemas
def make_format_checker() -> FormatChecker:
    """date-time checked with the standard library (jsonschema needs an optional package for it)."""
    checker = FormatChecker(formats=())

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
            raise ValueError("not an RFC 3339 date-time")
        datetime.datetime.fromisoformat(value[:-1] + "+00:00" if value[-1] in "Zz" else value)
        return True

    return checker


def load_validator(schema_path: pathlib.Path):
    store = {}
    main = None
    for path in sorted(schema_path.parent.glob("*.schema.json")) + [schema_path]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            if path == schema_path:
                raise SystemExit(f"validate_report: cannot read schema {path}: {e}") from None
            continue
        store[path.resolve().as_uri()] = doc
        if isinstance(doc, dict) and "$id" in doc:
            store[doc["$id"]] = doc
        if path == schema_path:
            main = doc
    cls = jsonschema.validators.validator_for(main)
    try:
        cls.check_schema(main)
    except jsonschema.exceptions.SchemaError as e:
        raise SystemExit(f"validate_report: {schema_path} is not a valid schema: {e.message}") from None
    base = main.get("$id", schema_path.resolve().as_uri())
    resolver = jsonschema.RefResolver(base, main, store=store)
    return cls(main, resolver=resolver, format_checker=make_format_checker())


def _leaf_errors(error):
    """Replaces a failed oneOf/anyOf by the errors of the branch that was meant to apply: the one
    whose failures do not include a `const`/`enum` mismatch of a discriminator such as
    event.dataset. If no single branch can be chosen, the combinator error itself is kept."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    by_branch = collections.defaultdict(list)
    for sub in error.context:
        by_branch[sub.relative_schema_path[0]].append(sub)

    def mismatched_discriminator(errs):
        return any(e.validator in ("const", "enum") and len(e.relative_path) >= 1
                   and list(e.absolute_path)[-1] == "dataset" for e in errs)

    candidates = [errs for errs in by_branch.values() if not mismatched_discriminator(errs)]
    if not candidates:
        return []  # the discriminator itself is wrong; its own enum/required error says so
    if len(candidates) != 1:
        error.message = f"matches none of the {len(by_branch)} {error.validator} alternatives"
        return [error]
    out = []
    for sub in candidates[0]:
        out.extend(_leaf_errors(sub))
    return out


def _path_key(error):
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def schema_problems(validator, instance, text=None, line=None):
    """Problems of `instance`; with `text` (the document it was parsed from) each is given the line
    of the value it concerns, otherwise the fixed `line`."""
    leaves = [leaf for error in sorted(validator.iter_errors(instance), key=_path_key) for leaf in _leaf_errors(error)]
    line_of = value_lines(text) if leaves and text is not None else None
    problems, seen = [], set()
    for leaf in leaves:
        pointer = pointer_of(leaf.absolute_path)
        where = line
        if line_of is not None:
            probe = list(leaf.absolute_path)
            while probe and pointer_of(probe) not in line_of:
                probe.pop()
            where = line_of.get(pointer_of(probe))
        key = (where, pointer, leaf.message)  # a oneOf failure can repeat a leaf: report it once
        if key not in seen:
            seen.add(key)
            problems.append(Problem(where, pointer, leaf.message, pointer_of(leaf.absolute_schema_path)))
    return problems


# ----------------------------------------------------------------------------------- checking
def read_text(name: str) -> tuple[str | None, list[Problem]]:
    try:
        data = sys.stdin.buffer.read() if name == "-" else pathlib.Path(name).read_bytes()
    except OSError as e:
        return None, [Problem(None, None, f"cannot read: {e.strerror}")]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return None, [Problem(line, None, f"invalid UTF-8 at byte offset {e.start} (JSON text must be UTF-8)")]


def check_report(name: str, validator) -> tuple[list[Problem], str]:
    text, problems = read_text(name)
    if text is None:
        return problems, ""
    try:
        doc = strict_loads(text)
    except json.JSONDecodeError as e:
        return [Problem(e.lineno, None, f"not valid JSON: {e.msg} (column {e.colno})")], ""
    except ValueError as e:
        return [Problem(None, None, f"not valid JSON: {e}")], ""
    problems = schema_problems(validator, doc, text=text)
    if isinstance(doc, dict):
        counts = ", ".join(f"{len(doc[k])} {k}" for k in ("files", "skipped", "errors") if isinstance(doc.get(k), list))
    else:
        counts = ""
    return problems, counts


def check_ndjson(name: str, validator) -> tuple[list[Problem], str]:
    text, problems = read_text(name)
    if text is None:
        return problems, ""
    if text and not text.endswith("\n"):
        problems.append(Problem(text.count("\n") + 1, None, "last line is not terminated by a newline"))
    datasets = collections.Counter()
    summary_lines = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            problems.append(Problem(number, None, "empty line (each line must be one JSON object)"))
            continue
        try:
            event = strict_loads(raw)
        except json.JSONDecodeError as e:
            problems.append(Problem(number, None, f"not valid JSON: {e.msg} (column {e.colno})"))
            continue
        except ValueError as e:
            problems.append(Problem(number, None, f"not valid JSON: {e}"))
            continue
        if not isinstance(event, dict):
            problems.append(Problem(number, "", f"a line must be a JSON object, not {type(event).__name__}"))
            continue
        dataset = event.get("event", {}).get("dataset") if isinstance(event.get("event"), dict) else None
        datasets[dataset if isinstance(dataset, str) else "(no event.dataset)"] += 1
        if dataset == "trustscan.summary":
            summary_lines.append(number)
        problems.extend(schema_problems(validator, event, line=number))
    # Stream-level contract: exactly one summary event, and it is the last line.
    if lines and not summary_lines:
        problems.append(Problem(None, None, "no trustscan.summary event (it must be the last line)"))
    elif len(summary_lines) > 1:
        problems.append(Problem(summary_lines[1], None, f"{len(summary_lines)} trustscan.summary events (expected 1)"))
    elif summary_lines and summary_lines[0] != len(lines):
        problems.append(Problem(summary_lines[0], None, "the trustscan.summary event is not the last line"))
    if not lines:
        problems.append(Problem(None, None, "empty input (expected at least the summary event)"))
    counts = f"{len(lines)} events (" + ", ".join(f"{v} {k}" for k, v in sorted(datasets.items())) + ")"
    return problems, counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Validate trustscan --format json reports (or --format ndjson event streams) "
                    "against the JSON Schemas in docs/schema/.")
    parser.add_argument("inputs", nargs="+", metavar="FILE", help="report or NDJSON file ('-' for stdin)")
    parser.add_argument("--ndjson", action="store_true", help="inputs are NDJSON: validate each line as one event")
    parser.add_argument("--schema", type=pathlib.Path,
                        help="schema file (default: docs/schema/report.schema.json, or event.schema.json with --ndjson)")
    parser.add_argument("--max-errors", type=int, default=50, metavar="N",
                        help="print at most N problems per input (default 50; 0 = all)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing for valid inputs")
    args = parser.parse_args(argv)

    schema = args.schema or (DEFAULT_EVENT_SCHEMA if args.ndjson else DEFAULT_REPORT_SCHEMA)
    if not schema.is_file():
        parser.error(f"schema not found: {schema}")
    validator = load_validator(schema)
    check = check_ndjson if args.ndjson else check_report

    failed = False
    for name in args.inputs:
        problems, counts = check(name, validator)
        shown = problems if args.max_errors <= 0 else problems[: args.max_errors]
        for p in shown:
            print(p.render(name), file=sys.stderr)
        if len(shown) < len(problems):
            print(f"{name}: ... {len(problems) - len(shown)} more problems not shown", file=sys.stderr)
        if problems:
            failed = True
            print(f"{name}: INVALID ({len(problems)} problems; {counts or 'nothing validated'}) "
                  f"against {schema.name}", file=sys.stderr)
        elif not args.quiet:
            print(f"{name}: valid ({counts}) against {schema.name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
