# shellcheck shell=bash
# Shared by tools/setup.sh and tools/test_deb.sh: the machine's configured apt sources, so that no
# script names a mirror (tools/check_registry_hosts.py fails on one). Source it; it defines
# functions only.

# apt_source_files: the source lists apt reads (Dir::Etc::sourcelist and the *.list and *.sources
# files of Dir::Etc::sourceparts), those that exist, one per line.
apt_source_files() {
  local SL="" SLD=""
  eval "$(apt-config shell SL Dir::Etc::sourcelist/f SLD Dir::Etc::sourceparts/d)"
  [[ -f $SL ]] && echo "$SL"
  [[ -d $SLD ]] && find "$SLD" -maxdepth 1 -type f \( -name '*.list' -o -name '*.sources' \) | sort
  return 0
}

# apt_source_entries SUITE: the enabled binary ("deb") sources that serve SUITE, one per line as
# URI<TAB>COMPONENTS<TAB>SIGNED-BY (components space-separated; signed-by empty when the entry
# has none), from both formats: one-line ("deb [signed-by=K] URI SUITE COMP...") and deb822
# (Types/URIs/Suites/Components/Signed-By/Enabled paragraphs). A deb822 Signed-By that embeds
# the key (no value on its own line) is given as "embedded:FILE".
apt_source_entries() {
  local suite=$1 file
  while IFS= read -r file; do
    if [[ $file == *.sources ]]; then
      awk -v want="$suite" -v file="$file" '
        function flush(   i, j, nu, ns, u, s) {
          if (types ~ /(^| )deb( |$)/ && enabled != "no") {
            nu = split(uris, u, " "); ns = split(suites, s, " ")
            for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
              if (s[j] == want) printf "%s\t%s\t%s\n", u[i], comps, signed
          }
          types = uris = suites = comps = signed = enabled = ""; field = ""
        }
        /^#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[ \t]/ { if (field == "uris") uris = uris " " $0; else if (field == "suites") suites = suites " " $0
                   else if (field == "components") comps = comps " " $0; next }
        {
          key = tolower($0); sub(/:.*/, "", key); value = $0; sub(/^[^:]*:[ \t]*/, "", value)
          gsub(/[ \t]+/, " ", value); field = key
          if (key == "types") types = value; else if (key == "uris") uris = value
          else if (key == "suites") suites = value; else if (key == "components") comps = value
          else if (key == "enabled") enabled = tolower(value)
          else if (key == "signed-by") signed = (value == "" ? "embedded:" file : value)
        }
        END { flush() }' "$file"
    else
      awk -v want="$suite" '
        /^[ \t]*deb[ \t]/ {
          line = $0; sub(/#.*/, "", line); sub(/[ \t]+$/, "", line); signed = ""
          if (match(line, /\[[^]]*\]/)) {
            opts = substr(line, RSTART + 1, RLENGTH - 2); line = substr(line, 1, RSTART - 1) substr(line, RSTART + RLENGTH)
            n = split(opts, o, /[ \t]+/)
            for (i = 1; i <= n; i++) if (o[i] ~ /^signed-by=/) { signed = o[i]; sub(/^signed-by=/, "", signed) }
          }
          n = split(line, f, /[ \t]+/)
          if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i + 1]; n-- }
          if (n >= 3 && f[3] == want) {
            comps = ""; for (i = 4; i <= n; i++) comps = comps (comps == "" ? "" : " ") f[i]
            printf "%s\t%s\t%s\n", f[2], comps, signed
          }
        }' "$file"
    fi
  done < <(apt_source_files)
}

# apt_source_uri SUITE: the URI of the first configured source of SUITE (no trailing slash);
# exit 1 with a message when there is none.
apt_source_uri() {
  local uri
  uri=$(apt_source_entries "$1" | head -n1 | cut -f1)
  [[ -n $uri ]] || { echo "no configured apt source serves $1 (files: $(apt_source_files | tr '\n' ' '))" >&2; return 1; }
  echo "${uri%/}"
}

# apt_suite_source SUITE NEW_SUITE: deb822 paragraphs that add NEW_SUITE to every configured
# source of SUITE (same URI and Signed-By; component main), on stdout. Exit 1 when SUITE has no
# source, or one of them embeds its key (that is not copied).
apt_suite_source() {
  local uri signed first=1 found=0
  while IFS=$'\t' read -r uri _ signed; do
    [[ $signed != embedded:* ]] || { echo "the source of $1 in ${signed#embedded:} embeds its key: add $2 by hand" >&2; return 1; }
    found=1
    [[ $first == 1 ]] || echo
    first=0
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$uri" "$2"
    [[ -z $signed ]] || printf 'Signed-By: %s\n' "$signed"
  done < <(apt_source_entries "$1" | sort -u)
  [[ $found == 1 ]] || { echo "no configured apt source serves $1 to add $2 to" >&2; return 1; }
}
