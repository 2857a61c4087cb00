#!/usr/bin/python3
"""Lint trustscan's YARA rules and encode version-resource checks for them.

    rule_lint.py check [PATH...]          # default: rules/ next to this script's parent
    rule_lint.py encode KEY VAR [--nocase] [--exact] VALUE...

`check` enforces the house style of rules/README.md and docs/rules.md on every *.yar file:
required meta (vendor slug, description, confidence low|medium|high, reference), rule names
`<Vendor>_<Artefact>`, unique rule names, no short strings (atoms under 6 bytes make YARA slow),
index.yar including every rules/vendors/*.yar exactly once (gated.yar every rules/gated/*.yar),
gates (rules tagged `gate`, no meta) paired one to one with a gated rule of the same name, and
that every encoded value (a version-resource comparison, see `encode`, or a DER certificate name)
is what its `//` comment says it is.
Problems are printed as FILE:LINE: message. Exit status 0 clean, 1 problems, 2 usage error.

`encode` prints the string declaration and the condition lines that test a VS_VERSIONINFO
String entry, e.g.

    rule_lint.py encode OriginalFilename ofn --nocase --exact klif.sys

Why conditions instead of strings: a UTF-16 text string has a zero in every other byte, so each
of its 4-byte atoms is weak and hundreds of them (one per driver name) slowed YARA down by ~2x on
a tree of ELF files. One strong string per key ("wType = 1" + the key) plus `uint32` comparisons
at a fixed offset from it costs nothing measurable (docs/rules.md, "Performance").
Needs only the Python standard library.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

REQUIRED_META = ("vendor", "description", "confidence", "reference")
CONFIDENCE = ("low", "medium", "high")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # vendor ids of signatures/vendors
RULE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*_[A-Z][A-Za-z0-9]*$")
MIN_STRING_BYTES = 6

# --------------------------------------------------------------------------------------------
# Version-resource encoding


def key_bytes(key: str) -> bytes:
    """wType = 1 (text) + key in UTF-16LE + NUL + padding to the 32-bit aligned value."""
    # A String entry is 32-bit aligned: 6 header bytes, then the key; the value starts at the
    # next 32-bit boundary, so odd-length keys are followed by 2 padding bytes.
    return b"\x01\x00" + (key + "\0").encode("utf-16-le") + (b"\0\0" if len(key) % 2 else b"")


def hex_bytes(data: bytes) -> str:
    return " ".join(f"{b:02X}" for b in data)


def key_hex(key: str) -> str:
    """key_bytes() as a YARA hex string, with wType's high byte written `0?`.

    NOTE: the mask is for speed, not tolerance. YARA picks the string's best-scoring 4-byte atom,
    and `01 00 43 00` would win; `01 00` (a little-endian 1) is everywhere in binaries, so the
    scanner would leave the Aho-Corasick root on nearly every other word (+30% scan time for a
    single string). With `0?` the atom moves into the key ("C\0o\0"), which is rare.
    """
    return "01 0? " + hex_bytes(key_bytes(key)[2:])


def value_expression(var: str, offset: int, value: str, nocase: bool, exact: bool) -> str:
    """`uint32`/`uint16` comparisons that hold when `value` is stored at @var + offset."""
    raw = value.encode("utf-16-le") + (b"\0\0" if exact else b"")
    terms = []
    for i in range(0, len(raw), 4):
        chunk = raw[i : i + 4]
        bits = 8 * len(chunk)
        mask = 0
        if nocase:
            for j in range(0, len(chunk), 2):
                lo, hi = chunk[j], chunk[j + 1]
                if hi == 0 and (0x41 <= lo <= 0x5A or 0x61 <= lo <= 0x7A):
                    mask |= 0x20 << (8 * j)
        val = int.from_bytes(chunk, "little") | mask
        width = bits // 4
        read = f"uint{bits}(@{var} + {offset + i})"
        terms.append(f"({read} | 0x{mask:0{width}X}) == 0x{val:0{width}X}" if mask else f"{read} == 0x{val:0{width}X}")
    return "(" + " and ".join(terms) + ")"


# How far into a value `contains` looks, in UTF-16 code units. Copyright and trademark lines put
# the holder after a product name or "Copyright (C) 1997-2025 ", well inside 64 characters.
CONTAINS_WINDOW = 64


def contains_expression(var: str, offset: int, value: str) -> str:
    """Holds when `value` starts at one of the first CONTAINS_WINDOW characters after @var + offset."""
    inner = value_expression(var, offset, value, False, False)
    inner = re.sub(r"uint(32|16)\(@(\w+) \+ (\d+)\)", r"uint\1(@\2 + 2 * i + \3)", inner)
    return f"(for any i in (0..{CONTAINS_WINDOW - 1}) : {inner})"


def comment_for(key: str, value: str, nocase: bool, exact: bool, contains: bool = False) -> str:
    verb = "contains" if contains else "is" if exact else "starts with"
    return f'// {key} {verb} "{value}"' + (" (any case)" if nocase else "")


def encode_lines(key: str, var: str, values: list[str], nocase: bool, exact: bool, indent: str = "",
                 contains: bool = False) -> list[str]:
    """Condition lines (comment + expression per value, joined with `or`)."""
    offset = len(key_bytes(key))
    lines = []
    for n, value in enumerate(values):
        expr = contains_expression(var, offset, value) if contains else value_expression(var, offset, value, nocase, exact)
        lines.append(indent + comment_for(key, value, nocase, exact, contains))
        lines.append(indent + expr + (" or" if n + 1 < len(values) else ""))
    return lines


def string_line(key: str, var: str) -> str:
    return f'${var} = {{ {key_hex(key)} }}  // wType=1, "{key}", NUL{", pad" if len(key) % 2 else ""}'


# --------------------------------------------------------------------------------------------
# Parsing (house style: `rule NAME : tags` at column 0, closing `}` at column 0)

RULE_HEAD = re.compile(r"^rule\s+(\w+)(?:\s*:\s*([\w ]+))?\s*$")
META_LINE = re.compile(r'^\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$')
STRING_LINE = re.compile(r'^\s*\$(\w*)\s*=\s*(.*)$')
COMMENT_VALUE = re.compile(r'^\s*// (\w+) (is|starts with|contains) "((?:[^"\\]|\\.)*)"( \(any case\))?\s*$')
TERM = re.compile(r"\(?uint(32|16)\(@(\w+) \+ (?:2 \* i \+ )?(\d+)\)(?: \| 0x([0-9A-F]+)\))? == 0x([0-9A-F]+)")


class Rule:
    def __init__(self, name: str, tags: list[str], path: pathlib.Path, line: int):
        self.name, self.tags, self.path, self.line = name, tags, path, line
        self.meta: dict[str, tuple[str, bool]] = {}  # key -> (value, is_text)
        self.strings: dict[str, tuple[str, int]] = {}  # var -> (definition, line)
        self.condition: list[tuple[str, int]] = []


def parse(path: pathlib.Path, problems: list[str]) -> list[Rule]:
    rules: list[Rule] = []
    rule: Rule | None = None
    section = None
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        head = RULE_HEAD.match(text)
        if head:
            rule = Rule(head.group(1), (head.group(2) or "").split(), path, n)
            rules.append(rule)
            section = None
            continue
        if rule is None:
            continue
        if text.startswith("}"):
            rule, section = None, None
            continue
        stripped = text.strip()
        if stripped in ("meta:", "strings:", "condition:"):
            section = stripped[:-1]
            continue
        if section == "meta":
            m = META_LINE.match(text)
            if m:
                is_text = m.group(2) is not None
                rule.meta[m.group(1)] = (m.group(2) if is_text else m.group(3), is_text)
            elif stripped and not stripped.startswith("//"):
                problems.append(f"{path}:{n}: cannot parse meta line (house style: one `key = value` per line)")
        elif section == "strings":
            m = STRING_LINE.match(text)
            if m:
                rule.strings[m.group(1)] = (m.group(2), n)
        elif section == "condition":
            rule.condition.append((text, n))
    return rules


def string_bytes_estimate(definition: str) -> int:
    """Fixed bytes in the longest run of a string definition (a cheap atom-length proxy)."""
    definition = re.sub(r"\s*//.*$", "", definition)
    if definition.startswith("{"):
        body = definition.strip("{} ")
        runs = re.split(r"\[[^\]]*\]|\?\?|\([^)]*\)", body)
        return max((len(r.split()) for r in runs), default=0)
    m = re.match(r'"((?:[^"\\]|\\.)*)"', definition)
    if not m:
        return MIN_STRING_BYTES  # regex: left to the compiler's own warning
    literal = re.sub(r"\\x[0-9A-Fa-f]{2}|\\.", "x", m.group(1))
    return len(literal)


def check_encoded(rule: Rule, problems: list[str]) -> None:
    """Every `// KEY is "v"` comment must match the uint comparisons on the next line."""
    lines = rule.condition
    for i, (text, n) in enumerate(lines):
        c = COMMENT_VALUE.match(text)
        if not c:
            continue
        key, verb, value, nocase = c.group(1), c.group(2), c.group(3), c.group(4) is not None
        if i + 1 >= len(lines):
            problems.append(f"{rule.path}:{n}: value comment without an expression line")
            continue
        expr, en = lines[i + 1]
        terms = TERM.findall(expr)
        if not terms:
            problems.append(f"{rule.path}:{en}: expected uint32/uint16 comparisons after the comment")
            continue
        var = terms[0][1]
        definition = rule.strings.get(var, ("", 0))[0]
        want_key = key_hex(key)
        if want_key not in definition.upper():
            problems.append(f"{rule.path}:{en}: ${var} is not the {key} key string {{ {want_key} }}")
            continue
        plain = value.replace('\\"', '"').replace("\\\\", "\\")
        offset = len(key_bytes(key))
        expected = (contains_expression(var, offset, plain) if verb == "contains"
                    else value_expression(var, offset, plain, nocase, verb == "is"))
        if expected not in expr:
            problems.append(f"{rule.path}:{en}: comparisons do not encode {key} {verb} \"{value}\""
                            f"{' (any case)' if nocase else ''}; `rule_lint.py encode` gives {expected}")


def der_name_hex(name: str) -> str:
    """Hex string for a DER-encoded CN or O attribute with the given value (see docs/rules.md)."""
    data = name.encode("utf-8")
    tag = "(0C|13)" if data.isascii() else "0C"  # PrintableString cannot hold non-ASCII
    return f"{{ 06 03 55 04 (03|0A) {tag} {len(data):02X} {hex_bytes(data)} }}"


COMMENT_CERT = re.compile(r'^\s*// CN= or O= "((?:[^"\\]|\\.)*)"')


def check_cert_names(rule: Rule, problems: list[str]) -> None:
    """Every `// CN= or O= "name"` comment must describe the hex string on the next line."""
    lines = rule.path.read_text(encoding="utf-8").splitlines()
    for var, (definition, n) in rule.strings.items():
        comment = COMMENT_CERT.match(lines[n - 2]) if n >= 2 else None
        if comment is None:
            continue
        want = der_name_hex(comment.group(1))
        if definition.split("//")[0].strip() != want:
            problems.append(f"{rule.path}:{n}: ${var} does not encode CN/O \"{comment.group(1)}\"; expected {want}")


def check_rule(rule: Rule, problems: list[str]) -> None:
    where = f"{rule.path}:{rule.line}"
    if not RULE_NAME.match(rule.name):
        problems.append(f"{where}: rule name '{rule.name}' is not <Vendor>_<Artefact> (PascalCase parts)")
    if "private" in rule.tags or "gate" in rule.tags:
        return
    for key in REQUIRED_META:
        if key not in rule.meta:
            problems.append(f"{where}: rule '{rule.name}' lacks required meta '{key}'")
            continue
        value, is_text = rule.meta[key]
        if not is_text or not value:
            problems.append(f"{where}: rule '{rule.name}' meta '{key}' must be a non-empty text string")
        elif key == "confidence" and value not in CONFIDENCE:
            problems.append(f"{where}: rule '{rule.name}' meta 'confidence' must be low, medium or high")
        elif key == "vendor" and not SLUG.match(value):
            problems.append(f"{where}: rule '{rule.name}' meta 'vendor' must be a slug [a-z0-9_]")
    for var, (definition, n) in rule.strings.items():
        if string_bytes_estimate(definition) < MIN_STRING_BYTES:
            problems.append(f"{rule.path}:{n}: ${var} has fewer than {MIN_STRING_BYTES} fixed bytes in a row (slow atoms)")
    check_encoded(rule, problems)
    check_cert_names(rule, problems)


def check_index(root: pathlib.Path, problems: list[str]) -> None:
    check_listed(root, "index.yar", "vendors", problems)
    check_listed(root, "gated.yar", "gated", problems)


def check_listed(root: pathlib.Path, index_name: str, folder: str, problems: list[str]) -> None:
    index = root / index_name
    vendors = root / folder
    if not index.is_file() or not vendors.is_dir():
        return
    included: dict[str, int] = {}
    for n, text in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r'^\s*include\s+"([^"]+)"', text)
        if m:
            if m.group(1) in included:
                problems.append(f"{index}:{n}: '{m.group(1)}' included twice")
            included[m.group(1)] = n
    for f in sorted(vendors.glob("*.yar")):
        rel = f"{folder}/{f.name}"
        if rel not in included:
            problems.append(f"{index}:1: does not include {rel}")
    for rel, n in included.items():
        if not (root / rel).is_file():
            problems.append(f"{index}:{n}: included file {rel} does not exist")


def cmd_check(paths: list[pathlib.Path]) -> int:
    problems: list[str] = []
    seen: dict[str, str] = {}
    files: list[pathlib.Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.rglob("*.yar") if "policy" not in x.parts)
            check_index(p, problems)
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}:0: no such file or directory")
    gates: dict[str, str] = {}
    gated: dict[str, str] = {}
    for f in files:
        for rule in parse(f, problems):
            check_rule(rule, problems)
            where = f"{f}:{rule.line}"
            if "gate" in rule.tags:  # its rule, of the same name, is in gated/ (docs/rules.md)
                gates[rule.name] = where
                continue
            if "gated" in f.parts:
                gated[rule.name] = where
            if rule.name in seen:
                problems.append(f"{where}: rule '{rule.name}' already defined at {seen[rule.name]}")
            seen[rule.name] = where
    for name, where in gates.items():
        if name not in gated:
            problems.append(f"{where}: gate '{name}' has no gated rule of that name in gated/")
    for name, where in gated.items():
        if name not in gates:
            problems.append(f"{where}: gated rule '{name}' has no gate of that name")
    for p in problems:
        print(p)
    print(f"{len(files)} files, {len(seen)} rules, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


def cmd_encode(key: str, var: str, values: list[str], nocase: bool, exact: bool, contains: bool) -> int:
    print("strings:")
    print("    " + string_line(key, var))
    print("condition:")
    for line in encode_lines(key, var, values, nocase, exact, "    ", contains):
        print(line)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    check = sub.add_parser("check", help="lint rule files (default)")
    check.add_argument("paths", nargs="*", type=pathlib.Path)
    enc = sub.add_parser("encode", help="print a version-resource key string and value comparisons")
    enc.add_argument("key", help="String entry key, e.g. CompanyName, OriginalFilename")
    enc.add_argument("var", help="string variable name without $, e.g. ofn")
    enc.add_argument("values", nargs="+")
    enc.add_argument("--nocase", action="store_true", help="ASCII letters match in any case")
    enc.add_argument("--exact", action="store_true", help="value must end there (NUL follows)")
    enc.add_argument("--contains", action="store_true",
                     help=f"value may start anywhere in the first {CONTAINS_WINDOW} characters")
    args = parser.parse_args(argv)
    if args.command == "encode":
        return cmd_encode(args.key, args.var, args.values, args.nocase, args.exact, args.contains)
    paths = getattr(args, "paths", None) or [pathlib.Path(__file__).resolve().parent.parent / "rules"]
    return cmd_check(paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
