#!/usr/bin/env python3
"""The Velociraptor artifact written for a built .deb (cmake/velociraptor_artifact.cmake), checked
against the structure of real Velociraptor artifacts that wrap a tool (no Velociraptor binary is
packaged for Debian 12, so `velociraptor artifacts verify` cannot run here):

* the keys and value types of the artifact, its tools, parameters, sources and resources are
  fields of Velociraptor's artifact definition (artifacts/proto/artifact.proto: Artifact, Tool,
  ArtifactParameter, ArtifactSource, Resources), parameter types are documented ones;
* the tool is pinned to the .deb: expected_hash is the SHA-256 of the file, version and filename
  are the package's, and no template placeholder is left;
* every VQL call names a plugin or function of the VQL reference (docs.velociraptor.app), in the
  position its kind allows (plugins after FROM), with documented keyword arguments only; artifact
  calls name a built-in artifact with its parameters; every parameter is used;
* the query's own argv (LET Argv), run with the parameter defaults on a test tree, gives NDJSON
  whose every line parse_json() can read, and the JSON report that upload() sends.

velociraptor_artifact_test.py ARTIFACT DEB TRUSTSCAN TREE TRUST_STORE
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Fields of the artifact definition messages (artifacts/proto/artifact.proto), by YAML type.
ARTIFACT_FIELDS = {
    "name": str, "description": str, "author": str, "precondition": str, "type": str, "impersonate": str,
    "export": str, "aliases": list, "reference": list, "references": list, "required_permissions": list,
    "implied_permissions": list, "imports": list, "tools": list, "parameters": list, "sources": list,
    "reports": list, "column_types": list, "resources": dict,
}
TOOL_FIELDS = {
    "name": str, "url": str, "github_project": str, "github_asset_regex": str, "serve_locally": bool,
    "admin_override": bool, "expected_hash": str, "version": str, "filename": str,
}
PARAMETER_FIELDS = {
    "name": str, "default": str, "description": str, "type": str, "choices": list, "friendly_name": str,
    "validating_regex": str, "artifact_type": str, "sources": bool,
}
SOURCE_FIELDS = {"name": str, "description": str, "precondition": str, "query": str, "queries": list,
                 "notebook": list}
RESOURCE_FIELDS = {"timeout", "ops_per_second", "cpu_limit", "iops_limit", "max_rows", "max_upload_bytes",
                   "max_batch_wait", "max_batch_rows", "max_batch_rows_buffer"}
ARTIFACT_TYPES = {"CLIENT", "CLIENT_EVENT", "SERVER", "SERVER_EVENT", "INTERNAL"}
# Parameter types of docs.velociraptor.app/docs/artifacts/parameters ("" = string).
PARAMETER_TYPES = {"", "string", "int", "integer", "int64", "float", "bool", "timestamp", "choices", "multichoice",
                   "server_metadata", "regex", "regex_array", "yara", "json", "json_array", "csv", "hidden",
                   "redacted", "upload", "upload_file", "artifactset"}

# The VQL reference (docs.velociraptor.app/vql_reference): kind and keyword arguments of the
# plugins and functions the artifact calls (None: any keyword, as dict() takes).
VQL = {
    "execve": ({"plugin"}, {"argv", "sep", "length", "env", "cwd", "secret"}),
    "foreach": ({"plugin"}, {"row", "query", "async", "workers", "column"}),
    "info": ({"plugin"}, set()),
    "if": ({"plugin", "function"}, {"condition", "then", "else"}),
    "parse_json": ({"function"}, {"data"}),
    "upload": ({"function"}, {"file", "name", "accessor", "mtime", "atime", "ctime", "btime"}),
    "tempfile": ({"function"}, {"data", "extension", "permissions", "remove_last"}),
    "copy": ({"function"}, {"filename", "accessor", "dest", "permissions", "append"}),
    "log": ({"function"}, {"message", "dedup", "args", "level"}),
    "format": ({"function"}, {"format", "args"}),
    "dict": ({"function"}, None),
}
# Built-in artifacts called as Artifact.NAME(...), with their parameters.
ARTIFACTS = {
    "Generic.Utils.FetchBinary": {"ToolName", "IsExecutable", "SleepDuration", "ToolInfo", "TemporaryOnly",
                                  "Version"},
}
KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LET", "AS", "IN", "LIMIT", "ORDER", "BY", "GROUP"}


def check_fields(what, obj, fields):
    assert isinstance(obj, dict), f"{what}: not a mapping"
    for key, value in obj.items():
        assert key in fields, f"{what}: '{key}' is no field of Velociraptor's definition"
        want = fields[key] if isinstance(fields, dict) else (int, float)
        assert isinstance(value, want) and not (want is not bool and isinstance(value, bool)), \
            f"{what}.{key}: {type(value).__name__}, not {want}"


def strip_comments_and_strings(vql):
    """The query with comments removed and string contents blanked (kept as ""), so that
    names and parentheses inside strings are not taken for calls."""
    out, i = [], 0
    while i < len(vql):
        c = vql[i]
        if vql.startswith("--", i) or vql.startswith("//", i):
            while i < len(vql) and vql[i] != "\n":
                i += 1
        elif vql.startswith("'''", i):
            end = vql.index("'''", i + 3)
            out.append('""')
            i = end + 3
        elif c in "\"'":
            j = i + 1
            while vql[j] != c:
                j += 2 if vql[j] == "\\" else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def call_arguments(code, open_paren):
    """The keyword names at the top level of the call whose '(' is at open_paren."""
    depth, names, i = 0, [], open_paren
    start = open_paren + 1
    while True:
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                break
        elif c == "," and depth == 1:
            start = i + 1
        if depth == 1 and c == "=" and code[i + 1] not in "=~" and code[i - 1] not in "<>!=":
            m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", code[start:i])
            if m and code[start:i].strip() == m.group(1):
                names.append(m.group(1))
        i += 1
    return names


def check_vql(query, parameters):
    code = strip_comments_and_strings(query)
    local_functions = {m.group(1): set(re.findall(r"[A-Za-z_]\w*", m.group(2)))
                       for m in re.finditer(r"\bLET\s+([A-Za-z_]\w*)\s*\(([^)]*)\)\s*=", code)}
    calls = []
    for m in re.finditer(r"\b([A-Za-z_][A-Za-z0-9_.]*)\s*\(", code):
        name = m.group(1)
        if name.upper() in KEYWORDS or re.search(r"\bLET\s+$", code[:m.start()]):
            continue
        in_from = re.search(r"\bFROM\s+$", code[:m.start()]) is not None
        args = call_arguments(code, m.end() - 1)
        calls.append(name)
        if name.startswith("Artifact."):
            artifact = name[len("Artifact."):]
            assert in_from, f"{name} outside FROM"
            assert artifact in ARTIFACTS, f"{artifact}: not a built-in artifact this test knows"
            assert set(args) <= ARTIFACTS[artifact], f"{artifact}: unknown parameters {set(args) - ARTIFACTS[artifact]}"
        elif name in local_functions:
            assert set(args) <= local_functions[name], f"{name}(): unknown arguments {args}"
        else:
            assert name in VQL, f"{name}(): not in the VQL reference"
            kinds, documented = VQL[name]
            assert ("plugin" if in_from else "function") in kinds, f"{name}() used as a {'plugin' if in_from else 'function'}"
            if documented is not None:
                assert set(args) <= documented, f"{name}(): undocumented arguments {set(args) - documented}"
    for p in parameters:
        assert re.search(rf"\b{p}\b", code), f"parameter {p} is never used"
    return calls, code


def run_argv(art, query, trustscan, tree, trust_store, work):
    """The query's LET Argv with the parameter defaults: NDJSON lines and the report."""
    params = {p["name"]: p for p in art["parameters"]}
    assert params["Policy"].get("default", "") == "", "Policy has a default: PolicyArgs would not be []"
    expr = re.search(r"^\s*LET Argv <= (.+)$", query, re.M).group(1)
    report = os.path.join(work, "report.json")
    scope = {"TrustscanPath": trustscan, "PolicyArgs": [], "ReportPath": report,
             "ExtraArgs": json.loads(params["ExtraArgs"]["default"]) + ["--trust-store", trust_store],
             "Roots": [tree]}
    argv = eval(expr, {"__builtins__": {}}, scope)  # a list expression of names and strings
    assert argv[:2] == [trustscan, "scan"] and argv[-1] == tree, argv
    run = subprocess.run(argv, capture_output=True, timeout=300, check=False)
    assert run.returncode in (0, 1, 3), (run.returncode, run.stderr)
    lines = run.stdout.decode().split("\n")  # execve(sep="\n")
    assert lines[-1] == "", "standard output does not end with a line feed"
    events = []
    for line in lines[:-1]:
        assert line.startswith("{"), f"a line the query would drop: {line[:80]}"
        assert len(line.encode()) < int(params["MaxLineBytes"]["default"]), "a line longer than MaxLineBytes"
        events.append(json.loads(line))  # parse_json(data=Stdout)
    assert all(isinstance(e, dict) for e in events) and events[-1]["event"]["dataset"] == "trustscan.summary"
    assert any(e["event"]["kind"] == "alert" for e in events), "the test tree gives no finding"
    doc = json.load(open(report))  # what upload() sends
    assert doc["scan"]["start"] == events[-1]["trustscan"]["scan"]["start"], "the report is of another scan"
    return events


def self_test(query, parameters):
    """The VQL check can fail: an unknown function, an undocumented argument, a plugin used as a
    function, an unused parameter."""
    for old, new in (("parse_json(data=", "parse_jsonx(data="), ('sep="\\n"', 'separator="\\n"'),
                     ("FROM execve(", "FROM if(condition=TRUE, then=execve("), ("upload(file=", "upload(path=")):
        assert old in query, old
        broken = query.replace(old, new, 1) + (")" if "then=execve" in new else "")
        try:
            check_vql(broken, parameters)
        except AssertionError:
            continue
        raise AssertionError(f"the VQL check passed a query with {new}")
    try:
        check_vql(query, parameters + ["NeverUsed"])
    except AssertionError:
        return
    raise AssertionError("the VQL check passed an unused parameter")


def main(art_path, deb, trustscan, tree, trust_store):
    text = open(art_path).read()
    assert "@" not in re.sub(r"[\w.+-]+@[\w.-]+", "", text), "a template placeholder is left"
    art = yaml.safe_load(text)
    check_fields("artifact", art, ARTIFACT_FIELDS)
    assert art["type"].upper() in ARTIFACT_TYPES, art["type"]
    assert re.fullmatch(r"Custom(\.[A-Z][A-Za-z0-9]*)+", art["name"]), art["name"]
    assert "EXECVE" in art["required_permissions"], "runs a program without requiring EXECVE"
    check_fields("resources", art.get("resources", {}), RESOURCE_FIELDS)
    for p in art["parameters"]:
        check_fields(f"parameter {p.get('name')}", p, PARAMETER_FIELDS)
        assert p.get("type", "") in PARAMETER_TYPES, f"{p['name']}: type {p.get('type')}"
        if p.get("type") == "choices":
            assert p["default"] in p["choices"], p
        if p.get("type") in ("json_array", "json"):
            json.loads(p["default"])
    for s in art["sources"]:
        check_fields("source", s, SOURCE_FIELDS)
    # The tool: the .deb, pinned by its hash.
    assert len(art["tools"]) == 1
    tool = art["tools"][0]
    check_fields("tool", tool, TOOL_FIELDS)
    digest = hashlib.sha256(open(deb, "rb").read()).hexdigest()
    name = os.path.basename(deb)
    assert tool["expected_hash"] == digest, (tool["expected_hash"], digest)
    assert tool["filename"] == name and name == f"trustscan_{tool['version']}_{name.rsplit('_', 1)[1]}", tool
    assert tool["url"] == "" or re.fullmatch(r"https?://\S+", tool["url"]), tool["url"]
    # The VQL.
    query = art["sources"][0]["query"]
    calls, code = check_vql(query, [p["name"] for p in art["parameters"]])
    assert re.search(r'FROM Artifact\.Generic\.Utils\.FetchBinary\(ToolName="TrustscanDeb"', query), \
        "the tool is not fetched by its name"
    assert re.search(r'FROM execve\(argv=Argv, sep="\\n"', query), "execve does not split the NDJSON at line feeds"
    assert "parse_json(data=Stdout)" in query and re.search(r"upload\(file=ReportPath\b", query), query
    assert {"execve", "parse_json", "upload", "tempfile"} <= set(calls), calls
    assert code.count("(") == code.count(")") and code.count("[") == code.count("]"), "unbalanced VQL"
    check_vql(art["precondition"], [])
    self_test(query, [p["name"] for p in art["parameters"]])
    with tempfile.TemporaryDirectory() as work:
        events = run_argv(art, query, trustscan, tree, trust_store, work)
    print(f"ok: {art['name']}: tool {name} sha256 {digest}, {len(calls)} VQL calls, {len(events)} NDJSON events")


if __name__ == "__main__":
    main(*sys.argv[1:6])
