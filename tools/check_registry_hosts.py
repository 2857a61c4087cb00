#!/usr/bin/python3
"""Check that no file of the project names a package registry's host.

    check_registry_hosts.py [--root DIR]      # default: the repository holding this script

The project installs its packages from the machine's configured sources (apt sources, npm's
configured registry): tools/setup.sh, tools/test_deb.sh and tools/fetch_real_tree.sh take the
mirror from /etc/apt/sources.list(.d) (tools/lib/apt_sources.sh). A host written into a script,
a document or a default value would bypass the machine's mirror, proxy or snapshot. Every file
`git ls-files` lists (every file under DIR without git) is read; each hit is FILE:LINE: HOST and
the check exits 1.

REGISTRY_HOSTS are the hosts that serve packages (the archives of Debian and Ubuntu and their
mirrors, language package registries). Hosts that do not serve packages -- www.debian.org for
the copyright-format URL of packaging/debian/copyright, lists.debian.org as a source of a
vendor fact -- are not registries and are not matched.
"""
import argparse
import pathlib
import re
import subprocess
import sys

REGISTRY_HOSTS = [
    # Debian's archive, security archive, snapshots, debuginfod and the country mirrors.
    r"(?:deb|security|snapshot|archive|httpredir|http|incoming|ftp-master|cdn-fastly\.deb|debug\.mirrors"
    r"|debuginfod|ftp[0-9]*(?:\.[a-z]{2})?)\.debian\.(?:org|net)",
    r"(?:[a-z]{2}\.)?(?:archive|security|ports|old-releases|ddebs)\.ubuntu\.com",
    r"ppa\.launchpad(?:content)?\.net",
    r"registry\.npmjs\.(?:org|com)",
    r"registry\.yarnpkg\.com",
    r"(?:test\.)?pypi\.(?:org|python\.org)",
    r"files\.pythonhosted\.org",
    r"(?:static\.|index\.)?crates\.io",
    r"proxy\.golang\.org",
    r"sum\.golang\.org",
    r"repo1?\.maven(?:\.apache)?\.org",
    r"rubygems\.org",
    r"dl-cdn\.alpinelinux\.org",
    r"packages\.microsoft\.com",
    r"apt\.llvm\.org",
    r"download\.docker\.com",
    r"deb\.nodesource\.com",
    r"packages\.cloud\.google\.com",
]
# A host name, not the tail of a longer one (www.uk.debian.org is a web site, not a mirror).
PATTERN = re.compile(r"(?<![A-Za-z0-9.-])(?:" + "|".join(REGISTRY_HOSTS) + r")(?![A-Za-z0-9-])", re.IGNORECASE)


def files_of(root: pathlib.Path) -> list[pathlib.Path]:
    """The files of the repository at root (tracked and untracked, not ignored)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             check=True, capture_output=True).stdout
        return [root / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    root = parser.parse_args().root.resolve()
    hits = 0
    checked = 0
    for path in sorted(files_of(root)):
        if not path.is_file():
            continue  # deleted in the work tree
        checked += 1
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for match in PATTERN.finditer(line):
                print(f"{path.relative_to(root)}:{number}: names the package registry host {match.group(0)}")
                hits += 1
    if hits:
        print(f"{hits} registry host name(s) in the project: use the machine's configured sources "
              "(tools/lib/apt_sources.sh)", file=sys.stderr)
        return 1
    print(f"no registry host names in {checked} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
