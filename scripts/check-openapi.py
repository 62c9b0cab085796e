#!/usr/bin/env python3
"""Checks a running controller's API against its own OpenAPI document.

  python3 scripts/check-openapi.py URL [--token-file FILE]

Reads URL/api/v1/openapi.json, then every GET path of it that returns JSON, for each workflow the controller lists
(and each of its tasks, for the log paths), and validates each answer's body against the document's schema for that
status (JSON Schema 2020-12, as OpenAPI 3.1 says). With a token, also checks that a request without it answers 401
with an Error body. Prints one line per problem; exit 0 when every answer matches, 1 when one does not, 2 on usage.
"""
import json
import sys
import urllib.error
import urllib.request

try:
    import jsonschema
except ImportError:
    print("check-openapi: needs the Python package jsonschema (scripts/bootstrap.sh installs it)", file=sys.stderr)
    sys.exit(2)


def fetch(url, token, method="GET"):
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--token-file"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    base = argv[1].rstrip("/")
    token = open(argv[3]).read().strip() if len(argv) == 4 else None
    status, _, body = fetch(base + "/api/v1/openapi.json", token)
    if status != 200:
        print(f"check-openapi: {base}/api/v1/openapi.json answered {status}", file=sys.stderr)
        return 1
    document = json.loads(body)
    problems = []

    def check(path, url, expect_status=200):
        status, content_type, body = fetch(url, token)
        operation = document["paths"][path]["get"]
        response = operation["responses"].get(str(status))
        if status != expect_status or response is None:
            problems.append(f"GET {url}: status {status}, expected {expect_status} (documented: {sorted(operation['responses'])})")
            return None
        content = response.get("content", {})
        media = content_type.split(";")[0].strip()
        if media not in content:
            problems.append(f"GET {url}: content type {content_type!r} is not documented ({sorted(content)})")
            return None
        if media != "application/json":
            return body
        value = json.loads(body)
        schema = dict(content[media]["schema"], components=document["components"])
        for error in jsonschema.Draft202012Validator(schema).iter_errors(value):
            where = "/".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"GET {url}: at {where}: {error.message}")
        return value

    listed = check("/api/v1/workflows", base + "/api/v1/workflows") or {"items": []}
    check("/api/v1/plans", base + "/api/v1/plans")
    for workflow in listed.get("items", []):
        name = workflow["name"]
        check("/api/v1/workflows/{name}", f"{base}/api/v1/workflows/{urllib.request.quote(name, safe='')}")
        check("/api/v1/workflows/{name}/runs", f"{base}/api/v1/workflows/{urllib.request.quote(name, safe='')}/runs?limit=5")
        for task in workflow["tasks"]:
            check("/api/v1/workflows/{name}/tasks/{task}/logs",
                  f"{base}/api/v1/workflows/{urllib.request.quote(name, safe='')}/tasks/{urllib.request.quote(task['name'], safe='')}/logs")
    check("/api/v1/workflows/{name}", base + "/api/v1/workflows/no-such-workflow", expect_status=404)
    if token:
        saved, token = token, None
        check("/api/v1/workflows", base + "/api/v1/workflows", expect_status=401)
        token = saved
    for problem in problems:
        print("check-openapi: " + problem, file=sys.stderr)
    if not problems:
        print(f"check-openapi: {base} answers as its OpenAPI document says ({len(listed.get('items', []))} workflow(s))")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
