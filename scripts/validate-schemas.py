#!/usr/bin/env python3
"""Validate Sluice manifests against the JSON Schemas in Manifests/schema/.

usage:
  python3 scripts/validate-schemas.py [FILES_OR_DIRS...]   (default: Examples/)
  python3 scripts/validate-schemas.py --self-test

Every document of every *.yaml / *.yml file (searched recursively in folders,
skipping hidden ones) is checked against the schema of its `kind`
(Manifests/schema/<kind lower-cased>.schema.json) with a draft 2020-12
validator. Prints one line per document:

  path/sluice.yaml: document 1 (ResourcePool local): ok
  path/sluice.yaml:41:9: document 2 (Workflow demo): $.spec.tasks[0].comand: unknown field 'comand' (allowed: ...)

Besides the schemas it reports YAML syntax errors and duplicate keys (which a
YAML loader would otherwise silently collapse). Cross-document rules (unknown
`needs`, cycles, duplicate task names, a task too big for its pool) are left
to `sluice validate`.

--self-test validates built-in documents: bad ones that must be rejected
(unknown field, bad quantity, absolute input path, both run and service, ...)
and good ones that must be accepted.

Exit status: 0 all valid (or self-test passed), 1 an invalid document (or a
self-test case judged wrongly), 2 usage error or a missing Python package.
"""

import argparse
import json
import os
import re
import sys

try:
    import yaml
    import jsonschema
except ImportError as e:  # pragma: no cover - depends on the machine
    missing = getattr(e, "name", None) or str(e)
    sys.stderr.write(
        "error: missing Python package %r (%s)\n"
        "install the dependencies with: pip install jsonschema pyyaml\n"
        % ({"yaml": "pyyaml"}.get(missing, missing), e))
    sys.exit(2)
try:
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover
    sys.stderr.write("error: jsonschema %s has no draft 2020-12 validator; "
                     "install a newer one with: pip install -U 'jsonschema>=4' pyyaml\n"
                     % getattr(jsonschema, "__version__", "(unknown version)"))
    sys.exit(2)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_DIR = os.path.join(ROOT, "Manifests", "schema")
DEFAULT_PATHS = [os.path.join(ROOT, "Examples")]
KINDS = {"Workflow": "workflow.schema.json", "ResourcePool": "resourcepool.schema.json"}

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


# --------------------------------------------------------------------------
# schemas

_validators = {}


def validator_for(kind):
    if kind not in _validators:
        path = os.path.join(SCHEMA_DIR, KINDS[kind])
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        _validators[kind] = Draft202012Validator(schema)
    return _validators[kind]


# --------------------------------------------------------------------------
# locating errors in the YAML source

def json_path(parts):
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += "[%d]" % p
        elif _IDENT.match(str(p)):
            out += "." + str(p)
        else:
            out += "[%s]" % json.dumps(str(p))
    return out


def find_node(node, parts, key=False):
    """The YAML node at ``parts`` below ``node`` (or the deepest one found).

    With ``key=True`` the last part names a mapping key and its key node is
    returned (to point at an unknown field rather than at its value).
    """
    for i, p in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(p):
                    node = k if (last and key) else v
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(p, int) and p < len(node.value):
            node = node.value[p]
        else:
            return node
    return node


def where(path, node):
    if node is None:
        return path
    m = node.start_mark
    return "%s:%d:%d" % (path, m.line + 1, m.column + 1)


def duplicate_keys(node, parts=()):
    """(parts, key node) of every mapping key that appears twice."""
    found = []
    if isinstance(node, yaml.MappingNode):
        seen = set()
        for k, v in node.value:
            name = k.value if isinstance(k, yaml.ScalarNode) else None
            if name is not None and name in seen:
                found.append((list(parts) + [name], k))
            seen.add(name)
            found.extend(duplicate_keys(v, tuple(parts) + (name,)))
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            found.extend(duplicate_keys(v, tuple(parts) + (i,)))
    return found


# --------------------------------------------------------------------------
# error messages

def short(value):
    if isinstance(value, dict):
        return "this object"
    if isinstance(value, list):
        return "this list"
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def explain(error):
    """(path parts, point at the key?, message) for a jsonschema error."""
    parts = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    inst = error.instance

    if v == "additionalProperties" and schema.get("additionalProperties") is False and isinstance(inst, dict):
        allowed = sorted(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed]
        name = extras[0] if extras else "?"
        more = " (and %s)" % ", ".join(repr(x) for x in extras[1:]) if len(extras) > 1 else ""
        return parts + [name], True, "unknown field %r%s; allowed: %s" % (name, more, ", ".join(allowed))
    if "propertyNames" in error.schema_path:
        pattern = schema.get("pattern")
        msg = "invalid name %r" % inst + (" (must match %s)" % pattern if pattern else "")
        return parts + [inst], True, msg
    if v == "required":
        return parts, False, error.message.replace("is a required property", "is required (missing field)")
    if v == "oneOf" and isinstance(inst, dict) and {"run", "service"} <= set(schema.get("properties", {})):
        has = [k for k in ("run", "service") if k in inst]
        if len(has) == 2:
            return parts, False, "a task has both `run` and `service`; it must have exactly one"
        return parts, False, "a task needs either `run` (a command) or `service` (a long-running process)"
    if v in ("oneOf", "anyOf", "not") and schema.get("description"):
        return parts, False, "%s is invalid. %s" % (short(inst), schema["description"])
    if v == "pattern":
        return parts, False, "%s does not match %s" % (short(inst), schema.get("pattern"))
    if v == "const":
        return parts, False, "%s: expected %s" % (short(inst), json.dumps(schema.get("const")))
    if v == "enum":
        return parts, False, "%s: expected one of %s" % (short(inst), ", ".join(json.dumps(x) for x in schema.get("enum", [])))
    msg = error.message
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return parts, False, msg


# --------------------------------------------------------------------------
# validation

def validate_text(display, text):
    """Validate every document of ``text``; returns (ok lines, error lines)."""
    oks, errors = [], []
    try:
        loader = yaml.SafeLoader(text)
        try:
            index = 0
            while loader.check_node():
                node = loader.get_node()
                index += 1
                data = loader.construct_document(node)
                oks_, errs_ = validate_document(display, index, node, data)
                oks.extend(oks_)
                errors.extend(errs_)
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        loc = "%s:%d:%d" % (display, mark.line + 1, mark.column + 1) if mark else display
        problem = getattr(e, "problem", None) or str(e)
        errors.append("%s: YAML syntax error: %s" % (loc, problem))
    return oks, errors


def validate_document(display, index, node, data):
    if data is None:
        return [], []  # an empty document, e.g. after a trailing `---`
    if not isinstance(data, dict):
        return [], ["%s: document %d: expected a mapping with apiVersion, kind, metadata and spec, got %s"
                    % (where(display, node), index, type(data).__name__)]
    kind = data.get("kind")
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    label = "document %d (%s %s)" % (index, kind if kind is not None else "?", name if name is not None else "?")
    errors = []
    for parts, key_node in duplicate_keys(node):
        errors.append("%s: %s: %s: duplicate key %r" % (where(display, key_node), label, json_path(parts), parts[-1]))
    if kind not in KINDS:
        what = "missing `kind`" if kind is None else "unknown kind %r" % (kind,)
        errors.append("%s: %s: $.kind: %s; expected one of %s" % (
            where(display, find_node(node, ["kind"])), label, what, ", ".join(sorted(KINDS))))
        return [], errors
    for error in sorted(validator_for(kind).iter_errors(data),
                        key=lambda e: ([str(p) for p in e.absolute_path], e.validator)):
        parts, key, message = explain(error)
        errors.append("%s: %s: %s: %s" % (where(display, find_node(node, parts, key=key)), label,
                                           json_path(parts), message))
    if errors:
        return [], errors
    return ["%s: %s: ok" % (display, label)], []


def yaml_files(path):
    if os.path.isfile(path):
        return [path]
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            if f.endswith((".yaml", ".yml")):
                found.append(os.path.join(dirpath, f))
    return found


def display_path(path):
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def run(paths):
    files = []
    for p in paths:
        if not os.path.exists(p):
            sys.stderr.write("error: no such file or directory: %s\n" % p)
            return 2
        files.extend(yaml_files(p))
    if not files:
        sys.stderr.write("error: no *.yaml or *.yml files in %s\n" % ", ".join(paths))
        return 1
    n_err = 0
    n_docs = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        oks, errors = validate_text(display_path(path), text)
        for line in oks:
            print(line)
        for line in errors:
            print(line)
        n_docs += len(oks)
        n_err += len(errors)
    if n_err:
        print("%d error%s" % (n_err, "" if n_err == 1 else "s"))
        return 1
    print("%d document%s valid in %d file%s" % (n_docs, "" if n_docs == 1 else "s",
                                               len(files), "" if len(files) == 1 else "s"))
    return 0


# --------------------------------------------------------------------------
# self-test

POOL = """apiVersion: sluice/v1
kind: ResourcePool
metadata: {name: local}
spec:
  nodes:
    - name: node-1
      capacity: {cpu: 4, memory: 16Gi, gpu: 3, bandwidth: 1Gbps}
"""

WORKFLOW = """apiVersion: sluice/v1
kind: Workflow
metadata: {name: wf, labels: {team: support}}
spec:
  pool: local
  tasks:
    - name: a
      %s
"""


def task(body):
    return WORKFLOW % body.replace("\n", "\n      ")


GOOD = [
    ("the design example", POOL + """  cost: {cpu: 0.04, gpu: 2.50, memory: 0.005}
---
apiVersion: sluice/v1
kind: Workflow
metadata: {name: customer-service, labels: {team: support}}
spec:
  pool: local
  schedule: "0 3 * * *"
  timezone: Europe/Paris
  suspend: false
  tasks:
    - name: clean-data
      run: python3 tasks/clean.py data/raw.csv "$SLUICE_OUTPUT/clean.csv"
      inputs: [tasks/clean.py, data/raw.csv]
      resources: {cpu: 2, memory: 4Gi, bandwidth: 100Mbps}
      estimate: 2h
      retries: 2
      timeout: 3h
      env: {LANG: C.UTF-8}
    - name: serve
      needs: [clean-data]
      service:
        run: python3 tasks/serve.py --port "$SLUICE_PORT"
        health: {http: /healthz}
      resources: {cpu: 1, memory: 2Gi, bandwidth: 50Mbps}
"""),
    ("quantity and duration forms", POOL.replace("bandwidth: 1Gbps}", "bandwidth: 1Tbps, licenses: 5, example.com/fpga: 2}\n      labels: {zone: a}") + """  cost: {bandwidth: 0.01, licenses: 1.5}
---
""" + task("""run: ./go.sh
inputs: [data/, ./tasks/x.py, a..b/c]
resources: {cpu: 500m, memory: 1073741824, gpu: 0, bandwidth: 500bps, licenses: 1}
estimate: 1h30m
timeout: 250ms
retries: 0""")),
    ("a Slurm pool that reads its nodes from the cluster", """apiVersion: sluice/v1
kind: ResourcePool
metadata: {name: hpc}
spec:
  slurm: {partition: debug, account: ml, qos: normal, options: [--constraint=a100]}
  cost: {cpu: 0.02}
"""),
    ("a Ray pool that lists its nodes", """apiVersion: sluice/v1
kind: ResourcePool
metadata: {name: ray-cluster}
spec:
  ray: {address: "http://127.0.0.1:8265"}
  nodes:
    - {name: head, capacity: {cpu: 2, memory: 8Gi}}
"""),
    ("a task with metrics files", task("""run: ./evaluate.sh
metrics: [report.json, ./eval/scores.yaml]""")),
    ("a tcp service on a fixed port", task("""service: {run: ./server, health: {tcp: true}, port: 8080}
resources: {cpu: "0.5", memory: 512Mi, bandwidth: 10Kbps}""")),
]

BAD = [
    ("unknown field", task("run: x\ncomand: y"), "unknown field 'comand'"),
    ("unknown top-level field", POOL + "status: {}\n", "unknown field 'status'"),
    ("bad memory quantity", task("run: x\nresources: {memory: 4GB}"), "$.spec.tasks[0].resources.memory"),
    ("bad cpu quantity", task("run: x\nresources: {cpu: two}"), "$.spec.tasks[0].resources.cpu"),
    ("bad bandwidth quantity", task("run: x\nresources: {bandwidth: 100MB}"), "resources.bandwidth"),
    ("fractional gpu", task("run: x\nresources: {gpu: 0.5}"), "resources.gpu"),
    ("negative capacity", POOL.replace("cpu: 4", "cpu: -4"), "capacity.cpu"),
    ("custom resource with a string", task("run: x\nresources: {licenses: lots}"), "resources.licenses"),
    ("absolute input path", task("run: x\ninputs: [/etc/passwd]"), "$.spec.tasks[0].inputs[0]"),
    ("input path leaving the repository", task("run: x\ninputs: [data/../../secret]"), "inputs[0]"),
    ("both run and service", task("run: x\nservice: {run: y}"), "both `run` and `service`"),
    ("neither run nor service", task("needs: []"), "either `run`"),
    ("bad task name", task("run: x").replace("name: a", "name: Clean_Data"), "$.spec.tasks[0].name"),
    ("bad duration", task("run: x\ntimeout: 10 minutes"), "timeout"),
    ("too many retries", task("run: x\nretries: 101"), "retries"),
    ("bad env name", task("run: x\nenv: {1BAD: v}"), "invalid name '1BAD'"),
    ("non-string env value", task("run: x\nenv: {DEBUG: 1}"), "env.DEBUG"),
    ("health path without a slash", task("service: {run: y, health: {http: healthz}}"), "health.http"),
    ("port out of range", task("service: {run: y, port: 70000}"), "service.port"),
    ("the executor field, which the pool replaced", task("run: x").replace("pool: local", "pool: local\n  executor: local"), "executor"),
    ("a local pool without nodes", POOL.split("  nodes:")[0] + "  cost: {cpu: 1}\n", "$.spec"),
    ("a pool on both Slurm and Ray", POOL.split("  nodes:")[0] + "  slurm: {}\n  ray: {address: http://h:8265}\n", "$.spec"),
    ("a Ray pool without an address", POOL.split("  nodes:")[0] + "  ray: {}\n", "address"),
    ("a Ray address that is not http", POOL.split("  nodes:")[0] + "  ray: {address: ray://h:10001}\n", "address"),
    ("an sbatch option that Sluice sets itself", POOL.split("  nodes:")[0] + "  slurm: {options: [--job-name=x]}\n", "options"),
    ("an sbatch option that is not a flag", POOL.split("  nodes:")[0] + "  slurm: {options: [constraint=a100]}\n", "options"),
    ("bad cron schedule", task("run: x").replace("pool: local", "pool: local\n  schedule: daily"), "schedule"),
    ("a timezone without a schedule", task("run: x").replace("pool: local", "pool: local\n  timezone: Europe/Paris"), "$.spec"),
    ("suspend that is not a boolean", task("run: x").replace("pool: local", "pool: local\n  suspend: 'yes'"), "suspend"),
    ("no tasks", WORKFLOW.split("  tasks:")[0] + "  tasks: []\n", "$.spec.tasks"),
    ("missing pool", task("run: x").replace("  pool: local\n", ""), "'pool' is required"),
    ("an absolute metrics path", task("run: x\nmetrics: [/tmp/report.json]"), "metrics[0]"),
    ("a metrics path leaving the output folder", task("run: x\nmetrics: [../report.json]"), "metrics[0]"),
    ("metrics on a service", task("service: {run: y}\nmetrics: [m.json]"), "$.spec.tasks[0]"),
    ("repeated needs", task("run: x\nneeds: [b, b]"), "needs"),
    ("wrong apiVersion", POOL.replace("sluice/v1", "sluice/v2"), "$.apiVersion"),
    ("no nodes", POOL.split("  nodes:")[0] + "  nodes: []\n", "$.spec.nodes"),
    ("unknown kind", POOL.replace("kind: ResourcePool", "kind: Pipeline"), "unknown kind 'Pipeline'"),
    ("duplicate key", task("run: x\nrun: y"), "duplicate key 'run'"),
    ("YAML syntax error", task("run: [unclosed"), "YAML syntax error"),
]


def self_test():
    for kind in KINDS:
        validator_for(kind)  # also checks the schemas against the 2020-12 meta-schema
    wrong = 0
    for name, text in GOOD:
        _, errors = validate_text("<good: %s>" % name, text)
        if errors:
            wrong += 1
            print("FAIL  wrongly rejected: %s" % name)
            for e in errors:
                print("        " + e)
        else:
            print("ok    accepted: %s" % name)
    for name, text, expect in BAD:
        _, errors = validate_text("<bad>", text)
        if not errors:
            wrong += 1
            print("FAIL  wrongly accepted: %s" % name)
        elif not any(expect in e for e in errors):
            wrong += 1
            print("FAIL  rejected, but no error mentions %r: %s" % (expect, name))
            for e in errors:
                print("        " + e)
        else:
            first = next(e for e in errors if expect in e)
            print("ok    rejected: %s\n        %s" % (name, first))
    total = len(GOOD) + len(BAD)
    if wrong:
        print("self-test FAILED: %d of %d cases judged wrongly" % (wrong, total))
        return 1
    print("self-test passed: %d good documents accepted, %d bad documents rejected" % (len(GOOD), len(BAD)))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Validate Sluice manifests (*.yaml, *.yml) against Manifests/schema/*.schema.json.")
    ap.add_argument("paths", nargs="*", metavar="FILE_OR_DIR",
                    help="manifest files or folders to search (default: Examples/)")
    ap.add_argument("--self-test", action="store_true",
                    help="check that built-in bad documents are rejected and good ones accepted")
    args = ap.parse_args(argv)
    if args.self_test:
        if args.paths:
            ap.error("--self-test takes no paths")
        return self_test()
    return run(args.paths or DEFAULT_PATHS)


if __name__ == "__main__":
    sys.exit(main())
