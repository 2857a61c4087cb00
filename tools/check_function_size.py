#!/usr/bin/python3
"""Check that no function in scanner/ has a body longer than 100 lines.

    check_function_size.py [--root DIR] [--max N] [--list]   # default: the repository of this script

A function's size is counted as clang-tidy's readability-function-size counts it (LineThreshold):
the line of its closing brace minus the line of its opening brace, comments and blank lines
included. clang-tidy runs that check too, but only on changed files (tools/check_changed.py),
because parsing every file with clang takes minutes; this check reads every file of scanner/ in
about a second, with a small C++ scanner: comments, strings, character literals and preprocessor
lines are blanked, then each `{` at namespace or class scope is classified by the text before it
(a namespace or class body is entered, a function body is measured, an initializer is skipped).
Lambdas and local classes count toward the function that holds them.

ALLOWED names today's functions over the limit that another piece of work is splitting, each with
its issue; `--list` prints every function over the limit. An entry that no longer matches a long
function fails the check, so the list can only shrink.
Exit status: 0 clean, 1 violations, 2 usage error. Needs only the Python standard library.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

MAX_LINES = 100

# "scanner/FILE:QUALIFIED_NAME" -> the issue whose work splits it.
ALLOWED: dict[str, str] = {
    # issue 18: split on the gates branch before the record model reshaped them; being split again
    # on today's code (the scan options, running the scan and writing the report; the Mach-O
    # SuperBlob, CMS and chain steps; the module signature's CMS, signer and key steps).
    "scanner/app/cli.cpp:run": "issue 18",
    "scanner/verify/macho_signature.cpp:verify_cms": "issue 18",
    "scanner/verify/macho_signature.cpp:verify_macho_signature": "issue 18",
    "scanner/verify/module_signature.cpp:verify_module_signature": "issue 18",
}

_RAW_STRING = re.compile(r'R"([^()\\ ]{0,16})\(')


def blank(text: str) -> str:
    """Replaces comments, string and character literals and preprocessor lines by spaces
    (newlines kept, so line numbers stay)."""
    out: list[str] = []
    i, n = 0, len(text)
    line_start = True
    prev_word = ""  # the identifier or number just before, to tell 1'000 from 'a'

    def keep_newlines(s: str) -> str:
        return "".join(c if c == "\n" else " " for c in s)

    while i < n:
        c = text[i]
        if line_start and c == "#":  # preprocessor line, with continuations
            j = i
            while j < n and text[j] != "\n":
                j = j + 2 if text[j] == "\\" and j + 1 < n else j + 1
            out.append(keep_newlines(text[i:j]))
            i = j
            continue
        if c == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(keep_newlines(text[i:j]))
            i = j
            continue
        raw = _RAW_STRING.match(text, i) if c == "R" and not prev_word else None
        if raw:
            end = text.find(")" + raw.group(1) + '"', raw.end())
            j = n if end < 0 else end + len(raw.group(1)) + 2
            out.append(keep_newlines(text[i:j]))
            i, prev_word = j, ""
            continue
        if c == '"' or (c == "'" and not (prev_word and prev_word[0].isdigit())):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(keep_newlines(text[i:j]))
            i, prev_word = j, ""
            continue
        if c.isalnum() or c == "_" or (c == "'" and prev_word):
            prev_word += c
        else:
            prev_word = ""
        if c == "\n":
            line_start = True
        elif not c.isspace():
            line_start = False
        out.append(c)
        i += 1
    return "".join(out)


_NAMESPACE = re.compile(r"^(inline\s+)?namespace\b|^extern$")
_CLASS = re.compile(r"^(template\s*<.*>\s*)?(class|struct|union)\s+([A-Za-z_]\w*)[^(=]*$", re.S)
_ENUM = re.compile(r"^enum\b")
_ATTRIBUTE = re.compile(r"\[\[.*?\]\]")
_QUALIFIER = re.compile(r"((?:[A-Za-z_]\w*(?:<[^()]*>)?::)*)$")
_IDENTIFIER = re.compile(r"((?:[A-Za-z_]\w*(?:<[^()]*>)?::)*~?[A-Za-z_]\w*)$")
_ASSIGNMENT = re.compile(r"(?<![=!<>])=(?!=)")


def function_name(decl: str) -> str | None:
    """The name of the function whose declaration is `decl` (the text before its body, blanked
    and on one line), or None when `decl` declares no function (an initializer, an enum)."""
    decl = _ATTRIBUTE.sub(" ", decl).strip()
    if "(" not in decl or _ENUM.match(decl):
        return None
    op = re.search(r"\boperator\b", decl)
    if op:
        symbol = re.match(r"\s*(\(\s*\)|[^(]+?)\s*\(", decl[op.end():])
        if not symbol:
            return None
        qualifier = _QUALIFIER.search(re.sub(r"\s*::\s*", "::", decl[:op.start()]).rstrip())
        return (qualifier.group(1) if qualifier else "") + "operator" + symbol.group(1).replace(" ", "")
    before = decl[:decl.index("(")]
    if "[" in before:  # `auto f = [&](...) {`: a lambda held by a variable
        target = before.split("=")[0].split() if "=" in before else []
        return target[-1] if target else "lambda"
    if _ASSIGNMENT.search(before):
        return None  # `T x = f(...)` followed by `{`: no declaration
    name = _IDENTIFIER.search(re.sub(r"\s*::\s*", "::", before).rstrip())
    return name.group(1) if name else None


def functions(text: str) -> list[tuple[str, int, int]]:
    """(qualified name, line of '{', lines) of every function defined at namespace or class scope."""
    src = blank(text)
    found: list[tuple[str, int, int]] = []
    scopes: list[str] = []  # "" for a namespace, the class name for a class
    head: list[str] = []
    paren = 0
    line = 1
    i, n = 0, len(src)

    def skip_block(start: int) -> tuple[int, int]:
        """Index after the '}' matching src[start] == '{', and the lines it spans."""
        depth, j, lines = 0, start, 0
        while j < n:
            ch = src[j]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    return j + 1, lines
            elif ch == "\n":
                lines += 1
            j += 1
        return n, lines

    while i < n:
        c = src[i]
        if c == "\n":
            line += 1
        if c in "([":
            paren += 1
        elif c in ")]":
            paren = max(0, paren - 1)
        if c == "{":
            decl = " ".join("".join(head).split())
            if paren == 0 and _NAMESPACE.search(decl):
                scopes.append("")
                head = []
                i += 1
                continue
            cls = _CLASS.match(decl) if paren == 0 else None
            if cls and not _ENUM.match(decl):
                scopes.append(cls.group(3))
                head = []
                i += 1
                continue
            name = function_name(decl) if paren == 0 else None
            end, lines = skip_block(i)
            if name:
                qualified = "::".join([s for s in scopes if s] + [name])
                found.append((qualified, line, lines))
                head = []
            else:
                head.append("{}")
            line += lines
            i = end
            continue
        if c == "}":
            if scopes:
                scopes.pop()
            head = []
        elif c == ";" and paren == 0:
            head = []
        else:
            head.append(c)
        i += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    parser.add_argument("--max", type=int, default=MAX_LINES, help="longest body allowed, in lines")
    parser.add_argument("--list", action="store_true", help="print every function over the limit and exit 0")
    parser.add_argument("files", nargs="*", type=pathlib.Path, help="check only these files")
    args = parser.parse_args()
    scanner = args.root / "scanner"
    if not scanner.is_dir():
        print(f"check_function_size: {scanner} is not a directory", file=sys.stderr)
        return 2
    paths = args.files or sorted(p for p in scanner.rglob("*") if p.suffix in (".cpp", ".hpp") and p.is_file())
    long_ones: list[tuple[str, int, int]] = []
    for path in paths:
        relative = path.resolve().relative_to(args.root.resolve()).as_posix()
        for name, line, lines in functions(path.read_text(encoding="utf-8", errors="replace")):
            if lines > args.max:
                long_ones.append((f"{relative}:{name}", line, lines))
    if args.list:
        for key, line, lines in long_ones:
            print(f"{lines:5d} {key} (line {line})")
        return 0
    problems = []
    seen = set()
    for key, line, lines in long_ones:
        seen.add(key)
        if key not in ALLOWED:
            path, name = key.split(":", 1)
            problems.append(f"{path}:{line}: function '{name}' is {lines} lines long (limit {args.max}): split it")
    if not args.files:
        for key in sorted(set(ALLOWED) - seen):
            problems.append(f"tools/check_function_size.py: allow-list entry {key} ({ALLOWED[key]}) is no longer "
                            f"over {args.max} lines: remove it")
    for p in problems:
        print(p)
    if problems:
        print(f"check_function_size: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check_function_size: ok ({len(ALLOWED)} allowed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
