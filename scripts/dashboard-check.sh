#!/usr/bin/env bash
# Checks the Sluice dashboard in a real browser (headless Chromium), as a person would see it.
#
#   scripts/dashboard-check.sh URL OUT_DIR [TOKEN_FILE]
#   EXPECT_LOG=TEXT scripts/dashboard-check.sh --follow URL WORKFLOW TASK [TOKEN_FILE]
#
# URL is the server's root (e.g. http://127.0.0.1:7480, or a path prefix it is served under). TOKEN_FILE holds the
# API bearer token of a controller run with --api-token-file; the page gets it in its URL fragment (#token=…).
#
# The first form reads URL/api/v1/workflows, URL/api/v1/plans and each workflow's runs with curl, loads the page
# headless (--virtual-time-budget, then --dump-dom), parses the DOM with Python's html.parser and fails (exit 1, one
# line per problem on stderr) unless every workflow is on the page with its graph (one node per task, with its
# phase), its last run's gantt, its run history, its next scheduled run and its metrics; every branch plan is there;
# rerun buttons are there exactly when a token is given; and no error banner shows. API answers are read before and
# after the page loads, and a workflow passes if the page matches either (a running workflow changes meanwhile).
# It then saves OUT_DIR/dashboard.png (1280×900) and OUT_DIR/dashboard-full.png (1280×2400).
#
# The second form opens the page with #logs=WORKFLOW/TASK, which opens that task's live log, and succeeds once the
# log panel (pre.log) shows the text of EXPECT_LOG, within FOLLOW_TIMEOUT seconds (default 30). It drives Chromium
# over the DevTools protocol (--remote-debugging-pipe) and polls the DOM in real time: a virtual time budget does
# not wait for a server-sent-events stream, so --dump-dom would see only its first chunk.
#
# Installs Debian's chromium when it is missing. Exit status: 0 ok, 1 a problem, 2 usage.
set -euo pipefail

usage() {
    echo "usage: $0 URL OUT_DIR [TOKEN_FILE]" >&2
    echo "       EXPECT_LOG=TEXT $0 --follow URL WORKFLOW TASK [TOKEN_FILE]" >&2
    exit 2
}

mode=check
if [[ ${1:-} == --follow ]]; then
    mode=follow
    shift
    [[ $# -eq 3 || $# -eq 4 ]] || usage
    url=${1%/}
    follow_workflow=$2
    follow_task=$3
    token_file=${4:-}
    if [[ -z ${EXPECT_LOG:-} ]]; then
        echo "dashboard-check: --follow needs EXPECT_LOG, the text the task's log must show" >&2
        exit 2
    fi
else
    [[ $# -eq 2 || $# -eq 3 ]] || usage
    url=${1%/}
    out_dir=$2
    token_file=${3:-}
fi

if ! command -v chromium >/dev/null 2>&1; then
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    echo "dashboard-check: installing chromium" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
command -v curl >/dev/null 2>&1 || { echo "dashboard-check: curl is needed" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "dashboard-check: python3 is needed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checker="$work/check.py"
# The DOM checks, in Python (html.parser, so that attribute order and quoting do not matter).
cat >"$checker" <<'PY'
import fcntl, json, os, select, subprocess, sys, time, urllib.parse
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self):
        return (self.attrs.get("class") or "").split()

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find(self, tag=None, cls=None, **attrs):
        """Descendants with that tag, class and attributes (data_task= matches data-task)."""
        wanted = {key.replace("_", "-"): value for key, value in attrs.items()}

        def matches(node):
            if (tag is not None and node.tag != tag) or (cls is not None and cls not in node.classes):
                return False
            return all(key in node.attrs and (value is True or node.attrs[key] == value) for key, value in wanted.items())

        return [node for node in self.walk() if matches(node)]

    def text(self):
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


class Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {key: (value if value is not None else "") for key, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {key: (value if value is not None else "") for key, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html):
    builder = Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def items(body, kind, where):
    if not isinstance(body, dict) or body.get("apiVersion") != "sluice/v1" or body.get("kind") != kind or not isinstance(body.get("items"), list):
        raise ValueError(where + " is not a sluice/v1 " + kind + " (apiVersion, kind, items)")
    return body["items"]


def names(workflows_path):
    """Index and URL-encoded name of each workflow, for the shell to read their runs."""
    for index, workflow in enumerate(items(load(workflows_path), "WorkflowList", "api/v1/workflows")):
        print(str(index) + "\t" + urllib.parse.quote(workflow["name"], safe=""))


def snapshot(directory):
    workflows = items(load(os.path.join(directory, "workflows.json")), "WorkflowList", "api/v1/workflows")
    runs = {}
    for index, workflow in enumerate(workflows):
        path = os.path.join(directory, "runs", str(index) + ".json")
        runs[workflow["name"]] = items(load(path), "RunList", "the runs of " + workflow["name"]) if os.path.exists(path) else None
    plans_path = os.path.join(directory, "plans.json")
    plans = items(load(plans_path), "PlanList", "api/v1/plans") if os.path.exists(plans_path) else None
    return {workflow["name"]: workflow for workflow in workflows}, runs, plans


def check_workflow(page, workflow, runs, token_given):
    problems = []
    name = workflow["name"]
    sections = page.find("section", "workflow", data_workflow=name)
    if not sections:
        return ["workflow '%s' is not on the page (no section.workflow[data-workflow])" % name]
    if len(sections) > 1:
        problems.append("workflow '%s' is on the page %d times" % (name, len(sections)))
    section = sections[0]
    if not any(h2.text().strip() == name for h2 in section.find("h2")):
        problems.append("workflow '%s': no <h2>%s</h2> in its section" % (name, name))

    tasks = workflow.get("tasks") or []
    dags = section.find("svg", "dag")
    if not dags:
        problems.append("workflow '%s': no svg.dag (task graph)" % name)
    else:
        nodes = [node for dag in dags for node in dag.find("g", "dag-node")]
        for task in tasks:
            found = [node for node in nodes if node.attrs.get("data-task") == task["name"]]
            if len(found) != 1:
                problems.append("workflow '%s': task '%s' has %d dag-node(s) in svg.dag, not 1" % (name, task["name"], len(found)))
            elif "phase-" + task["phase"] not in found[0].classes:
                phases = [cls for cls in found[0].classes if cls.startswith("phase-")]
                problems.append("workflow '%s': dag-node of '%s' is %s, the API says phase-%s" % (name, task["name"], " ".join(phases) or "without a phase class", task["phase"]))
        known = {task["name"] for task in tasks}
        for node in nodes:
            if node.attrs.get("data-task") not in known:
                problems.append("workflow '%s': dag-node '%s' is no task of the API" % (name, node.attrs.get("data-task")))

    last = workflow.get("lastRun")
    if last is not None:
        gantts = section.find("svg", "gantt")
        attempts = last.get("tasks") or []
        if not gantts:
            problems.append("workflow '%s': lastRun is not null but there is no svg.gantt" % name)
        else:
            bars = [bar for gantt in gantts for bar in gantt.find("rect", "gantt-bar")]
            in_run = {attempt["name"] for attempt in attempts}
            if attempts and not bars:
                problems.append("workflow '%s': svg.gantt has no rect.gantt-bar" % name)
            elif len(bars) != len(attempts):
                problems.append("workflow '%s': svg.gantt has %d bars for the %d attempts of lastRun.tasks" % (name, len(bars), len(attempts)))
            for bar in bars:
                if bar.attrs.get("data-task") not in in_run:
                    problems.append("workflow '%s': gantt bar for '%s', which is not in lastRun.tasks" % (name, bar.attrs.get("data-task")))
                elif not any(cls.startswith("phase-") for cls in bar.classes):
                    problems.append("workflow '%s': gantt bar of '%s' has no phase-… class" % (name, bar.attrs.get("data-task")))

    if runs is None:
        problems.append("workflow '%s': could not read its runs (GET …/runs?limit=10)" % name)
    elif runs:
        tables = section.find("table", "runs")
        if not tables:
            problems.append("workflow '%s': has %d runs but no table.runs" % (name, len(runs)))
        else:
            rows = {row.attrs.get("data-commit") for table in tables for row in table.find("tr") if "data-commit" in row.attrs}
            for run in runs:
                if run["commit"]["id"] not in rows:
                    problems.append("workflow '%s': table.runs has no tr[data-commit=%s]" % (name, run["commit"]["id"]))

    schedule = workflow.get("schedule")
    if schedule and schedule.get("nextRun"):
        times = [time_ for p in section.find("p", "next-run") for time_ in p.find("time") if "datetime" in time_.attrs]
        if not times:
            problems.append("workflow '%s': schedule.nextRun is %s but there is no p.next-run time[datetime]" % (name, schedule["nextRun"]))
        elif not any(time_.attrs["datetime"] == schedule["nextRun"] for time_ in times):
            problems.append("workflow '%s': p.next-run time[datetime] is %s, the API says %s" % (name, times[0].attrs["datetime"], schedule["nextRun"]))

    metrics = workflow.get("metrics") or []
    if metrics:
        if not section.find("table", "metrics"):
            problems.append("workflow '%s': has %d metrics but no table.metrics" % (name, len(metrics)))
        elif len(section.find("svg", "trend")) < len(metrics):
            problems.append("workflow '%s': %d metrics but %d svg.trend sparklines" % (name, len(metrics), len(section.find("svg", "trend"))))

    buttons = section.find("button", "rerun")
    if token_given:
        for task in tasks:
            has_button = any(button.attrs.get("data-task") == task["name"] for button in buttons)
            if task.get("isService") and has_button:
                problems.append("workflow '%s': service '%s' has a button.rerun, but services are kept up, not rerun" % (name, task["name"]))
            elif not task.get("isService") and not has_button:
                problems.append("workflow '%s': a token is given but task '%s' has no button.rerun" % (name, task["name"]))
    return problems


def check(dom_path, before_dir, after_dir, token_given):
    with open(dom_path, encoding="utf-8", errors="replace") as handle:
        page = parse(handle.read())
    problems = []
    snapshots = [snapshot(before_dir)]
    if os.path.exists(os.path.join(after_dir, "workflows.json")):
        snapshots.append(snapshot(after_dir))

    if not page.find(id="workflows"):
        return ["the page is not the Sluice dashboard (no #workflows)"]
    for banner in page.find(data_sluice_error=True):
        problems.append("the page shows an error banner: " + " ".join(banner.text().split()))
    if page.find("form", "token-form"):
        problems.append("the page asks for the API token" + ("" if token_given else " (give TOKEN_FILE)"))

    names_everywhere = [name for name in snapshots[0][0] if all(name in snap[0] for snap in snapshots)]
    for name in names_everywhere:
        # A workflow passes when the page matches the API before or after it loaded.
        results = [check_workflow(page, snap[0][name], snap[1].get(name), token_given) for snap in snapshots]
        if not all(results):
            continue
        problems.extend(results[-1])
    on_page = {section.attrs.get("data-workflow") for section in page.find("section", "workflow")}
    for name in on_page:
        if not any(name in snap[0] for snap in snapshots):
            problems.append("workflow '%s' is on the page but not in the API" % name)
    if not any(snap[0] for snap in snapshots) and not page.find("p", "empty"):
        problems.append("no workflows, and the page does not say so (p.empty)")

    if not token_given and page.find("button", "rerun"):
        problems.append("rerun buttons are on the page although no token is given")

    plan_sets = [snap[2] for snap in snapshots]
    if plan_sets[0] is None:
        problems.append("could not read api/v1/plans")
    else:
        sections = page.find("section", "plans")
        branches = {details.attrs.get("data-branch") for section in sections for details in section.find("details")}
        missing = [plan["branch"] for plan in plan_sets[0] if plan["branch"] not in branches]
        if missing and len(plan_sets) > 1 and plan_sets[1] is not None:
            missing = [plan["branch"] for plan in plan_sets[1] if plan["branch"] not in branches]
        for branch in missing:
            problems.append("branch plan '%s' has no details[data-branch] in section.plans" % branch)

    for problem in problems:
        print("dashboard-check: " + problem, file=sys.stderr)
    counts = "%d workflow(s) (%s)" % (len(names_everywhere), ", ".join(names_everywhere) or "none")
    if not problems:
        print("dashboard-check: ok: " + counts + ", %d plan(s), rerun buttons %s" %
              (len(plan_sets[0] or []), "present" if token_given else "absent"))
    return 1 if problems else 0


class Browser:
    """Chromium driven over the DevTools protocol on a pipe (fds 3 and 4, messages ending with NUL)."""

    def __init__(self, command, log):
        to_browser, self.commands = os.pipe()
        self.answers, from_browser = os.pipe()

        def child():
            commands = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10)
            answers = fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        self.process = subprocess.Popen(command + ["--remote-debugging-pipe", "about:blank"], preexec_fn=child,
                                        close_fds=False, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        os.close(to_browser)
        os.close(from_browser)
        self.buffer, self.next_id, self.session = b"", 0, None

    def call(self, method, params=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self.next_id:
                    if "error" in answer:
                        raise RuntimeError(method + ": " + answer["error"].get("message", str(answer["error"])))
                    return answer.get("result", {})
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer " + method)
            ready, _, _ = select.select([self.answers], [], [], left)
            if ready:
                chunk = os.read(self.answers, 1 << 16)
                if not chunk:
                    raise EOFError("chromium exited")
                self.buffer += chunk

    def open(self, url):
        target = self.call("Target.createTarget", {"url": "about:blank"})
        self.session = self.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", {"url": url})

    def dom(self):
        result = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML", "returnByValue": True})
        return result.get("result", {}).get("value") or ""

    def close(self):
        try:
            self.session = None
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def follow(page_url, workflow, task, expected, timeout, command, log_path):
    with open(log_path, "w") as log:
        browser = Browser(command, log)
        text, state, banner, sections, logs, asks_token = "", "", "", [], [], False
        try:
            browser.open(page_url)
            deadline = time.time() + timeout
            while time.time() < deadline:
                time.sleep(0.5)
                page = parse(browser.dom())
                banner = " ".join(" ".join(node.text().split()) for node in page.find(data_sluice_error=True))
                sections = page.find("section", "workflow", data_workflow=workflow)
                logs = [pre for section in sections for pre in section.find("pre", "log", data_task=task)]
                panels = [panel for section in sections for panel in section.find(cls="log-panel", data_task=task)]
                states = [node for panel in panels for node in panel.find(cls="log-state")]
                asks_token = bool(page.find("form", "token-form"))
                text = logs[0].text() if logs else ""
                state = " ".join(states[0].text().split()) if states else ""
                if expected in text:
                    print("dashboard-check: ok: the live log of %s/%s shows %r (%s)" % (workflow, task, expected, state or "open"))
                    return 0
        except Exception as error:  # chromium died or never answered
            print("dashboard-check: the browser failed: %s; the end of its log:" % error, file=sys.stderr)
            with open(log_path, errors="replace") as handle:
                lines = [line for line in handle if "dbus" not in line.lower()]
            sys.stderr.write("".join(lines[-20:]))
            return 1
        finally:
            browser.close()
    if asks_token:
        print("dashboard-check: the page asks for the API token" + ("" if "token=" in page_url else " (give TOKEN_FILE)"), file=sys.stderr)
    if not sections:
        print("dashboard-check: workflow '%s' is not on the page" % workflow, file=sys.stderr)
    elif not logs:
        print("dashboard-check: no pre.log[data-task=%s] in workflow '%s' (the page did not open its log)" % (task, workflow), file=sys.stderr)
    else:
        tail = text[-300:].replace("\n", "\\n")
        print("dashboard-check: after %ss the log of %s/%s does not show %r; panel says %r; its end: %s" %
              (timeout, workflow, task, expected, state, tail or "(empty)"), file=sys.stderr)
    if banner:
        print("dashboard-check: the page shows an error banner: " + banner, file=sys.stderr)
    return 1


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "names":
        try:
            names(sys.argv[2])
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            print("dashboard-check: " + str(error), file=sys.stderr)
            sys.exit(1)
    elif command == "check":
        try:
            sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"))
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as error:
            print("dashboard-check: an API answer is not as the OpenAPI document says: %s" % error, file=sys.stderr)
            sys.exit(1)
    elif command == "follow":
        page_url, workflow, task, timeout, log_path = sys.argv[2:7]
        sys.exit(follow(page_url, workflow, task, os.environ["EXPECT_LOG"], float(timeout), sys.argv[7:], log_path))
    elif command == "quote":
        print(urllib.parse.quote(sys.argv[2], safe=""))
    elif command == "token":
        with open(sys.argv[2], encoding="utf-8") as handle:
            print(handle.read().strip())
PY

# A profile of our own, so that an open chromium session or a stale lock never gets in the way.
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --user-data-dir="$work/profile")

auth=()
fragment=""
token_given=0
if [[ -n $token_file ]]; then
    [[ -r $token_file ]] || { echo "dashboard-check: cannot read the token file $token_file" >&2; exit 2; }
    token=$(python3 "$checker" token "$token_file")
    [[ -n $token ]] || { echo "dashboard-check: the token file $token_file is empty" >&2; exit 2; }
    # The header goes to curl in a file, so that the token is not in the process list (chromium's URL still has it).
    (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$work/auth")
    auth=(-H "@$work/auth")
    fragment="token=$(python3 "$checker" quote "$token")"
    token_given=1
fi

if [[ $mode == follow ]]; then
    logs="logs=$(python3 "$checker" quote "$follow_workflow")/$(python3 "$checker" quote "$follow_task")"
    page="$url/#${fragment:+$fragment&}$logs"
    status=0
    python3 "$checker" follow "$page" "$follow_workflow" "$follow_task" "${FOLLOW_TIMEOUT:-30}" "$work/chromium.log" "${browser[@]}" || status=1
    exit $status
fi

mkdir -p "$out_dir"
page="$url/${fragment:+#$fragment}"

# GET an API path into a file; on failure, say why on stderr.
api() {
    if ! curl -fsS --max-time 20 ${auth[@]+"${auth[@]}"} "$url$1" -o "$2" 2>"$work/curl.err"; then
        echo "dashboard-check: cannot read $url$1: $(tr '\n' ' ' <"$work/curl.err")" >&2
        return 1
    fi
}
# What the API says, into a directory: the workflows, the plans and each workflow's runs.
snapshot() {
    local dir=$1 index encoded
    mkdir -p "$dir/runs"
    api /api/v1/workflows "$dir/workflows.json" || return 1
    api /api/v1/plans "$dir/plans.json" || rm -f "$dir/plans.json"
    python3 "$checker" names "$dir/workflows.json" >"$dir/names" || return 1
    while IFS=$'\t' read -r index encoded; do
        api "/api/v1/workflows/$encoded/runs?limit=10" "$dir/runs/$index.json" || rm -f "$dir/runs/$index.json"
    done <"$dir/names"
}

snapshot "$work/before" || exit 1

timeout 120 "${browser[@]}" --virtual-time-budget=8000 --dump-dom "$page" >"$work/dom.html" 2>"$work/chromium.log" || {
    echo "dashboard-check: chromium failed; its log:" >&2
    cat "$work/chromium.log" >&2
    exit 1
}
snapshot "$work/after" 2>/dev/null || rm -rf "$work/after"

status=0
if ! python3 "$checker" check "$work/dom.html" "$work/before" "$work/after" "$token_given"; then
    status=1
    cp "$work/dom.html" "$out_dir/dashboard-dom.html"
    echo "dashboard-check: the DOM the checks read is in $out_dir/dashboard-dom.html" >&2
fi

for shot in "dashboard.png 1280,900" "dashboard-full.png 1280,2400"; do
    file=${shot% *}
    size=${shot#* }
    rm -f "$out_dir/$file"
    timeout 120 "${browser[@]}" --virtual-time-budget=8000 --window-size="$size" --screenshot="$out_dir/$file" "$page" >>"$work/chromium.log" 2>&1 || {
        echo "dashboard-check: the screenshot $out_dir/$file failed; chromium's log:" >&2
        cat "$work/chromium.log" >&2
        exit 1
    }
    [[ -s $out_dir/$file ]] || { echo "dashboard-check: no screenshot at $out_dir/$file" >&2; exit 1; }
done
echo "dashboard-check: screenshots $out_dir/dashboard.png and $out_dir/dashboard-full.png"
exit $status
