#!/usr/bin/python3
"""Run clang-format and clang-tidy on the scanner/ files a change touches.

    check_changed.py format [--base REF]                    # clang-format --dry-run on changed lines
    check_changed.py tidy [--base REF] [--build-dir DIR]    # clang-tidy on changed files
    check_changed.py list [--base REF]                      # print the changed files and line ranges

The change is everything between a base commit and the working tree, untracked files included.
The base is REF, else $TRUSTSCAN_GATE_BASE, else the merge base of HEAD with `main` (or
`origin/main`) when that lies below HEAD; on a branch with no commit of its own, HEAD (only the
uncommitted work); else (on main itself, in a checkout without a main branch, a detached HEAD, a
shallow clone without the merge base) HEAD~1, so the last commit is checked (after a merge: the
merged branch). The base used is printed first.

format: only the changed lines are checked (`clang-format --dry-run --Werror --lines=A:B`), so
code nobody touched is never reformatted; a new file is checked whole. Uses .clang-format with
Debian 12's clang-format (14).

tidy: clang-tidy-16 with .clang-tidy on every changed .cpp of scanner/ and on the .cpp beside each
changed header (warnings in the changed headers are shown through it), using the build's
compile_commands.json (CMAKE_EXPORT_COMPILE_COMMANDS). clang-tidy 14 cannot parse libstdc++ 12's
<expected>; clang 16 parses it once __cpp_concepts says 202002 (as fuzz/CMakeLists.txt does).

Without git, without git history (a source tarball) or in a shallow clone where HEAD has no
parent and there is no merge base, nothing is known to have changed: the check says why and exits
77 (skipped; CTest shows it as skipped).
Exit status: 0 clean, 1 findings, 2 usage or tool error, 77 skipped.
Needs only the Python standard library, git and the two tools.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP = 77
SOURCES = re.compile(r"^scanner/.*\.(cpp|hpp)$")
CLANG_FORMAT = ["clang-format-14", "clang-format"]
CLANG_TIDY = ["clang-tidy-16"]
TIDY_ARGS = ["--extra-arg=-std=c++2b", "--extra-arg=-U__cpp_concepts", "--extra-arg=-D__cpp_concepts=202002L",
             "--quiet"]


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)


def find_tool(names: list[str]) -> str | None:
    return next((shutil.which(n) for n in names if shutil.which(n)), None)


def die(message: str) -> None:
    """Usage or tool error: exit status 2."""
    print(f"check_changed: {message}", file=sys.stderr)
    raise SystemExit(2)


def commit_of(ref: str) -> str | None:
    run = git("rev-parse", "--verify", "-q", ref + "^{commit}")
    return run.stdout.strip() if run.returncode == 0 else None


class Skip(Exception):
    """Nothing is known to have changed; the message says why."""


def resolve_base(base: str | None) -> tuple[str, str]:
    """The commit the change is measured from and how it was chosen; raises Skip when there is
    none (no git, no history, a shallow clone whose HEAD has no parent)."""
    if not shutil.which("git"):
        raise Skip("git not found (Debian package git; tools/setup.sh --test)")
    inside = git("rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        reason = (inside.stderr.strip().splitlines() or ["not a git checkout"])[0]
        if (ROOT / ".git").exists():  # e.g. a checkout owned by another user
            raise Skip(f"git cannot read this checkout ({reason}); if it is yours: "
                       f"git config --global --add safe.directory {ROOT}")
        raise Skip("no git history (not a git checkout: a source tarball?)")
    top = git("rev-parse", "--show-toplevel").stdout.strip()
    if not top or pathlib.Path(top).resolve() != ROOT:
        raise Skip(f"{ROOT} is not the top of a git checkout (a source tarball inside another repository?)")
    head = commit_of("HEAD")
    if not head:
        raise Skip("the repository has no commit yet")
    base = base or os.environ.get("TRUSTSCAN_GATE_BASE")
    if base:
        commit = commit_of(base)
        if not commit:
            die(f"base '{base}' is not a commit here (a shallow clone? fetch it)")
        return commit, f"the given base {base}"
    branch = git("symbolic-ref", "-q", "--short", "HEAD").stdout.strip()  # "" when detached
    for ref in ("main", "origin/main"):
        if not commit_of(ref):
            continue
        mb = git("merge-base", "HEAD", ref)
        if mb.returncode != 0:
            continue
        if mb.stdout.strip() != head:
            return mb.stdout.strip(), f"the merge base with {ref}"
        if branch and branch != "main":
            return head, f"HEAD: branch {branch} has no commit of its own yet, only uncommitted work is checked"
        break
    # On main itself, in a checkout without a main branch (CI's checkout of one branch, a detached
    # HEAD) or without a merge base (a shallow clone): the last commit and any uncommitted work.
    # After a merge, HEAD~1 is the first parent: the merged branch is checked.
    parent = commit_of("HEAD~1")
    if parent:
        return parent, "HEAD~1 (no merge base with main below HEAD: the last commit is checked)"
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        raise Skip("shallow clone without HEAD's parent and without a merge base with main: fetch more "
                   "history (git fetch --deepen=1) or set TRUSTSCAN_GATE_BASE")
    return head, "HEAD (the first commit: only uncommitted work is checked)"


def changed_lines(base: str) -> dict[str, list[tuple[int, int]]]:
    """scanner/ source files changed since `base` -> changed line ranges (1-based, inclusive);
    a new file -> one range over the whole file."""
    out: dict[str, list[tuple[int, int]]] = {}
    diff = git("diff", "-U0", "--no-color", "--no-ext-diff", "--diff-filter=ACMR", base, "--", "scanner")
    if diff.returncode != 0:
        die(f"git diff failed: {diff.stderr.strip()}")
    current = None
    for line in diff.stdout.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = name[2:] if name.startswith("b/") and SOURCES.match(name[2:]) else None
            if current:
                out.setdefault(current, [])
        elif line.startswith("@@") and current:
            m = re.match(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) or "1")
                if count > 0:
                    out[current].append((start, start + count - 1))
    untracked = git("ls-files", "--others", "--exclude-standard", "--", "scanner")
    for name in untracked.stdout.splitlines():
        if SOURCES.match(name):
            lines = max(1, len((ROOT / name).read_text(encoding="utf-8", errors="replace").splitlines()))
            out[name] = [(1, lines)]
    return {name: ranges for name, ranges in sorted(out.items()) if ranges and (ROOT / name).exists()}


def check_format(files: dict[str, list[tuple[int, int]]]) -> int:
    tool = find_tool(CLANG_FORMAT)
    if not tool:
        print("check_changed: clang-format not found (Debian package clang-format; tools/setup.sh --test)")
        return 2
    failed = 0
    for name, ranges in files.items():
        cmd = [tool, "--dry-run", "--Werror", f"--style=file:{ROOT / '.clang-format'}"]
        cmd += [f"--lines={a}:{b}" for a, b in ranges] + [str(ROOT / name)]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode != 0:
            failed += 1
            sys.stdout.write(run.stderr.replace(str(ROOT) + "/", ""))
    print(f"check_changed: clang-format: {len(files)} changed file(s), {failed} with misformatted changed lines"
          + ("" if not failed else f" (fix: {tool} -i --lines=A:B FILE, or git clang-format {{base}})"))
    return 1 if failed else 0


def tidy_units(files: list[str], database: dict[str, dict]) -> list[str]:
    """Translation units to check: changed .cpp files, and the .cpp beside each changed header."""
    units: list[str] = []
    for name in files:
        unit = name if name.endswith(".cpp") else name[:-4] + ".cpp"
        if str(ROOT / unit) in database and unit not in units:
            units.append(unit)
    return units


def check_tidy(files: list[str], build_dir: pathlib.Path, jobs: int) -> int:
    tool = find_tool(CLANG_TIDY)
    if not tool:
        print("check_changed: clang-tidy-16 not found (Debian package clang-tidy-16; tools/setup.sh --test)")
        return 2
    db_path = build_dir / "compile_commands.json"
    if not db_path.exists():
        print(f"check_changed: {db_path} missing: configure with CMAKE_EXPORT_COMPILE_COMMANDS=ON (the default)")
        return 2
    database = {entry["file"]: entry for entry in json.loads(db_path.read_text())}
    units = tidy_units(files, database)
    headers = [name for name in files if name.endswith(".hpp")]
    header_filter = "^(" + "|".join(re.escape(str(ROOT / h)) for h in headers) + ")$" if headers else "^$"

    def run(unit: str) -> tuple[str, int, str]:
        cmd = [tool, "-p", str(build_dir), f"--config-file={ROOT / '.clang-tidy'}",
               f"--header-filter={header_filter}", *TIDY_ARGS, str(ROOT / unit)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        return unit, proc.returncode, proc.stdout

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for unit, code, output in pool.map(run, units):
            if code != 0:
                failed += 1
                sys.stdout.write(output.replace(str(ROOT) + "/", ""))
    print(f"check_changed: clang-tidy: {len(units)} translation unit(s) for {len(files)} changed file(s), "
          f"{failed} with findings")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("check", choices=["format", "tidy", "list"])
    parser.add_argument("--base", help="commit to compare with (default: merge base with main, else HEAD~1)")
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "build")
    parser.add_argument("-j", "--jobs", type=int, default=int(os.environ.get("JOBS", os.cpu_count() or 1)))
    args = parser.parse_args()
    try:
        base, how = resolve_base(args.base)
    except Skip as skip:
        print(f"check_changed: {args.check}: skipped: {skip}")
        return SKIP
    print(f"check_changed: {args.check}: changes since {base[:12]}, {how}")
    files = changed_lines(base)
    if args.check == "list":
        for name, ranges in files.items():
            print(name, " ".join(f"{a}-{b}" for a, b in ranges))
        return 0
    if not files:
        print(f"check_changed: no scanner/ source changed since {base[:12]}: nothing to check")
        return 0
    if args.check == "format":
        return check_format(files)
    return check_tidy(list(files), args.build_dir, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
