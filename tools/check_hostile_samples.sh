#!/usr/bin/env bash
# check_hostile_samples.sh OUTDIR [SAMPLE...]
#
# Proves that every sample tools/make_hostile_samples.sh wrote to OUTDIR still has the property
# its OUTDIR/MANIFEST.tsv row claims, with tools independent of trustscan (osslsigncode verify,
# openssl, readelf, python3-hivex and the small parsers of tools/hostile/check_samples.py).
# With SAMPLEs (paths as in the manifest's sample column) only those are checked.
# Exit status: 0 when every sample passes, 1 otherwise (each failure is named), 2 on usage errors.
set -euo pipefail
[[ $# -ge 1 && -f $1/MANIFEST.tsv ]] || { echo "usage: $0 OUTDIR [SAMPLE...] (with OUTDIR/MANIFEST.tsv)" >&2; exit 2; }
export LC_ALL=C.UTF-8
exec /usr/bin/python3 "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/hostile/check_samples.py" "$@"
